"""A long document keeps memory bounded: its sentences are parsed a chunk at a time and the
spaCy Docs are dropped unless the parse cache needs them; a document too long for the cache
is not cached. (The --max-chars cap itself: tests/test_inputs.py.)"""

from __future__ import annotations

import rouei.extract.nlp.model as model_mod
from rouei.extract.run import pipeline as pipeline_mod
from rouei.extract.run.pipeline import Pipeline, Settings

SENT = "{i}件目:氏名は含まれていますが、クレジットカード情報は含まれておりません。"


def _spy(monkeypatch) -> list[int]:
    sizes: list[int] = []
    real = model_mod.parse_for_rules

    def counting(nlp, texts, **kw):
        texts = list(texts)
        sizes.append(len(texts))
        return real(nlp, texts, **kw)

    monkeypatch.setattr(model_mod, "parse_for_rules", counting)
    return sizes


def test_limits_parses_in_chunks_and_drops_docs_without_cache(nlp, monkeypatch):
    monkeypatch.setattr(pipeline_mod, "PARSE_CHUNK", 8)
    sizes = _spy(monkeypatch)
    pipe = Pipeline(Settings(), nlp=nlp)
    texts = [SENT.format(i=i) for i in range(20)]
    out = pipe.parse_fn(texts)
    assert sizes == [8, 8, 4]
    assert [p.text for p in out] == texts
    assert all(p.spacy_doc is None for p in out)


def test_limits_keeps_docs_for_the_cache(nlp, tmp_path):
    pipe = Pipeline(Settings(cache_dir=str(tmp_path / "c")), nlp=nlp)
    out = pipe.parse_fn([SENT.format(i=1)])
    assert out[0].spacy_doc is not None


def test_limits_long_document_is_not_cached(nlp, tmp_path, monkeypatch):
    text = "株式会社テスト商事 お知らせ\n" + "\n".join(SENT.format(i=i) for i in range(12))
    monkeypatch.setattr(pipeline_mod, "CACHE_MAX_CHARS", len(text) - 1)
    pipe = Pipeline(Settings(cache_dir=str(tmp_path / "c")), nlp=nlp)
    rec = pipe.process("long", text)
    assert "error" not in rec and pipe.parsed_chars > 0
    assert not list((tmp_path / "c").rglob("*.spacy"))
    monkeypatch.setattr(pipeline_mod, "CACHE_MAX_CHARS", len(text))
    assert Pipeline(Settings(cache_dir=str(tmp_path / "c")), nlp=nlp).process("long", text) == rec
    assert list((tmp_path / "c").rglob("*.spacy"))
