//===- LocalAttentionFlash.cpp - a query tile as key tiles, online softmax ===//
//
// The attention strategy's form of a query tile of seqboat.local_attention
// (the op's `queries(%first, %n)` form on one batch row, at most QB query
// slots, the H features of v the tile holds): FlashAttention-2's loop over
// tiles of KB keys, written as linalg on tensors so that the strategies tile
// and map it like any other linalg:
//
//   Qt[QB, Z] = c · q[first + i]                      (rows clamped in range)
//   for j0 = lo to hi step KB:                        (keys of the tile's windows)
//     Kt[KB, Z] = k[j0 + j], Vt[KB, H] = v[j0 + j]    (rows clamped in range)
//     S  = Qt · Ktᵀ                                    linalg.matmul
//     S' = mask(S + rel_bias[pos_j − pos_i])           window, causality, count
//     softmax: m' = max(m, rowmax S'), α = exp(m − m'), P = exp(S' − m'),
//              l' = α·l + rowsum P, acc' = α·acc + P · Vt  linalg.matmul
//     relu2, laplace: P = act(S') masked, acc' = acc + P · Vt
//   out = acc / l (softmax; 0 where l = 0), acc otherwise
//
// Q, K, V and rel_bias are read element by element (readElement): an
// operand's elementwise producer in the kernel (kernel formation puts the
// layer's q = z·γ₀ + β₀ there, or the extension of a 16-bit operand) is
// computed where an element is read, not materialised.
//
// Under seqboat.autocast = T (f16 or bf16) the products multiply T tiles,
// as a PyTorch autocast model's attention does: Qt, Kt and Vt are rounded
// to T as they are gathered, and P as it is computed (l sums the rounded
// P, the weights P·V applies); S, the row statistics and acc stay f32.
//
// lo and hi bound the keys of the tile's active queries (slots before
// count[b]): keys outside every window are never visited, so the work
// follows the window and the active tokens, not S. Masked scores leave the
// running max alone (they are the lowest float) and weigh 0. A tile whose
// first slot is past count[b] is zeros.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::seqboat;

namespace {

Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value minI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MinSIOp::create(b, loc, x, y);
}
Value maxI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MaxSIOp::create(b, loc, x, y);
}
Value addI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value subI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::SubIOp::create(b, loc, x, y);
}
Value cmpI(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x,
           Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}
Value andI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}

/// rows[r(i), :] of a [1, S, F] tensor as a [n, F] tile of `tileType`, r
/// given per row index i (a linalg.index inside the generic), each element
/// scaled by `scale` when it is not 1, then rounded to `tileType` when that
/// is narrower than the source's `et`.
Value gatherRows(OpBuilder &b, Location loc, Value src, int64_t n, int64_t f,
                 Type et, Type tileType, double scale,
                 llvm::function_ref<Value(OpBuilder &, Location, Value)> row) {
  return parallelGeneric(
      b, loc, {n, f}, tileType, ValueRange{}, {},
      [&](OpBuilder &gb, Location gl, ValueRange) -> Value {
        Value i = linalg::IndexOp::create(gb, gl, 0);
        Value c = linalg::IndexOp::create(gb, gl, 1);
        Value x = readElement(gb, gl, src,
                              ValueRange{idx(gb, gl, 0), row(gb, gl, i), c});
        if (scale != 1.0)
          x = arith::MulFOp::create(gb, gl, x, constant(gb, gl, et, scale));
        if (tileType != et)
          x = arith::TruncFOp::create(gb, gl, tileType, x);
        return x;
      });
}

/// init[i] = combine(init[i], x[i, j]) over j (a row reduction of a 2-D
/// tile into a 1-D tensor).
Value rowReduce(OpBuilder &b, Location loc, Value x, Value init,
                llvm::function_ref<Value(OpBuilder &, Location, Value, Value)>
                    combine) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(init.getType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{dimsMap(ctx, 2, {0, 1}), dimsMap(ctx, 2, {0})},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [&](OpBuilder &gb, Location gl, ValueRange args) {
               linalg::YieldOp::create(gb, gl,
                                       combine(gb, gl, args[1], args[0]));
             })
      .getResult(0);
}

