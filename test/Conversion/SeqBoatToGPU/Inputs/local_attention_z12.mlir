// A local attention whose Z (12) is no multiple of the mma shape's k (8).
func.func @local_attention(%q: tensor<1x128x12xf32>, %k: tensor<1x128x12xf32>, %v: tensor<1x128x16xf32>, %pos: tensor<1x128xi32>, %count: tensor<1xi32>) -> tensor<1x128x16xf32> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<relu2>, bidirectional = false, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 16 : i64}> : (tensor<1x128x12xf32>, tensor<1x128x12xf32>, tensor<1x128x16xf32>, tensor<1x128xi32>, tensor<1xi32>) -> tensor<1x128x16xf32>
  return %r : tensor<1x128x16xf32>
}
