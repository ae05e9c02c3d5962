"""Self-test of :mod:`seqboat.reference` and :mod:`seqboat.builder` (no compiler needed).

Run from ``python/``::

    /usr/bin/python3 -m unittest seqboat.test_reference

Each op is checked against an independent formulation (a brute-force loop,
``np.convolve``, the explicit-kernel form, ...) or an invariant.
"""

import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from seqboat import builder
from seqboat import reference as ref

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rnd(rng, *shape, scale=1.0):
    return rng.standard_normal(shape) * scale


class EmaTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(1)

    def test_kernel_formula(self):
        c, n, k = 3, 4, 9
        d, a, b, g = (rnd(self.rng, c, n) for _ in range(4))
        got = ref.ema_kernel.f64(d, a, b, g, k)
        p = 1 / (1 + np.exp(-d))
        q = 1 - p / (1 + np.exp(-a))
        for ci in range(c):
            for t in range(k):
                want = sum(p[ci, j] * b[ci, j] * q[ci, j] ** t * g[ci, j] for j in range(n)) / math.sqrt(n)
                self.assertAlmostEqual(got[ci, t], want, places=12)
        self.assertEqual(ref.ema_kernel(d, a, b, g, k).dtype, np.float32)

    def _conv_via_kernel(self, x, d, a, b, g, om, bidir):
        k = ref.ema_kernel.f64(d, a, b, g, x.shape[1])
        return ref.long_conv.f64(x, k, bidir) + om * x, k

    def test_recurrence_equals_kernel_causal_and_bidirectional(self):
        bsz, length, dm, n = 2, 23, 5, 3
        x = rnd(self.rng, bsz, length, dm)
        om = rnd(self.rng, dm)
        for bidir in (False, True):
            c = 2 * dm if bidir else dm
            d, a, b, g = (rnd(self.rng, c, n) for _ in range(4))
            got = ref.ema_conv.f64(x, d, a, b, g, om, bidir)
            want, k = self._conv_via_kernel(x, d, a, b, g, om, bidir)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
            # and the literal SPEC index formula at one point
            bb, t, dd = 1, 7, 2
            lit = sum(k[dd, s] * x[bb, t - s, dd] for s in range(t + 1)) + om[dd] * x[bb, t, dd]
            if bidir:
                lit += sum(k[dm + dd, s] * x[bb, t + s, dd] for s in range(length - t))
            self.assertAlmostEqual(got[bb, t, dd], lit, places=10)

    def test_param_shape_checked(self):
        x = np.zeros((1, 4, 3))
        p = np.zeros((3, 2))
        with self.assertRaises(ValueError):
            ref.ema_conv(x, p, p, p, p, np.zeros(3), bidirectional=True)


class ConvTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(2)

    def _check_long_conv(self, length, taps):
        bsz, dm = 2, 3
        x = rnd(self.rng, bsz, length, dm)
        k = rnd(self.rng, 2 * dm, taps)
        causal = ref.long_conv.f64(x, k[:dm], False)
        bidir = ref.long_conv.f64(x, k, True)
        for b in range(bsz):
            for d in range(dm):
                want_c = np.convolve(x[b, :, d], k[d])[:length]
                # anti-causal part: reversed sequence convolved with k2
                want_a = np.convolve(x[b, ::-1, d], k[dm + d])[:length][::-1]
                np.testing.assert_allclose(causal[b, :, d], want_c, rtol=1e-9, atol=1e-9)
                np.testing.assert_allclose(bidir[b, :, d], want_c + want_a, rtol=1e-9, atol=1e-9)

    def test_long_conv_short_kernel(self):
        self._check_long_conv(length=20, taps=6)

    def test_long_conv_kernel_longer_than_sequence(self):
        self._check_long_conv(length=10, taps=15)

    def test_long_conv_fft_path(self):
        self._check_long_conv(length=300, taps=290)

    def test_short_conv_direct_loop(self):
        bsz, length, dm, width = 2, 11, 4, 5
        x = rnd(self.rng, bsz, length, dm)
        w = rnd(self.rng, dm, width)
        bias = rnd(self.rng, dm)
        got = ref.short_conv.f64(x, w, bias)
        want = np.zeros_like(x)
        for b in range(bsz):
            for t in range(length):
                for d in range(dm):
                    acc = bias[d]
                    for j in range(width):
                        src = t - (width - 1) + j
                        if src >= 0:
                            acc += w[d, j] * x[b, src, d]
                    want[b, t, d] = acc
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)

    def test_short_conv_wider_than_sequence(self):
        x = rnd(self.rng, 1, 3, 2)
        w = rnd(self.rng, 2, 6)
        got = ref.short_conv.f64(x, w, np.zeros(2))
        # y[t] = sum_j w[j] x[t-5+j]: only j >= 5 - t contributes
        for t in range(3):
            want = sum(w[:, j] * x[0, t - 5 + j] for j in range(5 - t, 6))
            np.testing.assert_allclose(got[0, t], want, rtol=1e-12)


class RoutingTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(3)

    def test_route(self):
        u = rnd(self.rng, 2, 9, 2)
        u[0, 3, 1] = u[0, 3, 0]                       # exact tie
        for lt in (0.0, -0.7, 1.3):
            gate, active = ref.route(u, np.float32(lt))
            self.assertEqual(gate.dtype, np.float32)
            self.assertEqual(active.dtype, np.bool_)
            self.assertFalse(active[0, 3])
            self.assertAlmostEqual(float(gate[0, 3]), 0.5, places=7)
            np.testing.assert_array_equal(active, u[..., 1] > u[..., 0])
            pi1 = 1 / (1 + np.exp(-(u[..., 1] - u[..., 0]) / math.exp(lt)))
            np.testing.assert_allclose(gate, np.maximum(pi1, 1 - pi1), rtol=1e-6)

    def test_compact_gather_scatter_round_trip(self):
        bsz, length, f = 3, 13, 4
        active = self.rng.random((bsz, length)) < 0.4
        active[1] = False
        active[2] = True
        pos, count = ref.compact_index(active)
        self.assertEqual(pos.dtype, np.int32)
        self.assertEqual(count.dtype, np.int32)
        self.assertEqual(pos.shape, (bsz, length))
        np.testing.assert_array_equal(count, active.sum(1))
        for b in range(bsz):
            n = count[b]
            np.testing.assert_array_equal(pos[b, :n], np.nonzero(active[b])[0])
            self.assertTrue((pos[b, n:] == -1).all())
        x = rnd(self.rng, bsz, length, f).astype(np.float32)
        xc = ref.gather(x, pos)
        for b in range(bsz):
            for i in range(length):
                want = x[b, pos[b, i]] if pos[b, i] >= 0 else np.zeros(f)
                np.testing.assert_array_equal(xc[b, i], want)
        back = ref.scatter(xc, pos, length)
        np.testing.assert_array_equal(back, np.where(active[..., None], x, 0))
        # scatter ignores garbage in the unused slots
        garbage = xc + np.where(pos[..., None] < 0, 7.0, 0.0).astype(np.float32)
        np.testing.assert_array_equal(ref.scatter(garbage, pos, length), back)


def brute_local_attention(q, k, v, pos, count, rb, w, bidir, act):
    """Literal per-element transcription of SPEC's local_attention."""
    bsz, slots, z = q.shape
    out = np.zeros((bsz, slots, v.shape[2]))
    m = None if rb is None else (len(rb) + 1) // 2
    c = z ** -0.5 if act == "softmax" else (1 / (2 * w) if bidir else 1 / w)
    for b in range(bsz):
        n = count[b]
        for i in range(n):
            keys = [j for j in range(n) if (abs(i - j) <= w if bidir else 0 <= i - j <= w)]
            s = {}
            for j in keys:
                s[j] = c * float(q[b, i] @ k[b, j])
                if rb is not None:
                    s[j] += rb[min(max(pos[b, j] - pos[b, i], -(m - 1)), m - 1) + m - 1]
            if act == "softmax":
                den = sum(math.exp(s[j]) for j in keys)
                a = {j: math.exp(s[j]) / den for j in keys}
            elif act == "relu2":
                a = {j: max(s[j], 0.0) ** 2 for j in keys}
            else:
                a = {j: 0.5 * (1 + math.erf((s[j] - math.sqrt(0.5)) /
                                            (math.sqrt(1 / (4 * math.pi)) * math.sqrt(2))))
                     for j in keys}
            out[b, i] = sum(a[j] * v[b, j] for j in keys)
    return out


class AttentionTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(4)

    def _inputs(self, bsz=2, length=17, z=4, h=3, frac=0.6):
        active = self.rng.random((bsz, length)) < frac
        active[0, :2] = True
        pos, count = ref.compact_index(active)
        q, k = rnd(self.rng, bsz, length, z), rnd(self.rng, bsz, length, z)
        v = rnd(self.rng, bsz, length, h)
        return q, k, v, pos, count

    def test_softmax_rows_sum_to_one(self):
        q, k, _, pos, count = self._inputs()
        ones = np.ones(q.shape[:2] + (5,))
        rb = rnd(self.rng, 2 * 6 - 1)
        for bidir in (False, True):
            o = ref.local_attention.f64(q, k, ones, pos, count, rb, 3, bidir, "softmax")
            for b in range(q.shape[0]):
                n = count[b]
                np.testing.assert_allclose(o[b, :n], 1.0, rtol=1e-12)
                self.assertTrue((o[b, n:] == 0).all())

    def test_against_brute_force(self):
        q, k, v, pos, count = self._inputs()
        rb = rnd(self.rng, 2 * 4 - 1)                 # M = 4: clamping is exercised
        for act in ref.ACTIVATIONS:
            for bidir in (False, True):
                for bias in (None, rb):
                    for w in (1, 3):
                        got = ref.local_attention.f64(q, k, v, pos, count, bias, w, bidir, act)
                        want = brute_local_attention(q, k, v, pos, count, bias, w, bidir, act)
                        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12,
                                                   err_msg="%s bidir=%s w=%d" % (act, bidir, w))

    def test_products_without_rounding_match(self):
        # The autocast walk (query blocks, key tiles, the online softmax)
        # with a rounding that keeps f32 values is the op itself, whatever
        # the blocks.
        q, k, v, pos, count = self._inputs(length=37, z=8, h=5)
        rb = rnd(self.rng, 2 * 4 - 1)
        keep = lambda t: np.asarray(t, np.float32)
        for act in ref.ACTIVATIONS:
            for bidir in (False, True):
                want = ref.local_attention.f64(q, k, v, pos, count, rb, 3, bidir, act)
                for qb, kb in ((4, 3), (16, 8), (64, 32)):
                    products = ref.AttentionProducts(keep, qb, kb)
                    got = ref.local_attention.f64(q, k, v, pos, count, rb, 3, bidir, act,
                                                  products=products)
                    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6,
                                               err_msg="%s bidir=%s %dx%d" % (act, bidir, qb, kb))

    def test_products_round_weights_by_tile(self):
        # Rounding P depends on the running max, so on the key tiles: two
        # walks differ, each stays within bf16's step of the op.
        q, k, v, pos, count = self._inputs(length=60, z=8, h=5, frac=1.0)
        to_bf16 = lambda t: builder.round_to(t, "bf16")
        want = ref.local_attention.f64(q, k, v, pos, count, None, 20, True, "softmax")
        a = ref.local_attention.f64(q, k, v, pos, count, None, 20, True, "softmax",
                                    products=ref.AttentionProducts(to_bf16, 16, 8))
        c = ref.local_attention.f64(q, k, v, pos, count, None, 20, True, "softmax",
                                    products=ref.AttentionProducts(to_bf16, 16, 32))
        self.assertFalse(np.array_equal(a, c))
        for got in (a, c):
            self.assertLess(np.abs(got - want).max(), 2.0 ** -6 * np.abs(want).max())

    def test_row_blocks(self):
        # more active tokens than one row block
        bsz, length = 1, 600
        active = np.ones((bsz, length), bool)
        active[0, ::7] = False
        pos, count = ref.compact_index(active)
        q, k = rnd(self.rng, bsz, length, 2), rnd(self.rng, bsz, length, 2)
        v = rnd(self.rng, bsz, length, 2)
        got = ref.local_attention.f64(q, k, v, pos, count, None, 5, True, "relu2")
        n = count[0]
        i, j = np.arange(n)[:, None], np.arange(n)[None, :]
        s = (q[0, :n] @ k[0, :n].T) / 10
        a = np.where(np.abs(i - j) <= 5, np.maximum(s, 0) ** 2, 0)
        np.testing.assert_allclose(got[0, :n], a @ v[0, :n], rtol=1e-10, atol=1e-12)

    def test_linear_attention_against_brute_loop(self):
        bsz, length, z, h = 2, 12, 3, 4
        q, k, v = rnd(self.rng, bsz, length, z), rnd(self.rng, bsz, length, z), rnd(self.rng, bsz, length, h)
        for decay in (None, 0.8):
            g = 1.0 if decay is None else decay
            got = ref.linear_attention.f64(q, k, v, decay, False)
            want = np.zeros((bsz, length, h))
            for b in range(bsz):
                for t in range(length):
                    for s in range(t + 1):
                        want[b, t] += g ** (t - s) * float(q[b, t] @ k[b, s]) * v[b, s]
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        got = ref.linear_attention.f64(q, k, v, None, True)
        want = np.einsum("bts,bsh->bth", np.einsum("btz,bsz->bts", q, k), v)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


