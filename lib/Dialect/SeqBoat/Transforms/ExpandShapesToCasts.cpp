//===- ExpandShapesToCasts.cpp - runtime expand_shapes as casts -----------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATEXPANDSHAPESTOCASTS
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {

/// Whether a reassociation group of `expand` holds more than one dynamic
/// size (what upstream's expand-strided-metadata cannot fold).
bool hasSeveralDynamicInAGroup(memref::ExpandShapeOp expand) {
  MemRefType type = expand.getResultType();
  for (const ReassociationIndices &group :
       expand.getReassociationIndices()) {
    int64_t dynamic = llvm::count_if(
        group, [&](int64_t d) { return type.isDynamicDim(d); });
    if (dynamic > 1)
      return true;
  }
  return false;
}

void rewrite(RewriterBase &rewriter, memref::ExpandShapeOp expand) {
  Location loc = expand.getLoc();
  rewriter.setInsertionPoint(expand);
  auto meta = memref::ExtractStridedMetadataOp::create(rewriter, loc,
                                                       expand.getSrc());
  SmallVector<OpFoldResult> srcStrides = meta.getConstifiedMixedStrides();
  SmallVector<OpFoldResult> sizes = expand.getMixedOutputShape();
  SmallVector<OpFoldResult> strides(sizes.size());
  AffineExpr s0, s1;
  bindSymbols(rewriter.getContext(), s0, s1);
  for (auto [srcDim, group] :
       llvm::enumerate(expand.getReassociationIndices())) {
    OpFoldResult stride = srcStrides[srcDim];
    for (int64_t d : llvm::reverse(group)) {
      strides[d] = stride;
      if (d != group.front())
        stride = affine::makeComposedFoldedAffineApply(
            rewriter, loc, s0 * s1, {stride, sizes[d]});
    }
  }
  rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
      expand, expand.getResultType(), meta.getBaseBuffer(),
      meta.getConstifiedMixedOffset(), sizes, strides);
}

struct SeqBoatExpandShapesToCastsPass
    : public seqboat::impl::SeqBoatExpandShapesToCastsBase<
          SeqBoatExpandShapesToCastsPass> {
  void runOnOperation() override {
    SmallVector<memref::ExpandShapeOp> expands;
    getOperation()->walk([&](memref::ExpandShapeOp expand) {
      if (hasSeveralDynamicInAGroup(expand))
        expands.push_back(expand);
    });
    IRRewriter rewriter(&getContext());
    for (memref::ExpandShapeOp expand : expands)
      rewrite(rewriter, expand);
  }
};

} // namespace
