"""Write a small SeqBoat checkpoint under the published state_dict names.

    make_checkpoint.py --out FILE.{npz,pt} [--layers N] [--B --L --D --Z --H --N --M]
        [--window W] [--activation A] [--bidirectional] [--no-prenorm]
        [--x X.npy --ref REF.npy] [--quirk-x X.npy] [--plain] [--seed S]

Layer weights come from seqboat.builder (realistic magnitudes, router steered
to about half the tokens active with a safe margin, layer by layer on the
input --x), renamed and reshaped to the published SeqBoatLayer's parameters.
--x/--ref write that input and the NumPy reference output of the stack.
--quirk-x writes an input on which one row is fully active in the first layer
and another is not (the published layer then compacts no row).  The
hyper-parameters go in the checkpoint's config unless --plain (a bare
state_dict, hyper-parameters then come from the command line).
"""

import argparse
import json

import numpy as np

from seqboat import builder
from seqboat import reference as ref

# Published name -> (seqboat.layer operand, published shape from the operand's).
NAMES = {
    "norm.norm.weight": "norm_w", "norm.norm.bias": "norm_b",
    "ssm.delta": "ema_delta", "ssm.alpha": "ema_alpha", "ssm.beta": "ema_beta",
    "ssm.gamma": "ema_gamma", "ssm.omega": "ema_omega",
    "hx_proj.weight": "hx_w", "hx_proj.bias": "hx_b", "q_router.temp": "log_temp",
    "mx_proj.weight": "mx_w", "mx_proj.bias": "mx_b", "gamma": "qk_gamma",
    "beta": "qk_beta", "rel_pos_bias.rel_pos_bias": "rel_bias",
    "h_proj.weight": "h_w", "h_proj.bias": "h_b",
}


def published(params):
    state = {}
    for name, operand in NAMES.items():
        a = np.asarray(params[operand], np.float32)
        if name in ("ssm.delta", "ssm.alpha", "ssm.beta"):
            a = a[..., None]                              # [C, N] -> [C, N, 1]
        elif name == "q_router.temp":
            a = a.reshape(1)
        state[name] = a
    return state


def quirk_input(rng, params, cfg):
    """x on which the router activates every token of one row, not of the others."""
    x = builder._normal(rng, (cfg.B, cfg.L, cfg.D))
    p = {k: np.asarray(v, np.float64) for k, v in params.items()}
    xn = ref.normalize(x, "layernorm", p["norm_w"], p["norm_b"], 1e-5) if cfg.prenorm else x
    mx = ref.silu(ref.ema_conv.f64(xn, p["ema_delta"], p["ema_alpha"], p["ema_beta"],
                                   p["ema_gamma"], p["ema_omega"], cfg.bidirectional))
    u = mx @ p["hx_w"][0:2].T + p["hx_b"][0:2]
    d = u[..., 1] - u[..., 0]                             # active where d > 0
    full = int(np.argmax(d.min(axis=1)))
    lowest = d[full].min()
    others = np.sort(d[np.arange(cfg.B) != full].reshape(-1))
    below = others[others < lowest]
    assert below.size, "no token of another row below the fully active row"
    # Shift the decision so it falls halfway between the two.
    shift = 0.5 * (lowest + below[-1])
    params["hx_b"] = params["hx_b"].copy()
    params["hx_b"][1] -= np.float32(shift)
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, default=1)
    for dim, default in (("B", 2), ("L", 37), ("D", 16), ("Z", 8), ("H", 32), ("N", 4),
                         ("M", 64), ("window", 4), ("seed", 0)):
        ap.add_argument("--" + dim, type=int, default=default)
    ap.add_argument("--activation", default="softmax")
    ap.add_argument("--bidirectional", action="store_true")
    ap.add_argument("--no-prenorm", dest="prenorm", action="store_false")
    ap.add_argument("--x")
    ap.add_argument("--ref")
    ap.add_argument("--quirk-x")
    ap.add_argument("--plain", action="store_true")
    a = ap.parse_args()

    rng = np.random.default_rng(a.seed)
    cfg = builder.BuildConfig(B=a.B, L=a.L, D=a.D, Z=a.Z, H=a.H, N=a.N, M=a.M,
                              window=a.window, bidirectional=a.bidirectional,
                              activation=a.activation, prenorm=a.prenorm, seed=a.seed)
    lcfg = ref.LayerConfig(window=a.window, bidirectional=a.bidirectional,
                           activation=a.activation, norm="layernorm", prenorm=a.prenorm)
    state, x = {}, None
    y = None
    for i in range(a.layers):
        params = builder.layer_params(rng, cfg)
        if i == 0:
            x = params["x"]
            if a.quirk_x:
                x = params["x"] = quirk_input(rng, params, cfg)
                np.save(a.quirk_x, x)
        else:
            params["x"] = y
            builder._steer_router(rng, params, cfg)
        y = ref.layer(params, lcfg)
        prefix = "seq_layers.%d." % i if a.layers > 1 else ""
        state.update({prefix + k: v for k, v in published(params).items()})
    if a.x:
        np.save(a.x, x)
    if a.ref:
        np.save(a.ref, y)

    config = {"window_size": a.window, "attention_activation": a.activation,
              "bidirectional": a.bidirectional, "prenorm": a.prenorm, "max_positions": a.M}
    if a.out.endswith(".npz"):
        extra = {} if a.plain else {"config": np.array(json.dumps(config))}
        np.savez(a.out, **state, **extra)
    else:
        import torch
        sd = {k: torch.from_numpy(v) for k, v in state.items()}
        torch.save(sd if a.plain else {"state_dict": sd, "config": config}, a.out)


if __name__ == "__main__":
    main()
