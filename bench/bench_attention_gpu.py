#!/usr/bin/env python3
"""GPU benchmark of seqboat.local_attention vs PyTorch attention (a benchmark,
not a test).

The attention over compacted tokens on its own, at Z = H = 128, on the same
compacted q, k, v, pos and count for every contender:

  here:        python3 bench/bench_attention_gpu.py prepare [--build build]
                   [--out bench/gpu-attention]
               compiles the op (B=8, S=4096, Z=H=128, w=256, bidirectional
               softmax, rel_bias) into GPU libraries (seqboat.aot, sm_90
               fatbin): "attention" (the attention strategy, the default: its
               products on TF32 tensor cores), "attention-ieee" (the same with
               exact f32 products) and "scan" (attention-key-block=0, a
               thread per query), and the op in bf16 (q, k, v bf16,
               rel_bias f32) under precision=autocast, "attention-bf16"
               (its products on bf16 tensor cores), and copies
               seqboat-exec next to them;
  GPU machine: python3 bench/bench_attention_gpu.py run [--out ...] [--repeat 20]
               makes the inputs (python/seqboat/builder, active fractions 1.0
               and 0.25), times each library with seqboat-exec (CUDA events,
               median) and, on the same tensors, PyTorch's
               scaled_dot_product_attention with a dense float mask (the
               window, count and rel_bias in it: O(S^2) memory) and, where
               torch has it, FlexAttention (a sliding-window block mask and a
               rel_bias score_mod, under torch.compile); checks seqboat's rows
               below count against SDPA's and prints one markdown table with
               the device and date. f32, allow_tf32 off for PyTorch
               (compare it with "attention-ieee"; "attention" rounds the
               products' operands to TF32); then a second table in bf16:
               "attention-bf16" against SDPA and FlexAttention on the same
               bf16 q, k, v (errors against the f32 SDPA of those values).
  anywhere:    python3 bench/bench_attention_gpu.py check
               the PyTorch masked attention (the SDPA mask, evaluated with
               plain torch ops) against the NumPy reference on small shapes
               (CPU), so the baselines compute what SPEC.md says.
"""

import argparse
import functools
import os
import shutil
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SHAPE = dict(B=8, L=4096, Z=128, H=128, window=256, bidirectional=True,
             activation="softmax", M=4096)
FRACTIONS = (1.0, 0.25)
# "attention": the default (products on TF32 tensor cores); "attention-ieee":
# the same blocks with exact f32 products, as PyTorch computes them here.
VARIANTS = {"attention": "", "attention-ieee": "precision=ieee",
            "scan": "attention-key-block=0"}
# The op in bf16 (rel_bias, a small parameter, f32) under autocast: Q·Kᵀ
# and P·V on bf16 tensor cores.
VARIANTS16 = {"attention-bf16": "precision=autocast"}
ELTS16 = ["bf16", "bf16", "bf16", None, None, "f32"]


def _case(frac, **extra):
    import numpy as np
    from seqboat import builder
    cfg = builder.BuildConfig(**dict(SHAPE, active_fraction=frac, seed=11, **extra))
    return builder._case_local_attention(np.random.default_rng(cfg.seed), cfg), cfg


def _case16(frac):
    """The case in bf16: q, k, v rounded to bf16, rel_bias f32."""
    from seqboat import builder
    case, cfg = _case(frac)
    case.in_elts = list(ELTS16)
    case.inputs = [builder.round_to(a, e) if e == "bf16" else a
                   for a, e in zip(case.inputs, case.in_elts)]
    return case, cfg


