//===- ConvToLinalg.cpp - long_conv and short_conv ------------------------===//
//
// Both convolutions read a zero-padded copy of x through affine index maps
// (t + s against a reversed copy of the causal taps, k[K-1 - s]; t + K-1 + s
// for the anti-causal ones), so the generic has no masking and lowers to plain
// loops or tiles. The time loop t only appears with a positive coefficient:
// TilingInterface slices of an operand indexed by t - s would be wrong.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::seqboat;

namespace {

Value multiply(OpBuilder &b, Location loc, ValueRange a) {
  Value sum = arith::MulFOp::create(b, loc, a[0], a[1]);
  if (a.size() > 2)
    sum = arith::AddFOp::create(b, loc, sum,
                                arith::MulFOp::create(b, loc, a[2], a[3]));
  return sum;
}

struct LongConvLowering : public OpRewritePattern<LongConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LongConvOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op, {op.getK()})))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    int64_t len = xType.getDimSize(1), d = xType.getDimSize(2);
    auto kType = cast<RankedTensorType>(op.getK().getType());
    // Taps at or beyond L never meet an input (all K when L is dynamic:
    // those past L multiply padding).
    int64_t taps = ShapedType::isDynamic(len)
                       ? kType.getDimSize(1)
                       : std::min(kType.getDimSize(1), len);
    int64_t halo = taps - 1;
    bool bidir = op.getBidirectional();
    Value xp = zeroPad(rewriter, loc, op.getX(), {0, halo, 0},
                       {0, bidir ? halo : 0, 0});
    AffineExpr b0 = getAffineDimExpr(0, ctx), t = getAffineDimExpr(1, ctx),
               ch = getAffineDimExpr(2, ctx), s = getAffineDimExpr(3, ctx);
    // The causal kernel is rows [0, D), the anti-causal one rows [D, 2D).
    auto kernelRows = [&](int64_t offset) {
      return staticSlice(rewriter, loc, op.getK(), {offset, 0}, {d, taps});
    };
    // loops (b, t, d, s): y[b,t,d] = sum_s k[d, K-1-s] * xp[b, t+s, d] (+ the
    // anti-causal half)
    // The reversed taps as a gather (index arithmetic and an element read,
    // no map with a negative coefficient): a kernel formation fuses it into
    // the convolution, each thread reading its taps in place.
    Value k = op.getK();
    Value reversed =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{RankedTensorType::get(
                               {d, taps}, xType.getElementType())},
            ValueRange{},
            ValueRange{emptyTensor(rewriter, loc, {d, taps},
                                   xType.getElementType())},
            ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(2, ctx)},
            SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nloc, ValueRange) {
              Value row = linalg::IndexOp::create(nb, nloc, 0);
              Value tap = arith::SubIOp::create(
                  nb, nloc, arith::ConstantIndexOp::create(nb, nloc, halo),
                  linalg::IndexOp::create(nb, nloc, 1));
              linalg::YieldOp::create(
                  nb, nloc,
                  tensor::ExtractOp::create(nb, nloc, k, ValueRange{row, tap})
                      .getResult());
            })
            .getResult(0);
    SmallVector<Value> inputs = {reversed, xp};
    SmallVector<AffineMap> maps = {map(ctx, 4, {ch, s}),
                                   map(ctx, 4, {b0, t + s, ch})};
    if (bidir) {
      inputs.append({kernelRows(d), xp});
      maps.append({map(ctx, 4, {ch, s}), map(ctx, 4, {b0, t + halo + s, ch})});
    }
    rewriter.replaceOp(op, reductionGeneric(rewriter, loc,
                                            tensor::getMixedSizes(rewriter, loc, op.getX()),
                                            1, inputs, maps, multiply));
    return success();
  }
};

struct ShortConvLowering : public OpRewritePattern<ShortConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ShortConvOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op, {op.getW(), op.getBias()})))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    SmallVector<OpFoldResult> shape = tensor::getMixedSizes(rewriter, loc, op.getX());
    int64_t width = cast<RankedTensorType>(op.getW().getType()).getDimSize(1);
    Value xp = zeroPad(rewriter, loc, op.getX(), {0, width - 1, 0}, {0, 0, 0});
    Value init = parallelGeneric(
        rewriter, loc, shape, xType.getElementType(), op.getBias(),
        {dimsMap(ctx, 3, {2})},
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    AffineExpr b0 = getAffineDimExpr(0, ctx), t = getAffineDimExpr(1, ctx),
               ch = getAffineDimExpr(2, ctx), j = getAffineDimExpr(3, ctx);
    // loops (b, t, d, j): y[b,t,d] += w[d,j] * xp[b, t+j, d]
    rewriter.replaceOp(
        op, reductionGeneric(rewriter, loc, shape, 1,
                             {op.getW(), xp},
                             {map(ctx, 4, {ch, j}), map(ctx, 4, {b0, t + j, ch})},
                             multiply, init));
    return success();
  }
};

} // namespace

void seqboat::populateConvPatterns(RewritePatternSet &patterns) {
  patterns.add<LongConvLowering, ShortConvLowering>(patterns.getContext());
}
