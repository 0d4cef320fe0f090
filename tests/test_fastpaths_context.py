"""The fast paths of what every extractor asks of a document (the normalised copy's offset map,
sentences, repeated regions, skipped positions) give what the plain code gives: each is compared
with a plain reference on the seed notices, the holdout pages, edge cases and random texts."""

from __future__ import annotations

import random
import re
from bisect import bisect_right

from rouei.extract.doc import text as text_mod
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.text import Normalized

from .test_fastpaths_doc import _SENTENCE_EDGE, TEXTS, _sentences_plain

# characters that matter to the splitting and the folding, and some that do not
_ALPHABET = list("。！？!?」』(（「『)）」』\n\r \u3000\t…ﾄﾞ\u3099ｶ①ＡＢ1２年月日氏名住所漏えい") + ["\r\n", "。」"]


def _random_texts(n: int, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        size = rng.choice([0, 1, 2, 5, 20, 80, 300])
        out.append("".join(rng.choice(_ALPHABET) for _ in range(size)))
    return out


RANDOM = _random_texts(400)


def test_identity_map_answers_as_the_lookup():
    seen = 0
    for text in TEXTS + _SENTENCE_EDGE + RANDOM:
        norm = Normalized.of(text)
        listed = Normalized(text, norm.text, list(norm.starts), list(norm.ends))
        assert listed._same == -1  # lists: the plain lookup
        n = len(text)
        if type(norm.starts) is range:
            assert norm._same == n
            seen += 1
        for pos in range(-3, min(n, 400) + 4):
            assert norm.to_norm(pos) == bisect_right(norm.ends, pos) == listed.to_norm(pos)
        for start in range(0, min(n, 60) + 1):
            for end in range(start - 1, min(n, 60) + 1):
                try:
                    want = listed.span(start, end)
                except IndexError:
                    continue
                assert norm.span(start, end) == want, (text, start, end)
    assert seen > 100


def _plain_token(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[。！？!?]+[」』]*|\n+|[(（「『)）」』]", text)]


def test_sentence_tokens_and_sentences_as_the_plain_code():
    for text in TEXTS + _SENTENCE_EDGE + RANDOM:
        assert [m.span() for m in text_mod._SENT_TOKEN.finditer(text)] == _plain_token(text)
        assert text_mod.sentences(text) == _sentences_plain(text)


def _repeated_plain(text: str, min_lines: int = 3, min_chars: int = 60) -> list[tuple[int, int]]:
    """repeated_regions without the check for repeated lines first."""
    line_spans = []
    pos = 0
    for ln in text.splitlines(keepends=True):
        body = ln.strip()
        if body:
            line_spans.append((body, pos, pos + len(ln.rstrip("\r\n"))))
        pos += len(ln)
    keys = [b for b, _, _ in line_spans]
    regions = []
    i, n = 0, len(keys)
    while i < n:
        best = 0
        for j in range(i):
            length = 0
            while i + length < n and j + length < i and keys[j + length] == keys[i + length]:
                length += 1
            best = max(best, length)
        if best >= min_lines and sum(len(keys[i + k]) for k in range(best)) >= min_chars:
            regions.append((line_spans[i][1], line_spans[i + best - 1][2]))
            i += best
        else:
            i += 1
    return regions


def test_repeated_regions_as_the_plain_code():
    rng = random.Random(7)
    lines = ["発生日:2024年5月1日です。以上のとおりご報告いたします" + "。" * k for k in range(4)]
    lines += ["", "  ", "\u3000原因:設定の誤り\u3000", "x" * 70, "氏名\v住所", "a\x1cb", "短い"]
    texts = list(TEXTS)
    for _ in range(300):
        body = [rng.choice(lines) for _ in range(rng.randint(0, 12))]
        sep = rng.choice(["\n", "\r\n", "\u2028", "\n\n"])
        text = sep.join(body)
        if rng.random() < 0.5:
            text += sep + sep.join(body[: rng.randint(0, len(body))])
        texts.append(text)
    found = 0
    for text in texts:
        for min_lines in (1, 2, 3):
            want = _repeated_plain(text, min_lines)
            assert text_mod.repeated_regions(text, min_lines) == want
            found += bool(want)
    assert found > 50


def test_skipped_as_the_plain_code():
    for text in TEXTS[:20] + ["あ\nい\nう\n" * 40]:
        ctx = DocContext("t", text)
        for regions in (ctx.skip, [], [(3, 10)], [(0, 1), (5, 5), (8, 20)]):
            ctx.skip = regions
            for pos in range(-2, min(len(text), 120)):
                assert ctx.skipped(pos) == any(s <= pos < e for s, e in regions)


def _parsed(n: int):
    from rouei.extract.doc.parsed import ParsedDoc

    words = [f"w{i}" for i in range(n)]
    idx = [2 * i for i in range(n)]
    fields = {"idx": idx, "words": words, "pos": ["NOUN"] * n, "lemma": words, "norm": words,
              "dep": ["dep"] * n, "head": [max(i - 1, 0) for i in range(n)], "space": [0] * n,
              "punct": [0] * n, "sent_start": [1] + [0] * (n - 1) if n else [], "bunsetu": ["B"] * n}
    return ParsedDoc("".join(words), [], **fields)


def test_tokens_made_one_at_a_time_are_the_tokens_made_at_once():
    import pytest

    for order in ([3, -1, 0, 3], [], [0, 1, 2, 3, 4], [-5, 2]):
        doc = _parsed(5)
        one = {k: doc[k] for k in order}
        assert all(doc[k] is tok for k, tok in one.items())  # one object per index
        every = list(doc)
        assert [t.i for t in every] == [0, 1, 2, 3, 4] and every == doc.tokens
        assert all(every[k] is tok for k, tok in one.items())
        assert doc[1:3] == every[1:3] and doc[-2:] == every[-2:]
        assert doc[2].head is doc[1] and [c.i for c in doc[1].children] == [2]
        for bad in (5, -6):
            with pytest.raises(IndexError):
                doc[bad]
    assert list(_parsed(0)) == []


def test_counters_add_since_and_copy_field_by_field():
    from dataclasses import astuple, fields

    from rouei.extract.run.pipeline import Counters

    a, b = Counters(3, 100, 40, 0.5, 1.25), Counters(1, 10, 4, 0.25, 0.5)
    assert astuple(a.since(b)) == tuple(x - y for x, y in zip(astuple(a), astuple(b), strict=True))
    c = a.copy()
    assert c == a and c is not a
    c.add(b)
    assert astuple(c) == tuple(x + y for x, y in zip(astuple(a), astuple(b), strict=True))
    assert a == Counters(3, 100, 40, 0.5, 1.25) and len(fields(Counters)) == 5
