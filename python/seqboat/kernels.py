"""Inspect the gpu.binary that ``seqboat-opt --seqboat-gpu-pipeline`` emits.

    python3 -m seqboat.kernels FILE.mlir [--ptx-dir DIR] [--ptxas PATH]
        [--arch SM] [--json]

Finds every ``gpu.binary`` in FILE (the output of the pipeline with
``format=isa``), extracts each PTX object, lists its kernels (``.entry``) and,
when ``ptxas`` is available, assembles the PTX with ``ptxas -v`` and reports
per kernel: registers, spill stores/loads, stack frame, shared memory and
constant memory. Exits 1 if a kernel spills or ptxas rejects the PTX.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

_OBJECT = re.compile(r'#gpu\.object<#nvvm\.target<[^>]*>,.*?assembly = "((?:[^"\\]|\\.)*)"',
                     re.S)


def _unescape(text):
    """MLIR string escapes: \\XX hex bytes, \\\\, \\"."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in '\\"':
                out += nxt.encode()
                i += 2
                continue
            if re.match(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
                out.append(int(text[i + 1:i + 3], 16))
                i += 3
                continue
        out += c.encode()
        i += 1
    return out.decode()


def extract_ptx(mlir_text):
    """PTX text of every NVVM object with assembly (format=isa)."""
    return [_unescape(m.group(1)) for m in _OBJECT.finditer(mlir_text)]


def entries(ptx):
    return re.findall(r"\.entry\s+([A-Za-z_$][\w$]*)", ptx)


def find_ptxas(explicit=None):
    if explicit:
        return explicit
    for root in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_ROOT"), "/usr/local/cuda"):
        if root and os.path.exists(os.path.join(root, "bin", "ptxas")):
            return os.path.join(root, "bin", "ptxas")
    return shutil.which("ptxas")


_FUNC = re.compile(r"Compiling entry function '([^']+)'")
_STACK = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
_USED = re.compile(r"Used (\d+) registers")
_SMEM = re.compile(r"(\d+) bytes smem")


def ptxas_report(ptxas, ptx, arch, extra_options=""):
    """Per-kernel resource usage from ``ptxas -v``; raises on rejection."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "kernels.ptx")
        with open(src, "w") as f:
            f.write(ptx)
        proc = subprocess.run([ptxas, "-v", "-arch", arch] + extra_options.split()
                              + [src, "-o", os.path.join(tmp, "kernels.cubin")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError("ptxas rejected the PTX:\n" + proc.stdout)
    report, current = {}, None
    for line in proc.stdout.splitlines():
        m = _FUNC.search(line)
        if m:
            current = m.group(1)
            report[current] = {"registers": 0, "spill_stores": 0, "spill_loads": 0,
                               "stack": 0, "smem": 0}
            continue
        if current is None:
            continue
        m = _STACK.search(line)
        if m:
            report[current].update(stack=int(m.group(1)), spill_stores=int(m.group(2)),
                                   spill_loads=int(m.group(3)))
        m = _USED.search(line)
        if m:
            report[current]["registers"] = int(m.group(1))
            smem = _SMEM.search(line)
            report[current]["smem"] = int(smem.group(1)) if smem else 0
    return report


_TARGET = re.compile(r"^\s*\.target\s+(sm_[0-9]+a?)", re.M)


def ptx_target(ptx):
    """The chip a PTX module's `.target` names (sm_90 when it names none)."""
    m = _TARGET.search(ptx)
    return m.group(1) if m else "sm_90"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--ptx-dir", help="write each binary's PTX here")
    parser.add_argument("--ptxas", help="ptxas to use (default: CUDA_HOME, /usr/local/cuda, PATH)")
    parser.add_argument("--arch", default=None,
                        help="ptxas -arch (default: each PTX's .target, e.g. sm_90a)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    try:
        text = open(args.file).read()
    except OSError as e:
        print("error: cannot read %s: %s" % (args.file, e), file=sys.stderr)
        return 1
    ptxs = extract_ptx(text)
    if not ptxs:
        print("error: no gpu.binary with PTX (format=isa) in %s" % args.file, file=sys.stderr)
        return 1
    kernels = [k for ptx in ptxs for k in entries(ptx)]
    if args.ptx_dir:
        os.makedirs(args.ptx_dir, exist_ok=True)
        for i, ptx in enumerate(ptxs):
            with open(os.path.join(args.ptx_dir, "binary%d.ptx" % i), "w") as f:
                f.write(ptx)
    ptxas = find_ptxas(args.ptxas)
    report = {}
    if ptxas:
        try:
            for ptx in ptxs:
                report.update(ptxas_report(ptxas, ptx, args.arch or ptx_target(ptx)))
        except (RuntimeError, OSError) as e:
            print("error: %s" % e, file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps({"binaries": len(ptxs), "kernels": kernels, "ptxas": report}, indent=2))
    else:
        print("gpu.binary objects: %d, kernels: %d (%s)" % (len(ptxs), len(kernels),
                                                          ", ".join(kernels)))
        if not ptxas:
            print("ptxas not found: no resource report")
        for k in kernels:
            r = report.get(k)
            if r:
                print("  %-13s registers %3d  spill stores %d  spill loads %d  stack %d B  smem %d B"
                      % (k, r["registers"], r["spill_stores"], r["spill_loads"], r["stack"], r["smem"]))
    spills = [k for k, r in report.items() if r["spill_stores"] or r["spill_loads"]]
    if spills:
        print("error: spills in %s" % ", ".join(spills), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
