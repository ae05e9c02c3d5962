"""seqboat-tune: search the fused-kernel configs of every tunable op in a model.

    seqboat-tune FILE.mlir --chip sm_90 [--budget 50] [--db seqboat-tuning.json]
        [--jobs N] [--top 5] [--repeat 20] [--seed 0] [--plot tune.svg]
        [--ptxas-options "..."] [--fix KNOB=VALUE] [--no-measure] [--force]
        [--size B=N --size L=N | --size M=N] [--build BUILD]

For each op that ``seqboat-opt --seqboat-print-tuning-space`` lists:

1. candidates: the whole space when it has at most ``budget`` points,
   otherwise ``budget`` points found by random sampling (half) and then
   evolution (mutating one knob of the best variants so far);
2. every candidate is compiled in parallel (``--seqboat-apply-tuning`` with a
   one-entry database, then ``--seqboat-gpu-pipeline=format=isa``) and
   assembled with ``ptxas -v``; variants that ptxas rejects, that spill, that
   need more than 48 KiB of shared memory or more registers than a block may
   have are discarded, with the reason recorded;
3. the rest are ranked by a static cost model (bytes moved and flops of each
   kernel against the chip's bandwidth and peak, derated by occupancy from
   registers/shared memory and by how well the grid fills the chip);
4. on a machine with a CUDA GPU the best ``--top`` are built as libraries
   (``seqboat.aot``) and timed with ``seqboat-exec`` (warm-up, median of
   ``--repeat``), their outputs checked against the CPU result of the
   independent linalg lowering (``seqboat-run``).

Results go to a JSON database keyed by ``<op key>|<chip>|<compiler version>``
(op key = op name, operand types and attributes). Finished variants are never
recompiled (runs resume), and an op whose search already covered the budget
is answered from the database. The best config per op is what
``seqboat-apply-tuning`` / ``seqboat-gpu-pipeline{tuning-db=...}`` apply.
Standard library only (NumPy is used for measurement inputs when present).
"""

import argparse
import concurrent.futures
import contextlib
import fcntl
import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

from . import kernels as kernel_report

# Per-chip limits and roofline (public datasheet numbers).
CHIPS = {
    # tf32: dense TF32 tensor-core peak (mma.sync), for contraction kernels;
    # 16-bit (f16/bf16) operands run at twice that (HALF_OVER_TF32).
    "sm_80": dict(sms=108, regs=65536, smem=167936, threads=2048, blocks=32,
                  bandwidth=2.0e12, flops=19.5e12, tf32=156e12),
    "sm_86": dict(sms=84, regs=65536, smem=102400, threads=1536, blocks=16,
                  bandwidth=0.94e12, flops=35.6e12, tf32=35.6e12),
    "sm_89": dict(sms=128, regs=65536, smem=102400, threads=1536, blocks=24,
                  bandwidth=1.0e12, flops=82.6e12, tf32=82.6e12),
    "sm_90": dict(sms=132, regs=65536, smem=232448, threads=2048, blocks=32,
                  bandwidth=3.35e12, flops=67.0e12, tf32=494.7e12),
}
BLOCK_SMEM_LIMIT = 48 * 1024
# Dense f16/bf16 tensor-core peak over dense TF32 (A100 312/156, H100
# 989/495 TFLOPS).
HALF_OVER_TF32 = 2.0
# Kernels whose dot products the unroll knob applies to.
UNROLLED_KERNELS = ("ema_hx_route", "mx_proj", "attention", "output")
DB_VERSION = 1
# Threads per block of the contraction strategy (2x2 warps; not a knob).
CONTRACTION_THREADS = 128


def block_threads(config):
    return config.get("threads", CONTRACTION_THREADS)


def tie_key(config):
    """Model ties go to smaller blocks, then fewer rows, then smaller tiles."""
    return tuple(config.get(k, 0) for k in
                 ("threads", "rows_per_block", "tile_m", "tile_n", "tile_k"))


class TuneError(Exception):
    pass


def run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if proc.returncode != 0:
        raise TuneError("%s failed:\n%s" % (" ".join(cmd[:2]), proc.stderr.strip()[-2000:]))
    return proc.stdout


# ---------------------------------------------------------------------------
# database
# ---------------------------------------------------------------------------

# Limits of a database read: seqboat-opt's (TuningDatabase.cpp) as well.
MAX_DB_BYTES = 64 << 20
MAX_DB_DEPTH = 32


def _json_depth(text, limit):
    """Deepest [/{ nesting outside strings, stopping once past `limit`.

    json.load recurses once per level: a file of '[' raises RecursionError
    (or worse) before any schema check could run.
    """
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif c in "]}" and depth:
            depth -= 1
    return deepest


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _check_schema(db):
    """None, or what is wrong with a parsed database (one line)."""
    if not isinstance(db, dict) or not isinstance(db.get("entries"), dict):
        return "has no 'entries' object"
    for key, entry in db["entries"].items():
        name = repr(key if len(key) <= 80 else key[:80] + "...")
        if not isinstance(entry, dict):
            return "entry %s is not an object" % name
        variants = entry.get("variants", {})
        if not isinstance(variants, dict) or not all(isinstance(v, dict) for v in variants.values()):
            return "entry %s: 'variants' is not an object of objects" % name
        for vname, v in variants.items():
            if "config" in v and not (isinstance(v["config"], dict)
                                      and all(_is_int(x) for x in v["config"].values())):
                return "entry %s: variant %r has a 'config' that is not an object of integers" \
                    % (name, vname)
            for field in ("cost_us", "time_ms", "max_rel_err"):
                if field in v and not isinstance(v[field], (int, float)):
                    return "entry %s: variant %r: '%s' is not a number" % (name, vname, field)
        best = entry.get("best")
        # Which knobs 'best' needs depends on the op (the layer's or the
        # contraction strategy's space); seqboat-apply-tuning checks that.
        if best is not None and not (isinstance(best, dict) and all(_is_int(x) for x in best.values())):
            return "entry %s: 'best' is not an object of integer knobs" % name
        for field in ("evaluated", "space_size"):
            if field in entry and not _is_int(entry[field]):
                return "entry %s: '%s' is not an integer" % (name, field)
    return None


