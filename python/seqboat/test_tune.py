"""Self-test of the tuner's database and accuracy check (no compiler needed).

Run from ``python/``::

    /usr/bin/python3 -m unittest seqboat.test_tune
"""

import json
import os
import tempfile
import types
import unittest
from unittest import mock

import numpy as np

from seqboat import tune


class DatabaseTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.dir.name, "db.json")

    def tearDown(self):
        self.dir.cleanup()

    def entry(self, *names):
        return {"op": "k", "variants": {n: {"status": "ok", "config": {"threads": 32}} for n in names},
                "evaluated": len(names)}

    def test_save_merges_what_another_tuner_saved(self):
        # Two tuners loaded the same (empty) database, then each saved.
        first = {"version": 1, "entries": {"a": self.entry("v1"), "shared": self.entry("x")}}
        second = {"version": 1, "entries": {"b": self.entry("v2"), "shared": self.entry("y")}}
        tune.save_db(self.db, first)
        tune.save_db(self.db, second)
        on_disk = tune.read_db(self.db)["entries"]
        self.assertEqual(sorted(on_disk), ["a", "b", "shared"])
        self.assertEqual(sorted(on_disk["shared"]["variants"]), ["x", "y"])
        self.assertEqual(on_disk["shared"]["evaluated"], 2)
        # The saving tuner's own entry object gained the other's variants
        # (tune_op keeps using it after a save).
        self.assertEqual(sorted(second["entries"]["shared"]["variants"]), ["x", "y"])
        self.assertEqual(sorted(os.listdir(self.dir.name)), ["db.json", "db.json.lock"])

    def test_save_refuses_nan(self):
        db = {"version": 1, "entries": {"a": dict(self.entry("v"), cost_us=float("nan"))}}
        with self.assertRaisesRegex(tune.TuneError, "cannot write tuning database"):
            tune.save_db(self.db, db)
        self.assertEqual(sorted(os.listdir(self.dir.name)), ["db.json.lock"])

    def test_depth_ignores_brackets_in_strings(self):
        self.assertEqual(tune._json_depth('{"a": "[[[[\\"[["}', 32), 1)
        self.assertEqual(tune._json_depth('{"a": "\\\\", "b": [[]]}', 32), 3)
        self.assertEqual(tune._json_depth("[" * 100, 32), 33)

    def test_schema_errors_are_one_line(self):
        for text, why in [
            ('{"entries": {"k": 1}}', "entry 'k' is not an object"),
            ('{"entries": {"k": {"best": {"threads": true, "rows_per_block": 1}}}}',
             "'best' is not an object of integer knobs"),
            ('{"entries": {"k": {"evaluated": "3"}}}', "'evaluated' is not an integer"),
            ('{"entries": {"k": {"variants": []}}}', "'variants' is not an object of objects"),
            ("[" * 5000, "nests deeper than 32 levels"),
        ]:
            with open(self.db, "w") as f:
                f.write(text)
            with self.assertRaises(tune.TuneError) as ctx:
                tune.read_db(self.db)
            self.assertIn(why, str(ctx.exception))
            self.assertNotIn("\n", str(ctx.exception))


class ContractionModelTest(unittest.TestCase):
    """The model's kernels of a contraction follow the strategy's peeling."""

    OP = {"kind": "contraction", "kernel": "f_contraction_0_kernel",
          "shape": {"M": 74, "N": 66, "K": 64}}

    def test_peeled_rows_and_columns(self):
        rows = tune.contraction_work(self.OP, {"tile_m": 64, "tile_n": 64, "tile_k": 16})
        names = [r[0] for r in rows]
        self.assertEqual(names, ["f_contraction_0_kernel",
                                 "f_contraction_0_rows_kernel" + tune.PARALLEL_SUFFIX,
                                 "f_contraction_0_cols_kernel" + tune.PARALLEL_SUFFIX])
        # Every multiply-add is counted once, in one of the three kernels.
        self.assertEqual(sum(r[4] for r in rows), 2.0 * 74 * 66 * 64)
        self.assertEqual(rows[0][4], 2.0 * 64 * 64 * 64)

    def test_dividing_tiles_give_one_kernel(self):
        op = dict(self.OP, shape={"M": 128, "N": 64, "K": 64})
        rows = tune.contraction_work(op, {"tile_m": 64, "tile_n": 32, "tile_k": 16})
        self.assertEqual([r[0] for r in rows], ["f_contraction_0_kernel"])
        self.assertEqual(rows[0][1], 2 * 2)

    def test_nothing_to_peel_is_one_parallel_kernel(self):
        op = dict(self.OP, shape={"M": 74, "N": 18, "K": 16})
        rows = tune.contraction_work(op, {"tile_m": 64, "tile_n": 32, "tile_k": 16})
        self.assertEqual([r[0] for r in rows],
                         ["f_contraction_0_kernel" + tune.PARALLEL_SUFFIX])

    def test_peeled_kernels_run_on_fma_pipes(self):
        op = dict(self.OP, precision="tf32")
        costs = tune.kernel_costs(op, {"tile_m": 64, "tile_n": 64, "tile_k": 16}, {}, "sm_90")
        self.assertEqual([c[0] for c in costs], ["f_contraction_0_kernel",
                                                 "f_contraction_0_rows_kernel",
                                                 "f_contraction_0_cols_kernel"])
        self.assertTrue(all(c[-1] > 0 for c in costs))