def prepare(args):
    from bench_gpu import aot_compile
    from seqboat import builder
    os.makedirs(args.out, exist_ok=True)
    import numpy as np
    for make, suffix, variants in ((_case, "", VARIANTS), (_case16, "_bf16", VARIANTS16)):
        case, cfg = make(1.0)
        # emit_mlir reads the result's shape only.
        case.results = [np.broadcast_to(np.float32(0), (cfg.B, cfg.L, cfg.H))]
        if suffix:
            case.out_elts = ["bf16"]
        src = os.path.join(args.out, "local_attention%s.mlir" % suffix)
        with open(src, "w") as f:
            f.write(builder.emit_mlir(case, "local_attention"))
        for name, options in variants.items():
            aot_compile(src, os.path.join(args.out, "%s.so" % name), args.build, options)
    shutil.copy(os.path.join(args.build, "bin", "seqboat-exec"), args.out)


def dense_bias(pos, count, rel_bias, window, bidirectional, device=None):
    """[B, 1, S, S] float mask of SPEC's local attention: rel_bias on original
    positions where key j is allowed for query i, -inf elsewhere."""
    import torch
    b, s = pos.shape
    m = (rel_bias.shape[0] + 1) // 2
    i = torch.arange(s, device=device).view(1, s, 1)
    j = torch.arange(s, device=device).view(1, 1, s)
    c = count.view(b, 1, 1)
    d = i - j
    allowed = (j < c) & (i < c) & (d <= window) & ((d >= -window) if bidirectional else (d >= 0))
    rel = (pos.view(b, 1, s) - pos.view(b, s, 1)).clamp(-(m - 1), m - 1) + (m - 1)
    bias = rel_bias[rel.long()]
    return torch.where(allowed, bias, torch.full_like(bias, float("-inf"))).unsqueeze(1)


def masked_attention(q, k, v, mask):
    """softmax(q·kᵀ/√Z + mask)·v with plain torch ops; rows without keys 0."""
    import torch
    s = q.unsqueeze(1) @ k.unsqueeze(1).transpose(-1, -2) / q.shape[-1] ** 0.5 + mask
    a = torch.softmax(s, dim=-1)
    return torch.nan_to_num(a, nan=0.0) @ v.unsqueeze(1)


