//===- FuseElementwise.cpp - fusion without recomputation -----------------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATFUSEELEMENTWISE
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {
struct SeqBoatFuseElementwisePass
    : public seqboat::impl::SeqBoatFuseElementwiseBase<
          SeqBoatFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::ControlFusionFn noRecompute = [](OpOperand *fused) {
      auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
      if (!consumer)
        return false;
      return consumer.getMatchingIndexingMap(fused).isPermutation();
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, noRecompute);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
