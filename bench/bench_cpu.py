#!/usr/bin/env python3
"""CPU benchmark of the seqboat lowering (a benchmark, not a test).

Reports, from one run on this machine:
  1. the layer at B=2, L=4096, D=128 (N=16, Z=64, H=256, w=128, bidirectional,
     softmax): seqboat-run median time vs eager PyTorch (bench/seqboat_torch.py,
     at 1 thread and at all cores) and vs the NumPy reference, at active
     fraction 1.0 and 0.1 (and the 0.1/1.0 ratio), for the linalg path
     (--seqboat-to-llvm-cpu, with and without the host strategies) and for
     the fused-kernel strategy run as CPU loops (--seqboat-kernels-cpu-pipeline);
  2. the projections alone: a feed-forward block (nn.Linear 128->256, silu,
     nn.Linear 256->128 on 8192 tokens) vs the same in eager PyTorch, with the
     GFLOP/s of each;
  3. ema_conv (B=2, D=128, N=16) at L=4096 vs L=16384 (linear scaling => ~4x).
Every time is taken at 1 thread and at all cores (seqboat-run --num-threads,
torch.set_num_threads); speedups compare the same thread counts. PyTorch
runs in child processes twice: with glibc's default malloc settings and with
GLIBC_TUNABLES that keep freed memory in the process (KEEP_MALLOC below);
speedups are against the faster of the two. The layer is also compiled
with caching-allocator=false approximate-exp=false (malloc and libm's expf,
as before seqboat had its own allocator and exp). The BLAS
PyTorch loaded is named (threadpoolctl); scripts/setup.sh installs OpenBLAS
(libopenblas0-pthread).

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


def seqboat_time(bindir, work, op, cfg, repeat, threads, pipeline="--seqboat-to-llvm-cpu",
                 build=True):
    """{threads: median ms of `repeat` seqboat-run calls} (JIT compile
    excluded) and whether every output matched the reference."""
    if build:
        builder.write(op, work, cfg)
    src = os.path.join(work, op + ".mlir")
    low = os.path.join(work, op + ".llvm.mlir")
    subprocess.run([os.path.join(bindir, "seqboat-opt"), src, pipeline, "-o", low], check=True)
    n_in = len([f for f in os.listdir(work) if re.fullmatch(r"in\d+\.npy", f)])
    n_out = len([f for f in os.listdir(work) if re.fullmatch(r"ref\d+\.npy", f)])
    times, ok = {}, True
    for n in threads:
        cmd = [os.path.join(bindir, "seqboat-run"), low, "--entry", op,
               "--repeat", str(repeat), "--time", "--num-threads", str(n)]
        for i in range(n_in):
            cmd += ["--input", os.path.join(work, "in%d.npy" % i)]
        for i in range(n_out):
            cmd += ["--output", os.path.join(work, "out%d.npy" % i)]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        times[n] = float(re.search(r"median ([0-9.]+) ms", out).group(1))
        ok = ok and builder.check([os.path.join(work, "ref%d.npy" % i) for i in range(n_out)],
                                  [os.path.join(work, "out%d.npy" % i) for i in range(n_out)],
                                  tol=None, stream=open(os.devnull, "w"))
    return times, ok


def variants(bindir, repeat, threads):
    """The benchmark layer (active 1.0) compiled three ways in one run: static
    f32 (the baseline), bf16 activations and dense weights with f32 small
    parameters, and f32 with a dynamic batch and sequence length (one
    function for every shape); times relative to the static f32 layer."""
    print("## layer variants (B=2 L=4096 D=128, active 1.0), median ms of %d calls" % repeat)
    print("| variant | " + " | ".join("%d thr" % n for n in threads)
          + " | " + " | ".join("/ static f32 (%d thr)" % n for n in threads) + " | outputs ok |")
    print("|---|" + "---|" * (2 * len(threads) + 1))
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for name, extra in (("static f32", {}),
                            ("static bf16 (f32 small parameters)",
                             {"dtype": "bf16", "param_dtype": "f32"}),
                            ("dynamic B, L f32", {"dynamic": True})):
            cfg = builder.BuildConfig(**LAYER, active_fraction=1.0, seed=3, **extra)
            ms, ok = seqboat_time(bindir, os.path.join(tmp, name.split()[0] + name.split()[1]),
                                  "layer", cfg, repeat, threads)
            base = base or ms
            print("| %s | %s | %s | %s |" % (
                name, " | ".join("%.1f" % ms[n] for n in threads),
                " | ".join("%.2f" % (ms[n] / base[n]) for n in threads), ok))


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


def blas_description():
    """Which BLAS PyTorch and NumPy loaded, with its threads."""
    try:
        import torch  # noqa: F401 (loads its BLAS)
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown BLAS (python3-threadpoolctl not installed)"
    libs = ["%s %s (%s, %d threads)" % (i.get("internal_api"), i.get("version") or "",
                                         os.path.basename(i.get("filepath", "")),
                                         i.get("num_threads", 0))
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(libs) if libs else "no BLAS found by threadpoolctl"


def torch_times(cfg, repeat, threads):
    """Median ms of eager PyTorch's layer at each thread count, and its max
    relative error against the NumPy reference; None when torch is missing."""
    try:
        import torch
    except ImportError:
        return None
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import seqboat_torch
    case = builder.build("layer", cfg)
    p = {n: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
         for n, a in zip(reference.LAYER_OPERANDS, case.inputs)}
    run = lambda: seqboat_torch.layer(p, cfg.window, cfg.bidirectional, cfg.activation,  # noqa: E731
                                      cfg.norm, cfg.prenorm, cfg.eps)
    result = {}
    with torch.no_grad():
        for n in threads:
            torch.set_num_threads(n)
            run()
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                out = run()
                times.append((time.perf_counter() - start) * 1e3)
            result[n] = statistics.median(times)
    ref = np.asarray(case.results[0], dtype=np.float64)
    err = float(np.max(np.abs(out.numpy() - ref)) / max(np.max(np.abs(ref)), 1e-30))
    return result, err


def torch_mlp_times(cfg, repeat, threads):
    """Median ms of nn.Linear -> silu -> nn.Linear in eager PyTorch."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    case = builder.build("mlp", cfg)
    t = [torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)) for a in case.inputs]
    x, w1, b1, w2, b2 = t
    result = {}
    with torch.no_grad():
        for n in threads:
            torch.set_num_threads(n)
            times = []
            for _ in range(repeat + 1):
                start = time.perf_counter()
                F.linear(F.silu(F.linear(x, w1, b1)), w2, b2)
                times.append((time.perf_counter() - start) * 1e3)
            result[n] = statistics.median(times[1:])
    return result


