// Y[M, 80] = X[M, 64] . W[80, 64]^T + b with a runtime M (B·L rows).
#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>
func.func @linear(%x: tensor<?x64xf32>, %w: tensor<80x64xf32>, %b: tensor<80xf32>) -> tensor<?x80xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%m) : tensor<?x80xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<?x80xf32>) -> tensor<?x80xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w : tensor<?x64xf32>, tensor<80x64xf32>) outs(%acc0 : tensor<?x80xf32>) -> tensor<?x80xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<?x80xf32>, tensor<80xf32>) outs(%e : tensor<?x80xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<?x80xf32>
  return %y : tensor<?x80xf32>
}