/// a[M, K] · b[N, K]ᵀ (transposed) or a[M, K] · b[K, N] accumulated into
/// `acc` [M, N]: linalg.matmul, the op the contraction lowering takes.
Value matmul(OpBuilder &b, Location loc, Value a, Value bT, Value acc,
             bool transposeB) {
  MLIRContext *ctx = b.getContext();
  auto mm = linalg::MatmulOp::create(b, loc, TypeRange{acc.getType()},
                                     ValueRange{a, bT}, ValueRange{acc});
  if (transposeB) {
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    mm.setIndexingMapsAttr(b.getAffineMapArrayAttr(
        {AffineMap::get(3, 0, {m, k}, ctx), AffineMap::get(3, 0, {n, k}, ctx),
         AffineMap::get(3, 0, {m, n}, ctx)}));
  }
  return mm.getResult(0);
}

/// The elementwise op that reads the tile of `op` (the scan kernel's
/// epilogue, tiled with it: the layer's gate o·r), when the lowering can
/// compute it where it writes the tile: an all-parallel linalg.generic of
/// the same block over the tile's loops, with one result and an init it
/// does not read, that reads the tile once through the identity map and
/// otherwise tensors defined before `op` (or slices taken after it of
/// values defined before it, which `moved` collects), with a body of
/// region-free ops. Null when there is none.
linalg::GenericOp tileEpilogue(LocalAttentionOp op,
                               SmallVectorImpl<Operation *> &moved) {
  Value out = op.getOut();
  if (!out.hasOneUse())
    return {};
  auto epi = dyn_cast<linalg::GenericOp>(*out.getUsers().begin());
  auto outType = cast<RankedTensorType>(out.getType());
  if (!epi || epi->getBlock() != op->getBlock() ||
      !epi.hasPureTensorSemantics() || epi->getNumResults() != 1 ||
      epi.getNumDpsInits() != 1 ||
      epi.getNumParallelLoops() != epi.getNumLoops() ||
      epi.getNumLoops() != static_cast<unsigned>(outType.getRank()) ||
      epi.payloadUsesValueFromOperand(epi.getDpsInitOperand(0)))
    return {};
  for (Operation &o : epi.getBody()->without_terminator())
    if (o.getNumRegions() != 0)
      return {};
  // (A value `epi` reads is defined in its block or an enclosing one.)
  auto before = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return !def || def->getBlock() != op->getBlock() ||
           def->isBeforeInBlock(op);
  };
  unsigned reads = 0;
  for (OpOperand *in : epi.getDpsInputOperands()) {
    Value v = in->get();
    if (v == out) {
      if (!epi.getMatchingIndexingMap(in).isIdentity())
        return {};
      ++reads;
      continue;
    }
    if (before(v))
      continue;
    // A slice of values from before `op`, taken between `op` and `epi`.
    auto slice = v.getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || slice->getBlock() != op->getBlock() ||
        !llvm::all_of(slice->getOperands(), before))
      return {};
    moved.push_back(slice);
  }
  return reads == 1 ? epi : linalg::GenericOp();
}

struct LocalAttentionFlash : public OpRewritePattern<LocalAttentionOp> {
  LocalAttentionFlash(MLIRContext *ctx, int64_t keyBlock)
      : OpRewritePattern(ctx, /*benefit=*/2), keyBlock(keyBlock) {}

  int64_t keyBlock;

