//===- LinearAttentionToLinalg.cpp - chunked linear attention -------------===//
//
// Bidirectional: kv = K^T V per batch ([B, Z, H]), o = Q kv.
// Causal with decay g, chunks of T (inputs reshaped to [B, nc, T, .]):
//   intra: o_t = sum_{s<=t in chunk} g^(t-s) (q_t . k_s) v_s
//   chunk state: kv_c = sum_s g^(T-1-s) k_s v_s^T                 [B, nc, Z, H]
//   scan (seqboat.state_scan): S_c = g^T S_{c-1} + kv_c, keeping the
//   entering state
//   inter: o_t += g^(t+1) q_t S_{c-1}
// O(L T (Z + H) + L Z H) work.
//
//===----------------------------------------------------------------------===//

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

Value mul(OpBuilder &b, Location loc, ValueRange a) {
  return arith::MulFOp::create(b, loc, a[0], a[1]);
}

/// g^(sign * index(dim) + offset).
Value decayPow(OpBuilder &b, Location loc, Value g, unsigned dim, int64_t sign,
               int64_t offset) {
  Type et = g.getType();
  Value e = indexAsFloat(b, loc, dim, et);
  if (sign < 0)
    e = arith::NegFOp::create(b, loc, e);
  e = arith::AddFOp::create(b, loc, e, constant(b, loc, et, offset));
  return math::PowFOp::create(b, loc, g, e);
}

