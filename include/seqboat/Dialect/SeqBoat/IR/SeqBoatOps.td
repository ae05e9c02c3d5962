//===- SeqBoatOps.td - seqboat op definitions --------------*- tablegen -*-===//
//
// Semantics of every op are those of SPEC.md; the descriptions restate them.
// Shape relations are checked by hand-written verifiers so that every message
// names the operand and the expected shape.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATOPS_TD
#define SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATOPS_TD

include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.td"
include "mlir/Dialect/Linalg/IR/LinalgInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def SeqBoat_FloatTensor : RankedTensorOf<[AnyFloat]>;
def SeqBoat_I32Tensor : RankedTensorOf<[I32]>;
def SeqBoat_BoolTensor : RankedTensorOf<[I1]>;
def SeqBoat_F32Tensor : RankedTensorOf<[F32]>;

// Every op is a pure function of its tensor operands and can report its result
// shapes in terms of its operands' dimensions.
// Ops whose lowering has a sequential part (a scan along the sequence, a
// window walked in order): on the generic GPU path each becomes a scan
// kernel (seqboat-form-scan-kernels), tiled through its TilingInterface over
// its parallel loops, the sequential part run in order within a thread.
def SeqBoat_ScanKernelRoot : NativeOpTrait<"ScanKernelRoot"> {
  let cppNamespace = "::mlir::seqboat";
}

class SeqBoat_PureOp<string mnemonic, list<Trait> traits = []>
    : SeqBoat_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// State-space and convolutions
//===----------------------------------------------------------------------===//

