//===- Passes.td - seqboat conversions ---------------------*- tablegen -*-===//

#ifndef SEQBOAT_CONVERSION_PASSES_TD
#define SEQBOAT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSeqBoatToLinalg : Pass<"convert-seqboat-to-linalg"> {
  let summary = "Lower seqboat ops to linalg, tensor, scf, arith and math on tensors";
  let description = [{
    Every primitive seqboat op becomes destination-style tensor code:

    - `ema_kernel`, `long_conv`, `short_conv`, `route`, `gather`: `linalg.generic`
      (convolutions index a zero-padded input with affine maps, no masking).
    - `ema_conv`: a chunked scan of the EMA recurrence. Within a chunk of
      `ema-chunk` steps a Toeplitz product, across chunks an `scf.for` over the
      `[B, D, N]` state: `O(L (chunk + N) D)` work, never `O(L^2)`. The
      bidirectional form runs the same scan on the reversed sequence.
    - `linear_attention`: intra-chunk masked products plus an `scf.for` over
      the `[B, Z, H]` key-value state (`chunk` attribute).
    - `compact_index`, `scatter`: an `scf.for` prefix scan / row loop.
    - `local_attention`: loops whose bounds come from `count[b]` and the
      window, so inactive tokens cost nothing.

    `seqboat.layer` must be decomposed first (`seqboat-decompose`). Dynamic
    shapes are not supported yet and are reported as an error.
  }];
  let options = [
    Option<"emaChunk", "ema-chunk", "int64_t", /*default=*/"64",
           "Chunk length of the ema_conv scan (intra-chunk Toeplitz size)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // SEQBOAT_CONVERSION_PASSES_TD
