//===- ComputeInF32.cpp - the seqboat-compute-in-f32 pass -----------------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"
#include "seqboat/Dialect/SeqBoat/Utils/ComputeInF32.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATCOMPUTEINF32
#define GEN_PASS_DEF_SEQBOATEXPANDBF16
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {
struct SeqBoatComputeInF32Pass
    : public seqboat::impl::SeqBoatComputeInF32Base<SeqBoatComputeInF32Pass> {
  void runOnOperation() override {
    SmallVector<Operation *> worklist;
    getOperation()->walk([&](Operation *op) {
      if (isa_and_present<seqboat::SeqBoatDialect>(op->getDialect()) &&
          seqboat::hasNarrowFloats(op))
        worklist.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : worklist) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, seqboat::computeInF32(rewriter, op));
    }
  }
};

struct SeqBoatExpandBF16Pass
    : public seqboat::impl::SeqBoatExpandBF16Base<SeqBoatExpandBF16Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    arith::populateExpandBFloat16Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