def SeqBoat_EmaKernelOp : SeqBoat_PureOp<"ema_kernel",
    [AllTypesMatch<["delta", "alpha", "beta", "gamma"]>]> {
  let summary = "materialise the damped-EMA convolution kernel";
  let description = [{
    With `p = sigmoid(delta)`, `q = 1 - p * sigmoid(alpha)` (all `[C, N]`):
    `k[c, t] = sum_n p[c,n] * beta[c,n] * q[c,n]^t * gamma[c,n] / sqrt(N)`
    for `t` in `[0, length)`.

    ```mlir
    %k = seqboat.ema_kernel %delta, %alpha, %beta, %gamma {length = 64 : i64}
        : tensor<16x4xf32> -> tensor<16x64xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$delta, SeqBoat_FloatTensor:$alpha,
                       SeqBoat_FloatTensor:$beta, SeqBoat_FloatTensor:$gamma,
                       I64Attr:$length);
  let results = (outs SeqBoat_FloatTensor:$k);
  let assemblyFormat = [{
    $delta `,` $alpha `,` $beta `,` $gamma attr-dict `:` type($delta) `->` type($k)
  }];
}

def SeqBoat_EmaConvOp : SeqBoat_PureOp<"ema_conv",
    [AllTypesMatch<["x", "y"]>, AllTypesMatch<["delta", "alpha", "beta", "gamma"]>]> {
  let summary = "multi-dimensional damped EMA (MEGA), causal or bidirectional";
  let description = [{
    `x : [B, L, D]`; the EMA parameters are `[D, N]` (causal) or `[2D, N]`
    (bidirectional), `omega : [D]`. With `k = ema_kernel(..., length = L)`:

    - causal: `y[b,t,d] = sum_{s<=t} k[d,s] x[b,t-s,d] + omega[d] x[b,t,d]`
    - bidirectional: the causal sum with `k[0:D]` plus the anti-causal sum
      `sum_{s<=L-1-t} k[D+d,s] x[b,t+s,d]` (the `s = 0` tap comes from both).

    Lowerings evaluate it as a chunked scan of the recurrence
    `h_t = p beta x_t + q h_{t-1}`, in `O(L)` per channel: parallel linalg
    ops within the chunks and a `seqboat.state_scan` across them.

    ```mlir
    %y = seqboat.ema_conv %x, %delta, %alpha, %beta, %gamma, %omega {bidirectional = true}
        : tensor<2x37x16xf32>, tensor<32x4xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$x, SeqBoat_FloatTensor:$delta,
                       SeqBoat_FloatTensor:$alpha, SeqBoat_FloatTensor:$beta,
                       SeqBoat_FloatTensor:$gamma, SeqBoat_FloatTensor:$omega,
                       DefaultValuedAttr<BoolAttr, "false">:$bidirectional);
  let results = (outs SeqBoat_FloatTensor:$y);
  let assemblyFormat = [{
    $x `,` $delta `,` $alpha `,` $beta `,` $gamma `,` $omega attr-dict
    `:` type($x) `,` type($delta) `,` type($omega)
  }];
}

def SeqBoat_StateScanOp : SeqBoat_PureOp<"state_scan",
    [SeqBoat_ScanKernelRoot, AllTypesMatch<["u", "states"]>]> {
  let summary = "the states entering the chunks of a linear recurrence";
  let description = [{
    `u : [B, C, D, N]`, what each of C chunks adds to a state, and
    `decay : [D, N]`, what a chunk multiplies the state by:
    `states[b, 0] = 0` and `states[b, c] = decay * states[b, c-1] + u[b, c-1]`,
    elementwise in the two trailing dimensions. The sequential part of
    `ema_conv`'s chunked scan (C = L / chunk steps), which passes its states
    as `[B, C, N, D]` (channels innermost); every `(b, d, n)` is
    independent.

    ```mlir
    %s = seqboat.state_scan %u, %decay : tensor<2x8x16x4xf32>, tensor<16x4xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$u, SeqBoat_FloatTensor:$decay);
  let results = (outs SeqBoat_FloatTensor:$states);
  let assemblyFormat = [{
    $u `,` $decay attr-dict `:` type($u) `,` type($decay)
  }];
}

def SeqBoat_LongConvOp : SeqBoat_PureOp<"long_conv", [AllTypesMatch<["x", "y"]>]> {
  let summary = "depthwise long convolution with an explicit kernel";
  let description = [{
    The `ema_conv` formulas with an explicit kernel `k : [D, K]` (causal) or
    `[2D, K]` (bidirectional); taps beyond `K` are 0 and there is no omega
    term.

    ```mlir
    %y = seqboat.long_conv %x, %k : tensor<2x64x16xf32>, tensor<16x8xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$x, SeqBoat_FloatTensor:$k,
                       DefaultValuedAttr<BoolAttr, "false">:$bidirectional);
  let results = (outs SeqBoat_FloatTensor:$y);
  let assemblyFormat = "$x `,` $k attr-dict `:` type($x) `,` type($k)";
}

def SeqBoat_ShortConvOp : SeqBoat_PureOp<"short_conv", [AllTypesMatch<["x", "y"]>]> {
  let summary = "depthwise causal short convolution with bias";
  let description = [{
    `w : [D, W]`, `bias : [D]`:
    `y[b,t,d] = bias[d] + sum_{j<W} w[d,j] x[b, t-(W-1)+j, d]`, with `x` at
    negative `t` read as 0 (PyTorch `conv1d(..., padding=W-1, groups=D)[..., :L]`).

    ```mlir
    %y = seqboat.short_conv %x, %w, %bias : tensor<2x64x16xf32>, tensor<16x4xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$x, SeqBoat_FloatTensor:$w,
                       SeqBoat_FloatTensor:$bias);
  let results = (outs SeqBoat_FloatTensor:$y);
  let assemblyFormat = [{
    $x `,` $w `,` $bias attr-dict `:` type($x) `,` type($w) `,` type($bias)
  }];
}

//===----------------------------------------------------------------------===//
// Sparse Modular Activation: routing and compaction
//===----------------------------------------------------------------------===//

def SeqBoat_RouteOp : SeqBoat_PureOp<"route"> {
  let summary = "latent configurator of Sparse Modular Activation";
  let description = [{
    `u : [B, L, 2]` logits, `log_temp` a scalar, `tau = exp(log_temp)`,
    `pi = softmax(u / tau)` over the last axis. `active = pi_1 > pi_0` (a tie
    does not activate) and `gate = max(pi_0, pi_1)`.

    ```mlir
    %gate, %active = seqboat.route %u, %log_temp
        : tensor<2x37x2xf32>, tensor<f32> -> tensor<2x37xf32>, tensor<2x37xi1>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$u, SeqBoat_FloatTensor:$log_temp);
  let results = (outs SeqBoat_FloatTensor:$gate, SeqBoat_BoolTensor:$active);
  let assemblyFormat = [{
    $u `,` $log_temp attr-dict `:` type($u) `,` type($log_temp) `->`
    type($gate) `,` type($active)
  }];
}

def SeqBoat_CompactIndexOp : SeqBoat_PureOp<"compact_index", [SeqBoat_ScanKernelRoot]> {
  let summary = "positions of the active tokens, compacted per row";
  let description = [{
    `active : [B, L] i1`. The i-th active token of row b (in order) lands in
    slot i: `pos[b,i] = t`; `count[b]` is the number of active tokens, and
    slots `i >= count[b]` hold -1. The capacity `S` equals `L`.

    ```mlir
    %pos, %count = seqboat.compact_index %active : tensor<2x37xi1> -> tensor<2x37xi32>, tensor<2xi32>
    ```
  }];
  let arguments = (ins SeqBoat_BoolTensor:$active);
  let results = (outs SeqBoat_I32Tensor:$pos, SeqBoat_I32Tensor:$count);
  let assemblyFormat = [{
    $active attr-dict `:` type($active) `->` type($pos) `,` type($count)
  }];
}

def SeqBoat_GatherOp : SeqBoat_PureOp<"gather"> {
  let summary = "gather the rows of the active tokens into compacted slots";
  let description = [{
    `out[b,i,:] = x[b, pos[b,i], :]` where `pos[b,i] >= 0`, else 0.

    ```mlir
    %xc = seqboat.gather %x, %pos : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$x, SeqBoat_I32Tensor:$pos);
  let results = (outs SeqBoat_FloatTensor:$out);
  let assemblyFormat = [{
    $x `,` $pos attr-dict `:` type($x) `,` type($pos) `->` type($out)
  }];
}

def SeqBoat_ScatterOp : SeqBoat_PureOp<"scatter", [SeqBoat_ScanKernelRoot]> {
  let summary = "scatter compacted slots back to their original positions";
  let description = [{
    Inverse of `gather`: `out[b, pos[b,i], :] = xc[b,i,:]` for `pos >= 0`;
    every other row of `out : [B, length, F]` is 0. `length` may be omitted:
    then L = S, the slots of `xc`, which is how a scatter over a dynamic
    sequence is written (`tensor<?x?x16xf32>`).

    ```mlir
    %x = seqboat.scatter %xc, %pos {length = 37 : i64}
        : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$xc, SeqBoat_I32Tensor:$pos,
                       OptionalAttr<I64Attr>:$length);
  let results = (outs SeqBoat_FloatTensor:$out);
  let assemblyFormat = [{
    $xc `,` $pos attr-dict `:` type($xc) `,` type($pos) `->` type($out)
  }];
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def SeqBoat_LocalAttentionOp : SeqBoat_PureOp<"local_attention",
    [SeqBoat_ScanKernelRoot, AllTypesMatch<["q", "k"]>,
     AttrSizedOperandSegments]> {
  let summary = "windowed attention over the compacted tokens";
  let description = [{
    `q, k : [B, S, Z]`, `v : [B, S, H]`, `pos : [B, S]` and `count : [B]`
    from `compact_index`, optional `rel_bias : [2M-1]`. Query slot
    `i < count[b]` attends to slots `j < count[b]` with `|i-j| <= window`
    (bidirectional) or `0 <= i-j <= window` (causal). The score is
    `c (q_i . k_j) + rel_bias[clamp(pos_j - pos_i, -(M-1), M-1) + M-1]`, with
    `c = Z^-1/2` for softmax and `1/(2w)` (bidirectional) or `1/w` (causal)
    for relu2 and laplace. Rows `i >= count[b]` are 0. Work scales with
    `count`, not with `S`.

    A tile of queries (what tiling the op along its query slots produces):
    with `queries(%offset, %n)` the op computes only the output rows of query
    slots `[offset, offset + n)`, as an `[B, n, H]` result; keys, `pos` and
    `count` keep their whole extent.

    ```mlir
    %o = seqboat.local_attention %q, %k, %v, %pos, %count rel_bias(%rb)
        {activation = #seqboat.activation<softmax>, bidirectional = true, window = 4 : i64}
        : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32>, tensor<127xf32>
        -> tensor<2x37x32xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$q, SeqBoat_FloatTensor:$k,
                       SeqBoat_FloatTensor:$v, SeqBoat_I32Tensor:$pos,
                       SeqBoat_I32Tensor:$count,
                       Optional<SeqBoat_FloatTensor>:$rel_bias,
                       Variadic<Index>:$query_tile,
                       I64Attr:$window,
                       DefaultValuedAttr<BoolAttr, "false">:$bidirectional,
                       DefaultValuedAttr<SeqBoat_ActivationAttr,
                                         "::mlir::seqboat::Activation::softmax">:$activation);
  let results = (outs SeqBoat_FloatTensor:$out);
  let assemblyFormat = [{
    $q `,` $k `,` $v `,` $pos `,` $count (`rel_bias` `(` $rel_bias^ `)`)?
    (`queries` `(` $query_tile^ `)`)? attr-dict
    `:` type($q) `,` type($v) `,` type($pos) `,` type($count)
    (`,` type($rel_bias)^)? `->` type($out)
  }];
}

def SeqBoat_LinearAttentionOp : SeqBoat_PureOp<"linear_attention",
    [AllTypesMatch<["q", "k"]>]> {
  let summary = "tiled linear attention with optional decay";
  let description = [{
    `q, k : [B, L, Z]`, `v : [B, L, H]`, optional scalar `decay` (gamma in
    (0, 1], default 1). Causal: `o_t = sum_{s<=t} gamma^(t-s) (q_t . k_s) v_s`;
    bidirectional: `o_t = sum_s (q_t . k_s) v_s`. `chunk` is the tile length
    of the intra-chunk/inter-chunk evaluation and does not change the result.

    ```mlir
    %o = seqboat.linear_attention %q, %k, %v decay(%g) {chunk = 64 : i64}
        : tensor<2x256x16xf32>, tensor<2x256x32xf32>, tensor<f32> -> tensor<2x256x32xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$q, SeqBoat_FloatTensor:$k,
                       SeqBoat_FloatTensor:$v,
                       Optional<SeqBoat_FloatTensor>:$decay,
                       DefaultValuedAttr<BoolAttr, "false">:$bidirectional,
                       DefaultValuedAttr<I64Attr, "64">:$chunk);
  let results = (outs SeqBoat_FloatTensor:$out);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`decay` `(` $decay^ `)`)? attr-dict
    `:` type($q) `,` type($v) (`,` type($decay)^)? `->` type($out)
  }];
}

//===----------------------------------------------------------------------===//
// One whole layer
//===----------------------------------------------------------------------===//

def SeqBoat_LayerOp : SeqBoat_PureOp<"layer", [AllTypesMatch<["x", "y"]>,
    DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>]> {
  let summary = "one whole SeqBoat layer";
  let description = [{
    Computes, with `Norm` selected by `norm` and applied before (`prenorm`) or
    after the residual:

    1. `xn = prenorm ? Norm(x) : x`; `mx = silu(ema_conv(xn))`
    2. `hu = mx hx_w^T + hx_b`; `u = hu[..., 0:2]`, `hx = hu[..., 2:]`
    3. `(gate, active) = route(u, log_temp)`, `(pos, count) = compact_index(active)`
    4. `z, r, v = split(silu(gather(mx, pos) mx_w^T + mx_b))` (`Z`, `H`, `H`)
    5. `q, k = z qk_gamma[0|1] + qk_beta[0|1]`
    6. `h = (local_attention(q, k, v, pos, count, rel_bias) * r) h_w^T + h_b`
    7. `out = silu(x + hx + scatter(h, pos) * gate * active)`, then
       `Norm(out)` when not `prenorm`.

    `decomposeOperation` (and the `seqboat-decompose` pass) rewrites it into
    the primitive seqboat ops and linalg.

    ```mlir
    %y = seqboat.layer %x norm(%nw, %nb) ema(%d, %a, %b, %g, %om) hx(%hxw, %hxb)
        route(%lt) mx(%mxw, %mxb) qk(%qg, %qb) rel_bias(%rb) h(%hw, %hb)
        {activation = #seqboat.activation<softmax>, bidirectional = true,
         norm = #seqboat.norm<layernorm>, prenorm = true, window = 4 : i64}
        : (tensor<2x37x16xf32>, ...) -> tensor<2x37x16xf32>
    ```
  }];
  let arguments = (ins SeqBoat_FloatTensor:$x,
                       SeqBoat_FloatTensor:$norm_w, SeqBoat_FloatTensor:$norm_b,
                       SeqBoat_FloatTensor:$ema_delta, SeqBoat_FloatTensor:$ema_alpha,
                       SeqBoat_FloatTensor:$ema_beta, SeqBoat_FloatTensor:$ema_gamma,
                       SeqBoat_FloatTensor:$ema_omega,
                       SeqBoat_FloatTensor:$hx_w, SeqBoat_FloatTensor:$hx_b,
                       SeqBoat_FloatTensor:$log_temp,
                       SeqBoat_FloatTensor:$mx_w, SeqBoat_FloatTensor:$mx_b,
                       SeqBoat_FloatTensor:$qk_gamma, SeqBoat_FloatTensor:$qk_beta,
                       SeqBoat_FloatTensor:$rel_bias,
                       SeqBoat_FloatTensor:$h_w, SeqBoat_FloatTensor:$h_b,
                       DefaultValuedAttr<BoolAttr, "false">:$bidirectional,
                       I64Attr:$window,
                       DefaultValuedAttr<SeqBoat_ActivationAttr,
                                         "::mlir::seqboat::Activation::softmax">:$activation,
                       DefaultValuedAttr<SeqBoat_NormAttr,
                                         "::mlir::seqboat::Norm::layernorm">:$norm,
                       DefaultValuedAttr<BoolAttr, "true">:$prenorm,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$eps);
  let results = (outs SeqBoat_FloatTensor:$y);
  let assemblyFormat = [{
    $x `norm` `(` $norm_w `,` $norm_b `)`
    `ema` `(` $ema_delta `,` $ema_alpha `,` $ema_beta `,` $ema_gamma `,` $ema_omega `)`
    `hx` `(` $hx_w `,` $hx_b `)` `route` `(` $log_temp `)` `mx` `(` $mx_w `,` $mx_b `)`
    `qk` `(` $qk_gamma `,` $qk_beta `)` `rel_bias` `(` $rel_bias `)` `h` `(` $h_w `,` $h_b `)`
    attr-dict `:` functional-type(operands, results)
  }];
}

#endif // SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATOPS_TD
