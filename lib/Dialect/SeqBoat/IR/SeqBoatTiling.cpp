//===- SeqBoatTiling.cpp - TilingInterface for seqboat ops ----------------===//
//
// Every primitive op is parallel along some dimensions of its results and
// needs whole operands along the others (the sequence for scans, windows and
// compaction; the EMA order). Loop l of an op's iteration domain is result
// dimension `resultDims[l]` (shared by all its results); tiling slices each
// operand along the dimensions that follow those loops and rebuilds the op on
// the slices. Bidirectional EMA/long-conv parameters hold the causal rows
// [0, D) and the anti-causal rows [D, 2D): a channel tile takes its rows from
// both halves.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatTiling.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::seqboat;

namespace {

/// How operand `operand` is sliced: for each of its dims, the loop it
/// follows (or none: taken whole).
using OperandMap = SmallVector<std::optional<unsigned>>;

/// Per-op tiling description.
struct TileSpec {
  SmallVector<int64_t> resultDims;
  SmallVector<OperandMap> operands;
  /// Operands holding [D | D] parameter halves along dim 0 (bidirectional).
  SmallVector<unsigned> stackedHalves;
};

/// Operand dim follows loop `l` / is taken whole.
std::optional<unsigned> loop(unsigned l) { return l; }
constexpr std::nullopt_t kWhole = std::nullopt;

TileSpec specOf(Operation *op) {
  return llvm::TypeSwitch<Operation *, TileSpec>(op)
      .Case([](EmaKernelOp) {
        return TileSpec{{0}, {{loop(0), kWhole}, {loop(0), kWhole}, {loop(0), kWhole}, {loop(0), kWhole}}, {}};
      })
      .Case([](EmaConvOp o) {
        TileSpec spec{{0, 2},
                      {{loop(0), kWhole, loop(1)},
                       {loop(1), kWhole}, {loop(1), kWhole}, {loop(1), kWhole}, {loop(1), kWhole},
                       {loop(1)}},
                      {}};
        if (o.getBidirectional())
          spec.stackedHalves = {1, 2, 3, 4};
        return spec;
      })
      .Case([](StateScanOp) {
        // Loops (b, d, n); the chunks run in order within a tile.
        return TileSpec{{0, 2, 3},
                        {{loop(0), kWhole, loop(1), loop(2)}, {loop(1), loop(2)}},
                        {}};
      })
      .Case([](LongConvOp o) {
        TileSpec spec{{0, 2}, {{loop(0), kWhole, loop(1)}, {loop(1), kWhole}}, {}};
        if (o.getBidirectional())
          spec.stackedHalves = {1};
        return spec;
      })
      .Case([](ShortConvOp) {
        return TileSpec{{0, 2}, {{loop(0), kWhole, loop(1)}, {loop(1), kWhole}, {loop(1)}}, {}};
      })
      .Case([](RouteOp) {
        return TileSpec{{0, 1}, {{loop(0), loop(1), kWhole}, {}}, {}};
      })
      .Case([](CompactIndexOp) { return TileSpec{{0}, {{loop(0), kWhole}}, {}}; })
      .Case([](GatherOp) {
        return TileSpec{{0, 2}, {{loop(0), kWhole, loop(1)}, {loop(0), kWhole}}, {}};
      })
      .Case([](ScatterOp) {
        return TileSpec{{0, 2}, {{loop(0), kWhole, loop(1)}, {loop(0), kWhole}}, {}};
      })
      .Case([](LocalAttentionOp o) {
        // Loops (batch, query slot, feature of v): a tile is a batch range,
        // a range of query slots (the op's `queries`) and a range of the
        // features of v (each computes its queries' scores); keys, pos and
        // count are read whole (getTiledImplementation adds the query
        // range).
        TileSpec spec{{0, 1, 2},
                      {{loop(0), kWhole, kWhole}, {loop(0), kWhole, kWhole}, {loop(0), kWhole, loop(2)},
                       {loop(0), kWhole}, {loop(0)}},
                      {}};
        if (o.getRelBias())
          spec.operands.push_back({kWhole});
        return spec;
      })
      .Case([](LinearAttentionOp o) {
        TileSpec spec{{0, 2},
                      {{loop(0), kWhole, kWhole}, {loop(0), kWhole, kWhole}, {loop(0), kWhole, loop(1)}},
                      {}};
        if (o.getDecay())
          spec.operands.push_back({});
        return spec;
      })
      .Default([](Operation *) { return TileSpec{}; });
}

/// a + b, folded when both are constants.
OpFoldResult addIndices(OpBuilder &b, Location loc, OpFoldResult lhs,
                        OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs),
                         r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l + *r);
  return arith::AddIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, lhs),
                               getValueOrCreateConstantIndexOp(b, loc, rhs))
      .getResult();
}

