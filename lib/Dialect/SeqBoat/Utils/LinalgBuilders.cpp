//===- LinalgBuilders.cpp - small builders of tensor-level linalg ---------===//

#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

AffineMap seqboat::map(MLIRContext *ctx, unsigned numDims,
                       ArrayRef<AffineExpr> exprs) {
  return AffineMap::get(numDims, /*symbolCount=*/0, exprs, ctx);
}

AffineMap seqboat::dimsMap(MLIRContext *ctx, unsigned numDims,
                           ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return map(ctx, numDims, exprs);
}

Value seqboat::emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                           Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value seqboat::emptyTensor(OpBuilder &b, Location loc,
                           ArrayRef<OpFoldResult> sizes, Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

Value seqboat::constant(OpBuilder &b, Location loc, Type type, double value) {
  if (isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, type,
                                     b.getFloatAttr(type, value));
  return arith::ConstantOp::create(
      b, loc, type, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value seqboat::filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                            Type elementType, double value) {
  return filledTensor(b, loc, getAsIndexOpFoldResult(b.getContext(), shape),
                      elementType, value);
}

Value seqboat::filledTensor(OpBuilder &b, Location loc,
                            ArrayRef<OpFoldResult> sizes, Type elementType,
                            double value) {
  Value init = emptyTensor(b, loc, sizes, elementType);
  Value scalar = constant(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, scalar, init).getResult(0);
}

Value seqboat::parallelGeneric(OpBuilder &b, Location loc,
                               ArrayRef<int64_t> shape, Type elementType,
                               ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                               ScalarBody body) {
  return parallelGeneric(b, loc, getAsIndexOpFoldResult(b.getContext(), shape),
                         elementType, inputs, inputMaps, body);
}

Value seqboat::parallelGeneric(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> shape, Type elementType,
                               ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                               ScalarBody body) {
  unsigned rank = shape.size();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, shape, elementType);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value seqboat::parallelUpdate(OpBuilder &b, Location loc, Value dest,
                              ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                              ScalarBody body) {
  auto type = cast<RankedTensorType>(dest.getType());
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, inputs, ValueRange{dest}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
  return generic.getResult(0);
}

Value seqboat::reductionGeneric(OpBuilder &b, Location loc,
                                ArrayRef<int64_t> shape,
                                unsigned numReductionDims, ValueRange inputs,
                                ArrayRef<AffineMap> inputMaps, ScalarBody term,
                                Value init) {
  return reductionGeneric(b, loc, getAsIndexOpFoldResult(b.getContext(), shape),
                          numReductionDims, inputs, inputMaps, term, init);
}

Value seqboat::reductionGeneric(OpBuilder &b, Location loc,
                                ArrayRef<OpFoldResult> shape,
                                unsigned numReductionDims, ValueRange inputs,
                                ArrayRef<AffineMap> inputMaps, ScalarBody term,
                                Value init) {
  unsigned rank = shape.size();
  unsigned numLoops = rank + numReductionDims;
  Type elementType = getElementTypeOrSelf(inputs.front());
  if (!init)
    init = filledTensor(b, loc, shape, elementType, 0.0);
  // The output indexes the leading (parallel) loops.
  SmallVector<unsigned> outDims;
  for (unsigned d = 0; d < rank; ++d)
    outDims.push_back(d);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.append(numReductionDims, utils::IteratorType::reduction);
  return accumulateGeneric(b, loc, init, inputs, inputMaps,
                           dimsMap(b.getContext(), numLoops, outDims),
                           iterators, term);
}

Value seqboat::accumulateGeneric(OpBuilder &b, Location loc, Value init,
                                 ValueRange inputs,
                                 ArrayRef<AffineMap> inputMaps,
                                 AffineMap outputMap,
                                 ArrayRef<utils::IteratorType> iterators,
                                 ScalarBody term) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(outputMap);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value value = term(nb, nloc, args.drop_back());
        Value sum =
            isa<FloatType>(value.getType())
                ? arith::AddFOp::create(nb, nloc, args.back(), value)
                      .getResult()
                : arith::AddIOp::create(nb, nloc, args.back(), value)
                      .getResult();
        linalg::YieldOp::create(nb, nloc, sum);
      });
  return generic.getResult(0);
}

static Value linearProjectionOfShape(OpBuilder &b, Location loc, Value x,
                                     Value w, Value bias);

/// Rows per block of a projection over a dynamic number of tokens.
static constexpr int64_t kDynamicRowBlock = 64;

