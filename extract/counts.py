"""Counts of leaked records, people or items: ``約1.2万件``, ``延べ3,427件(実人数2,567人)``.

A number followed by a counter from rules/counters.toml is a count unless a context from
rules/count_patterns.toml marks it as something else (incidents, staff, an audience)."""

from __future__ import annotations

import re
from functools import cache

from . import rules
from .context import DocContext
from .items import CountItem
from .numbers import parse_number

_BEFORE_WINDOW = 16
_AFTER_WINDOW = 40


@cache
def _compiled(rules_sha: str) -> tuple:
    pats = rules.load("count_patterns")
    counters = sorted(rules.load("counters")["counter"], key=lambda c: -len(c["unit"]))
    units = "|".join(re.escape(c["unit"]) for c in counters)
    approx = pats["approximate"]
    cumul = pats["cumulative"]["prefix"]
    regex = re.compile(
        r"(?<![\d.,A-Za-z第])"
        rf"(?P<pre>(?:{approx['prefix']}|{cumul})\s*)?"
        rf"(?P<num>{pats['number']['regex']})\s*"
        r"(?P<no>の)?"
        rf"(?P<unit>{units})"
        rf"(?P<suf>{approx['suffix']})?"
    )
    by_unit = {
        c["unit"]: (
            bool(c.get("after_no")),
            re.compile(c["requires_after"]) if c.get("requires_after") else None,
            re.compile(c["not_after"]) if c.get("not_after") else None,
        )
        for c in counters
    }
    excludes = [
        (
            e["name"],
            re.compile(e["before"]) if e.get("before") else None,
            re.compile(e["after"]) if e.get("after") else None,
        )
        for e in pats.get("exclude", [])
    ]
    approx_pre = re.compile(rf"^(?:{approx['prefix']})")
    pre_not_after = re.compile(approx["prefix_not_after"])
    return regex, by_unit, excludes, approx_pre, pre_not_after


def _patterns() -> tuple:
    # Keyed by the rules' hash so an edited rule file takes effect in a long-lived process.
    return _compiled(rules.rules_hash_cached())


def excluded_by(text: str, start: int, end: int, excludes) -> str | None:
    """Name of the exclusion context that applies to the count at text[start:end], if any."""
    before = text[max(0, start - _BEFORE_WINDOW):start]
    after = text[end:end + _AFTER_WINDOW]
    for name, bre, are in excludes:
        if (bre is None or bre.search(before)) and (are is None or are.search(after)):
            return name
    return None


def find_counts(text: str) -> list[tuple[int, int, int, str, bool]]:
    """(start, end, value, unit, approximate) for every count in a normalised text."""
    regex, by_unit, excludes, approx_pre, pre_not_after = _patterns()
    out = []
    for m in regex.finditer(text):
        unit = m.group("unit")
        after_no, requires_after, not_after = by_unit[unit]
        if m.group("no") and not after_no:
            continue
        rest = text[m.end("unit"):]
        if not_after and not_after.search(rest) and not m.group("suf"):
            continue
        if requires_after and not requires_after.search(rest):
            continue
        pre = m.group("pre") or ""
        if pre and pre_not_after.search(text[:m.start("pre")]):
            pre = ""  # 約 of 契約: the count starts at the number
        start = m.start("pre") if pre else m.start("num")
        if excluded_by(text, start, m.end(), excludes):
            continue
        try:
            value = parse_number(re.sub(r"\s+", "", m.group("num")))
        except ValueError:
            continue
        if value <= 0:
            continue
        pre = pre.strip()
        approximate = bool(approx_pre.search(pre)) or bool(m.group("suf"))
        out.append((start, m.end(), value, unit, approximate))
    return out


def extract(ctx: DocContext) -> list[CountItem]:
    items = []
    for ns, ne, value, unit, approximate in find_counts(ctx.norm.text):
        s, e, text = ctx.span_of_norm(ns, ne)
        items.append(CountItem(text, s, e, value=value, unit=unit, approximate=approximate))
    return items
