"""Build test cases for the ``seqboat`` ops and check compiled results.

A test case for one op (or for the whole ``seqboat.layer``) is

* ``OP.mlir``: ``func.func @<entry>(%in0: ..., %in1: ...) -> ...`` whose body
  is that one op in MLIR *generic* form (properties in ``<{...}>``), e.g.::

      %r = "seqboat.short_conv"(%in0, %in1, %in2)
          : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>

* ``in0.npy, in1.npy, ...``: random inputs, in operand order (f32 -> float32,
  i32 -> int32, i1 -> bool, scalars ``tensor<f32>`` -> shape ``()``);
* ``ref0.npy, ref1.npy, ...``: the outputs of :mod:`seqboat.reference`.

Command line (run from ``python/`` or with it on ``PYTHONPATH``)::

    python3 -m seqboat.builder OP --out DIR [--B 2 --L 37 --D 16 --N 4 --Z 8
        --H 32 --M 64 --K K --W 4 --window 4 --bidirectional
        --activation softmax|relu2|laplace --norm none|layernorm|rmsnorm
        --no-prenorm --active-fraction 0.5 --seed 0 --chunk 64
        --eps 1e-5 --log-temp 0 --decay G --no-rel-bias --entry NAME]
    python3 -m seqboat.builder check --ref DIR/ref0.npy --out OUT0.npy [--tol 1e-4]

OP is one of :data:`OPS`.  ``build`` prints nothing on success.  ``check``
compares float arrays by ``max|out - ref| / max|ref|`` (<= tol) and int/bool
arrays exactly; shapes and dtypes must match.  It prints one line per pair,
``OK <name> max_rel_err=<v>`` or ``FAIL <name> ...``, and exits 0 or 1.

Inputs for ops that take ``pos``/``count`` come from a random ``active`` mask
with the requested active fraction, through ``reference.compact_index``;
the compacted operands hold random garbage in the slots past ``count``, which
the ops must ignore.  For ``layer`` the router rows of ``hx_w``/``hx_b`` are
chosen so that the requested fraction of tokens is active, with a margin.
"""

import argparse
import os
import sys
from dataclasses import dataclass, fields
from typing import Optional

import numpy as np

from . import reference as ref

OPS = ("ema_kernel", "ema_conv", "long_conv", "short_conv", "route",
       "compact_index", "gather", "scatter", "local_attention",
       "linear_attention", "layer", "mlp", "chela")


@dataclass
class BuildConfig:
    """Sizes, attributes and randomness of one test case."""
    B: int = 2
    L: int = 37
    D: int = 16
    N: int = 4
    Z: int = 8
    H: int = 32
    M: int = 64
    K: Optional[int] = None          # kernel taps (ema_kernel length, long_conv); default L
    W: int = 4                       # short_conv width
    window: int = 4
    bidirectional: bool = False
    activation: str = "softmax"
    norm: str = "layernorm"
    prenorm: bool = True
    active_fraction: float = 0.5
    seed: int = 0
    chunk: int = 64
    eps: float = 1e-5
    log_temp: float = 0.0
    decay: Optional[float] = None    # linear_attention decay operand (absent if None)
    rel_bias: bool = True            # local_attention rel_bias operand
    entry: Optional[str] = None      # function name; default OP
    dtype: str = "f32"               # activations and dense weights: f32, f16, bf16
    param_dtype: str = "same"        # small parameters: "same" (dtype) or "f32"
    dynamic: bool = False            # B and L written as ? in the signature
    autocast: bool = False           # layer, local_attention: reference rounds as precision=autocast
    query_block: int = 64            # the attention strategy's blocks (autocast's rounding of P)
    key_block: int = 32

    @property
    def taps(self):
        return self.L if self.K is None else self.K


class Enum:
    """A ``#seqboat.<kind><value>`` enum attribute."""

    def __init__(self, kind, value):
        self.kind, self.value = kind, value

    def __str__(self):
        return "#seqboat.%s<%s>" % (self.kind, self.value)


class F32:
    """An ``F32Attr``."""

    def __init__(self, value):
        self.value = float(np.float32(value))

    def __str__(self):
        return "%e : f32" % self.value


@dataclass
class Case:
    """One op instance: its operands, properties and reference results."""
    op: str
    inputs: list        # numpy arrays, operand order
    attrs: dict         # name -> bool | int | Enum | F32
    results: Optional[list] = None  # numpy arrays, result order
    text: Optional[str] = None  # the module, for cases that are not one op
    reference: Optional[object] = None  # inputs -> results, when results is None
    # MLIR element types ("bf16", "f16") of float operands / results stored
    # as float32 arrays of exactly representable values; None: from dtype.
    in_elts: Optional[list] = None
    out_elts: Optional[list] = None
    # Leading dims (B, L) written as ``?`` per operand / result (--dynamic).
    in_dynamic: Optional[list] = None
    out_dynamic: Optional[list] = None


# ---------------------------------------------------------------------------
# MLIR emission
# ---------------------------------------------------------------------------

_ELT = {np.dtype(np.float32): "f32", np.dtype(np.int32): "i32", np.dtype(np.bool_): "i1"}


def tensor_type(a, elt=None, dynamic=0):
    """MLIR tensor type of a numpy array: ``tensor<2x3xf32>``, ``tensor<f32>``
    (``elt`` overrides the element type of a float32 array; the first
    ``dynamic`` dims are written ``?``)."""
    a = np.asarray(a)
    if a.dtype not in _ELT:
        raise TypeError("no MLIR element type for %s" % a.dtype)
    dims = "".join("?x" if i < dynamic else "%dx" % d for i, d in enumerate(a.shape))
    return "tensor<%s%s>" % (dims, elt or _ELT[a.dtype])


