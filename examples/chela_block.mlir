// A CHELA block (short-long convolutions + tiled linear attention), written
// with seqboat's primitive ops and linalg; docs/chela.md. Token rows are
// M = B*L; projections are nn.Linear (x . W^T + b) on [M, *] views.
#id3  = affine_map<(b, t, d) -> (b, t, d)>
#id2  = affine_map<(m, n) -> (m, n)>
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
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %r = arith.divf %v, %d : f32
    linalg.yield %r : f32
  } -> tensor<2x64x128xf32>
  %c = "seqboat.long_conv"(%a, %lk) <{bidirectional = false}> : (tensor<2x64x128xf32>, tensor<128x64xf32>) -> tensor<2x64x128xf32>
  // 2. projections: q, k from the convolved sequence, v and the gate from x
  %c2 = tensor.collapse_shape %c [[0, 1], [2]] : tensor<2x64x128xf32> into tensor<128x128xf32>
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x64x128xf32> into tensor<128x128xf32>
  %ez = tensor.empty() : tensor<128x64xf32>
  %fz = linalg.fill ins(%zero : f32) outs(%ez : tensor<128x64xf32>) -> tensor<128x64xf32>
  %qa = linalg.matmul indexing_maps = [#mA, #mW, #mC] ins(%c2, %wq : tensor<128x128xf32>, tensor<64x128xf32>) outs(%fz : tensor<128x64xf32>) -> tensor<128x64xf32>
  %q2 = linalg.generic {indexing_maps = [#id2, #bias, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%qa, %bq : tensor<128x64xf32>, tensor<64xf32>) outs(%ez : tensor<128x64xf32>) {
  ^bb0(%p: f32, %b: f32, %o: f32):
    %t = arith.addf %p, %b : f32
    linalg.yield %t : f32
  } -> tensor<128x64xf32>
  %ez2 = tensor.empty() : tensor<128x64xf32>
  %fz2 = linalg.fill ins(%zero : f32) outs(%ez2 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %ka = linalg.matmul indexing_maps = [#mA, #mW, #mC] ins(%c2, %wk : tensor<128x128xf32>, tensor<64x128xf32>) outs(%fz2 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %k2 = linalg.generic {indexing_maps = [#id2, #bias, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%ka, %bk : tensor<128x64xf32>, tensor<64xf32>) outs(%ez2 : tensor<128x64xf32>) {
  ^bb0(%p: f32, %b: f32, %o: f32):
    %t = arith.addf %p, %b : f32
    linalg.yield %t : f32
  } -> tensor<128x64xf32>
  %eh = tensor.empty() : tensor<128x128xf32>
  %fh = linalg.fill ins(%zero : f32) outs(%eh : tensor<128x128xf32>) -> tensor<128x128xf32>
  %va = linalg.matmul indexing_maps = [#mA, #mW, #mC] ins(%x2, %wv : tensor<128x128xf32>, tensor<128x128xf32>) outs(%fh : tensor<128x128xf32>) -> tensor<128x128xf32>
  %v2 = linalg.generic {indexing_maps = [#id2, #bias, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%va, %bv : tensor<128x128xf32>, tensor<128xf32>) outs(%eh : tensor<128x128xf32>) {
  ^bb0(%p: f32, %b: f32, %o: f32):
    %t = arith.addf %p, %b : f32
    linalg.yield %t : f32
  } -> tensor<128x128xf32>
  %eh2 = tensor.empty() : tensor<128x128xf32>
  %fh2 = linalg.fill ins(%zero : f32) outs(%eh2 : tensor<128x128xf32>) -> tensor<128x128xf32>
  %ga = linalg.matmul indexing_maps = [#mA, #mW, #mC] ins(%x2, %wg : tensor<128x128xf32>, tensor<128x128xf32>) outs(%fh2 : tensor<128x128xf32>) -> tensor<128x128xf32>
  %g2 = linalg.generic {indexing_maps = [#id2, #bias, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%ga, %bg : tensor<128x128xf32>, tensor<128xf32>) outs(%eh2 : tensor<128x128xf32>) {
  ^bb0(%p: f32, %b: f32, %o: f32):
    %t = arith.addf %p, %b : f32
    %n = arith.negf %t : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %r = arith.divf %t, %d : f32
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
  %gated = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%att2, %g2 : tensor<128x128xf32>, tensor<128x128xf32>) outs(%eh3 : tensor<128x128xf32>) {
  ^bb0(%p: f32, %g: f32, %o: f32):
    %t = arith.mulf %p, %g : f32
    linalg.yield %t : f32
  } -> tensor<128x128xf32>
  %ed = tensor.empty() : tensor<128x128xf32>
  %fd = linalg.fill ins(%zero : f32) outs(%ed : tensor<128x128xf32>) -> tensor<128x128xf32>
  %ya = linalg.matmul indexing_maps = [#mA, #mW, #mC] ins(%gated, %wo : tensor<128x128xf32>, tensor<128x128xf32>) outs(%fd : tensor<128x128xf32>) -> tensor<128x128xf32>
  %y2 = linalg.generic {indexing_maps = [#id2, #bias, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%ya, %bo : tensor<128x128xf32>, tensor<128xf32>) outs(%ed : tensor<128x128xf32>) {
  ^bb0(%p: f32, %b: f32, %o: f32):
    %t = arith.addf %p, %b : f32
    linalg.yield %t : f32
  } -> tensor<128x128xf32>
  %y3 = tensor.expand_shape %y2 [[0, 1], [2]] output_shape [2, 64, 128] : tensor<128x128xf32> into tensor<2x64x128xf32>
  %er = tensor.empty() : tensor<2x64x128xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y3, %x : tensor<2x64x128xf32>, tensor<2x64x128xf32>) outs(%er : tensor<2x64x128xf32>) {
  ^bb0(%p: f32, %r: f32, %o: f32):
    %t = arith.addf %p, %r : f32
    linalg.yield %t : f32
  } -> tensor<2x64x128xf32>
  return %y : tensor<2x64x128xf32>
}