struct LinearAttentionLowering : public OpRewritePattern<LinearAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LinearAttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op, {op.getDecay()})))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto qType = cast<RankedTensorType>(op.getQ().getType());
    auto vType = cast<RankedTensorType>(op.getV().getType());
    Type et = qType.getElementType();
    int64_t z = qType.getDimSize(2), h = vType.getDimSize(2);
    Value q = op.getQ(), k = op.getK(), v = op.getV();
    assertSameDims(rewriter, op, "B", {{"q", q, 0}, {"k", k, 0}, {"v", v, 0}});
    assertSameDims(rewriter, op, "L", {{"q", q, 1}, {"k", k, 1}, {"v", v, 1}});
    // B and L as q has them (static, or tensor.dim when dynamic).
    OpFoldResult bsz = tensor::getMixedSize(rewriter, loc, q, 0),
                 len = tensor::getMixedSize(rewriter, loc, q, 1);
    auto c = [&](int64_t v) -> OpFoldResult { return rewriter.getIndexAttr(v); };

    if (op.getBidirectional()) {
      // loops (b, z, h, l)
      Value kv = reductionGeneric(
          rewriter, loc, ArrayRef<OpFoldResult>{bsz, c(z), c(h)}, 1, {k, v},
          {dimsMap(ctx, 4, {0, 3, 1}), dimsMap(ctx, 4, {0, 3, 2})},
          [](OpBuilder &b, Location l, ValueRange a) { return mul(b, l, a); });
      // loops (b, l, h, z)
      Value o = reductionGeneric(
          rewriter, loc, ArrayRef<OpFoldResult>{bsz, len, c(h)}, 1, {q, kv},
          {dimsMap(ctx, 4, {0, 1, 3}), dimsMap(ctx, 4, {0, 3, 2})},
          [](OpBuilder &b, Location l, ValueRange a) { return mul(b, l, a); });
      rewriter.replaceOp(op, o);
      return success();
    }

    Value g = op.getDecay()
                  ? tensor::ExtractOp::create(rewriter, loc, op.getDecay(),
                                              ValueRange{})
                        .getResult()
                  : constant(rewriter, loc, et, 1.0);
    SequenceChunks chunks(rewriter, loc, len, op.getChunk());
    int64_t t = chunks.chunk;
    OpFoldResult nc = chunks.count;
    auto chunked = [&](Value x, int64_t) { return chunks.split(rewriter, loc, x); };
    Value qc = chunked(q, z), kc = chunked(k, z), vc = chunked(v, h);

    // Intra-chunk scores a[b, c, t, s] = g^(t-s) (q_t . k_s) for s <= t.
    // loops (b, c, t, s, z)
    Value scores = reductionGeneric(
        rewriter, loc, ArrayRef<OpFoldResult>{bsz, nc, c(t), c(t)}, 1, {qc, kc},
        {dimsMap(ctx, 5, {0, 1, 2, 4}), dimsMap(ctx, 5, {0, 1, 3, 4})},
        [](OpBuilder &b, Location l, ValueRange a) { return mul(b, l, a); });
    AffineMap id4 = rewriter.getMultiDimIdentityMap(4);
    Value masked = parallelGeneric(
        rewriter, loc, ArrayRef<OpFoldResult>{bsz, nc, c(t), c(t)}, et, scores, {id4},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value row = linalg::IndexOp::create(b, l, 2);
          Value col = linalg::IndexOp::create(b, l, 3);
          Value valid =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, col, row);
          Value lag = arith::SubIOp::create(b, l, row, col);
          Value lagF = arith::SIToFPOp::create(
              b, l, et, arith::IndexCastOp::create(b, l, b.getI64Type(), lag));
          Value weighted = arith::MulFOp::create(
              b, l, a[0], math::PowFOp::create(b, l, g, lagF));
          return arith::SelectOp::create(b, l, valid, weighted,
                                         constant(b, l, et, 0.0))
              .getResult();
        });
    // loops (b, c, t, h, s)
    Value intra = reductionGeneric(
        rewriter, loc, ArrayRef<OpFoldResult>{bsz, nc, c(t), c(h)}, 1, {masked, vc},
        {dimsMap(ctx, 5, {0, 1, 2, 4}), dimsMap(ctx, 5, {0, 1, 4, 3})},
        [](OpBuilder &b, Location l, ValueRange a) { return mul(b, l, a); });

    // Chunk states kv[b, c, z, h] = sum_s g^(T-1-s) k_s[z] v_s[h].
    // loops (b, c, z, h, s)
    Value kv = reductionGeneric(
        rewriter, loc, ArrayRef<OpFoldResult>{bsz, nc, c(z), c(h)}, 1, {kc, vc},
        {dimsMap(ctx, 5, {0, 1, 4, 2}), dimsMap(ctx, 5, {0, 1, 4, 3})},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::MulFOp::create(b, l, mul(b, l, a),
                                       decayPow(b, l, g, 4, -1, t - 1));
        });

    // The state entering each chunk, S_c = g^T S_{c-1} + kv_{c-1}: a
    // seqboat.state_scan with g^T for every (z, h) (computed from the decay
    // operand in a parallel op, so that kernels read it as a tensor).
    Value gT;
    if (Value decay = op.getDecay()) {
      gT = parallelGeneric(
          rewriter, loc, {z, h}, et, decay,
          {AffineMap::get(2, 0, {}, ctx)},
          [&](OpBuilder &b, Location l, ValueRange a) {
            return math::PowFOp::create(b, l, a[0], constant(b, l, et, t))
                .getResult();
          });
    } else {
      gT = filledTensor(rewriter, loc, {z, h}, et, 1.0);
    }
    Value entering = StateScanOp::create(rewriter, loc, kv.getType(), kv, gT);

    // o[b, c, t, h] = intra + g^(t+1) sum_z q[b, c, t, z] S[b, c, z, h].
    // loops (b, c, t, h, z)
    Value o = reductionGeneric(
        rewriter, loc, ArrayRef<OpFoldResult>{bsz, nc, c(t), c(h)}, 1, {qc, entering},
        {dimsMap(ctx, 5, {0, 1, 2, 4}), dimsMap(ctx, 5, {0, 1, 4, 3})},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::MulFOp::create(b, l, mul(b, l, a),
                                       decayPow(b, l, g, 2, 1, 1));
        },
        intra);
    rewriter.replaceOp(op, chunks.join(rewriter, loc, o));
    return success();
  }
};

} // namespace

void seqboat::populateLinearAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearAttentionLowering>(patterns.getContext());
}