def attr_text(value):
    """MLIR text of a property value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return "%d : i64" % value
    return str(value)


def emit_mlir(case, entry=None):
    """The MLIR module text of a case: one function, one generic op."""
    entry = entry or case.op
    in_elts = case.in_elts or [None] * len(case.inputs)
    out_elts = case.out_elts or [None] * len(case.results)
    in_dyn = case.in_dynamic or [0] * len(case.inputs)
    out_dyn = case.out_dynamic or [0] * len(case.results)
    arg_types = [tensor_type(a, e, n) for a, e, n in zip(case.inputs, in_elts, in_dyn)]
    res_types = [tensor_type(a, e, n) for a, e, n in zip(case.results, out_elts, out_dyn)]
    args = ", ".join("%%in%d: %s" % (i, t) for i, t in enumerate(arg_types))
    operands = ", ".join("%%in%d" % i for i in range(len(case.inputs)))
    func_res = res_types[0] if len(res_types) == 1 else "(%s)" % ", ".join(res_types)
    props = ""
    if case.attrs:
        props = " <{%s}>" % ", ".join("%s = %s" % (k, attr_text(case.attrs[k]))
                                      for k in sorted(case.attrs))
    if len(res_types) == 1:
        lhs, rets = "%r", "%r"
    else:
        lhs = "%%r:%d" % len(res_types)
        rets = ", ".join("%%r#%d" % i for i in range(len(res_types)))
    op_type = "(%s) -> %s" % (", ".join(arg_types), func_res)
    return ("func.func @%s(%s) -> %s {\n"
            "  %s = \"seqboat.%s\"(%s)%s : %s\n"
            "  return %s : %s\n"
            "}\n") % (entry, args, func_res, lhs, case.op, operands, props, op_type,
                      rets, ", ".join(res_types))


# ---------------------------------------------------------------------------
# 16-bit element types (docs/dialect.md, "Element types")
# ---------------------------------------------------------------------------

DTYPES = ("f32", "f16", "bf16")
# Default check tolerance per output element type, relative to max|ref| as
# in compare(): rounding a result to nearest moves it by at most half an ulp
# of the binade of max|ref|, 2^-11 max|ref| for f16 and 2^-8 max|ref| for
# bf16; twice that leaves room for the f32 arithmetic before the rounding.
TOLERANCE = {"f32": 1e-4, "f16": 1e-3, "bf16": 8e-3}

# Operand indices of the small parameters, which --param-dtype f32 keeps in
# f32 (the verifier's rule); every other float operand has the op's type.
_PARAM_OPERANDS = {"ema_conv": {1, 2, 3, 4, 5}, "long_conv": {1}, "short_conv": {1, 2},
                   "route": {1}, "local_attention": {5}, "linear_attention": {3}}
LAYER_PARAMS = ("norm_w", "norm_b", "ema_delta", "ema_alpha", "ema_beta", "ema_gamma",
                "ema_omega", "log_temp", "qk_gamma", "qk_beta", "rel_bias")


def bf16_bits(a):
    """uint16 bits of float32 ``a`` rounded to bfloat16 (nearest even; NaN
    stays NaN)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    bits = a.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    rounded = np.where(np.isnan(a), (bits >> 16) | 0x40, rounded)
    return (rounded & 0xFFFF).astype(np.uint16)


def from_bf16_bits(bits):
    """float32 values of bfloat16 bits (uint16)."""
    wide = np.ascontiguousarray(bits).view(np.uint16).astype(np.uint32) << 16
    return wide.view(np.float32)


def round_to(a, elt):
    """float32 array holding ``a`` rounded to ``elt`` ("f32", "f16", "bf16")."""
    a = np.asarray(a, dtype=np.float32)
    if elt == "f16":
        return a.astype(np.float16).astype(np.float32)
    if elt == "bf16":
        return from_bf16_bits(bf16_bits(a)).reshape(a.shape)
    return a


def layer_operand_type(name, cfg):
    """Element type of a ``seqboat.layer`` operand under ``cfg``."""
    if name in LAYER_PARAMS and cfg.param_dtype == "f32":
        return "f32"
    return cfg.dtype


def save_npy(path, a, elt=None):
    """``np.save``, with float32 ``a`` stored as ``elt``: "f16" as '<f2';
    "bf16" as '<V2', what ``np.save`` writes for an ``ml_dtypes.bfloat16``
    array (NumPy reads it back as 2-byte void)."""
    a = np.array(a, order="C")
    if elt == "f16":
        a = a.astype(np.float16)
    elif elt == "bf16":
        with open(path, "wb") as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<V2", "fortran_order": False, "shape": a.shape})
            f.write(bf16_bits(a).tobytes())
        return
    np.save(path, a)


def load_npy(path):
    """``np.load``; 2-byte void or '<u2' data is read as bfloat16 bits and
    returned as float32 values, with the element type: ``(array, elt)``."""
    a = np.load(path)
    if a.dtype.kind == "V" and a.dtype.itemsize == 2 or a.dtype == np.dtype("<u2"):
        return from_bf16_bits(a.view(np.uint16)).reshape(a.shape), "bf16"
    if a.dtype == np.float16:
        return a, "f16"
    return a, None


# ---------------------------------------------------------------------------
# random inputs and cases
# ---------------------------------------------------------------------------

def _f32(a):
    return np.array(a, dtype=np.float32, order="C")  # (ascontiguousarray makes 0-d 1-d)


def _normal(rng, shape, scale=1.0):
    return _f32(rng.standard_normal(shape) * scale)


def _active_mask(rng, cfg):
    """[B, L] bool, each token active with probability active_fraction."""
    return rng.random((cfg.B, cfg.L)) < cfg.active_fraction


def _compacted(rng, cfg, feat, scale=1.0):
    """[B, S = L, feat] random values: the slots past count hold garbage that
    the op must ignore."""
    return _normal(rng, (cfg.B, cfg.L, feat), scale)


def _ema_params(rng, channels, n):
    return [_normal(rng, (channels, n), 0.5) for _ in range(4)]


