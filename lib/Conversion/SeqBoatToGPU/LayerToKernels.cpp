//===- LayerToKernels.cpp - seqboat.layer as six fused kernels ------------===//
//
// The GPU strategy of a whole layer (see Passes.td for the kernel list). The
// layer's tensors are taken as buffers (bufferization.to_buffer), the six
// kernels read and write buffers, and the result is handed back as a tensor,
// so the surrounding function bufferizes as usual.
//
// Data flow between kernels (all [B, L, .] buffers are row-major):
//   ema_chunks:   x -> norm stats, per-chunk EMA states (from zero)
//   ema_hx_route: x, chunk states -> mx = silu(EMA(Norm(x))),
//                 hu = mx hx_w^T + hx_b, gate, active
//   compact:   active -> pos, count, inv (token -> slot or -1)
//   mx_proj:   mx[pos] -> q, k, r, v                    (slots < count only)
//   attention: q, k, v, pos, count, rel_bias, r -> og = attention * r
//   output:    x, hu, og[inv], gate -> out              (h projection only
//                                                        for active tokens)
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Support/CheckedArith.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <array>
#include <cmath>

namespace mlir::seqboat {
#define GEN_PASS_DEF_CONVERTSEQBOATLAYERTOKERNELS
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {

/// EMA orders up to this keep their states in registers (unrolled).
constexpr int64_t kMaxUnrolledOrder = 64;

/// Shapes and knobs of one layer.
struct Dims {
  /// `b` and `l` may be ShapedType::kDynamic (sizes known at run time,
  /// Buffers::batch/length). `window` is the reach clamped to L (to nothing
  /// when L is dynamic: a reach past L masks nothing); `windowScale` the
  /// relu2/laplace scale of the window as written.
  int64_t b, l, d, n, z, h, m, window;
  double windowScale;
  bool bidirectional, prenorm;
  Norm norm;
  Activation activation;
  float eps;
  int64_t threads, rows, unroll, chunk, queries;
};

/// The layer's operands as buffers, plus the scratch buffers.
struct Buffers {
  Value x, normW, normB, delta, alpha, beta, gamma, omega, hxW, hxB, logTemp,
      mxW, mxB, qkGamma, qkBeta, relBias, hW, hB;
  Value stats, chunkFwd, chunkBwd, enterFwd, mx, hu, gate, active, pos, count,
      inv, q, k, r, v, og, out;
  /// The output before the post-norm: `out` itself, or an f32 scratch when
  /// `out` is 16-bit (the layer rounds once, at its result).
  Value preNorm;
  /// B and L at run time (memref.dim of x), when dynamic.
  Value batch, length;
};

/// `staticSize`, or the runtime `dynamic` where that is
/// ShapedType::kDynamic.
OpFoldResult sizeOf(OpBuilder &b, int64_t staticSize, Value dynamic) {
  if (ShapedType::isDynamic(staticSize))
    return dynamic;
  return b.getIndexAttr(staticSize);
}

/// ceil(n / d) blocks, tiles or chunks: a constant for a constant n,
/// otherwise computed at run time.
OpFoldResult ceilDivSize(OpBuilder &b, Location loc, OpFoldResult n,
                         int64_t d) {
  if (std::optional<int64_t> c = getConstantIntValue(n))
    return b.getIndexAttr(llvm::divideCeil(*c, d));
  Value v = cast<Value>(n);
  if (d == 1)
    return v;
  Value sum = arith::AddIOp::create(
      b, loc, v, arith::ConstantIndexOp::create(b, loc, d - 1));
  return arith::DivUIOp::create(b, loc, sum,
                                arith::ConstantIndexOp::create(b, loc, d))
      .getResult();
}

class LayerKernels {
public:
  LayerKernels(KernelBuilder &kb, const Dims &dims, const Buffers &buf)
      : kb(kb), s(dims), buf(buf) {}

  void build() {
    emaChunks();
    emaHxRoute();
    compact();
    mxProj();
    attention();
    output();
  }

private:
  /// Row statistics of a [*, D] row: (shift, scale) with Norm(x) =
  /// (x - shift) * scale * w (+ b for layernorm).
  std::pair<Value, Value> rowStats(Value mem, Value bi, Value t) {
    Value zero = kb.fc(0.0);
    Value invD = kb.fc(1.0 / static_cast<double>(s.d));
    Value eps = kb.fc(s.eps);
    if (s.norm == Norm::rmsnorm) {
      Value sq = kb.loopAcc(kb.idx(0), kb.idx(s.d), zero,
                            [&](Value c, ValueRange acc) {
                              Value v = kb.load(mem, {bi, t, c});
                              return SmallVector<Value>{
                                  kb.fadd(acc[0], kb.fmul(v, v))};
                            })[0];
      Value scale = kb.fdiv(kb.fc(1.0), kb.sqrt(kb.fadd(kb.fmul(sq, invD), eps)));
      return {zero, scale};
    }
    Value sum = kb.loopAcc(kb.idx(0), kb.idx(s.d), zero,
                           [&](Value c, ValueRange acc) {
                             return SmallVector<Value>{
                                 kb.fadd(acc[0], kb.load(mem, {bi, t, c}))};
                           })[0];
    Value mean = kb.fmul(sum, invD);
    Value var = kb.loopAcc(kb.idx(0), kb.idx(s.d), zero,
                           [&](Value c, ValueRange acc) {
                             Value v = kb.fsub(kb.load(mem, {bi, t, c}), mean);
                             return SmallVector<Value>{
                                 kb.fadd(acc[0], kb.fmul(v, v))};
                           })[0];
    Value scale = kb.fdiv(kb.fc(1.0), kb.sqrt(kb.fadd(kb.fmul(var, invD), eps)));
    return {mean, scale};
  }

  /// (v - shift) * scale * w[c] (+ b[c] for layernorm).
  Value applyNorm(Value v, Value shift, Value scale, Value c) {
    Value y = kb.fmul(kb.fmul(kb.fsub(v, shift), scale), kb.load(buf.normW, {c}));
    return s.norm == Norm::layernorm ? kb.fadd(y, kb.load(buf.normB, {c})) : y;
  }

  bool hasPreNorm() const { return s.prenorm && s.norm != Norm::none; }
  bool hasPostNorm() const { return !s.prenorm && s.norm != Norm::none; }

  //===--------------------------------------------------------------------===//
  // Sizes. B and L are constants when static; otherwise the runtime sizes,
  // and every grid, tile count and bound derived from them is computed from
  // those before the kernels (the last partial tile or chunk is masked as
  // when L is static).
  //===--------------------------------------------------------------------===//

  bool isStatic() const {
    return !ShapedType::isDynamic(s.b) && !ShapedType::isDynamic(s.l);
  }
  OpFoldResult batchExtent() { return sizeOf(kb.builder(), s.b, buf.batch); }
  OpFoldResult lengthExtent() {
    return sizeOf(kb.builder(), s.l, buf.length);
  }
  Value batchSize() { return asValue(batchExtent()); }
  Value length() { return asValue(lengthExtent()); }
  /// B * L, the flattened token axis.
  OpFoldResult tokensExtent() {
    if (isStatic())
      return kb.builder().getIndexAttr(s.b * s.l);
    return kb.mul(batchSize(), length());
  }
  Value tokens() { return asValue(tokensExtent()); }
  /// A block grid of `perRow` blocks per batch row: a constant when the
  /// shapes are static.
  OpFoldResult perBatchRow(OpFoldResult perRow) {
    std::optional<int64_t> n = getConstantIntValue(perRow);
    if (n && !ShapedType::isDynamic(s.b))
      return kb.builder().getIndexAttr(s.b * *n);
    return kb.mul(batchSize(), asValue(perRow));
  }
  /// ceil(L / tile) blocks or tiles along the sequence.
  OpFoldResult sequenceTiles(int64_t tile) {
    return ceilDivSize(kb.builder(), kb.location(), lengthExtent(), tile);
  }
  Value asValue(OpFoldResult v) {
    return getValueOrCreateConstantIndexOp(kb.builder(), kb.location(), v);
  }

  /// Rows [row0, row0 + rows) of the flattened [B*L] token axis.
  OpFoldResult rowTiles(int64_t rows) {
    return ceilDivSize(kb.builder(), kb.location(), tokensExtent(), rows);
  }

  /// Loads `rows` rows of `src` ([B, L, F] or gathered) into shared memory;
  /// `rowOf(r)` returns (valid, b, t) of tile row r.
  Value loadTile(int64_t rows, int64_t f, Value src,
                 llvm::function_ref<std::tuple<Value, Value, Value>(Value)> rowOf) {
    Value tile = kb.scratch({rows, f}, kb.floatType());
    kb.threads(rows * f, [&](Value e) {
      Value r = kb.div(e, kb.idx(f)), c = kb.rem(e, kb.idx(f));
      Value valid, bi, t;
          std::tie(valid, bi, t) = rowOf(r);
      kb.store(kb.fc(0.0), tile, {r, c});
      kb.ifThen(valid, [&] { kb.store(kb.load(src, {bi, t, c}), tile, {r, c}); });
    });
    return tile;
  }

  /// (valid, b, t) of flattened row `row0 + r`.
  std::tuple<Value, Value, Value> flatRow(Value row0, Value r) {
    Value row = kb.add(row0, r);
    Value all = tokens();
    Value valid = kb.lt(row, all);
    Value safe = kb.min(row, kb.sub(all, kb.idx(1)));
    Value len = length();
    return {valid, kb.div(safe, len), kb.rem(safe, len)};
  }

  /// tile[r, :] . w[c, :] + bias[c].
  Value dotRow(Value tile, Value r, Value w, Value c, int64_t f, Value bias) {
    return kb.reductionLoop(kb.idx(0), kb.idx(f), kb.load(bias, {c}),
                      [&](Value e, ValueRange acc) {
                        return SmallVector<Value>{kb.fadd(
                            acc[0], kb.fmul(kb.load(tile, {r, e}),
                                            kb.load(w, {c, e})))};
                      })[0];
  }

  //===--------------------------------------------------------------------===//
  // 1-2. The EMA as a chunked scan, fused with the norm, silu, the hx
  // projection and the router.
  //
  // The sequence is cut into chunks of `ema_chunk` tokens, one block per
  // (batch row, chunk). Kernel 1 runs the recurrence over its chunk from a
  // zero state (both directions) and stores the chunk's final states; kernel 2
  // folds the states of the preceding chunks into the state entering its own
  // (S = q^len S + local, a few multiply-adds per chunk), replays its chunk
  // from there, and hands each tile of rows_per_block finished rows of mx
  // straight to the hx projection and the router.
  //===--------------------------------------------------------------------===//

  OpFoldResult numChunks() { return sequenceTiles(s.chunk); }

  /// rows_per_block, capped so that a rows x width tile of floats fits in
  /// `maxFloats` (48 KiB by default, what a block gets without opt-in).
  int64_t tileRows(int64_t width, int64_t maxFloats = 12288) const {
    return std::max<int64_t>(1, std::min<int64_t>(s.rows, maxFloats / width));
  }

  /// (batch row, chunk, first token, end token) of block `blk`.
  std::tuple<Value, Value, Value, Value> chunkOf(Value blk) {
    Value chunks = asValue(numChunks());
    Value bi = kb.div(blk, chunks);
    Value c = kb.rem(blk, chunks);
    Value t0 = kb.mul(c, kb.idx(s.chunk));
    Value t1 = kb.min(kb.add(t0, kb.idx(s.chunk)), length());
    return {bi, c, t0, t1};
  }

  /// Runs `fn(j)` for every EMA order j: unrolled with constant indices for
  /// the usual small orders (so per-thread state arrays become registers),
  /// as a loop otherwise.
  void forEachOrder(llvm::function_ref<void(Value)> fn) {
    if (s.n <= kMaxUnrolledOrder) {
      for (int64_t j = 0; j < s.n; ++j)
        fn(kb.idx(j));
      return;
    }
    kb.loop(kb.idx(0), kb.idx(s.n), fn);
  }

  /// Per-thread EMA coefficients of parameter row `row`: p*beta, q and
  /// gamma/sqrt(N), in private arrays.
  struct Coefficients {
    Value pb, q, g;
  };
  Coefficients coefficients(Value row) {
    Coefficients cf{kb.scratch({s.n}, kb.floatType()),
                    kb.scratch({s.n}, kb.floatType()),
                    kb.scratch({s.n}, kb.floatType())};
    Value invSqrtN = kb.fc(1.0 / std::sqrt(static_cast<double>(s.n)));
    forEachOrder([&](Value j) {
      Value p = kb.sigmoid(kb.load(buf.delta, {row, j}));
      kb.store(kb.fmul(p, kb.load(buf.beta, {row, j})), cf.pb, {j});
      kb.store(kb.fsub(kb.fc(1.0),
                       kb.fmul(p, kb.sigmoid(kb.load(buf.alpha, {row, j})))),
               cf.q, {j});
      kb.store(kb.fmul(kb.load(buf.gamma, {row, j}), invSqrtN), cf.g, {j});
    });
    return cf;
  }

  /// sum_j fn(j) over the EMA orders, unrolled like forEachOrder.
  Value sumOverOrders(llvm::function_ref<Value(Value)> fn) {
    if (s.n <= kMaxUnrolledOrder) {
      Value sum = kb.fc(0.0);
      for (int64_t j = 0; j < s.n; ++j)
        sum = kb.fadd(sum, fn(kb.idx(j)));
      return sum;
    }
    return kb.loopAcc(kb.idx(0), kb.idx(s.n), kb.fc(0.0),
                      [&](Value j, ValueRange acc) {
                        return SmallVector<Value>{kb.fadd(acc[0], fn(j))};
                      })[0];
  }

  /// One step of the recurrence: state = pb x + q state; returns
  /// sum_n g state.
  Value step(const Coefficients &cf, Value state, Value xt) {
    return sumOverOrders([&](Value j) {
      Value h = kb.fadd(kb.fmul(kb.load(cf.pb, {j}), xt),
                        kb.fmul(kb.load(cf.q, {j}), kb.load(state, {j})));
      kb.store(h, state, {j});
      return kb.fmul(kb.load(cf.g, {j}), h);
    });
  }

  /// The normalised input of channel c at token t.
  Value input(Value bi, Value t, Value c) {
    Value v = kb.load(buf.x, {bi, t, c});
    if (!hasPreNorm())
      return v;
    return applyNorm(v, kb.load(buf.stats, {bi, t, kb.idx(0)}),
                     kb.load(buf.stats, {bi, t, kb.idx(1)}), c);
  }

  void zero(Value state) {
    forEachOrder([&](Value j) { kb.store(kb.fc(0.0), state, {j}); });
  }

  /// 1. Per chunk: norm statistics of its tokens, then each channel's chunk
  /// states from a zero start (forward, and backward when bidirectional).
  void emaChunks() {
    kb.kernel("ema_chunks", perBatchRow(numChunks()), [&](Value blk) {
      Value bi, c, t0, t1;
      std::tie(bi, c, t0, t1) = chunkOf(blk);
      if (hasPreNorm()) {
        kb.threads(s.chunk, [&](Value r) {
          Value t = kb.add(t0, r);
          kb.ifThen(kb.lt(t, t1), [&] {
            Value shift, scale;
            std::tie(shift, scale) = rowStats(buf.x, bi, t);
            kb.store(shift, buf.stats, {bi, t, kb.idx(0)});
            kb.store(scale, buf.stats, {bi, t, kb.idx(1)});
          });
        });
      }
      kb.threads(s.d, [&](Value ch) {
        Value state = kb.scratch({s.n}, kb.floatType());
        auto local = [&](Value row, bool backward, Value dest) {
          Coefficients cf = coefficients(row);
          zero(state);
          kb.loop(t0, t1, [&](Value t) {
            Value tt = backward ? kb.sub(kb.add(t0, t1), kb.add(t, kb.idx(1)))
                                : t;
            step(cf, state, input(bi, tt, ch));
          });
          forEachOrder([&](Value j) {
            kb.store(kb.load(state, {j}), dest, {bi, c, ch, j});
          });
        };
        local(ch, /*backward=*/false, buf.chunkFwd);
        if (s.bidirectional)
          local(kb.add(ch, kb.idx(s.d)), /*backward=*/true, buf.chunkBwd);
      });
    });
  }

  /// state = q^len state + chunk[c'], over chunks c' in [from, to) walking
  /// forward (or backward from to - 1 down to from).
  void foldChunks(const Coefficients &cf, Value state, Value states, Value bi,
                  Value ch, Value from, Value to, bool backward) {
    kb.loop(from, to, [&](Value i) {
      Value cc = backward ? kb.sub(kb.add(from, to), kb.add(i, kb.idx(1))) : i;
      Value lo = kb.mul(cc, kb.idx(s.chunk));
      Value len = kb.sub(kb.min(kb.add(lo, kb.idx(s.chunk)), length()), lo);
      Value lenF = arith::SIToFPOp::create(
          kb.builder(), kb.location(), kb.floatType(),
          arith::IndexCastOp::create(kb.builder(), kb.location(),
                                     kb.builder().getI64Type(), len));
      forEachOrder([&](Value j) {
        Value decay = math::PowFOp::create(kb.builder(), kb.location(),
                                           kb.load(cf.q, {j}), lenF);
        kb.store(kb.fadd(kb.fmul(decay, kb.load(state, {j})),
                         kb.load(states, {bi, cc, ch, j})),
                 state, {j});
      });
    });
  }

  /// 2. Per chunk: the entering states, the backward pass over the chunk,
  /// then tiles of rows_per_block rows: forward pass + silu into shared
  /// memory, the hx projection, the router.
  void emaHxRoute() {
    int64_t rows = tileRows(s.d);
    int64_t tiles = (s.chunk + rows - 1) / rows;
    kb.kernel("ema_hx_route", perBatchRow(numChunks()), [&](Value blk) {
      Value bi, c, t0, t1;
      std::tie(bi, c, t0, t1) = chunkOf(blk);
      Value tile = kb.scratch({rows, s.d}, kb.floatType());
      // Entering forward state (kept in global memory between the tiles,
      // since a thread may serve several channels), and the backward half of
      // y for the chunk's tokens (parked in mx).
      kb.threads(s.d, [&](Value ch) {
        Value state = kb.scratch({s.n}, kb.floatType());
        Coefficients fwd = coefficients(ch);
        zero(state);
        foldChunks(fwd, state, buf.chunkFwd, bi, ch, kb.idx(0), c, false);
        forEachOrder([&](Value j) {
          kb.store(kb.load(state, {j}), buf.enterFwd, {bi, c, ch, j});
        });
        if (!s.bidirectional)
          return;
        Coefficients bwd = coefficients(kb.add(ch, kb.idx(s.d)));
        zero(state);
        foldChunks(bwd, state, buf.chunkBwd, bi, ch, kb.add(c, kb.idx(1)),
                   asValue(numChunks()), true);
        kb.loop(t0, t1, [&](Value t) {
          Value tt = kb.sub(kb.add(t0, t1), kb.add(t, kb.idx(1)));
          kb.store(step(bwd, state, input(bi, tt, ch)), buf.mx, {bi, tt, ch});
        });
      });
      kb.loop(kb.idx(0), kb.idx(tiles), [&](Value tileIndex) {
        Value r0 = kb.add(t0, kb.mul(tileIndex, kb.idx(rows)));
        kb.threads(s.d, [&](Value ch) {
          Value state = kb.scratch({s.n}, kb.floatType());
          Coefficients fwd = coefficients(ch);
          forEachOrder([&](Value j) {
            kb.store(kb.load(buf.enterFwd, {bi, c, ch, j}), state, {j});
          });
          Value omega = kb.load(buf.omega, {ch});
          kb.loop(kb.idx(0), kb.idx(rows), [&](Value r) {
            Value t = kb.add(r0, r);
            kb.store(kb.fc(0.0), tile, {r, ch});
            kb.ifThen(kb.lt(t, t1), [&] {
              Value xt = input(bi, t, ch);
              Value y = kb.fadd(step(fwd, state, xt), kb.fmul(omega, xt));
              if (s.bidirectional)
                y = kb.fadd(y, kb.load(buf.mx, {bi, t, ch}));
              Value m = kb.silu(y);
              kb.store(m, buf.mx, {bi, t, ch});
              kb.store(m, tile, {r, ch});
            });
          });
          forEachOrder([&](Value j) {
            kb.store(kb.load(state, {j}), buf.enterFwd, {bi, c, ch, j});
          });
        });
        kb.threads(s.d + 2, [&](Value col) {
          kb.loop(kb.idx(0), kb.idx(rows), [&](Value r) {
            Value t = kb.add(r0, r);
            kb.ifThen(kb.lt(t, t1), [&] {
              kb.store(dotRow(tile, r, buf.hxW, col, s.d, buf.hxB), buf.hu,
                       {bi, t, col});
            });
          });
        });
        kb.threads(rows, [&](Value r) {
          Value t = kb.add(r0, r);
          kb.ifThen(kb.lt(t, t1), [&] { route(bi, t); });
        });
      });
    });
  }

  /// The router of token t from hu[..., 0:2].
  void route(Value bi, Value t) {
    Value tau = kb.exp(kb.load(buf.logTemp, {}));
    Value s0 = kb.fdiv(kb.load(buf.hu, {bi, t, kb.idx(0)}), tau);
    Value s1 = kb.fdiv(kb.load(buf.hu, {bi, t, kb.idx(1)}), tau);
    Value m = kb.fmax(s0, s1);
    Value e0 = kb.exp(kb.fsub(s0, m)), e1 = kb.exp(kb.fsub(s1, m));
    Value sum = kb.fadd(e0, e1);
    Value p0 = kb.fdiv(e0, sum), p1 = kb.fdiv(e1, sum);
    Value isActive = arith::CmpFOp::create(
        kb.builder(), kb.location(), arith::CmpFPredicate::OGT, p1, p0);
    kb.store(kb.fmax(p0, p1), buf.gate, {bi, t});
    kb.store(isActive, buf.active, {bi, t});
  }

  /// 3. Per batch row: each thread counts the active tokens of its chunk,
  /// one thread turns the counts into offsets, then each thread writes the
  /// positions of its chunk; slots past count get -1.
  void compact() {
    // A dynamic L may be as short as one token: then all but the first
    // part are empty.
    int64_t parts = ShapedType::isDynamic(s.l)
                        ? s.threads
                        : std::min<int64_t>(s.threads, s.l);
    kb.kernel("compact", batchExtent(), [&](Value bi) {
      Value offsets = kb.scratch({parts}, kb.builder().getIndexType());
      Value len = length();
      Value chunk = asValue(
          ceilDivSize(kb.builder(), kb.location(), lengthExtent(), parts));
      auto chunkRange = [&](Value p) {
        Value lo = kb.min(kb.mul(p, chunk), len);
        return std::make_pair(lo, kb.min(kb.add(lo, chunk), len));
      };
      auto isActive = [&](Value t) { return kb.load(buf.active, {bi, t}); };
      kb.threads(parts, [&](Value p) {
        Value lo, hi;
        std::tie(lo, hi) = chunkRange(p);
        Value n = kb.loopAcc(lo, hi, kb.idx(0), [&](Value t, ValueRange acc) {
                      return SmallVector<Value>{kb.select(
                          isActive(t), kb.add(acc[0], kb.idx(1)), acc[0])};
                    })[0];
        kb.store(n, offsets, {p});
      });
      kb.threads(1, [&](Value) {
        Value total = kb.loopAcc(kb.idx(0), kb.idx(parts), kb.idx(0),
                                 [&](Value p, ValueRange acc) {
                                   Value n = kb.load(offsets, {p});
                                   kb.store(acc[0], offsets, {p});
                                   return SmallVector<Value>{kb.add(acc[0], n)};
                                 })[0];
        kb.store(kb.toI32(total), buf.count, {bi});
      });
      kb.threads(parts, [&](Value p) {
        Value lo, hi;
        std::tie(lo, hi) = chunkRange(p);
        kb.loopAcc(lo, hi, kb.load(offsets, {p}), [&](Value t, ValueRange acc) {
          Value active = isActive(t);
          kb.store(kb.select(active, kb.toI32(acc[0]), kb.i32(-1)), buf.inv,
                   {bi, t});
          kb.ifThen(active, [&] { kb.store(kb.toI32(t), buf.pos, {bi, acc[0]}); });
          return SmallVector<Value>{
              kb.select(active, kb.add(acc[0], kb.idx(1)), acc[0])};
        });
      });
      kb.threads(lengthExtent(), [&](Value i) {
        Value count = kb.toIndex(kb.load(buf.count, {bi}));
        kb.ifThen(kb.ge(i, count), [&] { kb.store(kb.i32(-1), buf.pos, {bi, i}); });
      });
    });
  }

  /// 4. For slots < count: silu(mx[pos] mx_w^T + mx_b), split into q, k
  /// (through the affine of qk_gamma/qk_beta), r and v.
  void mxProj() {
    int64_t rows = tileRows(s.d);
    OpFoldResult tiles = sequenceTiles(rows);
    int64_t width = s.z + 2 * s.h;
    kb.kernel("mx_proj", perBatchRow(tiles), [&](Value blk) {
      Value numTiles = asValue(tiles);
      Value bi = kb.div(blk, numTiles);
      Value slot0 = kb.mul(kb.rem(blk, numTiles), kb.idx(rows));
      Value count = kb.toIndex(kb.load(buf.count, {bi}));
      // Blocks past the active tokens do nothing.
      kb.ifThen(kb.lt(slot0, count), [&] {
        auto slotRow = [&](Value r) {
          Value slot = kb.add(slot0, r);
          Value valid = kb.lt(slot, count);
          Value safe = kb.min(slot, kb.sub(length(), kb.idx(1)));
          Value t = kb.max(kb.toIndex(kb.load(buf.pos, {bi, safe})), kb.idx(0));
          return std::make_tuple(valid, bi, t);
        };
        Value tile = loadTile(rows, s.d, buf.mx, slotRow);
        kb.threads(width, [&](Value c) {
          kb.loop(kb.idx(0), kb.idx(rows), [&](Value r) {
            Value slot = kb.add(slot0, r);
            kb.ifThen(kb.lt(slot, count), [&] {
              Value y = kb.silu(dotRow(tile, r, buf.mxW, c, s.d, buf.mxB));
              OpBuilder &b = kb.builder();
              Location loc = kb.location();
              Value isZ = kb.lt(c, kb.idx(s.z));
              Value isR = kb.lt(c, kb.idx(s.z + s.h));
              auto ifZ = scf::IfOp::create(b, loc, isZ, /*withElse=*/true);
              {
                OpBuilder::InsertionGuard g(b);
                b.setInsertionPoint(ifZ.thenBlock()->getTerminator());
                for (int64_t which = 0; which < 2; ++which) {
                  Value w = kb.idx(which);
                  Value qk = kb.fadd(kb.fmul(y, kb.load(buf.qkGamma, {w, c})),
                                     kb.load(buf.qkBeta, {w, c}));
                  kb.store(qk, which == 0 ? buf.q : buf.k, {bi, slot, c});
                }
                b.setInsertionPoint(ifZ.elseBlock()->getTerminator());
                auto ifR = scf::IfOp::create(b, loc, isR, /*withElse=*/true);
                b.setInsertionPoint(ifR.thenBlock()->getTerminator());
                kb.store(y, buf.r, {bi, slot, kb.sub(c, kb.idx(s.z))});
                b.setInsertionPoint(ifR.elseBlock()->getTerminator());
                kb.store(y, buf.v, {bi, slot, kb.sub(c, kb.idx(s.z + s.h))});
              }
            });
          });
        });
      });
    });
  }

  /// 5. `attn_queries` consecutive query slots per block: the scores of
  /// every (query, key) pair in the union of their windows in shared memory
  /// (keys outside a query's own window get no weight), the activation, then
  /// the weighted sums of v gated by r. Neighbouring queries share most of
  /// their keys, so more queries per block means fewer k/v reloads.
  void attention() {
    // s.window is already clamped to L (windowReach), so 2w and w + 1 fit.
    int64_t w = s.window, nq = s.queries;
    // No query sees more than the L tokens there are (with a dynamic L,
    // lowerLayer has bounded the span).
    int64_t span = nq + (s.bidirectional ? 2 * w : w);
    if (!ShapedType::isDynamic(s.l))
      span = std::min(span, s.l);
    OpFoldResult tiles = sequenceTiles(nq);
    double scale = s.activation == Activation::softmax
                       ? 1.0 / std::sqrt(static_cast<double>(s.z))
                       : s.windowScale;
    bool softmax = s.activation == Activation::softmax;
    kb.kernel("attention", perBatchRow(tiles), [&](Value blk) {
      Value numTiles = asValue(tiles);
      Value bi = kb.div(blk, numTiles);
      Value i0 = kb.mul(kb.rem(blk, numTiles), kb.idx(nq));
      Value count = kb.toIndex(kb.load(buf.count, {bi}));
      kb.ifThen(kb.lt(i0, count), [&] {
        // Keys [lo, lo + keys) cover the windows of queries [i0, i0 + nq).
        Value lo = kb.max(kb.sub(i0, kb.idx(w)), kb.idx(0));
        Value last = kb.add(i0, kb.idx(nq - 1));
        Value hi = kb.min(
            kb.add(last, kb.idx(s.bidirectional ? w + 1 : 1)), count);
        Value keys = kb.sub(hi, lo);
        Value weights = kb.scratch({nq, span}, kb.floatType());
        // Is key j in query i's window (and i an active slot)?
        auto allowed = [&](Value i, Value j) {
          Value ok = kb.andI(kb.lt(i, count), kb.lt(j, hi));
          Value lag = kb.sub(i, j);
          if (s.bidirectional)
            return kb.andI(ok, kb.andI(kb.ge(lag, kb.idx(-w)),
                                       kb.lt(lag, kb.idx(w + 1))));
          return kb.andI(ok, kb.andI(kb.ge(lag, kb.idx(0)),
                                     kb.lt(lag, kb.idx(w + 1))));
        };
        kb.threads(nq * span, [&](Value e) {
          Value qi = kb.div(e, kb.idx(span)), jj = kb.rem(e, kb.idx(span));
          Value i = kb.add(i0, qi), j = kb.add(lo, jj);
          // Masked pairs weigh nothing: -inf before softmax, 0 otherwise.
          kb.store(kb.fc(softmax ? -INFINITY : 0.0), weights, {qi, jj});
          kb.ifThen(allowed(i, j), [&] {
            Value dot = kb.reductionLoop(kb.idx(0), kb.idx(s.z), kb.fc(0.0),
                                   [&](Value e2, ValueRange acc) {
                                     return SmallVector<Value>{kb.fadd(
                                         acc[0], kb.fmul(kb.load(buf.q, {bi, i, e2}),
                                                         kb.load(buf.k, {bi, j, e2})))};
                                   })[0];
            Value score = kb.fmul(dot, kb.fc(scale));
            if (buf.relBias) {
              Value rel = kb.toIndex(arith::SubIOp::create(
                  kb.builder(), kb.location(), kb.load(buf.pos, {bi, j}),
                  kb.load(buf.pos, {bi, i})));
              rel = kb.min(kb.max(rel, kb.idx(-(s.m - 1))), kb.idx(s.m - 1));
              score = kb.fadd(score, kb.load(buf.relBias,
                                             {kb.add(rel, kb.idx(s.m - 1))}));
            }
            kb.store(activate(score), weights, {qi, jj});
          });
        });
        if (softmax) {
          // One thread per query row; the row always holds the query itself.
          kb.threads(nq, [&](Value qi) {
            kb.ifThen(kb.lt(kb.add(i0, qi), count), [&] {
              Value m = kb.loopAcc(kb.idx(0), keys, kb.fc(-INFINITY),
                                   [&](Value jj, ValueRange acc) {
                                     return SmallVector<Value>{kb.fmax(
                                         acc[0], kb.load(weights, {qi, jj}))};
                                   })[0];
              Value sum = kb.loopAcc(kb.idx(0), keys, kb.fc(0.0),
                                     [&](Value jj, ValueRange acc) {
                                       Value e = kb.exp(kb.fsub(
                                           kb.load(weights, {qi, jj}), m));
                                       kb.store(e, weights, {qi, jj});
                                       return SmallVector<Value>{
                                           kb.fadd(acc[0], e)};
                                     })[0];
              Value inv = kb.fdiv(kb.fc(1.0), sum);
              kb.loop(kb.idx(0), keys, [&](Value jj) {
                kb.store(kb.fmul(kb.load(weights, {qi, jj}), inv), weights,
                         {qi, jj});
              });
            });
          });
        }
        kb.threads(nq * s.h, [&](Value e) {
          Value qi = kb.div(e, kb.idx(s.h)), c = kb.rem(e, kb.idx(s.h));
          Value i = kb.add(i0, qi);
          kb.ifThen(kb.lt(i, count), [&] {
            Value o = kb.reductionLoop(
                kb.idx(0), keys, kb.fc(0.0), [&](Value jj, ValueRange acc) {
                  Value vj = kb.load(buf.v, {bi, kb.add(lo, jj), c});
                  return SmallVector<Value>{kb.fadd(
                      acc[0], kb.fmul(kb.load(weights, {qi, jj}), vj))};
                })[0];
            kb.store(kb.fmul(o, kb.load(buf.r, {bi, i, c})), buf.og, {bi, i, c});
          });
        });
      });
    });
  }

  /// The score activation; softmax is normalised in a later phase.
  Value activate(Value score) {
    switch (s.activation) {
    case Activation::softmax:
      return score;
    case Activation::relu2: {
      Value r = kb.fmax(score, kb.fc(0.0));
      return kb.fmul(r, r);
    }
    case Activation::laplace: {
      double mu = std::sqrt(0.5), denom = std::sqrt(0.25 / M_PI) * std::sqrt(2.0);
      Value e = kb.erf(kb.fdiv(kb.fsub(score, kb.fc(mu)), kb.fc(denom)));
      return kb.fmul(kb.fc(0.5), kb.fadd(kb.fc(1.0), e));
    }
    }
    llvm_unreachable("unknown activation");
  }

  /// 6. out = silu(x + hx + active * gate * h) with h = og[inv] h_w^T + h_b
  /// computed only for active tokens, then the post-norm.
  void output() {
    // Keep the shared tile (rows x H floats) within 32 KiB.
    int64_t rows = tileRows(s.h, 8192);
    kb.kernel("output", rowTiles(rows), [&](Value blk) {
      Value row0 = kb.mul(blk, kb.idx(rows));
      Value tile = loadTile(rows, s.h, buf.og, [&](Value r) {
        Value valid, bi, t;
          std::tie(valid, bi, t) = flatRow(row0, r);
        Value slot = kb.toIndex(kb.load(buf.inv, {bi, t}));
        Value active = kb.andI(valid, kb.ge(slot, kb.idx(0)));
        return std::make_tuple(active, bi, kb.max(slot, kb.idx(0)));
      });
      kb.threads(s.d, [&](Value c) {
        kb.loop(kb.idx(0), kb.idx(rows), [&](Value r) {
          Value valid, bi, t;
          std::tie(valid, bi, t) = flatRow(row0, r);
          kb.ifThen(valid, [&] {
            Value slot = kb.toIndex(kb.load(buf.inv, {bi, t}));
            Value active = kb.ge(slot, kb.idx(0));
            Value residual = kb.fadd(kb.load(buf.x, {bi, t, c}),
                                     kb.load(buf.hu, {bi, t, kb.add(c, kb.idx(2))}));
            auto branch = scf::IfOp::create(kb.builder(), kb.location(),
                                            kb.floatType(), active,
                                            /*withElse=*/true);
            {
              OpBuilder &b = kb.builder();
              OpBuilder::InsertionGuard g(b);
              b.setInsertionPointToStart(branch.thenBlock());
              Value h = dotRow(tile, r, buf.hW, c, s.h, buf.hB);
              scf::YieldOp::create(b, kb.location(),
                                   kb.fmul(h, kb.load(buf.gate, {bi, t})));
              b.setInsertionPointToStart(branch.elseBlock());
              scf::YieldOp::create(b, kb.location(), kb.fc(0.0));
            }
            kb.store(kb.silu(kb.fadd(residual, branch.getResult(0))),
                     hasPostNorm() ? buf.preNorm : buf.out,
                     {bi, t, c});
          });
        });
      });
      if (!hasPostNorm())
        return;
      Value stats = kb.scratch({rows, 2}, kb.floatType());
      kb.threads(rows, [&](Value r) {
        Value valid, bi, t;
          std::tie(valid, bi, t) = flatRow(row0, r);
        kb.ifThen(valid, [&] {
          Value shift, scale;
          std::tie(shift, scale) = rowStats(buf.preNorm, bi, t);
          kb.store(shift, stats, {r, kb.idx(0)});
          kb.store(scale, stats, {r, kb.idx(1)});
        });
      });
      kb.threads(rows * s.d, [&](Value e) {
        Value r = kb.div(e, kb.idx(s.d)), c = kb.rem(e, kb.idx(s.d));
        Value valid, bi, t;
          std::tie(valid, bi, t) = flatRow(row0, r);
        kb.ifThen(valid, [&] {
          Value y = applyNorm(kb.load(buf.preNorm, {bi, t, c}),
                              kb.load(stats, {r, kb.idx(0)}),
                              kb.load(stats, {r, kb.idx(1)}), c);
          kb.store(y, buf.out, {bi, t, c});
        });
      });
    });
  }

  KernelBuilder &kb;
  const Dims &s;
  const Buffers &buf;
};

/// The knobs of one set of the layer's kernels (#seqboat.config).
struct Knobs {
  int64_t threads, rows, unroll, chunk, queries;
};

/// The shapes of `op` with the knobs `k` applied, or an error on `op`.
FailureOr<Dims> dimsFor(LayerOp op, const Knobs &k) {
  auto dimOf = [](Value v, unsigned i) {
    return cast<RankedTensorType>(v.getType()).getDimSize(i);
  };
  int64_t l = dimOf(op.getX(), 1);
  bool dynamicL = ShapedType::isDynamic(l);
  // With a dynamic L the window, EMA chunk and query block stay as written:
  // a reach past L masks nothing, and the partial last chunk or block is
  // masked as it is for a static L that is not a multiple.
  auto clampToL = [&](int64_t v) { return dynamicL ? v : std::min(v, l); };
  Dims dims{dimOf(op.getX(), 0),
            l,
            dimOf(op.getX(), 2),
            dimOf(op.getEmaDelta(), 1),
            dimOf(op.getQkGamma(), 1),
            dimOf(op.getHW(), 1),
            (dimOf(op.getRelBias(), 0) + 1) / 2,
            dynamicL ? static_cast<int64_t>(std::min<uint64_t>(
                           op.getWindow(), INT64_MAX))
                     : windowReach(op.getWindow(), l),
            windowScale(op.getWindow(), op.getBidirectional()),
            op.getBidirectional(),
            op.getPrenorm(),
            op.getNorm(),
            op.getActivation(),
            op.getEps().convertToFloat(),
            k.threads,
            k.rows,
            k.unroll,
            clampToL(k.chunk),
            clampToL(k.queries)};

  if (dynamicL) {
    // The attention block keeps the scores of its queries against the union
    // of their windows in shared memory, [queries, queries + 2w (or w)]
    // floats; with a static L that span is bounded by L, with a dynamic one
    // by the window, so fewer queries share a block when the window is wide.
    constexpr int64_t kMaxScores = 12288;
    int64_t reach = dims.bidirectional ? 2 * dims.window : dims.window;
    if (dims.window > kMaxScores || reach + 1 > kMaxScores)
      return op.emitOpError("the GPU strategy needs a static L when the "
                            "window (")
             << op.getWindow() << ") is wider than its shared-memory score "
             << "tile (" << kMaxScores << " floats)";
    dims.queries = std::min(dims.queries, kMaxScores);
    while (dims.queries > 1 && dims.queries * (dims.queries + reach) > kMaxScores)
      dims.queries = std::max<int64_t>(1, dims.queries / 2);
  }

  // The verifier bounds each operand's size; the EMA state buffers combine
  // the dimensions of two operands ([B, chunks, D, N] of x and ema_delta),
  // so their size is checked here, before anything is built (at run time
  // for a dynamic B or L, where the allocation fails instead).
  if (!ShapedType::isDynamic(dims.b) && !dynamicL) {
    int64_t numChunks = llvm::divideCeil(dims.l, dims.chunk);
    if (!checkedNumElements(
            std::array<int64_t, 4>{dims.b, numChunks, dims.d, dims.n}))
      return op.emitOpError("the GPU strategy's EMA state buffer [B, "
                            "L/ema_chunk, D, N] = [")
             << dims.b << ", " << numChunks << ", " << dims.d << ", "
             << dims.n << "] overflows int64";
  }
  return dims;
}

/// Allocates a buffer whose sizes may be runtime values.
Value allocBuffer(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape,
                  Type elementType) {
  SmallVector<int64_t> staticSizes;
  SmallVector<Value> dynamicSizes;
  dispatchIndexOpFoldResults(shape, dynamicSizes, staticSizes);
  return memref::AllocOp::create(
      b, loc, MemRefType::get(staticSizes, elementType), dynamicSizes);
}

/// Builds the six kernels of `dims` at b's insertion point: their scratch
/// buffers, the kernels (names + `suffix`), the unroll knob, and (when
/// `freeScratch`) the deallocations. `buf` holds the operands, the runtime
/// B and L, and `out` unless `op`'s result buffer is to be allocated here.
/// Returns the result buffer.
Value buildKernels(OpBuilder &b, Location loc, LayerOp op, const Dims &dims,
                   Buffers buf, StringRef suffix, bool freeScratch) {
  Type f32 = b.getF32Type();
  SmallVector<Value> scratch;
  auto alloc = [&](ArrayRef<OpFoldResult> shape, Type et) -> Value {
    Value m = allocBuffer(b, loc, shape, et);
    scratch.push_back(m);
    return m;
  };
  OpFoldResult bs = sizeOf(b, dims.b, buf.batch),
               len = sizeOf(b, dims.l, buf.length);
  OpFoldResult chunks = ceilDivSize(b, loc, len, dims.chunk);
  auto idx = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  Type i32 = b.getI32Type();
  if (dims.prenorm && dims.norm != Norm::none)
    buf.stats = alloc({bs, len, idx(2)}, f32);
  buf.chunkFwd = alloc({bs, chunks, idx(dims.d), idx(dims.n)}, f32);
  if (dims.bidirectional)
    buf.chunkBwd = alloc({bs, chunks, idx(dims.d), idx(dims.n)}, f32);
  buf.enterFwd = alloc({bs, chunks, idx(dims.d), idx(dims.n)}, f32);
  buf.mx = alloc({bs, len, idx(dims.d)}, f32);
  buf.hu = alloc({bs, len, idx(dims.d + 2)}, f32);
  buf.gate = alloc({bs, len}, f32);
  buf.active = alloc({bs, len}, b.getI1Type());
  buf.pos = alloc({bs, len}, i32);
  buf.count = alloc({bs}, i32);
  buf.inv = alloc({bs, len}, i32);
  buf.q = alloc({bs, len, idx(dims.z)}, f32);
  buf.k = alloc({bs, len, idx(dims.z)}, f32);
  buf.r = alloc({bs, len, idx(dims.h)}, f32);
  buf.v = alloc({bs, len, idx(dims.h)}, f32);
  buf.og = alloc({bs, len, idx(dims.h)}, f32);
  // The result buffer outlives the layer; the scratch buffers do not.
  Type resultType = op.getType().getElementType();
  if (!buf.out)
    buf.out = allocBuffer(b, loc, {bs, len, idx(dims.d)}, resultType);
  buf.preNorm = buf.out;
  if (!dims.prenorm && dims.norm != Norm::none && resultType != f32)
    buf.preNorm = alloc({bs, len, idx(dims.d)}, f32);

  KernelBuilder kb(b, loc, f32, dims.threads);
  kb.setKernelSuffix(suffix);
  LayerKernels(kb, dims, buf).build();

  // The unroll knob: the tagged reductions (dot products of the projections
  // and the attention). Loops it cannot unroll stay as they are.
  SmallVector<scf::ForOp> reductions;
  op->getParentOp()->walk([&](scf::ForOp loop) {
    if (loop->removeAttr(kUnrollAttrName))
      reductions.push_back(loop);
  });
  if (dims.unroll > 1)
    for (scf::ForOp loop : reductions)
      (void)loopUnrollByFactor(loop, dims.unroll);

  if (freeScratch)
    for (Value m : scratch)
      memref::DeallocOp::create(b, loc, m);
  return buf.out;
}

/// Lowers `op` with `knobs`, or, when `buckets` is not empty (a dynamic L
/// tuned per length bucket: ascending upper bounds of L with their knobs),
/// once per bucket with the bucket chosen by L at run time.
LogicalResult lowerLayer(LayerOp op, const Knobs &knobs,
                         ArrayRef<std::pair<int64_t, Knobs>> buckets,
                         bool freeScratch) {
  // B and L (dims 0 and 1 of x and of the result) may be dynamic; every
  // other size is static.
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    auto type = cast<RankedTensorType>(operand.getType());
    bool dynamicOk =
        i == 0 && !ShapedType::isDynamic(type.getShape().back());
    if (!type.hasStaticShape() && !dynamicOk)
      return op.emitOpError("the GPU strategy needs operands with static "
                            "shapes except B and L of x, but got ")
             << type;
    // 16-bit operands are extended on load; the kernels compute in f32.
    if (!type.getElementType().isF32() && !type.getElementType().isF16() &&
        !type.getElementType().isBF16())
      return op.emitOpError("the GPU strategy needs f32, f16 or bf16 "
                            "operands, but got ")
             << type;
    if (type.hasStaticShape() && type.getNumElements() == 0)
      return op.emitOpError("the GPU strategy needs non-empty operands, but "
                            "got ")
             << type;
  }
  FailureOr<Dims> dims = dimsFor(op, knobs);
  if (failed(dims))
    return failure();
  bool dynamicL = ShapedType::isDynamic(dims->l);
  if (!buckets.empty() && !dynamicL)
    return op.emitOpError("has per-length configs ('")
           << kBucketMaxLAttr << "'), but a static L";
  SmallVector<Dims> bucketDims;
  for (const auto &bucket : buckets) {
    FailureOr<Dims> d = dimsFor(op, bucket.second);
    if (failed(d))
      return failure();
    bucketDims.push_back(*d);
  }

  OpBuilder b(op);
  Location loc = op.getLoc();
  auto toBuffer = [&](Value t) -> Value {
    auto type = cast<RankedTensorType>(t.getType());
    return bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()), t,
        /*read_only=*/true);
  };

  Buffers buf;
  buf.x = toBuffer(op.getX());
  buf.normW = toBuffer(op.getNormW());
  buf.normB = toBuffer(op.getNormB());
  buf.delta = toBuffer(op.getEmaDelta());
  buf.alpha = toBuffer(op.getEmaAlpha());
  buf.beta = toBuffer(op.getEmaBeta());
  buf.gamma = toBuffer(op.getEmaGamma());
  buf.omega = toBuffer(op.getEmaOmega());
  buf.hxW = toBuffer(op.getHxW());
  buf.hxB = toBuffer(op.getHxB());
  buf.logTemp = toBuffer(op.getLogTemp());
  buf.mxW = toBuffer(op.getMxW());
  buf.mxB = toBuffer(op.getMxB());
  buf.qkGamma = toBuffer(op.getQkGamma());
  buf.qkBeta = toBuffer(op.getQkBeta());
  buf.relBias = toBuffer(op.getRelBias());
  buf.hW = toBuffer(op.getHW());
  buf.hB = toBuffer(op.getHB());

  // Runtime B and L: a kernel grid of zero blocks is not launchable, so an
  // empty batch or sequence is refused before anything runs.
  auto positive = [&](unsigned dim, StringRef symbol) -> Value {
    Value size = memref::DimOp::create(b, loc, buf.x, dim);
    Value ok = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::sgt, size,
        arith::ConstantIndexOp::create(b, loc, 0));
    std::string message;
    llvm::raw_string_ostream(message)
        << "'" << op->getName() << "': the GPU strategy needs " << symbol
        << " >= 1 ('x' dim " << dim << ")";
    cf::AssertOp::create(b, loc, ok, message);
    return size;
  };
  if (ShapedType::isDynamic(dims->b))
    buf.batch = positive(0, "B");
  if (dynamicL)
    buf.length = positive(1, "L");

  Value out;
  if (buckets.empty()) {
    out = buildKernels(b, loc, op, *dims, buf, /*suffix=*/"", freeScratch);
  } else {
    // One set of kernels per bucket, in an scf.if chain on L: bucket i
    // takes L <= bound i (past the previous bounds); the last one every
    // longer L too. Kernel names carry the bucket (`ema_chunks_l512`).
    OpFoldResult bs = sizeOf(b, dims->b, buf.batch);
    buf.out = allocBuffer(b, loc,
                          {bs, buf.length, b.getIndexAttr(dims->d)},
                          op.getType().getElementType());
    out = buf.out;
    OpBuilder::InsertionGuard guard(b);
    for (auto [i, bucket] : llvm::enumerate(buckets)) {
      std::string suffix = "_l" + std::to_string(bucket.first);
      if (i + 1 == buckets.size()) {
        buildKernels(b, loc, op, bucketDims[i], buf, suffix, freeScratch);
        break;
      }
      Value fits = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::sle, buf.length,
          arith::ConstantIndexOp::create(b, loc, bucket.first));
      auto branch = scf::IfOp::create(b, loc, fits, /*withElse=*/true);
      b.setInsertionPoint(branch.thenBlock()->getTerminator());
      buildKernels(b, loc, op, bucketDims[i], buf, suffix, freeScratch);
      b.setInsertionPoint(branch.elseBlock()->getTerminator());
    }
  }
  Value result = bufferization::ToTensorOp::create(
      b, loc, op.getType(), out, /*restrict=*/true, /*writable=*/true);
  op.replaceAllUsesWith(result);
  op.erase();
  return success();
}

