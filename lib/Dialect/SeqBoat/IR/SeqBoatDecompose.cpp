//===- SeqBoatDecompose.cpp - seqboat.layer as primitive ops --------------===//
//
// AggregatedOpInterface::decomposeOperation of seqboat.layer: SPEC.md's nine
// steps, with norms, projections and the elementwise glue as linalg.generic
// ops and the sequence mixing as primitive seqboat ops. Slices of the fused
// projections (u | hx, z | r | v) are read through offset index maps rather
// than materialised.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/ComputeInF32.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::seqboat;

namespace {

/// Norm over the last dimension of x : [B, L, D].
Value buildNorm(OpBuilder &b, Location loc, Norm kind, Value x, Value w,
                Value bias, float eps) {
  if (kind == Norm::none)
    return x;
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(x.getType());
  Type et = type.getElementType();
  int64_t d = type.getDimSize(2);
  OpFoldResult bsz = tensor::getMixedSize(b, loc, x, 0),
               len = tensor::getMixedSize(b, loc, x, 1);
  SmallVector<OpFoldResult> shape3 = tensor::getMixedSizes(b, loc, x);
  AffineMap id3 = b.getMultiDimIdentityMap(3);
  AffineMap row3 = dimsMap(ctx, 3, {0, 1});
  AffineMap feat3 = dimsMap(ctx, 3, {2});
  Value invD = constant(b, loc, et, 1.0 / static_cast<double>(d));
  Value epsV = constant(b, loc, et, eps);

  // Row statistic: mean of f(x) over D.
  auto rowMean = [&](Value input, ArrayRef<Value> extra, ScalarBody f) {
    SmallVector<Value> inputs = {input};
    SmallVector<AffineMap> maps = {id3};
    for (Value e : extra) {
      inputs.push_back(e);
      maps.push_back(row3);
    }
    Value sum = reductionGeneric(b, loc, ArrayRef<OpFoldResult>{bsz, len}, 1,
                                 inputs, maps, f);
    return parallelGeneric(b, loc, ArrayRef<OpFoldResult>{bsz, len}, et, sum,
                           {b.getMultiDimIdentityMap(2)},
                           [&](OpBuilder &nb, Location nl, ValueRange a) {
                             return arith::MulFOp::create(nb, nl, a[0], invD)
                                 .getResult();
                           });
  };

  if (kind == Norm::rmsnorm) {
    Value ms = rowMean(x, {}, [](OpBuilder &nb, Location nl, ValueRange a) {
      return arith::MulFOp::create(nb, nl, a[0], a[0]).getResult();
    });
    return parallelGeneric(
        b, loc, shape3, et, {x, ms, w}, {id3, row3, feat3},
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value denom = math::SqrtOp::create(
              nb, nl, arith::AddFOp::create(nb, nl, a[1], epsV));
          Value scaled = arith::DivFOp::create(nb, nl, a[0], denom);
          return arith::MulFOp::create(nb, nl, scaled, a[2]).getResult();
        });
  }

  // LayerNorm: biased variance, eps inside the square root (PyTorch).
  Value mean = rowMean(x, {}, [](OpBuilder &, Location, ValueRange a) {
    return a[0];
  });
  Value var = rowMean(x, {mean}, [](OpBuilder &nb, Location nl, ValueRange a) {
    Value c = arith::SubFOp::create(nb, nl, a[0], a[1]);
    return arith::MulFOp::create(nb, nl, c, c).getResult();
  });
  return parallelGeneric(
      b, loc, shape3, et, {x, mean, var, w, bias},
      {id3, row3, row3, feat3, feat3},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value c = arith::SubFOp::create(nb, nl, a[0], a[1]);
        Value denom = math::SqrtOp::create(
            nb, nl, arith::AddFOp::create(nb, nl, a[2], epsV));
        Value scaled = arith::MulFOp::create(
            nb, nl, arith::DivFOp::create(nb, nl, c, denom), a[3]);
        return arith::AddFOp::create(nb, nl, scaled, a[4]).getResult();
      });
}

} // namespace

