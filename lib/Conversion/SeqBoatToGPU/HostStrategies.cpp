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
#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/TargetParser/Host.h"

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
  /// The column loop (the vectors' dimension).
  unsigned n = 0;
  /// The right operand is W[N, K] (nn.Linear): it is packed to W^T[K, N]
  /// before the contraction.
  bool packRight = false;
};

/// Whether `dim` is the last result of `map` (the contiguous dimension of an
/// identity-layout buffer).
bool isInnermost(AffineMap map, unsigned dim) {
  return map.getNumResults() > 0 &&
         map.getResults().back() == getAffineDimExpr(dim, map.getContext());
}

/// f32 lanes of the host's widest vectors (what seqboat-run's JIT, which
/// compiles for the host CPU, uses).
int64_t hostVectorLanes() {
  llvm::StringMap<bool, llvm::MallocAllocator> features =
      llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 16;
  if (features.lookup("avx"))
    return 8;
  return 4;
}

/// The tiles of `op` when the host strategy takes it.
std::optional<HostTiles> hostTiles(linalg::LinalgOp op, int64_t tileM,
                                   int64_t tileN, int64_t regM, int64_t regN,
                                   int64_t tileK) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    // Strided views (tiles of a larger buffer, as seqboat-bound-by-count
    // makes) qualify when their rows are contiguous.
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
        failed(type.getStridesAndOffset(strides, offset)) ||
        (!strides.empty() && strides.back() != 1))
      return std::nullopt;
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->k.size() != 1 || dims->n.size() != 1 ||
      dims->m.empty())
    return std::nullopt;
  unsigned n = dims->n.front(), k = dims->k.front();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // Columns along the vectors: contiguous in the result and in the right
  // operand, or in its packed copy when that is nn.Linear's W[N, K].
  if (!isInnermost(maps[2], n))
    return std::nullopt;
  bool packRight = false;
  if (!isInnermost(maps[1], n)) {
    MLIRContext *ctx = op.getContext();
    if (maps[1].getNumResults() != 2 ||
        maps[1].getResult(0) != getAffineDimExpr(n, ctx) ||
        maps[1].getResult(1) != getAffineDimExpr(k, ctx))
      return std::nullopt;
    packRight = true;
  }
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
  tiles.n = n;
  tiles.packRight = packRight;
  return tiles;
}

/// The tiles of `op` when the row strategy takes it: every operand (and
/// the result) is contiguous along one parallel loop `d` (the last index of
/// each operand), or, for an input, does not vary along it (broadcast);
/// `d` becomes the vector of `rowVector` lanes at most (a
/// divisor of its extent); other parallel loops are tiled by 1 and short
/// reductions (at most `maxReduction` iterations in all) stay whole, to be
/// reduced across vector registers. Bodies of scalar arithmetic only.
std::optional<SmallVector<int64_t>> rowTiles(linalg::LinalgOp op,
                                             int64_t rowVector,
                                             int64_t maxReduction) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() == 0)
    return std::nullopt;
  for (Operation &inner : op.getBlock()->without_terminator())
    if (!isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()) &&
        !isa<linalg::IndexOp>(inner))
      return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap result = maps[op.getNumDpsInputs()];
  if (result.getNumResults() == 0)
    return std::nullopt;
  auto last = dyn_cast<AffineDimExpr>(result.getResults().back());
  if (!last)
    return std::nullopt;
  unsigned d = last.getPosition();
  if (!linalg::isParallelIterator(op.getIteratorTypesArray()[d]))
    return std::nullopt;
  for (auto [operand, map] : llvm::zip(op->getOpOperands(), maps)) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.hasStaticShape())
      return std::nullopt;
    // An input that does not vary along d is broadcast across the lanes
    // (a norm's row statistic, a per-token gate, weights shared by a row).
    if (operand.getOperandNumber() < op.getNumDpsInputs() &&
        !map.isFunctionOfDim(d))
      continue;
    // Vectors of i1 are bit-packed, memrefs of i1 hold a byte per element:
    // such buffers are not read or written as vectors (nor are buffers of
    // index or vector elements).
    if (!type.getElementType().isIntOrFloat() ||
        type.getElementTypeBitWidth() < 8)
      return std::nullopt;
    if (!isInnermost(map, d))
      return std::nullopt;
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)) || strides.empty() ||
        strides.back() != 1)
      return std::nullopt;
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, [](int64_t r) { return r <= 0; }))
    return std::nullopt;
  int64_t lanes = largestDivisor(ranges[d], rowVector);
  if (lanes < 4)
    return std::nullopt;
  SmallVector<int64_t> tiles;
  int64_t reduced = 1;
  for (auto [i, type] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (linalg::isReductionIterator(type)) {
      // A unit reduction (the EMA's N = 1) sends upstream's vector
      // multi-reduction patterns into a loop: such ops stay loops.
      if (ranges[i] == 1)
        return std::nullopt;
      reduced *= ranges[i];
      tiles.push_back(0);
    } else {
      tiles.push_back(i == d ? lanes : 1);
    }
  }
  if (reduced > maxReduction || failed(linalg::vectorizeOpPrecondition(op)))
    return std::nullopt;
  return tiles;
}

