"""Compile a seqboat module ahead of time into a self-contained GPU library.

    python3 -m seqboat.aot FILE.mlir -o LIB.so --build BUILD
        [--options "chip=sm_90 features=+ptx80 format=fatbin"] [--keep DIR]

Steps: ``seqboat-opt --seqboat-gpu-pipeline="OPTIONS"`` (fused kernels in a
``gpu.binary``, host code in the LLVM dialect), ``mlir-translate
--mlir-to-llvmir``, ``clang -c -fPIC``, and a shared link with seqboat's
``mgpu*`` CUDA runtime (which loads the driver at run time). The library
depends only on libc/libstdc++/libdl; run it with ``seqboat-exec``.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

LLVM_BIN = "/usr/lib/llvm-22/bin"


def tool(name, fallback):
    path = os.path.join(LLVM_BIN, name)
    if os.path.exists(path):
        return path
    found = shutil.which(fallback)
    if not found:
        sys.exit("error: %s not found (install the LLVM 22 packages)" % name)
    return found


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout)
        sys.exit("error: %s failed (exit %d)" % (os.path.basename(cmd[0]), proc.returncode))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("-o", "--output", required=True, help="shared library to write")
    parser.add_argument("--build", required=True,
                        help="seqboat build directory or install prefix")
    parser.add_argument("--options", default="chip=sm_90 features=+ptx80 format=fatbin",
                        help="seqboat-gpu-pipeline options")
    parser.add_argument("--keep", help="keep the intermediate files in this directory")
    args = parser.parse_args(argv)

    opt = os.path.join(args.build, "bin", "seqboat-opt")
    # lib/Runtime/ in a build tree, lib/ in an install.
    runtimes = [os.path.join(args.build, "lib", sub, "libseqboat_cuda_runtime.a")
                for sub in ("Runtime", "")]
    runtime = next((r for r in runtimes if os.path.exists(r)), runtimes[0])
    for path, what in ((opt, "seqboat-opt"), (runtime, "the CUDA runtime library")):
        if not os.path.exists(path):
            sys.exit("error: %s not found at %s (build seqboat first)" % (what, path))
    if not os.path.exists(args.file):
        sys.exit("error: cannot read %s" % args.file)

    work = args.keep or tempfile.mkdtemp(prefix="seqboat-aot-")
    os.makedirs(work, exist_ok=True)
    base = os.path.join(work, os.path.splitext(os.path.basename(args.file))[0])
    try:
        run([opt, args.file, "--seqboat-gpu-pipeline=" + args.options, "-o", base + ".gpu.mlir"])
        run([tool("mlir-translate", "mlir-translate-22"), "--mlir-to-llvmir",
             base + ".gpu.mlir", "-o", base + ".ll"])
        run([tool("clang", "clang-22"), "-c", "-O2", "-fPIC", base + ".ll", "-o", base + ".o"])
        # The runtime goes in whole: seqboat-exec looks up seqboat_rt_* even
        # when the generated code does not call them.
        run([tool("clang++", "clang++-22"), "-shared", "-fuse-ld=lld", base + ".o",
             "-Wl,--whole-archive", runtime, "-Wl,--no-whole-archive", "-ldl",
             "-o", args.output])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
