"""Counts of leaked records, people or items: ``約1.2万件``, ``延べ3,427件(実人数2,567人)``.

A number followed by a counter from rules/counters.toml is a count unless a context from
rules/count_patterns.toml marks it as something else (incidents, staff, an audience, inquiries).
Plain window rules on the normalised copy: no parse is needed, so counts cost almost nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import CountItem
from rouei.extract.doc.numbers import parse_number
from rouei.extract.fields import cue_index

log = logging.getLogger(__name__)

# How much text the exclusion contexts see on each side of a count. The after-window is long
# enough for the rest of a link caption's line and the start of the URL line below it.
_BEFORE_WINDOW = 20
_AFTER_WINDOW = 80

# A number must not start inside another token: after a digit, a comma group, a decimal point
# that follows a digit (the 5 of 1.5万), a Latin letter (a product or file name), 第 (an
# ordinal), or a dash or slash (phone numbers, dates, paths).
_NUMBER_START = r"(?<![\d,A-Za-z第\-/_#])(?<!\d\.)"
# Before a kanji numeral these make it vague, not a figure: 数十万件, 何百人, 幾千.
_VAGUE_BEFORE_KANJI = "数何幾"


@dataclass(frozen=True)
class _Counter:
    """A counter word of rules/counters.toml (名, 件 ...) and what it needs around it."""
    unit: str
    after_no: bool
    tight: bool
    not_after: re.Pattern[str] | None
    requires_before: re.Pattern[str] | None
    requires_after: re.Pattern[str] | None


@dataclass(frozen=True)
class _Exclusion:
    """A context of rules/count_patterns.toml in which a number is not a count."""
    name: str
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    unless_before: re.Pattern[str] | None
    unless_after: re.Pattern[str] | None
    units: re.Pattern[str] | None
    window: int
    after_window: int
    # for a `before` on a window of its own: strings one of which every match holds (None:
    # not known). A text that holds none of them needs no search of its windows.
    needs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class _Rules:
    """The count patterns, counters and exclusions, compiled."""
    regex: re.Pattern[str]
    counters: dict[str, _Counter]
    exclusions: tuple[_Exclusion, ...]
    # one pattern for the `before` (on the usual window) and one for the `after` of every
    # context, searched once per count: most counts have no context, and then only the
    # contexts in `ungated` (a wider before-window, or neither pattern) need a search of their own
    any_before: re.Pattern[str] | None
    any_after: re.Pattern[str] | None
    ungated: tuple[_Exclusion, ...]
    approx_prefix: re.Pattern[str]
    prefix_not_after: re.Pattern[str]
    table_header: re.Pattern[str]
    table_total: re.Pattern[str]
    table_lines: int
    header_needs: tuple[str, ...] | None = None  # as _Exclusion.needs, for table_header
    # the exclusions that can apply, by (unit, any before matched, any after matched); filled
    # on use (see exclusions_at)
    applicable: dict[tuple[str, bool, bool], tuple[_Exclusion, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False)


def _opt(entry: dict, key: str) -> re.Pattern[str] | None:
    pattern = entry.get(key)
    if not pattern:
        return None
    # an anchored pattern gets no guard (rules.guarded leaves it as it is)
    return rules.compile_pattern(pattern)


def _union(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that matches wherever one of ``patterns`` does (None when they cannot be
    joined): rules.union, or for patterns all anchored with ^ a bare alternation, which the
    engine gives up after the first place as it does each of them."""
    if not all(p.pattern.startswith("^") for p in patterns):
        return rules.union(patterns)
    try:
        return rules.regex("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:
        return None


def _required(pattern: str) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` holds (cue_index.required_factors, in
    a fixed order), or None when none are known: a context whose strings a text lacks cannot
    match it, and is not searched."""
    found = cue_index.required_factors(pattern)
    return tuple(sorted(found)) if found else None


@lru_cache(maxsize=32)
def _holds_any(text: str, needs: tuple[str, ...]) -> bool:
    """Does ``text`` hold one of ``needs``? (kept for the document: asked for each count)"""
    return any(n in text for n in needs)


def counter_entries() -> list[dict]:
    """The counters of rules/counters.toml, longest unit first (の件 before 件)."""
    return sorted(rules.load("counters")["counter"], key=lambda c: -len(c["unit"]))


def count_pattern(pats: dict, entries: list[dict]) -> str:
    """The regex of a number with a counter (and an optional prefix and suffix), from
    rules/count_patterns.toml and the counters ``entries`` (longest unit first)."""
    units = "|".join(re.escape(c["unit"]) for c in entries)
    approx, cumul = pats["approximate"], pats["cumulative"]
    number = rules.expand(pats["number"]["regex"])
    return (rf"(?P<pre>(?:{approx['prefix']}|{cumul['prefix']})[ \t]*)?"
            rf"{_NUMBER_START}(?P<num>{number})"
            rf"(?P<sp>[ \t]*)(?P<inf>{approx['infix']})?(?P<no>の)?"
            rf"(?P<unit>{units})"
            rf"(?P<suf>{approx['suffix']})?")


@cache
def _compiled(rules_sha: str) -> _Rules:
    """Build the count regex and contexts from the rule files (once per rules version)."""
    pats = rules.load("count_patterns")
    entries = counter_entries()
    counters = {
        c["unit"]: _Counter(c["unit"], bool(c.get("after_no")), bool(c.get("tight")),
                            _opt(c, "not_after"), _opt(c, "requires_before"),
                            _opt(c, "requires_after"))
        for c in entries
    }
    # guarded: the pattern starts with an optional prefix, which would make the engine try it
    # at every character; the lookahead on the possible first characters skips most of them
    regex = rules.guarded(count_pattern(pats, entries))
    exclusions = tuple(
        _Exclusion(e["name"], _opt(e, "before"), _opt(e, "after"), _opt(e, "unless_before"),
                   _opt(e, "unless_after"), _opt(e, "units"),
                   int(e.get("before_window", _BEFORE_WINDOW)),
                   int(e.get("after_window", _AFTER_WINDOW)),
                   _required(rules.expand(e["before"])) if e.get("before") and
                   int(e.get("before_window", _BEFORE_WINDOW)) != _BEFORE_WINDOW else None)
        for e in pats.get("exclude", [])
    )
    log.debug("counts: %d counters, %d exclusions", len(counters), len(exclusions))
    any_before = _union([e.before for e in exclusions if e.before is not None and e.window == _BEFORE_WINDOW])
    any_after = _union([e.after for e in exclusions if e.after is not None])
    ungated = tuple(e for e in exclusions if not (
        (any_before is not None and e.before is not None and e.window == _BEFORE_WINDOW)
        or (any_after is not None and e.after is not None)))
    table, approx = pats["table_total"], pats["approximate"]
    return _Rules(regex, counters, exclusions, any_before, any_after, ungated,
                  rules.regex(rf"^(?:{approx['prefix']})"),
                  rules.regex(approx["prefix_not_after"]),
                  rules.compile_pattern(table["header"]),
                  rules.compile_pattern(table["total"], re.MULTILINE), int(table["lines"]),
                  _required(rules.expand(table["header"])))


def _rules() -> _Rules:
    # Keyed by the rules' hash so an edited rule file takes effect in a long-lived process.
    return _compiled(rules.rules_hash_cached())


def _applicable(r: _Rules, unit: str, any_before: bool, any_after: bool) -> tuple[_Exclusion, ...]:
    """The exclusions that can apply to a count with this unit, given whether any context's
    before (on the usual window) and any context's after matched: the rest fail exclusions_at's
    tests for sure. In rule order; worked out once per rules version."""
    key = (unit, any_before, any_after)
    got = r.applicable.get(key)
    if got is None:
        pool = r.exclusions if any_before or any_after else r.ungated
        got = r.applicable[key] = tuple(
            ex for ex in pool
            if (ex.units is None or ex.units.search(unit))
            and not (ex.before is not None and ex.window == _BEFORE_WINDOW and not any_before)
            and not (ex.after is not None and not any_after))
    return got


def exclusions_at(text: str, start: int, end: int, unit: str, r: _Rules | None = None) -> list[str]:
    """Names of every exclusion context that applies to the count at text[start:end]."""
    return list(_exclusions(text, start, end, unit, r or _rules()))


def _exclusions(text: str, start: int, end: int, unit: str, r: _Rules) -> Iterator[str]:
    """exclusions_at, one name at a time: find_counts needs only the first, and the contexts
    after it are then not searched."""
    before = text[max(0, start - _BEFORE_WINDOW):start]
    after = text[end:end + _AFTER_WINDOW]
    # where no context's before (after) matches, none of them needs its own search
    any_before = r.any_before is None or r.any_before.search(before) is not None
    any_after = r.any_after is None or r.any_after.search(after) is not None
    for ex in _applicable(r, unit, any_before, any_after):
        if ex.before is not None:
            if ex.window != _BEFORE_WINDOW:
                if ex.needs is not None and not _holds_any(text, ex.needs):
                    continue  # its window, a part of the text, cannot hold a match
                if not ex.before.search(text[max(0, start - ex.window):start]):
                    continue
            elif not (any_before and ex.before.search(before)):
                continue
        wide_after = text[end:end + ex.after_window] if ex.after_window != _AFTER_WINDOW else after
        if ex.after is not None and not (any_after and ex.after.search(after)):
            continue
        if ex.unless_before is not None and ex.unless_before.search(before):
            continue
        if ex.unless_after is not None and ex.unless_after.search(wide_after):
            continue
        yield ex.name


def _counter_fits(c: _Counter, m: re.Match[str], text: str) -> bool:
    """The counter's own conditions: の and spaces allowed, the next word, the required context."""
    if m.group("no") and not c.after_no:
        return False
    if m.group("sp") and c.tight:
        return False
    rest = text[m.end("unit"):m.end("unit") + _AFTER_WINDOW]
    if c.not_after is not None and not m.group("suf") and c.not_after.search(rest):
        return False
    if c.requires_before is None and c.requires_after is None:
        return True
    before = text[max(0, m.start("num") - _BEFORE_WINDOW):m.start("num")]
    return bool((c.requires_before is not None and c.requires_before.search(before))
                or (c.requires_after is not None and c.requires_after.search(rest)))


def candidates(text: str) -> list[tuple[int, int, int, str, bool]]:
    """(start, end, value, unit, approximate) of every number+counter in a normalised text,
    before the exclusion contexts are applied."""
    r = _rules()
    out = []
    for m in r.regex.finditer(text):
        unit = m.group("unit")
        if not _counter_fits(r.counters[unit], m, text):
            continue
        num_start = m.start("num")
        if not text[num_start].isdigit() and text[num_start - 1:num_start] in _VAGUE_BEFORE_KANJI:
            continue
        pre = (m.group("pre") or "").strip()
        if pre and r.prefix_not_after.search(text[max(0, m.start("pre") - 1):m.start("pre")]):
            pre = ""  # the 約 of 契約 or 予約: the count starts at the number
        value = _value(m.group("num"))
        if value is None or value <= 0:
            continue
        approximate = bool(r.approx_prefix.search(pre) or m.group("suf") or m.group("inf"))
        out.append((m.start("pre") if pre else num_start, m.end(), value, unit, approximate))
    return out


@lru_cache(maxsize=4096)
def _value(num: str) -> int | None:
    """The value of a numeral as matched (white space inside allowed); None when it is not a
    number. Kept: a notice repeats its figures, and dates share theirs."""
    try:
        return parse_number(re.sub(r"\s+", "", num))
    except ValueError:
        return None


def find_counts(text: str) -> list[tuple[int, int, int, str, bool]]:
    """(start, end, value, unit, approximate) for every count in a normalised text."""
    r = _rules()
    out = []
    for cand in candidates(text):
        name = next(_exclusions(text, cand[0], cand[1], cand[3], r), None)
        if name is not None:
            log.debug("count %r excluded: %s", text[cand[0]:cand[1]], name)
            continue
        out.append(cand)
    return out


def table_totals(text: str) -> list[tuple[int, int, int, str, bool]]:
    """(start, end, value, unit, False) for the total row of each table whose header gives the
    unit (単位:人): its cells are bare numbers, so no counter follows them."""
    r = _rules()
    out: list[tuple[int, int, int, str, bool]] = []
    if r.header_needs is not None and not any(n in text for n in r.header_needs):
        return out  # no header can match
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


def extract(ctx: DocContext) -> list[CountItem]:
    """Every count in the document, in text order, with spans into ``ctx.text``."""
    items = []
    found = find_counts(ctx.norm.text)
    seen = {(c[0], c[1]) for c in found}
    found += [t for t in table_totals(ctx.norm.text) if (t[0], t[1]) not in seen]
    for ns, ne, value, unit, approximate in sorted(found):
        s, e, text = ctx.span_of_norm(ns, ne)
        items.append(CountItem(text, s, e, value=value, unit=unit, approximate=approximate))
    return items