class LayerTest(unittest.TestCase):
    def _params(self, cfg):
        return builder.layer_params(np.random.default_rng(cfg.seed), cfg)

    def test_layer_matches_composition(self):
        for bidir, act, norm, pre in ((True, "softmax", "layernorm", True),
                                      (False, "relu2", "rmsnorm", False),
                                      (False, "laplace", "none", True)):
            cfg = builder.BuildConfig(B=2, L=19, D=6, N=2, Z=4, H=5, M=8, window=3,
                                      bidirectional=bidir, activation=act, norm=norm,
                                      prenorm=pre, active_fraction=0.5, seed=5)
            p = self._params(cfg)
            lcfg = dict(window=3, bidirectional=bidir, activation=act, norm=norm, prenorm=pre)
            out, inter = ref.layer.f64(p, lcfg, return_intermediates=True)
            P = {k: v.astype(np.float64) for k, v in p.items()}
            x = P["x"]

            def nrm(t):
                if norm == "none":
                    return t
                if norm == "rmsnorm":
                    return t / np.sqrt((t * t).mean(-1, keepdims=True) + np.float32(1e-5)) * P["norm_w"]
                mu, var = t.mean(-1, keepdims=True), t.var(-1, keepdims=True)
                return (t - mu) / np.sqrt(var + np.float32(1e-5)) * P["norm_w"] + P["norm_b"]

            xn = nrm(x) if pre else x
            mx = ref.silu(ref.ema_conv.f64(xn, P["ema_delta"], P["ema_alpha"], P["ema_beta"],
                                           P["ema_gamma"], P["ema_omega"], bidir))
            hu = mx @ P["hx_w"].T + P["hx_b"]
            gate, active = ref.route.f64(hu[..., :2], P["log_temp"])
            self.assertTrue(0 < active.mean() < 1)
            pos, count = ref.compact_index(active)
            # token-by-token, without compaction helpers
            y = np.zeros_like(x)
            for b in range(x.shape[0]):
                idx = np.nonzero(active[b])[0]
                base = ref.silu(mx[b, idx] @ P["mx_w"].T + P["mx_b"])
                zz, r, v = base[:, :4], base[:, 4:9], base[:, 9:]
                q = zz * P["qk_gamma"][0] + P["qk_beta"][0]
                k = zz * P["qk_gamma"][1] + P["qk_beta"][1]
                o = brute_local_attention(q[None], k[None], v[None], idx[None], [len(idx)],
                                          P["rel_bias"], 3, bidir, act)[0]
                h = (o * r) @ P["h_w"].T + P["h_b"]
                hf = np.zeros_like(x[b])
                hf[idx] = h * gate[b, idx, None]
                y[b] = ref.silu(x[b] + hu[b, :, 2:] + hf)
            if not pre:
                y = nrm(y)
            np.testing.assert_allclose(out, y, rtol=1e-9, atol=1e-12)
            self.assertEqual(ref.layer(p, lcfg).dtype, np.float32)

    def test_router_steering(self):
        for frac in (0.0, 0.25, 0.5, 1.0):
            cfg = builder.BuildConfig(B=2, L=40, D=8, N=2, Z=4, H=8, active_fraction=frac, seed=7)
            p = self._params(cfg)
            _, inter = ref.layer.f64(p, ref.LayerConfig(window=2), return_intermediates=True)
            self.assertAlmostEqual(inter["active"].mean(), frac, delta=0.06)
            u = inter["u"]
            if 0 < frac < 1:      # a clear margin around the threshold
                self.assertGreater(np.abs(u[..., 1] - u[..., 0]).min(), 1e-4)


