"""The counts' speed-ups find what the plain rules find: the count regex with its first-character
guard finds the same matches and groups as without it, and the exclusion contexts judged with
one search over all befores and one over all afters give the same names as each judged alone."""

from __future__ import annotations

import dataclasses
import random
import re

from rouei.extract.core import rules
from rouei.extract.doc.text import Normalized
from rouei.extract.fields import counts

from .conftest import CORPUS, ROOT

PATTERNS = rules.load("count_patterns")


def _texts() -> list[str]:
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + sorted((ROOT / "tests/fixtures/holdout").glob("*.txt"))
    out = [Normalized.of(p.read_text(encoding="utf-8")).text for p in paths]
    out += [Normalized.of(e["example"]).text for e in PATTERNS["exclude"]]
    # numbers, counters, prefixes and context words run together at random
    rng = random.Random(14)
    pieces = ["約", "延べ", "計", "1,234", "3", "12.5万", "三十二", "数十", "件", "名", "人", "の", "が", "は",
              "職員", "事案", "発生", "送信", "以上", "余", " ", "\n", "、", "。", "第", "-", "a", "契約",
              "全校生徒", "関連記事\n", "他のお客様の情報", "https://x.jp", "(", ")"]
    out += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    return out


TEXTS = _texts()


def test_count_regex_guard_keeps_every_match():
    r = counts._rules()
    plain = re.compile(counts.count_pattern(PATTERNS, counts.counter_entries()))
    assert r.regex.pattern != plain.pattern  # the guard is there
    found = 0
    for text in TEXTS:
        got = [(m.span(), m.groupdict()) for m in r.regex.finditer(text)]
        assert got == [(m.span(), m.groupdict()) for m in plain.finditer(text)], text
        found += len(got)
    assert found > 1000


def test_count_exclusions_prefilter_gives_the_same_names():
    r = counts._rules()
    assert r.any_before is not None and r.any_after is not None and len(r.ungated) < len(r.exclusions)
    plain = dataclasses.replace(r, any_before=None, any_after=None, ungated=r.exclusions)
    named = 0
    for text in TEXTS:
        for s, e, _, unit, _ in counts.candidates(text):
            got = counts.exclusions_at(text, s, e, unit, r)
            assert got == counts.exclusions_at(text, s, e, unit, plain), text[s:e]
            named += bool(got)
    assert named > 100
    # also at places that are not counts, with every counter
    units = [c["unit"] for c in counts.counter_entries()]
    for text in TEXTS[:80]:
        for s in range(0, len(text), 13):
            unit = units[s % len(units)]
            assert counts.exclusions_at(text, s, s + 2, unit, r) == counts.exclusions_at(text, s, s + 2, unit, plain)