Value seqboat::linearProjection(OpBuilder &b, Location loc, Value x, Value w,
                                Value bias, bool hostRowBlocks) {
  auto xType = cast<RankedTensorType>(x.getType());
  if (!hostRowBlocks || xType.hasStaticShape() || xType.getRank() != 3 ||
      xType.isDynamicDim(2))
    return linearProjectionOfShape(b, loc, x, w, bias);
  // Dynamic B or L for the host: per batch row, the tokens in blocks of a static
  // kDynamicRowBlock rows (projections of static shape, which the host
  // contraction strategy compiles like the static layer's), then the
  // remaining tokens (fewer than a block) as one projection of dynamic shape.
  Type et = xType.getElementType();
  int64_t in = xType.getDimSize(2);
  int64_t out = cast<RankedTensorType>(w.getType()).getDimSize(0);
  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, x);
  shape.back() = b.getIndexAttr(out);
  Value result = emptyTensor(b, loc, shape, et);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value block = arith::ConstantIndexOp::create(b, loc, kDynamicRowBlock);
  Value len = getValueOrCreateConstantIndexOp(b, loc, shape[1]);
  Value full = arith::MulIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, len, block), block);
  Value rest = arith::SubIOp::create(b, loc, len, full);
  SmallVector<OpFoldResult> unit(3, b.getIndexAttr(1));
  // y[bi, t0 : t0 + rows, :] = x[bi, t0 : t0 + rows, :] . w^T + bias.
  auto project = [&](OpBuilder &nb, Location nl, Value acc, Value bi,
                     Value t0, OpFoldResult rows) {
    std::optional<int64_t> staticRows = getConstantIntValue(rows);
    int64_t r = staticRows ? *staticRows : ShapedType::kDynamic;
    SmallVector<OpFoldResult> at = {bi, t0, nb.getIndexAttr(0)};
    Value xs = tensor::ExtractSliceOp::create(
        nb, nl, RankedTensorType::get({r, in}, et), x, at,
        SmallVector<OpFoldResult>{nb.getIndexAttr(1), rows,
                                  nb.getIndexAttr(in)},
        unit);
    Value ys = linearProjectionOfShape(nb, nl, xs, w, bias);
    return tensor::InsertSliceOp::create(
               nb, nl, ys, acc, at,
               SmallVector<OpFoldResult>{nb.getIndexAttr(1), rows,
                                         nb.getIndexAttr(out)},
               unit)
        .getResult();
  };
  auto batches = scf::ForOp::create(
      b, loc, zero, getValueOrCreateConstantIndexOp(b, loc, shape[0]), one, ValueRange{result},
      [&](OpBuilder &bb, Location bl, Value bi, ValueRange bAcc) {
        auto blocks = scf::ForOp::create(
            bb, bl, zero, full, block, bAcc,
            [&](OpBuilder &nb, Location nl, Value t0, ValueRange acc) {
              scf::YieldOp::create(
                  nb, nl,
                  project(nb, nl, acc[0], bi, t0,
                          nb.getIndexAttr(kDynamicRowBlock)));
            });
        scf::YieldOp::create(
            bb, bl, project(bb, bl, blocks.getResult(0), bi, full, rest));
      });
  return batches.getResult(0);
}

static Value linearProjectionOfShape(OpBuilder &b, Location loc, Value x,
                                     Value w, Value bias) {
  using namespace seqboat;
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  unsigned rank = xType.getRank();
  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, x);
  shape.back() = b.getIndexAttr(wType.getDimSize(0));
  // Start from the broadcast bias, then accumulate x . w^T into it.
  Value init = parallelGeneric(
      b, loc, shape, xType.getElementType(), bias,
      {dimsMap(ctx, rank, {rank - 1})},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  // w^T : [I, O], so the loops (leading..., i, o) run a contiguous,
  // reduction-free inner loop over o (an axpy per input feature).
  int64_t in = wType.getDimSize(1), out = wType.getDimSize(0);
  Value wT = parallelGeneric(
      b, loc, {in, out}, wType.getElementType(), w, {dimsMap(ctx, 2, {1, 0})},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  unsigned numLoops = rank + 1;
  SmallVector<unsigned> xDims, outDims;
  for (unsigned d = 0; d + 1 < rank; ++d) {
    xDims.push_back(d);
    outDims.push_back(d);
  }
  xDims.push_back(rank - 1);
  outDims.push_back(rank);
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators[rank - 1] = utils::IteratorType::reduction;
  return accumulateGeneric(
      b, loc, init, {x, wT},
      {dimsMap(ctx, numLoops, xDims), dimsMap(ctx, numLoops, {rank - 1, rank})},
      dimsMap(ctx, numLoops, outDims), iterators,
      [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        return arith::MulFOp::create(nb, nloc, args[0], args[1]);
      });
}

Value seqboat::sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = constant(b, loc, x.getType(), 1.0);
  Value negated = arith::NegFOp::create(b, loc, x);
  Value exp = math::ExpOp::create(b, loc, negated);
  Value denom = arith::AddFOp::create(b, loc, one, exp);
  return arith::DivFOp::create(b, loc, one, denom);
}