class _Lines:
    """A stream collecting printed lines."""

    def __init__(self, lines):
        self.lines = lines

    def write(self, text):
        self.lines.extend(line for line in text.splitlines() if line)


class BuilderTest(unittest.TestCase):
    def test_mlir_text(self):
        cfg = builder.BuildConfig(B=2, L=37, D=16, N=4, Z=8, H=32, M=64, window=4,
                                  bidirectional=True)
        case = builder.build("layer", cfg)
        text = builder.emit_mlir(case)
        self.assertIn("func.func @layer(%in0: tensor<2x37x16xf32>, %in1: tensor<16xf32>", text)
        self.assertIn("%in10: tensor<f32>", text)
        self.assertIn('"seqboat.layer"(%in0, %in1, %in2', text)
        self.assertIn("<{activation = #seqboat.activation<softmax>, bidirectional = true, "
                      "eps = 1.000000e-05 : f32, norm = #seqboat.norm<layernorm>, "
                      "prenorm = true, window = 4 : i64}>", text)
        self.assertIn("tensor<32x4xf32>", text)
        self.assertIn("tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>", text)
        route = builder.emit_mlir(builder.build("route", cfg))
        self.assertIn("-> (tensor<2x37xf32>, tensor<2x37xi1>)", route)
        self.assertIn("return %r#0, %r#1 : tensor<2x37xf32>, tensor<2x37xi1>", route)
        la = builder.emit_mlir(builder.build("local_attention", builder.BuildConfig(rel_bias=False)))
        self.assertIn('"seqboat.local_attention"(%in0, %in1, %in2, %in3, %in4) <{', la)
        self.assertIn("operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>", la)

    def test_all_ops_build(self):
        cfg = builder.BuildConfig(B=2, L=9, D=4, N=2, Z=3, H=5, M=4, window=2, decay=0.9)
        for op in builder.OPS:
            case = builder.build(op, cfg)
            for a in case.inputs + case.results:
                builder.tensor_type(a)            # every dtype maps to an MLIR type
            self.assertEqual(case.results[0].dtype,
                             np.int32 if op == "compact_index" else np.float32)

    def test_cli_build_and_check(self):
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([sys.executable, "-m", "seqboat.builder", "route", "--out", tmp,
                                "--L", "8"], env=env, capture_output=True, text=True)
            self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))
            self.assertEqual(sorted(os.listdir(tmp)),
                             ["in0.npy", "in1.npy", "ref0.npy", "ref1.npy", "route.mlir"])
            gate = np.load(os.path.join(tmp, "ref0.npy"))
            np.save(os.path.join(tmp, "bad.npy"), gate + np.float32(0.01))
            np.save(os.path.join(tmp, "f64.npy"), gate.astype(np.float64))

            def chk(refname, outname):
                return subprocess.run([sys.executable, "-m", "seqboat.builder", "check",
                                       "--ref", os.path.join(tmp, refname),
                                       "--out", os.path.join(tmp, outname)],
                                      env=env, capture_output=True, text=True)
            r = chk("ref0.npy", "ref0.npy")
            self.assertEqual(r.returncode, 0)
            self.assertTrue(r.stdout.startswith("OK ref0.npy max_rel_err="), r.stdout)
            self.assertEqual(chk("ref1.npy", "ref1.npy").returncode, 0)
            for bad in ("bad.npy", "f64.npy", "ref1.npy"):
                r = chk("ref0.npy", bad)
                self.assertEqual(r.returncode, 1)
                self.assertTrue(r.stdout.startswith("FAIL " + bad), r.stdout)

    def test_bf16_rounding(self):
        # nearest even on the 16 dropped bits; overflow to inf; NaN stays NaN
        one = np.float32(1.0)
        ulp = np.float32(2.0 ** -7)
        vals = np.array([1.0, 1.0 + 2.0 ** -9, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8,
                         1.0 + 2.0 ** -8 + 2.0 ** -20, -2.5, 3.4e38, np.inf, np.nan],
                        dtype=np.float32)
        r = builder.round_to(vals, "bf16")
        self.assertEqual(list(r[:6]), [one, one, one, one + 2 * ulp, one + ulp, -2.5])
        self.assertEqual(r[6], np.inf)
        self.assertEqual(r[7], np.inf)
        self.assertTrue(np.isnan(r[8]))
        self.assertEqual(builder.bf16_bits(np.float32(1.0)), 0x3F80)
        h = builder.round_to(np.float32(1.0 + 2.0 ** -12), "f16")
        self.assertEqual(h, one)

    def test_half_cases(self):
        cfg = builder.BuildConfig(B=2, L=9, D=4, N=2, Z=3, H=5, M=4, window=2, decay=0.9,
                                  dtype="bf16", param_dtype="f32")
        case = builder.build("ema_conv", cfg)
        self.assertEqual(case.in_elts, ["bf16"] + ["f32"] * 5)
        self.assertTrue(np.array_equal(case.inputs[0], builder.round_to(case.inputs[0], "bf16")))
        text = builder.emit_mlir(case)
        self.assertIn("%in0: tensor<2x9x4xbf16>, %in1: tensor<4x2xf32>", text)
        self.assertIn("-> tensor<2x9x4xbf16>", text)
        layer = builder.build("layer", builder.BuildConfig(dtype="f16", active_fraction=0.5))
        elts = dict(zip(ref.LAYER_OPERANDS, layer.in_elts))
        self.assertEqual((elts["x"], elts["hx_b"], elts["rel_bias"]), ("f16", "f16", "f16"))
        # the router threshold, rounded to f16, still splits the tokens
        _, inter = ref.layer.f64({k: v for k, v in zip(ref.LAYER_OPERANDS, layer.inputs)},
                                 ref.LayerConfig(window=4), return_intermediates=True)
        u = inter["u"]
        self.assertAlmostEqual(inter["active"].mean(), 0.5, delta=0.06)
        self.assertGreater(np.abs(u[..., 1] - u[..., 0]).min(), 1e-4)
        with self.assertRaises(ValueError):
            builder.build("chela", builder.BuildConfig(dtype="bf16"))

    def test_check_half_outputs(self):
        rng = np.random.default_rng(3)
        refv = rng.standard_normal(1000).astype(np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            def path(name):
                return os.path.join(tmp, name)
            np.save(path("ref.npy"), refv)
            builder.save_npy(path("good.npy"), refv, "bf16")
            with open(path("good.npy"), "rb") as f:
                self.assertIn(b"'descr': '<V2'", f.read(128))
            # truncation instead of rounding: within the tolerance, not exact
            trunc = (refv.view(np.uint32) >> 16).astype(np.uint16)
            np.save(path("trunc.npy"), trunc)                       # '<u2' bits
            builder.save_npy(path("h.npy"), refv, "f16")
            out = []
            ok = builder.check([path("ref.npy")] * 3,
                               [path("good.npy"), path("trunc.npy"), path("h.npy")],
                               stream=_Lines(out))
            self.assertFalse(ok)
            self.assertTrue(out[0].startswith("OK good.npy"), out[0])
            self.assertIn("rounded_exactly=100.0%", out[0])
            self.assertTrue(out[1].startswith("FAIL trunc.npy"), out[1])
            self.assertTrue(out[2].startswith("OK h.npy"), out[2])
            loaded, elt = builder.load_npy(path("good.npy"))
            self.assertEqual(elt, "bf16")
            self.assertTrue(np.array_equal(loaded, builder.round_to(refv, "bf16")))

    def test_compare_ints(self):
        a = np.arange(5, dtype=np.int32)
        self.assertTrue(builder.compare(a, a.copy())[0])
        b = a.copy()
        b[2] = 9
        self.assertFalse(builder.compare(a, b)[0])
        self.assertFalse(builder.compare(a, a[:4])[0])
        z = np.zeros(3, np.float32)
        self.assertTrue(builder.compare(z, z)[0])
        self.assertFalse(builder.compare(z, np.full(3, np.nan, np.float32))[0])


if __name__ == "__main__":
    unittest.main()
