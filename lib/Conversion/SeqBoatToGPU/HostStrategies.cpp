//===- HostStrategies.cpp - the host strategy of linalg contractions ------===//
//
// The CPU counterpart of seqboat-apply-strategies: on bufferized host code,
// every linalg contraction the host strategy takes is tagged and compiled by
// the library's @seqboat_contraction_host, with its tiles (one per loop of
// the op) bound as packed params. The C++ side only decides which ops qualify
// and picks tiles that divide their dimensions; what is done with them is the
// library's (and a user's library may replace it).
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Dialect/UB/IR/UBOps.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATAPPLYHOSTSTRATEGIES
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {

/// Per-loop tiles of one contraction (the params of the entry point).
struct HostTiles {
  SmallVector<int64_t> blocks, regs;
  int64_t step = 1;
  unsigned k = 0;
};

/// The largest divisor of `extent` that is at most `bound` and a multiple of
/// `unit` (which divides extent); `unit` when there is none larger.
int64_t largestDivisor(int64_t extent, int64_t bound, int64_t unit = 1) {
  for (int64_t t = std::min(extent, bound); t > unit; --t)
    if (extent % t == 0 && t % unit == 0)
      return t;
  return unit;
}

/// Whether `dim` is the last result of `map` (the contiguous dimension of an
/// identity-layout buffer).
bool isInnermost(AffineMap map, unsigned dim) {
  return map.getNumResults() > 0 &&
         map.getResults().back() == getAffineDimExpr(dim, map.getContext());
}

/// The tiles of `op` when the host strategy takes it.
std::optional<HostTiles> hostTiles(linalg::LinalgOp op, int64_t tileM,
                                   int64_t tileN, int64_t regM, int64_t regN,
                                   int64_t tileK) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
        !type.getLayout().isIdentity())
      return std::nullopt;
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->k.size() != 1 || dims->n.size() != 1 ||
      dims->m.empty())
    return std::nullopt;
  unsigned n = dims->n.front(), k = dims->k.front();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // Columns along the vectors: contiguous in the right operand and the
  // result (nn.Linear's W[N, K] is not; those stay loops).
  if (!isInnermost(maps[1], n) || !isInnermost(maps[2], n))
    return std::nullopt;
  // The innermost row dimension of the result carries the row tiles; other
  // row and batch dimensions are tiled by 1.
  AffineMap result = maps[2];
  std::optional<unsigned> m;
  for (AffineExpr e : llvm::reverse(result.getResults().drop_back()))
    if (auto d = dyn_cast<AffineDimExpr>(e);
        d && llvm::is_contained(dims->m, d.getPosition())) {
      m = d.getPosition();
      break;
    }
  if (!m)
    return std::nullopt;

  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, [](int64_t r) { return r <= 0; }))
    return std::nullopt;
  HostTiles tiles;
  unsigned loops = op.getNumLoops();
  tiles.blocks.assign(loops, 1);
  tiles.regs.assign(loops, 1);
  int64_t rm = largestDivisor(ranges[*m], regM);
  int64_t rn = largestDivisor(ranges[n], regN);
  tiles.regs[*m] = rm;
  tiles.regs[n] = rn;
  tiles.blocks[*m] = largestDivisor(ranges[*m], std::max(tileM, rm), rm);
  tiles.blocks[n] = largestDivisor(ranges[n], std::max(tileN, rn), rn);
  tiles.blocks[k] = tiles.regs[k] = 0;
  tiles.step = largestDivisor(ranges[k], tileK);
  tiles.k = k;
  return tiles;
}

