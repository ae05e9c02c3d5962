//===- EmaConvToLinalg.cpp - ema_kernel and the chunked EMA scan ----------===//
//
// ema_conv is evaluated as a chunked scan of the recurrence
//   h_t = p beta x_t + q h_{t-1},   y_t = sum_n gamma_n / sqrt(N) h_{t,n}
// With chunks of T steps (x reshaped to [B, nc, T, D]):
//   - intra-chunk: a lower-triangular Toeplitz product with the T-tap kernel,
//   - chunk input: u_c = sum_j p beta q^(T-1-j) x_{c,j}          [B, nc, N, D]
//   - scan over chunks (seqboat.state_scan, lowered to an scf.for):
//     S_c = q^T S_{c-1} + u_c, keeping the state entering each chunk,
//   - inter-chunk: y_{c,t} += sum_n gamma_n/sqrt(N) q^(t+1) S_{c-1}.
// Work is O(B L D (T + N)); nothing is O(L^2). The anti-causal half of the
// bidirectional op is the same scan over the reversed sequence.
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

/// Per-(channel, order) EMA coefficients, each [C, N].
struct EmaCoefficients {
  Value pBeta; // sigmoid(delta) * beta
  Value q;     // 1 - sigmoid(delta) * sigmoid(alpha)
  Value g;     // gamma / sqrt(N)

  EmaCoefficients rows(OpBuilder &b, Location loc, int64_t offset,
                       int64_t count) const {
    auto slice = [&](Value v) {
      int64_t n = cast<RankedTensorType>(v.getType()).getDimSize(1);
      return staticSlice(b, loc, v, {offset, 0}, {count, n});
    };
    return {slice(pBeta), slice(q), slice(g)};
  }
};

EmaCoefficients buildCoefficients(OpBuilder &b, Location loc, Value delta,
                                  Value alpha, Value beta, Value gamma) {
  auto type = cast<RankedTensorType>(delta.getType());
  Type et = type.getElementType();
  AffineMap id = b.getMultiDimIdentityMap(2);
  Value pBeta = parallelGeneric(
      b, loc, type.getShape(), et, {delta, beta}, {id, id},
      [](OpBuilder &nb, Location nl, ValueRange a) {
        return arith::MulFOp::create(nb, nl, sigmoid(nb, nl, a[0]), a[1])
            .getResult();
      });
  Value q = parallelGeneric(
      b, loc, type.getShape(), et, {delta, alpha}, {id, id},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value damp = arith::MulFOp::create(nb, nl, sigmoid(nb, nl, a[0]),
                                           sigmoid(nb, nl, a[1]));
        return arith::SubFOp::create(nb, nl, constant(nb, nl, et, 1.0), damp)
            .getResult();
      });
  double scale = 1.0 / std::sqrt(static_cast<double>(type.getDimSize(1)));
  Value g = parallelGeneric(
      b, loc, type.getShape(), et, gamma, {id},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        return arith::MulFOp::create(nb, nl, a[0], constant(nb, nl, et, scale))
            .getResult();
      });
  return {pBeta, q, g};
}

/// q^e with e = linalg.index(dim) + offset (scaled by `sign`), from
/// logQ = ln q as exp(e ln q): an exp that vectorises (powf does not), and
/// q^0 = 1 also where q = 0.
Value powOfIndexFromLog(OpBuilder &b, Location loc, Value logQ, unsigned dim,
                        int64_t sign, int64_t offset) {
  Type et = logQ.getType();
  Value t = indexAsFloat(b, loc, dim, et);
  if (sign < 0)
    t = arith::NegFOp::create(b, loc, t);
  Value e = arith::AddFOp::create(b, loc, t, constant(b, loc, et, offset));
  Value zero = constant(b, loc, et, 0.0);
  Value isZero =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, e, zero);
  Value power =
      math::ExpOp::create(b, loc, arith::MulFOp::create(b, loc, e, logQ));
  return arith::SelectOp::create(b, loc, isZero, constant(b, loc, et, 1.0),
                                 power);
}

