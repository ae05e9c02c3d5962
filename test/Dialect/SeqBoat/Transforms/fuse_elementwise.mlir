// RUN: seqboat-opt %s --seqboat-fuse-elementwise --split-input-file | FileCheck %s

// A producer read through a permutation is fused: each element is still
// computed once.
// CHECK-LABEL: func @permutation
// CHECK: linalg.generic
// CHECK:   math.exp
// CHECK:   arith.addf
// CHECK-NOT: linalg.generic
func.func @permutation(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %e0 = tensor.empty() : tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                         iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e0 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<4x8xf32>
  %e1 = tensor.empty() : tensor<8x4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                         iterator_types = ["parallel", "parallel"]}
      ins(%exp, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%e1 : tensor<8x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %z = arith.addf %x, %y : f32
    linalg.yield %z : f32
  } -> tensor<8x4xf32>
  return %sum : tensor<8x4xf32>
}

// -----

// A producer broadcast along a consumer loop is not fused: fusing would
// evaluate its powf once per consumer element instead of once per element.
// CHECK-LABEL: func @broadcast
// CHECK: %[[POW:.*]] = linalg.generic
// CHECK:   math.powf
// CHECK: linalg.generic {{.*}} ins(%[[POW]], %{{.*}} :
// CHECK-NOT: math.powf
func.func @broadcast(%q: tensor<8xf32>, %x: tensor<64x8xf32>) -> tensor<64x8xf32> {
  %e0 = tensor.empty() : tensor<8xf32>
  %pow = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                         iterator_types = ["parallel"]}
      ins(%q : tensor<8xf32>) outs(%e0 : tensor<8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = math.powf %v, %v : f32
    linalg.yield %y : f32
  } -> tensor<8xf32>
  %e1 = tensor.empty() : tensor<64x8xf32>
  %prod = linalg.generic {indexing_maps = [affine_map<(t, d) -> (d)>, affine_map<(t, d) -> (t, d)>, affine_map<(t, d) -> (t, d)>],
                          iterator_types = ["parallel", "parallel"]}
      ins(%pow, %x : tensor<8xf32>, tensor<64x8xf32>) outs(%e1 : tensor<64x8xf32>) {
  ^bb0(%p: f32, %v: f32, %o: f32):
    %z = arith.mulf %p, %v : f32
    linalg.yield %z : f32
  } -> tensor<64x8xf32>
  return %prod : tensor<64x8xf32>
}
