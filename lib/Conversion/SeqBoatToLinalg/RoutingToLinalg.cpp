//===- RoutingToLinalg.cpp - route, compact_index, gather, scatter --------===//

#include "Patterns.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::seqboat;

namespace {

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// 0 <= p < len: slots holding -1 (or anything out of range) are empty, so
/// malformed positions can never index out of bounds.
Value inRange(OpBuilder &b, Location loc, Value p, Value len) {
  Value nonNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                            p, constant(b, loc, p.getType(), 0));
  Value bound = arith::IndexCastOp::create(b, loc, p.getType(), len);
  Value below =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, p, bound);
  return arith::AndIOp::create(b, loc, nonNegative, below);
}

/// pi = softmax(u / tau); active = pi_1 > pi_0; gate = max(pi_0, pi_1).
struct RouteLowering : public OpRewritePattern<RouteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RouteOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op, {})))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto gateType = cast<RankedTensorType>(op.getGate().getType());
    auto activeType = cast<RankedTensorType>(op.getActive().getType());
    Type et = gateType.getElementType();
    AffineExpr bi = getAffineDimExpr(0, ctx), li = getAffineDimExpr(1, ctx);
    SmallVector<AffineMap> maps = {
        map(ctx, 2, {bi, li, getAffineConstantExpr(0, ctx)}),
        map(ctx, 2, {bi, li, getAffineConstantExpr(1, ctx)}),
        map(ctx, 2, {}), rewriter.getMultiDimIdentityMap(2),
        rewriter.getMultiDimIdentityMap(2)};
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, op.getU(), 0),
        tensor::getMixedSize(rewriter, loc, op.getU(), 1)};
    Value gateInit = emptyTensor(rewriter, loc, sizes, et);
    Value activeInit = emptyTensor(rewriter, loc, sizes, rewriter.getI1Type());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{gateType, activeType},
        ValueRange{op.getU(), op.getU(), op.getLogTemp()},
        ValueRange{gateInit, activeInit}, maps,
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value tau = math::ExpOp::create(b, l, a[2]);
          Value s0 = arith::DivFOp::create(b, l, a[0], tau);
          Value s1 = arith::DivFOp::create(b, l, a[1], tau);
          Value m = arith::MaximumFOp::create(b, l, s0, s1);
          Value e0 = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, s0, m));
          Value e1 = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, s1, m));
          Value sum = arith::AddFOp::create(b, l, e0, e1);
          Value p0 = arith::DivFOp::create(b, l, e0, sum);
          Value p1 = arith::DivFOp::create(b, l, e1, sum);
          Value active =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, p1, p0);
          Value gate = arith::MaximumFOp::create(b, l, p0, p1);
          linalg::YieldOp::create(b, l, ValueRange{gate, active});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// A per-row prefix scan: an scf.for over rows, an scf.for over tokens
/// carrying the running count, writing t into slot count when active.
struct CompactIndexLowering : public OpRewritePattern<CompactIndexOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CompactIndexOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op, {})))
      return failure();
    Location loc = op.getLoc();
    OpFoldResult bsz = tensor::getMixedSize(rewriter, loc, op.getActive(), 0),
                 len = tensor::getMixedSize(rewriter, loc, op.getActive(), 1);
    Type i32 = rewriter.getI32Type();
    Value pos0 = filledTensor(rewriter, loc, {bsz, len}, i32, -1);
    Value count0 = emptyTensor(rewriter, loc, {bsz}, i32);
    Value zero = indexConst(rewriter, loc, 0), one = indexConst(rewriter, loc, 1);
    Value lenValue = getValueOrCreateConstantIndexOp(rewriter, loc, len);
    auto rows = scf::ForOp::create(
        rewriter, loc, zero, getValueOrCreateConstantIndexOp(rewriter, loc, bsz), one,
        ValueRange{pos0, count0},
        [&](OpBuilder &b, Location l, Value row, ValueRange rowArgs) {
          Value zero32 = constant(b, l, i32, 0);
          auto tokens = scf::ForOp::create(
              b, l, zero, lenValue, one,
              ValueRange{rowArgs[0], zero32},
              [&](OpBuilder &ib, Location il, Value t, ValueRange args) {
                Value isActive = tensor::ExtractOp::create(
                    ib, il, op.getActive(), ValueRange{row, t});
                auto branch = scf::IfOp::create(
                    ib, il, isActive,
                    [&](OpBuilder &tb, Location tl) {
                      Value slot = arith::IndexCastOp::create(
                          tb, tl, tb.getIndexType(), args[1]);
                      Value t32 = arith::IndexCastOp::create(tb, tl, i32, t);
                      Value pos = tensor::InsertOp::create(
                          tb, tl, t32, args[0], ValueRange{row, slot});
                      Value next = arith::AddIOp::create(
                          tb, tl, args[1], constant(tb, tl, i32, 1));
                      scf::YieldOp::create(tb, tl, ValueRange{pos, next});
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, args);
                    });
                scf::YieldOp::create(ib, il, branch.getResults());
              });
          Value count = tensor::InsertOp::create(
              b, l, tokens.getResult(1), rowArgs[1], ValueRange{row});
          scf::YieldOp::create(b, l, ValueRange{tokens.getResult(0), count});
        });
    rewriter.replaceOp(op, rows.getResults());
    return success();
  }
};

