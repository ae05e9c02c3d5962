// RUN: seqboat-opt %s --pass-pipeline="builtin.module(func.func(seqboat-free-kernel-results))" --split-input-file | FileCheck %s

// A kernel result read by a later kernel and copied out is freed after its
// last use.
// CHECK-LABEL: func.func @chain
// CHECK:         %[[A:.*]] = memref.alloc() : memref<8x8xf32>
// CHECK-NOT:     seqboat.kernel_result
// CHECK:         call @k0(%{{.*}}, %[[A]])
// CHECK:         %[[B:.*]] = memref.alloc() : memref<8x8xf32>
// CHECK:         call @k1(%[[A]], %[[B]])
// CHECK-NEXT:    memref.dealloc %[[A]]
// CHECK:         memref.copy %[[B]], %{{.*}}
// CHECK-NEXT:    memref.dealloc %[[B]]
// CHECK-NEXT:    return
func.func private @k0(memref<8x8xf32>, memref<8x8xf32>)
func.func private @k1(memref<8x8xf32>, memref<8x8xf32>)
func.func @chain(%x: memref<8x8xf32>, %out: memref<8x8xf32>) {
  %a = memref.alloc() {seqboat.kernel_result} : memref<8x8xf32>
  call @k0(%x, %a) {seqboat.kernel_kind = "contraction"} : (memref<8x8xf32>, memref<8x8xf32>) -> ()
  %b = memref.alloc() {seqboat.kernel_result} : memref<8x8xf32>
  call @k1(%a, %b) {seqboat.kernel_kind = "contraction"} : (memref<8x8xf32>, memref<8x8xf32>) -> ()
  memref.copy %b, %out : memref<8x8xf32> to memref<8x8xf32>
  return
}

// -----

// A result returned (here through a view) escapes: it is not freed.
// CHECK-LABEL: func.func @escapes
// CHECK-NOT:     memref.dealloc
// CHECK:         return
func.func private @k0(memref<8x8xf32>, memref<8x8xf32>)
func.func @escapes(%x: memref<8x8xf32>) -> memref<64xf32> {
  %a = memref.alloc() {seqboat.kernel_result} : memref<8x8xf32>
  call @k0(%x, %a) {seqboat.kernel_kind = "contraction"} : (memref<8x8xf32>, memref<8x8xf32>) -> ()
  %c = memref.collapse_shape %a [[0, 1]] : memref<8x8xf32> into memref<64xf32>
  return %c : memref<64xf32>
}

// -----

// A use inside a loop keeps the buffer alive until after the loop; an
// unknown call may keep it, so that one is not freed.
// CHECK-LABEL: func.func @loop
// CHECK:         %[[A:.*]] = memref.alloc() : memref<8x8xf32>
// CHECK:         scf.for
// CHECK:           memref.load %[[A]]
// CHECK:         }
// CHECK-NEXT:    memref.dealloc %[[A]]
// CHECK:         %[[B:.*]] = memref.alloc() : memref<8x8xf32>
// CHECK:         call @keep(%[[B]])
// CHECK-NOT:     memref.dealloc %[[B]]
func.func private @k0(memref<8x8xf32>, memref<8x8xf32>)
func.func private @keep(memref<8x8xf32>)
func.func @loop(%x: memref<8x8xf32>, %out: memref<8xf32>) {
  %a = memref.alloc() {seqboat.kernel_result} : memref<8x8xf32>
  call @k0(%x, %a) {seqboat.kernel_kind = "contraction"} : (memref<8x8xf32>, memref<8x8xf32>) -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i, %i] : memref<8x8xf32>
    memref.store %v, %out[%i] : memref<8xf32>
  }
  %b = memref.alloc() {seqboat.kernel_result} : memref<8x8xf32>
  call @k0(%x, %b) {seqboat.kernel_kind = "contraction"} : (memref<8x8xf32>, memref<8x8xf32>) -> ()
  call @keep(%b) : (memref<8x8xf32>) -> ()
  return
}
