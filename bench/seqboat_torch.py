"""A faithful eager PyTorch implementation of SPEC.md's seqboat.layer.

Used as the baseline of bench/bench_gpu.py (eager and torch.compile). It
follows the spec, not the published code (per-row compaction, masked keys
weigh 0, rel_bias indexed on original positions), and is written for speed:
FFT convolutions for the EMA, and block-banded local attention over the
compacted tokens (query blocks of w attend to the neighbouring key blocks).
"""

import math

import torch
import torch.nn.functional as F

ACTIVATIONS = ("softmax", "relu2", "laplace")


def ema_kernel(delta, alpha, beta, gamma, length):
    p = torch.sigmoid(delta)
    q = 1 - p * torch.sigmoid(alpha)
    t = torch.arange(length, device=delta.device, dtype=delta.dtype)
    vander = torch.exp(torch.log(q)[..., None] * t)            # [C, N, K]
    coef = (p * beta * gamma / math.sqrt(delta.shape[-1]))[..., None]
    return (coef * vander).sum(1)                              # [C, K]


def causal_fft_conv(x, k):
    """y[b, t, d] = sum_{s<=t} k[d, s] x[b, t-s, d] for x [B, L, D], k [D, L]."""
    length = x.shape[1]
    n = 2 * length
    xf = torch.fft.rfft(x.transpose(1, 2), n=n)
    kf = torch.fft.rfft(k, n=n)
    return torch.fft.irfft(xf * kf, n=n)[..., :length].transpose(1, 2)


def ema_conv(x, delta, alpha, beta, gamma, omega, bidirectional):
    b, length, d = x.shape
    k = ema_kernel(delta, alpha, beta, gamma, length)
    y = causal_fft_conv(x, k[:d])
    if bidirectional:
        y = y + causal_fft_conv(x.flip(1), k[d:]).flip(1)
    return y + omega * x


def norm(x, kind, w, b, eps):
    if kind == "none":
        return x
    if kind == "rmsnorm":
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w
    return F.layer_norm(x, (x.shape[-1],), w, b, eps)


def local_attention(q, k, v, pos, count, rel_bias, window, bidirectional, activation):
    """Banded attention over compacted slots, in blocks of `window` queries."""
    bsz, s, z = q.shape
    h = v.shape[-1]
    w = window
    nb = math.ceil(s / w)
    pad = nb * w - s
    # Key blocks -1, 0, +1 around each query block (causal: -1, 0).
    offsets = (-1, 0, 1) if bidirectional else (-1, 0)

    def blocks(x):
        x = F.pad(x, (0, 0, w, pad + w))                       # one block of zeros each side
        return x.unfold(1, w, w).transpose(-1, -2)             # [B, nb+2, w, F]

    qb = F.pad(q, (0, 0, 0, pad)).view(bsz, nb, w, z)
    kb, vb = blocks(k), blocks(v)
    keys = torch.cat([kb[:, 1 + o:1 + o + nb] for o in offsets], 2)   # [B, nb, n*w, Z]
    vals = torch.cat([vb[:, 1 + o:1 + o + nb] for o in offsets], 2)
    scale = 1 / math.sqrt(z) if activation == "softmax" else 1.0 / (2 * w if bidirectional else w)
    scores = torch.einsum("bnqz,bnkz->bnqk", qb, keys) * scale

    dev = q.device
    # Query slot i and key slot j of every (block, query, key) entry.
    i = (torch.arange(nb, device=dev).view(nb, 1) * w
         + torch.arange(w, device=dev).view(1, w)).view(nb, w, 1)
    jj = ((torch.arange(nb, device=dev).view(nb, 1, 1)
           + torch.tensor(offsets, device=dev).view(1, -1, 1)) * w
          + torch.arange(w, device=dev).view(1, 1, w)).view(nb, 1, -1)
    cnt = count.view(bsz, 1, 1, 1).long()
    allowed = (jj >= 0) & (jj < cnt) & (i < cnt)
    diff = i - jj
    allowed &= (diff.abs() <= w) if bidirectional else ((diff >= 0) & (diff <= w))
    if rel_bias is not None:
        m = (rel_bias.shape[0] + 1) // 2
        pos_pad = F.pad(pos, (w, pad + w), value=0).long()
        pi = F.pad(pos, (0, pad)).long().view(bsz, nb, w, 1)
        pj = torch.cat([pos_pad.unfold(1, w, w)[:, 1 + o:1 + o + nb] for o in offsets], 2)
        rel = (pj.unsqueeze(2) - pi).clamp(-(m - 1), m - 1) + m - 1
        scores = scores + rel_bias[rel]
    if activation == "softmax":
        scores = scores.masked_fill(~allowed, float("-inf"))
        a = torch.softmax(scores, -1).nan_to_num(0.0)
    elif activation == "relu2":
        a = torch.relu(scores).square() * allowed
    else:
        mu, std = math.sqrt(0.5), math.sqrt(0.25 / math.pi)
        a = 0.5 * (1 + torch.erf((scores - mu) / (std * math.sqrt(2)))) * allowed
    out = torch.einsum("bnqk,bnkh->bnqh", a, vals).reshape(bsz, nb * w, h)[:, :s]
    return out * (torch.arange(s, device=dev).view(1, s, 1) < count.view(bsz, 1, 1))


def layer(p, window, bidirectional, activation, norm_kind, prenorm, eps):
    """SPEC.md seqboat.layer; `p` maps operand names to tensors."""
    x = p["x"]
    bsz, length, d = x.shape
    z = p["qk_gamma"].shape[1]
    h = p["h_w"].shape[1]
    xn = norm(x, norm_kind, p["norm_w"], p["norm_b"], eps) if prenorm else x
    mx = F.silu(ema_conv(xn, p["ema_delta"], p["ema_alpha"], p["ema_beta"], p["ema_gamma"],
                         p["ema_omega"], bidirectional))
    hu = F.linear(mx, p["hx_w"], p["hx_b"])
    u, hx = hu[..., :2], hu[..., 2:]
    pi = torch.softmax(u / torch.exp(p["log_temp"]), -1)
    active = pi[..., 1] > pi[..., 0]
    gate = pi.max(-1).values
    count = active.sum(1)
    order = torch.argsort((~active).to(torch.int8), dim=1, stable=True)
    slots = torch.arange(length, device=x.device).view(1, length)
    pos = torch.where(slots < count.view(bsz, 1), order, torch.full_like(order, -1))
    gathered = torch.gather(mx, 1, pos.clamp(min=0).unsqueeze(-1).expand(-1, -1, d))
    gathered = gathered * (pos >= 0).unsqueeze(-1)
    base = F.silu(F.linear(gathered, p["mx_w"], p["mx_b"]))
    zz, r, v = base[..., :z], base[..., z:z + h], base[..., z + h:]
    q = zz * p["qk_gamma"][0] + p["qk_beta"][0]
    k = zz * p["qk_gamma"][1] + p["qk_beta"][1]
    o = local_attention(q, k, v, pos, count, p["rel_bias"], window, bidirectional, activation)
    hh = F.linear(o * r, p["h_w"], p["h_b"])
    scattered = torch.zeros_like(x)
    scattered.scatter_(1, pos.clamp(min=0).unsqueeze(-1).expand(-1, -1, d),
                       hh * (pos >= 0).unsqueeze(-1), reduce="add")
    out = F.silu(x + hx + scattered * (gate * active).unsqueeze(-1))
    return out if prenorm else norm(out, norm_kind, p["norm_w"], p["norm_b"], eps)
