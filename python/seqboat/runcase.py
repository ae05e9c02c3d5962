"""Compile and run one generated case, then check it against the reference.

    python3 -m seqboat.runcase --bin BUILD/bin --work DIR [--tol TOL]
        [--pipeline "--seqboat-decompose --convert-seqboat-to-linalg --seqboat-cpu-pipeline"]
        [--gpu "chip=sm_90 format=fatbin"]
        OP [builder options...]

Steps: ``seqboat.builder`` writes DIR/OP.mlir, inputs and reference outputs;
``seqboat-opt`` lowers the module with the given pipeline; ``seqboat-run``
executes the lowered module (with ``--gpu OPTIONS``: ``seqboat.aot`` builds a
GPU library with ``--seqboat-gpu-pipeline=OPTIONS`` and ``seqboat-exec`` runs
it); the outputs are compared with
``seqboat.builder.check`` (max |out - ref| / max |ref| <= tol for floats,
exact for int/bool). Prints the check lines and exits non-zero on any failure.
"""

import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys

from . import builder

DEFAULT_PIPELINE = ("--seqboat-decompose --convert-seqboat-to-linalg "
                    "--seqboat-cpu-pipeline")


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout)
        sys.exit("FAIL command exited with %d: %s" % (proc.returncode,
                                                      " ".join(map(shlex.quote, cmd))))
    return proc.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="directory of seqboat-opt/seqboat-run")
    parser.add_argument("--work", required=True, help="scratch directory")
    parser.add_argument("--tol", type=float, default=None,
                        help="default: builder.TOLERANCE of the output element type "
                             "(1e-4 for f32)")
    parser.add_argument("--pipeline", default=DEFAULT_PIPELINE)
    parser.add_argument("--run-args", default="", help="extra seqboat-run/exec arguments")
    parser.add_argument("--gpu", metavar="OPTIONS",
                        help="compile with seqboat-gpu-pipeline=OPTIONS, run with "
                             "seqboat-exec (with --lowered: run that library)")
    parser.add_argument("--lowered", metavar="FILE",
                        help="run this already lowered module (compiled once, "
                             "e.g. for a dynamic signature) instead of compiling "
                             "the case; with --keep-lowered FILE the compiled one "
                             "is kept there")
    parser.add_argument("--keep-lowered", metavar="FILE",
                        help="copy the lowered module to FILE")
    parser.add_argument("--entry", help="function to run (default OP; also the "
                                         "generated function's name)")
    parser.add_argument("--knobs", metavar="DICT",
                        help="give the op this seqboat.knobs dictionary, e.g. "
                             "'threads = 64 : i64, scan_chunk = 32 : i64'")
    parser.add_argument("op", choices=builder.OPS)
    args, build_args = parser.parse_known_args(argv)

    os.makedirs(args.work, exist_ok=True)
    for stale in glob.glob(os.path.join(args.work, "*.npy")):
        os.remove(stale)
    entry = args.entry or args.op
    if builder.main([args.op, "--out", args.work, "--entry", entry] + build_args) \
            not in (0, None):
        sys.exit("FAIL builder")

    source = os.path.join(args.work, args.op + ".mlir")
    if args.knobs:
        # The op's generic form: properties <{...}>, then discardable
        # attributes {...} before the type.
        with open(source) as f:
            text = f.read()
        marker = '"seqboat.%s"(' % args.op
        cut = text.index(")", text.index(marker)) + 1
        if text.startswith(" <{", cut):
            cut = text.index("}>", cut) + 2
        text = text[:cut] + " {seqboat.knobs = {%s}}" % args.knobs + text[cut:]
        with open(source, "w") as f:
            f.write(text)
    if args.gpu is not None:
        # With --lowered, a library compiled before (OPTIONS unused).
        runner = "seqboat-exec"
        if args.lowered:
            lowered = args.lowered
        else:
            lowered = os.path.join(args.work, args.op + ".so")
            build = os.path.dirname(os.path.abspath(args.bin))
            run([sys.executable, "-m", "seqboat.aot", source, "-o", lowered,
                 "--build", build, "--options", args.gpu])
            if args.keep_lowered:
                shutil.copyfile(lowered, args.keep_lowered)
    elif args.lowered:
        lowered = args.lowered
        runner = "seqboat-run"
    else:
        lowered = os.path.join(args.work, args.op + ".lowered.mlir")
        run([os.path.join(args.bin, "seqboat-opt"), source, "-o", lowered]
            + shlex.split(args.pipeline))
        runner = "seqboat-run"
        if args.keep_lowered:
            shutil.copyfile(lowered, args.keep_lowered)

    inputs = sorted(glob.glob(os.path.join(args.work, "in*.npy")),
                    key=lambda p: int(os.path.basename(p)[2:-4]))
    refs = sorted(glob.glob(os.path.join(args.work, "ref*.npy")),
                  key=lambda p: int(os.path.basename(p)[3:-4]))
    outs = [os.path.join(args.work, "out%d.npy" % i) for i in range(len(refs))]
    cmd = [os.path.join(args.bin, runner), lowered, "--entry", entry]
    for path in inputs:
        cmd += ["--input", path]
    for path in outs:
        cmd += ["--output", path]
    sys.stdout.write(run(cmd + shlex.split(args.run_args)))
    return 0 if builder.check(refs, outs, tol=args.tol) else 1


if __name__ == "__main__":
    sys.exit(main())
