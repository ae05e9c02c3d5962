// 16-bit arguments and results: a bf16 and an f16 tensor in, each doubled
// in its own type, and their sum in f32.
#id = affine_map<(i, j) -> (i, j)>
func.func @half(%a: tensor<2x3xbf16>, %b: tensor<2x3xf16>) -> (tensor<2x3xbf16>, tensor<2x3xf16>, tensor<2x3xf32>) {
  %ea = tensor.empty() : tensor<2x3xbf16>
  %eb = tensor.empty() : tensor<2x3xf16>
  %es = tensor.empty() : tensor<2x3xf32>
  %r:3 = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<2x3xbf16>, tensor<2x3xf16>) outs(%ea, %eb, %es : tensor<2x3xbf16>, tensor<2x3xf16>, tensor<2x3xf32>) {
  ^bb0(%x: bf16, %y: f16, %o1: bf16, %o2: f16, %o3: f32):
    %x2 = arith.addf %x, %x : bf16
    %y2 = arith.addf %y, %y : f16
    %xw = arith.extf %x : bf16 to f32
    %yw = arith.extf %y : f16 to f32
    %s = arith.addf %xw, %yw : f32
    linalg.yield %x2, %y2, %s : bf16, f16, f32
  } -> (tensor<2x3xbf16>, tensor<2x3xf16>, tensor<2x3xf32>)
  return %r#0, %r#1, %r#2 : tensor<2x3xbf16>, tensor<2x3xf16>, tensor<2x3xf32>
}