# glibc settings under which freed memory stays in the process: no munmap of
# large blocks, no trimming of the heap. Without them every large tensor an
# eager framework allocates is page-faulted in (and zero-filled by the
# kernel) again on every call; on virtual machines that can cost more than
# the arithmetic. seqboat's compiled code keeps its buffers in its own
# caching allocator; the peer is timed both ways and compared at its best.
KEEP_MALLOC = ("glibc.malloc.mmap_threshold=2147483647:"
               "glibc.malloc.trim_threshold=4294967295")


def torch_child(spec, repeat, threads):
    """Entry point of the child process that times one PyTorch peer."""
    import json
    if spec == "mlp":
        result = torch_mlp_times(builder.BuildConfig(B=2, L=4096, D=128, H=256, seed=5),
                                 repeat, threads)
        print(json.dumps(None if result is None else [result, None]))
        return
    frac = float(spec.split(":")[1])
    result = torch_times(builder.BuildConfig(**LAYER, active_fraction=frac, seed=3),
                         repeat, threads)
    print(json.dumps(None if result is None else list(result)))


def peer_times(spec, repeat, threads):
    """{"default": (times, err), "kept": (times, err)}: the PyTorch peer
    timed in child processes with glibc's default malloc settings and with
    KEEP_MALLOC; None when torch is missing."""
    import json
    out = {}
    for name, env in (("default", dict(os.environ)),
                      ("kept", dict(os.environ, GLIBC_TUNABLES=KEEP_MALLOC))):
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--torch-child", spec,
                               "--repeat", str(repeat),
                               "--threads", ",".join(str(n) for n in threads)],
                              env=env, check=True, stdout=subprocess.PIPE, text=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if result is None:
            return None
        out[name] = ({int(n): t for n, t in result[0].items()}, result[1])
    return out


