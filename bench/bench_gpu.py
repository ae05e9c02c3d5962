#!/usr/bin/env python3
"""GPU benchmark of the fused seqboat kernels vs PyTorch (a benchmark, not a test).

Two steps, because the GPU machine has CUDA and PyTorch but no LLVM:

  here:        python3 bench/bench_gpu.py prepare [--build build] [--out bench/gpu]
               compiles the layer for each benchmark shape into a GPU library
               (seqboat.aot, sm_90 fatbin) and copies seqboat-exec next to them;
  GPU machine: python3 bench/bench_gpu.py run [--out bench/gpu] [--repeat 20]
               makes the inputs (python/seqboat/builder.layer_params, with the
               router steered to the active fraction), times seqboat-exec
               (CUDA events, median), the eager PyTorch version of SPEC.md
               (bench/seqboat_torch.py) and torch.compile of it on the same
               inputs, checks seqboat's output against eager PyTorch, and
               prints one markdown table with the device and date.

  anywhere:    python3 bench/bench_gpu.py check
               checks the PyTorch baseline against the NumPy reference on small
               shapes (CPU), so the baseline computes the same thing.

Shapes: B=8, L=4096/16384, D=512, N=16, Z=128, H=1024, w=256, bidirectional,
softmax, pre-LayerNorm, active fraction 0.25 and 1.0.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SHAPE = dict(B=8, D=512, N=16, Z=128, H=1024, window=256, bidirectional=True,
             activation="softmax")
LENGTHS = (4096, 16384)
FRACTIONS = (0.25, 1.0)


def prepare(args):
    from seqboat import builder
    os.makedirs(args.out, exist_ok=True)
    for length in LENGTHS:
        cfg = builder.BuildConfig(L=length, M=length, entry="layer", **SHAPE)
        case_dir = os.path.join(args.out, "L%d" % length)
        os.makedirs(case_dir, exist_ok=True)
        # Only the IR is needed here; the inputs are made on the GPU machine.
        operands = _shapes_only(cfg)
        case = builder.Case("layer", operands, _attrs(cfg), [operands[0]])
        src = os.path.join(case_dir, "layer.mlir")
        with open(src, "w") as f:
            f.write(builder.emit_mlir(case, "layer"))
        subprocess.run([sys.executable, "-m", "seqboat.aot", src, "-o",
                        os.path.join(case_dir, "layer.so"), "--build", args.build,
                        "--options", "chip=sm_90 features=+ptx80 format=fatbin"],
                       check=True, cwd=os.path.join(ROOT, "python"))
    shutil.copy(os.path.join(args.build, "bin", "seqboat-exec"), args.out)
    print("prepared %s" % args.out)


def _shapes_only(cfg):
    import numpy as np
    from seqboat import reference as ref
    d, c = cfg.D, (2 * cfg.D if cfg.bidirectional else cfg.D)
    shapes = {"x": (cfg.B, cfg.L, d), "norm_w": (d,), "norm_b": (d,),
              "ema_delta": (c, cfg.N), "ema_alpha": (c, cfg.N), "ema_beta": (c, cfg.N),
              "ema_gamma": (c, cfg.N), "ema_omega": (d,), "hx_w": (d + 2, d), "hx_b": (d + 2,),
              "log_temp": (), "mx_w": (cfg.Z + 2 * cfg.H, d), "mx_b": (cfg.Z + 2 * cfg.H,),
              "qk_gamma": (2, cfg.Z), "qk_beta": (2, cfg.Z), "rel_bias": (2 * cfg.M - 1,),
              "h_w": (d, cfg.H), "h_b": (d,)}
    # Zero-strided placeholders: emit_mlir only reads shapes and dtypes.
    return [np.broadcast_to(np.float32(0), shapes[n]) for n in ref.LAYER_OPERANDS]


def _attrs(cfg):
    from seqboat.builder import Enum, F32
    return {"activation": Enum("activation", cfg.activation), "bidirectional": cfg.bidirectional,
            "eps": F32(cfg.eps), "norm": Enum("norm", cfg.norm), "prenorm": cfg.prenorm,
            "window": cfg.window}


def cuda_time(fn, repeat):
    import torch
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def run(args):
    import numpy as np
    import torch
    from seqboat import builder, reference as ref
    import seqboat_torch

    device = torch.cuda.get_device_name(0)
    rows = []
    for length in LENGTHS:
        case_dir = os.path.join(args.out, "L%d" % length)
        lib = os.path.join(case_dir, "layer.so")
        for frac in FRACTIONS:
            cfg = builder.BuildConfig(L=length, M=length, active_fraction=frac, seed=7, **SHAPE)
            params = builder.layer_params(np.random.default_rng(cfg.seed), cfg)
            inputs = []
            for i, name in enumerate(ref.LAYER_OPERANDS):
                path = os.path.join(case_dir, "in%d.npy" % i)
                np.save(path, params[name].astype(np.float32))
                inputs += ["--input", path]
            out = os.path.join(case_dir, "out.npy")
            text = subprocess.run([os.path.join(args.out, "seqboat-exec"), lib, "--entry", "layer"]
                                  + inputs + ["--output", out, "--repeat", str(args.repeat), "--time"],
                                  check=True, stdout=subprocess.PIPE, text=True).stdout
            seqboat_ms = float(re.search(r"median ([0-9.]+) ms", text).group(1))

            p = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)).cuda()
                 for k, v in params.items()}
            eager = lambda: seqboat_torch.layer(p, cfg.window, cfg.bidirectional, cfg.activation,
                                                cfg.norm, cfg.prenorm, cfg.eps)
            with torch.no_grad():
                expected = eager().cpu().numpy()
                eager_ms = cuda_time(eager, args.repeat)
                compiled_fn = torch.compile(seqboat_torch.layer)
                compiled = lambda: compiled_fn(p, cfg.window, cfg.bidirectional, cfg.activation,
                                               cfg.norm, cfg.prenorm, cfg.eps)
                compiled_ms = cuda_time(compiled, args.repeat)
            got = np.load(out)
            err = float(np.max(np.abs(got - expected)) / np.max(np.abs(expected)))
            rows.append((length, frac, seqboat_ms, eager_ms, compiled_ms, err))
            torch.cuda.empty_cache()

    print("# seqboat GPU benchmark, %s, %s, torch %s" % (time.strftime("%Y-%m-%d"), device,
                                                       torch.__version__))
    print("| L | active | seqboat (ms) | PyTorch eager (ms) | torch.compile (ms) | "
          "eager / seqboat | compile / seqboat | max rel err vs eager |")
    print("|---|---|---|---|---|---|---|---|")
    for length, frac, s, e, c, err in rows:
        print("| %d | %.2f | %.3f | %.3f | %.3f | %.2fx | %.2fx | %.1e |"
              % (length, frac, s, e, c, e / s, c / s, err))


def check(args):
    """The PyTorch baseline against the NumPy reference (CPU, small shapes)."""
    import numpy as np
    import torch
    from seqboat import builder, reference as ref
    import seqboat_torch

    worst = 0.0
    for extra in (dict(bidirectional=True), dict(), dict(activation="relu2", bidirectional=True),
                  dict(activation="laplace"), dict(norm="rmsnorm", prenorm=False),
                  dict(active_fraction=0.0), dict(active_fraction=1.0, bidirectional=True),
                  dict(L=37, window=8), dict(L=5, window=8, bidirectional=True),
                  dict(L=300, window=16, bidirectional=True, M=40)):
        cfg = builder.BuildConfig(**extra)
        case = builder.build("layer", cfg)
        p = {n: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
             for n, a in zip(ref.LAYER_OPERANDS, case.inputs)}
        with torch.no_grad():
            got = seqboat_torch.layer(p, cfg.window, cfg.bidirectional, cfg.activation, cfg.norm,
                                      cfg.prenorm, cfg.eps).numpy()
        want = case.results[0]
        err = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
        worst = max(worst, err)
        print("%-70s max rel err %.1e" % (extra, err))
    print("PyTorch baseline vs NumPy reference: worst %.1e (%s)" % (worst, "OK" if worst < 1e-4 else "FAIL"))
    return 0 if worst < 1e-4 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("prepare", "run", "check"))
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "gpu"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.exit({"prepare": prepare, "run": run, "check": check}[args.step](args) or 0)


if __name__ == "__main__":
    main()