def _case_ema_kernel(rng, cfg):
    ins = _ema_params(rng, cfg.D, cfg.N)
    return Case("ema_kernel", ins, {"length": cfg.taps},
                reference=lambda ins: [ref.ema_kernel(*ins, cfg.taps)])


def _case_ema_conv(rng, cfg):
    c = 2 * cfg.D if cfg.bidirectional else cfg.D
    ins = [_normal(rng, (cfg.B, cfg.L, cfg.D))] + _ema_params(rng, c, cfg.N) \
        + [_normal(rng, (cfg.D,), 0.5)]
    return Case("ema_conv", ins, {"bidirectional": cfg.bidirectional},
                reference=lambda ins: [ref.ema_conv(*ins, cfg.bidirectional)])


def _case_long_conv(rng, cfg):
    c = 2 * cfg.D if cfg.bidirectional else cfg.D
    ins = [_normal(rng, (cfg.B, cfg.L, cfg.D)),
           _normal(rng, (c, cfg.taps), 1.0 / np.sqrt(max(cfg.taps, 1)))]
    return Case("long_conv", ins, {"bidirectional": cfg.bidirectional},
                reference=lambda ins: [ref.long_conv(*ins, cfg.bidirectional)])


def _case_short_conv(rng, cfg):
    ins = [_normal(rng, (cfg.B, cfg.L, cfg.D)),
           _normal(rng, (cfg.D, cfg.W), 1.0 / np.sqrt(cfg.W)),
           _normal(rng, (cfg.D,), 0.1)]
    return Case("short_conv", ins, {},
                reference=lambda ins: [ref.short_conv(*ins)])


def _case_route(rng, cfg):
    u = rng.standard_normal((cfg.B, cfg.L, 2))
    tie = rng.random((cfg.B, cfg.L)) < 0.1          # exact ties never activate
    u[..., 1] = np.where(tie, u[..., 0], u[..., 1])
    ins = [_f32(u), _f32(cfg.log_temp)]
    return Case("route", ins, {}, reference=lambda ins: list(ref.route(*ins)))


def _case_compact_index(rng, cfg):
    active = _active_mask(rng, cfg)
    return Case("compact_index", [active], {},
                reference=lambda ins: list(ref.compact_index(*ins)))


def _case_gather(rng, cfg):
    pos, _ = ref.compact_index(_active_mask(rng, cfg))
    x = _normal(rng, (cfg.B, cfg.L, cfg.D))
    return Case("gather", [x, pos], {}, reference=lambda ins: [ref.gather(*ins)])


def _case_scatter(rng, cfg):
    pos, _ = ref.compact_index(_active_mask(rng, cfg))
    xc = _compacted(rng, cfg, cfg.D)
    return Case("scatter", [xc, pos], {"length": cfg.L},
                reference=lambda ins: [ref.scatter(*ins, cfg.L)])


def _case_local_attention(rng, cfg):
    pos, count = ref.compact_index(_active_mask(rng, cfg))
    ins = [_compacted(rng, cfg, cfg.Z), _compacted(rng, cfg, cfg.Z),
           _compacted(rng, cfg, cfg.H), pos, count]
    rel_bias = None
    if cfg.rel_bias:
        rel_bias = _normal(rng, (2 * cfg.M - 1,), 0.5)
        ins.append(rel_bias)
    # q, k, v, pos, count, rel_bias?, queries (none: every query slot).
    segments = "array<i32: 1, 1, 1, 1, 1, %d, 0>" % (1 if cfg.rel_bias else 0)
    attrs = {"window": cfg.window, "bidirectional": cfg.bidirectional,
             "activation": Enum("activation", cfg.activation),
             "operandSegmentSizes": segments}
    return Case("local_attention", ins, attrs, reference=lambda ins: [
        ref.local_attention(*ins[:5], ins[5] if cfg.rel_bias else None, cfg.window,
                            cfg.bidirectional, cfg.activation,
                            products=_attention_products(cfg))])


def _case_linear_attention(rng, cfg):
    scale = cfg.Z ** -0.25
    ins = [_normal(rng, (cfg.B, cfg.L, cfg.Z), scale), _normal(rng, (cfg.B, cfg.L, cfg.Z), scale),
           _normal(rng, (cfg.B, cfg.L, cfg.H))]
    decay = None
    if cfg.decay is not None:
        decay = _f32(cfg.decay)
        ins.append(decay)
    attrs = {"bidirectional": cfg.bidirectional, "chunk": cfg.chunk}
    return Case("linear_attention", ins, attrs, reference=lambda ins: [
        ref.linear_attention(*ins[:3], ins[3] if decay is not None else None,
                             cfg.bidirectional)])


