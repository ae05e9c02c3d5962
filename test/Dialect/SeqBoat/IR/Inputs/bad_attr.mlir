func.func @f(%d: tensor<16x4xf32>) -> tensor<16x8xf32> {
  %k = "seqboat.ema_kernel"(%d, %d, %d, %d) <{length = "eight"}> : (tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>) -> tensor<16x8xf32>
  return %k : tensor<16x8xf32>
}
