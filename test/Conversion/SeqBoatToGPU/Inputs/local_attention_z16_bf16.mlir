// The standalone local attention of local_attention_z16.mlir in bf16, its
// rel_bias (a small parameter) in f32: B=2, S=150, Z=16, H=48,
// bidirectional softmax over a window of 40.
func.func @local_attention(%q: tensor<2x150x16xbf16>, %k: tensor<2x150x16xbf16>, %v: tensor<2x150x48xbf16>, %pos: tensor<2x150xi32>, %count: tensor<2xi32>, %bias: tensor<127xf32>) -> tensor<2x150x48xbf16> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count, %bias) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>, window = 40 : i64}> : (tensor<2x150x16xbf16>, tensor<2x150x16xbf16>, tensor<2x150x48xbf16>, tensor<2x150xi32>, tensor<2xi32>, tensor<127xf32>) -> tensor<2x150x48xbf16>
  return %r : tensor<2x150x48xbf16>
}
