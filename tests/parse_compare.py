"""Comparing two parses by what they say, not by their bytes.

numpy's matmul gives float results that differ in the last bits between batch sizes and
between machines (BLAS kernels differ), so ``Doc.to_bytes()`` is no test of "the same parse".
Two parses are the same when every annotation a rule could read is equal, and their tensors
agree within a float tolerance."""

from __future__ import annotations

import numpy as np

TOKEN_ATTRS = ("text", "whitespace_", "tag_", "pos_", "lemma_", "dep_", "ent_iob_", "ent_type_",
               "is_sent_start", "norm_")


def annotations(doc) -> dict:
    """Everything a rule reads of a parse, as plain data."""
    return {
        "tokens": [tuple(getattr(t, a) for a in TOKEN_ATTRS) + (t.head.i, t.idx) for t in doc],
        "morph": [str(t.morph) for t in doc],
        "ents": [(e.start_char, e.end_char, e.label_) for e in doc.ents],
        # GiNZA's bunsetu and clause analysis (string keys of user_data), compared as reprs
        "user_data": sorted((repr(k), repr(v)) for k, v in doc.user_data.items() if isinstance(k, str)),
    }


def assert_same_parse(a, b, atol: float = 1e-4) -> None:
    """Same annotations; tensors equal within ``atol`` (both absent, or the same shape)."""
    assert annotations(a) == annotations(b)
    ta, tb = getattr(a, "tensor", None), getattr(b, "tensor", None)
    if ta is None or tb is None or not getattr(ta, "size", 0) or not getattr(tb, "size", 0):
        assert (ta is None or not getattr(ta, "size", 0)) == (tb is None or not getattr(tb, "size", 0))
        return
    assert ta.shape == tb.shape
    np.testing.assert_allclose(np.asarray(ta), np.asarray(tb), atol=atol, rtol=1e-3)


def assert_same_parses(xs, ys, atol: float = 1e-4) -> None:
    assert len(xs) == len(ys)
    for x, y in zip(xs, ys):
        assert_same_parse(x, y, atol)
