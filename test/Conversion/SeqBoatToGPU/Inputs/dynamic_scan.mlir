// compact_index on a dynamic batch (test/Conversion/SeqBoatToGPU/dynamic_generic.mlir).
func.func @dynamic_scan(%mask: tensor<?x8xi1>) -> (tensor<?x8xi32>, tensor<?xi32>) {
  %pos, %count = "seqboat.compact_index"(%mask) : (tensor<?x8xi1>) -> (tensor<?x8xi32>, tensor<?xi32>)
  return %pos, %count : tensor<?x8xi32>, tensor<?xi32>
}