def read_db(path):
    """The database at `path` (an empty one when there is none), validated."""
    if not os.path.exists(path):
        return {"version": DB_VERSION, "entries": {}}
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_DB_BYTES + 1)
    except OSError as e:
        raise TuneError("cannot read tuning database %s: %s" % (path, e.strerror or e))
    if len(data) > MAX_DB_BYTES:
        raise TuneError("tuning database %s is larger than the limit of %d bytes"
                        % (path, MAX_DB_BYTES))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TuneError("tuning database %s is not UTF-8: %s" % (path, e))
    if _json_depth(text, MAX_DB_DEPTH) > MAX_DB_DEPTH:
        raise TuneError("tuning database %s nests deeper than %d levels" % (path, MAX_DB_DEPTH))
    try:
        db = json.loads(text)
    except ValueError as e:
        raise TuneError("tuning database %s is not valid JSON: %s" % (path, e))
    why = _check_schema(db)
    if why:
        raise TuneError("tuning database %s %s" % (path, why))
    return db


@contextlib.contextmanager
def db_lock(path):
    """Holds an exclusive advisory lock on PATH.lock (created once, kept).

    The database itself cannot carry the lock: every save replaces its inode.
    """
    try:
        fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as e:
        raise TuneError("cannot lock tuning database %s: %s" % (path, e.strerror or e))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def check_db_location(path):
    """Fails before any work when the database could not be read or saved."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise TuneError("cannot write tuning database %s: folder %s does not exist" % (path, folder))
    if os.path.isdir(path):
        raise TuneError("cannot write tuning database %s: it is a folder" % path)
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".seqboat-tune-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise TuneError("cannot write tuning database %s: %s" % (path, e.strerror or e))
    with db_lock(path):
        read_db(path)


def merge_entry(mine, theirs):
    """Adds to `mine`, in place, the fields and variants only `theirs` has.

    In place because tune_op keeps working on its entry object after a save.
    """
    for field, value in theirs.items():
        if field != "variants":
            mine.setdefault(field, value)
    variants = mine.setdefault("variants", {})
    for name, variant in theirs.get("variants", {}).items():
        variants.setdefault(name, variant)
    if "evaluated" in mine:
        mine["evaluated"] = len(variants)


def save_db(path, db):
    """Merges `db` into the database on disk and writes the result.

    Under the lock, the file is read again and entries (and variants) other
    tuners saved meanwhile are kept; the result goes to a fresh temporary
    file in the same folder and is renamed over the database, so readers see
    the old or the new file, never a partial one. `db` is updated in place.
    """
    folder = os.path.dirname(os.path.abspath(path))
    with db_lock(path):
        disk = read_db(path)
        for key, entry in disk["entries"].items():
            if key in db["entries"]:
                merge_entry(db["entries"][key], entry)
            else:
                db["entries"][key] = entry
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                # Strict JSON (no NaN/Infinity): seqboat-opt reads it too.
                json.dump(db, f, indent=1, sort_keys=True, allow_nan=False)
                f.flush()
                os.fsync(f.fileno())
            # mkstemp makes the file private; a database is as readable as any
            # other file its user creates.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
        except (OSError, ValueError) as e:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise TuneError("cannot write tuning database %s: %s"
                            % (path, getattr(e, "strerror", None) or e))


def variant_name(config):
    return ",".join("%s=%d" % (k, config[k]) for k in sorted(config))


# ---------------------------------------------------------------------------
# search
# ---------------------------------------------------------------------------

def candidates(op, budget, rng):
    """The first configs to evaluate and how they were chosen."""
    names = [k["name"] for k in op["knobs"]]
    values = [k["values"] for k in op["knobs"]]
    default = {k["name"]: k["default"] for k in op["knobs"]}
    space = [dict(zip(names, combo)) for combo in itertools.product(*values)]
    if len(space) <= budget:
        return space, "exhaustive"
    chosen = {variant_name(default): default}
    for config in rng.sample(space, min(len(space), max(1, budget // 2))):
        chosen.setdefault(variant_name(config), config)
    return list(chosen.values()), "random+evolutionary"


def restrict(op, fixes):
    """Applies --fix KNOB=VALUE to an op's space."""
    knobs = {k["name"]: k for k in op["knobs"]}
    for fix in fixes:
        name, _, value = fix.partition("=")
        if name not in knobs:
            raise TuneError("--fix %s: no knob '%s' (knobs: %s)" % (fix, name, ", ".join(knobs)))
        try:
            value = int(value)
        except ValueError:
            raise TuneError("--fix %s: the value must be an integer" % fix)
        if value not in knobs[name]["values"]:
            raise TuneError("--fix %s: %d is not a legal value of %s %s"
                            % (fix, value, name, knobs[name]["values"]))
        knobs[name]["values"] = [value]
        knobs[name]["default"] = value


def mutate(op, config, rng):
    knob = rng.choice(op["knobs"])
    vals = knob["values"]
    i = vals.index(config[knob["name"]])
    j = min(len(vals) - 1, max(0, i + rng.choice((-1, 1))))
    out = dict(config)
    out[knob["name"]] = vals[j]
    return out


# ---------------------------------------------------------------------------
# compile + ptxas + static model
# ---------------------------------------------------------------------------