Value slice(OpBuilder &b, Location loc, Value source,
            ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, source, offsets, sizes,
                                        strides);
}

/// Tile of operand `value` for the loop tile (offsets, sizes).
Value operandTile(OpBuilder &b, Location loc, Value value, const OperandMap &map,
                  bool stacked, ArrayRef<OpFoldResult> offsets,
                  ArrayRef<OpFoldResult> sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> offs, szs;
  for (auto [dim, loop] : llvm::enumerate(map)) {
    if (loop) {
      offs.push_back(offsets[*loop]);
      szs.push_back(sizes[*loop]);
    } else {
      offs.push_back(b.getIndexAttr(0));
      szs.push_back(tensor::getMixedSize(b, loc, value, dim));
    }
  }
  if (!stacked)
    return slice(b, loc, value, offs, szs);
  // Rows [d0, d0+n) of the causal half and of the anti-causal half, stacked.
  OpFoldResult half =
      type.isDynamicDim(0)
          ? OpFoldResult(arith::DivUIOp::create(
                             b, loc, tensor::DimOp::create(b, loc, value, 0),
                             arith::ConstantIndexOp::create(b, loc, 2))
                             .getResult())
          : OpFoldResult(b.getIndexAttr(type.getDimSize(0) / 2));
  Value causal = slice(b, loc, value, offs, szs);
  SmallVector<OpFoldResult> antiOffs(offs);
  antiOffs[0] = addIndices(b, loc, offs[0], half);
  Value anti = slice(b, loc, value, antiOffs, szs);
  SmallVector<OpFoldResult> stackedSizes(szs);
  stackedSizes[0] = addIndices(b, loc, szs[0], szs[0]);
  Value init = tensor::EmptyOp::create(b, loc, stackedSizes,
                                       type.getElementType());
  SmallVector<OpFoldResult> zeros(offs.size(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> ones(offs.size(), b.getIndexAttr(1));
  Value out = tensor::InsertSliceOp::create(b, loc, causal, init, zeros, szs,
                                            ones);
  SmallVector<OpFoldResult> second(zeros);
  second[0] = szs[0];
  return tensor::InsertSliceOp::create(b, loc, anti, out, second, szs, ones);
}

template <typename OpT>
struct SeqBoatTilingModel
    : public TilingInterface::ExternalModel<SeqBoatTilingModel<OpT>, OpT> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return SmallVector<utils::IteratorType>(specOf(op).resultDims.size(),
                                            utils::IteratorType::parallel);
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    ReifiedRankedShapedTypeDims shapes;
    (void)cast<ReifyRankedShapedTypeOpInterface>(op).reifyResultShapes(b,
                                                                       shapes);
    SmallVector<Range> domain;
    for (int64_t dim : specOf(op).resultDims)
      domain.push_back(Range{b.getIndexAttr(0), shapes[0][dim],
                             b.getIndexAttr(1)});
    return domain;
  }

  LogicalResult
  getResultTilePosition(Operation *op, OpBuilder &b, unsigned resultNumber,
                        ArrayRef<OpFoldResult> offsets,
                        ArrayRef<OpFoldResult> sizes,
                        SmallVector<OpFoldResult> &resultOffsets,
                        SmallVector<OpFoldResult> &resultSizes) const {
    ReifiedRankedShapedTypeDims shapes;
    if (failed(cast<ReifyRankedShapedTypeOpInterface>(op).reifyResultShapes(
            b, shapes)))
      return failure();
    resultSizes = shapes[resultNumber];
    resultOffsets.assign(resultSizes.size(), b.getIndexAttr(0));
    for (auto [l, dim] : llvm::enumerate(specOf(op).resultDims)) {
      if (dim >= static_cast<int64_t>(resultSizes.size()))
        continue;
      resultOffsets[dim] = offsets[l];
      resultSizes[dim] = sizes[l];
    }
    return success();
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    Location loc = op->getLoc();
    TileSpec spec = specOf(op);
    SmallVector<Value> operands;
    SmallVector<Operation *> slices;
    if (auto attention = dyn_cast<LocalAttentionOp>(op))
      return tileLocalAttention(attention, b, spec, offsets, sizes);
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      bool stacked = llvm::is_contained(spec.stackedHalves, i);
      Value tile = operandTile(b, loc, operand, spec.operands[i], stacked,
                               offsets, sizes);
      operands.push_back(tile);
      slices.push_back(tile.getDefiningOp());
    }
    SmallVector<Type> resultTypes;
    for (auto [i, result] : llvm::enumerate(op->getResults())) {
      SmallVector<OpFoldResult> resultOffsets, resultSizes;
      if (failed(getResultTilePosition(op, b, i, offsets, sizes, resultOffsets,
                                       resultSizes)))
        return failure();
      SmallVector<int64_t> shape;
      SmallVector<Value> dynamic;
      dispatchIndexOpFoldResults(resultSizes, dynamic, shape);
      resultTypes.push_back(RankedTensorType::get(
          shape, cast<RankedTensorType>(result.getType()).getElementType()));
    }
    Operation *tiled = mlir::clone(b, op, resultTypes, operands);
    return TilingResult{{tiled}, SmallVector<Value>(tiled->getResults()),
                        slices};
  }

  /// The (batch, query slot, feature) tile of a local attention: its
  /// tensors sliced along the batch, v along its features, and
  /// `queries(offset, n)` where offset adds the tile's first slot to the
  /// op's own query offset (a tile of a tile).
  static FailureOr<TilingResult>
  tileLocalAttention(LocalAttentionOp op, OpBuilder &b, const TileSpec &spec,
                     ArrayRef<OpFoldResult> offsets,
                     ArrayRef<OpFoldResult> sizes) {
    Location loc = op.getLoc();
    SmallVector<Value> tensors;
    SmallVector<Operation *> slices;
    SmallVector<Value> operands = {op.getQ(), op.getK(), op.getV(), op.getPos(),
                                   op.getCount()};
    if (op.getRelBias())
      operands.push_back(op.getRelBias());
    for (auto [i, operand] : llvm::enumerate(operands)) {
      Value tile = operandTile(b, loc, operand, spec.operands[i],
                               /*stacked=*/false, offsets, sizes);
      tensors.push_back(tile);
      slices.push_back(tile.getDefiningOp());
    }
    OpFoldResult first = offsets[1];
    if (!op.getQueryTile().empty())
      first = addIndices(b, loc, getAsOpFoldResult(op.getQueryTile()[0]),
                         first);
    SmallVector<Value> queries = {
        getValueOrCreateConstantIndexOp(b, loc, first),
        getValueOrCreateConstantIndexOp(b, loc, sizes[1])};
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    SmallVector<int64_t> shape;
    SmallVector<Value> dynamic;
    dispatchIndexOpFoldResults({sizes[0], sizes[1], sizes[2]}, dynamic,
                               shape);
    auto tiled = LocalAttentionOp::create(
        b, loc, RankedTensorType::get(shape, outType.getElementType()),
        tensors[0], tensors[1], tensors[2], tensors[3], tensors[4],
        op.getRelBias() ? tensors[5] : Value(), queries, op.getWindow(),
        op.getBidirectional(), op.getActivation());
    // (seqboat.autocast and the knobs hold for every tile.)
    tiled->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    return TilingResult{{tiled}, SmallVector<Value>(tiled->getResults()),
                        slices};
  }

  LogicalResult getIterationDomainTileFromResultTile(
      Operation *op, OpBuilder &b, unsigned resultNumber,
      ArrayRef<OpFoldResult> resultOffsets, ArrayRef<OpFoldResult> resultSizes,
      SmallVectorImpl<OpFoldResult> &iterOffsets,
      SmallVectorImpl<OpFoldResult> &iterSizes) const {
    // Only tiles that take whole extents along the non-loop dims are exact.
    ReifiedRankedShapedTypeDims shapes;
    if (failed(cast<ReifyRankedShapedTypeOpInterface>(op).reifyResultShapes(
            b, shapes)))
      return failure();
    TileSpec spec = specOf(op);
    for (auto [dim, size] : llvm::enumerate(resultSizes)) {
      if (llvm::is_contained(spec.resultDims, static_cast<int64_t>(dim)))
        continue;
      if (!isConstantIntValue(resultOffsets[dim], 0) ||
          getConstantIntValue(size) != getConstantIntValue(shapes[resultNumber][dim]))
        return failure();
    }
    iterOffsets.clear();
    iterSizes.clear();
    for (int64_t dim : spec.resultDims) {
      iterOffsets.push_back(resultOffsets[dim]);
      iterSizes.push_back(resultSizes[dim]);
    }
    return success();
  }

  FailureOr<TilingResult>
  generateResultTileValue(Operation *op, OpBuilder &b, unsigned resultNumber,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) const {
    SmallVector<OpFoldResult> iterOffsets, iterSizes;
    if (failed(getIterationDomainTileFromResultTile(
            op, b, resultNumber, offsets, sizes, iterOffsets, iterSizes)))
      return failure();
    return getTiledImplementation(op, b, iterOffsets, iterSizes);
  }
};

template <typename... Ops>
void attach(MLIRContext *context) {
  (Ops::template attachInterface<SeqBoatTilingModel<Ops>>(*context), ...);
}

} // namespace

void seqboat::attachTilingInterfaces(MLIRContext *context) {
  attach<EmaKernelOp, EmaConvOp, StateScanOp, LongConvOp, ShortConvOp, RouteOp,
         CompactIndexOp, GatherOp, ScatterOp, LocalAttentionOp,
         LinearAttentionOp>(context);
}
