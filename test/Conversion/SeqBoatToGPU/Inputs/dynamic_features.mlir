// A convolution whose feature dim D is dynamic: only B and L may be.
func.func @dynamic_features(%x: tensor<?x?x?xf32>, %w: tensor<?x4xf32>, %b: tensor<?xf32>) -> tensor<?x?x?xf32> {
  %y = "seqboat.short_conv"(%x, %w, %b) : (tensor<?x?x?xf32>, tensor<?x4xf32>, tensor<?xf32>) -> tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}
