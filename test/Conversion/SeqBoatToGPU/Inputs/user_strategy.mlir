// A user's strategy library: it replaces the built-in contraction strategy
// (seqboat-apply-strategies library=...). This one only tiles the epilogue
// into 16x16 blocks and says so, which is enough to see it was used.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @seqboat_contraction_cpu(%root: !transform.any_op {transform.readonly},
      %tm: !transform.param<i64> {transform.readonly}, %tn: !transform.param<i64> {transform.readonly},
      %bk: !transform.param<i64> {transform.readonly}, %wm: !transform.param<i64> {transform.readonly},
      %wn: !transform.param<i64> {transform.readonly}, %ctm: !transform.param<i64> {transform.readonly},
      %ctk: !transform.param<i64> {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} attributes{seqboat.strategy_target} in %root
        : (!transform.any_op) -> !transform.any_op
    %epi = transform.structured.match ops{["linalg.generic"]} in %f : (!transform.any_op) -> !transform.any_op
    transform.debug.emit_param_as_remark %tm, "user strategy, block rows knob:" at %epi
        : !transform.param<i64>, !transform.any_op
    %t, %l = transform.structured.tile_using_forall %epi tile_sizes [16, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
  // The GPU entry point is missing on purpose (tested as an error), and the
  // parallel and scan entry points take the wrong number of arguments (also
  // tested as errors).
  transform.named_sequence @seqboat_parallel_cpu(%root: !transform.any_op {transform.readonly},
      %threads: !transform.param<i64> {transform.readonly},
      %extra: !transform.param<i64> {transform.readonly}) {
    transform.yield
  }
  transform.named_sequence @seqboat_scan_cpu(%root: !transform.any_op {transform.readonly}) {
    transform.yield
  }
}