def _steer_router(rng, params, cfg):
    """Set the router rows 0, 1 of hx_w / hx_b so ~active_fraction tokens are active.

    ``u1 - u0 = mx . (hx_w[1] - hx_w[0]) + (hx_b[1] - hx_b[0])`` and the
    decision ``u1 > u0`` does not depend on the temperature.  The rows get
    random weights (so the decision varies per token), ``hx_b[0] = 0``, and
    ``hx_b[1]`` puts the threshold halfway between two neighbouring values of
    ``d = mx . (hx_w[1] - hx_w[0])``, at the widest gap near the requested
    quantile, so that float32 rounding in a compiled layer cannot flip a
    decision.
    """
    d_model = cfg.D
    hx_w, hx_b = params["hx_w"].copy(), params["hx_b"].copy()
    hx_w[0:2] = _normal(rng, (2, d_model), 1.0 / np.sqrt(d_model))
    hx_w = round_to(hx_w, cfg.dtype)
    hx_b[0] = 0.0

    def rounded(offset):
        return float(round_to(np.float32(offset), cfg.dtype))
    # steps 1-2 of the layer (mx does not depend on hx_w / hx_b)
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    x = p["x"]
    xn = ref.normalize(x, cfg.norm, p["norm_w"], p["norm_b"], float(np.float32(cfg.eps))) \
        if cfg.prenorm else x
    mx = ref.silu(ref.ema_conv.f64(xn, p["ema_delta"], p["ema_alpha"], p["ema_beta"],
                                   p["ema_gamma"], p["ema_omega"], cfg.bidirectional))
    d = np.sort((mx @ (hx_w[1].astype(np.float64) - hx_w[0])).reshape(-1))
    n = d.size
    n_active = int(round(cfg.active_fraction * n))
    if n_active <= 0:
        offset = -(d[-1] + 1.0)
    elif n_active >= n:
        offset = -(d[0] - 1.0)
    else:
        k = n - n_active                      # tokens with d >= d[k] become active
        slack = max(1, n // 20)
        cands = np.arange(max(1, k - slack), min(n - 1, k + slack) + 1)
        # the gap the threshold -hx_b[1] (as stored, rounded) is deepest in
        margins = [min(-rounded(-0.5 * (d[j - 1] + d[j])) - d[j - 1],
                       d[j] + rounded(-0.5 * (d[j - 1] + d[j]))) for j in cands]
        k = int(cands[int(np.argmax(margins))])
        offset = -0.5 * (d[k - 1] + d[k])
    hx_b[1] = rounded(offset)
    params["hx_w"], params["hx_b"] = _f32(hx_w), round_to(hx_b, cfg.dtype)


def layer_params(rng, cfg):
    """Random ``seqboat.layer`` operands (dict, :data:`reference.LAYER_OPERANDS`)."""
    d, n, z, h = cfg.D, cfg.N, cfg.Z, cfg.H
    c = 2 * d if cfg.bidirectional else d
    p = {
        "x": _normal(rng, (cfg.B, cfg.L, d)),
        "norm_w": _f32(1.0 + 0.1 * rng.standard_normal(d)),
        "norm_b": _normal(rng, (d,), 0.1),
        "ema_delta": _normal(rng, (c, n), 0.5),
        "ema_alpha": _normal(rng, (c, n), 0.5),
        "ema_beta": _normal(rng, (c, n), 0.5),
        "ema_gamma": _normal(rng, (c, n), 0.5),
        "ema_omega": _normal(rng, (d,), 0.5),
        "hx_w": _normal(rng, (d + 2, d), 1.0 / np.sqrt(d)),
        "hx_b": _normal(rng, (d + 2,), 0.1),
        "log_temp": _f32(cfg.log_temp),
        "mx_w": _normal(rng, (z + 2 * h, d), 1.0 / np.sqrt(d)),
        "mx_b": _normal(rng, (z + 2 * h,), 0.1),
        "qk_gamma": _f32(1.0 + 0.5 * rng.standard_normal((2, z))),
        "qk_beta": _normal(rng, (2, z), 0.1),
        "rel_bias": _normal(rng, (2 * cfg.M - 1,), 0.5),
        "h_w": _normal(rng, (d, h), 1.0 / np.sqrt(h)),
        "h_b": _normal(rng, (d,), 0.1),
    }
    for name in p:
        p[name] = round_to(p[name], layer_operand_type(name, cfg))
    _steer_router(rng, p, cfg)
    return p


def _case_layer(rng, cfg):
    p = layer_params(rng, cfg)
    lcfg = ref.LayerConfig(window=cfg.window, bidirectional=cfg.bidirectional,
                           activation=cfg.activation, norm=cfg.norm,
                           prenorm=cfg.prenorm, eps=cfg.eps)
    attrs = {"activation": Enum("activation", cfg.activation),
             "bidirectional": cfg.bidirectional, "eps": F32(cfg.eps),
             "norm": Enum("norm", cfg.norm), "prenorm": cfg.prenorm,
             "window": cfg.window}
    # precision=autocast: the three projections read their f32 inputs
    # rounded to the (16-bit) dtype and store their results rounded to it.
    gemm_input = None
    if cfg.autocast and cfg.dtype != "f32":
        def gemm_input(t):
            return round_to(t.astype(np.float32), cfg.dtype).astype(np.float64)
    return Case("layer", [p[name] for name in ref.LAYER_OPERANDS], attrs,
                [ref.layer(p, lcfg, gemm_input=gemm_input,
                           gemm_output=gemm_input,
                           attention_products=_attention_products(cfg))])


def _attention_products(cfg):
    """precision=autocast: the attention multiplies --dtype values
    (seqboat.autocast), rounded where its tiles round them."""
    if not cfg.autocast or cfg.dtype == "f32":
        return None
    return ref.AttentionProducts(lambda t: round_to(t, cfg.dtype),
                                 cfg.query_block, cfg.key_block)


# Affine maps the generated linalg text uses.
_MAPS = """\
#id3  = affine_map<(b, t, d) -> (b, t, d)>
#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>
"""

def _silu(v):
    """Scalar body lines computing ``%r = silu(v)`` (``%one`` is the
    function's constant 1.0)."""
    return ["%%neg = arith.negf %s : f32" % v, "%ex = math.exp %neg : f32",
            "%den = arith.addf %ex, %one : f32", "%%r = arith.divf %s, %%den : f32" % v]


def _generic_text(result, maps, iterators, ins, outs, shape, body):
    """One ``linalg.generic`` yielding ``%r``, which ``body`` computes from
    the block arguments ``%in0``, ``%in1``, ... (the inputs) and ``%out``."""
    block_args = ["%%in%d" % i for i in range(len(ins))] + ["%out"]
    lines = ["  %s = linalg.generic {indexing_maps = [%s], iterator_types = [%s]}"
             % (result, ", ".join(maps), ", ".join('"%s"' % i for i in iterators)),
             "      ins(%s : %s) outs(%s : %s) {" % (
                 ", ".join(v for v, _ in ins), ", ".join(t for _, t in ins), outs, shape),
             "  ^bb0(%s):" % ", ".join("%s: f32" % a for a in block_args)]
    lines += ["    " + line for line in body]
    lines += ["    linalg.yield %r : f32", "  } -> " + shape]
    return "\n".join(lines) + "\n"


def _linear_text(name, x, w, b, m, k, n, epilogue=None):
    """``%name = x . w^T + b`` (then silu if ``epilogue == "silu"``) in the
    contraction kernel's form: a zero fill, ``linalg.matmul`` in the
    nn.Linear layout, an elementwise epilogue adding the bias."""
    mn, mk, nk = "tensor<%dx%dxf32>" % (m, n), "tensor<%dx%dxf32>" % (m, k), \
        "tensor<%dx%dxf32>" % (n, k)
    text = ("  %%%s_e = tensor.empty() : %s\n" % (name, mn)
            + "  %%%s_f = linalg.fill ins(%%zero : f32) outs(%%%s_e : %s) -> %s\n"
            % (name, name, mn, mn)
            + "  %%%s_acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]\n" % name
            + "      ins(%s, %s : %s, %s)\n" % (x, w, mk, nk)
            + "      outs(%%%s_f : %s) -> %s\n" % (name, mn, mn))
    body = (["%v = arith.addf %in0, %in1 : f32"] + _silu("%v") if epilogue == "silu"
            else ["%r = arith.addf %in0, %in1 : f32"])
    return text + _generic_text(
        "%" + name, ["#id", "#bias", "#id"], ["parallel", "parallel"],
        [("%%%s_acc" % name, mn), (b, "tensor<%dxf32>" % n)], "%%%s_e" % name, mn,
        body)


_MLP_TEXT = """\
#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>
func.func @{entry}(%x: tensor<{M}x{D}x{T}>, %w1: tensor<{H}x{D}x{T}>, %b1: tensor<{H}x{T}>,
                 %w2: tensor<{D}x{H}x{T}>, %b2: tensor<{D}x{T}>) -> tensor<{M}x{D}x{T}> {{
  %zero = arith.constant 0.0 : f32
{DIM}  %e0 = tensor.empty({SZ}) : tensor<{M}x{H}xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<{M}x{H}xf32>) -> tensor<{M}x{H}xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w1 : tensor<{M}x{D}x{T}>, tensor<{H}x{D}x{T}>)
      outs(%acc0 : tensor<{M}x{H}xf32>) -> tensor<{M}x{H}xf32>
  %h0 = tensor.empty({SZ}) : tensor<{M}x{H}x{T}>
  %h = linalg.generic {{indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}}
      ins(%acc, %b1 : tensor<{M}x{H}xf32>, tensor<{H}x{T}>) outs(%h0 : tensor<{M}x{H}x{T}>) {{
  ^bb0(%a: f32, %b: {T}, %o: {T}):
    %one = arith.constant 1.0 : f32
{EXT}    %t = arith.addf %a, {BIAS} : f32
    %n = arith.negf %t : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %r = arith.divf %t, %d : f32
{TRUNC}    linalg.yield {OUT} : {T}
  }} -> tensor<{M}x{H}x{T}>
  %e1 = tensor.empty({SZ}) : tensor<{M}x{D}xf32>
  %acc1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<{M}x{D}xf32>) -> tensor<{M}x{D}xf32>
  %acc2 = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%h, %w2 : tensor<{M}x{H}x{T}>, tensor<{D}x{H}x{T}>)
      outs(%acc1 : tensor<{M}x{D}xf32>) -> tensor<{M}x{D}xf32>
  %y0 = tensor.empty({SZ}) : tensor<{M}x{D}x{T}>
  %y = linalg.generic {{indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}}
      ins(%acc2, %b2 : tensor<{M}x{D}xf32>, tensor<{D}x{T}>) outs(%y0 : tensor<{M}x{D}x{T}>) {{
  ^bb0(%a: f32, %b: {T}, %o: {T}):
{EXT}    %r = arith.addf %a, {BIAS} : f32
{TRUNC}    linalg.yield {OUT} : {T}
  }} -> tensor<{M}x{D}x{T}>
  return %y : tensor<{M}x{D}x{T}>
}}
"""


def _mlp_text(m, d, h, elt, dynamic=False):
    """The feed-forward block in element type ``elt``: X, W and the biases
    in it, f32 accumulators, each projection's result rounded to it once
    (where a PyTorch autocast model rounds an nn.Linear's output). With
    ``dynamic``, the rows (M = B*L) are a runtime size."""
    t = {"f32": "f32", "f16": "f16", "bf16": "bf16"}[elt]
    dim, size = "", ""
    if dynamic:
        m, size = "?", "%m"
        dim = ("  %%c0 = arith.constant 0 : index\n"
               "  %%m = tensor.dim %%x, %%c0 : tensor<?x%dx%s>\n" % (d, t))
    if elt == "f32":
        ext, trunc, bias, out = "", "", "%b", "%r"
    else:
        ext = "    %%bb = arith.extf %%b : %s to f32\n" % t
        trunc = "    %%rr = arith.truncf %%r : f32 to %s\n" % t
        bias, out = "%bb", "%rr"
    return _MLP_TEXT.format(entry="{entry}", M=m, D=d, H=h, T=t, EXT=ext, TRUNC=trunc,
                            BIAS=bias, OUT=out, DIM=dim, SZ=size)


def _case_mlp(rng, cfg):
    """Not a seqboat op: the two nn.Linear projections of a feed-forward
    block in plain linalg, ``y = silu(x w1^T + b1) w2^T + b2`` over the
    B*L token rows; what the contraction strategy compiles. In f16/bf16
    (``cfg.dtype``) every operand is in that type, the accumulators are
    f32 and each projection's result is rounded once (the hidden ``h`` too,
    in the reference)."""
    rows = cfg.B * cfg.L
    x = _normal(rng, (rows, cfg.D))
    w1 = _normal(rng, (cfg.H, cfg.D), cfg.D ** -0.5)
    b1 = _normal(rng, (cfg.H,), 0.1)
    w2 = _normal(rng, (cfg.D, cfg.H), cfg.H ** -0.5)
    b2 = _normal(rng, (cfg.D,), 0.1)
    text = _mlp_text(rows, cfg.D, cfg.H, cfg.dtype, cfg.dynamic)

    def reference(ins):
        x, w1, b1, w2, b2 = (a.astype(np.float64) for a in ins)
        t = x @ w1.T + b1
        h = t / (1.0 + np.exp(-t))
        if cfg.dtype != "f32":
            h = round_to(h.astype(np.float32), cfg.dtype).astype(np.float64)
        return [_f32(h @ w2.T + b2)]
    case = Case("mlp", [x, w1, b1, w2, b2], {}, None, text=text, reference=reference)
    if cfg.dynamic:
        # The rows X and Y: [?, D].
        case.in_dynamic, case.out_dynamic = [1, 0, 0, 0, 0], [1]
    return case


def _chela_text(b, l, d, z, h, w, k, chunk):
    """A CHELA block (short-long convolutions + tiled linear attention),
    written with seqboat's primitive ops and linalg; docs/chela.md. Token
    rows are M = B*L; projections are nn.Linear (x . W^T + b) on [M, *]
    views."""
    m = b * l
    t3 = lambda f: "tensor<%dx%dx%dxf32>" % (b, l, f)  # noqa: E731
    t2 = lambda f: "tensor<%dx%dxf32>" % (m, f)  # noqa: E731
    collapse = lambda v, src, f: (  # noqa: E731
        "  %s = tensor.collapse_shape %s [[0, 1], [2]] : %s into %s\n" % (v, src, t3(f), t2(f)))
    expand = lambda v, src, f: (  # noqa: E731
        "  %s = tensor.expand_shape %s [[0, 1], [2]] output_shape [%d, %d, %d] : %s into %s\n"
        % (v, src, b, l, f, t2(f), t3(f)))
    text = ("// A CHELA block (short-long convolutions + tiled linear attention), written\n"
            "// with seqboat's primitive ops and linalg; docs/chela.md. Token rows are\n"
            "// M = B*L; projections are nn.Linear (x . W^T + b) on [M, *] views.\n"
            + _MAPS
            + "func.func @{entry}(%%x: %s, %%sw: tensor<%dx%dxf32>, %%sb: tensor<%dxf32>,\n"
            % (t3(d), d, w, d)
            + "                   %%lk: tensor<%dx%dxf32>,\n" % (d, k)
            + "                   %%wq: tensor<%dx%dxf32>, %%bq: tensor<%dxf32>, "
            "%%wk: tensor<%dx%dxf32>, %%bk: tensor<%dxf32>,\n" % (z, d, z, z, d, z)
            + "                   %%wv: tensor<%dx%dxf32>, %%bv: tensor<%dxf32>, "
            "%%wg: tensor<%dx%dxf32>, %%bg: tensor<%dxf32>,\n" % (h, d, h, h, d, h)
            + "                   %%wo: tensor<%dx%dxf32>, %%bo: tensor<%dxf32>, "
            "%%decay: tensor<f32>) -> %s {\n" % (d, h, d, t3(d))
            + "  %zero = arith.constant 0.0 : f32\n  %one = arith.constant 1.0 : f32\n"
            + "  // 1. short convolution, silu, long convolution (the token mixer's input)\n"
            + '  %%s = "seqboat.short_conv"(%%x, %%sw, %%sb) : (%s, tensor<%dx%dxf32>, '
            "tensor<%dxf32>) -> %s\n" % (t3(d), d, w, d, t3(d))
            + "  %%e3 = tensor.empty() : %s\n" % t3(d)
            + _generic_text("%a", ["#id3", "#id3"], ["parallel"] * 3, [("%s", t3(d))],
                            "%e3", t3(d), _silu("%in0"))
            + '  %%c = "seqboat.long_conv"(%%a, %%lk) <{bidirectional = false}> : '
            "(%s, tensor<%dx%dxf32>) -> %s\n" % (t3(d), d, k, t3(d))
            + "  // 2. projections: q, k from the convolved sequence, v and the gate from x\n"
            + collapse("%c2", "%c", d) + collapse("%x2", "%x", d)
            + _linear_text("q2", "%c2", "%wq", "%bq", m, d, z)
            + _linear_text("k2", "%c2", "%wk", "%bk", m, d, z)
            + _linear_text("v2", "%x2", "%wv", "%bv", m, d, h)
            + _linear_text("g2", "%x2", "%wg", "%bg", m, d, h, "silu")
            + "  // 3. tiled linear attention with decay\n"
            + expand("%q", "%q2", z) + expand("%k", "%k2", z) + expand("%v", "%v2", h)
            + '  %%att = "seqboat.linear_attention"(%%q, %%k, %%v, %%decay) '
            "<{bidirectional = false, chunk = %d : i64}> : (%s, %s, %s, tensor<f32>) -> %s\n"
            % (chunk, t3(z), t3(z), t3(h), t3(h))
            + "  // 4. gate, output projection, residual\n"
            + collapse("%att2", "%att", h)
            + "  %%eh3 = tensor.empty() : %s\n" % t2(h)
            + _generic_text("%gated", ["#id", "#id", "#id"], ["parallel"] * 2,
                            [("%att2", t2(h)), ("%g2", t2(h))], "%eh3", t2(h),
                            ["%r = arith.mulf %in0, %in1 : f32"])
            + _linear_text("y2", "%gated", "%wo", "%bo", m, h, d)
            + expand("%y3", "%y2", d)
            + "  %%er = tensor.empty() : %s\n" % t3(d)
            + _generic_text("%y", ["#id3", "#id3", "#id3"], ["parallel"] * 3,
                            [("%y3", t3(d)), ("%x", t3(d))], "%er", t3(d),
                            ["%r = arith.addf %in0, %in1 : f32"])
            + "  return %%y : %s\n}\n" % t3(d))
    return text


def _case_chela(rng, cfg):
    """Not a seqboat op: a CHELA block written with the primitive ops
    (``reference.chela_block``, docs/chela.md). Causal, with the decay
    operand (0.9 unless ``--decay``)."""
    d, z, h = cfg.D, cfg.Z, cfg.H
    taps = cfg.taps
    ins = [_normal(rng, (cfg.B, cfg.L, d)),
           _normal(rng, (d, cfg.W), 1.0 / np.sqrt(cfg.W)), _normal(rng, (d,), 0.1),
           _normal(rng, (d, taps), 1.0 / np.sqrt(max(taps, 1))),
           # q, k scaled so that q.k stays O(1) per key
           _normal(rng, (z, d), d ** -0.5 * z ** -0.25), _normal(rng, (z,), 0.1),
           _normal(rng, (z, d), d ** -0.5 * z ** -0.25), _normal(rng, (z,), 0.1),
           _normal(rng, (h, d), d ** -0.5), _normal(rng, (h,), 0.1),
           _normal(rng, (h, d), d ** -0.5), _normal(rng, (h,), 0.1),
           _normal(rng, (d, h), h ** -0.5), _normal(rng, (d,), 0.1),
           _f32(0.9 if cfg.decay is None else cfg.decay)]
    text = _chela_text(cfg.B, cfg.L, d, z, h, cfg.W, taps, cfg.chunk)
    return Case("chela", ins, {}, [ref.chela_block(*ins)], text=text)


_CASES = {op: globals()["_case_" + op] for op in OPS}


def build(op, cfg=None):
    """The :class:`Case` of ``op`` for a :class:`BuildConfig` (default sizes if None)."""
    cfg = cfg or BuildConfig()
    if op not in _CASES:
        raise ValueError("unknown op %r (one of %s)" % (op, ", ".join(OPS)))
    if cfg.dtype not in DTYPES or cfg.param_dtype not in ("same", "f32"):
        raise ValueError("dtype must be one of %s and param_dtype 'same' or 'f32'"
                         % ", ".join(DTYPES))
    if cfg.dtype != "f32" and op == "chela":
        raise ValueError("%s cases are f32 only" % op)
    case = _CASES[op](np.random.default_rng(cfg.seed), cfg)
    if cfg.dtype != "f32":
        if op == "layer":   # layer_params rounded its operands
            case.in_elts = [layer_operand_type(name, cfg) for name in ref.LAYER_OPERANDS]
        else:
            params = _PARAM_OPERANDS.get(op, set())
            param_elt = "f32" if cfg.param_dtype == "f32" else cfg.dtype
            case.in_elts = [None if a.dtype != np.float32 else
                            param_elt if i in params else cfg.dtype
                            for i, a in enumerate(case.inputs)]
            case.inputs = [round_to(a, e) if e else a
                           for a, e in zip(case.inputs, case.in_elts)]
    if case.results is None:
        case.results = case.reference(case.inputs)
    if cfg.dtype != "f32":
        case.out_elts = [cfg.dtype if r.dtype == np.float32 else None
                         for r in case.results]
    if cfg.dynamic:
        _make_dynamic(op, case)
    return case


def _make_dynamic(op, case):
    """Writes the batch and sequence dims of ``case`` as ``?``: every operand
    and result except the small parameters (and the layer's weights) has its
    B (and L / S) dim dynamic; ``scatter`` drops ``length`` (L = S)."""
    if op == "mlp":
        return  # written dynamic by _case_mlp
    if op in ("chela", "ema_kernel"):
        raise ValueError("%s cases have no dynamic form" % op)
    if op == "layer":
        case.in_dynamic = [2 if name == "x" else 0 for name in ref.LAYER_OPERANDS]
        case.out_dynamic = [2]
        return
    params = _PARAM_OPERANDS.get(op, set())
    case.in_dynamic = [0 if i in params else min(a.ndim, 2)
                       for i, a in enumerate(case.inputs)]
    case.out_dynamic = [min(r.ndim, 2) for r in case.results]
    if op == "scatter":
        del case.attrs["length"]


def write(op, out_dir, cfg=None):
    """Write ``OP.mlir``, ``in<i>.npy`` and ``ref<i>.npy`` into ``out_dir``.

    Returns the :class:`Case`.
    """
    cfg = cfg or BuildConfig()
    case = build(op, cfg)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, op + ".mlir"), "w") as f:
        if case.text is not None:
            f.write(case.text.replace("{entry}", cfg.entry or op))
        else:
            f.write(emit_mlir(case, cfg.entry))
    in_elts = case.in_elts or [None] * len(case.inputs)
    for i, (a, elt) in enumerate(zip(case.inputs, in_elts)):
        save_npy(os.path.join(out_dir, "in%d.npy" % i), a, elt)
    # References stay float32: the float64 result of the rounded inputs.
    for i, a in enumerate(case.results):
        save_npy(os.path.join(out_dir, "ref%d.npy" % i), a)
    return case


