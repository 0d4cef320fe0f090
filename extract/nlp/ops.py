"""A thinc ``Ops`` whose matrix multiply is numpy's (BLAS) rather than the bundled ``blis``.

On the 2-core machines this project runs on, numpy's matmul parses ja_ginza about 1.4x faster
than blis with identical output (checked by tests/test_speedups.py on the seed corpus)."""

from __future__ import annotations

import numpy
from thinc.api import NumpyOps


class MatmulOps(NumpyOps):
    name = "rouei_matmul"

    def gemm(self, x, y, out=None, trans1=False, trans2=False):
        if trans1:
            x = x.T
        if trans2:
            y = y.T
        if out is None:
            return numpy.matmul(x, y)
        numpy.matmul(x, y, out=out)
        return out


def use_matmul_ops(nlp) -> None:
    """Switch every model node of ``nlp`` to ``MatmulOps``. thinc's global current ops are left
    alone, so other pipelines in the user's process keep theirs."""
    ops = MatmulOps()
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is not None:
            for node in model.walk():
                node.ops = ops
