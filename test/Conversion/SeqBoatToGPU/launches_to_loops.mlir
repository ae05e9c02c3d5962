// RUN: seqboat-opt %s --split-input-file --seqboat-launches-to-loops --verify-diagnostics | FileCheck %s

// A launch of a runtime grid: loops over blocks (z, y, x) and threads (z, y,
// x), the ids their induction variables; the trailing barrier is dropped.
// CHECK-LABEL: func.func @grid
// CHECK-SAME: (%[[BUF:.*]]: memref<?xf32>, %[[N:.*]]: index)
// CHECK: scf.for %[[BZ:.*]] = %c0 to %c1 step %c1
// CHECK: scf.for %[[BY:.*]] = %c0 to %c1 step %c1
// CHECK: scf.for %[[BX:.*]] = %c0 to %[[N]] step %c1
// CHECK: scf.for %[[TZ:.*]] = %c0 to %c1 step %c1
// CHECK: scf.for %[[TY:.*]] = %c0 to %c1 step %c1
// CHECK: scf.for %[[TX:.*]] = %c0 to %c32 step %c1
// CHECK: %[[I:.*]] = arith.muli %[[BX]], %c32
// CHECK: %[[J:.*]] = arith.addi %[[I]], %[[TX]]
// CHECK: memref.store %{{.*}}, %[[BUF]][%[[J]]]
// CHECK-NOT: gpu.
func.func @grid(%buf: memref<?xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %b = gpu.block_id x
    %t = gpu.thread_id x
    %d = gpu.block_dim x
    %i = arith.muli %b, %d : index
    %j = arith.addi %i, %t : index
    memref.store %one, %buf[%j] : memref<?xf32>
    gpu.barrier
    gpu.terminator
  }
  return
}

// -----

// Threads that synchronise before the end cannot run one after the other.
func.func @barrier(%buf: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'gpu.launch' op cannot run as CPU loops: its threads synchronise before the end (gpu.barrier)}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.barrier
    %one = arith.constant 1.0 : f32
    memref.store %one, %buf[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}

// -----

// Nor threads sharing workgroup memory.
func.func @shared(%buf: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'gpu.launch' op cannot run as CPU loops: it has memory attributions}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             workgroup(%tile : memref<32xf32, #gpu.address_space<workgroup>>) {
    %v = memref.load %tile[%tx] : memref<32xf32, #gpu.address_space<workgroup>>
    memref.store %v, %buf[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}
