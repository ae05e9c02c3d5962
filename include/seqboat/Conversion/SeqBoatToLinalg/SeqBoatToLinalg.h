//===- SeqBoatToLinalg.h - seqboat to linalg lowering -----------*- C++ -*-===//

#ifndef SEQBOAT_CONVERSION_SEQBOATTOLINALG_SEQBOATTOLINALG_H
#define SEQBOAT_CONVERSION_SEQBOATTOLINALG_SEQBOATTOLINALG_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace seqboat {

#define GEN_PASS_DECL_CONVERTSEQBOATTOLINALG
#include "seqboat/Conversion/Passes.h.inc"

/// Patterns lowering each primitive seqboat op (all but seqboat.layer).
/// With `keepScanRoots`, the scan-kernel roots that lowerings create on
/// static tensors (ema_conv's seqboat.state_scan) are left for
/// seqboat-form-scan-kernels. `attentionBlock`: query slots per block of
/// local_attention's blocked form (at most). With `fuseEmaDirections`, a
/// bidirectional ema_conv is one scan over [x | x reversed] (2D channels)
/// instead of two scans of D channels. With `attentionKeyBlock` > 0, query
/// tiles of local_attention on one batch row become loops over tiles of that
/// many keys with the online softmax and two linalg.matmul per tile.
void populateSeqBoatToLinalgPatterns(RewritePatternSet &patterns,
                                     int64_t emaChunk,
                                     bool keepScanRoots = false,
                                     int64_t attentionBlock = 64,
                                     bool fuseEmaDirections = false,
                                     int64_t attentionKeyBlock = 0);

} // namespace seqboat
} // namespace mlir

#endif // SEQBOAT_CONVERSION_SEQBOATTOLINALG_SEQBOATTOLINALG_H
