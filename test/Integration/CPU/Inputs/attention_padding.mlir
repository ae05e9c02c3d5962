func.func @attn(%q: tensor<1x64x8xf32>, %k: tensor<1x64x8xf32>, %v: tensor<1x64x16xf32>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>) -> tensor<1x64x16xf32> {
  %o = seqboat.local_attention %q, %k, %v, %pos, %count {bidirectional = true, window = 4 : i64}
      : tensor<1x64x8xf32>, tensor<1x64x16xf32>, tensor<1x64xi32>, tensor<1xi32> -> tensor<1x64x16xf32>
  return %o : tensor<1x64x16xf32>
}
