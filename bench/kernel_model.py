#!/usr/bin/env python3
"""Per-kernel performance model of a compiled module (a model, not a measurement).

Compiles FILE with ``--seqboat-gpu-pipeline`` to PTX, reads ptxas's resource
report of every kernel, and prints per tunable op (a ``seqboat.layer`` or a
contraction kernel) a table of its kernels: grid, FLOPs, minimum HBM bytes,
registers, shared memory, resident blocks per SM and the modelled time, with
the op's default knobs (or the database's best config via --options
"tuning-db=...").

The model is ``seqboat-tune``'s static cost (python/seqboat/tune.py,
``kernel_costs``): per kernel max(bytes / HBM bandwidth, FLOPs / peak)
divided by the fraction of the chip kept busy (resident blocks from the
ptxas report x threads with work, against 1024 threads per SM to hide
latency, times the last wave's fill). Peaks are datasheet numbers
(``CHIPS``): FP32 FFMA for the hand-written layer kernels, dense TF32
tensor-core peak for contraction kernels. Bytes are each kernel's compulsory
traffic; for contraction kernels the panel re-reads of the tiling are
served by the L2, counted at 1/2.5 of an HBM byte (L2_OVER_HBM, an
assumption). The layer kernels count their re-reads as HBM traffic.

Usage: /usr/bin/python3 bench/kernel_model.py FILE.mlir [--build build]
           [--chip sm_90] [--options "tile-m=32 ..."]
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    parser.add_argument("--chip", default="sm_90")
    parser.add_argument("--options", default="", help="extra seqboat-gpu-pipeline options")
    args = parser.parse_args(argv)

    opt = os.path.join(args.build, "bin", "seqboat-opt")
    ptxas = kernel_report.find_ptxas()
    if not ptxas:
        sys.exit("error: ptxas not found (set CUDA_HOME); the model needs its resource report")
    space = json.loads(subprocess.run([opt, args.file, "--seqboat-print-tuning-space", "-o", os.devnull],
                                      check=True, stdout=subprocess.PIPE, text=True).stdout)
    with tempfile.TemporaryDirectory(prefix="seqboat-model-") as tmp:
        out = os.path.join(tmp, "gpu.mlir")
        subprocess.run([opt, args.file, "-o", out, "--mlir-print-op-on-diagnostic=false",
                        "--seqboat-gpu-pipeline=chip=%s format=isa %s" % (args.chip, args.options)],
                       check=True)
        with open(out) as f:
            report = {}
            for text in kernel_report.extract_ptx(f.read()):
                report.update(kernel_report.ptxas_report(ptxas, text, args.chip))

    chip = tune.CHIPS.get(args.chip, tune.CHIPS["sm_90"])
    print("model of %s on %s (%d SMs, %.2f TB/s, %.1f TFLOP/s FP32, %.1f TFLOP/s TF32); "
          "not a measurement" % (args.file, args.chip, chip["sms"], chip["bandwidth"] / 1e12,
                                  chip["flops"] / 1e12, chip["tf32"] / 1e12))
    total = 0.0
    for op in space["ops"]:
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


if __name__ == "__main__":
    sys.exit(main())
