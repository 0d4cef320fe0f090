"""rouei.extract.doc.parsed answers as spaCy and GiNZA do, survives the parse cache, and lets a warm run
go without spaCy."""

from __future__ import annotations

import random
import subprocess
import sys

import msgpack
import pytest
from ginza import bunsetu_span

from rouei.extract.doc.parsed import ParsedDoc, bunsetu_end
from rouei.extract.nlp import cache as cache_mod
from rouei.extract.nlp.cache import ParseCache
from rouei.extract.nlp.model import parse_for_rules

from .conftest import CORPUS, ROOT

TRICKY = [
    "氏名(住所や電話番号はありません。)、診療科が含まれます。",
    "住所以外の情報は含まれておりません。",
    "クレジットカード情報は含まれて\nおりません。",
    "　氏名、 住所 および電話番号",
    "株式会社テスト電機は東京都港区に本社を置く。",
]


def _sentences(limit: int = 250) -> list[str]:
    out = list(TRICKY)
    for path in sorted((CORPUS / "seeds").glob("*.txt")):
        out += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    # and a whole notice: over nlp.MAX_BYTES, so parsed in pieces and joined (nlp.join_docs)
    whole = (CORPUS / "seeds" / "000_6d3435720e61ba1b.txt").read_text(encoding="utf-8")
    return [s[:300] for s in out][:limit] + [whole]


@pytest.fixture(scope="module")
def pairs(nlp):
    return [(p.spacy_doc, p) for p in parse_for_rules(nlp, _sentences())]


def test_parsed_tokens_match_spacy(pairs):
    for doc, p in pairs:
        assert p.text == doc.text and len(p) == len(doc)
        for t, q in zip(doc, p):
            assert (q.i, q.text, q.idx, q.pos_, q.lemma_, q.norm_, q.dep_, q.head.i, q.is_space,
                    q.is_punct, q.is_sent_start) == \
                (t.i, t.text, t.idx, t.pos_, t.lemma_, t.norm_, t.dep_, t.head.i, t.is_space,
                 t.is_punct, bool(t.is_sent_start))
            assert [c.i for c in q.children] == [c.i for c in t.children]
            assert bunsetu_end(q) == bunsetu_span(t).end
        assert [(e.start_char, e.end_char, e.label_, e.text) for e in p.ents] == \
            [(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents]


def test_parsed_char_span_and_root_match_spacy(pairs):
    rng = random.Random(5)
    checked = 0
    for doc, p in pairs:
        n = len(doc.text)
        spans = [(t.idx, t.idx + len(t)) for t in doc]
        spans += [tuple(sorted(rng.sample(range(n + 1), 2))) for _ in range(12)] if n > 2 else []
        for a, b in spans:
            theirs = doc.char_span(a, b, alignment_mode="expand")
            ours = p.char_span(a, b, alignment_mode="expand")
            if theirs is None:
                assert ours is None, (doc.text, a, b)
                continue
            assert (ours.start, ours.end) == (theirs.start, theirs.end), (doc.text, a, b)
            if len(theirs):
                assert ours.root.i == theirs.root.i, (doc.text, a, b)
                checked += 1
    assert checked > 1000


def test_parsed_payload_round_trip_through_msgpack(pairs):
    for _, p in pairs[:60]:
        blob = msgpack.packb(p.to_payload(), use_bin_type=True)
        q = ParsedDoc.from_payload(p.text, msgpack.unpackb(blob, raw=False, use_list=False))
        assert q.to_payload() == p.to_payload()
        assert [(e.start_char, e.label_, e.text) for e in q.ents] == [(e.start_char, e.label_, e.text) for e in p.ents]


def test_cache_round_trip_and_a_later_parse_added_to_the_entry(nlp, tmp_path):
    text = "不正アクセスがありました。なお、カード情報は含まれておりません。"
    first, second = (0, 13), (13, len(text))
    cache = ParseCache(tmp_path, "m", "s")
    cache.save(text, {first: parse_for_rules(nlp, [text[slice(*first)]])[0]})
    got = cache.load(text)
    assert set(got) == {first} and got[first].spacy_doc is None
    # a rules change makes another sentence worth a parse: the entry grows, the old parse kept
    got[second] = parse_for_rules(nlp, [text[slice(*second)]])[0]
    cache.save(text, got)
    again = cache.load(text)
    assert set(again) == {first, second}
    assert [t.dep_ for t in again[second]] == [t.dep_ for t in nlp(text[slice(*second)])]
    assert again[first].to_payload() == got[first].to_payload()
    # the entry is still a DocBin spaCy reads, with GiNZA's user data
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    docs = list(DocBin(store_user_data=True).from_bytes(cache.path(text).read_bytes()).get_docs(Vocab()))
    assert [d.text for d in docs] == [text[slice(*first)], text[slice(*second)]]
    assert all("bunsetu_bi_labels" in d.user_data for d in docs)


def test_cache_entry_of_an_older_format_misses(nlp, tmp_path, monkeypatch):
    text = "氏名が流出しました。"
    monkeypatch.setattr(cache_mod, "FORMAT", cache_mod.FORMAT - 1)
    old = ParseCache(tmp_path, "m", "s")
    old.save(text, {(0, len(text)): parse_for_rules(nlp, [text])[0]})
    monkeypatch.undo()
    assert ParseCache(tmp_path, "m", "s").load(text) == {}


def test_cache_entry_whose_tokens_do_not_fit_the_text_is_reparsed(nlp, tmp_path):
    text = "氏名が流出しました。"
    cache = ParseCache(tmp_path, "m", "s")
    cache.save(text, {(0, len(text)): parse_for_rules(nlp, [text])[0]})
    other = "住所が流出しました。"  # same length, other characters: the key is forced to collide
    cache.path(other).parent.mkdir(parents=True, exist_ok=True)
    cache.path(other).write_bytes(cache.path(text).read_bytes())
    assert cache.load(other) == {} and cache.corrupt == 1


@pytest.mark.slow
def test_warm_run_never_imports_spacy(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted((CORPUS / "seeds").glob("*.txt"))[:2]:
        (src / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    base = [sys.executable, "-X", "importtime", "-m", "rouei.extract.cli", "extract", str(src),
            "--cache", str(tmp_path / "cache"), "--quiet"]
    cold = subprocess.run([*base, "-o", str(tmp_path / "a.jsonl")], cwd=ROOT, capture_output=True, text=True)
    warm = subprocess.run([*base, "-o", str(tmp_path / "b.jsonl")], cwd=ROOT, capture_output=True, text=True)
    assert cold.returncode == warm.returncode == 0, warm.stderr[-2000:]

    def imported(err: str) -> set[str]:
        return {ln.rsplit("|", 1)[1].strip() for ln in err.splitlines() if ln.startswith("import time:")}

    def heavy(mods: set[str]) -> set[str]:
        return {m for m in mods if m.split(".")[0] in ("spacy", "thinc", "ginza", "sudachipy")}

    assert {"spacy", "thinc"} <= heavy(imported(cold.stderr))
    assert heavy(imported(warm.stderr)) == set()
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
