//===- MmaSyncTF32.cpp - f32 mma.sync as TF32 -----------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/Dialect/NVGPU/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATMMASYNCTF32
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {
struct SeqBoatMmaSyncTF32
    : public seqboat::impl::SeqBoatMmaSyncTF32Base<SeqBoatMmaSyncTF32> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    nvgpu::populateMmaSyncF32ToTF32Patterns(patterns,
                                            nvgpu::MmaSyncF32Lowering::TF32);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
