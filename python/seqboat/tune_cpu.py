"""seqboat-tune --path cpu: search the knobs of the CPU path by timing them.

    seqboat-tune FILE.mlir --path cpu [--budget 12] [--repeat 10]
        [--threads N] [--seed 0] [--fix KNOB=VALUE] [--tolerance 1e-3]
        [--min-gain 0.03]
        [--cpu-db seqboat-cpu-tuning.json] [--entry NAME] [--build BUILD]

The knobs are options of ``--seqboat-to-llvm-cpu`` (CPU_KNOBS below: the
attention's query block, the host contraction strategy's cache blocks,
register tile and reduction step, the EMA's chunk, the count-bounded
projections' row block). Candidates: the defaults first, then random points
of the grid (half the budget) and one-knob mutations of the fastest so far.
Each is compiled with ``seqboat-opt --seqboat-to-llvm-cpu=<knobs>`` and
timed with ``seqboat-run --time`` (median of ``--repeat`` calls, JIT
compile excluded) on random inputs; its outputs must match those of the
default compilation within ``--tolerance`` (relative to the largest
magnitude). The fastest candidate is then timed again against the defaults,
alternating, three times each; it is reported as the result only if it is
faster there too, by more than ``--min-gain`` (default 3%), otherwise the
defaults are. The result goes to a JSON file
of its own (not the GPU kernels' database), keyed by the entry, its
signature, the CPU model, the thread count and the compiler version, with
the option string to pass to ``--seqboat-to-llvm-cpu``.
"""

import json
import os
import platform
import random
import re
import statistics
import tempfile

# Knob name (a seqboat-to-llvm-cpu option) -> values searched; the first
# value listed for each knob in DEFAULTS is the pipeline's default.
CPU_KNOBS = {
    "attention-block": [16, 32, 64, 128],
    "host-tile-m": [32, 64, 128],
    "host-tile-n": [128, 256, 512],
    "host-reg-m": [0, 4, 8],
    "host-tile-k": [4, 8, 16],
    "ema-chunk": [16, 32, 64],
    "row-block": [32, 64, 128],
}
DEFAULTS = {"attention-block": 64, "host-tile-m": 64, "host-tile-n": 256, "host-reg-m": 0,
            "host-tile-k": 8, "ema-chunk": 32, "row-block": 64}


def options(config):
    return " ".join("%s=%d" % (k, config[k]) for k in sorted(config))


def cpu_model():
    if os.path.exists("/proc/cpuinfo"):
        m = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
        if m:
            return m.group(1).strip()
    return platform.processor() or "unknown CPU"


def parse_fix(fixes):
    fixed = {}
    for item in fixes:
        name, _, value = item.partition("=")
        if name not in CPU_KNOBS:
            raise ValueError("--fix %s: no CPU knob '%s' (knobs: %s)"
                             % (item, name, ", ".join(sorted(CPU_KNOBS))))
        try:
            fixed[name] = int(value)
        except ValueError:
            raise ValueError("--fix %s: '%s' is not an integer" % (item, value))
        if fixed[name] < 0 or (fixed[name] == 0 and name != "host-reg-m"):
            raise ValueError("--fix %s: must be positive" % item)
    return fixed


