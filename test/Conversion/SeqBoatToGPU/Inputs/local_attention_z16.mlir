// The standalone local attention of attention_tensor_cores.test: B=2,
// S=150, Z=16, H=48, bidirectional softmax over a window of 40 with rel_bias.
func.func @local_attention(%q: tensor<2x150x16xf32>, %k: tensor<2x150x16xf32>, %v: tensor<2x150x48xf32>, %pos: tensor<2x150xi32>, %count: tensor<2xi32>, %bias: tensor<127xf32>) -> tensor<2x150x48xf32> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count, %bias) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>, window = 40 : i64}> : (tensor<2x150x16xf32>, tensor<2x150x16xf32>, tensor<2x150x48xf32>, tensor<2x150xi32>, tensor<2xi32>, tensor<127xf32>) -> tensor<2x150x48xf32>
  return %r : tensor<2x150x48xf32>
}
