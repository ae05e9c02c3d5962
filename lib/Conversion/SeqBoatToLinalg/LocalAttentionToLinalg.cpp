//===- LocalAttentionToLinalg.cpp - windowed attention over active slots --===//
//
// Loops whose trip counts come from count[b] and the window: query slots
// i < count[b], keys j in [max(0, i-w), min(count[b], i+w+1)) (bidirectional)
// or [max(0, i-w), i] (causal). Inactive slots are never visited, so the work
// is O(sum_b count[b] * (2w+1) * (Z + H)). Softmax uses the online
// (running-max) formulation, so each key is visited once. The feature rows
// (scores over Z, the output update over H) are vector FMAs of kRowVector
// lanes on tensors, masked at a row's end.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqboat;

namespace {

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value toIndex(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// for (iv = lb; iv < ub; iv += step) carrying `init`.
scf::ForOp forLoop(
    OpBuilder &b, Location loc, Value lb, Value ub, ValueRange init,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, Value,
                                          ValueRange)>
        body,
    int64_t step = 1) {
  return scf::ForOp::create(
      b, loc, lb, ub, idx(b, loc, step), init,
      [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
        scf::YieldOp::create(nb, nl, body(nb, nl, iv, args));
      });
}

/// Feature rows (the Z of q/k, the H of v/out) are processed in vectors of
/// this many elements; the last vector of a row whose length it does not
/// divide is masked.
constexpr int64_t kRowVector = 16;


/// row[b, r, c : c + kRowVector] of a [B, S, F] tensor (zeros past F).
Value readRow(OpBuilder &b, Location l, Value tensor, ValueRange index,
              int64_t features, Value zero) {
  auto type = VectorType::get({kRowVector}, zero.getType());
  bool inBounds = features % kRowVector == 0;
  return vector::TransferReadOp::create(b, l, type, tensor, index, zero,
                                        ArrayRef<bool>{inBounds});
}

/// Writes `value` to row[b, r, c : c + kRowVector] (lanes past F dropped).
Value writeRow(OpBuilder &b, Location l, Value value, Value tensor,
               ValueRange index, int64_t features) {
  bool inBounds = features % kRowVector == 0;
  return vector::TransferWriteOp::create(b, l, value, tensor, index,
                                         ArrayRef<bool>{inBounds})
      .getResult();
}

Value splat(OpBuilder &b, Location l, Value scalar) {
  return vector::BroadcastOp::create(
      b, l, VectorType::get({kRowVector}, scalar.getType()), scalar);
}


struct LocalAttentionLowering : public OpRewritePattern<LocalAttentionOp> {
  LocalAttentionLowering(MLIRContext *ctx, int64_t queryBlock)
      : OpRewritePattern(ctx), queryBlock(queryBlock) {}

  /// Query slots per parallel block of the whole op (at most; a divisor of
  /// S is taken).
  int64_t queryBlock;