/// Copies that bufferization makes, before the strategies match ops:
///  - a copy out of a buffer that was just filled (only allocations in
///    between) is a fill of the target (bufferization copies a zero-filled
///    init that two ops share);
///  - a copy between strided views (which finalize-memref-to-llvm leaves
///    to the element-by-element memrefCopy runtime function) is a
///    linalg.copy, which the row strategy vectorises; copies between
///    contiguous buffers stay memref.copy (a memcpy).
void rewriteHostCopies(ModuleOp module) {
  SmallVector<memref::CopyOp> copies;
  module.walk([&](memref::CopyOp copy) {
    auto fn = copy->getParentOfType<func::FuncOp>();
    if (fn && !fn->hasAttr(kKernelKindAttr))
      copies.push_back(copy);
  });
  IRRewriter rewriter(module.getContext());
  for (memref::CopyOp copy : copies) {
    Operation *prev = copy->getPrevNode();
    while (prev && isa<memref::AllocOp>(prev))
      prev = prev->getPrevNode();
    auto fill = dyn_cast_or_null<linalg::FillOp>(prev);
    rewriter.setInsertionPoint(copy);
    if (fill && fill.hasPureBufferSemantics() &&
        fill.getDpsInitOperand(0)->get() == copy.getSource()) {
      rewriter.replaceOpWithNewOp<linalg::FillOp>(copy, fill.value(),
                                                  copy.getTarget());
      continue;
    }
    auto source = dyn_cast<MemRefType>(copy.getSource().getType());
    auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
    if (!source || !target || !source.hasStaticShape() ||
        !target.hasStaticShape() || !source.getElementType().isIntOrFloat() ||
        source.getElementTypeBitWidth() < 8 ||
        (source.getLayout().isIdentity() && target.getLayout().isIdentity()))
      continue;
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                copy.getTarget());
  }
}

/// One result of an input's indexing map: loop `dim` scaled by `sign`
/// (+1, -1; 0 for a constant) plus `offset`.
struct AffineAccess {
  unsigned dim = 0;
  int64_t sign = 0, offset = 0;
};

std::optional<AffineAccess> matchAccess(AffineExpr e) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return AffineAccess{d.getPosition(), 1, 0};
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return AffineAccess{0, 0, c.getValue()};
  auto add = dyn_cast<AffineBinaryOpExpr>(e);
  if (!add || add.getKind() != AffineExprKind::Add)
    return std::nullopt;
  auto c = dyn_cast<AffineConstantExpr>(add.getRHS());
  if (!c)
    return std::nullopt;
  if (auto d = dyn_cast<AffineDimExpr>(add.getLHS()))
    return AffineAccess{d.getPosition(), 1, c.getValue()};
  auto mul = dyn_cast<AffineBinaryOpExpr>(add.getLHS());
  if (!mul || mul.getKind() != AffineExprKind::Mul)
    return std::nullopt;
  auto d = dyn_cast<AffineDimExpr>(mul.getLHS());
  auto scale = dyn_cast<AffineConstantExpr>(mul.getRHS());
  if (!d || !scale || scale.getValue() != -1)
    return std::nullopt;
  return AffineAccess{d.getPosition(), -1, c.getValue()};
}

