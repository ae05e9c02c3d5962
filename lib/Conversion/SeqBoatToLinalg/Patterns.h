//===- Patterns.h - per-op lowering patterns (internal) ---------*- C++ -*-===//

#ifndef SEQBOAT_LIB_CONVERSION_SEQBOATTOLINALG_PATTERNS_H
#define SEQBOAT_LIB_CONVERSION_SEQBOATTOLINALG_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {

void populateEmaConvPatterns(RewritePatternSet &patterns, int64_t emaChunk,
                             bool keepStateScan);
void populateConvPatterns(RewritePatternSet &patterns);
void populateRoutingPatterns(RewritePatternSet &patterns);
void populateLocalAttentionPatterns(RewritePatternSet &patterns,
                                    int64_t queryBlock);
void populateLinearAttentionPatterns(RewritePatternSet &patterns);

/// Fails the match unless every operand and result has a static, non-empty
/// shape.
LogicalResult requireStaticShapes(PatternRewriter &rewriter, Operation *op);

/// Whether the lowering, when it keeps scan roots, leaves `op` to
/// seqboat-form-scan-kernels: a seqboat.state_scan on static, non-empty
/// tensors outside tile loops (what that pass can outline).
bool isKeptForScanKernel(Operation *op);

} // namespace mlir::seqboat

#endif // SEQBOAT_LIB_CONVERSION_SEQBOATTOLINALG_PATTERNS_H
