// A hand-written LLVM-dialect module whose seqboat.abi claims a result of
// 2^64 elements: no verifier looks at the attribute, so seqboat-run must.
llvm.func @f(%arg0: !llvm.ptr) attributes {seqboat.abi = () -> tensor<4294967296x4294967296xf32>} {
  llvm.return
}