class AttentionModelTest(unittest.TestCase):
    """An attention kernel's tensor_flops run at the TF32 peak, the rest on
    the FMA pipes; precision=ieee puts them all on the FMA pipes."""

    KERNEL = {"name": "f_scan_0_kernel", "kind": "scan", "bytes": 1.0e6,
              "flops": 1.0e12, "tensor_flops": 0.9e12, "blocks": 4096,
              "threads": 256, "lanes": 256, "points": 4096 * 256,
              "shared_bytes": 100000}

    def time(self, kernel, precision="tf32"):
        return tune.generic_kernel_costs(kernel, {}, "sm_90", precision)[0][-1]

    def test_tensor_flops_are_faster(self):
        fma = dict(self.KERNEL, tensor_flops=0)
        self.assertLess(self.time(self.KERNEL), self.time(fma))
        # Compute-bound here: the ratio is that of the two peaks' mix.
        chip = tune.CHIPS["sm_90"]
        mixed = 0.1e12 / chip["flops"] + 0.9e12 / chip["tf32"]
        ratio = (self.time(fma) - tune.LAUNCH_US) / (self.time(self.KERNEL) - tune.LAUNCH_US)
        self.assertAlmostEqual(ratio, (1.0e12 / chip["flops"]) / mixed, places=6)

    def test_ieee_runs_on_fma_pipes(self):
        fma = dict(self.KERNEL, tensor_flops=0)
        self.assertEqual(self.time(self.KERNEL, "ieee"), self.time(fma))

    def test_half_products_at_half_peak(self):
        # 16-bit products (autocast): twice the TF32 peak, under any precision.
        half = dict(self.KERNEL, operand_bytes=2)
        chip = tune.CHIPS["sm_90"]
        mixed_half = 0.1e12 / chip["flops"] + 0.9e12 / (chip["tf32"] * tune.HALF_OVER_TF32)
        mixed_tf32 = 0.1e12 / chip["flops"] + 0.9e12 / chip["tf32"]
        ratio = (self.time(self.KERNEL) - tune.LAUNCH_US) / (self.time(half) - tune.LAUNCH_US)
        self.assertAlmostEqual(ratio, mixed_tf32 / mixed_half, places=6)
        self.assertEqual(self.time(half, "ieee"), self.time(half))
        self.assertLess(self.time(half), self.time(self.KERNEL))


class AccuracyTest(unittest.TestCase):
    """measure() fails a variant whose output has NaN or Inf values."""

    def measure(self, value):
        with tempfile.TemporaryDirectory() as tmp:
            ref = os.path.join(tmp, "ref.npy")
            np.save(ref, np.ones((2, 3), np.float32))

            def fake_run(cmd, **kw):
                # The runner writes its --output files; the compiler nothing.
                outs = [cmd[i + 1] for i, a in enumerate(cmd) if a == "--output"]
                for out in outs:
                    np.save(out, np.full((2, 3), value, np.float32))
                return "seqboat-run: f: median 1.000 ms over 1 run(s)\n"

            args = types.SimpleNamespace(measure_on="cpu", opt="/bin/seqboat-opt", file="f.mlir",
                                         chip="sm_90", precision="tf32", entry="f", repeat=1, build=tmp, exec=None)
            with mock.patch.object(tune, "run", fake_run):
                return tune.measure(args, {}, {"threads": 32}, "key", [], [ref])

    def test_finite_output_is_measured(self):
        self.assertEqual(self.measure(1.0), (1.0, 0.0))

    def test_nan_output_fails(self):
        # Before: max(0.0, nan) is 0.0, so an all-NaN output passed.
        with self.assertRaisesRegex(tune.TuneError, "NaN or Inf"):
            self.measure(np.nan)

    def test_inf_output_fails(self):
        with self.assertRaisesRegex(tune.TuneError, "NaN or Inf"):
            self.measure(np.inf)


if __name__ == "__main__":
    unittest.main()