/// Inputs of a generic on buffers read through maps with constant offsets,
/// reversals or constant indices (`d2 + 64` for a column block of a
/// projection's output, `-d1 + (L-1)` for the anti-causal EMA's reversed
/// sequence, `1` for one row of a parameter table) are read instead through
/// a view (memref.reinterpret_cast: offset moved, reversed dimensions with a
/// negative stride, constant dimensions dropped) with a projected
/// permutation, which the vectoriser takes.
void foldInputMapOffsets(ModuleOp module) {
  SmallVector<linalg::GenericOp> generics;
  module.walk([&](linalg::GenericOp op) {
    auto fn = op->getParentOfType<func::FuncOp>();
    if (fn && !fn->hasAttr(kKernelKindAttr) && op.hasPureBufferSemantics())
      generics.push_back(op);
  });
  IRRewriter rewriter(module.getContext());
  for (linalg::GenericOp op : generics) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      continue;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    bool changed = false;
    for (OpOperand *operand : op.getDpsInputOperands()) {
      AffineMap m = maps[operand->getOperandNumber()];
      auto type = dyn_cast<MemRefType>(operand->get().getType());
      SmallVector<int64_t> strides;
      int64_t offset;
      if (!type || !type.hasStaticShape() || m.isProjectedPermutation() ||
          failed(type.getStridesAndOffset(strides, offset)) ||
          llvm::any_of(strides, ShapedType::isDynamic))
        continue;
      SmallVector<AffineAccess> accesses;
      llvm::SmallBitVector used(m.getNumDims());
      bool ok = true;
      for (AffineExpr e : m.getResults()) {
        std::optional<AffineAccess> access = matchAccess(e);
        if (!access || (access->sign && used.test(access->dim))) {
          ok = false;
          break;
        }
        if (access->sign)
          used.set(access->dim);
        accesses.push_back(*access);
      }
      if (!ok)
        continue;
      int64_t delta = 0;
      SmallVector<int64_t> shape, viewStrides;
      SmallVector<AffineExpr> results;
      for (auto [access, stride] : llvm::zip(accesses, strides)) {
        delta += access.offset * stride;
        if (!access.sign)
          continue;
        shape.push_back(ranges[access.dim]);
        viewStrides.push_back(access.sign * stride);
        results.push_back(getAffineDimExpr(access.dim, op.getContext()));
      }
      Location loc = op.getLoc();
      rewriter.setInsertionPoint(op);
      auto metadata = memref::ExtractStridedMetadataOp::create(
          rewriter, loc, operand->get());
      OpFoldResult newOffset;
      int64_t staticOffset = ShapedType::kDynamic;
      if (!ShapedType::isDynamic(offset)) {
        staticOffset = offset + delta;
        newOffset = rewriter.getIndexAttr(staticOffset);
      } else {
        newOffset = arith::AddIOp::create(
                        rewriter, loc, metadata.getOffset(),
                        arith::ConstantIndexOp::create(rewriter, loc, delta))
                        .getResult();
      }
      auto viewType = MemRefType::get(
          shape, type.getElementType(),
          StridedLayoutAttr::get(op.getContext(), staticOffset, viewStrides),
          type.getMemorySpace());
      SmallVector<OpFoldResult> sizes, strideValues;
      for (auto [size, stride] : llvm::zip(shape, viewStrides)) {
        sizes.push_back(rewriter.getIndexAttr(size));
        strideValues.push_back(rewriter.getIndexAttr(stride));
      }
      Value view = memref::ReinterpretCastOp::create(
          rewriter, loc, viewType, metadata.getBaseBuffer(), newOffset, sizes,
          strideValues);
      rewriter.modifyOpInPlace(op, [&] { operand->set(view); });
      maps[operand->getOperandNumber()] =
          AffineMap::get(m.getNumDims(), 0, results, op.getContext());
      changed = true;
    }
    if (changed)
      rewriter.modifyOpInPlace(op, [&] {
        op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      });
  }
}

/// `op` as two ops on views of its operands: loop `dim` in [0, split) and
/// [split, extent). Operands not indexed by the loop are shared.
std::pair<linalg::LinalgOp, linalg::LinalgOp>
splitAlong(RewriterBase &rewriter, linalg::LinalgOp op, unsigned dim,
           int64_t split) {
  int64_t extent = op.getStaticLoopRanges()[dim];
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto part = [&](int64_t offset, int64_t size) {
    SmallVector<Value> operands;
    for (OpOperand &operand : op->getOpOperands()) {
      Value value = operand.get();
      auto type = cast<MemRefType>(value.getType());
      AffineMap m = maps[operand.getOperandNumber()];
      SmallVector<OpFoldResult> offsets, sizes;
      bool indexed = false;
      for (auto [i, e] : llvm::enumerate(m.getResults())) {
        bool here = e == getAffineDimExpr(dim, op.getContext());
        indexed |= here;
        offsets.push_back(rewriter.getIndexAttr(here ? offset : 0));
        sizes.push_back(rewriter.getIndexAttr(here ? size
                                                   : type.getDimSize(i)));
      }
      if (indexed)
        value = memref::SubViewOp::create(
            rewriter, loc, value, offsets, sizes,
            SmallVector<OpFoldResult>(m.getNumResults(),
                                      rewriter.getIndexAttr(1)));
      operands.push_back(value);
    }
    Operation *clone = rewriter.clone(*op);
    clone->setOperands(operands);
    return cast<linalg::LinalgOp>(clone);
  };
  linalg::LinalgOp head = part(0, split);
  linalg::LinalgOp tail = part(split, extent - split);
  rewriter.eraseOp(op);
  return {head, tail};
}

