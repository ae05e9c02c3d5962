"""Import a PyTorch SeqBoat checkpoint as an MLIR module of ``seqboat.layer`` ops.

    seqboat-import CHECKPOINT --batch B --length L -o OUT.mlir
        [--config CONFIG.json] [--window-size W] [--attention-activation A]
        [--bidirectional | --causal] [--norm-type T] [--prenorm | --no-prenorm]
        [--truncation T] [--rel-pos-bias simple] [--entry NAME]
        [--weights-dir DIR] [--ignore-extra]
        [--check [--module MOD:CLASS] [--tol 1e-4] [--seed S] [--check-input X.npy]]

CHECKPOINT is the ``state_dict`` of the published ``SeqBoatLayer``
(renll/SeqBoat, ``standalone_seqboat.py``) or of a module holding a stack of
them (``seq_layers.0.``, ``seq_layers.1.``, ...): a ``.pt`` file (read with
PyTorch; either the state_dict itself or ``{"state_dict": ..., "config":
{...}}``) or an ``.npz`` of the same names (an optional ``config`` entry holds
the hyper-parameters as JSON text).  Hyper-parameters come from the
checkpoint's config, then ``--config``, then the command line (later wins);
sizes (D, Z, H, N, direction, max_positions) are read off the weights.

The module's entry takes only ``x : [B, L, D]`` (batch-major, as in SPEC.md;
the published layer's ``[L, B, D]`` input is transposed by the caller) and
returns the last layer's output.  Weights are ``dense_resource`` blobs in the
file, or with ``--weights-dir`` ``.npy`` files bound as further entry
arguments (see docs/import.md).  The name and layout mapping is in
docs/import.md; anything that cannot be mapped is an error naming the
parameter.

``--check`` (needs PyTorch) builds the published module class (``--module``,
importable from ``PYTHONPATH``), loads the checkpoint, runs it in eval mode on
random inputs and compares with the imported module compiled for the CPU
(``seqboat-opt`` + ``seqboat-run``).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

# The published SeqBoatLayer's constructor arguments and defaults
# (standalone_seqboat.py); sizes are read off the weights instead.
PUBLISHED_DEFAULTS = {
    "dropout": 0.0, "attention_dropout": 0.0, "hidden_dropout": 0.0,
    "attention_activation": "relu2", "bidirectional": None, "window_size": 256,
    "truncation": None, "norm_type": "layernorm", "prenorm": True,
    "norm_affine": True, "rel_pos_bias": "simple", "max_positions": None,
    "init_temp_scale": 1.0, "local_pos": False,
}
SIZE_KEYS = ("embed_dim", "zdim", "hdim", "ndim")
# Only affect training (eval mode drops them) or initialisation.
IGNORED_KEYS = ("dropout", "attention_dropout", "hidden_dropout", "init_temp_scale")

ACTIVATIONS = ("softmax", "relu2", "laplace")

# seqboat.layer operands after x, and the state_dict entry each comes from.
OPERAND_SOURCES = (
    ("norm_w", "norm.norm.weight"),
    ("norm_b", "norm.norm.bias"),
    ("ema_delta", "ssm.delta"),
    ("ema_alpha", "ssm.alpha"),
    ("ema_beta", "ssm.beta"),
    ("ema_gamma", "ssm.gamma"),
    ("ema_omega", "ssm.omega"),
    ("hx_w", "hx_proj.weight"),
    ("hx_b", "hx_proj.bias"),
    ("log_temp", "q_router.temp"),
    ("mx_w", "mx_proj.weight"),
    ("mx_b", "mx_proj.bias"),
    ("qk_gamma", "gamma"),
    ("qk_beta", "beta"),
    ("rel_bias", "rel_pos_bias.rel_pos_bias"),
    ("h_w", "h_proj.weight"),
    ("h_b", "h_proj.bias"),
)

# host-row-blocks: projections over a dynamic B or L in blocks of 64 tokens
# that the CPU host strategies compile (as --seqboat-to-llvm-cpu does).
CPU_PIPELINE = ["--seqboat-decompose=host-row-blocks", "--convert-seqboat-to-linalg",
                "--seqboat-cpu-pipeline"]


class ImportFailure(Exception):
    """A checkpoint or option that cannot be imported; the message names it."""


def _fail(message):
    raise ImportFailure(message)


# ---------------------------------------------------------------------------
# reading checkpoints
# ---------------------------------------------------------------------------

def _to_numpy(value, name):
    if hasattr(value, "detach"):                      # a torch.Tensor
        value = value.detach().cpu().float().numpy() if value.is_floating_point() \
            else value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype == object:
        _fail("checkpoint entry %r is not an array" % name)
    return array


def load_checkpoint(path):
    """(state: name -> ndarray, config: dict) of a .pt or .npz checkpoint."""
    if not os.path.isfile(path):
        _fail("checkpoint %r does not exist" % path)
    config = {}
    if path.endswith(".npz"):
        with np.load(path, allow_pickle=False) as data:
            state = {k: data[k] for k in data.files if k != "config"}
            if "config" in data.files:
                try:
                    config = json.loads(str(data["config"]))
                except ValueError as e:
                    _fail("checkpoint entry 'config' is not JSON: %s" % e)
        return state, config
    if path.endswith((".pt", ".pth")):
        try:
            import torch
        except ImportError:
            _fail("reading %r needs PyTorch (not importable by %s); save the "
                  "state_dict as .npz instead (docs/import.md)" % (path, sys.executable))
        obj = torch.load(path, map_location="cpu")
        if isinstance(obj, dict) and "state_dict" in obj:
            config = dict(obj.get("config") or {})
            obj = obj["state_dict"]
        if not isinstance(obj, dict):
            _fail("%r holds a %s, not a state_dict (save module.state_dict())"
                  % (path, type(obj).__name__))
        return {k: _to_numpy(v, k) for k, v in obj.items()}, config
    _fail("checkpoint %r: expected a .pt, .pth or .npz file" % path)


def layer_prefixes(state):
    """Prefixes of the SeqBoat layers in ``state``, in stack order."""
    prefixes = [k[:-len("ssm.delta")] for k in state if k.endswith("ssm.delta")
                and (k == "ssm.delta" or k.endswith(".ssm.delta"))]
    if not prefixes:
        moved = [k for k in state if k.endswith("move.delta")]
        if moved:
            _fail("%r: this is fairseq's SeqBoatUnit (its EMA is 'move'); only the "
                  "standalone SeqBoatLayer naming is supported (docs/import.md)" % moved[0])
        _fail("no SeqBoat layer in the checkpoint: no '<prefix>ssm.delta' entry")

    def natural(prefix):
        return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", prefix)]
    return sorted(prefixes, key=natural)


# ---------------------------------------------------------------------------
# mapping one layer
# ---------------------------------------------------------------------------

def _expect(name, array, shape):
    if tuple(array.shape) != tuple(shape):
        _fail("%s has shape %s, expected %s" % (name, list(array.shape), list(shape)))


def resolve_config(config, overrides):
    """Hyper-parameters: published defaults < checkpoint/--config < command line."""
    merged = dict(PUBLISHED_DEFAULTS)
    for source in (config, overrides):
        for key, value in source.items():
            if key not in PUBLISHED_DEFAULTS and key not in SIZE_KEYS:
                _fail("hyper-parameter %r is not an option of the published "
                      "SeqBoatLayer" % key)
            merged[key] = value
    return merged


def map_layer(state, prefix, hp, length):
    """(operands: name -> float32 array, attrs: dict, used keys) of one layer."""
    def get(key):
        full = prefix + key
        if full not in state:
            _fail("missing parameter %r" % full)
        array = state[full]
        if array.dtype.kind != "f":
            _fail("%s has dtype %s, expected a float tensor" % (full, array.dtype))
        return array.astype(np.float32)

    if prefix + "norm.norm.running_mean" in state or hp["norm_type"] == "batchnorm":
        _fail("norm_type='batchnorm' (%snorm.norm.running_mean): seqboat.layer's "
              "norms are layernorm, rmsnorm and none" % prefix)
    if hp["norm_type"] != "layernorm":
        _fail("norm_type=%r is not an option of the published layer we can map "
              "(layernorm)" % (hp["norm_type"],))
    if hp["rel_pos_bias"] != "simple":
        _fail("rel_pos_bias=%r: only 'simple' (a learned bias per relative "
              "position) maps to seqboat.layer's rel_bias" % (hp["rel_pos_bias"],))
    if hp["local_pos"]:
        _fail("local_pos=True: a bias relative to the window block has no "
              "seqboat.layer equivalent")
    if hp["attention_activation"] not in ACTIVATIONS:
        _fail("attention_activation=%r: expected one of %s"
              % (hp["attention_activation"], ", ".join(ACTIVATIONS)))
    window = hp["window_size"]
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        _fail("window_size=%r: expected a positive integer" % (window,))
    if hp["truncation"] is not None and hp["truncation"] < length:
        _fail("truncation=%r is shorter than the sequence (%d): seqboat.layer's "
              "EMA kernel spans the whole sequence" % (hp["truncation"], length))
    if prefix + "q_router.weight_proj.weight" in state:
        _fail("%sq_router.weight_proj.weight: a router with its own projection "
              "(no_proj=False) has no seqboat.layer operand" % prefix)

    omega = get("ssm.omega")
    if omega.ndim != 1:
        _fail("%sssm.omega has shape %s, expected [embed_dim]" % (prefix, list(omega.shape)))
    d = omega.shape[0]
    delta = get("ssm.delta")
    if delta.ndim != 3 or delta.shape[2] != 1 or delta.shape[0] not in (d, 2 * d):
        _fail("%sssm.delta has shape %s, expected [D, N, 1] or [2D, N, 1] with D = %d"
              % (prefix, list(delta.shape), d))
    channels, n = delta.shape[0], delta.shape[1]
    bidirectional = channels == 2 * d
    if hp["bidirectional"] is not None and bool(hp["bidirectional"]) != bidirectional:
        _fail("bidirectional=%r, but %sssm.delta has %d channels (%s)"
              % (hp["bidirectional"], prefix, channels,
                 "bidirectional" if bidirectional else "causal"))
    gamma = get("gamma")
    if gamma.ndim != 2 or gamma.shape[0] != 2:
        _fail("%sgamma has shape %s, expected [2, zdim]" % (prefix, list(gamma.shape)))
    z = gamma.shape[1]
    h_w = get("h_proj.weight")
    if h_w.ndim != 2:
        _fail("%sh_proj.weight has shape %s, expected [D, hdim]" % (prefix, list(h_w.shape)))
    h = h_w.shape[1]
    rel = get("rel_pos_bias.rel_pos_bias")
    if rel.ndim != 1 or rel.shape[0] % 2 != 1:
        _fail("%srel_pos_bias.rel_pos_bias has shape %s, expected [2 max_positions - 1]"
              % (prefix, list(rel.shape)))
    max_positions = (rel.shape[0] + 1) // 2
    for key, value in (("embed_dim", d), ("zdim", z), ("hdim", h), ("ndim", n),
                       ("max_positions", max_positions)):
        if hp.get(key) is not None and hp[key] != value:
            _fail("%s=%r, but the weights say %d" % (key, hp[key], value))

    ops = {}
    for operand, key in OPERAND_SOURCES:
        if key.startswith("norm.norm.") and not hp["norm_affine"]:
            continue
        ops[operand] = get(key)
    if not hp["norm_affine"]:
        # LayerNorm(elementwise_affine=False) is the affine one with w = 1, b = 0.
        ops["norm_w"], ops["norm_b"] = np.ones(d, np.float32), np.zeros(d, np.float32)
    for name in ("ema_delta", "ema_alpha", "ema_beta"):
        ops[name] = ops[name].reshape(channels, n)     # [C, N, 1] -> [C, N]
    temp = ops["log_temp"]
    if temp.size != 1:
        _fail("%sq_router.temp has shape %s, expected [1]" % (prefix, list(temp.shape)))
    ops["log_temp"] = temp.reshape(())

    expected = {
        "norm_w": (d,), "norm_b": (d,), "ema_delta": (channels, n), "ema_alpha": (channels, n),
        "ema_beta": (channels, n), "ema_gamma": (channels, n), "ema_omega": (d,),
        "hx_w": (d + 2, d), "hx_b": (d + 2,), "mx_w": (z + 2 * h, d), "mx_b": (z + 2 * h,),
        "qk_gamma": (2, z), "qk_beta": (2, z), "h_w": (d, h), "h_b": (d,),
    }
    sources = dict(OPERAND_SOURCES)
    for name, shape in expected.items():
        _expect(prefix + sources[name], ops[name], shape)

    attrs = {"activation": hp["attention_activation"], "bidirectional": bidirectional,
             "eps": 1e-5, "norm": "layernorm", "prenorm": bool(hp["prenorm"]),
             "window": window}
    used = {prefix + k for _, k in OPERAND_SOURCES}
    sizes = {"embed_dim": d, "zdim": z, "hdim": h, "ndim": n,
             "max_positions": max_positions, "bidirectional": bidirectional}
    return ops, attrs, used, sizes


# ---------------------------------------------------------------------------
# MLIR text
# ---------------------------------------------------------------------------

def _tensor_type(shape):
    return "tensor<%sf32>" % "".join("%dx" % s for s in shape)


def _blob(array):
    """A dense_resource blob: 4-byte little-endian alignment, then the data."""
    data = np.ascontiguousarray(array, dtype="<f4").tobytes()
    return "0x" + (4).to_bytes(4, "little").hex() + data.hex()


def emit_module(layers, batch, length, entry, weights_dir=None):
    """MLIR text of the imported stack; with weights_dir, (text, weight files)."""
    d = layers[0][0]["norm_w"].shape[0]
    x_type = _tensor_type((batch, length, d))
    body, resources, args, files = [], [], ["%%x: %s" % x_type], []
    current = "%x"
    for index, (ops, attrs) in enumerate(layers):
        names = []
        for operand, _ in OPERAND_SOURCES:
            array = ops[operand]
            value = "l%d_%s" % (index, operand)
            t = _tensor_type(array.shape)
            if weights_dir is None and array.ndim == 0:
                # A rank-0 dense_resource global crashes MLIR 22's
                # finalize-memref-to-llvm (it reads the scalar through
                # ElementsAttr iteration, which resource blobs lack).
                bits = int(np.asarray(array, "<f4").view("<u4"))
                body.append("    %%%s = arith.constant dense<0x%08X> : %s"
                            % (value, bits, t))
            elif weights_dir is None:
                body.append("    %%%s = arith.constant dense_resource<%s> : %s"
                            % (value, value, t))
                resources.append("      %s: \"%s\"" % (value, _blob(array)))
            else:
                args.append("%%%s: %s" % (value, t))
                files.append((value + ".npy", array))
            names.append(("%" + value, t))
        props = ("activation = #seqboat.activation<%s>, bidirectional = %s, eps = %e : f32, "
                 "norm = #seqboat.norm<%s>, prenorm = %s, window = %d : i64"
                 % (attrs["activation"], str(attrs["bidirectional"]).lower(), attrs["eps"],
                    attrs["norm"], str(attrs["prenorm"]).lower(), attrs["window"]))
        operands = ", ".join([current] + [n for n, _ in names])
        types = ", ".join([x_type] + [t for _, t in names])
        result = "%%y%d" % index
        body.append("    %s = \"seqboat.layer\"(%s) <{%s}> : (%s) -> %s"
                    % (result, operands, props, types, x_type))
        current = result
    text = ["module {",
            "  func.func @%s(%s) -> %s {" % (entry, ", ".join(args), x_type)]
    text += body
    text += ["    return %s : %s" % (current, x_type), "  }", "}"]
    if resources:
        text += ["{-#", "  dialect_resources: {", "    builtin: {",
                 ",\n".join(resources), "    }", "  }", "#-}"]
    return "\n".join(text) + "\n", files


def import_checkpoint(state, config, overrides, batch, length, ignore_extra=False):
    """[(operands, attrs)], [sizes and hyper-parameters per layer] of a checkpoint."""
    if batch < 1 or length < 1:
        _fail("--batch and --length must be positive")
    hp = resolve_config(config, overrides)
    prefixes = layer_prefixes(state)
    layers, infos, used = [], [], set()
    for prefix in prefixes:
        ops, attrs, keys, sizes = map_layer(state, prefix, hp, length)
        layers.append((ops, attrs))
        infos.append(dict(hp, **sizes))
        used |= keys
    dims = {info["embed_dim"] for info in infos}
    if len(dims) != 1:
        _fail("layers have different embed_dim %s: a stack needs one" % sorted(dims))
    extra = sorted(k for k in state if k not in used)
    if extra and not ignore_extra:
        _fail("checkpoint entries outside the SeqBoat layers: %s (imported "
              "are only the layers; --ignore-extra drops the rest)" % ", ".join(extra[:8]))
    return layers, infos


# ---------------------------------------------------------------------------
# --check
# ---------------------------------------------------------------------------

def _run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        _fail("command failed (%d): %s\n%s" % (proc.returncode, " ".join(cmd), proc.stdout))


def _rel_err(out, ref):
    scale = float(np.max(np.abs(ref))) or 1.0
    return float(np.max(np.abs(out.astype(np.float64) - ref))) / scale


def check(args, state, infos, module_path, entry):
    """Compare the compiled module with the published PyTorch module; 0 if within tol."""
    try:
        import torch
    except ImportError:
        _fail("--check needs PyTorch, which %s cannot import" % sys.executable)
    import importlib
    mod_name, _, cls_name = args.module.partition(":")
    try:
        cls = getattr(importlib.import_module(mod_name), cls_name or "SeqBoatLayer")
    except (ImportError, AttributeError) as e:
        _fail("--module %s: %s (put the published standalone_seqboat.py on "
              "PYTHONPATH)" % (args.module, e))

    prefixes = layer_prefixes(state)
    torch_layers = []
    for prefix, info in zip(prefixes, infos):
        kwargs = {k: info[k] for k in PUBLISHED_DEFAULTS if k in info}
        layer = cls(info["embed_dim"], info["zdim"], info["hdim"], info["ndim"], **kwargs)
        sub = {k[len(prefix):]: torch.from_numpy(np.array(v)) for k, v in state.items()
               if k.startswith(prefix)}
        layer.load_state_dict(sub)
        torch_layers.append(layer.eval())

    d = infos[0]["embed_dim"]
    if args.check_input:
        x = np.load(args.check_input).astype(np.float32)
        if x.shape != (args.batch, args.length, d):
            _fail("--check-input has shape %s, expected %s"
                  % (list(x.shape), [args.batch, args.length, d]))
    else:
        x = np.random.default_rng(args.seed).standard_normal(
            (args.batch, args.length, d)).astype(np.float32)

    # Which tokens each layer's router activates (forward hooks on q_router).
    decisions = []

    def record(_module, _inputs, output):
        px = output.detach().double().numpy()
        decisions.append(px[..., 1] > px[..., 0])

    def forward(batch):
        y = torch.from_numpy(batch).transpose(0, 1)           # [L, B, D]
        with torch.no_grad():
            for layer in torch_layers:
                y = layer(y)
        return y.transpose(0, 1).double().numpy()

    hooks = [layer.q_router.register_forward_hook(record) for layer in torch_layers]
    batched = forward(x)
    batch_decisions, decisions[:] = list(decisions), []
    # One row at a time the published layer compacts every row it can (a fully
    # active row of its own needs no compaction), which is SPEC's semantics.
    per_row = np.concatenate([forward(x[b:b + 1]) for b in range(args.batch)], axis=0)
    for hook in hooks:
        hook.remove()

    work = tempfile.mkdtemp(prefix="seqboat-import-check-")
    try:
        lowered = os.path.join(work, "lowered.mlir")
        x_path, y_path = os.path.join(work, "x.npy"), os.path.join(work, "y.npy")
        np.save(x_path, x)
        _run([os.path.join(args.bin, "seqboat-opt"), module_path] + CPU_PIPELINE
             + ["-o", lowered])
        run = [os.path.join(args.bin, "seqboat-run"), lowered, "--entry", entry,
               "--input", x_path]
        if args.weights_dir:
            run.append("@" + os.path.join(args.weights_dir, "weights.rsp"))
        _run(run + ["--output", y_path])
        y = np.load(y_path)
    finally:
        shutil.rmtree(work)

    quirk = []
    for index, active in enumerate(batch_decisions):
        full = active.all(axis=1)
        print("layer %d: active fraction %.3f, active tokens per row %s"
              % (index, float(active.mean()), active.sum(axis=1).tolist()))
        if full.any() and not full.all():
            quirk.append((index, np.flatnonzero(full).tolist(), np.flatnonzero(~full).tolist()))
    err = _rel_err(y, per_row)
    ok = err <= args.tol and np.isfinite(err)
    print("max relative error vs PyTorch (eval mode, row by row): %.3e (tolerance %.1e)"
          % (err, args.tol))
    if quirk:
        for index, full_rows, other_rows in quirk:
            print("published-layer quirk: layer %d: row(s) %s fully active, so the "
                  "published code compacts no row of the batch and row(s) %s attend "
                  "over original positions (SPEC.md divergences; seqboat.layer "
                  "compacts per row)" % (index, full_rows, other_rows))
        print("max relative error vs PyTorch on the whole batch (quirk included, "
              "not held to the tolerance): %.3e" % _rel_err(y, batched))
    else:
        print("max relative error vs PyTorch on the whole batch: %.3e" % _rel_err(y, batched))
        ok = ok and _rel_err(y, batched) <= args.tol
    if infos[0]["attention_activation"] == "laplace":
        print("note: fairseq's laplace path weights masked keys with laplace(0) "
              "~ 0.006, seqboat.layer with 0 (SPEC.md divergences)")
    print("check: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------

def _parser():
    p = argparse.ArgumentParser(
        prog="seqboat-import",
        description="Import a PyTorch SeqBoat checkpoint (state_dict as .pt or .npz) "
                    "as an MLIR module of seqboat.layer ops.")
    p.add_argument("checkpoint", help="state_dict of SeqBoatLayer(s): .pt/.pth or .npz")
    p.add_argument("-o", "--output", default="-", help="output .mlir file ('-': stdout)")
    p.add_argument("--batch", type=int, required=True, help="static batch size B")
    p.add_argument("--length", type=int, required=True, help="static sequence length L")
    p.add_argument("--entry", default="seqboat_model", help="entry function name")
    p.add_argument("--config", help="JSON file of SeqBoatLayer keyword arguments")
    p.add_argument("--window-size", type=int, help="published window_size (single-sided)")
    p.add_argument("--attention-activation", choices=ACTIVATIONS)
    direction = p.add_mutually_exclusive_group()
    direction.add_argument("--bidirectional", dest="bidirectional", action="store_true",
                           default=None)
    direction.add_argument("--causal", dest="bidirectional", action="store_false")
    p.add_argument("--norm-type", help="published norm_type (layernorm)")
    prenorm = p.add_mutually_exclusive_group()
    prenorm.add_argument("--prenorm", dest="prenorm", action="store_true", default=None)
    prenorm.add_argument("--no-prenorm", dest="prenorm", action="store_false")
    p.add_argument("--no-norm-affine", dest="norm_affine", action="store_false", default=None)
    p.add_argument("--truncation", type=int)
    p.add_argument("--rel-pos-bias", help="published rel_pos_bias (simple)")
    p.add_argument("--local-pos", action="store_true", default=None)
    p.add_argument("--weights-dir",
                   help="write weights as DIR/<name>.npy entry arguments instead of "
                        "dense_resource blobs; DIR/weights.rsp binds them: "
                        "seqboat-run ... --input x.npy @DIR/weights.rsp")
    p.add_argument("--ignore-extra", action="store_true",
                   help="drop checkpoint entries outside the SeqBoat layers")
    p.add_argument("--check", action="store_true",
                   help="compare with the PyTorch module on random inputs (needs PyTorch)")
    p.add_argument("--module", default="standalone_seqboat:SeqBoatLayer",
                   help="MODULE:CLASS of the published layer for --check")
    p.add_argument("--tol", type=float, default=1e-4,
                   help="--check tolerance on max|y - ref| / max|ref|")
    p.add_argument("--seed", type=int, default=0, help="--check input seed")
    p.add_argument("--check-input", help="--check input x [B, L, D] as .npy")
    p.add_argument("--bin", default=os.environ.get("SEQBOAT_BIN", ""),
                   help="directory of seqboat-opt and seqboat-run (for --check)")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    overrides = {k: v for k, v in (
        ("window_size", args.window_size), ("attention_activation", args.attention_activation),
        ("bidirectional", args.bidirectional), ("norm_type", args.norm_type),
        ("prenorm", args.prenorm), ("norm_affine", args.norm_affine),
        ("truncation", args.truncation), ("rel_pos_bias", args.rel_pos_bias),
        ("local_pos", args.local_pos)) if v is not None}
    try:
        state, config = load_checkpoint(args.checkpoint)
        if args.config:
            with open(args.config) as f:
                config = dict(config, **json.load(f))
        layers, infos = import_checkpoint(state, config, overrides, args.batch,
                                          args.length, args.ignore_extra)
        text, files = emit_module(layers, args.batch, args.length, args.entry,
                                  args.weights_dir)
        if args.weights_dir:
            os.makedirs(args.weights_dir, exist_ok=True)
            paths = []
            for name, array in files:
                path = os.path.abspath(os.path.join(args.weights_dir, name))
                np.save(path, array)
                paths.append(path)
            with open(os.path.join(args.weights_dir, "weights.rsp"), "w") as f:
                f.write("".join("--input %s\n" % path for path in paths))
        if args.check and args.output == "-":
            _fail("--check needs -o FILE (the module it compiles)")
        if args.output == "-":
            sys.stdout.write(text)
        else:
            with open(args.output, "w") as f:
                f.write(text)
        if args.check:
            if not args.bin:
                _fail("--check needs --bin DIR (seqboat-opt, seqboat-run) or $SEQBOAT_BIN")
            return check(args, state, infos, args.output, args.entry)
    except ImportFailure as e:
        print("seqboat-import: error: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("seqboat-import: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
