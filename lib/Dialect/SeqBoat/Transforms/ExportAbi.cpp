//===- ExportAbi.cpp - record public signatures for runners ---------------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATEXPORTABI
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {
struct SeqBoatExportAbiPass
    : public seqboat::impl::SeqBoatExportAbiBase<SeqBoatExportAbiPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(module.getBodyRegion());
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      func->setAttr(seqboat::kAbiAttrName,
                    TypeAttr::get(func.getFunctionType()));
      // The same signature as a C string in the object code, for drivers
      // that only have the compiled library (seqboat-exec).
      std::string text;
      llvm::raw_string_ostream(text) << func.getFunctionType();
      text.push_back('\0');
      std::string name = (seqboat::kAbiSymbolPrefix + func.getSymName()).str();
      if (!module.lookupSymbol(name))
        LLVM::GlobalOp::create(
            builder, func.getLoc(),
            LLVM::LLVMArrayType::get(builder.getI8Type(), text.size()),
            /*isConstant=*/true, LLVM::Linkage::External, name,
            builder.getStringAttr(text));
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(&getContext()));
    }
  }
};
} // namespace
