#!/usr/bin/env python3
"""CPU benchmark of the seqboat lowering (a benchmark, not a test).

Reports, from one run on this machine:
  1. the layer at B=2, L=4096, D=128 (N=16, Z=64, H=256, w=128, bidirectional,
     softmax): seqboat-run median time vs the NumPy reference's median time,
     at active fraction 1.0 and 0.1 (and the 0.1/1.0 ratio), both for the
     linalg path (--seqboat-to-llvm-cpu) and for the fused-kernel strategy
     run as CPU loops (--seqboat-kernels-cpu-pipeline);
  2. ema_conv (B=2, D=128, N=16) at L=4096 vs L=16384 (linear scaling => ~4x).

Usage: /usr/bin/python3 bench/bench_cpu.py [--build build] [--repeat 5]
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

import numpy as np  # noqa: E402

from seqboat import builder, reference  # noqa: E402

LAYER = dict(B=2, L=4096, D=128, N=16, Z=64, H=256, M=4096, window=128,
             bidirectional=True, activation="softmax")


def seqboat_time(bindir, work, op, cfg, repeat, pipeline="--seqboat-to-llvm-cpu", build=True):
    """Median ms of `repeat` seqboat-run calls (JIT compile excluded)."""
    if build:
        builder.write(op, work, cfg)
    src = os.path.join(work, op + ".mlir")
    low = os.path.join(work, op + ".llvm.mlir")
    subprocess.run([os.path.join(bindir, "seqboat-opt"), src, pipeline, "-o", low], check=True)
    n_in = len([f for f in os.listdir(work) if re.fullmatch(r"in\d+\.npy", f)])
    n_out = len([f for f in os.listdir(work) if re.fullmatch(r"ref\d+\.npy", f)])
    cmd = [os.path.join(bindir, "seqboat-run"), low, "--entry", op,
           "--repeat", str(repeat), "--time"]
    for i in range(n_in):
        cmd += ["--input", os.path.join(work, "in%d.npy" % i)]
    for i in range(n_out):
        cmd += ["--output", os.path.join(work, "out%d.npy" % i)]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    ms = float(re.search(r"median ([0-9.]+) ms", out).group(1))
    ok = builder.check([os.path.join(work, "ref%d.npy" % i) for i in range(n_out)],
                       [os.path.join(work, "out%d.npy" % i) for i in range(n_out)],
                       tol=1e-4, stream=open(os.devnull, "w"))
    return ms, ok


def numpy_layer_time(cfg, repeat):
    case = builder.build("layer", cfg)
    params = dict(zip(reference.LAYER_OPERANDS, case.inputs))
    lcfg = reference.LayerConfig(window=cfg.window, bidirectional=cfg.bidirectional,
                                 activation=cfg.activation, norm=cfg.norm,
                                 prenorm=cfg.prenorm, eps=cfg.eps)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        reference.layer(params, lcfg)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bindir = os.path.join(args.build, "bin")

    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        m = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
        cpu = m.group(1) if m else cpu
    print("# seqboat CPU benchmark, %s, %s, %d cores" % (time.strftime("%Y-%m-%d"), cpu,
                                                          os.cpu_count()))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        layer_ms, kernel_ms = {}, {}
        for frac in (1.0, 0.1):
            cfg = builder.BuildConfig(**LAYER, active_fraction=frac, seed=3)
            work = os.path.join(tmp, "layer%g" % frac)
            ms, ok = seqboat_time(bindir, work, "layer", cfg, args.repeat)
            ref_ms = numpy_layer_time(cfg, max(1, args.repeat // 2))
            layer_ms[frac] = ms
            rows.append(("layer B=2 L=4096 D=128 active=%.1f (linalg path)" % frac, ms, ref_ms,
                         "%.2fx" % (ref_ms / ms), "ok" if ok else "MISMATCH"))
            # The fused-kernel (GPU) strategy run as CPU loops: count-bounded.
            kms, kok = seqboat_time(bindir, work, "layer", cfg, args.repeat,
                                    pipeline="--seqboat-kernels-cpu-pipeline", build=False)
            kernel_ms[frac] = kms
            rows.append(("layer B=2 L=4096 D=128 active=%.1f (kernel strategy)" % frac, kms, ref_ms,
                         "%.2fx" % (ref_ms / kms), "ok" if kok else "MISMATCH"))
        ema = {}
        for length in (4096, 16384):
            cfg = builder.BuildConfig(B=2, L=length, D=128, N=16, bidirectional=True, seed=4)
            work = os.path.join(tmp, "ema%d" % length)
            ms, ok = seqboat_time(bindir, work, "ema_conv", cfg, args.repeat)
            ema[length] = ms
            rows.append(("ema_conv B=2 L=%d D=128 N=16 bidir" % length, ms, None, "",
                         "ok" if ok else "MISMATCH"))

    print("| case | seqboat-run median (ms) | NumPy reference median (ms) | speedup vs NumPy | numerics |")
    print("|---|---|---|---|---|")
    for name, ms, ref_ms, speed, ok in rows:
        print("| %s | %.1f | %s | %s | %s |" % (name, ms, "%.1f" % ref_ms if ref_ms else "-",
                                               speed, ok))
    print()
    print("layer time at active 0.1 / active 1.0: %.2f (linalg path), %.2f (kernel strategy)"
          % (layer_ms[0.1] / layer_ms[1.0], kernel_ms[0.1] / kernel_ms[1.0]))
    print("ema_conv time at L=16384 / L=4096: %.2f (linear scaling: 4)" % (ema[16384] / ema[4096]))
    print("python %s, numpy %s, %s" % (platform.python_version(), np.__version__, platform.platform()))


if __name__ == "__main__":
    main()
