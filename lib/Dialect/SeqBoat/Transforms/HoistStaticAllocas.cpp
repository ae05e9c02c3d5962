//===- HoistStaticAllocas.cpp - allocas out of sequential loops -----------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATHOISTSTATICALLOCAS
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {
struct SeqBoatHoistStaticAllocasPass
    : public seqboat::impl::SeqBoatHoistStaticAllocasBase<
          SeqBoatHoistStaticAllocasPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<std::pair<memref::AllocaOp, Block *>> allocas;
    func.walk([&](memref::AllocaOp alloca) {
      if (!alloca.getType().hasStaticShape() ||
          !alloca.getDynamicSizes().empty() ||
          !alloca.getSymbolOperands().empty())
        return;
      // Only through sequential control flow (a worksharing loop is
      // sequential within each thread; an alloca scope only bounds the
      // lifetime, which a hoisted static alloca no longer needs), up to the
      // allocation scope: the function, or an OpenMP parallel region whose
      // threads each need their own buffer.
      Operation *p = alloca->getParentOp();
      for (;; p = p->getParentOp()) {
        if (isa<scf::ForOp, scf::WhileOp, scf::IfOp, omp::WsloopOp,
                omp::LoopNestOp, memref::AllocaScopeOp>(p))
          continue;
        if (p->hasTrait<OpTrait::AutomaticAllocationScope>())
          break;
        return;
      }
      Block *entry = &p->getRegion(0).front();
      if (alloca->getBlock() != entry)
        allocas.push_back({alloca, entry});
    });
    for (auto [alloca, entry] : allocas)
      alloca->moveBefore(entry, entry->begin());

    // Scopes left without allocas (convert-scf-to-openmp wraps every loop
    // body in one) are inlined: they only cost a stack save and restore, and
    // their region must stay a single block, which lowering the loops inside
    // them to branches would break.
    SmallVector<memref::AllocaScopeOp> scopes;
    func.walk([&](memref::AllocaScopeOp scope) {
      WalkResult allocas = scope.walk([](memref::AllocaOp) {
        return WalkResult::interrupt();
      });
      if (!allocas.wasInterrupted())
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block *body = &scope.getBodyRegion().front();
      Operation *terminator = body->getTerminator();
      SmallVector<Value> results(terminator->getOperands());
      rewriter.eraseOp(terminator);
      rewriter.inlineBlockBefore(body, scope);
      rewriter.replaceOp(scope, results);
    }
  }
};
} // namespace
