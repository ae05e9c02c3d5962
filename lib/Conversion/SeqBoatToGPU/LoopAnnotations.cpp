//===- LoopAnnotations.cpp - scf.for loop annotations into LLVM -----------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATLOOPANNOTATIONS
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kAnnotation = "llvm.loop_annotation";

template <typename BranchOp>
void attach(BranchOp op) {
  auto annotation = op->template getAttrOfType<LLVM::LoopAnnotationAttr>(
      kAnnotation);
  if (!annotation)
    return;
  op.setLoopAnnotationAttr(annotation);
  op->removeDiscardableAttr(kAnnotation);
}

struct SeqBoatLoopAnnotations
    : public seqboat::impl::SeqBoatLoopAnnotationsBase<SeqBoatLoopAnnotations> {
  void runOnOperation() override {
    getOperation()->walk([](Operation *op) {
      if (auto br = dyn_cast<LLVM::BrOp>(op))
        attach(br);
      else if (auto condBr = dyn_cast<LLVM::CondBrOp>(op))
        attach(condBr);
    });
  }
};
} // namespace
