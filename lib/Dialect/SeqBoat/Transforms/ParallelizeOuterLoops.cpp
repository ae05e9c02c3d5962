//===- ParallelizeOuterLoops.cpp - one parallel loop per loop nest --------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATPARALLELIZEOUTERLOOPS
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {
bool isParallelLoop(Operation *op) {
  return isa<scf::ParallelOp, scf::ForallOp>(op);
}

bool hasParallelAncestor(Operation *op) {
  for (Operation *p = op->getParentOp(); p; p = p->getParentOp())
    if (isParallelLoop(p))
      return true;
  return false;
}

struct SeqBoatParallelizeOuterLoopsPass
    : public seqboat::impl::SeqBoatParallelizeOuterLoopsBase<
          SeqBoatParallelizeOuterLoopsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Inner loops first (post-order), while their ancestors are still
    // parallel loops that identify them as nested.
    SmallVector<Operation *> loops;
    // Foralls on tensors (with results) are left to bufferization.
    getOperation().walk([&](Operation *op) {
      if (auto forall = dyn_cast<scf::ForallOp>(op);
          forall && forall.getNumResults() != 0)
        return;
      if (isParallelLoop(op))
        loops.push_back(op);
    });
    SmallVector<Operation *> outer;
    for (Operation *op : loops) {
      if (!hasParallelAncestor(op)) {
        outer.push_back(op);
        continue;
      }
      rewriter.setInsertionPoint(op);
      if (auto forall = dyn_cast<scf::ForallOp>(op)) {
        if (failed(scf::forallToForLoop(rewriter, forall)))
          return signalPassFailure();
        continue;
      }
      auto parallel = cast<scf::ParallelOp>(op);
      if (failed(scf::parallelForToNestedFors(rewriter, parallel))) {
        parallel.emitError("cannot run this nested parallel loop in order");
        return signalPassFailure();
      }
    }
    for (Operation *op : outer) {
      auto forall = dyn_cast<scf::ForallOp>(op);
      if (!forall)
        continue;
      rewriter.setInsertionPoint(forall);
      if (failed(scf::forallToParallelLoop(rewriter, forall))) {
        forall.emitError("cannot run this forall as a parallel loop");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
