//===- Decompose.cpp - seqboat.layer into primitive ops -------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATDECOMPOSE
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {
struct SeqBoatDecomposePass
    : public seqboat::impl::SeqBoatDecomposeBase<SeqBoatDecomposePass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> worklist;
    getOperation()->walk([&](LayerOp op) {
      worklist.push_back(cast<linalg::AggregatedOpInterface>(*op));
    });
    // The decomposition reads the option from the op (AggregatedOpInterface
    // takes no options).
    for (linalg::AggregatedOpInterface op : worklist)
      if (hostRowBlocks)
        op->setAttr(kHostRowBlocksAttr, UnitAttr::get(&getContext()));
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : worklist) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> replacements =
          op.decomposeOperation(rewriter);
      if (failed(replacements)) {
        op->emitOpError("could not be decomposed");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *replacements);
    }
  }
};
} // namespace