FailureOr<SmallVector<Value>> LayerOp::decomposeOperation(OpBuilder &b) {
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  for (Value operand : getOperation()->getOperands()) {
    auto type = cast<RankedTensorType>(operand.getType());
    // B and L (dims 0 and 1 of x) may be dynamic; every feature dim and
    // every parameter is static.
    bool shapeOk = llvm::all_of(llvm::enumerate(type.getShape()), [&](auto d) {
      return !ShapedType::isDynamic(d.value()) ||
             (operand == getX() && d.index() < 2);
    });
    if (!shapeOk)
      return emitOpError("decomposition needs static feature dims and "
                         "parameters (only B and L of x may be dynamic), but "
                         "got ")
             << type;
    // An empty rel_bias cannot exist (odd length); others would be empty
    // layers.
    if (llvm::is_contained(type.getShape(), 0))
      return emitOpError("decomposition needs non-empty operands, but got ")
             << type;
  }
  // Projections as host row blocks (seqboat-decompose{host-row-blocks}).
  bool rowBlocks = (*this)->hasAttr(kHostRowBlocksAttr);
  // A 16-bit layer is the f32 layer between conversions: it rounds once, at
  // y (docs/dialect.md, "Element types").
  if (hasNarrowFloats(*this)) {
    SmallVector<Value> wide = computeInF32(b, *this);
    auto wideLayer = wide.front().getDefiningOp<linalg::GenericOp>()
                         .getDpsInputs()
                         .front()
                         .getDefiningOp<LayerOp>();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(wideLayer);
    if (rowBlocks)
      wideLayer->setAttr(kHostRowBlocksAttr, b.getUnitAttr());
    FailureOr<SmallVector<Value>> parts = wideLayer.decomposeOperation(b);
    if (failed(parts)) {
      wide.front().getDefiningOp()->erase();
      wideLayer->erase();
      return failure();
    }
    wideLayer.getY().replaceAllUsesWith(parts->front());
    wideLayer->erase();
    return wide;
  }

  Value x = getX();
  auto xType = cast<RankedTensorType>(x.getType());
  Type et = xType.getElementType();
  int64_t bsz = xType.getDimSize(0), len = xType.getDimSize(1),
          d = xType.getDimSize(2);
  // Sizes of [B, L, f] tensors: B and L as x has them (static or tensor.dim).
  OpFoldResult bszV = tensor::getMixedSize(b, loc, x, 0),
               lenV = tensor::getMixedSize(b, loc, x, 1);
  auto sizes3 = [&](int64_t f) {
    return SmallVector<OpFoldResult>{bszV, lenV, b.getIndexAttr(f)};
  };
  auto at3 = [&](int64_t f) {
    return SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0),
                                     b.getIndexAttr(f)};
  };
  int64_t z = cast<RankedTensorType>(getQkGamma().getType()).getDimSize(1);
  int64_t h = cast<RankedTensorType>(getHW().getType()).getDimSize(1);
  float eps = getEps().convertToFloat();
  AffineMap id3 = b.getMultiDimIdentityMap(3);

  // 1-2. xn = Norm(x) when prenorm; mx = silu(ema_conv(xn)).
  Value xn = getPrenorm()
                 ? buildNorm(b, loc, getNorm(), x, getNormW(), getNormB(), eps)
                 : x;
  Value ema = EmaConvOp::create(b, loc, xType, xn, getEmaDelta(),
                                getEmaAlpha(), getEmaBeta(), getEmaGamma(),
                                getEmaOmega(), getBidirectional());
  Value mx = siluTensor(b, loc, ema);

  // 3. hu = mx hx_w^T + hx_b: u = hu[..., 0:2], hx = hu[..., 2:].
  Value hu = linearProjection(b, loc, mx, getHxW(), getHxB(), rowBlocks);
  Value u = mixedSlice(b, loc, hu, at3(0), sizes3(2));

  // 4. Routing and compaction.
  auto route = RouteOp::create(
      b, loc, RankedTensorType::get({bsz, len}, et),
      RankedTensorType::get({bsz, len}, b.getI1Type()), u, getLogTemp());
  auto i32Type = b.getI32Type();
  auto compact = CompactIndexOp::create(
      b, loc, RankedTensorType::get({bsz, len}, i32Type),
      RankedTensorType::get({bsz}, i32Type), route.getActive());
  Value pos = compact.getPos(), count = compact.getCount();

  // 5. base = silu(gather(mx, pos) mx_w^T + mx_b) = z | r | v.
  Value gathered = GatherOp::create(b, loc, xType, mx, pos);
  Value base = siluTensor(
      b, loc, linearProjection(b, loc, gathered, getMxW(), getMxB(), rowBlocks));

  // 6. q, k = z * qk_gamma[i] + qk_beta[i].
  Value zPart = mixedSlice(b, loc, base, at3(0), sizes3(z));
  auto affineOfZ = [&](int64_t row) {
    AffineMap rowMap = map(ctx, 3, {b.getAffineConstantExpr(row),
                                    b.getAffineDimExpr(2)});
    return parallelGeneric(b, loc, sizes3(z), et,
                           {zPart, getQkGamma(), getQkBeta()},
                           {id3, rowMap, rowMap},
                           [](OpBuilder &nb, Location nl, ValueRange a) {
                             Value m = arith::MulFOp::create(nb, nl, a[0], a[1]);
                             return arith::AddFOp::create(nb, nl, m, a[2])
                                 .getResult();
                           });
  };
  Value q = affineOfZ(0), k = affineOfZ(1);
  Value v = mixedSlice(b, loc, base, at3(z + h), sizes3(h));

  // 7. h = (local_attention(...) * r) h_w^T + h_b.
  Value attn = LocalAttentionOp::create(
      b, loc, RankedTensorType::get({bsz, len, h}, et), q, k, v, pos, count,
      getRelBias(), ValueRange(), getWindow(), getBidirectional(),
      getActivation());
  AffineMap rMap = map(ctx, 3, {b.getAffineDimExpr(0), b.getAffineDimExpr(1),
                                b.getAffineDimExpr(2) + z});
  Value gated = parallelGeneric(
      b, loc, sizes3(h), et, {attn, base}, {id3, rMap},
      [](OpBuilder &nb, Location nl, ValueRange a) {
        return arith::MulFOp::create(nb, nl, a[0], a[1]).getResult();
      });
  Value hOut = linearProjection(b, loc, gated, getHW(), getHB(), rowBlocks);

  // 8-9. out = silu(x + hx + scatter(h, pos) * gate * active).
  // A dynamic L omits `length` (L = S).
  Value scattered = ScatterOp::create(
      b, loc, xType, hOut, pos,
      ShapedType::isDynamic(len) ? IntegerAttr() : b.getI64IntegerAttr(len));
  AffineMap hxMap = map(ctx, 3, {b.getAffineDimExpr(0), b.getAffineDimExpr(1),
                                 b.getAffineDimExpr(2) + 2});
  AffineMap row3 = dimsMap(ctx, 3, {0, 1});
  Value out = parallelGeneric(
      b, loc, sizes3(d), et,
      {x, hu, scattered, route.getGate(), route.getActive()},
      {id3, hxMap, id3, row3, row3},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value zero = constant(nb, nl, et, 0.0);
        Value hf = arith::MulFOp::create(nb, nl, a[2], a[3]);
        hf = arith::SelectOp::create(nb, nl, a[4], hf, zero);
        Value sum = arith::AddFOp::create(
            nb, nl, arith::AddFOp::create(nb, nl, a[0], a[1]), hf);
        return silu(nb, nl, sum);
      });
  if (!getPrenorm())
    out = buildNorm(b, loc, getNorm(), out, getNormW(), getNormB(), eps);
  return SmallVector<Value>{out};
}