def compile_variant(args, op, config, dbkey, ptxas):
    """Compile one variant to PTX and read ptxas's resource report."""
    with tempfile.TemporaryDirectory(prefix="seqboat-tune-") as tmp:
        one = os.path.join(tmp, "db.json")
        with open(one, "w") as f:
            json.dump({"version": DB_VERSION, "entries": {dbkey: {"best": config}}}, f)
        out = os.path.join(tmp, "gpu.mlir")
        work_file = os.path.join(tmp, "work.json")
        options = "chip=%s format=isa precision=%s" % (args.chip, args.precision)
        if op.get("kind") == "op":
            # The op's kernels as the strategies form them: the model's input.
            options += " kernel-work=%s" % work_file
        try:
            run([args.opt, args.file, "--seqboat-apply-tuning=db=%s chip=%s precision=%s"
                 % (one, args.chip, args.precision),
                 "--seqboat-gpu-pipeline=%s" % options, "-o", out])
        except TuneError as e:
            errors = [line.split("error: ", 1)[1] for line in str(e).splitlines() if "error: " in line]
            return {"status": "rejected",
                    "reason": "compilation failed: %s" % (errors[0] if errors else e)}
        with open(out) as f:
            ptx = kernel_report.extract_ptx(f.read())
        work = None
        if op.get("kind") == "op":
            with open(work_file) as f:
                # Kernels carry the location of the op they are made of.
                work = [k for k in json.load(f)["kernels"] if k.get("loc") == op["loc"]]
    report = {}
    try:
        for text in ptx:
            report.update(kernel_report.ptxas_report(ptxas, text, args.chip, args.ptxas_options))
    except RuntimeError as e:
        return {"status": "rejected", "reason": "ptxas: %s" % str(e).splitlines()[-1][:300]}
    chip = CHIPS.get(args.chip, CHIPS["sm_90"])
    # A contraction's config changes only its own kernel; the file's other
    # kernels are someone else's to tune.
    if op.get("kind") == "contraction":
        # Its own kernel and, where the tiles leave a remainder, the peeled
        # rows and columns.
        mine = {op["kernel"]} | set(peeled_kernel_names(op).values())
        report = {name: r for name, r in report.items() if name in mine}
    if work is not None:
        mine = {k["name"] for k in work}
        report = {name: r for name, r in report.items() if name in mine}
    for name, r in report.items():
        if r["spill_stores"] or r["spill_loads"]:
            return {"status": "rejected", "reason": "%s spills (%d B stores, %d B loads)"
                    % (name, r["spill_stores"], r["spill_loads"]), "ptxas": report}
        if r["smem"] > BLOCK_SMEM_LIMIT:
            return {"status": "rejected", "reason": "%s needs %d B shared memory" % (name, r["smem"]),
                    "ptxas": report}
        if r["registers"] * block_threads(config) > chip["regs"]:
            return {"status": "rejected", "reason": "%s: %d registers x %d threads exceed a block's %d"
                    % (name, r["registers"], block_threads(config), chip["regs"]), "ptxas": report}
    result = {"status": "ok", "ptxas": report}
    if work is not None:
        result["work"] = work
    return result


# What one more kernel costs even when it has nearly nothing to do: the
# launch and the gap between stream-ordered kernels (an assumption, ~2 us on
# H100-class GPUs with back-to-back launches).
LAUNCH_US = 2.0

# Marks a kernel_work entry that runs with the parallel strategy (no tensor
# cores); stripped before the name is looked up in the ptxas report.
PARALLEL_SUFFIX = "#parallel"

# L2 bandwidth as a multiple of HBM bandwidth (an assumption: H100 L2 reads
# run at roughly 2-3x HBM).
L2_OVER_HBM = 2.5


def peeled_kernel_names(op):
    """The kernels seqboat-apply-strategies peels a contraction's remainder
    rows and columns into: {"_rows": ..., "_cols": ...}."""
    name = op["kernel"]
    base = name[:-len("_kernel")] if name.endswith("_kernel") else name
    return {suffix: base + suffix + "_kernel" for suffix in ("_rows", "_cols")}


