// RUN: seqboat-opt %s --split-input-file --seqboat-tile-dynamic-dims | FileCheck %s

// Dynamic parallel loops are tiled by 1: the op inside has a static shape.
// CHECK-LABEL: func @elementwise
// CHECK: scf.forall (%[[B:.*]], %[[T:.*]]) in (%{{.*}}, %{{.*}})
// CHECK: tensor.extract_slice %arg0[%[[B]], %[[T]], 0] [1, 1, 16] [1, 1, 1] : tensor<?x?x16xf32> to tensor<1x1x16xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x16xf32>) outs(%{{.*}} : tensor<1x1x16xf32>)
// CHECK: tensor.parallel_insert_slice
#id = affine_map<(b, t, d) -> (b, t, d)>
func.func @elementwise(%x: tensor<?x?x16xf32>, %init: tensor<?x?x16xf32>) -> tensor<?x?x16xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x?x16xf32>) outs(%init : tensor<?x?x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<?x?x16xf32>
  return %r : tensor<?x?x16xf32>
}

// -----

// A dynamic reduction loop is left alone, as are static ops.
// CHECK-LABEL: func @reduction
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
#in = affine_map<(b, t) -> (b, t)>
#out = affine_map<(b, t) -> (b)>
func.func @reduction(%x: tensor<4x?xf32>, %init: tensor<4xf32>, %s: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4x8xf32>) {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x?xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s1 = arith.addf %a, %o : f32
    linalg.yield %s1 : f32
  } -> tensor<4xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%s : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r, %f : tensor<4xf32>, tensor<4x8xf32>
}
