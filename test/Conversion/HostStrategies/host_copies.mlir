// RUN: seqboat-opt %s --seqboat-apply-host-strategies --split-input-file | FileCheck %s

// Copies that bufferization leaves: a copy out of a just-filled buffer is a
// fill of the target; a copy between strided views (a call to the
// element-by-element memrefCopy runtime once lowered) becomes vector rows;
// copies between contiguous buffers stay (a memcpy); i1 buffers (a byte per
// element, bit-packed as vectors) are never copied as vectors.

// CHECK-LABEL: func.func @fill_then_copy
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<8x32xf32>, %[[B:[a-z0-9]+]]: memref<8x32xf32>
// CHECK: linalg.fill ins(%[[ZERO:.*]] : f32) outs(%[[A]] : memref<8x32xf32>)
// CHECK: memref.alloc
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%[[B]] : memref<8x32xf32>)
// CHECK-NOT: memref.copy
func.func @fill_then_copy(%a: memref<8x32xf32>, %b: memref<8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%a : memref<8x32xf32>)
  %unused = memref.alloc() : memref<4xf32>
  memref.copy %a, %b : memref<8x32xf32> to memref<8x32xf32>
  memref.dealloc %unused : memref<4xf32>
  return
}

// -----

// A write in between: the copy stays.
// CHECK-LABEL: func.func @fill_write_copy
// CHECK: linalg.fill
// CHECK: memref.store
// CHECK: memref.copy
func.func @fill_write_copy(%a: memref<8x32xf32>, %b: memref<8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  linalg.fill ins(%zero : f32) outs(%a : memref<8x32xf32>)
  memref.store %one, %a[%c0, %c0] : memref<8x32xf32>
  memref.copy %a, %b : memref<8x32xf32> to memref<8x32xf32>
  return
}

// -----

// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: scf.forall
// CHECK: vector.load {{.*}} : memref<2x16x128xf32>, vector<16xf32>
// CHECK: vector.store {{.*}} : memref<2x64x128xf32>, vector<16xf32>
func.func @strided_copy(%a: memref<2x16x128xf32>, %b: memref<2x64x128xf32>, %c: index) {
  %view = memref.subview %b[0, %c, 0] [2, 16, 128] [1, 1, 1]
      : memref<2x64x128xf32> to memref<2x16x128xf32, strided<[8192, 128, 1], offset: ?>>
  memref.copy %a, %view : memref<2x16x128xf32> to memref<2x16x128xf32, strided<[8192, 128, 1], offset: ?>>
  return
}

// -----

// CHECK-LABEL: func.func @contiguous_and_i1
// CHECK: memref.copy %{{.*}} : memref<2x16x128xf32> to memref<2x16x128xf32>
// CHECK: memref.copy %{{.*}} : memref<2x16xi1> to memref<2x16xi1, strided<[64, 1], offset: ?>>
// CHECK-NOT: vector.
func.func @contiguous_and_i1(%a: memref<2x16x128xf32>, %b: memref<2x16x128xf32>,
                             %m: memref<2x16xi1>, %n: memref<2x64xi1>, %c: index) {
  memref.copy %a, %b : memref<2x16x128xf32> to memref<2x16x128xf32>
  %view = memref.subview %n[0, %c] [2, 16] [1, 1]
      : memref<2x64xi1> to memref<2x16xi1, strided<[64, 1], offset: ?>>
  memref.copy %m, %view : memref<2x16xi1> to memref<2x16xi1, strided<[64, 1], offset: ?>>
  return
}