def contraction_work(op, config):
    """The kernels of a contraction: the part the tiles divide (the
    contraction kernel) and, where M or N leaves a remainder, the peeled rows
    and columns (parallel kernels, one output element per thread, suffixes
    _rows/_cols). X, W, the bias and Y cross HBM once; every block also
    streams its X rows and W columns through shared memory, re-reads that the
    L2 serves (counted at HBM-equivalent cost 1 / L2_OVER_HBM per byte)."""
    s = op["shape"]
    m, n, k = s["M"], s["N"], s["K"]
    tm, tn = config["tile_m"], config["tile_n"]
    # Element bytes of X and W (2 for f16/bf16) and of Y and the bias.
    ob, yb = op.get("operand_bytes", 4), op.get("result_bytes", 4)
    peeled = peeled_kernel_names(op)
    mm, nm = m - m % tm, n - n % tn
    if mm == 0 or nm == 0 or k % config.get("tile_k", 16):
        # Nothing to peel: the whole contraction as a parallel kernel.
        return [(op["kernel"] + PARALLEL_SUFFIX, math.ceil(m * n / 128.0), 128,
                 ob * (m * k + n * k) + yb * (m * n + n), 2.0 * m * n * k)]
    grid = (mm // tm) * (nm // tn)
    compulsory = ob * (mm * k + nm * k) + yb * (mm * nm + nm)
    rereads = ob * (mm * k * (nm // tn - 1) + nm * k * (mm // tm - 1))
    nbytes = compulsory + rereads / L2_OVER_HBM
    rows = [(op["kernel"], grid, CONTRACTION_THREADS, nbytes, 2.0 * mm * nm * k)]
    # The peeled parts: every output element reads its X row and W row (the
    # L1/L2 serve the re-reads, counted once).
    for suffix, pm, pn in (("_rows", m - mm, n), ("_cols", mm, n - nm)):
        if pm and pn:
            rows.append((peeled[suffix] + PARALLEL_SUFFIX,
                         math.ceil(pm * pn / 128.0), 128,
                         ob * (pm * k + pn * k) + yb * (pm * pn + pn), 2.0 * pm * pn * k))
    return rows


def kernel_work(op, config):
    """(name, grid, threads used by the main phase, bytes, flops) per kernel."""
    if op.get("kind") == "contraction":
        return contraction_work(op, config)
    s = op["shape"]
    b, l, d, n, z, h = s["B"], s["L"], s["D"], s["N"], s["Z"], s["H"]
    w = op["window"]
    span = 2 * w + 1 if op["bidirectional"] else w + 1
    reach = 2 * w if op["bidirectional"] else w
    q = min(config.get("attn_queries", 1), l)
    dirs = 2 if op["bidirectional"] else 1
    r = config["rows_per_block"]
    rows_out = max(1, min(r, 8192 // h))
    tiles = lambda rows: math.ceil(b * l / rows)
    f = 4
    chunk = min(config.get("ema_chunk", 64), l)
    nc = math.ceil(l / chunk)
    state_bytes = f * b * nc * d * n * dirs
    return [
        ("ema_chunks", b * nc, d, f * b * l * d * 2 + state_bytes, 4.0 * b * l * d * n * dirs),
        ("ema_hx_route", b * nc, d + 2,
         f * (b * l * d * (1 + 2 * dirs) + math.ceil(l / r) * b * (d + 2) * d + b * l * (d + 4))
         + state_bytes * (nc + 1) / 2.0,
         4.0 * b * l * d * n * dirs + 2.0 * b * l * d * (d + 2) + 2.0 * b * nc * nc * d * n),
        ("compact", b, min(config["threads"], l), 9 * b * l, 4.0 * b * l),
        ("mx_proj", b * math.ceil(l / r), z + 2 * h,
         f * (b * l * d + b * math.ceil(l / r) * (z + 2 * h) * d + b * l * (2 * z + 2 * h)),
         2.0 * b * l * d * (z + 2 * h)),
        # q consecutive queries share a block: k/v rows of their joint window
        # (q + reach) are read once per block instead of once per query.
        ("attention", b * math.ceil(l / q), q * h,
         f * (b * l * (z + 2 * h) + b * math.ceil(l / q) * (q + reach) * (z + h)),
         2.0 * b * l * span * (z + h)),
        ("output", tiles(rows_out), d, f * (b * l * (h + 3 * d) + tiles(rows_out) * d * h),
         2.0 * b * l * d * h),
    ]


def kernel_costs(op, config, ptxas, chip_name):
    """Per kernel: (name, grid, flops, bytes, blocks per SM, estimated us).

    Roofline per kernel (bytes / bandwidth vs flops / peak, the latter
    derated for short dependent reduction chains when not unrolled), divided by the
    fraction of the chip kept busy: resident blocks (limited by threads,
    registers and shared memory per SM, from ptxas) times the threads of each
    block that have work, and the last wave's fill.
    """
    chip = CHIPS.get(chip_name, CHIPS["sm_90"])
    t = block_threads(config)
    # Contractions run on tensor cores (TF32 mma.sync) unless compiled with
    # precision=ieee (FFMA); 16-bit operands always do, at twice the peak.
    half = op.get("operand_bytes", 4) == 2
    tensor_cores = op.get("kind") == "contraction" and (
        op.get("precision", "tf32") in ("tf32", "autocast") or half)
    rows = []
    for name, grid, lanes, nbytes, flops in kernel_work(op, config):
        # Parallel kernels (a contraction's peeled remainder or fallback) run
        # on the FMA pipes.
        parallel = name.endswith(PARALLEL_SUFFIX)
        name = name[:-len(PARALLEL_SUFFIX)] if parallel else name
        peak = chip["tf32"] if tensor_cores and not parallel else chip["flops"]
        if half and tensor_cores and not parallel:
            peak *= HALF_OVER_TF32
        rows.append(_roofline(name, grid, lanes, nbytes, flops, peak, t, config, ptxas, chip))
    return rows


def generic_kernel_costs(kernel, ptxas, chip_name, precision="tf32"):
    """kernel_costs for one kernel of the generic path, as
    `seqboat-print-kernel-work` describes it: a contraction kernel through
    the contraction model (its tiles, peeling), a parallel or scan kernel as
    the grid its strategy launches: `blocks` blocks of `threads` threads, of
    which `lanes` have a point (the block tile is a divisor of the loops'
    extents, so a block may have idle threads), on the FMA pipes, moving the
    bytes of its buffers once, plus what it re-reads through L2 ("l2_bytes",
    the attention kernels) at 1 / L2_OVER_HBM of an HBM byte. (Work files
    without the grid: ceil(points / 128) full blocks of 128.)"""
    if kernel["kind"] == "contraction":
        # The strategy's default tiles (16-bit operands: 128 rows).
        default = [128, 64, 16] if kernel.get("operand_bytes", 4) == 2 else [64, 64, 16]
        tiles = kernel.get("tiles", default)
        op = {"kind": "contraction", "kernel": kernel["name"], "shape": kernel["shape"],
              "precision": precision, "operand_bytes": kernel.get("operand_bytes", 4),
              "result_bytes": kernel.get("result_bytes", 4)}
        config = {"tile_m": tiles[0], "tile_n": tiles[1], "tile_k": tiles[2]}
        return kernel_costs(op, config, ptxas, chip_name)
    chip = CHIPS.get(chip_name, CHIPS["sm_90"])
    points = max(1, kernel["points"])
    threads = kernel.get("threads", CONTRACTION_THREADS)
    grid = kernel.get("blocks", math.ceil(points / float(threads)))
    lanes = kernel.get("lanes", min(points, threads))
    # A thread's stack frame (a scan's scratch in local memory) is written
    # and read back at least once: local memory is HBM behind the caches.
    stack = ptxas.get(kernel["name"], {}).get("stack", 0)
    nbytes = kernel["bytes"] + 2.0 * stack * points
    # What a kernel's blocks re-read through L2 (an attention kernel's key
    # and value rows, seqboat-print-kernel-work's "l2_bytes"), at the
    # HBM-equivalent cost of the contraction model's panel re-reads.
    nbytes += kernel.get("l2_bytes", 0) / L2_OVER_HBM
    # Dynamic shared memory (the attention strategy's buffers) is not in
    # ptxas's report: the kernel work's "shared_bytes" is.
    if kernel.get("shared_bytes"):
        report = dict(ptxas.get(kernel["name"], {"registers": 32, "smem": 0}))
        report["smem"] = max(report.get("smem", 0), kernel["shared_bytes"])
        ptxas = dict(ptxas, **{kernel["name"]: report})
    # The attention strategy's products on tensor cores ("tensor_flops"):
    # their time at the TF32 peak (16-bit products, "operand_bytes" 2: the
    # f16/bf16 peak, under any precision), the rest (softmax, masks) on the
    # FMA pipes: the peak that takes as long over all of them.
    flops = kernel["flops"]
    peak = chip["flops"]
    tensor = min(kernel.get("tensor_flops", 0), flops)
    half = kernel.get("operand_bytes", 4) == 2
    if tensor and (precision != "ieee" or half):
        tensor_peak = chip["tf32"] * (HALF_OVER_TF32 if half else 1.0)
        peak = flops / ((flops - tensor) / chip["flops"] + tensor / tensor_peak)
    return [_roofline(kernel["name"], grid, lanes, nbytes,
                      flops, peak, threads, {}, ptxas, chip)]


def _roofline(name, grid, lanes, nbytes, flops, peak, t, config, ptxas, chip):
    """(name, grid, flops, bytes, blocks per SM, estimated us) of one kernel."""
    r = ptxas.get(name, {"registers": 32, "smem": 0})
    per_sm = min(chip["blocks"], chip["threads"] // t,
                 chip["regs"] // max(1, r["registers"] * t),
                 chip["smem"] // r["smem"] if r["smem"] else chip["blocks"])
    per_sm = max(per_sm, 1)
    # Threads doing useful work at once (a block's main phase has `lanes`
    # of it), against the ~1024 per SM it takes to hide memory latency;
    # then the tail of the last wave.
    resident = min(grid, per_sm * chip["sms"])
    util = min(1.0, resident * min(lanes, t) / (chip["sms"] * 1024.0))
    waves = math.ceil(grid / float(per_sm * chip["sms"]))
    tail = grid / float(waves * per_sm * chip["sms"]) if waves > 1 else 1.0
    efficiency = max(1e-4, util * tail)
    # Unrolled reductions keep u independent multiply-adds in flight
    # (heuristic: a dependent chain reaches u / (u + 1) of peak).
    ilp = 1.0
    if name in UNROLLED_KERNELS:
        u = config.get("unroll", 1)
        ilp = u / (u + 1.0)
    us = max(nbytes / chip["bandwidth"], flops / (peak * ilp)) / efficiency * 1e6
    return (name, grid, flops, nbytes, per_sm, us + LAUNCH_US)


def static_cost(op, config, ptxas, chip_name, work=None, precision="tf32"):
    """Estimated microseconds of the op's kernels (lower is better). A
    primitive op's kernels ("kind": "op") are those the compiler formed
    (`work`, from seqboat-print-kernel-work) under `precision`, each
    modelled as generic_kernel_costs does."""
    if op.get("kind") == "op":
        return sum(row[-1] for kernel in work or []
                   for row in generic_kernel_costs(kernel, ptxas, chip_name, precision))
    return sum(row[-1] for row in kernel_costs(op, config, ptxas, chip_name))


# ---------------------------------------------------------------------------
# measurement (GPU only)
# ---------------------------------------------------------------------------

def have_gpu():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    proc = subprocess.run([smi, "-L"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return proc.returncode == 0 and "GPU" in proc.stdout


def measure(args, op, config, dbkey, inputs, outputs_ref):
    """Median ms of the variant and its max relative error vs the reference.

    On the GPU: a library from seqboat.aot run by seqboat-exec. With
    --measure-on cpu: the same kernels as CPU loops (seqboat-kernels-cpu-
    pipeline) run by seqboat-run -- not GPU performance, but the same
    compile/run/check path, usable on any machine.
    """
    import numpy as np
    with tempfile.TemporaryDirectory(prefix="seqboat-tune-") as tmp:
        one = os.path.join(tmp, "db.json")
        with open(one, "w") as f:
            json.dump({"version": DB_VERSION, "entries": {dbkey: {"best": config}}}, f)
        if args.measure_on == "cpu":
            binary = os.path.join(tmp, "variant.mlir")
            run([args.opt, args.file, "--seqboat-apply-tuning=db=%s chip=%s precision=%s"
                 % (one, args.chip, args.precision),
                 "--seqboat-kernels-cpu-pipeline=precision=%s" % args.precision, "-o", binary])
            runner = os.path.join(os.path.dirname(args.opt), "seqboat-run")
        else:
            binary = os.path.join(tmp, "variant.so")
            run([sys.executable, "-m", "seqboat.aot", args.file, "-o", binary, "--build", args.build,
                 "--options", "chip=%s format=fatbin tuning-db=%s precision=%s"
                 % (args.chip, one, args.precision)])
            runner = args.exec
        outs = [os.path.join(tmp, "out%d.npy" % i) for i in range(len(outputs_ref))]
        cmd = [runner, binary, "--entry", args.entry, "--repeat", str(args.repeat), "--time"]
        for path in inputs:
            cmd += ["--input", path]
        for path in outs:
            cmd += ["--output", path]
        text = run(cmd)
        ms = float(re.search(r"median ([0-9.]+) ms", text).group(1))
        err = 0.0
        for ref, out in zip(outputs_ref, outs):
            r, o = np.load(ref), np.load(out)
            # max() drops a NaN (max(0.0, nan) is 0.0), so a NaN or Inf
            # output is failed here, whatever the other elements say.
            if not np.all(np.isfinite(o)):
                raise TuneError("%s has NaN or Inf values" % os.path.basename(out))
            err = max(err, float(np.max(np.abs(r - o)) / max(1e-30, float(np.max(np.abs(r))))))
    return ms, err


def parse_sizes(specs):
    """--size B=N / L=N / M=N as a dict."""
    sizes = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        if name not in ("B", "L", "M"):
            raise TuneError("--size %s: the dynamic sizes are B, L and M "
                            "(a contraction's rows)" % spec)
        try:
            sizes[name] = int(value)
        except ValueError:
            raise TuneError("--size %s: the value must be an integer" % spec)
        if not 1 <= sizes[name] <= 2**31 - 1:
            raise TuneError("--size %s: the value must be between 1 and 2^31 - 1" % spec)
    return sizes


def bind_sizes(op, sizes):
    """Gives a layer with a dynamic B or L, or a contraction with a runtime
    number of rows M, the sizes to tune at (--size; M is B*L unless given):
    the static model and the measured inputs need them."""
    if op.get("kind") == "contraction":
        shape = op["shape"]
        if "M" in shape:
            return
        m = sizes.get("M")
        if m is None and "B" in sizes and "L" in sizes:
            m = sizes["B"] * sizes["L"]
        if m is None:
            raise TuneError("%s is a contraction over a runtime number of rows: give "
                            "the rows to model it at with --size M=N (or --size B=N "
                            "--size L=N)" % op["loc"])
        shape["M"] = m
        # One config for every M: the tiles are compiled in, the rows the
        # tiles do not divide are split off at run time.
        op["bound"] = {"M": m}
        return
    if op.get("kind") != "layer":
        return
    shape = op["shape"]
    missing = [n for n in ("B", "L") if n not in shape and n not in sizes]
    if missing:
        raise TuneError("%s has a dynamic %s: give the sizes to model it at with %s"
                        % (op["loc"], " and ".join(missing),
                           " ".join("--size %s=N" % n for n in missing)))
    for n in ("B", "L"):
        if n not in shape:
            shape[n] = sizes[n]
            op.setdefault("bound", {})[n] = sizes[n]


def length_bucket(op):
    """The length bucket of a layer with a dynamic L tuned at --size L=n: the
    power of two >= n (None for a static L)."""
    n = op.get("bound", {}).get("L")
    if n is None:
        return None
    return 1 << max(0, (n - 1).bit_length())


def make_inputs(args, work):
    """Random inputs for the entry function and the CPU reference outputs."""
    import numpy as np
    text = run([args.opt, args.file, "--seqboat-export-abi"])
    m = re.search(r'func\.func @%s\(.*?seqboat\.abi = \((.*?)\) -> (.*?)[,}]\s' % re.escape(args.entry),
                  text, re.S)
    if not m:
        raise TuneError("cannot find the signature of @%s" % args.entry)
    sizes = getattr(args, "sizes", {})

    def size(x, at):
        # Dynamic dims of seqboat tensors are their leading [B, L].
        if x != "?":
            return int(x)
        name = "BL"[at] if at < 2 else None
        # The rows of a plain contraction ([?, K]): --size M.
        if name == "B" and name not in sizes and "M" in sizes:
            name = "M"
        if name not in sizes:
            raise TuneError("@%s has a dynamic dimension: give the sizes to measure at "
                            "with --size B=N --size L=N" % args.entry)
        return sizes[name]

    def shapes(s):
        return [(tuple(size(x, i) for i, x in enumerate(d for d in dims.split("x") if d)), et)
                for dims, et in re.findall(r"tensor<((?:(?:\d+|\?)x)*)(f32|i32|i1)>", s)]
    rng = np.random.default_rng(0)
    paths = []
    for i, (shape, et) in enumerate(shapes(m.group(1))):
        arr = {"f32": lambda: (rng.standard_normal(shape) * 0.5).astype(np.float32),
               "i32": lambda: np.zeros(shape, np.int32),
               "i1": lambda: np.zeros(shape, bool)}[et]()
        paths.append(os.path.join(work, "in%d.npy" % i))
        np.save(paths[-1], arr)
    refs = [os.path.join(work, "ref%d.npy" % i) for i in range(len(shapes(m.group(2))))]
    cmd = [os.path.join(os.path.dirname(args.opt), "seqboat-run"), args.file, "--entry", args.entry]
    for p in paths:
        cmd += ["--input", p]
    for p in refs:
        cmd += ["--output", p]
    run(cmd)
    return paths, refs


# ---------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------

def progress(done, total, label):
    width = 30
    filled = int(width * done / max(1, total))
    sys.stderr.write("\r  [%s%s] %d/%d %s" % ("#" * filled, "." * (width - filled), done, total,
                                            label[:40].ljust(40)))
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def table(entry, top=10):
    ok = [(round(v["cost_us"], 3), tie_key(v["config"]), name, v)
          for name, v in entry["variants"].items() if v["status"] == "ok"]
    ok.sort(key=lambda row: row[:3])
    ok = [(row[0], row[2], row[3]) for row in ok]
    rejected = [(name, v["reason"]) for name, v in entry["variants"].items() if v["status"] != "ok"]
    lines = ["  %-40s %14s %12s %10s  %s" % ("variant", "model (us)", "measured ms", "max err", "")]
    for cost, name, v in ok[:top]:
        lines.append("  %-40s %14.1f %12s %10s  %s" % (
            name, cost, "%.3f" % v["time_ms"] if v.get("time_ms") is not None else "-",
            "%.1e" % v["max_rel_err"] if v.get("max_rel_err") is not None else "-",
            "<- best" if entry.get("best") and name == variant_name(entry["best"]) else ""))
    lines.append("  %d valid, %d rejected" % (len(ok), len(rejected)))
    for name, reason in sorted(rejected)[:5]:
        lines.append("    rejected %s: %s" % (name, reason))
    return "\n".join(lines)


def plot_svg(path, entries):
    """Model cost (and measured time) of every valid variant, best first."""
    series = []
    for key, entry in entries:
        pts = sorted((v["cost_us"], v.get("time_ms"), n) for n, v in entry["variants"].items()
                     if v["status"] == "ok")
        series.append((entry.get("op_loc", key[:40]), pts))
    w, h, pad = 720, 360, 50
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="11">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="20">seqboat-tune: static cost (blue) and measured time (red) per variant, '
           'best first</text>' % pad]
    n = max([len(p) for _, p in series] + [1])
    top = max([c for _, p in series for c, _, _ in p] + [1e-9])
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (pad, h - pad, w - 10, h - pad))
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (pad, 30, pad, h - pad))
    out.append('<text x="%d" y="%d">variant (rank)</text>' % (w // 2, h - 15))
    out.append('<text x="5" y="%d">%.0f us</text>' % (40, top))
    for _, pts in series:
        tmax = max([t for _, t, _ in pts if t is not None] + [1e-9])
        for i, (c, t, name) in enumerate(pts):
            x = pad + (w - pad - 20) * (i + 0.5) / n
            y = h - pad - (h - pad - 40) * c / top
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="steelblue"><title>%s: %.1f us</title>'
                       '</circle>' % (x, y, name, c))
            if t is not None:
                yt = h - pad - (h - pad - 40) * t / tmax
                out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="crimson"><title>%s: %.3f ms'
                           '</title></circle>' % (x, yt, name, t))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out))


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def tune_op(args, db, op, compiler, ptxas, gpu, rng, measure_inputs):
    dbkey = "%s|%s|%s" % (op["key"], args.chip, compiler)
    if args.precision != "tf32":
        # Tuned under another precision: an entry of its own, which
        # seqboat-apply-tuning{precision} looks up.
        dbkey += "|precision=%s" % args.precision
    bucket = length_bucket(op)
    if bucket:
        # A dynamic L: one entry per length bucket; seqboat-apply-tuning
        # builds the kernels once per bucket, chosen by L at run time.
        dbkey += "|L<=%d" % bucket
    entry = db["entries"].setdefault(dbkey, {
        "op": op["key"], "chip": args.chip, "precision": args.precision,
        "compiler": compiler, "variants": {}})
    if bucket:
        entry["length_bucket"] = bucket
        entry["tuned_at"] = dict(op["bound"])
        print("%s: dynamic L, tuned at %s for the bucket L <= %d"
              % (op["loc"], ", ".join("%s = %d" % kv for kv in sorted(op["bound"].items())),
                 bucket))
    if op.get("kind") == "contraction" and "bound" in op:
        entry["tuned_at"] = dict(op["bound"])
        print("%s: runtime rows, tuned at M = %d (one config for every M)"
              % (op["loc"], op["bound"]["M"]))
    entry["op_loc"] = op["loc"]
    space_size = 1
    for k in op["knobs"]:
        space_size *= len(k["values"])
    wanted = min(args.budget, space_size)
    measured = {"gpu": "measured", "cpu": "measured-cpu"}.get(args.measure_on)
    if entry.get("complete") and entry.get("evaluated", 0) >= wanted and not args.force \
            and (not gpu or entry.get("best_by") == measured):
        print("%s: answered from the database (%d variants evaluated, best %s)"
              % (op["loc"], entry["evaluated"],
                 variant_name(entry["best"]) if "best" in entry else "none: every variant was rejected"))
        return entry

    def evaluate(configs, label):
        todo = [c for c in configs if variant_name(c) not in entry["variants"]]
        if not todo:
            return
        print("%s: %s, compiling %d variant(s) with %d job(s)" % (op["loc"], label, len(todo), args.jobs))
        done = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(compile_variant, args, op, c, dbkey, ptxas): c for c in todo}
            for fut in concurrent.futures.as_completed(futures):
                config = futures[fut]
                result = fut.result()
                result["config"] = config
                if result["status"] == "ok":
                    result["cost_us"] = static_cost(op, config, result["ptxas"], args.chip,
                                                    result.pop("work", None), args.precision)
                entry["variants"][variant_name(config)] = result
                done += 1
                progress(done, len(todo), variant_name(config))
        save_db(args.db, db)

    first, how = candidates(op, args.budget, rng)
    evaluate(first, how)
    # Evolution: mutate the best valid variants until the budget is spent.
    while how != "exhaustive" and len(entry["variants"]) < args.budget:
        ok = sorted((v["cost_us"], n) for n, v in entry["variants"].items() if v["status"] == "ok")
        parents = [entry["variants"][n]["config"] for _, n in ok[:max(1, len(ok) // 4)]] or first
        children, tries = {}, 0
        while len(children) < min(8, args.budget - len(entry["variants"])) and tries < 200:
            tries += 1
            child = mutate(op, rng.choice(parents), rng)
            if variant_name(child) not in entry["variants"]:
                children[variant_name(child)] = child
        if not children:
            break
        evaluate(list(children.values()), "evolution")

    # Ties in the model go to smaller blocks, then fewer rows per block.
    valid = sorted((round(v["cost_us"], 3), tie_key(v["config"]), n)
                   for n, v in entry["variants"].items() if v["status"] == "ok")
    valid = [(row[0], row[-1]) for row in valid]
    entry["evaluated"] = len(entry["variants"])
    entry["space_size"] = space_size
    entry["complete"] = True
    if not valid:
        entry.pop("best", None)
        save_db(args.db, db)
        print("%s: no valid variant (every candidate was rejected)" % op["loc"])
        return entry
    entry["best"] = entry["variants"][valid[0][1]]["config"]
    entry["best_by"] = "static-model"
    if gpu and not args.no_measure:
        inputs, refs = measure_inputs()
        print("%s: measuring the best %d on the %s (median of %d)"
              % (op["loc"], args.top, args.measure_on.upper(), args.repeat))
        measured = []
        for i, (_, name) in enumerate(valid[:args.top]):
            v = entry["variants"][name]
            try:
                ms, err = measure(args, op, v["config"], dbkey, inputs, refs)
            except TuneError as e:
                v["measure_error"] = str(e)[-300:]
                continue
            v["time_ms"], v["max_rel_err"] = ms, err
            if err <= args.tolerance:
                measured.append((ms, name))
            progress(i + 1, min(args.top, len(valid)), name)
        if measured:
            entry["best"] = entry["variants"][min(measured)[1]]["config"]
            entry["best_by"] = "measured" if args.measure_on == "gpu" else "measured-cpu"
    save_db(args.db, db)
    return entry


def main(argv=None):
    parser = argparse.ArgumentParser(prog="seqboat-tune", description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--chip", default="sm_90")
    parser.add_argument("--precision", choices=("tf32", "ieee", "autocast"), default="tf32",
                        help="the GPU pipeline's precision the variants are compiled, modelled "
                             "and timed under (its own database entries when not tf32)")
    parser.add_argument("--path", choices=("gpu", "cpu"), default="gpu",
                        help="gpu: the fused kernels' knobs, per op (default); cpu: the "
                             "knobs of --seqboat-to-llvm-cpu, timed on this machine "
                             "(seqboat.tune_cpu)")
    parser.add_argument("--budget", type=int, default=None,
                        help="variants to evaluate per op (default 50; 12 with --path cpu)")
    parser.add_argument("--threads", type=int, help="--path cpu: threads to time with "
                        "(default: every core)")
    parser.add_argument("--cpu-db", default="seqboat-cpu-tuning.json",
                        help="--path cpu: where the result goes (JSON)")
    parser.add_argument("--min-gain", type=float, default=0.03,
                        help="--path cpu: how much faster than the defaults (fraction) the "
                             "best variant must be when timed again to be chosen")
    parser.add_argument("--db", default="seqboat-tuning.json", help="tuning database (JSON)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--top", type=int, default=5, help="variants to time on a GPU")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per measured variant")
    parser.add_argument("--tolerance", type=float, default=1e-3,
                        help="max relative error vs the CPU result for a measured variant")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", help="write an SVG of cost/time per variant")
    parser.add_argument("--ptxas", help="ptxas to use (default: CUDA_HOME, /usr/local/cuda, PATH)")
    parser.add_argument("--ptxas-options", default="",
                        help="extra ptxas options for the resource check (e.g. -maxrregcount=32)")
    parser.add_argument("--fix", action="append", default=[], metavar="KNOB=VALUE",
                        help="search only configs with this knob value (repeatable)")
    parser.add_argument("--size", action="append", default=[], metavar="SYMBOL=N",
                        help="a dynamic B or L to tune at (repeatable; M=N: the rows of a "
                             "contraction with a runtime row count, B*L by default); the "
                             "config found applies to the op at every size")
    parser.add_argument("--no-measure", action="store_true", help="rank by the static model only")
    parser.add_argument("--measure-on", choices=("gpu", "cpu"),
                        help="where to time the best variants (default: the GPU when there is "
                             "one; cpu times the same kernels as CPU loops, for checking the "
                             "workflow, not GPU performance)")
    parser.add_argument("--force", action="store_true", help="search again even if the database answers")
    parser.add_argument("--entry", help="function to time on the GPU (default: the first public one)")
    parser.add_argument("--build", default=os.environ.get("SEQBOAT_BUILD", "build"),
                        help="seqboat build directory")
    args = parser.parse_args(argv)

    start = time.time()
    if args.budget is None:
        args.budget = 12 if args.path == "cpu" else 50
    try:
        args.opt = os.path.join(args.build, "bin", "seqboat-opt")
        args.exec = os.path.join(args.build, "bin", "seqboat-exec")
        if not os.path.exists(args.opt):
            raise TuneError("seqboat-opt not found in %s/bin (use --build)" % args.build)
        if not os.path.exists(args.file):
            raise TuneError("cannot read %s" % args.file)
        args.sizes = parse_sizes(args.size)
        if args.path == "cpu":
            from . import tune_cpu
            if not args.entry:
                m = re.search(r"func\.func @([\w$.]+)", open(args.file).read())
                args.entry = m.group(1) if m else "main"
            return tune_cpu.main(args, sys.modules[__name__])
        if args.budget < 1:
            raise TuneError("--budget must be at least 1")
        check_db_location(args.db)
        if args.chip not in CHIPS:
            print("note: no roofline data for %s; the static model uses sm_90's" % args.chip)
        ptxas = kernel_report.find_ptxas(args.ptxas)
        if not ptxas:
            raise TuneError("ptxas not found: install the CUDA toolkit or pass --ptxas")
        space = json.loads(run([args.opt, args.file, "--seqboat-print-tuning-space", "-o", os.devnull]))
        for op in space["ops"]:
            restrict(op, args.fix)
            bind_sizes(op, args.sizes)
        if not space["ops"]:
            print("no tunable ops in %s" % args.file)
            return 0
        db = read_db(args.db)
        # `gpu` below means "measure": on the GPU when there is one, or on the
        # CPU twin when asked.
        if args.measure_on is None:
            args.measure_on = "gpu" if have_gpu() else None
        gpu = args.measure_on is not None and not args.no_measure
        if not gpu:
            print("no GPU here: variants are ranked by the static cost model only")
        if not args.entry:
            m = re.search(r"func\.func @([\w$.]+)", open(args.file).read())
            args.entry = m.group(1) if m else "main"
        rng = random.Random(args.seed)
        cache = {}

        def measure_inputs():
            if "io" not in cache:
                cache["io"] = make_inputs(args, tempfile.mkdtemp(prefix="seqboat-tune-io-"))
            return cache["io"]

        entries = []
        for op in space["ops"]:
            entry = tune_op(args, db, op, space["compiler"], ptxas, gpu, rng, measure_inputs)
            entries.append((op["key"], entry))
            print(table(entry))
        if args.plot:
            plot_svg(args.plot, entries)
            print("plot: %s" % args.plot)
        print("database: %s (%.1f s)" % (args.db, time.time() - start))
        return 0
    except TuneError as e:
        sys.stderr.write("seqboat-tune: error: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