  LogicalResult matchAndRewrite(LocalAttentionOp op,
                                PatternRewriter &rewriter) const override {
    // A tile of queries (the strategies' tiles) may have a dynamic number
    // of rows (a partial tile; its size is the tile's second value) and read
    // keys of a dynamic batch and sequence (dynamic B and S); the features
    // and rel_bias are static.
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    bool tiled = !op.getQueryTile().empty();
    if (tiled && failed(requireStaticFeatures(rewriter, op, {op.getRelBias()})))
      return failure();
    // Dynamic B and S (the whole op): one query at a time, as the tiles.
    bool dynamicSeq = !tiled && hasDynamicDims(op);
    if (dynamicSeq && failed(requireStaticFeatures(rewriter, op,
                                                   {op.getRelBias()})))
      return failure();
    if (!tiled && !dynamicSeq && failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    auto qType = cast<RankedTensorType>(op.getQ().getType());
    auto vType = cast<RankedTensorType>(op.getV().getType());
    Type et = qType.getElementType();
    int64_t bsz = qType.getDimSize(0), slots = qType.getDimSize(1),
            z = qType.getDimSize(2), h = vType.getDimSize(2);
    if (bsz == 0 || slots == 0 || z == 0 || h == 0)
      return rewriter.notifyMatchFailure(op, "empty shapes");
    if (dynamicSeq) {
      assertSameDims(rewriter, op, "B",
                     {{"q", op.getQ(), 0}, {"k", op.getK(), 0},
                      {"v", op.getV(), 0}, {"pos", op.getPos(), 0},
                      {"count", op.getCount(), 0}});
      assertSameDims(rewriter, op, "S",
                     {{"q", op.getQ(), 1}, {"k", op.getK(), 1},
                      {"v", op.getV(), 1}, {"pos", op.getPos(), 1}});
    }
    Value bszV = getValueOrCreateConstantIndexOp(
        rewriter, loc, tensor::getMixedSize(rewriter, loc, op.getQ(), 0));
    Value slotsV = getValueOrCreateConstantIndexOp(
        rewriter, loc, tensor::getMixedSize(rewriter, loc, op.getQ(), 1));
    // Output rows: query slots [first, first + rows) (all S by default).
    Value first = idx(rewriter, loc, 0), rows = slotsV;
    if (!op.getQueryTile().empty()) {
      first = op.getQueryTile()[0];
      rows = op.getQueryTile()[1];
      // Never more rows than the result holds, nor fewer than none; never
      // before slot 0 (malformed tiles read nothing out of bounds).
      if (!outType.isDynamicDim(1))
        rows = arith::MinSIOp::create(rewriter, loc, rows,
                                      idx(rewriter, loc, outType.getDimSize(1)));
      rows = arith::MaxSIOp::create(rewriter, loc, rows, idx(rewriter, loc, 0));
      first = arith::MaxSIOp::create(rewriter, loc, first, idx(rewriter, loc, 0));
    }
    bool bidir = op.getBidirectional();
    Activation act = op.getActivation();
    double scale = act == Activation::softmax
                       ? 1.0 / std::sqrt(static_cast<double>(z))
                       : windowScale(op.getWindow(), bidir);
    // Keys and queries are slots in [0, S): a wider window allows no more.
    // (A dynamic S bounds it at run time; 2^40 keeps i + w + 1 in range.)
    int64_t w = windowReach(op.getWindow(), ShapedType::isDynamic(slots)
                                                ? (int64_t(1) << 40)
                                                : slots);
    Value q = op.getQ(), k = op.getK(), v = op.getV(), pos = op.getPos();
    Value relBias = op.getRelBias();
    int64_t maxDist =
        relBias ? (cast<RankedTensorType>(relBias.getType()).getDimSize(0) + 1) / 2
                : 0;

    SmallVector<Value> dynamicSizes;
    if (outType.isDynamicDim(0))
      dynamicSizes.push_back(bszV);
    // The tile's rows as the op's reified shape has them (unclamped), so
    // the strategy's tile write can take over this tensor (empty-tensor
    // elimination) instead of a copy from a scratch buffer.
    if (outType.isDynamicDim(1))
      dynamicSizes.push_back(op.getQueryTile().empty() ? rows
                                                       : op.getQueryTile()[1]);
    Value empty = tensor::EmptyOp::create(rewriter, loc, outType.getShape(),
                                          et, dynamicSizes);
    Value out0 = linalg::FillOp::create(rewriter, loc,
                                        constant(rewriter, loc, et, 0.0), empty)
                     .getResult(0);
    // count[b] clamped to [0, S], so malformed counts cannot index out of
    // bounds.
    auto countOf = [&](OpBuilder &b, Location l, Value bi) -> Value {
      Value cnt =
          toIndex(b, l, tensor::ExtractOp::create(b, l, op.getCount(), bi));
      return arith::MinSIOp::create(
          b, l, arith::MaxSIOp::create(b, l, cnt, idx(b, l, 0)), slotsV);
    };

    // Query slots [first, first + rows) of batch row bi, written to rows
    // [0, rows) of batch row outBatch of `dest`, one query at a time: the
    // rows before count[b] hold active queries; the others stay 0.
    auto queries = [&](OpBuilder &b, Location l, Value bi, Value first,
                       Value rows, Value outBatch, Value dest) {
      Value cnt = countOf(b, l, bi);
      Value active = arith::MinSIOp::create(
          b, l, rows,
          arith::MaxSIOp::create(b, l, arith::SubIOp::create(b, l, cnt, first),
                                 idx(b, l, 0)));
      return forLoop(
          b, l, idx(b, l, 0), active, dest,
          [&](OpBuilder &qb, Location ql, Value r, ValueRange qArgs) {
            Value i = arith::AddIOp::create(qb, ql, first, r);
            return buildQuery(qb, ql, bi, i, outBatch, r, cnt, qArgs[0], q, k,
                              v, pos, relBias, maxDist, z, h, w, bidir, act,
                              scale, et);
          });
    };

    if (op.getQueryTile().empty() &&
        (dynamicSeq || largestDivisor(slots, queryBlock) <
                           std::min<int64_t>(kRowVector, slots))) {
      // Blocks of query slots, one query at a time, as the GPU path's tiles
      // do: when B or S is dynamic (up to `queryBlock` slots, the last block
      // partial), or when S has no divisor that makes blocks of at least a
      // vector of queries (a prime S, say), instead of contractions of a
      // column or two.
      int64_t block =
          dynamicSeq ? queryBlock : largestDivisor(slots, queryBlock);
      Value result = rowBlockForall(
          rewriter, loc, out0, block,
          [&](OpBuilder &b, Location l, Value bi, Value start, Value tile) {
            Value rows = tensor::DimOp::create(b, l, tile, 1);
            return queries(b, l, bi, start, rows, idx(b, l, 0), tile)
                .getResult(0);
          });
      rewriter.replaceOp(op, result);
      return success();
    }
    if (op.getQueryTile().empty()) {
      rewriter.replaceOp(op, buildBlocks(rewriter, loc, out0, q, k, v, pos,
                                         relBias, maxDist, countOf, slots, z,
                                         h, w, bidir, act, scale, et,
                                         queryBlock));
      return success();
    }

    auto batchLoop = forLoop(
        rewriter, loc, idx(rewriter, loc, 0), bszV, out0,
        [&](OpBuilder &b, Location l, Value bi, ValueRange bArgs) {
          return SmallVector<Value>(
              queries(b, l, bi, first, rows, bi, bArgs[0]).getResults());
        });
    rewriter.replaceOp(op, batchLoop.getResults());
    return success();
  }

  /// The whole op as independent blocks of query slots: an scf.forall over
  /// (batch row, block of up to `queryBlock` slots), threads on the CPU.
  /// Block [start, start + P) attends to one key tile [ks, ks + T) that
  /// holds every query's window (T = P + 2w, or P + w when causal, at most
  /// S), so its scores and its output are two contractions that the host
  /// contraction strategy register-tiles:
  ///   sT[c, r] = k[ks + c, :] . q[start + r, :]      (scores, keys major)
  ///   o[r, :]  = sum_c p[c, r] v[ks + c, :]
  /// Between them, vector loops over 16 query lanes scale the scores, add
  /// rel_bias (a gather on original positions), mask keys outside the window
  /// or past count[b] and queries past count[b], and apply the activation
  /// (softmax: a max pass, then exp and the row sums). Blocks whose first
  /// slot is past count[b] compute nothing.
  template <typename CountFn>
  static Value buildBlocks(OpBuilder &rewriter, Location loc, Value out0,
                           Value q, Value k, Value v, Value pos, Value relBias,
                           int64_t maxDist, CountFn countOf, int64_t slots,
                           int64_t z, int64_t h, int64_t w, bool bidir,
                           Activation act, double scale, Type et,
                           int64_t queryBlock) {
    MLIRContext *ctx = rewriter.getContext();
    int64_t block = largestDivisor(slots, queryBlock);
    int64_t keys = std::min(slots, block + (bidir ? 2 * w : w));
    bool softmax = act == Activation::softmax;
    auto indexVecType = VectorType::get({kRowVector}, rewriter.getIndexType());
    auto par = utils::IteratorType::parallel;
    auto red = utils::IteratorType::reduction;
    auto mulTerm = [](OpBuilder &b, Location l, ValueRange args) -> Value {
      return arith::MulFOp::create(b, l, args[0], args[1]);
    };
    return rowBlockForall(
        rewriter, loc, out0, block,
        [&](OpBuilder &b, Location l, Value bi, Value start, Value tile) {
          Value cnt = countOf(b, l, bi);
          Value any = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                            start, cnt);
          auto ifOp = scf::IfOp::create(
              b, l, any,
              [&](OpBuilder &tb, Location tl) {
                // First key: the window of slot `start`, moved back so that
                // the tile stays inside [0, S).
                Value ks = arith::MinSIOp::create(
                    tb, tl,
                    arith::MaxSIOp::create(
                        tb, tl,
                        arith::SubIOp::create(tb, tl, start, idx(tb, tl, w)),
                        idx(tb, tl, 0)),
                    idx(tb, tl, slots - keys));
                auto slice = [&](Value src, Value first, int64_t n,
                                 int64_t f) -> Value {
                  auto type = RankedTensorType::get({n, f}, et);
                  return tensor::ExtractSliceOp::create(
                      tb, tl, type, src,
                      ArrayRef<OpFoldResult>{bi, first, tb.getIndexAttr(0)},
                      ArrayRef<OpFoldResult>{tb.getIndexAttr(1),
                                             tb.getIndexAttr(n),
                                             tb.getIndexAttr(f)},
                      SmallVector<OpFoldResult>(3, tb.getIndexAttr(1)));
                };
                Value qBlock = slice(q, start, block, z);
                Value kTile = slice(k, ks, keys, z);
                // Rows of v at or past count[b] (padding, possibly not
                // finite) enter the output contraction with weight 0: they
                // are zeroed, as 0 * inf would be NaN.
                Value vTile = parallelGeneric(
                    tb, tl, {keys, h}, et, slice(v, ks, keys, h),
                    {tb.getMultiDimIdentityMap(2)},
                    [&](OpBuilder &gb, Location gl, ValueRange a) -> Value {
                      Value j = arith::AddIOp::create(
                          gb, gl, ks, linalg::IndexOp::create(gb, gl, 0));
                      Value inside = arith::CmpIOp::create(
                          gb, gl, arith::CmpIPredicate::slt, j, cnt);
                      return arith::SelectOp::create(
                          gb, gl, inside, a[0], constant(gb, gl, et, 0.0));
                    });
                // sT[c, r] = sum_z k[c, z] q[r, z].
                Value scores = accumulateGeneric(
                    tb, tl, filledTensor(tb, tl, {keys, block}, et, 0.0),
                    {kTile, qBlock},
                    {dimsMap(ctx, 3, {0, 2}), dimsMap(ctx, 3, {1, 2})},
                    dimsMap(ctx, 3, {0, 1}), {par, par, red}, mulTerm);
                Value inv = emptyTensor(tb, tl, {block}, et);
                auto lanes = forLoop(
                    tb, tl, idx(tb, tl, 0), idx(tb, tl, block),
                    ValueRange{scores, inv},
                    [&](OpBuilder &cb, Location cl, Value r0,
                        ValueRange carried) {
                      return buildLanes(cb, cl, r0, carried[0], carried[1],
                                        bi, start, ks, cnt, pos, relBias,
                                        maxDist, block, keys, w, bidir, act,
                                        scale, et, indexVecType);
                    },
                    kRowVector);
                Value probs = lanes.getResult(0);
                // o[r, h] = sum_c p[c, r] v[c, h].
                Value o = accumulateGeneric(
                    tb, tl, filledTensor(tb, tl, {block, h}, et, 0.0),
                    {probs, vTile},
                    {dimsMap(ctx, 3, {2, 0}), dimsMap(ctx, 3, {2, 1})},
                    dimsMap(ctx, 3, {0, 1}), {par, par, red}, mulTerm);
                // The tile's rows: o, divided by the softmax's row sums.
                SmallVector<Value> inputs = {o};
                SmallVector<AffineMap> maps = {dimsMap(ctx, 3, {1, 2})};
                if (softmax) {
                  inputs.push_back(lanes.getResult(1));
                  maps.push_back(dimsMap(ctx, 3, {1}));
                }
                Value result = parallelUpdate(
                    tb, tl, tile, inputs, maps,
                    [&](OpBuilder &eb, Location el, ValueRange args) -> Value {
                      // Added to the tile's zeros: a generic that reads its
                      // init bufferizes in place into the output tile.
                      Value value = softmax ? arith::MulFOp::create(
                                                  eb, el, args[0], args[1])
                                                  .getResult()
                                            : args[0];
                      return arith::AddFOp::create(eb, el, args.back(), value);
                    });
                scf::YieldOp::create(tb, tl, result);
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, tile);
              });
          return ifOp.getResult(0);
        });
  }