def best(peer, threads):
    """Per thread count, the faster of the peer's two malloc settings."""
    return {n: min(peer["default"][0][n], peer["kept"][0][n]) for n in threads}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--torch-child", help=argparse.SUPPRESS)
    parser.add_argument("--threads", help=argparse.SUPPRESS)
    parser.add_argument("--variants", action="store_true",
                        help="only time the layer as static f32, bf16 and dynamic-shape f32")
    args = parser.parse_args()
    if args.torch_child:
        torch_child(args.torch_child, args.repeat, [int(n) for n in args.threads.split(",")])
        return
    bindir = os.path.join(args.build, "bin")
    if args.variants:
        cpu = "unknown CPU"
        if os.path.exists("/proc/cpuinfo"):
            m = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
            cpu = m.group(1) if m else cpu
        print("# seqboat CPU layer variants, %s, %s, %d cores" % (
            time.strftime("%Y-%m-%d"), cpu, os.cpu_count()))
        variants(bindir, args.repeat, sorted({1, os.cpu_count() or 1}))
        return

    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        m = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
        cpu = m.group(1) if m else cpu
    print("# seqboat CPU benchmark, %s, %s, %d cores" % (time.strftime("%Y-%m-%d"), cpu,
                                                          os.cpu_count()))
    print("# PyTorch BLAS: %s" % blas_description())
    threads = sorted({1, os.cpu_count() or 1})
    rows = []
    layer_ms, kernel_ms = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for frac in (1.0, 0.1):
            cfg = builder.BuildConfig(**LAYER, active_fraction=frac, seed=3)
            work = os.path.join(tmp, "layer%g" % frac)
            ms, ok = seqboat_time(bindir, work, "layer", cfg, args.repeat, threads)
            loops_ms, loops_ok = seqboat_time(bindir, work, "layer", cfg, args.repeat, threads,
                                              pipeline="--seqboat-to-llvm-cpu=host-strategies=false",
                                              build=False)
            kms, kok = seqboat_time(bindir, work, "layer", cfg, args.repeat, threads,
                                    pipeline="--seqboat-kernels-cpu-pipeline", build=False)
            ref_ms = numpy_layer_time(cfg, max(1, args.repeat // 2))
            libc_ms, libc_ok = seqboat_time(
                bindir, work, "layer", cfg, args.repeat, threads,
                pipeline="--seqboat-to-llvm-cpu=caching-allocator=false approximate-exp=false",
                build=False)
            peer = peer_times("layer:%g" % frac, args.repeat, threads)
            layer_ms[frac], kernel_ms[frac] = ms, kms
            name = "layer B=2 L=4096 D=128 active=%.1f" % frac
            for label, t, good in (("linalg path, host strategies", ms, ok),
                                   ("linalg path, host strategies, malloc and libm exp",
                                    libc_ms, libc_ok),
                                   ("linalg path, plain loops", loops_ms, loops_ok),
                                   ("kernel strategy as CPU loops", kms, kok)):
                rows.append((name + " (%s)" % label, t, ref_ms, peer, "ok" if good else "MISMATCH"))
            if peer:
                for setting, label in (("default", "default malloc"),
                                       ("kept", "GLIBC_TUNABLES=" + KEEP_MALLOC)):
                    print("# eager PyTorch on %s, %s: %s; max rel err vs reference %.1e"
                          % (name, label, ", ".join("%.1f ms at %d thread(s)"
                                                    % (peer[setting][0][n], n) for n in threads),
                             peer[setting][1]))
        mlp_cfg = builder.BuildConfig(B=2, L=4096, D=128, H=256, seed=5)
        mlp_ms, mlp_ok = seqboat_time(bindir, os.path.join(tmp, "mlp"), "mlp", mlp_cfg,
                                      args.repeat, threads)
        mlp_peer = peer_times("mlp", args.repeat, threads)
        mlp_flop = 2 * 2 * 2 * 4096 * 128 * 256
        rows.append(("mlp 8192x128 ->256 ->128 (%.2f GFLOP)" % (mlp_flop / 1e9), mlp_ms, None,
                     mlp_peer, "ok" if mlp_ok else "MISMATCH"))
        ema = {}
        for length in (4096, 16384):
            cfg = builder.BuildConfig(B=2, L=length, D=128, N=16, bidirectional=True, seed=4)
            work = os.path.join(tmp, "ema%d" % length)
            ms, ok = seqboat_time(bindir, work, "ema_conv", cfg, args.repeat, threads)
            ema[length] = ms
            rows.append(("ema_conv B=2 L=%d D=128 N=16 bidir" % length, ms, None, None,
                         "ok" if ok else "MISMATCH"))

    # Speedups compare seqboat and PyTorch at the same number of threads.
    head = ["case"]
    head += ["seqboat-run %d thr (ms)" % n for n in threads]
    head += ["eager PyTorch %d thr (ms), default / kept malloc" % n for n in threads]
    head += ["seqboat speedup vs PyTorch's best, %d thr" % n for n in threads]
    head += ["NumPy reference (ms)", "numerics"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, ms, ref_ms, peer, ok in rows:
        cells = [name]
        cells += ["%.1f" % ms[n] for n in threads]
        cells += ["%.1f / %.1f" % (peer["default"][0][n], peer["kept"][0][n]) if peer else "-"
                  for n in threads]
        cells += ["%.2fx" % (best(peer, threads)[n] / ms[n]) if peer else "-" for n in threads]
        cells += ["%.1f" % ref_ms if ref_ms else "-", ok]
        print("| " + " | ".join(cells) + " |")
    print()
    print("mlp GFLOP/s: %s" % ", ".join(
        ["seqboat %.1f (%d thr)" % (mlp_flop / mlp_ms[n] / 1e6, n) for n in threads] +
        (["PyTorch %.1f (%d thr, best malloc setting)"
          % (mlp_flop / best(mlp_peer, threads)[n] / 1e6, n) for n in threads]
         if mlp_peer else [])))
    top = threads[-1]
    print("layer time at active 0.1 / active 1.0 (%d thr): %.2f (linalg path), %.2f (kernel "
          "strategy)" % (top, layer_ms[0.1][top] / layer_ms[1.0][top],
                         kernel_ms[0.1][top] / kernel_ms[1.0][top]))
    print("ema_conv time at L=16384 / L=4096 (1 thr): %.2f (linear scaling: 4)"
          % (ema[16384][1] / ema[4096][1]))
    print("python %s, numpy %s, %s" % (platform.python_version(), np.__version__, platform.platform()))


if __name__ == "__main__":
    main()
