// A strategy library without the host entry point.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @seqboat_contraction_cpu(%root: !transform.any_op {transform.readonly}) {
    transform.yield
  }
}