def run(args):
    import numpy as np
    import torch
    import torch.nn.functional as F
    from bench_gpu import cuda_time, exec_time
    from seqboat import builder

    torch.backends.cuda.matmul.allow_tf32 = False
    device = torch.cuda.get_device_name(0)
    exe = os.path.join(args.out, "seqboat-exec")
    try:
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention
        flex = torch.compile(flex_attention)
    except ImportError:
        flex = None

    def table(make, variants, dtype, tag):
        rows = []
        for frac in FRACTIONS:
            case, cfg = make(frac)
            elts = case.in_elts or [None] * len(case.inputs)
            inputs = []
            for i, (a, elt) in enumerate(zip(case.inputs, elts)):
                path = os.path.join(args.out, "%s.f%.2f.in%d.npy" % (tag, frac, i))
                builder.save_npy(path, a, elt)
                inputs += ["--input", path]
            q, k, v, pos, count, rel_bias = [torch.from_numpy(np.ascontiguousarray(a)).cuda()
                                             for a in case.inputs]
            valid = (torch.arange(cfg.L, device="cuda").view(1, -1) < count.view(-1, 1)).cpu().numpy()
            w = cfg.window
            with torch.no_grad():
                mask = dense_bias(pos, count, rel_bias, w, cfg.bidirectional, device="cuda")
                # The expected output: f32 SDPA of the (rounded) inputs.
                expected = torch.nan_to_num(F.scaled_dot_product_attention(
                    q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1), attn_mask=mask),
                    nan=0.0)[:, 0].cpu().numpy()
                qd, kd, vd = (t.to(dtype).unsqueeze(1) for t in (q, k, v))
                sdpa = functools.partial(F.scaled_dot_product_attention, qd, kd, vd,
                                         attn_mask=mask.to(dtype))
                contenders = {"SDPA (dense mask)": cuda_time(sdpa, args.repeat)}
                if flex is not None:
                    m = cfg.M

                    def mask_mod(b, h, qi, kj):
                        return ((qi - kj).abs() <= w) & (qi < count[b]) & (kj < count[b])

                    def score_mod(score, b, h, qi, kj):
                        rel = (pos[b, kj] - pos[b, qi]).clamp(-(m - 1), m - 1) + (m - 1)
                        return score + rel_bias[rel]
                    block_mask = create_block_mask(mask_mod, cfg.B, None, cfg.L, cfg.L)
                    fa = lambda: flex(qd, kd, vd, score_mod=score_mod, block_mask=block_mask)
                    contenders["FlexAttention"] = cuda_time(fa, args.repeat)
            for name in variants:
                lib = os.path.join(args.out, "%s.so" % name)
                out = os.path.join(args.out, "%s.f%.2f.%s.out.npy" % (tag, frac, name))
                ms = exec_time(exe, lib, "local_attention", inputs, out, args.repeat)
                got, _ = builder.load_npy(out)
                diff = np.abs(got - expected)[valid]
                err = float(diff.max() / max(np.abs(expected[valid]).max(), 1e-30)) if diff.size else 0.0
                rows.append((frac, name, ms, contenders, err))
            del sdpa, mask
            torch.cuda.empty_cache()
        names = list(rows[0][3]) if rows else []
        print("# seqboat local_attention GPU benchmark, %s, %s, torch %s; B=%d S=%d Z=H=%d w=%d "
              "bidirectional softmax, %s" % (time.strftime("%Y-%m-%d"), device, torch.__version__,
                                             SHAPE["B"], SHAPE["L"], SHAPE["Z"], SHAPE["window"],
                                             tag))
        print("| active | seqboat strategy | seqboat (ms) | " +
              " | ".join("%s (ms) | %s / seqboat" % (n, n) for n in names) + " | max rel err vs f32 SDPA |")
        print("|---|---|---|" + "---|---|" * len(names) + "---|")
        for frac, name, ms, contenders, err in rows:
            print("| %.2f | %s | %.3f | " % (frac, name, ms) +
                  " | ".join("%.3f | %.2fx" % (contenders[n], contenders[n] / ms) for n in names) +
                  " | %.1e |" % err)
        print()

    table(_case, VARIANTS, torch.float32, "f32")
    table(_case16, VARIANTS16, torch.bfloat16, "bf16")


def check(args):
    """The dense-mask attention against the NumPy reference (CPU, small)."""
    import numpy as np
    import torch
    from seqboat import reference as ref

    worst = 0.0
    for extra in (dict(), dict(bidirectional=False), dict(L=37, window=40),
                  dict(L=100, active_fraction=0.3), dict(L=64, active_fraction=0.0)):
        fields = dict(SHAPE, B=2, L=64, Z=16, H=24, window=8, M=64)
        fields.update(extra)
        from seqboat import builder
        frac = fields.pop("active_fraction", 1.0)
        cfg = builder.BuildConfig(**dict(fields, active_fraction=frac, seed=3))
        case = builder._case_local_attention(np.random.default_rng(cfg.seed), cfg)
        want = ref.local_attention(*case.inputs[:5], case.inputs[5], cfg.window,
                                   cfg.bidirectional, cfg.activation)
        q, k, v, pos, count, rel_bias = [torch.from_numpy(np.ascontiguousarray(a))
                                         for a in case.inputs]
        with torch.no_grad():
            mask = dense_bias(pos, count, rel_bias, cfg.window, cfg.bidirectional)
            got = masked_attention(q, k, v, mask)[:, 0].numpy()
        err = float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-30))
        worst = max(worst, err)
        print("%-50s max rel err %.1e" % (extra, err))
    ok = worst < 1e-4
    print("dense-mask attention vs NumPy reference: worst %.1e (%s)" % (worst, "OK" if ok else "FAIL"))
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("prepare", "run", "check"))
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "gpu-attention"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.exit({"prepare": prepare, "run": run, "check": check}[args.step](args) or 0)


if __name__ == "__main__":
    main()
