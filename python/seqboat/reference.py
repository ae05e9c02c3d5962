"""NumPy reference of every ``seqboat`` op, written straight from SPEC.md.

Every function takes NumPy arrays (any float dtype), computes in float64 and
returns float32 arrays (int32 / bool where the spec says so).  Each public
function ``f`` also exposes ``f.f64``: the same computation returning float64
arrays, used to chain ops (``layer``) without intermediate rounding.

Conventions (SPEC.md): activations are batch-major ``x : [B, L, D]``; dense
weights are stored like PyTorch's ``nn.Linear``, ``W : [out, in]`` and
``y = x @ W.T + b``; ``sigmoid`` is the logistic function and
``silu(x) = x * sigmoid(x)``; indices are 0-based and empty sums are 0.

The implementations favour the obviously-right form of each formula (a
recurrence, shifted sums, dense masked score blocks) over speed; none of them
follows a lowering of the dialect.
"""

import functools
import collections
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ema_kernel", "ema_conv", "long_conv", "short_conv", "route",
    "compact_index", "gather", "scatter", "local_attention",
    "linear_attention", "layer", "LayerConfig", "ACTIVATIONS", "NORMS",
    "sigmoid", "silu", "normalize", "LAYER_OPERANDS",
]

ACTIVATIONS = ("softmax", "relu2", "laplace")
NORMS = ("none", "layernorm", "rmsnorm")

