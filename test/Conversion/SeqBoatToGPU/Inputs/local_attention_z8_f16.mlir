// An f16 local attention whose Z (8) is no multiple of the 16-bit mma
// shape's k (16).
func.func @local_attention(%q: tensor<1x128x8xf16>, %k: tensor<1x128x8xf16>, %v: tensor<1x128x16xf16>, %pos: tensor<1x128xi32>, %count: tensor<1xi32>) -> tensor<1x128x16xf16> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<relu2>, bidirectional = false, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 16 : i64}> : (tensor<1x128x8xf16>, tensor<1x128x8xf16>, tensor<1x128x16xf16>, tensor<1x128xi32>, tensor<1xi32>) -> tensor<1x128x16xf16>
  return %r : tensor<1x128x16xf16>
}
