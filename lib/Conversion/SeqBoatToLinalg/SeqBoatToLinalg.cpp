//===- SeqBoatToLinalg.cpp - the convert-seqboat-to-linalg pass -----------===//

#include "seqboat/Conversion/SeqBoatToLinalg/SeqBoatToLinalg.h"
#include "Patterns.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/ComputeInF32.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_CONVERTSEQBOATTOLINALG
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

/// Static and non-empty (scalar operands -- a local attention's query tile
/// -- have no shape).
static bool isLowerableType(Type t) {
  auto type = dyn_cast<RankedTensorType>(t);
  return !type || (type.hasStaticShape() && type.getNumElements() > 0);
}

static bool hasLowerableShapes(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), isLowerableType) &&
         llvm::all_of(op->getResultTypes(), isLowerableType);
}

LogicalResult seqboat::requireStaticShapes(PatternRewriter &rewriter,
                                           Operation *op) {
  // Zero-sized dims would give empty chunks and windows; not supported yet.
  if (hasLowerableShapes(op))
    return success();
  return rewriter.notifyMatchFailure(
      op, "dynamic or empty shapes are not supported");
}

bool seqboat::isKeptForScanKernel(Operation *op) {
  return isa<StateScanOp>(op) && !op->getParentOfType<scf::ForallOp>() &&
         hasLowerableShapes(op);
}

namespace {
/// A seqboat op on f16/bf16 tensors becomes the f32 op between conversions
/// (seqboat-compute-in-f32), which the other patterns then lower.
struct ComputeNarrowFloatsInF32 : RewritePattern {
  ComputeNarrowFloatsInF32(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/10, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa_and_present<SeqBoatDialect>(op->getDialect()) ||
        isa<LayerOp>(op) || !hasNarrowFloats(op))
      return failure();
    rewriter.replaceOp(op, computeInF32(rewriter, op));
    return success();
  }
};
} // namespace

void seqboat::populateSeqBoatToLinalgPatterns(RewritePatternSet &patterns,
                                              int64_t emaChunk,
                                              bool keepScanRoots,
                                              int64_t attentionBlock) {
  patterns.add<ComputeNarrowFloatsInF32>(patterns.getContext());
  populateEmaConvPatterns(patterns, emaChunk, keepScanRoots);
  populateConvPatterns(patterns);
  populateRoutingPatterns(patterns);
  populateLocalAttentionPatterns(patterns, attentionBlock);
  populateLinearAttentionPatterns(patterns);
}

namespace {
struct ConvertSeqBoatToLinalgPass
    : public seqboat::impl::ConvertSeqBoatToLinalgBase<
          ConvertSeqBoatToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    for (auto [name, value] :
         {std::pair<StringRef, int64_t>{"ema-chunk", emaChunk},
          {"attention-block", attentionBlock}})
      if (value <= 0) {
        // Not attached to the op: the problem is the option, not the IR.
        emitError(getOperation()->getLoc(), "option '")
            << name << "' must be positive, got " << value;
        return signalPassFailure();
      }
    Operation *root = getOperation();
    WalkResult layers = root->walk([](LayerOp op) {
      op.emitOpError("must be decomposed before lowering; run "
                     "--seqboat-decompose first");
      return WalkResult::interrupt();
    });
    if (layers.wasInterrupted())
      return signalPassFailure();

    // With skip-kernels, the ops of formed kernel functions are left to
    // their strategy (seqboat-form-scan-kernels).
    auto inKernel = [&](Operation *op) {
      if (!skipKernels)
        return false;
      auto fn = op->getParentOfType<FunctionOpInterface>();
      return fn && fn->hasAttr("seqboat.kernel_kind");
    };
    RewritePatternSet patterns(&getContext());
    // With skip-kernels, scan-kernel roots the lowerings create (ema_conv's
    // state scan) are kept for a second seqboat-form-scan-kernels.
    populateSeqBoatToLinalgPatterns(patterns, emaChunk, skipKernels,
                                    attentionBlock);
    if (!skipKernels) {
      if (failed(applyPatternsGreedily(root, std::move(patterns))))
        return signalPassFailure();
    } else {
      SmallVector<Operation *> ops;
      root->walk([&](Operation *op) {
        if (isa_and_present<SeqBoatDialect>(op->getDialect()) && !inKernel(op))
          ops.push_back(op);
      });
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
      if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
        return signalPassFailure();
    }

    // Patterns decline ops they cannot lower (dynamic shapes); say which.
    WalkResult leftovers = root->walk([&](Operation *op) {
      // (State scans the lowering kept for seqboat-form-scan-kernels.)
      if (!isa_and_present<SeqBoatDialect>(op->getDialect()) || inKernel(op) ||
          (skipKernels && isKeptForScanKernel(op)))
        return WalkResult::advance();
      op->emitOpError("could not be lowered to linalg: only static, "
                      "non-empty shapes are supported");
      return WalkResult::interrupt();
    });
    if (leftovers.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