/// The per-length configs of `op` (kBucketMaxLAttr/kBucketConfigsAttr),
/// checked: as many bounds as configs, ascending positive bounds.
template <typename KnobsOf>
FailureOr<SmallVector<std::pair<int64_t, Knobs>>> bucketsOf(LayerOp op,
                                                           KnobsOf knobsOf) {
  SmallVector<std::pair<int64_t, Knobs>> buckets;
  Attribute boundsAttr = op->getAttr(kBucketMaxLAttr);
  Attribute configsAttr = op->getAttr(kBucketConfigsAttr);
  if (!boundsAttr && !configsAttr)
    return buckets;
  auto bounds = dyn_cast_or_null<DenseI64ArrayAttr>(boundsAttr);
  auto configs = dyn_cast_or_null<ArrayAttr>(configsAttr);
  if (!bounds || !configs || static_cast<size_t>(bounds.size()) != configs.size() ||
      bounds.empty())
    return op.emitOpError("needs '")
           << kBucketMaxLAttr << "' (array<i64>) and '" << kBucketConfigsAttr
           << "' (an array of #seqboat.config) of the same, non-zero length";
  int64_t previous = 0;
  for (auto [bound, config] : llvm::zip(bounds.asArrayRef(), configs)) {
    auto c = dyn_cast<ConfigAttr>(config);
    if (!c)
      return op.emitOpError("'")
             << kBucketConfigsAttr << "' holds " << config
             << ", not a #seqboat.config";
    if (bound <= previous)
      return op.emitOpError("'")
             << kBucketMaxLAttr
             << "' must hold ascending positive bounds of L, but got "
             << bounds;
    previous = bound;
    buckets.push_back({bound, knobsOf(c)});
  }
  return buckets;
}