/// k[c, t] = sum_n pBeta g q^t for t < length.
Value buildKernel(OpBuilder &b, Location loc, const EmaCoefficients &cf,
                  int64_t length) {
  MLIRContext *ctx = b.getContext();
  auto qType = cast<RankedTensorType>(cf.q.getType());
  int64_t c = qType.getDimSize(0);
  Value logQ = parallelGeneric(
      b, loc, qType.getShape(), qType.getElementType(), cf.q,
      {b.getMultiDimIdentityMap(2)},
      [](OpBuilder &nb, Location nl, ValueRange a) {
        return math::LogOp::create(nb, nl, a[0]).getResult();
      });
  AffineMap cn = dimsMap(ctx, 3, {0, 2});
  return reductionGeneric(
      b, loc, {c, length}, 1, {cf.pBeta, cf.g, logQ}, {cn, cn, cn},
      [](OpBuilder &nb, Location nl, ValueRange a) {
        Value coef = arith::MulFOp::create(nb, nl, a[0], a[1]);
        return arith::MulFOp::create(nb, nl, coef,
                                     powOfIndexFromLog(nb, nl, a[2], 1, 1, 0))
            .getResult();
      });
}

/// The inputs of both directions of x : [B, L, D] as one sequence of 2D
/// channels [x | x reversed along L], split into chunks: xr : [B, nc, T, 2D]
/// with xr[b, c, j, e] = x[b, s, e] and xr[b, c, j, D + e] = x[b, L-1-s, e]
/// for s = c·T + j < L, and 0 past L. One gather reads x; the zero padding
/// of the last chunk is its mask, not a padded copy.
Value splitBothDirections(OpBuilder &b, Location loc, Value x,
                          const SequenceChunks &chunks) {
  auto xType = cast<RankedTensorType>(x.getType());
  Type et = xType.getElementType();
  int64_t d = xType.getDimSize(2);
  int64_t t = chunks.chunk;
  OpFoldResult bsz = tensor::getMixedSize(b, loc, x, 0);
  Value len = getValueOrCreateConstantIndexOp(b, loc, chunks.length);
  return parallelGeneric(
      b, loc,
      {bsz, chunks.count, b.getIndexAttr(t), b.getIndexAttr(2 * d)}, et,
      ValueRange{}, {}, [&](OpBuilder &nb, Location nl, ValueRange) {
        auto index = [&](int64_t v) {
          return arith::ConstantIndexOp::create(nb, nl, v).getResult();
        };
        Value bi = linalg::IndexOp::create(nb, nl, 0);
        Value c = linalg::IndexOp::create(nb, nl, 1);
        Value j = linalg::IndexOp::create(nb, nl, 2);
        Value e = linalg::IndexOp::create(nb, nl, 3);
        Value s = arith::AddIOp::create(
            nb, nl, arith::MulIOp::create(nb, nl, c, index(t)), j);
        Value inside = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult,
                                             s, len);
        // Past L the read is clamped in bounds and masked.
        Value at = arith::SelectOp::create(nb, nl, inside, s, index(0));
        Value forward = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::ult, e, index(d));
        Value last = arith::SubIOp::create(nb, nl, len, index(1));
        at = arith::SelectOp::create(nb, nl, forward, at,
                                     arith::SubIOp::create(nb, nl, last, at));
        Value ch = arith::SelectOp::create(
            nb, nl, forward, e, arith::SubIOp::create(nb, nl, e, index(d)));
        Value v = tensor::ExtractOp::create(nb, nl, x, ValueRange{bi, at, ch});
        return arith::SelectOp::create(nb, nl, inside, v,
                                       constant(nb, nl, et, 0.0))
            .getResult();
      });
}