# Above this many taps long_conv uses a float64 FFT instead of shifted sums.
_DIRECT_CONV_MAX_TAPS = 256
# Query rows per block in local_attention (bounds the dense score block).
_ATTN_ROW_BLOCK = 256


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _to_public(value):
    """float arrays -> float32; int/bool arrays and others untouched; tuples mapped."""
    if isinstance(value, tuple):
        return tuple(_to_public(v) for v in value)
    if isinstance(value, dict):
        return {k: _to_public(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return value.astype(np.float32)
    return value


def _public(fn64):
    """Wrap a float64 implementation so that it returns float32 arrays.

    The float64 implementation stays reachable as ``wrapper.f64``.
    """
    @functools.wraps(fn64)
    def wrapper(*args, **kwargs):
        return _to_public(fn64(*args, **kwargs))
    wrapper.f64 = fn64
    return wrapper


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), evaluated stably in float64."""
    x = _f64(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def silu(x):
    """silu(x) = x * sigmoid(x)."""
    x = _f64(x)
    return x * sigmoid(x)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _check(cond, msg):
    if not cond:
        raise ValueError(msg)


# ---------------------------------------------------------------------------
# state-space and convolutions
# ---------------------------------------------------------------------------

@_public
def ema_kernel(delta, alpha, beta, gamma, length):
    """Damped-EMA convolution kernel ``k : [C, length]``.

    delta, alpha, beta, gamma : ``[C, N]``.  With ``p = sigmoid(delta)`` and
    ``q = 1 - p * sigmoid(alpha)``::

        k[c, t] = sum_n p[c,n] * beta[c,n] * q[c,n]**t * gamma[c,n] / sqrt(N)
    """
    delta, alpha, beta, gamma = map(_f64, (delta, alpha, beta, gamma))
    _check(delta.ndim == 2 and delta.shape == alpha.shape == beta.shape == gamma.shape,
           "ema_kernel: delta, alpha, beta, gamma must all be [C, N]")
    n = delta.shape[1]
    p = sigmoid(delta)
    q = 1.0 - p * sigmoid(alpha)
    t = np.arange(int(length), dtype=np.float64)
    powers = q[:, :, None] ** t[None, None, :]                     # [C, N, K]
    coef = p * beta * gamma / math.sqrt(n)                          # [C, N]
    return np.einsum("cn,cnk->ck", coef, powers)


def _ema_scan(x, delta, alpha, beta, gamma, reverse):
    """sum_n gamma_n/sqrt(N) * h_{t,n} with h_t = p*beta*x_t + q*h_{t-1}.

    x : [B, L, D], params : [D, N].  With ``reverse`` the recurrence runs from
    t = L-1 down to 0 (h_t = p*beta*x_t + q*h_{t+1}).
    """
    bsz, length, d = x.shape
    n = delta.shape[1]
    p = sigmoid(delta)
    q = 1.0 - p * sigmoid(alpha)
    pb = p * beta                                                   # [D, N]
    g = gamma / math.sqrt(n)                                        # [D, N]
    h = np.zeros((bsz, d, n))
    y = np.zeros((bsz, length, d))
    steps = range(length - 1, -1, -1) if reverse else range(length)
    for t in steps:
        h = pb * x[:, t, :, None] + q * h
        y[:, t, :] = np.einsum("bdn,dn->bd", h, g)
    return y


@_public
def ema_conv(x, delta, alpha, beta, gamma, omega, bidirectional=False):
    """Multi-dimensional damped EMA (MEGA), ``y : [B, L, D]``.

    x : ``[B, L, D]``; delta, alpha, beta, gamma : ``[D, N]`` (causal) or
    ``[2D, N]`` (bidirectional); omega : ``[D]``.  With k = ema_kernel(K = L):

    * causal:  ``y[b,t,d] = sum_{s=0..t} k[d,s] x[b,t-s,d] + omega[d] x[b,t,d]``
    * bidirectional (k1 = k[0:D], k2 = k[D:2D]):
      ``y[b,t,d] = sum_{s=0..t} k1[d,s] x[b,t-s,d]
      + sum_{s=0..L-1-t} k2[d,s] x[b,t+s,d] + omega[d] x[b,t,d]``

    Evaluated with the recurrence ``h_t = p*beta*x_t + q*h_{t-1}``,
    ``y_t = sum_n gamma_n/sqrt(N) h_{t,n} + omega*x_t``; the anti-causal half
    is the same recurrence run backwards with the second half of the params.
    """
    x, delta, alpha, beta, gamma, omega = map(_f64, (x, delta, alpha, beta, gamma, omega))
    _check(x.ndim == 3, "ema_conv: x must be [B, L, D]")
    d = x.shape[2]
    c = 2 * d if bidirectional else d
    for name, a in (("delta", delta), ("alpha", alpha), ("beta", beta), ("gamma", gamma)):
        _check(a.ndim == 2 and a.shape[0] == c,
               "ema_conv: %s must be [%d, N], got %s" % (name, c, a.shape))
    _check(omega.shape == (d,), "ema_conv: omega must be [D]")
    y = _ema_scan(x, delta[:d], alpha[:d], beta[:d], gamma[:d], reverse=False)
    if bidirectional:
        y += _ema_scan(x, delta[d:], alpha[d:], beta[d:], gamma[d:], reverse=True)
    return y + omega * x


def _causal_conv_fft(x, k):
    """sum_{s} k[d,s] x[b,t-s,d] over the valid taps, via a float64 FFT."""
    length = x.shape[1]
    taps = min(k.shape[1], length)
    nfft = 1 << int(math.ceil(math.log2(length + taps)))
    xf = np.fft.rfft(x, n=nfft, axis=1)                             # [B, F, D]
    kf = np.fft.rfft(k[:, :taps].T, n=nfft, axis=0)                 # [F, D]
    return np.fft.irfft(xf * kf[None], n=nfft, axis=1)[:, :length, :]


def _causal_conv(x, k):
    """y[b,t,d] = sum_{s=0..min(t,K-1)} k[d,s] x[b,t-s,d]."""
    length = x.shape[1]
    taps = min(k.shape[1], length)
    if taps > _DIRECT_CONV_MAX_TAPS:
        return _causal_conv_fft(x, k)
    y = np.zeros_like(x)
    for s in range(taps):
        y[:, s:, :] += k[:, s] * x[:, :length - s, :]
    return y


@_public
def long_conv(x, k, bidirectional=False):
    """Depthwise long convolution with an explicit kernel, ``[B, L, D]``.

    k : ``[D, K]`` (causal) or ``[2D, K]`` (bidirectional); taps beyond K are
    0, no omega term:

    * causal: ``y[b,t,d] = sum_{s=0..t} k[d,s] x[b,t-s,d]``
    * bidirectional: ``y[b,t,d] = sum_{s=0..t} k1[d,s] x[b,t-s,d]
      + sum_{s=0..L-1-t} k2[d,s] x[b,t+s,d]`` (k1 = k[0:D], k2 = k[D:2D]).
    """
    x, k = _f64(x), _f64(k)
    _check(x.ndim == 3, "long_conv: x must be [B, L, D]")
    d = x.shape[2]
    c = 2 * d if bidirectional else d
    _check(k.ndim == 2 and k.shape[0] == c, "long_conv: k must be [%d, K]" % c)
    y = _causal_conv(x, k[:d])
    if bidirectional:
        # the anti-causal sum is the causal sum of the time-reversed sequence
        y += _causal_conv(x[:, ::-1, :], k[d:])[:, ::-1, :]
    return y


@_public
def short_conv(x, w, bias):
    """Depthwise causal short convolution with bias, ``[B, L, D]``.

    w : ``[D, W]``, bias : ``[D]``::

        y[b,t,d] = bias[d] + sum_{j=0..W-1} w[d,j] * x[b, t-(W-1)+j, d]

    with x at negative t read as 0 (PyTorch
    ``conv1d(x, w[:,None,:], bias, padding=W-1, groups=D)[..., :L]``).
    """
    x, w, bias = map(_f64, (x, w, bias))
    _check(x.ndim == 3, "short_conv: x must be [B, L, D]")
    length, d = x.shape[1], x.shape[2]
    _check(w.ndim == 2 and w.shape[0] == d, "short_conv: w must be [D, W]")
    _check(bias.shape == (d,), "short_conv: bias must be [D]")
    width = w.shape[1]
    y = np.broadcast_to(bias, x.shape).copy()
    for j in range(width):
        shift = width - 1 - j                 # y[t] reads x[t - shift]
        if shift < length:
            y[:, shift:, :] += w[:, j] * x[:, :length - shift, :]
    return y


# ---------------------------------------------------------------------------
# Sparse Modular Activation: routing and compaction
# ---------------------------------------------------------------------------

@_public
def route(u, log_temp):
    """Latent configurator: ``(gate : [B, L] f32, active : [B, L] bool)``.

    u : ``[B, L, 2]`` logits, log_temp scalar, ``tau = exp(log_temp)``,
    ``pi = softmax(u / tau)`` over the last axis;
    ``active = pi_1 > pi_0`` (a tie does not activate),
    ``gate = max(pi_0, pi_1)``.
    """
    u = _f64(u)
    _check(u.ndim == 3 and u.shape[2] == 2, "route: u must be [B, L, 2]")
    tau = math.exp(float(np.asarray(log_temp, dtype=np.float64)))
    z = u / tau
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    pi = e / e.sum(axis=-1, keepdims=True)
    active = pi[..., 1] > pi[..., 0]
    gate = np.maximum(pi[..., 0], pi[..., 1])
    return gate, active


@_public
def compact_index(active):
    """Positions of the active tokens: ``(pos : [B, S] i32, count : [B] i32)``.

    S = L.  The i-th active token (in order) of row b lands in slot i,
    ``pos[b,i] = t``; ``count[b]`` is the number of active tokens; slots
    ``i >= count[b]`` hold -1.
    """
    active = np.asarray(active).astype(bool)
    _check(active.ndim == 2, "compact_index: active must be [B, L]")
    bsz, length = active.shape
    pos = np.full((bsz, length), -1, dtype=np.int32)
    count = np.zeros((bsz,), dtype=np.int32)
    for b in range(bsz):
        idx = np.nonzero(active[b])[0]
        pos[b, :idx.size] = idx
        count[b] = idx.size
    return pos, count


@_public
def gather(x, pos):
    """``out[b,i,:] = x[b, pos[b,i], :]`` where ``pos[b,i] >= 0``, else 0."""
    x = _f64(x)
    pos = np.asarray(pos)
    _check(x.ndim == 3 and pos.ndim == 2 and pos.shape[0] == x.shape[0],
           "gather: x must be [B, L, F] and pos [B, S]")
    bsz, slots = pos.shape
    out = np.zeros((bsz, slots, x.shape[2]))
    for b in range(bsz):
        valid = pos[b] >= 0
        out[b, valid] = x[b, pos[b, valid]]
    return out


@_public
def scatter(xc, pos, length):
    """Inverse of gather, ``out : [B, length, F]``.

    ``out[b, pos[b,i], :] = xc[b,i,:]`` for ``pos[b,i] >= 0``; every other
    row is 0.
    """
    xc = _f64(xc)
    pos = np.asarray(pos)
    _check(xc.ndim == 3 and pos.shape == xc.shape[:2],
           "scatter: xc must be [B, S, F] and pos [B, S]")
    bsz = xc.shape[0]
    out = np.zeros((bsz, int(length), xc.shape[2]))
    for b in range(bsz):
        valid = pos[b] >= 0
        out[b, pos[b, valid]] = xc[b, valid]
    return out


# ---------------------------------------------------------------------------
# attention
# ---------------------------------------------------------------------------

@_public
def local_attention(q, k, v, pos, count, rel_bias=None, window=1,
                    bidirectional=False, activation="softmax", products=None):
    """Windowed attention over the compacted tokens, ``[B, S, H]``.

    q, k : ``[B, S, Z]``, v : ``[B, S, H]``, pos ``[B, S]`` / count ``[B]``
    from compact_index, optional rel_bias ``[2M-1]``.  For a query slot
    ``i < count[b]`` the allowed keys are the slots ``j < count[b]`` with
    ``|i-j| <= w`` (bidirectional) or ``0 <= i-j <= w`` (causal)::

        s_ij = c * (q_i . k_j) + rel_bias[clamp(pos_j - pos_i, -(M-1), M-1) + M-1]

    with ``c = Z**-0.5`` (softmax) or ``1/(2w)`` bidirectional / ``1/w``
    causal (relu2, laplace).  Then

    * softmax: ``a_ij = exp(s_ij) / sum_{allowed j'} exp(s_ij')``
    * relu2:   ``a_ij = max(s_ij, 0)**2``
    * laplace: ``a_ij = 0.5 * (1 + erf((s_ij - sqrt(1/2)) / (sqrt(1/(4 pi)) * sqrt(2))))``

    ``a_ij = 0`` for keys not allowed, ``o_i = sum_j a_ij v_j`` and rows
    ``i >= count[b]`` are 0.

    ``products``, if given, is an :class:`AttentionProducts`: the op under
    ``seqboat.autocast`` (16-bit products) as the attention strategy
    computes it, whose rounding of the weights depends on its tiles.
    """
    q, k, v = _f64(q), _f64(k), _f64(v)
    pos = np.asarray(pos).astype(np.int64)
    count = np.asarray(count).astype(np.int64)
    _check(activation in ACTIVATIONS, "local_attention: unknown activation %r" % (activation,))
    _check(q.ndim == 3 and q.shape == k.shape, "local_attention: q, k must be [B, S, Z]")
    bsz, slots, zdim = q.shape
    _check(v.ndim == 3 and v.shape[:2] == (bsz, slots), "local_attention: v must be [B, S, H]")
    _check(pos.shape == (bsz, slots) and count.shape == (bsz,),
           "local_attention: pos must be [B, S] and count [B]")
    w = int(window)
    _check(w >= 0, "local_attention: window must be >= 0")
    if activation == "softmax":
        c = zdim ** -0.5
    else:
        _check(w > 0, "local_attention: relu2/laplace need window > 0 (c = 1/w)")
        c = 1.0 / (2 * w) if bidirectional else 1.0 / w
    rb = None
    if rel_bias is not None:
        rb = _f64(rel_bias).reshape(-1)
        _check(rb.size % 2 == 1, "local_attention: rel_bias must be [2M-1]")
        m = (rb.size + 1) // 2
    if products is not None:
        return _local_attention_products(q, k, v, pos, count, rb, w, bidirectional,
                                         activation, c, products)

    out = np.zeros((bsz, slots, v.shape[2]))
    for b in range(bsz):
        n = int(count[b])
        for i0 in range(0, n, _ATTN_ROW_BLOCK):
            i1 = min(n, i0 + _ATTN_ROW_BLOCK)
            j0 = max(0, i0 - w)                       # keys [j0, j1) cover the window
            j1 = min(n, i1 + w) if bidirectional else i1
            ii = np.arange(i0, i1)[:, None]
            jj = np.arange(j0, j1)[None, :]
            diff = ii - jj
            allowed = (np.abs(diff) <= w) if bidirectional else ((diff >= 0) & (diff <= w))
            s = c * (q[b, i0:i1] @ k[b, j0:j1].T)
            if rel_bias is not None:
                rel = pos[b, j0:j1][None, :] - pos[b, i0:i1][:, None]
                s = s + rb[np.clip(rel, -(m - 1), m - 1) + (m - 1)]
            if activation == "softmax":
                s = np.where(allowed, s, -np.inf)
                e = np.exp(s - s.max(axis=1, keepdims=True))   # key j = i is always allowed
                a = e / e.sum(axis=1, keepdims=True)
            else:
                a = np.zeros_like(s)
                a[allowed] = _weigh(s[allowed], activation)
            out[b, i0:i1] = a @ v[b, j0:j1]
    return out


def _weigh(s, activation):
    """The relu2 or laplace weight of scores ``s`` (SPEC.md)."""
    if activation == "relu2":
        return np.maximum(s, 0.0) ** 2
    mu, std = math.sqrt(0.5), math.sqrt(1.0 / (4.0 * math.pi))
    return 0.5 * (1.0 + _erf((s - mu) / (std * math.sqrt(2.0))))


class AttentionProducts(collections.namedtuple(
        "AttentionProducts", ["round", "query_block", "key_block"])):
    """A local attention whose products multiply 16-bit values
    (``seqboat.autocast``), as the attention strategy runs it: ``round``
    maps a float32 array to the values of the 16-bit type; the strategy
    takes ``query_block`` query slots per block and tiles of ``key_block``
    keys. Per block (docs/dialect.md, "Element types"): ``Qt = round(c q)``,
    ``Kt = round(k)``, ``Vt = round(v)``, and per key tile, from the first
    key of the block's windows, ``S = Qt Kt^T`` (+ rel_bias, masked); for
    softmax the running max ``m' = max(m, rowmax S)``, ``P = round(exp(S -
    m'))``, ``l = exp(m - m') l + rowsum P``, ``acc = exp(m - m') acc + P
    Vt``, and ``o = acc / l``; otherwise ``P = round(act(S))`` and ``o =
    sum P Vt``."""


def _local_attention_products(q, k, v, pos, count, rb, w, bidirectional,
                              activation, c, products):
    """local_attention's walk under ``products`` (its inputs checked and
    converted by local_attention; ``rb`` the flat rel_bias or None, ``c``
    the score scale)."""
    bsz, slots, _ = q.shape
    rnd, qb, kb = products.round, int(products.query_block), int(products.key_block)
    _check(qb > 0 and kb > 0, "local_attention: products need positive blocks")
    c32 = np.float32(c)
    if rb is not None:
        m_dist = (rb.size + 1) // 2
    out = np.zeros((bsz, slots, v.shape[2]))
    for b in range(bsz):
        cnt = min(max(int(count[b]), 0), slots)
        for first in range(0, slots, qb):
            active = min(qb, slots - first, max(cnt - first, 0))
            if active <= 0:
                continue
            last_q = first + active - 1
            lo = max(first - w, 0)
            hi = min(last_q + w + 1, cnt) if bidirectional else last_q + 1
            ii = np.arange(first, first + active)[:, None]
            qt = _f64(rnd((q[b, ii[:, 0]].astype(np.float32) * c32)))
            m = np.full((active, 1), -np.inf)
            l = np.zeros((active, 1))
            acc = np.zeros((active, v.shape[2]))
            for j0 in range(lo, hi, kb):
                jj = np.arange(j0, j0 + kb)[None, :]
                rows = np.minimum(jj[0], hi - 1)
                kt = _f64(rnd(k[b, rows].astype(np.float32)))
                vt = _f64(rnd(v[b, rows].astype(np.float32)))
                diff = ii - jj
                allowed = (jj < hi) & ((np.abs(diff) <= w) if bidirectional
                                       else ((diff >= 0) & (diff <= w)))
                s = qt @ kt.T
                if rb is not None:
                    rel = pos[b, rows][None, :] - pos[b, ii[:, 0]][:, None]
                    s = s + rb[np.clip(rel, -(m_dist - 1), m_dist - 1) + (m_dist - 1)]
                if activation == "softmax":
                    s = np.where(allowed, s, -np.inf)
                    m_new = np.maximum(m, s.max(axis=1, keepdims=True))
                    with np.errstate(invalid="ignore"):
                        alpha = np.where(m_new == -np.inf, 1.0, np.exp(m - m_new))
                        e = np.where(allowed, np.exp(s - m_new), 0.0)
                    p = _f64(rnd(e.astype(np.float32)))
                    l = alpha * l + p.sum(axis=1, keepdims=True)
                    acc = alpha * acc + p @ vt
                    m = m_new
                else:
                    a = np.where(allowed, _weigh(s, activation), 0.0)
                    p = _f64(rnd(a.astype(np.float32)))
                    acc = acc + p @ vt
            if activation == "softmax":
                with np.errstate(invalid="ignore", divide="ignore"):
                    acc = np.where(l > 0, acc / np.where(l > 0, l, 1.0), 0.0)
            out[b, first:first + active] = acc
    return out


@_public
def linear_attention(q, k, v, decay=None, bidirectional=False):
    """(Decayed) linear attention, ``[B, L, H]``.

    q, k : ``[B, L, Z]``, v : ``[B, L, H]``, optional scalar decay gamma
    (default 1):

    * causal:        ``o_t = sum_{s<=t} gamma**(t-s) * (q_t . k_s) * v_s``
    * bidirectional: ``o_t = sum_s (q_t . k_s) * v_s`` (no decay)

    The causal form is evaluated with the state recurrence
    ``S_t = gamma * S_{t-1} + k_t v_t^T``, ``o_t = q_t S_t``.
    """
    q, k, v = _f64(q), _f64(k), _f64(v)
    _check(q.ndim == 3 and q.shape == k.shape, "linear_attention: q, k must be [B, L, Z]")
    _check(v.ndim == 3 and v.shape[:2] == q.shape[:2], "linear_attention: v must be [B, L, H]")
    if bidirectional:
        kv = np.einsum("bsz,bsh->bzh", k, v)
        return np.einsum("btz,bzh->bth", q, kv)
    g = 1.0 if decay is None else float(np.asarray(decay, dtype=np.float64))
    bsz, length, zdim = q.shape
    state = np.zeros((bsz, zdim, v.shape[2]))
    out = np.zeros((bsz, length, v.shape[2]))
    for t in range(length):
        state = g * state + k[:, t, :, None] * v[:, t, None, :]
        out[:, t] = np.einsum("bz,bzh->bh", q[:, t], state)
    return out


# ---------------------------------------------------------------------------
# a CHELA block (docs/chela.md)
# ---------------------------------------------------------------------------

@_public
def chela_block(x, sw, sb, lk, wq, bq, wk, bk, wv, bv, wg, bg, wo, bo, decay):
    """A CHELA block written with the primitive ops, ``[B, L, D]``::

        a = silu(short_conv(x, sw, sb));  c = long_conv(a, lk)     (causal)
        q = c wq^T + bq;  k = c wk^T + bk;  v = x wv^T + bv
        g = silu(x wg^T + bg)
        y = x + (linear_attention(q, k, v, decay) * g) wo^T + bo

    Every step is the float64 reference of its op.
    """
    x = _f64(x)
    a = silu(short_conv.f64(x, sw, sb))
    c = long_conv.f64(a, lk)
    q = c @ _f64(wq).T + _f64(bq)
    k = c @ _f64(wk).T + _f64(bk)
    v = x @ _f64(wv).T + _f64(bv)
    g = silu(x @ _f64(wg).T + _f64(bg))
    o = linear_attention.f64(q, k, v, decay)
    return x + (o * g) @ _f64(wo).T + _f64(bo)


# ---------------------------------------------------------------------------
# one whole layer
# ---------------------------------------------------------------------------

LAYER_OPERANDS = (
    "x", "norm_w", "norm_b", "ema_delta", "ema_alpha", "ema_beta", "ema_gamma",
    "ema_omega", "hx_w", "hx_b", "log_temp", "mx_w", "mx_b", "qk_gamma",
    "qk_beta", "rel_bias", "h_w", "h_b",
)
"""Operand names of ``seqboat.layer``, in operand order (the ``params`` keys)."""


@dataclass
class LayerConfig:
    """Attributes of ``seqboat.layer``."""
    window: int
    bidirectional: bool = False
    activation: str = "softmax"
    norm: str = "layernorm"
    prenorm: bool = True
    eps: float = 1e-5


def normalize(x, kind, w, b, eps):
    """Norm over the last axis.

    layernorm: ``(x - mean) / sqrt(var + eps) * w + b`` (biased variance);
    rmsnorm: ``x / sqrt(mean(x**2) + eps) * w``; none: identity.
    """
    if kind == "none":
        return x
    if kind == "layernorm":
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + eps) * w + b
    if kind == "rmsnorm":
        return x / np.sqrt((x ** 2).mean(axis=-1, keepdims=True) + eps) * w
    raise ValueError("unknown norm %r" % (kind,))


def _layer(params, cfg, return_intermediates=False, gemm_input=None,
           attention_products=None, gemm_output=None):
    if isinstance(cfg, dict):
        cfg = LayerConfig(**cfg)
    missing = [n for n in LAYER_OPERANDS if n not in params]
    _check(not missing, "layer: missing params %s" % missing)
    p = {n: _f64(params[n]) for n in LAYER_OPERANDS}
    _check(cfg.norm in NORMS, "layer: unknown norm %r" % (cfg.norm,))
    eps = float(np.float32(cfg.eps))          # the attribute is an f32
    x = p["x"]
    _check(x.ndim == 3, "layer: x must be [B, L, D]")
    length, d = x.shape[1], x.shape[2]
    zdim = p["qk_gamma"].shape[1]
    hdim = p["h_w"].shape[1]
    _check(p["mx_w"].shape[0] == zdim + 2 * hdim, "layer: mx_w must be [Z+2H, D]")
    _check(p["hx_w"].shape == (d + 2, d), "layer: hx_w must be [D+2, D]")

    def norm(t):
        return normalize(t, cfg.norm, p["norm_w"], p["norm_b"], eps)

    # What the three projections read (rounded to 16 bits by precision=autocast).
    gin = gemm_input or (lambda t: t)
    # What they store (rounded to 16 bits by precision=autocast).
    gout = gemm_output or (lambda t: t)

    # 1-2: normalisation and EMA
    xn = norm(x) if cfg.prenorm else x
    mx = silu(ema_conv.f64(xn, p["ema_delta"], p["ema_alpha"], p["ema_beta"],
                           p["ema_gamma"], p["ema_omega"], cfg.bidirectional))
    # 3: router logits and the hx branch
    hu = gout(gin(mx) @ p["hx_w"].T + p["hx_b"])
    u, hx = hu[..., 0:2], hu[..., 2:]
    # 4: routing and compaction
    gate, active = route.f64(u, p["log_temp"])
    pos, count = compact_index.f64(active)
    # 5: projections of the gathered tokens
    base = gout(silu(gin(gather.f64(mx, pos)) @ p["mx_w"].T + p["mx_b"]))
    z, r, v = base[..., 0:zdim], base[..., zdim:zdim + hdim], base[..., zdim + hdim:]
    # 6: queries and keys
    q = z * p["qk_gamma"][0] + p["qk_beta"][0]
    k = z * p["qk_gamma"][1] + p["qk_beta"][1]
    # 7: attention over the compacted tokens
    o = local_attention.f64(q, k, v, pos, count, p["rel_bias"], cfg.window,
                            cfg.bidirectional, cfg.activation,
                            products=attention_products)
    h = gout(gin(o * r) @ p["h_w"].T + p["h_b"])
    # 8: back to original positions, gated
    hf = scatter.f64(h, pos, length) * (gate * active)[..., None]
    # 9: residual and output
    out = silu(x + hx + hf)
    if not cfg.prenorm:
        out = norm(out)
    if not return_intermediates:
        return out
    inter = dict(xn=xn, mx=mx, u=u, hx=hx, gate=gate, active=active, pos=pos,
                 count=count, z=z, r=r, v=v, q=q, k=k, o=o, h=h, hf=hf)
    return out, inter


def layer(params, cfg, return_intermediates=False, gemm_input=None,
          attention_products=None, gemm_output=None):
    """One whole SeqBoat layer, ``out : [B, L, D]`` (float32).

    ``params`` maps the operand names of ``seqboat.layer``
    (:data:`LAYER_OPERANDS`: x [B,L,D], norm_w [D], norm_b [D],
    ema_delta/alpha/beta/gamma [C,N] (C = D causal, 2D bidirectional),
    ema_omega [D], hx_w [D+2,D], hx_b [D+2], log_temp [], mx_w [Z+2H,D],
    mx_b [Z+2H], qk_gamma [2,Z], qk_beta [2,Z], rel_bias [2M-1], h_w [D,H],
    h_b [D]) to arrays; ``cfg`` is a :class:`LayerConfig` or a dict of its
    fields (window, bidirectional, activation, norm, prenorm, eps).

    1. ``xn = prenorm ? Norm(x) : x``
    2. ``mx = silu(ema_conv(xn))``
    3. ``hu = mx hx_w^T + hx_b``; ``u = hu[..., 0:2]``, ``hx = hu[..., 2:]``
    4. ``(gate, active) = route(u, log_temp)``; ``(pos, count) = compact_index(active)``
    5. ``base = silu(gather(mx, pos) mx_w^T + mx_b)``; ``z, r, v`` = its
       ``[0:Z], [Z:Z+H], [Z+H:]`` slices
    6. ``q = z * qk_gamma[0] + qk_beta[0]``, ``k = z * qk_gamma[1] + qk_beta[1]``
    7. ``o = local_attention(q, k, v, pos, count, rel_bias)``;
       ``h = (o * r) h_w^T + h_b``
    8. ``hf = scatter(h, pos) * (gate * active)``
    9. ``out = silu(x + hx + hf)``; ``out = prenorm ? out : Norm(out)``

    Norm: layernorm ``(x - mean)/sqrt(var + eps) * norm_w + norm_b`` (biased
    variance), rmsnorm ``x / sqrt(mean(x^2) + eps) * norm_w``, none identity.
    With ``return_intermediates`` also returns a dict of the intermediate
    values (xn, mx, u, hx, gate, active, pos, count, z, r, v, q, k, o, h, hf).
    ``gemm_input``, if given, maps what each of the three projections reads
    (``mx``, ``gather(mx, pos)``, ``o * r``) before the product: rounding to
    a 16-bit type models ``precision=autocast``, together with
    ``gemm_output`` (what each projection stores: ``hu``, ``base`` after its
    silu, ``h``; rounded where an autocast model rounds an ``nn.Linear``'s
    output) and ``attention_products`` (an :class:`AttentionProducts`: the
    attention's 16-bit products).
    """
    return _to_public(_layer(params, cfg, return_intermediates, gemm_input,
                             attention_products, gemm_output))


layer.f64 = _layer
