//===- SeqBoatToLinalg.cpp - the convert-seqboat-to-linalg pass -----------===//

#include "seqboat/Conversion/SeqBoatToLinalg/SeqBoatToLinalg.h"
#include "Patterns.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/ComputeInF32.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

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

LogicalResult seqboat::requireStaticFeatures(PatternRewriter &rewriter,
                                             Operation *op,
                                             ArrayRef<Value> params) {
  auto ok = [&](Value value) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      return true;
    bool param = llvm::is_contained(params, value);
    for (auto [i, size] : llvm::enumerate(type.getShape())) {
      if (size == 0)
        return false;
      if (ShapedType::isDynamic(size) && (param || i > 1))
        return false;
    }
    return true;
  };
  if (llvm::all_of(op->getOperands(), ok) && llvm::all_of(op->getResults(), ok))
    return success();
  return rewriter.notifyMatchFailure(
      op, "only the batch and sequence dims may be dynamic, and no dim empty");
}

SequenceChunks::SequenceChunks(OpBuilder &b, Location loc,
                               OpFoldResult len, int64_t maxChunk)
    : length(len) {
  if (std::optional<int64_t> l = getConstantIntValue(len)) {
    chunk = std::min(maxChunk, *l);
    int64_t nc = llvm::divideCeil(*l, chunk);
    count = b.getIndexAttr(nc);
    padded = b.getIndexAttr(nc * chunk);
    return;
  }
  chunk = maxChunk;
  Value c = arith::ConstantIndexOp::create(b, loc, chunk);
  Value nc = arith::CeilDivSIOp::create(b, loc, cast<Value>(len), c);
  count = nc;
  padded = arith::MulIOp::create(b, loc, nc, c).getResult();
}

Value SequenceChunks::split(OpBuilder &b, Location loc, Value x) const {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t f = type.getDimSize(2);
  OpFoldResult zero = b.getIndexAttr(0);
  std::optional<int64_t> l = getConstantIntValue(length),
                         p = getConstantIntValue(padded);
  Value xp = x;
  if (!l || *l != *p) {
    OpFoldResult extra =
        l ? OpFoldResult(b.getIndexAttr(*p - *l))
          : OpFoldResult(arith::SubIOp::create(b, loc, cast<Value>(padded),
                                               cast<Value>(length))
                             .getResult());
    xp = zeroPad(b, loc, x, {zero, zero, zero}, {zero, extra, zero});
  }
  OpFoldResult bsz = tensor::getMixedSize(b, loc, x, 0);
  SmallVector<OpFoldResult> shape = {bsz, count, b.getIndexAttr(chunk),
                                     b.getIndexAttr(f)};
  SmallVector<int64_t> staticShape = decomposeMixedValues(shape).first;
  return tensor::ExpandShapeOp::create(
             b, loc, RankedTensorType::get(staticShape, type.getElementType()),
             xp, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}}, shape)
      .getResult();
}

Value SequenceChunks::join(OpBuilder &b, Location loc, Value y) const {
  auto type = cast<RankedTensorType>(y.getType());
  Value flat = tensor::CollapseShapeOp::create(
      b, loc, y, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}});
  std::optional<int64_t> l = getConstantIntValue(length),
                         p = getConstantIntValue(padded);
  if (l && p && *l == *p)
    return flat;
  OpFoldResult zero = b.getIndexAttr(0);
  return mixedSlice(b, loc, flat, {zero, zero, zero},
                    {tensor::getMixedSize(b, loc, y, 0), length,
                     b.getIndexAttr(type.getDimSize(3))});
}

void seqboat::assertSameDims(OpBuilder &b, Operation *op, StringRef symbol,
                             ArrayRef<DimRef> dims) {
  Location loc = op->getLoc();
  const DimRef &first = dims.front();
  auto firstType = cast<RankedTensorType>(first.tensor.getType());
  for (const DimRef &other : dims.drop_front()) {
    if (!other.tensor)
      continue;
    auto otherType = cast<RankedTensorType>(other.tensor.getType());
    if (!firstType.isDynamicDim(first.dim) &&
        !otherType.isDynamicDim(other.dim))
      continue;
    Value a = tensor::DimOp::create(b, loc, first.tensor, first.dim);
    Value c = tensor::DimOp::create(b, loc, other.tensor, other.dim);
    Value same = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, c);
    std::string message;
    llvm::raw_string_ostream(message)
        << "'" << op->getName() << "': '" << other.name << "' dim "
        << other.dim << " (" << symbol << ") must equal '" << first.name
        << "' dim " << first.dim;
    cf::AssertOp::create(b, loc, same, message);
  }
}