/// The causal EMA (without the omega term) of x : [B, L, D] with
/// coefficients [D, N], as a chunked scan with chunks of `chunk` steps; with
/// `bothDirections`, of [x | x reversed along L] : [B, L, 2D] with the
/// coefficients [2D, N] of both directions, so that one scan (one set of
/// kernels on the GPU path) runs both halves of a bidirectional EMA.
Value buildCausalScan(OpBuilder &b, Location loc, Value x,
                      const EmaCoefficients &cf, int64_t chunk,
                      bool bothDirections) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  Type et = xType.getElementType();
  int64_t d = xType.getDimSize(2) * (bothDirections ? 2 : 1);
  int64_t n = cast<RankedTensorType>(cf.q.getType()).getDimSize(1);
  SequenceChunks chunks(b, loc, tensor::getMixedSize(b, loc, x, 1), chunk);
  int64_t t = chunks.chunk;
  OpFoldResult bsz = tensor::getMixedSize(b, loc, x, 0), nc = chunks.count;
  auto c = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  Value xr = bothDirections ? splitBothDirections(b, loc, x, chunks)
                            : chunks.split(b, loc, x);
  // Layouts keep D (or N) innermost so the inner loops are contiguous and
  // free of reductions.
  using utils::IteratorType;
  IteratorType par = IteratorType::parallel, red = IteratorType::reduction;

  // Intra-chunk: toeplitz[t, j, d] = k[d, t - j] for j <= t.
  Value kernel = buildKernel(b, loc, cf, t);
  Value toeplitz = parallelGeneric(
      b, loc, {t, t, d}, et, ValueRange{}, {},
      [&](OpBuilder &nb, Location nl, ValueRange) {
        Value row = linalg::IndexOp::create(nb, nl, 0);
        Value col = linalg::IndexOp::create(nb, nl, 1);
        Value ch = linalg::IndexOp::create(nb, nl, 2);
        Value lag = arith::SubIOp::create(nb, nl, row, col);
        Value zeroIdx = arith::ConstantIndexOp::create(nb, nl, 0);
        Value valid = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                            lag, zeroIdx);
        Value safeLag = arith::SelectOp::create(nb, nl, valid, lag, zeroIdx);
        Value tap = tensor::ExtractOp::create(nb, nl, kernel,
                                              ValueRange{ch, safeLag});
        return arith::SelectOp::create(nb, nl, valid, tap,
                                       constant(nb, nl, et, 0.0))
            .getResult();
      });
  auto mul = [](OpBuilder &nb, Location nl, ValueRange a) {
    return arith::MulFOp::create(nb, nl, a[0], a[1]).getResult();
  };
  // loops (b, c, t, j, d)
  Value yIntra = accumulateGeneric(
      b, loc, filledTensor(b, loc, {bsz, nc, c(t), c(d)}, et, 0.0),
      {toeplitz, xr},
      {dimsMap(ctx, 5, {2, 3, 4}), dimsMap(ctx, 5, {0, 1, 3, 4})},
      dimsMap(ctx, 5, {0, 1, 2, 4}), {par, par, par, red, par}, mul);

  // The chunk states and the weights that make and read them are laid out
  // with D innermost ([.., N, D]), like x and y, so that every contraction
  // below runs along contiguous channels. Coefficients transposed to [N, D];
  // q^e is exp(e ln q).
  AffineMap transposed = dimsMap(ctx, 2, {1, 0});
  auto toNd = [&](Value v, ScalarBody body) {
    return parallelGeneric(b, loc, {n, d}, et, v, {transposed}, body);
  };
  auto same = [](OpBuilder &, Location, ValueRange a) { return a[0]; };
  Value pBetaNd = toNd(cf.pBeta, same);
  Value gNd = toNd(cf.g, same);
  Value logQ = toNd(cf.q, [](OpBuilder &nb, Location nl, ValueRange a) {
    return math::LogOp::create(nb, nl, a[0]).getResult();
  });
  AffineMap nd3 = dimsMap(ctx, 3, {1, 2});

  // Chunk input u[b, c, n, d] = sum_j pBeta q^(T-1-j) x[b, c, j, d], with the
  // weights laid out [j, n, d].
  Value decayIn = parallelGeneric(
      b, loc, {t, n, d}, et, {pBetaNd, logQ}, {nd3, nd3},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        return arith::MulFOp::create(
                   nb, nl, a[0], powOfIndexFromLog(nb, nl, a[1], 0, -1, t - 1))
            .getResult();
      });
  // loops (b, c, j, n, d)
  Value u = accumulateGeneric(
      b, loc, filledTensor(b, loc, {bsz, nc, c(n), c(d)}, et, 0.0),
      {decayIn, xr},
      {dimsMap(ctx, 5, {2, 3, 4}), dimsMap(ctx, 5, {0, 1, 2, 4})},
      dimsMap(ctx, 5, {0, 1, 3, 4}), {par, par, red, par, par}, mul);

  // Scan over chunks, recording the state that enters each chunk.
  Value qT = parallelGeneric(
      b, loc, {n, d}, et, logQ, {b.getMultiDimIdentityMap(2)},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        return math::ExpOp::create(
                   nb, nl,
                   arith::MulFOp::create(nb, nl, a[0], constant(nb, nl, et, t)))
            .getResult();
      });
  Value entering = StateScanOp::create(b, loc, u.getType(), u, qT);

  // Inter-chunk: y[b, c, t, d] += sum_n g q^(t+1) S[b, c, n, d], with the
  // weights laid out [t, n, d].
  Value decayOut = parallelGeneric(
      b, loc, {t, n, d}, et, {gNd, logQ}, {nd3, nd3},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        return arith::MulFOp::create(
                   nb, nl, a[0], powOfIndexFromLog(nb, nl, a[1], 0, 1, 1))
            .getResult();
      });
  // loops (b, c, t, n, d), the reduction over n outside the channels.
  Value y = accumulateGeneric(
      b, loc, yIntra, {decayOut, entering},
      {dimsMap(ctx, 5, {2, 3, 4}), dimsMap(ctx, 5, {0, 1, 3, 4})},
      dimsMap(ctx, 5, {0, 1, 2, 4}), {par, par, par, red, par}, mul);

  return chunks.join(b, loc, y);
}