# ---------------------------------------------------------------------------
# checking
# ---------------------------------------------------------------------------

def compare(ref_arr, out_arr, tol=1e-4):
    """``(ok, message)`` for one reference / output pair.

    Floats: ``max|out - ref| / max|ref|`` (``max|ref|`` taken as 1 when it is
    0) must be <= tol and finite wherever ref is.  Ints and bools: exact.
    Shapes and dtypes must match exactly.
    """
    if ref_arr.shape != out_arr.shape:
        return False, "shape %s != reference %s" % (out_arr.shape, ref_arr.shape)
    if ref_arr.dtype != out_arr.dtype and not (
            ref_arr.dtype == np.float32 and out_arr.dtype == np.float16):
        return False, "dtype %s != reference %s" % (out_arr.dtype, ref_arr.dtype)
    if not np.issubdtype(ref_arr.dtype, np.floating):
        bad = int(np.count_nonzero(ref_arr != out_arr))
        if bad:
            first = tuple(int(i) for i in np.argwhere(ref_arr != out_arr)[0])
            return False, "mismatches=%d/%d first at %s: %s != reference %s" % (
                bad, ref_arr.size, first, out_arr[first], ref_arr[first])
        return True, "max_rel_err=0"
    r, o = ref_arr.astype(np.float64), out_arr.astype(np.float64)
    if ref_arr.size == 0:
        return True, "max_rel_err=0"
    nonfinite = np.isfinite(r) & ~np.isfinite(o)
    if nonfinite.any():
        return False, "non-finite outputs=%d" % int(nonfinite.sum())
    scale = float(np.max(np.abs(r))) or 1.0
    err = np.abs(o - r)
    rel = float(np.max(err)) / scale
    msg = "max_rel_err=%.3e" % rel
    if not rel <= tol:
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(err), err.shape))
        return False, "%s > tol=%g (worst at %s: %r vs reference %r)" % (
            msg, tol, worst, float(o[worst]), float(r[worst]))
    return True, msg


