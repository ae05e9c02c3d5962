"""A minimal re-implementation of the published SeqBoat layer, for tests only.

It follows ``SeqBoatLayer`` of renll/SeqBoat, ``standalone_seqboat.py`` at
commit 5a34aed3c573858630ec64b0f2c4a22948962947 (the published code is not
vendored): the same class and constructor, the same submodule and parameter
names (so its state_dict has the published names and shapes), and the same
eval-mode forward for the options seqboat-import maps: LayerNorm, 'simple'
relative position bias, softmax/relu2 local attention with an exact window,
and the published decision to compact a batch only when no row of it is fully
active (SPEC.md divergences), which the test of the quirk report relies on.
Dropout is left out (eval mode) and the look-around block attention is
written as a banded mask, which allows the same keys.  Input ``[L, B, D]``.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

MASKED_SCORE = -5e4      # the published TOKEN_SELF_ATTN_VALUE


class FastRelativePositionalBias(nn.Module):
    def __init__(self, max_positions):
        super().__init__()
        self.max_positions = max_positions
        self.rel_pos_bias = nn.Parameter(torch.zeros(2 * max_positions - 1))

    def between(self, pos_q, pos_k):
        """Bias of keys at pos_k for queries at pos_q (original positions),
        the entry for pos_k - pos_q, clamped to the table as the published
        code extends it with its end values."""
        rel = (pos_k[..., None, :] - pos_q[..., :, None]).clamp(
            -(self.max_positions - 1), self.max_positions - 1)
        return self.rel_pos_bias[rel + self.max_positions - 1]


class MultiHeadEMA(nn.Module):
    def __init__(self, embed_dim, ndim=2, bidirectional=False, truncation=None):
        super().__init__()
        self.embed_dim, self.ndim, self.bidirectional = embed_dim, ndim, bidirectional
        self.scale = math.sqrt(1.0 / ndim)
        kernel_dim = 2 * embed_dim if bidirectional else embed_dim
        self.delta = nn.Parameter(torch.zeros(kernel_dim, ndim, 1))
        self.alpha = nn.Parameter(torch.zeros(kernel_dim, ndim, 1))
        self.beta = nn.Parameter(torch.zeros(kernel_dim, ndim, 1))
        self.gamma = nn.Parameter(torch.zeros(kernel_dim, ndim))
        self.omega = nn.Parameter(torch.zeros(embed_dim))

    def kernel(self, length):
        p = torch.sigmoid(self.delta)
        q = 1.0 - p * torch.sigmoid(self.alpha)
        vander = torch.arange(length).to(p).view(1, 1, length) * torch.log(q)
        k = (p * self.beta) * torch.exp(vander)
        return torch.einsum("dnl,dn->dl", k, self.gamma * self.scale)

    def forward(self, x):                     # x: [L, B, D]
        length = x.shape[0]
        residual = x * self.omega
        xb = x.permute(1, 2, 0)               # [B, D, L]
        k = self.kernel(length)
        n = 2 * length

        def conv(signal, taps):
            return torch.fft.irfft(torch.fft.rfft(signal, n=n) * torch.fft.rfft(taps, n=n),
                                   n=n)[..., :length]
        if self.bidirectional:
            k1, k2 = torch.split(k, [self.embed_dim, self.embed_dim], dim=0)
            out = conv(xb, k1) + conv(xb.flip(-1), k2).flip(-1)
        else:
            out = conv(xb, k)
        return out.permute(2, 0, 1) + residual


class LatentConfigurator(nn.Module):
    def __init__(self, dim, proj_dim, init_temp_scale=1.0):
        super().__init__()
        self.temp = nn.Parameter(torch.ones(1) * math.log(init_temp_scale * dim ** 0.5))

    def forward(self, x):
        return F.softmax(x / self.temp.exp(), dim=-1, dtype=torch.float32)


class SequenceNorm(nn.Module):
    def __init__(self, norm_type, embedding_dim, eps=1e-5, affine=True):
        super().__init__()
        assert norm_type == "layernorm"
        self.norm = nn.LayerNorm(embedding_dim, eps=eps, elementwise_affine=affine)

    def forward(self, x):
        return self.norm(x)


class SeqBoatLayer(nn.Module):
    def __init__(self, embed_dim, zdim, hdim, ndim, dropout=0.0, attention_dropout=0.0,
                 hidden_dropout=0.0, attention_activation="relu2", bidirectional=False,
                 window_size=256, truncation=None, norm_type="layernorm", prenorm=True,
                 norm_affine=True, rel_pos_bias="simple", max_positions=1024,
                 init_temp_scale=1.0, local_pos=False):
        super().__init__()
        assert rel_pos_bias == "simple" and not local_pos and truncation is None
        self.embed_dim, self.zdim, self.hdim = embed_dim, zdim, hdim
        self.attention_activation = attention_activation
        self.causal = not bidirectional
        self.window_size = window_size
        self.scaling = zdim ** -0.5
        self.prenorm = prenorm
        self.norm = SequenceNorm(norm_type, embed_dim, affine=norm_affine)
        self.ssm = MultiHeadEMA(embed_dim, ndim=ndim, bidirectional=bidirectional)
        self.gamma = nn.Parameter(torch.zeros(2, zdim))
        self.beta = nn.Parameter(torch.zeros(2, zdim))
        self.rel_pos_bias = FastRelativePositionalBias(max_positions)
        self.q_router = LatentConfigurator(embed_dim, 2, init_temp_scale)
        self.mx_proj = nn.Linear(embed_dim, zdim + 2 * hdim)
        self.hx_proj = nn.Linear(embed_dim, 2 + embed_dim)
        self.h_proj = nn.Linear(hdim, embed_dim)

    def attention(self, q, k, v, pos, valid):
        """Windowed attention over slots; pos: original positions [B, S];
        valid: which slots hold a token that may be attended [B, S]."""
        slots = torch.arange(q.shape[1])
        rel = slots[None, :] - slots[:, None]          # key slot - query slot
        band = (rel.abs() <= self.window_size) if not self.causal else \
            (rel <= 0) & (rel >= -self.window_size)
        allowed = band[None] & valid[:, None, :]
        if self.attention_activation == "softmax":
            q = q * self.scaling
        else:
            q = q / (self.window_size if self.causal else 2 * self.window_size)
        sim = q @ k.transpose(1, 2) + self.rel_pos_bias.between(pos, pos)
        if self.attention_activation == "softmax":
            attn = F.softmax(sim.masked_fill(~allowed, MASKED_SCORE), dim=-1)
        else:
            attn = torch.square(F.relu(sim.masked_fill(~allowed, 0.0)))
        return attn @ v

    def forward(self, x):                     # x: [L, B, D]
        seq_len, bsz, _ = x.shape
        residual = x
        if self.prenorm:
            x = self.norm(x)
        mx = F.silu(self.ssm(x)).transpose(0, 1)               # [B, L, D]
        u, hx = torch.split(self.hx_proj(mx), [2, self.embed_dim], dim=-1)
        q_p, q_ind = self.q_router(u).max(dim=-1)              # [B, L]
        active = q_ind == 1
        gate = q_p * active
        positions = torch.arange(seq_len)[None].expand(bsz, -1)
        # The published layer compacts only when the densest row is not fully
        # active; otherwise every row runs over its original positions.
        compress = int(active.sum(-1).max()) < seq_len
        if compress:
            order = torch.argsort((~active).to(torch.int8), dim=-1, stable=True)
            pos = torch.gather(positions, 1, order)
            valid = torch.gather(active, 1, order)
            sel = torch.gather(mx, 1, order[..., None].expand(-1, -1, mx.shape[-1]))
        else:
            pos, valid, sel = positions, active, mx
        z, r, v = torch.split(F.silu(self.mx_proj(sel)), [self.zdim, self.hdim, self.hdim],
                              dim=-1)
        q, k = torch.unbind(z.unsqueeze(-2) * self.gamma + self.beta, dim=-2)
        h = self.h_proj(self.attention(q, k, v, pos, valid) * r)
        if compress:
            h = torch.zeros_like(h).scatter(1, order[..., None].expand(-1, -1, h.shape[-1]), h)
        h = h * gate[..., None]
        out = F.silu((hx + h).transpose(0, 1) + residual)
        if not self.prenorm:
            out = self.norm(out)
        return out
