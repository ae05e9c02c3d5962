// Y[64, 64] = bf16(X[64, 64] . W[64, 64]^T + b) with X, W, b in bf16 and an
// f32 accumulator: one contraction kernel with 16-bit operands.
#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>
func.func @linear(%x: tensor<64x64xbf16>, %w: tensor<64x64xbf16>, %b: tensor<64xbf16>) -> tensor<64x64xbf16> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %e16 = tensor.empty() : tensor<64x64xbf16>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w : tensor<64x64xbf16>, tensor<64x64xbf16>) outs(%acc0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<64x64xf32>, tensor<64xbf16>) outs(%e16 : tensor<64x64xbf16>) {
  ^bb0(%p: f32, %q: bf16, %o: bf16):
    %qe = arith.extf %q : bf16 to f32
    %s = arith.addf %p, %qe : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<64x64xbf16>
  return %y : tensor<64x64xbf16>
}