struct SeqBoatApplyHostStrategies
    : public seqboat::impl::SeqBoatApplyHostStrategiesBase<
          SeqBoatApplyHostStrategies> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    registry.insert<affine::AffineDialect, arith::ArithDialect,
                    linalg::LinalgDialect, memref::MemRefDialect,
                    scf::SCFDialect, ub::UBDialect, vector::VectorDialect>();
  }

  LogicalResult initialize(MLIRContext *ctx) override {
    FailureOr<OwningOpRef<ModuleOp>> module =
        loadStrategyLibrary(ctx, library, getArgument());
    if (failed(module))
      return failure();
    strategies = std::make_shared<OwningOpRef<ModuleOp>>(std::move(*module));
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto [name, value] : {std::pair<StringRef, int64_t>{"tile-m", tileM},
                               {"tile-n", tileN},
                               {"reg-m", regM},
                               {"reg-n", regN},
                               {"tile-k", tileK}})
      if (value <= 0) {
        emitError(module.getLoc(), "seqboat-apply-host-strategies: option '")
            << name << "' must be positive, got " << value;
        return signalPassFailure();
      }
    constexpr StringLiteral entryName = "seqboat_contraction_host";
    auto entry = dyn_cast_or_null<transform::NamedSequenceOp>(
        SymbolTable::lookupSymbolIn(strategies->get(), entryName));

    // Ops are found again by a numbered tag before each application: the
    // canonicalizations of one strategy run may replace other ops.
    constexpr StringLiteral indexAttr = "seqboat.host_target";
    Builder b(&getContext());
    SmallVector<std::pair<linalg::LinalgOp, HostTiles>> found;
    module.walk([&](linalg::LinalgOp op) {
      auto fn = op->getParentOfType<func::FuncOp>();
      if (!fn || fn->hasAttr(kKernelKindAttr))
        return;
      if (std::optional<HostTiles> tiles =
              hostTiles(op, tileM, tileN, regM, regN, tileK))
        found.push_back({op, *tiles});
    });
    // Each target becomes a linalg.generic whose first loop is the
    // reduction: the library tiles it with one step size, whatever the
    // op's rank.
    IRRewriter rewriter(&getContext());
    SmallVector<HostTiles> targets;
    for (auto &[op, tiles] : found) {
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(*op);
      if (!generic) {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      unsigned k = tiles.k;
      SmallVector<unsigned> order = {k};
      for (unsigned i = 0, e = generic.getNumLoops(); i < e; ++i)
        if (i != k)
          order.push_back(i);
      FailureOr<linalg::GenericOp> interchanged =
          linalg::interchangeGenericOp(rewriter, generic, order);
      if (failed(interchanged))
        continue;
      HostTiles permuted;
      for (unsigned old : order) {
        permuted.blocks.push_back(tiles.blocks[old]);
        permuted.regs.push_back(tiles.regs[old]);
      }
      permuted.step = tiles.step;
      (*interchanged)->setAttr(indexAttr, b.getI64IntegerAttr(targets.size()));
      targets.push_back(permuted);
    }
    if (targets.empty())
      return;
    auto find = [&](int64_t index) -> Operation * {
      Operation *found = nullptr;
      module.walk([&](Operation *op) {
        auto attr = op->getAttrOfType<IntegerAttr>(indexAttr);
        if (attr && attr.getInt() == index) {
          found = op;
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      return found;
    };
    if (!entry || entry.getNumArguments() != 4) {
      emitError(find(0)->getLoc(), "strategy library '")
          << (library.empty() ? StringRef("<builtin>") : StringRef(library))
          << "' has no named sequence @" << entryName
          << "(root, blocks, regs, step)";
      return signalPassFailure();
    }

    auto params = [&](ArrayRef<int64_t> values) {
      SmallVector<transform::MappedValue> attrs;
      for (int64_t v : values)
        attrs.push_back(b.getI64IntegerAttr(v));
      return attrs;
    };
    for (auto [index, tiles] : llvm::enumerate(targets)) {
      Operation *op = find(index);
      if (!op)
        continue;
      Location loc = op->getLoc();
      op->removeAttr(indexAttr);
      RaggedArray<transform::MappedValue> bindings;
      bindings.push_back(ArrayRef<transform::MappedValue>{module.getOperation()});
      bindings.push_back(params(tiles.blocks));
      bindings.push_back(params(tiles.regs));
      bindings.push_back(params({tiles.step}));
      op->setAttr(kStrategyTargetAttr, b.getUnitAttr());
      if (failed(transform::applyTransformNamedSequence(
              std::move(bindings), cast<transform::TransformOpInterface>(*entry),
              strategies->get(), transform::TransformOptions()))) {
        emitError(loc, "strategy @") << entryName << " failed";
        return signalPassFailure();
      }
      // A user's strategy may keep the op: the tag must not stay on it.
      module.walk([&](Operation *left) { left->removeAttr(kStrategyTargetAttr); });
    }
  }

  std::shared_ptr<OwningOpRef<ModuleOp>> strategies;
};

} // namespace
