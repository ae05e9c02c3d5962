"""Writes the .npy files of half.test into the directory argv[1]: bfloat16
as ml_dtypes' np.save writes it ('<V2'), under its name ('bfloat16'), and as
raw uint16 bits ('<u2'); float16 ('<f2'); and mismatched files."""
import os
import sys

import numpy as np

out = sys.argv[1]
a = np.array([[1.0, -2.0, 0.5], [3.0, 1.5, -0.25]], np.float32)
bits = (a.view(np.uint32) >> 16).astype(np.uint16)   # exact in bfloat16


def header_file(name, descr, payload, shape=(2, 3)):
    with open(os.path.join(out, name), "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": descr, "fortran_order": False, "shape": shape})
        f.write(payload)


header_file("a_v2.npy", "<V2", bits.tobytes())
header_file("a_name.npy", "bfloat16", bits.tobytes())
np.save(os.path.join(out, "a_u2.npy"), bits)
np.save(os.path.join(out, "b.npy"), (a * 2).astype(np.float16))
np.save(os.path.join(out, "a_f32.npy"), a)
header_file("a_short.npy", "<V2", bits.tobytes()[:8])
