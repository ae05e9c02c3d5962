#!/usr/bin/env python3
"""GPU benchmark of the seqboat layer vs PyTorch (a benchmark, not a test).

Two steps, because the GPU machine has CUDA and PyTorch but no LLVM:

  here:        python3 bench/bench_gpu.py prepare [--build build] [--out bench/gpu]
                   [--variants fused,generic,generic-dynamic,generic-bf16]
               compiles the layer for each benchmark shape into GPU libraries
               (seqboat.aot, sm_90 fatbin), one per variant (below), and
               copies seqboat-exec next to them;
  GPU machine: python3 bench/bench_gpu.py run [--out bench/gpu] [--repeat 20]
               makes the inputs (python/seqboat/builder.layer_params, with the
               router steered to the active fraction), times each prepared
               variant with seqboat-exec (CUDA events, median), the eager
               PyTorch version of SPEC.md (bench/seqboat_torch.py) and
               torch.compile of it on the same inputs, with matched precision,
               checks seqboat's output against eager PyTorch, and prints one
               markdown table with the device and date.

  anywhere:    python3 bench/bench_gpu.py check
               checks the PyTorch baseline against the NumPy reference on small
               shapes (CPU), so the baseline computes the same thing.

Variants (each compared with the PyTorch setting that computes the same):
  fused            seqboat.layer through the six hand-written kernels, f32;
                   against PyTorch f32 with allow_tf32 off (both exact f32)
  generic          the layer decomposed (--seqboat-decompose), kernel
                   formation and the strategy library, precision=tf32: the
                   projections on TF32 tensor cores; against PyTorch f32 with
                   allow_tf32 on
  generic-dynamic  the same compiled once with B and L dynamic, run at every
                   shape; against PyTorch with allow_tf32 on
  generic-bf16     bf16 x and weights, precision=autocast (the projections on
                   bf16 tensor cores, intermediates f32); against PyTorch
                   under torch.autocast(bfloat16) on the same bf16 values

Shapes: B=8, L=4096/16384, D=512, N=16, Z=128, H=1024, w=256, bidirectional,
softmax, pre-LayerNorm, active fraction 0.25 and 1.0; rel_bias covers the
longest L in every run (so one dynamic library takes them all).
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
MAX_M = max(LENGTHS)
FRACTIONS = (0.25, 1.0)
AOT_OPTIONS = "chip=sm_90 features=+ptx80 format=fatbin"

# name -> (element type, decomposed first, extra pipeline options, dynamic B/L,
#          PyTorch setting it is compared with)
VARIANTS = {
    "fused": ("f32", False, "", False, "fp32"),
    "generic": ("f32", True, "", False, "tf32"),
    "generic-dynamic": ("f32", True, "", True, "tf32"),
    "generic-bf16": ("bf16", True, "precision=autocast", False, "bf16-autocast"),
}


def _library(out, name, length):
    """Where variant `name`'s library for `length` is (a dynamic one serves
    every length)."""
    if VARIANTS[name][3]:
        return os.path.join(out, "%s.so" % name)
    return os.path.join(out, "L%d" % length, "%s.so" % name)


def _layer_ir(cfg, dtype, dynamic):
    """The layer's IR text: operand shapes and types only (the inputs are
    made on the GPU machine)."""
    from seqboat import builder, reference as ref
    operands = _shapes_only(cfg)
    case = builder.Case("layer", operands, _attrs(cfg), [operands[0]])
    if dtype != "f32":
        case.in_elts = [builder.layer_operand_type(n, cfg) for n in ref.LAYER_OPERANDS]
        case.out_elts = [dtype]
    if dynamic:
        case.in_dynamic = [2 if n == "x" else 0 for n in ref.LAYER_OPERANDS]
        case.out_dynamic = [2]
    return builder.emit_mlir(case, "layer")


def prepare(args):
    from seqboat import builder
    names = args.variants.split(",")
    for name in names:
        if name not in VARIANTS:
            sys.exit("error: unknown variant %r (one of %s)" % (name, ", ".join(VARIANTS)))
    os.makedirs(args.out, exist_ok=True)
    opt = os.path.join(args.build, "bin", "seqboat-opt")
    for name in names:
        dtype, decompose, options, dynamic, _ = VARIANTS[name]
        for length in LENGTHS[:1] if dynamic else LENGTHS:
            cfg = builder.BuildConfig(L=length, M=MAX_M, entry="layer", dtype=dtype, **SHAPE)
            lib = _library(args.out, name, length)
            work = os.path.splitext(lib)[0]
            os.makedirs(os.path.dirname(lib), exist_ok=True)
            src = work + ".mlir"
            with open(src, "w") as f:
                f.write(_layer_ir(cfg, dtype, dynamic))
            if decompose:
                subprocess.run([opt, src, "--seqboat-decompose", "-o", src], check=True)
            aot_compile(src, lib, args.build, options)
    shutil.copy(os.path.join(args.build, "bin", "seqboat-exec"), args.out)


def aot_compile(src, lib, build, options=""):
    """Compiles `src` into the GPU library `lib` (seqboat.aot, AOT_OPTIONS
    plus `options`)."""
    subprocess.run([sys.executable, "-m", "seqboat.aot", src, "-o", lib, "--build", build,
                    "--options", (AOT_OPTIONS + " " + options).strip()],
                   check=True, cwd=os.path.join(ROOT, "python"))
    print("prepared %s" % lib)


def exec_time(exe, lib, entry, inputs, out, repeat):
    """Median ms of `entry` of `lib` over `repeat` runs (seqboat-exec, CUDA
    events), its output written to `out`; `inputs` are --input arguments."""
    text = subprocess.run([exe, lib, "--entry", entry] + inputs +
                          ["--output", out, "--repeat", str(repeat), "--time"],
                          check=True, stdout=subprocess.PIPE, text=True).stdout
    return float(re.search(r"median ([0-9.]+) ms", text).group(1))


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


def _torch_baseline(p, cfg, setting, repeat):
    """(output as float32 numpy, eager ms, torch.compile ms) of the PyTorch
    layer under `setting`: "fp32" (allow_tf32 off), "tf32" (on) or
    "bf16-autocast" (torch.autocast to bfloat16)."""
    import contextlib
    import torch
    import seqboat_torch
    torch.backends.cuda.matmul.allow_tf32 = setting == "tf32"
    torch.backends.cudnn.allow_tf32 = setting == "tf32"
    ctx = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) \
        if setting == "bf16-autocast" else contextlib.nullcontext
    args = (cfg.window, cfg.bidirectional, cfg.activation, cfg.norm, cfg.prenorm, cfg.eps)

    def eager():
        with ctx():
            return seqboat_torch.layer(p, *args)
    compiled_fn = torch.compile(seqboat_torch.layer)

    def compiled():
        with ctx():
            return compiled_fn(p, *args)
    with torch.no_grad():
        expected = eager().float().cpu().numpy()
        eager_ms = cuda_time(eager, repeat)
        compiled_ms = cuda_time(compiled, repeat)
    return expected, eager_ms, compiled_ms


def run(args):
    import numpy as np
    import torch
    from seqboat import builder, reference as ref

    device = torch.cuda.get_device_name(0)
    exe = os.path.join(args.out, "seqboat-exec")
    rows = []
    for length in LENGTHS:
        for frac in FRACTIONS:
            baselines = {}
            for name, (dtype, _, _, _, setting) in VARIANTS.items():
                lib = _library(args.out, name, length)
                if not os.path.exists(lib):
                    continue
                cfg = builder.BuildConfig(L=length, M=MAX_M, active_fraction=frac, seed=7,
                                          dtype=dtype, **SHAPE)
                # The same values for every variant of a dtype (bf16: the
                # f32 values rounded, as layer_params rounds them).
                params = builder.layer_params(np.random.default_rng(cfg.seed), cfg)
                case_dir = os.path.dirname(lib) if not VARIANTS[name][3] else \
                    os.path.join(args.out, "L%d" % length)
                os.makedirs(case_dir, exist_ok=True)
                inputs = []
                for i, n in enumerate(ref.LAYER_OPERANDS):
                    path = os.path.join(case_dir, "%s.in%d.npy" % (dtype, i))
                    builder.save_npy(path, params[n], builder.layer_operand_type(n, cfg))
                    inputs += ["--input", path]
                out = os.path.join(case_dir, "%s.out.npy" % name)
                seqboat_ms = exec_time(exe, lib, "layer", inputs, out, args.repeat)
                if setting not in baselines:
                    p = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)).cuda()
                         for k, v in params.items()}
                    baselines[setting] = _torch_baseline(p, cfg, setting, args.repeat)
                    del p
                expected, eager_ms, compiled_ms = baselines[setting]
                got, _ = builder.load_npy(out)
                err = float(np.max(np.abs(got - expected)) / np.max(np.abs(expected)))
                rows.append((length, frac, name, setting, seqboat_ms, eager_ms, compiled_ms,
                             err))
                torch.cuda.empty_cache()

    print("# seqboat GPU benchmark, %s, %s, torch %s" % (time.strftime("%Y-%m-%d"), device,
                                                       torch.__version__))
    print("| L | active | seqboat variant | PyTorch setting | seqboat (ms) | "
          "PyTorch eager (ms) | torch.compile (ms) | eager / seqboat | compile / seqboat | "
          "max rel err vs eager |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for length, frac, name, setting, s, e, c, err in rows:
        print("| %d | %.2f | %s | %s | %.3f | %.3f | %.3f | %.2fx | %.2fx | %.1e |"
              % (length, frac, name, setting, s, e, c, e / s, c / s, err))


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
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help="prepare: comma-separated variants to build (%s)"
                             % ", ".join(VARIANTS))
    args = parser.parse_args()
    sys.exit({"prepare": prepare, "run": run, "check": check}[args.step](args) or 0)


if __name__ == "__main__":
    main()