Value seqboat::silu(OpBuilder &b, Location loc, Value x) {
  return arith::MulFOp::create(b, loc, x, sigmoid(b, loc, x));
}

Value seqboat::indexAsFloat(OpBuilder &b, Location loc, unsigned dim,
                            Type type) {
  Value index = linalg::IndexOp::create(b, loc, dim);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, type, asInt);
}

Value seqboat::siluTensor(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  return parallelGeneric(
      b, loc, tensor::getMixedSizes(b, loc, x), type.getElementType(), x,
      {b.getMultiDimIdentityMap(type.getRank())},
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        return silu(nb, nloc, args[0]);
      });
}

Value seqboat::staticSlice(OpBuilder &b, Location loc, Value source,
                           ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                           std::optional<ArrayRef<int64_t>> resultShape) {
  auto srcType = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> offs = getAsIndexOpFoldResult(b.getContext(), offsets);
  SmallVector<OpFoldResult> szs = getAsIndexOpFoldResult(b.getContext(), sizes);
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  auto type = RankedTensorType::get(resultShape ? *resultShape : sizes,
                                    srcType.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, type, source, offs, szs,
                                        strides);
}

Value seqboat::mixedSlice(OpBuilder &b, Location loc, Value source,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, source, offsets, sizes,
                                        strides);
}

Value seqboat::staticInsert(OpBuilder &b, Location loc, Value source,
                            Value dest, ArrayRef<OpFoldResult> offsets,
                            ArrayRef<int64_t> sizes) {
  SmallVector<OpFoldResult> szs = getAsIndexOpFoldResult(b.getContext(), sizes);
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, source, dest, offsets, szs,
                                       strides);
}

Value seqboat::zeroPad(OpBuilder &b, Location loc, Value source,
                       ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
  return zeroPad(b, loc, source, getAsIndexOpFoldResult(b.getContext(), low),
                 getAsIndexOpFoldResult(b.getContext(), high));
}

Value seqboat::zeroPad(OpBuilder &b, Location loc, Value source,
                       ArrayRef<OpFoldResult> low,
                       ArrayRef<OpFoldResult> high) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [i, dim] : llvm::enumerate(shape)) {
    std::optional<int64_t> lo = getConstantIntValue(low[i]),
                           hi = getConstantIntValue(high[i]);
    dim = ShapedType::isDynamic(dim) || !lo || !hi ? ShapedType::kDynamic
                                                   : dim + *lo + *hi;
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  Value zero = constant(b, loc, type.getElementType(), 0.0);
  return tensor::PadOp::create(b, loc, resultType, source, low, high, zero);
}

