"""Python side of the ``seqboat`` MLIR project.

* :mod:`seqboat.reference` -- a NumPy reference of every ``seqboat`` op, written
  directly from ``SPEC.md`` (float64 inside, float32 / int32 / bool outside).
* :mod:`seqboat.builder`   -- writes a test case for one op (an MLIR function in
  generic form, random ``.npy`` inputs and reference ``.npy`` outputs) and
  compares a compiled result with a reference (``check``).

Only the standard library and NumPy are used.
"""

from . import reference  # noqa: F401

__all__ = ["reference"]