/// states[b, 0] = 0, states[b, c] = decay * states[b, c-1] + u[b, c-1]: an
/// scf.for over the chunks carrying the [B, D, N] state and recording the
/// state that enters each chunk.
struct StateScanLowering : public OpRewritePattern<StateScanOp> {
  StateScanLowering(MLIRContext *ctx, bool keep)
      : OpRewritePattern(ctx), keep(keep) {}

  LogicalResult matchAndRewrite(StateScanOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op, {op.getDecay()})))
      return failure();
    if (keep && isKeptForScanKernel(op))
      return rewriter.notifyMatchFailure(op, "left to a scan kernel");
    Location loc = op.getLoc();
    auto uType = cast<RankedTensorType>(op.getU().getType());
    Type et = uType.getElementType();
    int64_t bszStatic = uType.getDimSize(0), d = uType.getDimSize(2),
            n = uType.getDimSize(3);
    Value u = op.getU(), decay = op.getDecay();
    OpFoldResult bsz = tensor::getMixedSize(rewriter, loc, u, 0),
                 nc = tensor::getMixedSize(rewriter, loc, u, 1);
    auto c = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    Value state0 = filledTensor(rewriter, loc, {bsz, c(d), c(n)}, et, 0.0);
    Value entering0 = emptyTensor(rewriter, loc, {bsz, nc, c(d), c(n)}, et);
    Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value ub = getValueOrCreateConstantIndexOp(rewriter, loc, nc);
    Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto scan = scf::ForOp::create(
        rewriter, loc, lb, ub, step, ValueRange{state0, entering0},
        [&](OpBuilder &nb, Location nl, Value c, ValueRange carried) {
          Value state = carried[0];
          SmallVector<OpFoldResult> at = {nb.getIndexAttr(0), c,
                                          nb.getIndexAttr(0),
                                          nb.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes = {bsz, nb.getIndexAttr(1),
                                             nb.getIndexAttr(d),
                                             nb.getIndexAttr(n)};
          SmallVector<OpFoldResult> ones(4, nb.getIndexAttr(1));
          Value entering = tensor::InsertSliceOp::create(
              nb, nl, state, carried[1], at, sizes, ones);
          Value uc = tensor::ExtractSliceOp::create(
              nb, nl, RankedTensorType::get({bszStatic, d, n}, et), u, at,
              sizes, ones);
          // state = decay * state + u_c, in place.
          AffineMap id3 = nb.getMultiDimIdentityMap(3);
          Value next = parallelUpdate(
              nb, nl, state, {uc, decay},
              {id3, dimsMap(nb.getContext(), 3, {1, 2})},
              [](OpBuilder &ib, Location il, ValueRange a) {
                Value decayed = arith::MulFOp::create(ib, il, a[1], a[2]);
                return arith::AddFOp::create(ib, il, decayed, a[0])
                    .getResult();
              });
          scf::YieldOp::create(nb, nl, ValueRange{next, entering});
        });
    rewriter.replaceOp(op, scan.getResult(1));
    return success();
  }

  bool keep;
};

struct EmaKernelLowering : public OpRewritePattern<EmaKernelOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmaKernelOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(
            rewriter, op,
            {op.getDelta(), op.getAlpha(), op.getBeta(), op.getGamma()})) ||
        hasDynamicDims(op))
      return failure();
    EmaCoefficients cf =
        buildCoefficients(rewriter, op.getLoc(), op.getDelta(), op.getAlpha(),
                          op.getBeta(), op.getGamma());
    rewriter.replaceOp(op,
                       buildKernel(rewriter, op.getLoc(), cf, op.getLength()));
    return success();
  }
};

