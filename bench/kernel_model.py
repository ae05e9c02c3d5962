#!/usr/bin/env python3
"""Per-kernel performance model of a compiled module (a model, not a measurement).

Compiles FILE with ``--seqboat-gpu-pipeline`` to PTX, reads ptxas's resource
report of every kernel, and prints per tunable op (a ``seqboat.layer`` or a
contraction kernel) a table of its kernels: grid, FLOPs, minimum HBM bytes,
registers, shared memory, resident blocks per SM and the modelled time, with
the op's default knobs (or the database's best config via --options
"tuning-db=...").

The model is ``seqboat-tune``'s static cost (python/seqboat/tune.py,
``kernel_costs``): per kernel a launch cost (LAUNCH_US, 2 us) plus
max(bytes / HBM bandwidth, FLOPs / peak)
divided by the fraction of the chip kept busy (resident blocks from the
ptxas report x threads with work, against 1024 threads per SM to hide
latency, times the last wave's fill). Peaks are datasheet numbers
(``CHIPS``): FP32 FFMA for the hand-written layer kernels, dense TF32
tensor-core peak for contraction kernels. Bytes are each kernel's compulsory
traffic; for contraction kernels the panel re-reads of the tiling are
served by the L2, counted at 1/2.5 of an HBM byte (L2_OVER_HBM, an
assumption). The layer kernels count their re-reads as HBM traffic.

With --generic, the kernels of the generic path instead (what
``seqboat-form-kernels`` and ``seqboat-form-scan-kernels`` form, after
``seqboat-decompose`` with --decompose): ``seqboat-print-kernel-work`` gives
each kernel's buffers (bytes: every buffer crosses HBM once, an upper bound
where a kernel reads a slice of a buffer), its FLOPs (linalg ops: iterations
x float ops of the body; scan ops: their formula with every slot active) and
the points its strategy spreads over threads. Contraction kernels go through
the contraction model above (tensor cores, peeled remainders on the FMA
pipes); parallel and scan kernels are the grid their strategy launches
(blocks of `threads`, default 128, a block tile that divides the loops'
extents, so some threads may be idle) on the FMA pipes, their stack frames (a scan's scratch in local
memory) written and read once per thread on top of their buffers. Scan
kernels run their sequential loop in each thread: their FLOPs at FFMA peak
are a lower bound on their time.

A layer with a dynamic B or L is modelled at the sizes given with
``--size B=N --size L=N``. Bytes are counted at 4 per element, also for a
16-bit layer (whose operands take half that): an upper bound there.

Usage: /usr/bin/python3 bench/kernel_model.py FILE.mlir [--build build]
           [--chip sm_90] [--options "tile-m=32 ..."] [--generic [--decompose]]
           [--size B=N --size L=N]
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from seqboat import kernels as kernel_report  # noqa: E402
from seqboat import tune  # noqa: E402


def compile_report(opt, args, prefix=(), kernel_work=False):
    """Compiles FILE (after the passes in `prefix`) with --seqboat-gpu-pipeline
    and returns ptxas's report of every kernel and, with `kernel_work`, the
    formed kernels' work (seqboat-print-kernel-work), else None."""
    ptxas = kernel_report.find_ptxas()
    if not ptxas:
        sys.exit("error: ptxas not found (set CUDA_HOME); the model needs its resource report")
    with tempfile.TemporaryDirectory(prefix="seqboat-model-") as tmp:
        out, work_file = os.path.join(tmp, "gpu.mlir"), os.path.join(tmp, "work.json")
        options = "chip=%s format=isa %s" % (args.chip, args.options)
        if kernel_work:
            options += " kernel-work=%s" % work_file
        subprocess.run([opt, args.file] + list(prefix) +
                       ["-o", out, "--mlir-print-op-on-diagnostic=false",
                        "--seqboat-gpu-pipeline=%s" % options], check=True)
        work = None
        if kernel_work:
            with open(work_file) as f:
                work = json.load(f)
        with open(out) as f:
            report = {}
            for text in kernel_report.extract_ptx(f.read()):
                report.update(kernel_report.ptxas_report(ptxas, text, args.chip))
    return report, work


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    parser.add_argument("--chip", default="sm_90")
    parser.add_argument("--options", default="", help="extra seqboat-gpu-pipeline options")
    parser.add_argument("--generic", action="store_true",
                        help="model the kernels of the generic path (seqboat-print-kernel-work)")
    parser.add_argument("--decompose", action="store_true",
                        help="run seqboat-decompose first (the layer through the generic path)")
    parser.add_argument("--size", action="append", default=[], metavar="SYMBOL=N",
                        help="a dynamic B or L to model the layer at (repeatable)")
    args = parser.parse_args(argv)
    if args.generic:
        return generic(args)
    try:
        sizes = tune.parse_sizes(args.size)
    except tune.TuneError as e:
        sys.exit("kernel_model: error: %s" % e)

    opt = os.path.join(args.build, "bin", "seqboat-opt")
    space = json.loads(subprocess.run([opt, args.file, "--seqboat-print-tuning-space", "-o", os.devnull],
                                      check=True, stdout=subprocess.PIPE, text=True).stdout)
    report, _ = compile_report(opt, args)

    chip = tune.CHIPS.get(args.chip, tune.CHIPS["sm_90"])
    print("model of %s on %s (%d SMs, %.2f TB/s, %.1f TFLOP/s FP32, %.1f TFLOP/s TF32); "
          "not a measurement" % (args.file, args.chip, chip["sms"], chip["bandwidth"] / 1e12,
                                  chip["flops"] / 1e12, chip["tf32"] / 1e12))
    total = 0.0
    for op in space["ops"]:
        try:
            tune.bind_sizes(op, sizes)
        except tune.TuneError as e:
            sys.exit("kernel_model: error: %s" % e)
        config = {k["name"]: k["default"] for k in op["knobs"]}
        # Options given on the command line replace the defaults they name.
        for item in shlex.split(args.options):
            name, _, value = item.partition("=")
            if name.replace("-", "_") in config and value.isdigit():
                config[name.replace("-", "_")] = int(value)
            elif name == "precision":
                op = dict(op, precision=value)
        print("\n%s %s  config %s" % (op["op"], op["loc"], tune.variant_name(config)))
        print("| kernel | grid | GFLOP | traffic MB (HBM-equiv.) | regs | smem B | blocks/SM | model us |")
        print("|---|---|---|---|---|---|---|---|")
        for name, grid, flops, nbytes, per_sm, us in tune.kernel_costs(op, config, report, args.chip):
            r = report.get(name, {})
            print("| %s | %d | %.3f | %.1f | %s | %s | %d | %.1f |" % (
                name, grid, flops / 1e9, nbytes / 1e6, r.get("registers", "-"), r.get("smem", "-"),
                per_sm, us))
            total += us
    print("\nmodelled total: %.1f us" % total)
    return 0