def _check_rounding(ref_arr, out, elt, msg):
    """A 16-bit output must be the reference rounded to nearest: all but the
    elements whose f32 value sat near a rounding boundary (at most 2% of
    them) match ``round_to(ref, elt)`` exactly. Truncation, or a double
    rounding through another type, would miss about half."""
    exact = float(np.mean(out.astype(np.float32) == round_to(ref_arr, elt)))
    msg += " rounded_exactly=%.1f%%" % (100.0 * exact)
    if exact < 0.98:
        return False, msg + " < 98%"
    return True, msg


def check(ref_paths, out_paths, tol=None, stream=sys.stdout):
    """Compare pairs of .npy files, print one line per pair; True if all pass.

    A float32 reference is compared with an f32, f16 or bfloat16 output
    (:func:`load_npy`); ``tol`` defaults to :data:`TOLERANCE` of the output's
    element type."""
    if len(ref_paths) != len(out_paths):
        print("FAIL %d --ref files but %d --out files" % (len(ref_paths), len(out_paths)),
              file=stream)
        return False
    all_ok = True
    for rp, op in zip(ref_paths, out_paths):
        name = os.path.basename(op)
        try:
            out, elt = load_npy(op)
            ref_arr = np.load(rp)
            if elt == "bf16" and ref_arr.dtype != np.float32:
                raise ValueError("bfloat16 output for a %s reference" % ref_arr.dtype)
            ok, msg = compare(ref_arr, out, TOLERANCE[elt or "f32"] if tol is None else tol)
            if ok and elt is not None and ref_arr.size:
                ok, msg = _check_rounding(ref_arr, out, elt, msg)
        except (OSError, ValueError) as e:
            ok, msg = False, "cannot load: %s" % e
        print("%s %s %s" % ("OK" if ok else "FAIL", name, msg), file=stream)
        all_ok &= ok
    return all_ok


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------