struct EmaConvLowering : public OpRewritePattern<EmaConvOp> {
  EmaConvLowering(MLIRContext *ctx, int64_t chunk, bool fuseDirections)
      : OpRewritePattern(ctx), chunk(chunk), fuseDirections(fuseDirections) {}

  LogicalResult matchAndRewrite(EmaConvOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticFeatures(rewriter, op,
                                     {op.getDelta(), op.getAlpha(),
                                      op.getBeta(), op.getGamma(),
                                      op.getOmega()})))
      return failure();
    // The op's own chunk (seqboat.knobs, tuned) before the pass's.
    int64_t chunk = this->chunk;
    if (auto knobs = op->getAttrOfType<DictionaryAttr>(kKnobsAttr))
      if (auto c = knobs.getAs<IntegerAttr>("scan_chunk"))
        chunk = c.getInt();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    Type et = xType.getElementType();
    int64_t d = xType.getDimSize(2);
    EmaCoefficients cf =
        buildCoefficients(rewriter, loc, op.getDelta(), op.getAlpha(),
                          op.getBeta(), op.getGamma());

    AffineMap id3 = rewriter.getMultiDimIdentityMap(3);
    SmallVector<Value> inputs = {op.getX(), op.getOmega()};
    SmallVector<AffineMap> maps = {id3, dimsMap(ctx, 3, {2})};
    OpFoldResult zero = rewriter.getIndexAttr(0);
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, op.getX());
    Value backward;
    if (!op.getBidirectional()) {
      inputs.push_back(buildCausalScan(rewriter, loc, op.getX(), cf, chunk,
                                       /*bothDirections=*/false));
      maps.push_back(id3);
    } else if (fuseDirections) {
      // One scan over 2D channels, [x | x reversed], with the coefficients
      // of both directions: half the kernels on the GPU path, each with
      // twice the threads.
      Value scanned = buildCausalScan(rewriter, loc, op.getX(), cf, chunk,
                                      /*bothDirections=*/true);
      inputs.push_back(
          mixedSlice(rewriter, loc, scanned, {zero, zero, zero}, sizes));
      maps.push_back(id3);
      backward = mixedSlice(rewriter, loc, scanned,
                            {zero, zero, rewriter.getIndexAttr(d)}, sizes);
    } else {
      // Two scans of D channels over padded copies (vectorised on the CPU);
      // the anti-causal half scans the reversed sequence.
      inputs.push_back(buildCausalScan(rewriter, loc, op.getX(),
                                       cf.rows(rewriter, loc, 0, d), chunk,
                                       /*bothDirections=*/false));
      maps.push_back(id3);
      backward = buildCausalScan(rewriter, loc,
                                 reverseDim(rewriter, loc, op.getX(), 1),
                                 cf.rows(rewriter, loc, d, d), chunk,
                                 /*bothDirections=*/false);
    }
    if (backward) {
      // The backward half is read back reversed.
      int64_t len = xType.getDimSize(1);
      if (ShapedType::isDynamic(len)) {
        // No index map holds a dynamic extent: reverse it explicitly.
        inputs.push_back(reverseDim(rewriter, loc, backward, 1));
        maps.push_back(id3);
      } else {
        inputs.push_back(backward);
        maps.push_back(map(ctx, 3,
                           {rewriter.getAffineDimExpr(0),
                            rewriter.getAffineConstantExpr(len - 1) -
                                rewriter.getAffineDimExpr(1),
                            rewriter.getAffineDimExpr(2)}));
      }
    }
    Value y = parallelGeneric(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, op.getX()), et, inputs, maps,
        [](OpBuilder &nb, Location nl, ValueRange a) {
          Value sum = arith::AddFOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, a[0], a[1]), a[2]);
          if (a.size() > 3)
            sum = arith::AddFOp::create(nb, nl, sum, a[3]);
          return sum;
        });
    rewriter.replaceOp(op, y);
    return success();
  }

  int64_t chunk;
  bool fuseDirections;
};

} // namespace

void seqboat::populateEmaConvPatterns(RewritePatternSet &patterns,
                                      int64_t emaChunk, bool keepStateScan,
                                      bool fuseDirections) {
  patterns.add<EmaKernelLowering>(patterns.getContext());
  patterns.add<StateScanLowering>(patterns.getContext(), keepStateScan);
  patterns.add<EmaConvLowering>(patterns.getContext(), emaChunk,
                                fuseDirections);
}
