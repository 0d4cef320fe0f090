"""The counts' shortcuts answer as the plain code does: the strings a pattern requires (read
from its parse) are in every match, so a text without them can skip the search; the exclusions
picked once per unit and prefilter outcome name the same contexts as every context judged
alone; a numeral's value remembered is its value."""

from __future__ import annotations

import random
import re

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.numbers import parse_number
from rouei.extract.doc.text import Normalized
from rouei.extract.fields import counts

from .conftest import CORPUS, ROOT

PATTERNS = rules.load("count_patterns")


def _texts() -> list[str]:
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + sorted((ROOT / "tests/fixtures/holdout").glob("*.txt"))
    out = [Normalized.of(p.read_text(encoding="utf-8")).text for p in paths]
    out += [Normalized.of(e["example"]).text for e in PATTERNS["exclude"]]
    out.append(Normalized.of(PATTERNS["table_total"]["example"]).text)
    rng = random.Random(41)
    pieces = ["約", "延べ", "計", "1,234", "3", "12.5万", "三十二", "件", "名", "人", "通", "の", "が", "は",
              "職員", "事案", "発生", "送信", "以上", "余", " ", "\n", "、", "。", "第", "-", "a",
              "関連記事\n", "あわせて読みたい", "他のお客様の情報を閲覧した", "別の", "https://x.jp\n",
              "(単位:人)\n", "単位", "合計 ", "\t", "|", "200", "区分 小学生\n", "ランキング"]
    out += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(3000)]
    return out


TEXTS = _texts()


# -- _required ----------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern,needs", [
    ("単位", ("単位",)),
    ("[((]?\\s*単位\\s*[::]?", ("単位",)),
    ("(?:^|\\n)[ \\t]*(?:関連記事|人気記事)\\n", ("人気記事", "関連記事")),
    ("ab(?:cd|efg)h", ("ab",)),
    ("a(?:cd|efg)h", ("cd", "efg")),
    ("(?P<x>abc)d", ("abc",)),
    ("(?:a|b.)c", ("c",)),
    ("(?:abc)?d", ("d",)),  # an optional group requires nothing
    ("[ab]+", ("a", "b")),  # a class of a few characters: one of them
    ("(?i)abc", None),
    ("(?=abc)d", ("d",)),  # a lookahead consumes nothing
    ("a|bc", ("a", "bc")),
    ("a|b+", ("a", "b")),
    (".*", None),  # all wildcards: nothing is required
])
def test_required_reads_the_pattern(pattern, needs):
    assert counts._required(pattern) == needs


def test_required_strings_are_in_every_match_of_the_rules():
    r = counts._rules()
    pairs = [(ex.before, ex.needs) for ex in r.exclusions if ex.needs is not None]
    pairs.append((r.table_header, r.header_needs))
    assert len(pairs) >= 3
    matched = 0
    for pattern, needs in pairs:
        for text in TEXTS:
            for m in pattern.finditer(text):
                assert any(n in m.group() for n in needs), (pattern.pattern, m.group())
                matched += 1
    assert matched > 20


# -- exclusions_at -------------------------------------------------------------------------------

def _plain_exclusions_at(text: str, start: int, end: int, unit: str) -> list[str]:
    """Every context judged alone, on its own windows, with no prefilter."""
    r = counts._rules()
    names = []
    for ex in r.exclusions:
        if ex.units is not None and not ex.units.search(unit):
            continue
        before = text[max(0, start - ex.window):start]
        if ex.before is not None and not ex.before.search(before):
            continue
        if ex.after is not None and not ex.after.search(text[end:end + counts._AFTER_WINDOW]):
            continue
        if ex.unless_before is not None and ex.unless_before.search(text[max(0, start - counts._BEFORE_WINDOW):start]):
            continue
        if ex.unless_after is not None and ex.unless_after.search(text[end:end + ex.after_window]):
            continue
        names.append(ex.name)
    return names


def test_exclusions_give_the_same_names_as_each_judged_alone():
    named = set()
    for text in TEXTS:
        for s, e, _, unit, _ in counts.candidates(text):
            got = counts.exclusions_at(text, s, e, unit)
            assert got == _plain_exclusions_at(text, s, e, unit), text[s:e]
            named.update(got)
    assert {"link_list", "viewers_of_others"} <= named and len(named) > 20
    units = [c["unit"] for c in counts.counter_entries()]
    for text in TEXTS[:120]:
        for s in range(0, len(text), 7):
            unit = units[s % len(units)]
            assert counts.exclusions_at(text, s, s + 2, unit) == _plain_exclusions_at(text, s, s + 2, unit)


def test_counts_stopping_at_the_first_exclusion_keep_what_every_name_keeps():
    # find_counts asks only for the first context that applies (the rest are not searched);
    # the prefix test reads the one character before the prefix
    kept = dropped = 0
    for text in TEXTS:
        plain = [c for c in counts.candidates(text) if not _plain_exclusions_at(text, c[0], c[1], c[3])]
        got = counts.find_counts(text)
        assert got == plain, text
        kept += len(got)
        dropped += len(counts.candidates(text)) - len(got)
    assert kept > 100 and dropped > 100


# -- values and tables -------------------------------------------------------------------------

def _plain_value(num: str) -> int | None:
    try:
        return parse_number(re.sub(r"\s+", "", num))
    except ValueError:
        return None


def test_value_remembered_is_the_parsed_value():
    r = counts._rules()
    nums = {m.group("num") for t in TEXTS for m in r.regex.finditer(t)}
    nums |= {"1 234", "1.5万", "0.00001万", "三十二万五千", "十", "1,2,3", "", " "}
    assert len(nums) > 100
    for _ in range(2):
        for num in sorted(nums):
            assert counts._value(num) == _plain_value(num), num


def _plain_table_totals(text: str) -> list:
    r = counts._rules()
    out = []
    for h in r.table_header.finditer(text):
        start = text.find("\n", h.end())
        if start < 0:
            continue
        end = start
        for _ in range(r.table_lines):
            nxt = text.find("\n", end + 1)
            end = len(text) if nxt < 0 else nxt
            if nxt < 0:
                break
        m = r.table_total.search(text, start + 1, end)
        if m is not None:
            value = int(m.group("num").replace(",", ""))
            if value > 0:
                out.append((m.start("num"), m.end("num"), value, h.group("unit"), False))
    return out


def test_table_totals_as_without_the_prefilter():
    found = 0
    for text in TEXTS:
        got = counts.table_totals(text)
        assert got == _plain_table_totals(text), text[:80]
        found += len(got)
    assert found > 0