struct ConvertSeqBoatLayerToKernelsPass
    : public seqboat::impl::ConvertSeqBoatLayerToKernelsBase<
          ConvertSeqBoatLayerToKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threads <= 0 || threads > 1024 || rowsPerBlock <= 0 || unroll <= 0 ||
        emaChunk <= 0 || attnQueries <= 0) {
      emitError(getOperation()->getLoc(),
                "options need 0 < threads <= 1024 and positive rows-per-block, "
                "unroll, ema-chunk and attn-queries, got threads=")
          << static_cast<int64_t>(threads)
          << ", rows-per-block=" << static_cast<int64_t>(rowsPerBlock)
          << ", unroll=" << static_cast<int64_t>(unroll)
          << ", ema-chunk=" << static_cast<int64_t>(emaChunk)
          << ", attn-queries=" << static_cast<int64_t>(attnQueries);
      return signalPassFailure();
    }
    // Other seqboat ops are left to convert-seqboat-to-linalg and the
    // generic path (kernel formation and strategies).
    SmallVector<LayerOp> layers;
    getOperation()->walk([&](LayerOp layer) { layers.push_back(layer); });
    for (LayerOp op : layers) {
      // A #seqboat.config on the op (seqboat-apply-tuning) beats the options.
      auto knobsOf = [](ConfigAttr config) {
        return Knobs{config.getThreads(), config.getRowsPerBlock(),
                     config.getUnroll(), config.getEmaChunk(),
                     config.getAttnQueries()};
      };
      Knobs knobs{threads, rowsPerBlock, unroll, emaChunk, attnQueries};
      if (auto config = op->getAttrOfType<ConfigAttr>(kConfigAttrName))
        knobs = knobsOf(config);
      FailureOr<SmallVector<std::pair<int64_t, Knobs>>> buckets =
          bucketsOf(op, knobsOf);
      if (failed(buckets) ||
          failed(lowerLayer(op, knobs, *buckets, freeScratch)))
        return signalPassFailure();
    }
  }
};

} // namespace