def generic(args):
    opt = os.path.join(args.build, "bin", "seqboat-opt")
    prefix = ["--seqboat-decompose"] if args.decompose else []
    options = dict(item.partition("=")[::2] for item in shlex.split(args.options))
    report, work = compile_report(opt, args, prefix, kernel_work=True)
    chip = tune.CHIPS.get(args.chip, tune.CHIPS["sm_90"])
    print("model of the generic path's kernels of %s on %s (%d SMs, %.2f TB/s, %.1f TFLOP/s FP32, "
          "%.1f TFLOP/s TF32); not a measurement" % (args.file, args.chip, chip["sms"],
                                                    chip["bandwidth"] / 1e12, chip["flops"] / 1e12,
                                                    chip["tf32"] / 1e12))
    print("| kernel | kind | grid | GFLOP | traffic MB | regs | stack B | smem B | blocks/SM | model us |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    total = 0.0
    for kernel in work["kernels"]:
        costs = tune.generic_kernel_costs(kernel, report, args.chip,
                                          options.get("precision", "tf32"))
        for name, grid, flops, nbytes, per_sm, us in costs:
            r = report.get(name, {})
            # Static shared memory from ptxas; dynamic (the attention
            # strategy's buffers) from the kernel work.
            smem = r.get("smem", "-")
            if name == kernel["name"] and kernel.get("shared_bytes"):
                smem = max(r.get("smem", 0), kernel["shared_bytes"])
            print("| %s | %s | %d | %.3f | %.1f | %s | %s | %s | %d | %.1f |" % (
                name, kernel["kind"] if name == kernel["name"] else "parallel (peeled)", grid,
                flops / 1e9, nbytes / 1e6, r.get("registers", "-"), r.get("stack", "-"),
                smem, per_sm, us))
            total += us
    print("\nmodelled total: %.1f us" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