Value seqboat::reverseDim(OpBuilder &b, Location loc, Value x, unsigned dim) {
  auto type = cast<RankedTensorType>(x.getType());
  unsigned rank = type.getRank();
  if (type.isDynamicDim(dim)) {
    // An index map cannot hold the extent: read x[.., n - 1 - i, ..].
    Value last = arith::SubIOp::create(
        b, loc, tensor::DimOp::create(b, loc, x, dim),
        arith::ConstantIndexOp::create(b, loc, 1));
    return parallelGeneric(
        b, loc, tensor::getMixedSizes(b, loc, x), type.getElementType(), ValueRange{}, {},
        [&](OpBuilder &nb, Location nl, ValueRange) {
          SmallVector<Value> at;
          for (unsigned d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(nb, nl, d);
            at.push_back(d == dim ? arith::SubIOp::create(nb, nl, last, i)
                                        .getResult()
                                  : i);
          }
          return tensor::ExtractOp::create(nb, nl, x, at).getResult();
        });
  }
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    exprs.push_back(d == dim ? b.getAffineConstantExpr(type.getDimSize(d) - 1) -
                                   b.getAffineDimExpr(d)
                             : b.getAffineDimExpr(d));
  return parallelGeneric(
      b, loc, type.getShape(), type.getElementType(), x,
      {map(b.getContext(), rank, exprs)},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

int64_t seqboat::largestDivisor(int64_t extent, int64_t bound, int64_t unit) {
  for (int64_t t = std::min(extent, bound); t > unit; --t)
    if (extent % t == 0 && t % unit == 0)
      return t;
  return unit;
}

Value seqboat::rowBlockForall(OpBuilder &b, Location loc, Value init,
                              int64_t block, RowBlockBody body) {
  auto type = cast<RankedTensorType>(init.getType());
  // Whole blocks when `block` divides a static R; otherwise ceil(R / block)
  // blocks, the last one partial (its tile has a dynamic row count).
  int64_t extent = type.getDimSize(1);
  bool whole = !ShapedType::isDynamic(extent) && extent % block == 0;
  Value rows = whole ? Value() : tensor::DimOp::create(b, loc, init, 1);
  Value blockSize = arith::ConstantIndexOp::create(b, loc, block);
  OpFoldResult blocks =
      whole ? OpFoldResult(b.getIndexAttr(extent / block))
            : OpFoldResult(
                  arith::CeilDivSIOp::create(b, loc, rows, blockSize)
                      .getResult());
  auto forall = scf::ForallOp::create(
      b, loc,
      SmallVector<OpFoldResult>{tensor::getMixedSize(b, loc, init, 0), blocks},
      ValueRange{init}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value batch = forall.getInductionVar(0);
  Value start =
      arith::MulIOp::create(b, loc, forall.getInductionVar(1), blockSize);
  OpFoldResult tileRows =
      whole ? OpFoldResult(b.getIndexAttr(block))
            : OpFoldResult(arith::MinSIOp::create(
                               b, loc, blockSize,
                               arith::SubIOp::create(b, loc, rows, start))
                               .getResult());
  // The tile [batch, start, 0...] of sizes [1, tile rows, rest...].
  SmallVector<OpFoldResult> offsets = {batch, start};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), tileRows};
  SmallVector<int64_t> tileShape = {1, whole ? block : ShapedType::kDynamic};
  for (int64_t d : type.getShape().drop_front(2)) {
    offsets.push_back(b.getIndexAttr(0));
    sizes.push_back(b.getIndexAttr(d));
    tileShape.push_back(d);
  }
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  Value shared = forall.getRegionIterArgs()[0];
  Value tile = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(tileShape, type.getElementType()), shared,
      offsets, sizes, strides);
  Value result = body(b, loc, batch, start, tile);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, result, shared, offsets, sizes,
                                        strides);
  return forall.getResult(0);
}

linalg::GenericOp mlir::seqboat::getElementwiseProducer(Value value) {
  auto pro = value.getDefiningOp<linalg::GenericOp>();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!pro || !type || !pro.hasPureTensorSemantics() ||
      pro->getNumResults() != 1 || pro.getNumDpsInits() != 1 ||
      pro.getNumLoops() != type.getRank() ||
      pro.getNumParallelLoops() != pro.getNumLoops() ||
      pro.payloadUsesValueFromOperand(pro.getDpsInitOperand(0)) ||
      !pro.getMatchingIndexingMap(pro.getDpsInitOperand(0)).isIdentity())
    return {};
  for (Operation &o : pro.getBody()->without_terminator())
    if (o.getNumRegions() != 0 ||
        !isa<arith::ArithDialect, math::MathDialect>(o.getDialect()))
      return {};
  for (OpOperand *in : pro.getDpsInputOperands())
    for (AffineExpr e : pro.getMatchingIndexingMap(in).getResults())
      if (!isa<AffineDimExpr, AffineConstantExpr>(e))
        return {};
  return pro;
}

Value mlir::seqboat::readElement(OpBuilder &b, Location loc, Value value,
                                 ValueRange point) {
  linalg::GenericOp pro = getElementwiseProducer(value);
  if (!pro)
    return tensor::ExtractOp::create(b, loc, value, point);
  IRMapping mapping;
  for (OpOperand *in : pro.getDpsInputOperands()) {
    SmallVector<Value> indices;
    for (AffineExpr e : pro.getMatchingIndexingMap(in).getResults()) {
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        indices.push_back(point[dim.getPosition()]);
      else
        indices.push_back(arith::ConstantIndexOp::create(
            b, loc, cast<AffineConstantExpr>(e).getValue()));
    }
    mapping.map(pro.getMatchingBlockArgument(in),
                tensor::ExtractOp::create(b, loc, in->get(), indices));
  }
  for (Operation &o : pro.getBody()->without_terminator())
    b.clone(o, mapping);
  return mapping.lookupOrDefault(
      pro.getBody()->getTerminator()->getOperand(0));
}
