// Two results so that argument/result binding order is observable.
func.func @add(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %m: tensor<2x3xi1>) -> (tensor<2x3xf32>, tensor<2x3xi32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %ei = tensor.empty() : tensor<2x3xi32>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                        iterator_types = ["parallel", "parallel"]}
      ins(%a, %b, %m : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi1>) outs(%e, %ei : tensor<2x3xf32>, tensor<2x3xi32>) {
  ^bb0(%x: f32, %y: f32, %c: i1, %o: f32, %oi: i32):
    %s = arith.subf %x, %y : f32
    %i = arith.extui %c : i1 to i32
    linalg.yield %s, %i : f32, i32
  } -> (tensor<2x3xf32>, tensor<2x3xi32>)
  return %r#0, %r#1 : tensor<2x3xf32>, tensor<2x3xi32>
}
