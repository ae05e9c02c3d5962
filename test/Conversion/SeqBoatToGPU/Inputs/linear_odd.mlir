// Y[74, 66] = X[74, 72] . W[66, 72]^T + b: no multiple of the default tiles
// (64x64x16) in any dimension.
#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>
func.func @linear(%x: tensor<74x72xf32>, %w: tensor<66x72xf32>, %b: tensor<66xf32>) -> tensor<74x66xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<74x66xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<74x66xf32>) -> tensor<74x66xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w : tensor<74x72xf32>, tensor<66x72xf32>) outs(%acc0 : tensor<74x66xf32>) -> tensor<74x66xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<74x66xf32>, tensor<66xf32>) outs(%e : tensor<74x66xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<74x66xf32>
  return %y : tensor<74x66xf32>
}
