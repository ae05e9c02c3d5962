//===- HoistStaticAllocas.cpp - allocas out of sequential loops -----------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

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
    Block &entry = func.getBody().front();
    SmallVector<memref::AllocaOp> allocas;
    func.walk([&](memref::AllocaOp alloca) {
      if (alloca->getBlock() == &entry || !alloca.getType().hasStaticShape() ||
          !alloca.getDynamicSizes().empty() ||
          !alloca.getSymbolOperands().empty())
        return;
      // Only through sequential control flow.
      for (Operation *p = alloca->getParentOp(); p != func; p = p->getParentOp())
        if (!isa<scf::ForOp, scf::WhileOp, scf::IfOp>(p))
          return;
      allocas.push_back(alloca);
    });
    for (memref::AllocaOp alloca : allocas)
      alloca->moveBefore(&entry, entry.begin());
  }
};
} // namespace