def main(args, tune):
    """Runs the search; `tune` is the seqboat.tune module (run, make_inputs,
    TuneError)."""
    import numpy as np
    TuneError = tune.TuneError
    try:
        fixed = parse_fix(args.fix)
    except ValueError as e:
        raise TuneError(str(e))
    if args.budget < 1:
        raise TuneError("--budget must be at least 1")
    if args.threads is not None and args.threads < 1:
        raise TuneError("--threads must be at least 1")
    if not 0.0 <= args.min_gain < 1.0:
        raise TuneError("--min-gain must be in [0, 1)")
    runner = os.path.join(os.path.dirname(args.opt), "seqboat-run")
    threads = args.threads or os.cpu_count() or 1
    text = tune.run([args.opt, args.file, "--seqboat-export-abi"])
    m = re.search(r"func\.func @%s\(.*?seqboat\.abi = (\(.*?\) -> .*?)[,}]\s" % re.escape(args.entry),
                  text, re.S)
    if not m:
        raise TuneError("cannot find the signature of @%s" % args.entry)
    signature = m.group(1)
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="seqboat-tune-cpu-")
    inputs, refs = tune.make_inputs(args, work)
    ref_arrays = [np.load(r) for r in refs]

    def timed(config, repeat):
        low = os.path.join(work, "variant.mlir")
        tune.run([args.opt, args.file, "--seqboat-to-llvm-cpu=" + options(config), "-o", low])
        outs = [os.path.join(work, "out%d.npy" % i) for i in range(len(refs))]
        for path in outs:
            if os.path.exists(path):
                os.unlink(path)
        cmd = [runner, low, "--entry", args.entry, "--repeat", str(repeat), "--time",
               "--num-threads", str(threads)]
        for p in inputs:
            cmd += ["--input", p]
        for p in outs:
            cmd += ["--output", p]
        m = re.search(r"median ([0-9.]+) ms", tune.run(cmd))
        if not m:
            raise TuneError("seqboat-run printed no time")
        ms = float(m.group(1))
        err = 0.0
        for r, path in zip(ref_arrays, outs):
            try:
                o = np.load(path)
            except (OSError, ValueError) as e:
                raise TuneError("cannot read %s: %s" % (os.path.basename(path), e))
            if o.shape != r.shape or o.dtype != r.dtype:
                raise TuneError("%s has shape %s %s, expected %s %s"
                                % (os.path.basename(path), o.shape, o.dtype, r.shape, r.dtype))
            if o.dtype == bool or np.issubdtype(o.dtype, np.integer):
                err = max(err, 0.0 if np.array_equal(o, r) else 1.0)
                continue
            if not np.all(np.isfinite(o)):
                raise TuneError("%s has NaN or Inf values" % os.path.basename(path))
            err = max(err, float(np.max(np.abs(r - o)) / max(1e-30, float(np.max(np.abs(r))))))
        return ms, err

    default = dict(DEFAULTS, **fixed)
    results = {}

    def evaluate(config):
        key = options(config)
        if key in results:
            return
        try:
            ms, err = timed(config, args.repeat)
            status = "ok" if err <= args.tolerance else "mismatch (max rel err %.2e)" % err
        except TuneError as e:
            ms, err, status = None, None, "failed: %s" % str(e).splitlines()[0]
        results[key] = dict(config=dict(config), ms=ms, err=err, status=status)
        print("  %-110s %s" % (key, "%.2f ms" % ms if status == "ok" else status), flush=True)

    print("seqboat-tune --path cpu: @%s, %d thread(s), %s" % (args.entry, threads, cpu_model()))
    evaluate(default)
    free = [k for k in CPU_KNOBS if k not in fixed]
    attempts = 0
    while len(results) < args.budget and attempts < 20 * args.budget:
        attempts += 1
        ok = [r for r in results.values() if r["status"] == "ok"]
        if len(results) < (args.budget + 1) // 2 or not ok or not free:
            config = dict(default, **{k: rng.choice(CPU_KNOBS[k]) for k in free})
        else:
            best = min(ok, key=lambda r: r["ms"])["config"]
            knob = rng.choice(free)
            config = dict(best, **{knob: rng.choice(CPU_KNOBS[knob])})
        evaluate(config)
    ok = [r for r in results.values() if r["status"] == "ok"]
    if not any(r["config"] == default for r in ok):
        raise TuneError("the default configuration did not compile, run or match: %s"
                        % results[options(default)]["status"])
    best = min(ok, key=lambda r: r["ms"])
    # Confirm against the defaults, alternating, so that a lucky single
    # timing on a noisy machine does not win.
    default_ms, best_ms = [], []
    if best["config"] != default:
        try:
            for _ in range(3):
                default_ms.append(timed(default, args.repeat)[0])
                best_ms.append(timed(best["config"], args.repeat)[0])
        except TuneError as e:
            print("confirmation failed (%s): keeping the defaults" % str(e).splitlines()[0])
            default_ms, best_ms = [results[options(default)]["ms"]], [float("inf")]
    else:
        default_ms = best_ms = [best["ms"]]
    d, b = statistics.median(default_ms), statistics.median(best_ms)
    # A gain within the machine's noise is no gain.
    chosen = best["config"] if b < d * (1.0 - args.min_gain) else default
    print("defaults: %.2f ms; best found: %s at %.2f ms (confirmation medians); chosen: %s"
          % (d, options(best["config"]), b, "best found" if chosen != default else "defaults"))
    print("use: --seqboat-to-llvm-cpu=\"%s\"" % options(chosen))

    key = "cpu|%s|%s|%s|%d threads|%s" % (args.entry, signature, cpu_model(), threads,
                                          tune.run([args.opt, "--version"]).strip().splitlines()[0])
    db = {"version": 1, "entries": {}}
    if os.path.exists(args.cpu_db):
        try:
            with open(args.cpu_db) as f:
                db = json.load(f)
            if not isinstance(db, dict) or not isinstance(db.get("entries"), dict):
                raise ValueError("no 'entries' object")
        except (OSError, ValueError) as e:
            raise TuneError("cannot read CPU tuning file %s: %s" % (args.cpu_db, e))
    db["entries"][key] = {
        "best": chosen, "options": options(chosen),
        "default_ms": d, "best_ms": b if chosen != default else d,
        "variants": {k: {kk: vv for kk, vv in v.items() if kk != "config"}
                     for k, v in results.items()},
    }
    tmp = args.cpu_db + ".tmp"
    with open(tmp, "w") as f:
        json.dump(db, f, indent=1, sort_keys=True)
    os.replace(tmp, args.cpu_db)
    print("CPU tuning file: %s" % args.cpu_db)
    return 0