/// out[b, i, f] = 0 <= pos[b, i] < L ? x[b, pos[b, i], f] : 0.
struct GatherLowering : public OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op, {})))
      return failure();
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    Type et = outType.getElementType();
    Value x = op.getX();
    assertSameDims(rewriter, op, "B", {{"x", x, 0}, {"pos", op.getPos(), 0}});
    assertSameDims(rewriter, op, "S = L", {{"x", x, 1}, {"pos", op.getPos(), 1}});
    Value len = getValueOrCreateConstantIndexOp(rewriter, loc,
                           tensor::getMixedSize(rewriter, loc, x, 1));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, op.getPos());
    sizes.push_back(tensor::getMixedSize(rewriter, loc, x, 2));
    Value out = parallelGeneric(
        rewriter, loc, sizes, et, op.getPos(),
        {dimsMap(rewriter.getContext(), 3, {0, 1})},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value valid = inRange(b, l, a[0], len);
          Value row = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
          row = arith::SelectOp::create(b, l, valid, row, indexConst(b, l, 0));
          Value v = tensor::ExtractOp::create(
              b, l, x,
              ValueRange{linalg::IndexOp::create(b, l, 0), row,
                         linalg::IndexOp::create(b, l, 2)});
          return arith::SelectOp::create(b, l, valid, v, constant(b, l, et, 0.0))
              .getResult();
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// Zero-initialised output; each slot with 0 <= pos < length has its row
/// copied to that position.
struct ScatterLowering : public OpRewritePattern<ScatterOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op, {})))
      return failure();
    Location loc = op.getLoc();
    auto xcType = cast<RankedTensorType>(op.getXc().getType());
    Type et = xcType.getElementType();
    int64_t f = xcType.getDimSize(2);
    assertSameDims(rewriter, op, "B",
                   {{"xc", op.getXc(), 0}, {"pos", op.getPos(), 0}});
    assertSameDims(rewriter, op, "S",
                   {{"xc", op.getXc(), 1}, {"pos", op.getPos(), 1}});
    OpFoldResult bsz = tensor::getMixedSize(rewriter, loc, op.getXc(), 0);
    // L is `length`, or S when it is omitted (a dynamic sequence).
    OpFoldResult len = op.getLength()
                           ? OpFoldResult(rewriter.getIndexAttr(*op.getLength()))
                           : tensor::getMixedSize(rewriter, loc, op.getXc(), 1);
    Value lenValue = getValueOrCreateConstantIndexOp(rewriter, loc, len);
    Value slots = getValueOrCreateConstantIndexOp(rewriter, loc,
                             tensor::getMixedSize(rewriter, loc, op.getXc(), 1));
    Value init = filledTensor(rewriter, loc,
                              {bsz, len, OpFoldResult(rewriter.getIndexAttr(f))},
                              et, 0.0);
    Value zero = indexConst(rewriter, loc, 0), one = indexConst(rewriter, loc, 1);
    auto rowType = RankedTensorType::get({f}, et);
    auto rows = scf::ForOp::create(
        rewriter, loc, zero, getValueOrCreateConstantIndexOp(rewriter, loc, bsz), one,
        ValueRange{init},
        [&](OpBuilder &b, Location l, Value bi, ValueRange rowArgs) {
          auto slotsLoop = scf::ForOp::create(
              b, l, zero, slots, one, rowArgs,
              [&](OpBuilder &ib, Location il, Value i, ValueRange args) {
                Value p = tensor::ExtractOp::create(ib, il, op.getPos(),
                                                    ValueRange{bi, i});
                Value valid = inRange(ib, il, p, lenValue);
                auto branch = scf::IfOp::create(
                    ib, il, valid,
                    [&](OpBuilder &tb, Location tl) {
                      Value t = arith::IndexCastOp::create(
                          tb, tl, tb.getIndexType(), p);
                      SmallVector<OpFoldResult> one3(3, tb.getIndexAttr(1));
                      SmallVector<OpFoldResult> sizes = {
                          tb.getIndexAttr(1), tb.getIndexAttr(1),
                          tb.getIndexAttr(f)};
                      Value src = tensor::ExtractSliceOp::create(
                          tb, tl, rowType, op.getXc(),
                          SmallVector<OpFoldResult>{bi, i, tb.getIndexAttr(0)},
                          sizes, one3);
                      SmallVector<OpFoldResult> at = {bi, t, tb.getIndexAttr(0)};
                      Value dst = tensor::ExtractSliceOp::create(
                          tb, tl, rowType, args[0], at, sizes, one3);
                      Value copied =
                          linalg::CopyOp::create(tb, tl, src, dst).getResult(0);
                      Value updated = tensor::InsertSliceOp::create(
                          tb, tl, copied, args[0], at, sizes, one3);
                      scf::YieldOp::create(tb, tl, updated);
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, args);
                    });
                scf::YieldOp::create(ib, il, branch.getResults());
              });
          scf::YieldOp::create(b, l, slotsLoop.getResults());
        });
    rewriter.replaceOp(op, rows.getResults());
    return success();
  }
};

} // namespace

void seqboat::populateRoutingPatterns(RewritePatternSet &patterns) {
  patterns.add<RouteLowering, CompactIndexLowering, GatherLowering,
               ScatterLowering>(patterns.getContext());
}
