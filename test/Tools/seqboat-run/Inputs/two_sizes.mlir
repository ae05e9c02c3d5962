// A small and a large (16 KiB) result: a file-size limit between the two
// makes the second write fail after the first succeeded.
#id = affine_map<(i, j) -> (i, j)>
func.func @two(%s: tensor<2x3xf32>, %a: tensor<64x64xf32>) -> (tensor<2x3xf32>, tensor<64x64xf32>) {
  %es = tensor.empty() : tensor<2x3xf32>
  %ea = tensor.empty() : tensor<64x64xf32>
  %rs = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<2x3xf32>) outs(%es : tensor<2x3xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.addf %x, %x : f32
    linalg.yield %y : f32
  } -> tensor<2x3xf32>
  %ra = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<64x64xf32>) outs(%ea : tensor<64x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.addf %x, %x : f32
    linalg.yield %y : f32
  } -> tensor<64x64xf32>
  return %rs, %ra : tensor<2x3xf32>, tensor<64x64xf32>
}
