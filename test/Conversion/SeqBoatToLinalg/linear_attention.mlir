// RUN: seqboat-opt %s --convert-seqboat-to-linalg --split-input-file | FileCheck %s

// Causal: chunks of `chunk` (L = 100 -> 4 chunks of 32, padded to 128),
// [T, T] intra-chunk scores, and an scf.for over the [B, Z, H] state.
// CHECK-LABEL: func @causal_decay
// CHECK-NOT: x100x100
// CHECK: tensor.expand_shape {{.*}} : tensor<2x128x16xf32> into tensor<2x4x32x16xf32>
// CHECK: } -> tensor<2x4x32x32xf32>
// CHECK: arith.cmpi sle
// CHECK: math.powf
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<2x16x8xf32>, tensor<2x4x16x8xf32>)
// CHECK: tensor.collapse_shape {{.*}} : tensor<2x4x32x8xf32> into tensor<2x128x8xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 100, 8] [1, 1, 1]
func.func @causal_decay(%q: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %g: tensor<f32>) -> tensor<2x100x8xf32> {
  %o = seqboat.linear_attention %q, %q, %v decay(%g) {chunk = 32 : i64} : tensor<2x100x16xf32>, tensor<2x100x8xf32>, tensor<f32> -> tensor<2x100x8xf32>
  return %o : tensor<2x100x8xf32>
}

// -----

// Bidirectional: K^T V then Q (K^T V), no chunking, no loop.
// CHECK-LABEL: func @bidirectional
// CHECK-NOT: scf.for
// CHECK: } -> tensor<2x16x8xf32>
// CHECK: } -> tensor<2x100x8xf32>
func.func @bidirectional(%q: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>) -> tensor<2x100x8xf32> {
  %o = seqboat.linear_attention %q, %q, %v {bidirectional = true} : tensor<2x100x16xf32>, tensor<2x100x8xf32> -> tensor<2x100x8xf32>
  return %o : tensor<2x100x8xf32>
}
