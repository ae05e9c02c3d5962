// RUN: seqboat-opt %s --seqboat-apply-host-strategies --split-input-file | FileCheck %s

// Inputs read through maps with constant offsets (a column block of a
// wider buffer), a reversal (the anti-causal EMA's sequence) or a constant
// index (one row of a parameter table) are read through views with
// projected-permutation maps instead, so the row strategy vectorises the op.

// CHECK-LABEL: func.func @offsets
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<2x8x96xf32>, %[[T:[a-z0-9]+]]: memref<2x32xf32>
// Columns [64, 96) of a: offset + 64.
// CHECK: memref.reinterpret_cast %[[A]] to offset: [64], sizes: [2, 8, 32], strides: [768, 96, 1] : memref<2x8x96xf32> to memref<2x8x32xf32, strided<[768, 96, 1], offset: 64>>
// Row 1 of t: offset 32, the constant dimension dropped.
// CHECK: memref.reinterpret_cast %[[T]] to offset: [32], sizes: [32], strides: [1] : memref<2x32xf32> to memref<32xf32, strided<[1], offset: 32>>
// CHECK: scf.forall
// CHECK: vector.load {{.*}} : memref<2x8x32xf32, strided<[768, 96, 1], offset: 64>>, vector<16xf32>
// CHECK-NOT: linalg.generic
func.func @offsets(%a: memref<2x8x96xf32>, %t: memref<2x32xf32>, %o: memref<2x8x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, s, d) -> (b, s, d + 64)>,
                                   affine_map<(b, s, d) -> (1, d)>,
                                   affine_map<(b, s, d) -> (b, s, d)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a, %t : memref<2x8x96xf32>, memref<2x32xf32>) outs(%o : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Reversal along the sequence: the last row first, a negative stride.
// CHECK-LABEL: func.func @reversed
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [224], sizes: [2, 8, 32], strides: [256, -32, 1] : memref<2x8x32xf32> to memref<2x8x32xf32, strided<[256, -32, 1], offset: 224>>
// CHECK: vector.load
// CHECK-NOT: linalg.generic
func.func @reversed(%a: memref<2x8x32xf32>, %o: memref<2x8x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, s, d) -> (b, -s + 7, d)>,
                                   affine_map<(b, s, d) -> (b, s, d)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a : memref<2x8x32xf32>) outs(%o : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %z: f32):
    linalg.yield %x : f32
  }
  return
}

// -----

// A view with a dynamic offset (a tile): the new offset is computed.
// CHECK-LABEL: func.func @dynamic_offset
// CHECK: %{{.*}}, %[[OFF:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata
// CHECK: %[[NEW:.*]] = arith.addi %[[OFF]], %c16
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [%[[NEW]]], sizes: [4, 16], strides: [64, 1]
func.func @dynamic_offset(%a: memref<8x64xf32>, %i: index, %o: memref<4x16xf32>) {
  %v = memref.subview %a[%i, 0] [4, 64] [1, 1] : memref<8x64xf32> to memref<4x64xf32, strided<[64, 1], offset: ?>>
  linalg.generic {indexing_maps = [affine_map<(r, d) -> (r, d + 16)>,
                                   affine_map<(r, d) -> (r, d)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%v : memref<4x64xf32, strided<[64, 1], offset: ?>>) outs(%o : memref<4x16xf32>) {
  ^bb0(%x: f32, %z: f32):
    linalg.yield %x : f32
  }
  return
}

// -----

// Other maps (a diagonal, a scaled index) are left as they are.
// CHECK-LABEL: func.func @unchanged
// CHECK-NOT: memref.reinterpret_cast
// CHECK: linalg.generic
func.func @unchanged(%a: memref<16x8xf32>, %o: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i) -> (i * 2, i)>,
                                   affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]}
      ins(%a : memref<16x8xf32>) outs(%o : memref<8xf32>) {
  ^bb0(%x: f32, %z: f32):
    linalg.yield %x : f32
  }
  return
}
