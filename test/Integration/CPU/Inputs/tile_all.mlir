// Tiles every primitive seqboat op along its independent dims with
// scf.forall (batch 1, features 4; route: batch 1, tokens 8; ema_kernel:
// channels 2; compact_index: batch 2). The lowering needs static tiles, so
// the tested shapes are multiples of the tile sizes.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %two = transform.structured.match ops{["seqboat.ema_conv", "seqboat.long_conv", "seqboat.short_conv",
                                            "seqboat.gather", "seqboat.scatter", "seqboat.local_attention",
                                            "seqboat.linear_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %t2, %f2 = transform.structured.tile_using_forall %two tile_sizes [1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %route = transform.structured.match ops{["seqboat.route"]} in %root : (!transform.any_op) -> !transform.any_op
    %t3, %f3 = transform.structured.tile_using_forall %route tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %one = transform.structured.match ops{["seqboat.ema_kernel", "seqboat.compact_index"]} in %root : (!transform.any_op) -> !transform.any_op
    %t1, %f1 = transform.structured.tile_using_forall %one tile_sizes [2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
