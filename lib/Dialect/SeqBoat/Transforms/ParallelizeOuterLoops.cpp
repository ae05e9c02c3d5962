//===- ParallelizeOuterLoops.cpp - one parallel loop per loop nest --------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

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

/// Iterations of the sequential loops around `op` (scf.for with constant
/// bounds count their trips; any other loop counts as many).
int64_t sequentialTrips(Operation *op) {
  int64_t trips = 1;
  constexpr int64_t many = int64_t(1) << 30;
  for (Operation *p = op->getParentOp(); p; p = p->getParentOp()) {
    if (isa<FunctionOpInterface>(p))
      break;
    if (auto loop = dyn_cast<scf::ForOp>(p)) {
      std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
      std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
      std::optional<int64_t> step = getConstantIntValue(loop.getStep());
      if (!lb || !ub || !step || *step <= 0)
        return many;
      trips = std::min(many, trips * std::max<int64_t>(
                                         0, llvm::divideCeil(*ub - *lb, *step)));
    } else if (isa<LoopLikeOpInterface>(p) && !isParallelLoop(p)) {
      return many;
    }
  }
  return trips;
}

/// A parallel loop inside sequential loops of more iterations than this
/// runs in order: each of its runs would start and join the threads (a
/// scan's per-chunk update, a scatter's row copy per slot), which costs
/// more than its work.
constexpr int64_t kMaxForkJoinsPerNest = 16;

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
      // (Loops with results, reductions, stay parallel: upstream has no
      // rewrite of them into sequential loops.)
      if (!hasParallelAncestor(op) &&
          (sequentialTrips(op) <= kMaxForkJoinsPerNest ||
           op->getNumResults() != 0)) {
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