  LogicalResult matchAndRewrite(LocalAttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (keyBlock <= 0 || op.getQueryTile().empty())
      return rewriter.notifyMatchFailure(op, "not a query tile");
    auto qType = cast<RankedTensorType>(op.getQ().getType());
    auto vType = cast<RankedTensorType>(op.getV().getType());
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    if (qType.getDimSize(0) != 1 || outType.getDimSize(0) != 1)
      return rewriter.notifyMatchFailure(op, "the tile spans batch rows");
    int64_t z = qType.getDimSize(2), h = vType.getDimSize(2);
    if (ShapedType::isDynamic(z) || ShapedType::isDynamic(h) || z <= 0 ||
        h <= 0 || outType.getDimSize(2) != h)
      return rewriter.notifyMatchFailure(op, "dynamic or empty features");
    Value relBias = op.getRelBias();
    if (relBias && !cast<RankedTensorType>(relBias.getType()).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic rel_bias");
    Value firstArg = op.getQueryTile()[0], rowsArg = op.getQueryTile()[1];
    // QB: the tile's rows, or their constant upper bound (a partial tile).
    int64_t qb = outType.getDimSize(1);
    if (ShapedType::isDynamic(qb)) {
      FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
          presburger::BoundType::UB, rowsArg, /*stopCondition=*/nullptr,
          /*closedUB=*/true);
      if (failed(bound))
        return rewriter.notifyMatchFailure(op, "rows without a constant bound");
      qb = *bound;
    }
    if (qb <= 0)
      return rewriter.notifyMatchFailure(op, "empty tile");
    // A tile of all S slots (S below the query block) is padded to a
    // multiple of 16 rows, the tensor cores' m (the rows past S are
    // inactive and not written), as getAttentionBlock counts it.
    int64_t tileRows = qb;
    if (qb == qType.getDimSize(1) && qb % 16 != 0)
      qb = llvm::alignTo(qb, 16);

    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type et = qType.getElementType();
    // The products' operand type: T under seqboat.autocast, else the op's.
    Type pt = getAttentionProductType(op);
    bool rounded = pt != et;
    bool bidir = op.getBidirectional();
    Activation act = op.getActivation();
    bool softmax = act == Activation::softmax;
    double scale = softmax ? 1.0 / std::sqrt(static_cast<double>(z))
                           : windowScale(op.getWindow(), bidir);
    int64_t slotsStatic = qType.getDimSize(1);
    int64_t w = windowReach(op.getWindow(), ShapedType::isDynamic(slotsStatic)
                                                ? (int64_t(1) << 40)
                                                : slotsStatic);
    int64_t kb = keyBlock;
    int64_t maxDist =
        relBias ? (cast<RankedTensorType>(relBias.getType()).getDimSize(0) + 1) / 2
                : 0;
    Value q = op.getQ(), k = op.getK(), v = op.getV(), pos = op.getPos();
    Value zero = idx(rewriter, loc, 0), one = idx(rewriter, loc, 1);

    // count[b] clamped to [0, S]; the tile's rows clamped to [0, QB].
    Value slots = tensor::DimOp::create(rewriter, loc, q, 1);
    Value cnt = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(),
        tensor::ExtractOp::create(rewriter, loc, op.getCount(), zero));
    cnt = minI(rewriter, loc, maxI(rewriter, loc, cnt, zero), slots);
    Value first = maxI(rewriter, loc, firstArg, zero);
    Value rows = minI(rewriter, loc, maxI(rewriter, loc, rowsArg, zero),
                      idx(rewriter, loc, qb));
    Value active = minI(rewriter, loc, rows,
                        maxI(rewriter, loc, subI(rewriter, loc, cnt, first),
                             zero));

