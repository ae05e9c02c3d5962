// A CHELA block (short-long convolutions + tiled linear attention), written
// with seqboat's primitive ops and linalg; docs/chela.md. Token rows are
// M = B*L; projections are nn.Linear (x . W^T + b) on [M, *] views.
#id3  = affine_map<(b, t, d) -> (b, t, d)>
#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>
func.func @chela_block(%x: tensor<2x64x128xf32>, %sw: tensor<128x4xf32>, %sb: tensor<128xf32>,
                   %lk: tensor<128x64xf32>,
                   %wq: tensor<64x128xf32>, %bq: tensor<64xf32>, %wk: tensor<64x128xf32>, %bk: tensor<64xf32>,
                   %wv: tensor<128x128xf32>, %bv: tensor<128xf32>, %wg: tensor<128x128xf32>, %bg: tensor<128xf32>,
                   %wo: tensor<128x128xf32>, %bo: tensor<128xf32>, %decay: tensor<f32>) -> tensor<2x64x128xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  // 1. short convolution, silu, long convolution (the token mixer's input)
  %s = "seqboat.short_conv"(%x, %sw, %sb) : (tensor<2x64x128xf32>, tensor<128x4xf32>, tensor<128xf32>) -> tensor<2x64x128xf32>
  %e3 = tensor.empty() : tensor<2x64x128xf32>
  %a = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x64x128xf32>) outs(%e3 : tensor<2x64x128xf32>) {
  ^bb0(%in0: f32, %out: f32):
    %neg = arith.negf %in0 : f32
    %ex = math.exp %neg : f32
    %den = arith.addf %ex, %one : f32
    %r = arith.divf %in0, %den : f32
    linalg.yield %r : f32
  } -> tensor<2x64x128xf32>
  %c = "seqboat.long_conv"(%a, %lk) <{bidirectional = false}> : (tensor<2x64x128xf32>, tensor<128x64xf32>) -> tensor<2x64x128xf32>
  // 2. projections: q, k from the convolved sequence, v and the gate from x
  %c2 = tensor.collapse_shape %c [[0, 1], [2]] : tensor<2x64x128xf32> into tensor<128x128xf32>
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x64x128xf32> into tensor<128x128xf32>
  %q2_e = tensor.empty() : tensor<128x64xf32>
  %q2_f = linalg.fill ins(%zero : f32) outs(%q2_e : tensor<128x64xf32>) -> tensor<128x64xf32>
  %q2_acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%c2, %wq : tensor<128x128xf32>, tensor<64x128xf32>)
      outs(%q2_f : tensor<128x64xf32>) -> tensor<128x64xf32>
  %q2 = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%q2_acc, %bq : tensor<128x64xf32>, tensor<64xf32>) outs(%q2_e : tensor<128x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.addf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<128x64xf32>
  %k2_e = tensor.empty() : tensor<128x64xf32>
  %k2_f = linalg.fill ins(%zero : f32) outs(%k2_e : tensor<128x64xf32>) -> tensor<128x64xf32>
  %k2_acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%c2, %wk : tensor<128x128xf32>, tensor<64x128xf32>)
      outs(%k2_f : tensor<128x64xf32>) -> tensor<128x64xf32>
  %k2 = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%k2_acc, %bk : tensor<128x64xf32>, tensor<64xf32>) outs(%k2_e : tensor<128x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.addf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<128x64xf32>
  %v2_e = tensor.empty() : tensor<128x128xf32>
  %v2_f = linalg.fill ins(%zero : f32) outs(%v2_e : tensor<128x128xf32>) -> tensor<128x128xf32>
  %v2_acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x2, %wv : tensor<128x128xf32>, tensor<128x128xf32>)
      outs(%v2_f : tensor<128x128xf32>) -> tensor<128x128xf32>
  %v2 = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%v2_acc, %bv : tensor<128x128xf32>, tensor<128xf32>) outs(%v2_e : tensor<128x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.addf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<128x128xf32>
  %g2_e = tensor.empty() : tensor<128x128xf32>
  %g2_f = linalg.fill ins(%zero : f32) outs(%g2_e : tensor<128x128xf32>) -> tensor<128x128xf32>
  %g2_acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x2, %wg : tensor<128x128xf32>, tensor<128x128xf32>)
      outs(%g2_f : tensor<128x128xf32>) -> tensor<128x128xf32>
  %g2 = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g2_acc, %bg : tensor<128x128xf32>, tensor<128xf32>) outs(%g2_e : tensor<128x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %v = arith.addf %in0, %in1 : f32
    %neg = arith.negf %v : f32
    %ex = math.exp %neg : f32
    %den = arith.addf %ex, %one : f32
    %r = arith.divf %v, %den : f32
    linalg.yield %r : f32
  } -> tensor<128x128xf32>
  // 3. tiled linear attention with decay
  %q = tensor.expand_shape %q2 [[0, 1], [2]] output_shape [2, 64, 64] : tensor<128x64xf32> into tensor<2x64x64xf32>
  %k = tensor.expand_shape %k2 [[0, 1], [2]] output_shape [2, 64, 64] : tensor<128x64xf32> into tensor<2x64x64xf32>
  %v = tensor.expand_shape %v2 [[0, 1], [2]] output_shape [2, 64, 128] : tensor<128x128xf32> into tensor<2x64x128xf32>
  %att = "seqboat.linear_attention"(%q, %k, %v, %decay) <{bidirectional = false, chunk = 16 : i64}> : (tensor<2x64x64xf32>, tensor<2x64x64xf32>, tensor<2x64x128xf32>, tensor<f32>) -> tensor<2x64x128xf32>
  // 4. gate, output projection, residual
  %att2 = tensor.collapse_shape %att [[0, 1], [2]] : tensor<2x64x128xf32> into tensor<128x128xf32>
  %eh3 = tensor.empty() : tensor<128x128xf32>
  %gated = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%att2, %g2 : tensor<128x128xf32>, tensor<128x128xf32>) outs(%eh3 : tensor<128x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.mulf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<128x128xf32>
  %y2_e = tensor.empty() : tensor<128x128xf32>
  %y2_f = linalg.fill ins(%zero : f32) outs(%y2_e : tensor<128x128xf32>) -> tensor<128x128xf32>
  %y2_acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%gated, %wo : tensor<128x128xf32>, tensor<128x128xf32>)
      outs(%y2_f : tensor<128x128xf32>) -> tensor<128x128xf32>
  %y2 = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y2_acc, %bo : tensor<128x128xf32>, tensor<128xf32>) outs(%y2_e : tensor<128x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.addf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<128x128xf32>
  %y3 = tensor.expand_shape %y2 [[0, 1], [2]] output_shape [2, 64, 128] : tensor<128x128xf32> into tensor<2x64x128xf32>
  %er = tensor.empty() : tensor<2x64x128xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y3, %x : tensor<2x64x128xf32>, tensor<2x64x128xf32>) outs(%er : tensor<2x64x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %r = arith.addf %in0, %in1 : f32
    linalg.yield %r : f32
  } -> tensor<2x64x128xf32>
  return %y : tensor<2x64x128xf32>
}
