//===- Patterns.h - per-op lowering patterns (internal) ---------*- C++ -*-===//

#ifndef SEQBOAT_LIB_CONVERSION_SEQBOATTOLINALG_PATTERNS_H
#define SEQBOAT_LIB_CONVERSION_SEQBOATTOLINALG_PATTERNS_H

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {

void populateEmaConvPatterns(RewritePatternSet &patterns, int64_t emaChunk,
                             bool keepStateScan, bool fuseDirections);
void populateConvPatterns(RewritePatternSet &patterns);
void populateRoutingPatterns(RewritePatternSet &patterns);
void populateLocalAttentionPatterns(RewritePatternSet &patterns,
                                    int64_t queryBlock);
void populateLinearAttentionPatterns(RewritePatternSet &patterns);

/// relu2 or laplace (with their SPEC constants) of a score `s` of element
/// type `et`, or of a vector of scores (local attention's lowerings).
Value activateScore(OpBuilder &b, Location l, Activation act, Value s,
                    Type et);
/// The attention strategy's form of a local_attention query tile on one
/// batch row: loops over tiles of `keyBlock` keys with the online softmax,
/// two linalg.matmul per tile (LocalAttentionFlash.cpp). Nothing when
/// `keyBlock` is 0.
void populateLocalAttentionFlashPatterns(RewritePatternSet &patterns,
                                         int64_t keyBlock);

/// Fails the match unless every operand and result has a static, non-empty
/// shape.
LogicalResult requireStaticShapes(PatternRewriter &rewriter, Operation *op);

/// Fails the match unless the shapes are ones the lowering supports with a
/// dynamic batch and sequence (docs/dialect.md): the `params` (feature-only
/// operands such as EMA parameters, kernels, weights, rel_bias) are static
/// and non-empty; every other tensor is static and non-empty except for its
/// dims 0 and 1 (B and L or S), which may be dynamic.
LogicalResult requireStaticFeatures(PatternRewriter &rewriter, Operation *op,
                                    ArrayRef<Value> params);

/// Chunks of a (possibly dynamic) sequence of length L: chunk length
/// `chunk` (min(chunk, L) when L is static), nc = ceil(L / chunk) chunks,
/// L padded with zeros to nc * chunk.
struct SequenceChunks {
  int64_t chunk;
  OpFoldResult count, padded, length;

  SequenceChunks(OpBuilder &b, Location loc, OpFoldResult length,
                 int64_t maxChunk);
  /// x : [B, L, F] -> [B, nc, chunk, F], zero-padded.
  Value split(OpBuilder &b, Location loc, Value x) const;
  /// y : [B, nc, chunk, F] -> [B, L, F].
  Value join(OpBuilder &b, Location loc, Value y) const;
};

/// Run-time checks of a lowering with dynamic dims: for each group, a
/// `cf.assert` that every (tensor, dim) has the size of the first, with a
/// message naming the op, the operands and SPEC's symbol ("'seqboat.gather':
/// 'pos' dim 0 (B) must equal 'x' dim 0"). Nothing is emitted for pairs whose
/// sizes are both static (the verifier checked them).
struct DimRef {
  StringRef name;
  Value tensor;
  int64_t dim;
};
void assertSameDims(OpBuilder &b, Operation *op, StringRef symbol,
                    ArrayRef<DimRef> dims);

/// Whether any ranked tensor operand or result of `op` has a dynamic dim.
bool hasDynamicDims(Operation *op);

/// Whether the lowering, when it keeps scan roots, leaves `op` to
/// seqboat-form-scan-kernels: a seqboat.state_scan on static, non-empty
/// tensors outside tile loops (what that pass can outline).
bool isKeptForScanKernel(Operation *op);

} // namespace mlir::seqboat

#endif // SEQBOAT_LIB_CONVERSION_SEQBOATTOLINALG_PATTERNS_H
