//===- ExternDynamicShared.cpp - dynamic shared memory as .extern .shared -===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATEXTERNDYNAMICSHARED
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {
struct SeqBoatExternDynamicShared
    : public seqboat::impl::SeqBoatExternDynamicSharedBase<
          SeqBoatExternDynamicShared> {
  void runOnOperation() override {
    getOperation()->walk([](LLVM::GlobalOp global) {
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      if (!array || array.getNumElements() != 0 || global.getAddrSpace() != 3 ||
          global.getValueOrNull() || !global.getInitializerRegion().empty())
        return;
      global.setLinkage(LLVM::Linkage::External);
    });
  }
};
} // namespace