constexpr StringLiteral kContractionEntry = "seqboat_contraction_host";
constexpr StringLiteral kRowsEntry = "seqboat_rows_host";

struct SeqBoatApplyHostStrategies
    : public seqboat::impl::SeqBoatApplyHostStrategiesBase<
          SeqBoatApplyHostStrategies> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    // The library it parses uses seqboat's transform ops.
    registerTransformDialectExtension(registry);
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
                               {"tile-k", tileK},
                               {"row-vector", rowVector},
                               {"max-row-reduction", maxRowReduction}})
      if (value <= 0) {
        emitError(module.getLoc(), "seqboat-apply-host-strategies: option '")
            << name << "' must be positive, got " << value;
        return signalPassFailure();
      }
    for (auto [name, value] : {std::pair<StringRef, int64_t>{"reg-m", regM},
                               {"reg-n", regN}})
      if (value < 0) {
        emitError(module.getLoc(), "seqboat-apply-host-strategies: option '")
            << name << "' must be positive (or 0: from the host CPU), got "
            << value;
        return signalPassFailure();
      }
    // The register tile fills the host's vector registers without spilling:
    // 8 rows of two 16-lane vectors on AVX-512 (32 registers), 4 rows of two
    // 8-lane vectors on AVX2 (16 registers).
    int64_t lanes = hostVectorLanes();
    int64_t tileRegM = regM ? int64_t(regM) : (lanes >= 16 ? 8 : 4);
    int64_t tileRegN = regN ? int64_t(regN) : 2 * lanes;
    // Ops are found again by a numbered tag before each application: the
    // canonicalizations of one strategy run may replace other ops.
    rewriteHostCopies(module);
    constexpr StringLiteral indexAttr = "seqboat.host_target";
    Builder b(&getContext());
    SmallVector<std::pair<linalg::LinalgOp, HostTiles>> contractions;
    module.walk([&](linalg::LinalgOp op) {
      auto fn = op->getParentOfType<func::FuncOp>();
      if (!fn || fn->hasAttr(kKernelKindAttr))
        return;
      if (std::optional<HostTiles> tiles =
              hostTiles(op, tileM, tileN, tileRegM, tileRegN, tileK))
        contractions.push_back({op, *tiles});
    });

    // Columns that the vector width does not divide (the layer's D + 2
    // router columns): the widest multiple of the vectors on the register
    // tiles, the rest a contraction of its own, instead of register tiles
    // of an odd width (26 lanes for 130 columns) on every column.
    {
      IRRewriter splitter(&getContext());
      SmallVector<std::pair<linalg::LinalgOp, HostTiles>> split;
      for (auto &[op, tiles] : contractions) {
        int64_t columns = op.getStaticLoopRanges()[tiles.n];
        int64_t head = columns / lanes * lanes;
        if (columns % lanes == 0 || head == 0) {
          split.push_back({op, tiles});
          continue;
        }
        auto [first, rest] = splitAlong(splitter, op, tiles.n, head);
        // The remainder first: its views of the result are folded away
        // before the main part's accumulators are hoisted (upstream does not
        // hoist transfers of a buffer that has view users).
        for (linalg::LinalgOp part : {rest, first})
          if (std::optional<HostTiles> partTiles = hostTiles(
                  part, tileM, tileN, tileRegM, tileRegN, tileK))
            split.push_back({part, *partTiles});
      }
      contractions = std::move(split);
    }

    /// One application: the entry point and its params after the root.
    struct Target {
      StringRef entry;
      SmallVector<SmallVector<int64_t>> params;
    };
    SmallVector<Target> targets;
    auto tag = [&](Operation *op, Target target) {
      op->setAttr(indexAttr, b.getI64IntegerAttr(targets.size()));
      targets.push_back(std::move(target));
    };
    // Each contraction becomes a linalg.generic whose first loop is the
    // reduction: the library tiles it with one step size, whatever the
    // op's rank.
    IRRewriter rewriter(&getContext());
    for (auto &[op, tiles] : contractions) {
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(*op);
      if (!generic) {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      if (tiles.packRight) {
        // W^T[K, N] in a buffer of its own, read with the (k, n) map.
        Location loc = generic.getLoc();
        Value weights = generic.getDpsInputOperand(1)->get();
        auto type = cast<MemRefType>(weights.getType());
        auto packedType = MemRefType::get(
            {type.getDimSize(1), type.getDimSize(0)}, type.getElementType());
        rewriter.setInsertionPoint(generic);
        Value packed = memref::AllocOp::create(rewriter, loc, packedType);
        linalg::TransposeOp::create(rewriter, loc, weights, packed,
                                    ArrayRef<int64_t>{1, 0});
        rewriter.setInsertionPointAfter(generic);
        memref::DeallocOp::create(rewriter, loc, packed);
        SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
        AffineMap right = maps[1];
        maps[1] = AffineMap::get(right.getNumDims(), 0,
                                 {right.getResult(1), right.getResult(0)},
                                 right.getContext());
        rewriter.modifyOpInPlace(generic, [&] {
          generic.getDpsInputOperand(1)->set(packed);
          generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
        });
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
      Target target{kContractionEntry, {{}, {}, {tiles.step}}};
      for (unsigned old : order) {
        target.params[0].push_back(tiles.blocks[old]);
        target.params[1].push_back(tiles.regs[old]);
      }
      tag(*interchanged, std::move(target));
    }

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
    auto params = [&](ArrayRef<int64_t> values) {
      SmallVector<transform::MappedValue> attrs;
      for (int64_t v : values)
        attrs.push_back(b.getI64IntegerAttr(v));
      return attrs;
    };
    auto apply = [&]() -> LogicalResult {
    for (auto [index, target] : llvm::enumerate(targets)) {
      Operation *op = find(index);
      if (!op)
        continue;
      Location loc = op->getLoc();
      op->removeAttr(indexAttr);
      auto entry = dyn_cast_or_null<transform::NamedSequenceOp>(
          SymbolTable::lookupSymbolIn(strategies->get(), target.entry));
      if (!entry || entry.getNumArguments() != target.params.size() + 1) {
        emitError(loc, "strategy library '")
            << (library.empty() ? StringRef("<builtin>") : StringRef(library))
            << "' has no named sequence @" << target.entry
            << (target.entry == kContractionEntry
                    ? "(root, blocks, regs, step)"
                    : "(root, tiles)");
        return failure();
      }
      RaggedArray<transform::MappedValue> bindings;
      bindings.push_back(ArrayRef<transform::MappedValue>{module.getOperation()});
      for (ArrayRef<int64_t> values : target.params)
        bindings.push_back(params(values));
      op->setAttr(kStrategyTargetAttr, b.getUnitAttr());
      if (failed(transform::applyTransformNamedSequence(
              std::move(bindings), cast<transform::TransformOpInterface>(*entry),
              strategies->get(), transform::TransformOptions()))) {
        emitError(loc, "strategy @") << target.entry << " failed";
        return failure();
      }
      // A user's strategy may keep the op: the tag must not stay on it.
      module.walk([&](Operation *left) { left->removeAttr(kStrategyTargetAttr); });
    }
    targets.clear();
    // A tag left on an op that was not found again (a strategy duplicated
    // or removed it) must not be taken for one of the next round's.
    module.walk([&](Operation *left) { left->removeAttr(indexAttr); });
    return success();
    };
    // Contractions first: the views that make the row strategy's inputs
    // contiguous (below) would keep their accumulators from being hoisted.
    if (failed(apply()))
      return signalPassFailure();
    foldInputMapOffsets(module);
    module.walk([&](linalg::LinalgOp op) {
      auto fn = op->getParentOfType<func::FuncOp>();
      if (!fn || fn->hasAttr(kKernelKindAttr))
        return;
      if (std::optional<SmallVector<int64_t>> tiles =
              rowTiles(op, rowVector, maxRowReduction))
        tag(op, Target{kRowsEntry, {*tiles}});
    });
    if (failed(apply()))
      return signalPassFailure();
  }

  std::shared_ptr<OwningOpRef<ModuleOp>> strategies;
};

} // namespace
