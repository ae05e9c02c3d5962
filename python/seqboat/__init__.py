"""Python side of the ``seqboat`` MLIR project.

* :mod:`seqboat.reference` -- a NumPy reference of every ``seqboat`` op, written
  directly from ``SPEC.md`` (float64 inside, float32 / int32 / bool outside).
* :mod:`seqboat.builder`   -- writes a test case for one op (an MLIR function in
  generic form, random ``.npy`` inputs and reference ``.npy`` outputs) and
  compares a compiled result with a reference (``check``).
* :mod:`seqboat.importer`  -- imports a PyTorch SeqBoat checkpoint as MLIR.
* :mod:`seqboat.kernels`, :mod:`seqboat.aot`, :mod:`seqboat.tune` -- GPU tools.

The package imports no submodule eagerly: the GPU tools need only the
standard library, so ``python3 -m seqboat.kernels`` must work under a Python
without NumPy; modules that need NumPy (or PyTorch) import it themselves.
"""
