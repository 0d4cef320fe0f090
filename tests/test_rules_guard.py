"""The first-character guard (extract.rules.guarded) changes how fast a pattern searches, never
what it matches: checked on every regex in rules/ against the seed notices."""

from __future__ import annotations

import re

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.text import Normalized

from .conftest import CORPUS


def _rule_regexes() -> list[str]:
    """Every string in rules/*.toml that compiles as a regex after fragment expansion."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and any(ch in node for ch in "()[]|?*+\\"):
            try:
                re.compile(rules.expand(node))
            except (re.error, Exception):  # noqa: BLE001 - not every string is a pattern
                return
            found.append(rules.expand(node))

    for path in sorted(rules.rules_dir().glob("*.toml")):
        walk(rules.load(path.stem))
    return sorted(set(found))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out = []
    for path in sorted((CORPUS / "seeds").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        out += [raw, Normalized.of(raw).text]
    return out


def _spans(pat: re.Pattern[str], text: str) -> list[tuple]:
    return [(m.span(), m.groups(), tuple(sorted(m.groupdict().items()))) for m in pat.finditer(text)]


def test_guard_same_matches_for_every_rule_pattern(texts):
    patterns = _rule_regexes()
    assert len(patterns) > 100
    guarded = 0
    for p in patterns:
        plain, fast = re.compile(p), rules.guarded(p)
        guarded += fast.pattern != p
        for text in texts:
            assert _spans(fast, text) == _spans(plain, text), p
            # match at a fixed position (how the extractors use .match(text, pos)) agrees too
            for pos in range(0, len(text), 97):
                a, b = plain.match(text, pos), fast.match(text, pos)
                assert (a and a.span()) == (b and b.span()), (p, pos)
    assert guarded > 20  # the guard is in use, not silently skipped


@pytest.mark.parametrize("pattern, firsts", [
    (r"(?:令和|平成)?\d+年", {"令", "平", "\\d"}),
    (r"(?<!見)落とし", {"落"}),
    (r"(?:ab)*c|d", {"a", "c", "d"}),
    (r"\s*(?:第)?[一二]", {"\\s", "第", "一", "二"}),
    (r"(?<![一-龥])[ぁ-ん]{2,5}(?:市|町)", {"ぁ-ん"}),  # a range stays a range
])
def test_first_chars(pattern, firsts):
    assert rules.first_chars(pattern) == frozenset(firsts)


@pytest.mark.parametrize("pattern", [r"x*", r"[^a]b", r"(?i)ab", r".b", r"(?:ab|)", r"\Dx"])
def test_first_chars_unknown_or_empty_match(pattern):
    assert rules.first_chars(pattern) is None
    assert rules.guarded(pattern).pattern == pattern


def test_guard_skips_patterns_the_engine_already_scans_fast_and_keeps_global_flags():
    assert rules.guarded("盗難|窃盗").pattern == "盗難|窃盗"
    assert rules.guarded(r"[0-9]+件").pattern == r"[0-9]+件"
    p = rules.guarded(r"(?x) (?:a | b)? c")
    assert p.search("zzbc").group() == "bc"
    g = rules.guarded(r"(?:令和|平成)?(?P<n>\d+)年")
    assert g.pattern.startswith("(?=[") and g.search("令和5年").group("n") == "5"


def test_led_puts_the_lookahead_after_global_flags_and_also_before_a_branch_of_words():
    from rouei.extract.core import rules

    words = rules.led("当社|弊社|本市")
    assert words.pattern.startswith("(?=[") and words.findall("本市と当社と弊社") == ["本市", "当社", "弊社"]
    flagged = rules.led("(?m)^(?:本市|当院)")
    assert flagged.pattern.startswith("(?m)(?=[")
    assert flagged.findall("x\n当院\n本市") == ["当院", "本市"]
    assert rules.led(".x").pattern == ".x"  # any character can start it: no lookahead