/// Whether any operand or result has a dynamic dim.
bool seqboat::hasDynamicDims(Operation *op) {
  auto dynamic = [](Type t) {
    auto type = dyn_cast<RankedTensorType>(t);
    return type && !type.hasStaticShape();
  };
  return llvm::any_of(op->getOperandTypes(), dynamic) ||
         llvm::any_of(op->getResultTypes(), dynamic);
}

bool seqboat::isKeptForScanKernel(Operation *op) {
  auto scan = dyn_cast<StateScanOp>(op);
  if (!scan || op->getParentOfType<scf::ForallOp>())
    return false;
  // Static features; the batch and the chunk count may be runtime values.
  auto ok = [&](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type)
      return true;
    for (auto [i, size] : llvm::enumerate(type.getShape()))
      if (size == 0 || (ShapedType::isDynamic(size) &&
                        (v == scan.getDecay() || i > 1)))
        return false;
    return true;
  };
  return llvm::all_of(op->getOperands(), ok) &&
         llvm::all_of(op->getResults(), ok);
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
                                              int64_t attentionBlock,
                                              bool fuseEmaDirections,
                                              int64_t attentionKeyBlock) {
  patterns.add<ComputeNarrowFloatsInF32>(patterns.getContext());
  populateEmaConvPatterns(patterns, emaChunk, keepScanRoots,
                          fuseEmaDirections);
  populateConvPatterns(patterns);
  populateRoutingPatterns(patterns);
  populateLocalAttentionPatterns(patterns, attentionBlock);
  populateLocalAttentionFlashPatterns(patterns, attentionKeyBlock);
  populateLinearAttentionPatterns(patterns);
}

namespace {
/// Gives the linalg and seqboat ops a pattern creates the seqboat.knobs of
/// the op it rewrites, so the kernels formed from them take the op's knobs.
struct KnobsListener : public RewriterBase::Listener {
  void notifyPatternBegin(const Pattern &pattern, Operation *op) override {
    knobs = op->getAttrOfType<DictionaryAttr>(kKnobsAttr);
  }
  void notifyPatternEnd(const Pattern &pattern,
                        LogicalResult status) override {
    knobs = nullptr;
  }
  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint previous) override {
    if (!knobs || op->hasAttr(kKnobsAttr) ||
        op->getParentOfType<linalg::LinalgOp>() ||
        !(isa<linalg::LinalgOp, tensor::PadOp>(op) ||
          isa_and_present<SeqBoatDialect>(op->getDialect())))
      return;
    op->setAttr(kKnobsAttr, knobs);
  }
  DictionaryAttr knobs;
};

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
    if (attentionKeyBlock < 0) {
      emitError(getOperation()->getLoc(),
                "option 'attention-key-block' must be 0 or positive, got ")
          << static_cast<int64_t>(attentionKeyBlock);
      return signalPassFailure();
    }
    if (attentionKeyBlock > 1024) {
      emitError(getOperation()->getLoc(),
                "option 'attention-key-block' must be at most 1024, got ")
          << static_cast<int64_t>(attentionKeyBlock);
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
                                    attentionBlock, fuseEmaDirections,
                                    attentionKeyBlock);
    KnobsListener knobs;
    if (!skipKernels) {
      GreedyRewriteConfig config;
      config.setListener(&knobs);
      if (failed(applyPatternsGreedily(root, std::move(patterns), config)))
        return signalPassFailure();
    } else {
      SmallVector<Operation *> ops;
      root->walk([&](Operation *op) {
        if (isa_and_present<SeqBoatDialect>(op->getDialect()) && !inKernel(op))
          ops.push_back(op);
      });
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
      config.setListener(&knobs);
      if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
        return signalPassFailure();
    }

    // Patterns decline ops they cannot lower (dynamic shapes); say which.
    WalkResult leftovers = root->walk([&](Operation *op) {
      // (State scans the lowering kept for seqboat-form-scan-kernels.)
      if (!isa_and_present<SeqBoatDialect>(op->getDialect()) || inKernel(op) ||
          (skipKernels && isKeptForScanKernel(op)))
        return WalkResult::advance();
      op->emitOpError("could not be lowered to linalg: only the batch and "
                      "sequence dims may be dynamic, and no dim may be empty");
      return WalkResult::interrupt();
    });
    if (leftovers.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
