// A function tagged as a contraction kernel whose bias is not [N]: a clear
// error, not a peeled kernel with out-of-bounds views.
#mA = affine_map<(m, n, k) -> (m, k)>
#mW = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func private @k(%x: memref<40x32xf32>, %w: memref<48x32xf32>, %b: memref<48x1xf32>, %y: memref<40x48xf32>) attributes {seqboat.kernel_kind = "contraction"} {
  return
}