    // The result: [1, n, H] with n the tile's rows as the op's reified
    // shape has them (so the strategy's tile write can take it over).
    SmallVector<OpFoldResult> outSizes = {rewriter.getIndexAttr(1),
                                          outType.isDynamicDim(1)
                                              ? OpFoldResult(rowsArg)
                                              : rewriter.getIndexAttr(tileRows),
                                          rewriter.getIndexAttr(h)};
    // The op's elementwise reader, computed in each branch where the tile
    // is written: no tile of the op's own (in the block's shared memory
    // when the reader's result is of another type, so not written in place:
    // the gated output rounded to 16 bits).
    SmallVector<Operation *> moved;
    linalg::GenericOp epi = tileEpilogue(op, moved);
    for (Operation *slice : moved)
      rewriter.moveOpBefore(slice, op);
    // The tile's value at the point: `value` (the attention's) through the
    // epilogue, whose other inputs the generic reads as `args`.
    auto throughEpilogue = [&](OpBuilder &b, Location l, Value value,
                               ValueRange args) -> Value {
      if (!epi)
        return value;
      IRMapping mapping;
      Block *body = epi.getBody();
      unsigned next = 0;
      for (OpOperand *in : epi.getDpsInputOperands())
        mapping.map(body->getArgument(in->getOperandNumber()),
                    in->get() == op.getOut() ? value : args[next++]);
      for (Operation &o : body->without_terminator())
        b.clone(o, mapping);
      return mapping.lookup(body->getTerminator()->getOperand(0));
    };
    SmallVector<Value> epiInputs;
    SmallVector<AffineMap> epiMaps;
    if (epi)
      for (OpOperand *in : epi.getDpsInputOperands())
        if (in->get() != op.getOut()) {
          epiInputs.push_back(in->get());
          epiMaps.push_back(epi.getMatchingIndexingMap(in));
        }
    Type resultElt = epi ? getElementTypeOrSelf(epi->getResult(0).getType()) : et;
    Value hasQueries =
        cmpI(rewriter, loc, arith::CmpIPredicate::sgt, active, zero);
    auto ifOp = scf::IfOp::create(
        rewriter, loc, hasQueries,
        [&](OpBuilder &b, Location l) {
          // Keys of the active queries' windows: [lo, hi).
          Value lastQ = subI(b, l, addI(b, l, first, active), one);
          Value lo = maxI(b, l, subI(b, l, first, idx(b, l, w)), zero);
          Value hi = bidir ? minI(b, l, addI(b, l, lastQ, idx(b, l, w + 1)),
                                  cnt)
                           : addI(b, l, lastQ, one);
          Value lastKey = subI(b, l, hi, one);
          Value lastQuery = subI(b, l, cnt, one);
          Value qt = gatherRows(b, l, q, qb, z, et, pt, scale,
                                [&](OpBuilder &gb, Location gl, Value i) {
                                  return minI(gb, gl, addI(gb, gl, first, i),
                                              lastQuery);
                                });
          Value lowest =
              constant(b, l, et, -std::numeric_limits<float>::max());
          SmallVector<Value> init = {filledTensor(b, l, {qb, h}, et, 0.0)};
          if (softmax) {
            init.push_back(
                filledTensor(b, l, {qb}, et, -std::numeric_limits<float>::max()));
            init.push_back(filledTensor(b, l, {qb}, et, 0.0));
          }
          auto loop = scf::ForOp::create(
              b, l, lo, hi, idx(b, l, kb), init,
              [&](OpBuilder &fb, Location fl, Value j0, ValueRange args) {
                auto keyRow = [&](OpBuilder &gb, Location gl, Value j) {
                  return minI(gb, gl, addI(gb, gl, j0, j), lastKey);
                };
                Value kt = gatherRows(fb, fl, k, kb, z, et, pt, 1.0, keyRow);
                Value vt = gatherRows(fb, fl, v, kb, h, et, pt, 1.0, keyRow);
                Value s = matmul(fb, fl, qt, kt,
                                 filledTensor(fb, fl, {qb, kb}, et, 0.0),
                                 /*transposeB=*/true);
                // Bias, mask and (but for softmax) the activation, into a
                // tensor of its own: the product is then a producer of this
                // op's input, which the strategy computes in its tiles.
                s = parallelGeneric(
                    fb, fl, {qb, kb}, softmax ? et : pt, ValueRange{s},
                    {dimsMap(ctx, 2, {0, 1})},
                    [&](OpBuilder &gb, Location gl, ValueRange a) -> Value {
                      Value i = linalg::IndexOp::create(gb, gl, 0);
                      Value j = linalg::IndexOp::create(gb, gl, 1);
                      Value qi = addI(gb, gl, first, i);
                      Value kj = addI(gb, gl, j0, j);
                      Value d = subI(gb, gl, qi, kj);
                      Value allowed = andI(
                          gb, gl,
                          cmpI(gb, gl, arith::CmpIPredicate::slt, i, active),
                          andI(gb, gl,
                               cmpI(gb, gl, arith::CmpIPredicate::slt, kj, hi),
                               andI(gb, gl,
                                    cmpI(gb, gl, arith::CmpIPredicate::sge, d,
                                         idx(gb, gl, bidir ? -w : 0)),
                                    cmpI(gb, gl, arith::CmpIPredicate::sle, d,
                                         idx(gb, gl, w)))));
                      Value score = a[0];
                      if (relBias) {
                        // rel_bias[clamp(pos_j − pos_i, −(M−1), M−1) + M−1]
                        Value pi = tensor::ExtractOp::create(
                            gb, gl, pos,
                            ValueRange{idx(gb, gl, 0),
                                       minI(gb, gl, qi, lastQuery)});
                        Value pj = tensor::ExtractOp::create(
                            gb, gl, pos,
                            ValueRange{idx(gb, gl, 0),
                                       minI(gb, gl, kj, lastKey)});
                        Value rel = arith::IndexCastOp::create(
                            gb, gl, gb.getIndexType(),
                            arith::SubIOp::create(gb, gl, pj, pi));
                        rel = maxI(gb, gl, rel, idx(gb, gl, -(maxDist - 1)));
                        rel = minI(gb, gl, rel, idx(gb, gl, maxDist - 1));
                        rel = addI(gb, gl, rel, idx(gb, gl, maxDist - 1));
                        score = arith::AddFOp::create(
                            gb, gl, score,
                            readElement(gb, gl, relBias, ValueRange{rel}));
                      }
                      if (softmax)
                        return arith::SelectOp::create(gb, gl, allowed, score,
                                                       lowest);
                      Value weight = arith::SelectOp::create(
                          gb, gl, allowed,
                          activateScore(gb, gl, act, score, et),
                          constant(gb, gl, et, 0.0));
                      if (rounded)
                        weight = arith::TruncFOp::create(gb, gl, pt, weight);
                      return weight;
                    });
                if (!softmax) {
                  Value acc = matmul(fb, fl, s, vt, args[0],
                                     /*transposeB=*/false);
                  scf::YieldOp::create(fb, fl, acc);
                  return;
                }
                AffineMap rowOf = dimsMap(ctx, 2, {0});
                // The block's row max (from -inf, not the running max's
                // lowest float: a fresh tensor that canonicalisation does not
                // merge with the loop's initial max).
                Value blockMax = rowReduce(
                    fb, fl, s, filledTensor(fb, fl, {qb}, et, -INFINITY),
                    [](OpBuilder &gb, Location gl, Value acc, Value x) {
                      return arith::MaximumFOp::create(gb, gl, acc, x)
                          .getResult();
                    });
                // m' = max(m, block max) in place of m, α = exp(m − m') in
                // place of the block max, α·l in place of l: one op, so that
                // each updates its buffer in place (the loop's state stays
                // where it is) in one phase.
                AffineMap id1 = dimsMap(ctx, 1, {0});
                auto update = linalg::GenericOp::create(
                    fb, fl,
                    TypeRange{args[1].getType(), blockMax.getType(),
                              args[2].getType()},
                    ValueRange{}, ValueRange{args[1], blockMax, args[2]},
                    ArrayRef<AffineMap>{id1, id1, id1},
                    ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
                    [&](OpBuilder &gb, Location gl, ValueRange a) {
                      Value m = arith::MaximumFOp::create(gb, gl, a[0], a[1]);
                      Value alpha = math::ExpOp::create(
                          gb, gl, arith::SubFOp::create(gb, gl, a[0], m));
                      Value l = arith::MulFOp::create(gb, gl, a[2], alpha);
                      linalg::YieldOp::create(gb, gl, ValueRange{m, alpha, l});
                    });
                Value newMax = update.getResult(0);
                Value alpha = update.getResult(1);
                Value scaledSum = update.getResult(2);
                // P = exp(S' − m'), 0 where masked (in place of S', or a
                // tile of its own rounded to T).
                auto weights = [&](OpBuilder &gb, Location gl,
                                   Value sij, Value m) -> Value {
                  Value masked = arith::CmpFOp::create(
                      gb, gl, arith::CmpFPredicate::OEQ, sij, lowest);
                  Value e = math::ExpOp::create(
                      gb, gl, arith::SubFOp::create(gb, gl, sij, m));
                  Value w = arith::SelectOp::create(
                      gb, gl, masked, constant(gb, gl, et, 0.0), e);
                  if (rounded)
                    w = arith::TruncFOp::create(gb, gl, pt, w);
                  return w;
                };
                Value p =
                    rounded
                        ? parallelGeneric(
                              fb, fl, {qb, kb}, pt, ValueRange{s, newMax},
                              {dimsMap(ctx, 2, {0, 1}), rowOf},
                              [&](OpBuilder &gb, Location gl, ValueRange a) {
                                return weights(gb, gl, a[0], a[1]);
                              })
                        : parallelUpdate(
                              fb, fl, s, ValueRange{newMax}, {rowOf},
                              [&](OpBuilder &gb, Location gl, ValueRange a) {
                                return weights(gb, gl, a[1], a[0]);
                              });
                Value sum = rowReduce(
                    fb, fl, p, scaledSum,
                    [&](OpBuilder &gb, Location gl, Value acc, Value x) {
                      if (rounded)
                        x = arith::ExtFOp::create(gb, gl, et, x);
                      return arith::AddFOp::create(gb, gl, acc, x).getResult();
                    });
                Value scaledAcc = parallelUpdate(
                    fb, fl, args[0], ValueRange{alpha}, {rowOf},
                    [&](OpBuilder &gb, Location gl, ValueRange a) -> Value {
                      return arith::MulFOp::create(gb, gl, a[1], a[0]);
                    });
                Value acc = matmul(fb, fl, p, vt, scaledAcc,
                                   /*transposeB=*/false);
                scf::YieldOp::create(fb, fl, ValueRange{acc, newMax, sum});
              });
          // The tile's n rows of the [QB, ...] results (n <= QB).
          OpFoldResult n = outSizes[1];
          SmallVector<Value> inputs = {mixedSlice(
              b, l, loop.getResult(0), {b.getIndexAttr(0), b.getIndexAttr(0)},
              {n, b.getIndexAttr(h)})};
          SmallVector<AffineMap> maps = {dimsMap(ctx, 3, {1, 2})};
          if (softmax) {
            inputs.push_back(mixedSlice(b, l, loop.getResult(2),
                                        {b.getIndexAttr(0)}, {n}));
            maps.push_back(dimsMap(ctx, 3, {1}));
          }
          unsigned own = inputs.size();
          llvm::append_range(inputs, epiInputs);
          llvm::append_range(maps, epiMaps);
          Value result = parallelGeneric(
              b, l, outSizes, resultElt, inputs, maps,
              [&](OpBuilder &gb, Location gl, ValueRange a) -> Value {
                Value o = a[0];
                if (softmax) {
                  Value zeroF = constant(gb, gl, et, 0.0);
                  Value any = arith::CmpFOp::create(
                      gb, gl, arith::CmpFPredicate::OGT, a[1], zeroF);
                  o = arith::SelectOp::create(
                      gb, gl, any, arith::DivFOp::create(gb, gl, a[0], a[1]),
                      zeroF);
                }
                return throughEpilogue(gb, gl, o, a.drop_front(own));
              });
          scf::YieldOp::create(b, l, result);
        },
        [&](OpBuilder &b, Location l) {
          // Zeros (through the epilogue).
          scf::YieldOp::create(
              b, l,
              epi ? parallelGeneric(
                        b, l, outSizes, resultElt, epiInputs, epiMaps,
                        [&](OpBuilder &gb, Location gl, ValueRange a) {
                          return throughEpilogue(
                              gb, gl, constant(gb, gl, et, 0.0), a);
                        })
                  : filledTensor(b, l, outSizes, et, 0.0));
        });
    if (epi) {
      rewriter.replaceOp(epi, ifOp.getResults());
      rewriter.eraseOp(op);
    } else {
      rewriter.replaceOp(op, ifOp.getResults());
    }
    return success();
  }
};

} // namespace

void seqboat::populateLocalAttentionFlashPatterns(RewritePatternSet &patterns,
                                                  int64_t keyBlock) {
  if (keyBlock > 0)
    patterns.add<LocalAttentionFlash>(patterns.getContext(), keyBlock);
}
