"""Prefilters (a union of all cues searched once per sentence; a cue's possible first
characters against the sentence's) only skip work that would find nothing: the evidence found
is the same with and without them."""

from __future__ import annotations

import dataclasses

from rouei.extract.doc.text import Normalized, sentences
from rouei.extract.fields import causes, status

from .conftest import CORPUS


def _sentences() -> list[str]:
    out = []
    for path in sorted((CORPUS / "seeds").glob("*.txt")):
        norm = Normalized.of(path.read_text(encoding="utf-8")).text
        out += [norm[s:e] for s, e in sentences(norm)]
    out += ["不正アクセスによる流出の可能性はありません。", "誤送信が判明しました。", "特になし"]
    return out


def test_status_prefilter_keeps_every_cue_match():
    r = status.status_rules()
    assert r.any_cue is not None
    plain = dataclasses.replace(r, any_cue=None)
    sents = _sentences()
    with_filter = [status.find_status(s, r) for s in sents]
    assert with_filter == [status.find_status(s, plain) for s in sents]
    assert sum(map(len, with_filter)) > 10
    assert sum(1 for s in sents if not r.any_cue.search(s)) > len(sents) // 2  # it does skip


def test_cause_prefilter_keeps_every_cue_match():
    r = causes.cause_rules()
    assert r.any_cue is not None
    assert all(c.firsts for c in r.cues)  # each cue can be skipped by its first characters
    plain = dataclasses.replace(r, any_cue=None, cues=tuple(dataclasses.replace(c, firsts=None) for c in r.cues))
    sents = _sentences()
    with_filter = [causes.sentence_causes(s, r) for s in sents]
    assert with_filter == [causes.sentence_causes(s, plain) for s in sents]
    assert sum(map(len, with_filter)) > 5