def _parser():
    parser = argparse.ArgumentParser(
        prog="python3 -m seqboat.builder",
        description="Write a seqboat test case (MLIR + .npy inputs + reference outputs), "
                    "or check outputs against references.")
    sub = parser.add_subparsers(dest="cmd", metavar="{%s,check}" % ",".join(OPS))
    sub.required = True

    common = argparse.ArgumentParser(add_help=False)
    d = BuildConfig()
    common.add_argument("--out", required=True, help="output directory")
    for name in ("B", "L", "D", "N", "Z", "H", "M", "W", "window", "seed", "chunk"):
        common.add_argument("--" + name, type=int, default=getattr(d, name))
    common.add_argument("--K", type=int, default=None, help="kernel taps (default L)")
    common.add_argument("--bidirectional", action="store_true")
    common.add_argument("--activation", choices=ref.ACTIVATIONS, default=d.activation)
    common.add_argument("--norm", choices=ref.NORMS, default=d.norm)
    common.add_argument("--no-prenorm", dest="prenorm", action="store_false")
    common.add_argument("--active-fraction", type=float, default=d.active_fraction)
    common.add_argument("--eps", type=float, default=d.eps)
    common.add_argument("--log-temp", type=float, default=d.log_temp)
    common.add_argument("--decay", type=float, default=None,
                        help="linear_attention: pass this decay operand")
    common.add_argument("--no-rel-bias", dest="rel_bias", action="store_false",
                        help="local_attention: omit the rel_bias operand")
    common.add_argument("--entry", default=None, help="function name (default OP)")
    common.add_argument("--dtype", choices=DTYPES, default=d.dtype,
                        help="element type of the activations and dense weights")
    common.add_argument("--param-dtype", choices=("same", "f32"), default=d.param_dtype,
                        help="small parameters in the --dtype (same) or in f32")
    common.add_argument("--dynamic", action="store_true",
                        help="write the batch and sequence dims as ?")
    common.add_argument("--autocast", action="store_true",
                        help="layer, local_attention: the reference rounds what the three "
                             "projections and the attention's products read to --dtype, "
                             "as precision=autocast computes")
    common.add_argument("--query-block", type=int, default=d.query_block,
                        help="with --autocast: the attention strategy's query block")
    common.add_argument("--key-block", type=int, default=d.key_block,
                        help="with --autocast: the attention strategy's key block")
    for op in OPS:
        sub.add_parser(op, parents=[common], help="build a %s case" % op)

    chk = sub.add_parser("check", help="compare outputs with references")
    chk.add_argument("--ref", nargs="+", required=True)
    chk.add_argument("--out", nargs="+", required=True)
    chk.add_argument("--tol", type=float, default=None,
                     help="default: %s by output element type" % TOLERANCE)
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.cmd == "check":
        return 0 if check(args.ref, args.out, args.tol) else 1
    cfg = BuildConfig(**{f.name: getattr(args, f.name) for f in fields(BuildConfig)})
    write(args.cmd, args.out, cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