  /// Query lanes [r0, r0 + kRowVector) of a block: turns their column of the
  /// scores sT into what multiplies v (the activation, or the softmax's
  /// exp(s - max)), masked, and writes the softmax's 1 / row sum to `inv`.
  static SmallVector<Value>
  buildLanes(OpBuilder &b, Location l, Value r0, Value scores, Value inv,
             Value bi, Value start, Value ks, Value cnt, Value pos,
             Value relBias, int64_t maxDist, int64_t block, int64_t keys,
             int64_t w, bool bidir, Activation act, double scale, Type et,
             VectorType indexVecType) {
    auto vecType = VectorType::get({kRowVector}, et);
    bool lanesInBounds = block % kRowVector == 0;
    Value zeroF = constant(b, l, et, 0.0);
    Value zeroVec = splat(b, l, zeroF);
    Value negInfVec = splat(b, l, constant(b, l, et, -INFINITY));
    auto splatIndex = [&](OpBuilder &sb, Location sl, Value i) -> Value {
      return vector::BroadcastOp::create(sb, sl, indexVecType, i);
    };
    auto cmp = [&](OpBuilder &sb, Location sl, arith::CmpIPredicate p, Value x,
                   Value y) -> Value {
      return arith::CmpIOp::create(sb, sl, p, x, y);
    };
    // Query slots of the lanes; a lane is a query when its slot < count[b]
    // (lanes past the block are dropped by the writes).
    Value first = arith::AddIOp::create(b, l, start, r0);
    Value slotsVec = arith::AddIOp::create(
        b, l, splatIndex(b, l, first), vector::StepOp::create(b, l, indexVecType));
    Value isQuery =
        cmp(b, l, arith::CmpIPredicate::slt, slotsVec, splatIndex(b, l, cnt));
    // Keys j of query i: i - w <= j, and j <= i + w with j < count[b]
    // (bidirectional) or j <= i (causal).
    Value lowVec = arith::SubIOp::create(b, l, slotsVec,
                                         splatIndex(b, l, idx(b, l, w)));
    Value highVec =
        bidir ? arith::MinSIOp::create(
                    b, l,
                    arith::AddIOp::create(b, l, slotsVec,
                                          splatIndex(b, l, idx(b, l, w))),
                    splatIndex(b, l,
                               arith::SubIOp::create(b, l, cnt, idx(b, l, 1))))
                    .getResult()
              : slotsVec;
    Value posI;
    if (relBias) {
      auto posVecType =
          VectorType::get({kRowVector}, cast<RankedTensorType>(pos.getType())
                                            .getElementType());
      Value posZero = arith::ConstantOp::create(
          b, l, b.getZeroAttr(posVecType.getElementType()));
      posI = vector::TransferReadOp::create(b, l, posVecType, pos,
                                            ValueRange{bi, first}, posZero,
                                            ArrayRef<bool>{false});
      posI = arith::IndexCastOp::create(b, l, indexVecType, posI);
    }
    auto read = [&](OpBuilder &rb, Location rl, Value t, Value c) -> Value {
      return vector::TransferReadOp::create(rb, rl, vecType, t,
                                            ValueRange{c, r0}, zeroF,
                                            ArrayRef<bool>{lanesInBounds});
    };
    auto write = [&](OpBuilder &wb, Location wl, Value value, Value t,
                     Value c) -> Value {
      return vector::TransferWriteOp::create(wb, wl, value, t,
                                             ValueRange{c, r0},
                                             ArrayRef<bool>{lanesInBounds})
          .getResult();
    };
    bool softmax = act == Activation::softmax;

    // Pass 1: scale, bias, activation (not softmax's), mask; the row max.
    SmallVector<Value> init = {scores};
    if (softmax)
      init.push_back(negInfVec);
    auto pass1 = forLoop(
        b, l, idx(b, l, 0), idx(b, l, keys), init,
        [&](OpBuilder &kb, Location kl, Value c, ValueRange args) {
          Value j = arith::AddIOp::create(kb, kl, ks, c);
          Value jVec = splatIndex(kb, kl, j);
          Value s = arith::MulFOp::create(
              kb, kl, read(kb, kl, args[0], c),
              splat(kb, kl, constant(kb, kl, et, scale)));
          if (relBias) {
            // rel_bias[clamp(pos_j - pos_i, -(M-1), M-1) + M-1]
            Value posJ = toIndex(
                kb, kl, tensor::ExtractOp::create(kb, kl, pos, ValueRange{bi, j}));
            Value rel = arith::SubIOp::create(kb, kl, splatIndex(kb, kl, posJ),
                                              posI);
            rel = arith::MaxSIOp::create(
                kb, kl, rel, splatIndex(kb, kl, idx(kb, kl, -(maxDist - 1))));
            rel = arith::MinSIOp::create(
                kb, kl, rel, splatIndex(kb, kl, idx(kb, kl, maxDist - 1)));
            rel = arith::AddIOp::create(
                kb, kl, rel, splatIndex(kb, kl, idx(kb, kl, maxDist - 1)));
            Value all = vector::ConstantMaskOp::create(
                kb, kl, VectorType::get({kRowVector}, kb.getI1Type()),
                vector::ConstantMaskKind::AllTrue);
            Value bias = vector::GatherOp::create(
                kb, kl, vecType, relBias, ValueRange{idx(kb, kl, 0)}, rel,
                all, zeroVec);
            s = arith::AddFOp::create(kb, kl, s, bias);
          }
          Value valid = arith::AndIOp::create(
              kb, kl, isQuery,
              arith::AndIOp::create(
                  kb, kl, cmp(kb, kl, arith::CmpIPredicate::sge, jVec, lowVec),
                  cmp(kb, kl, arith::CmpIPredicate::sle, jVec, highVec)));
          if (softmax) {
            Value masked = arith::SelectOp::create(kb, kl, valid, s, negInfVec);
            Value m = arith::MaximumFOp::create(kb, kl, args[1], masked);
            return SmallVector<Value>{write(kb, kl, masked, args[0], c), m};
          }
          Value a = activateScore(kb, kl, act, s, et);
          a = arith::SelectOp::create(kb, kl, valid, a, zeroVec);
          return SmallVector<Value>{write(kb, kl, a, args[0], c)};
        });
    if (!softmax)
      return {pass1.getResult(0), inv};

    // Pass 2: p = exp(s - max) (0 where masked: exp(-inf) = 0; lanes with no
    // key at all, which are not queries, subtract 0 instead of -inf), and
    // the row sums.
    Value m = pass1.getResult(1);
    Value noKey = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, m,
                                        negInfVec);
    m = arith::SelectOp::create(b, l, noKey, zeroVec, m);
    auto pass2 = forLoop(
        b, l, idx(b, l, 0), idx(b, l, keys),
        ValueRange{pass1.getResult(0), zeroVec},
        [&](OpBuilder &kb, Location kl, Value c, ValueRange args) {
          Value p = math::ExpOp::create(
              kb, kl,
              arith::SubFOp::create(kb, kl, read(kb, kl, args[0], c), m));
          return SmallVector<Value>{write(kb, kl, p, args[0], c),
                                    arith::AddFOp::create(kb, kl, args[1], p)};
        });
    // 1 / sum, or 0 for lanes without keys (their output row stays 0).
    Value sum = pass2.getResult(1);
    Value hasKeys = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, sum,
                                          zeroVec);
    Value recip = arith::DivFOp::create(
        b, l, splat(b, l, constant(b, l, et, 1.0)), sum);
    recip = arith::SelectOp::create(b, l, hasKeys, recip, zeroVec);
    Value newInv = vector::TransferWriteOp::create(
                       b, l, recip, inv, ValueRange{r0},
                       ArrayRef<bool>{lanesInBounds})
                       .getResult();
    return {pass2.getResult(0), newInv};
  }

  /// Fills out[outBatch, row, :] for query slot i of batch row bi; returns
  /// the updated output.
  static SmallVector<Value>
  buildQuery(OpBuilder &b, Location l, Value bi, Value i, Value outBatch,
             Value row, Value cnt, Value out,
             Value q, Value k, Value v, Value pos, Value relBias,
             int64_t maxDist, int64_t z, int64_t h, int64_t w, bool bidir,
             Activation act, double scale, Type et) {
    Value lo = arith::MaxSIOp::create(
        b, l, arith::SubIOp::create(b, l, i, idx(b, l, w)), idx(b, l, 0));
    Value hi = bidir ? arith::MinSIOp::create(
                           b, l, arith::AddIOp::create(b, l, i, idx(b, l, w + 1)),
                           cnt)
                     : arith::AddIOp::create(b, l, i, idx(b, l, 1)).getResult();
    Value posI = tensor::ExtractOp::create(b, l, pos, ValueRange{bi, i});
    Value zeroF = constant(b, l, et, 0.0);
    bool softmax = act == Activation::softmax;

    Value zeroVec = splat(b, l, zeroF);
    // q[b, i, :] . k[b, j, :], a vector FMA per kRowVector features.
    auto score = [&](OpBuilder &sb, Location sl, Value j) -> Value {
      auto dot = forLoop(
          sb, sl, idx(sb, sl, 0), idx(sb, sl, z), zeroVec,
          [&](OpBuilder &db, Location dl, Value zi, ValueRange acc) {
            Value qv = readRow(db, dl, q, ValueRange{bi, i, zi}, z, zeroF);
            Value kv = readRow(db, dl, k, ValueRange{bi, j, zi}, z, zeroF);
            return SmallVector<Value>{
                vector::FMAOp::create(db, dl, qv, kv, acc[0])};
          },
          kRowVector);
      Value dotValue = vector::ReductionOp::create(
          sb, sl, vector::CombiningKind::ADD, dot.getResult(0));
      Value s = arith::MulFOp::create(sb, sl, dotValue,
                                      constant(sb, sl, et, scale));
      if (!relBias)
        return s;
      // rel_bias[clamp(pos_j - pos_i, -(M-1), M-1) + M-1]
      Value posJ = tensor::ExtractOp::create(sb, sl, pos, ValueRange{bi, j});
      Value rel = toIndex(sb, sl, arith::SubIOp::create(sb, sl, posJ, posI));
      rel = arith::MaxSIOp::create(sb, sl, rel, idx(sb, sl, -(maxDist - 1)));
      rel = arith::MinSIOp::create(sb, sl, rel, idx(sb, sl, maxDist - 1));
      rel = arith::AddIOp::create(sb, sl, rel, idx(sb, sl, maxDist - 1));
      Value bias = tensor::ExtractOp::create(sb, sl, relBias, rel);
      return arith::AddFOp::create(sb, sl, s, bias);
    };

    // out[b, i, :] = out[b, i, :] * keep + weight * v[b, j, :].
    auto accumulate = [&](OpBuilder &ab, Location al, Value dst, Value j,
                          Value keep, Value weight) {
      Value keepVec = keep ? splat(ab, al, keep) : Value();
      Value weightVec = splat(ab, al, weight);
      auto hLoop = forLoop(
          ab, al, idx(ab, al, 0), idx(ab, al, h), dst,
          [&](OpBuilder &hb, Location hl, Value hc, ValueRange acc) {
            Value cur = readRow(hb, hl, acc[0], ValueRange{outBatch, row, hc}, h, zeroF);
            if (keepVec)
              cur = arith::MulFOp::create(hb, hl, cur, keepVec);
            Value vv = readRow(hb, hl, v, ValueRange{bi, j, hc}, h, zeroF);
            Value upd = vector::FMAOp::create(hb, hl, weightVec, vv, cur);
            return SmallVector<Value>{
                writeRow(hb, hl, upd, acc[0], ValueRange{outBatch, row, hc}, h)};
          },
          kRowVector);
      return hLoop.getResult(0);
    };

    if (!softmax) {
      auto keyLoop = forLoop(
          b, l, lo, hi, out,
          [&](OpBuilder &kb, Location kl, Value j, ValueRange args) {
            Value s = score(kb, kl, j);
            Value a = activateScore(kb, kl, act, s, et);
            return SmallVector<Value>{accumulate(kb, kl, args[0], j, {}, a)};
          });
      return SmallVector<Value>(keyLoop.getResults());
    }

    // Online softmax: running max m and denominator d; rescale the partial
    // output whenever the max grows.
    Value negInf = constant(b, l, et, -INFINITY);
    auto keyLoop = forLoop(
        b, l, lo, hi, ValueRange{out, negInf, zeroF},
        [&](OpBuilder &kb, Location kl, Value j, ValueRange args) {
          Value s = score(kb, kl, j);
          Value m = arith::MaximumFOp::create(kb, kl, args[1], s);
          Value keep = math::ExpOp::create(
              kb, kl, arith::SubFOp::create(kb, kl, args[1], m));
          Value p = math::ExpOp::create(kb, kl,
                                        arith::SubFOp::create(kb, kl, s, m));
          Value d = arith::AddFOp::create(
              kb, kl, arith::MulFOp::create(kb, kl, args[2], keep), p);
          return SmallVector<Value>{accumulate(kb, kl, args[0], j, keep, p), m,
                                    d};
        });
    // Normalise; the window always holds the query itself, so d > 0.
    Value denom = keyLoop.getResult(2);
    Value denomVec = splat(b, l, denom);
    auto norm = forLoop(
        b, l, idx(b, l, 0), idx(b, l, h), keyLoop.getResult(0),
        [&](OpBuilder &nb, Location nl, Value hc, ValueRange acc) {
          Value cur = readRow(nb, nl, acc[0], ValueRange{outBatch, row, hc}, h, zeroF);
          Value scaled = arith::DivFOp::create(nb, nl, cur, denomVec);
          return SmallVector<Value>{
              writeRow(nb, nl, scaled, acc[0], ValueRange{outBatch, row, hc}, h)};
        },
        kRowVector);
    return SmallVector<Value>(norm.getResults());
  }
};

} // namespace

