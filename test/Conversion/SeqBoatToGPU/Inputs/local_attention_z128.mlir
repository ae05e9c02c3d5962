// The attention benchmark's op (bench/bench_attention_gpu.py): B=8, S=4096,
// Z=H=128, bidirectional softmax over a window of 256 with rel_bias.
func.func @local_attention(%q: tensor<8x4096x128xf32>, %k: tensor<8x4096x128xf32>, %v: tensor<8x4096x128xf32>, %pos: tensor<8x4096xi32>, %count: tensor<8xi32>, %bias: tensor<8191xf32>) -> tensor<8x4096x128xf32> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count, %bias) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>, window = 256 : i64}> : (tensor<8x4096x128xf32>, tensor<8x4096x128xf32>, tensor<8x4096x128xf32>, tensor<8x4096xi32>, tensor<8xi32>, tensor<8191xf32>) -> tensor<8x4096x128xf32>
  return %r : tensor<8x4096x128xf32>
}