Value seqboat::activateScore(OpBuilder &b, Location l, Activation act,
                             Value s, Type et) {
  auto c = [&](double v) -> Value {
    Value scalar = constant(b, l, et, v);
    if (auto type = dyn_cast<VectorType>(s.getType()))
      return vector::BroadcastOp::create(b, l, type, scalar);
    return scalar;
  };
  if (act == Activation::relu2) {
    Value r = arith::MaximumFOp::create(b, l, s, c(0.0));
    return arith::MulFOp::create(b, l, r, r);
  }
  // laplace: 0.5 (1 + erf((s - mu) / (std sqrt 2))), mu = sqrt(1/2),
  // std = sqrt(1/(4 pi)).
  Value t = arith::DivFOp::create(
      b, l, arith::SubFOp::create(b, l, s, c(std::sqrt(0.5))),
      c(std::sqrt(0.25 / M_PI) * std::sqrt(2.0)));
  Value e = math::ErfOp::create(b, l, t);
  return arith::MulFOp::create(b, l, c(0.5),
                               arith::AddFOp::create(b, l, c(1.0), e));
}

void seqboat::populateLocalAttentionPatterns(RewritePatternSet &patterns,
                                             int64_t queryBlock) {
  patterns.add<LocalAttentionLowering>(patterns.getContext(), queryBlock);
}
