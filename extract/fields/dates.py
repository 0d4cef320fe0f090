"""Dates: every calendar date of a notice, as ISO 8601 at the precision written, with a role.

Matching runs on the normalised copy with the patterns of rules/date_patterns.toml; matches in
law numbers, URLs, version strings and the like are dropped (rules/date_exclusions.toml).
Year-less and relative dates are resolved in fields/date_resolve.py (the nearest preceding
date, the publication date, the notice's own date); ranges become period_start/period_end.
Roles come from fields/date_roles.py, which reads the notice's layout first.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from rouei.extract.core import compiled, rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import DateItem, Mention
from rouei.extract.doc.layout_rules import needed_chars as _needed
from rouei.extract.doc.numbers import kanji_to_int
from rouei.extract.fields import date_resolve, date_roles

_SPACE = compiled.regex(r"\s")
_UP_TO_MONTH = compiled.regex(r".*?月", re.S)
_DAY_NUM = compiled.regex(r"\d{1,2}")
# a date in brackets that closes its line: "…再開いたしました。(2022/04/06)" (an update stamp)
_STAMP_AFTER = compiled.regex(r"[ \t]*(?:更新|掲載|追記)?\)[ \t]*(?:\n|$)")


@dataclass(frozen=True)
class _Rules:
    """rules/date_patterns.toml, rules/eras.toml and rules/date_exclusions.toml compiled."""
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    # per pattern: sets of characters of which a match must hold one each (see _needed)
    needs: tuple[tuple[frozenset[str], ...], ...]
    joinable: tuple[bool, ...]  # per pattern: whether it can join the one scan (see _scan)
    need_chars: frozenset[str]  # every character of every set above and below
    eras: dict[str, tuple[int, int]]  # name or abbreviation → (first western year, last year)
    qualifier: re.Pattern[str]
    weekday: re.Pattern[str]
    clock: re.Pattern[str]
    continuation: re.Pattern[str]
    range_sep: re.Pattern[str]
    range_day_end: re.Pattern[str]
    fiscal: re.Pattern[str]
    fiscal_needs: tuple[frozenset[str], ...]
    excludes: tuple[dict, ...]
    url: re.Pattern[str]
    url_digits: re.Pattern[str]
    header_year: re.Pattern[str]
    # _live's answers: not an argument, so that dataclasses.replace starts them afresh
    lives: dict[frozenset[str], list[int]] = field(default_factory=dict, init=False,
                                                   compare=False, repr=False)
    # _excludes_for's answers, by (pattern name, precision)
    excludes_for: dict[tuple[str, str], tuple[dict, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False)


def _at(regex: str) -> re.Pattern[str]:
    """A rule anchored with ^ compiled for ``pattern.match(text, pos)`` (where ^ would
    only match at 0)."""
    return rules.compile_pattern(regex.removeprefix("^"))


@cache
def _rules() -> _Rules:
    """The date rules, compiled once per process."""
    pats = rules.load("date_patterns")
    eras: dict[str, tuple[int, int]] = {}
    for era in rules.load("eras")["era"]:
        eras[era["name"]] = eras[era["abbr"]] = (era["start"], era["max_year"])
    excl = rules.load("date_exclusions")
    excludes: list[dict] = [
        {k: rules.compile_pattern(ex[k]) if k in ex else None for k in ("after", "before", "around")}
        | {"applies": tuple(ex.get("applies", ())), "patterns": tuple(ex.get("patterns", ())),
           "around_needs": _needed(rules.compile_pattern(ex["around"])) if "around" in ex else ()}
        for ex in excl["exclude"]
    ]
    patterns = tuple((p["name"], rules.compile_pattern(p["regex"])) for p in pats["pattern"])
    fiscal = rules.compile_pattern(pats["fiscal_year"]["regex"])
    return _Rules(
        patterns=patterns,
        needs=tuple(_needed(pat) for _, pat in patterns),
        joinable=tuple(_joinable(pat) for _, pat in patterns),
        need_chars=frozenset().union(*(n for _, pat in patterns for n in _needed(pat)),
                                     *_needed(fiscal),
                                     *(n for ex in excludes for n in ex["around_needs"])),
        eras=eras,
        qualifier=_at(pats["qualifier"]["regex"]),
        weekday=_at(pats["weekday"]["regex"]),
        clock=_at(pats["clock"]["regex"]),
        continuation=_at(pats["continuation"]["regex"]),
        range_sep=rules.compile_pattern(pats["range"]["regex"]),
        range_day_end=_at(pats["range_day_end"]["regex"]),
        fiscal=fiscal,
        fiscal_needs=_needed(fiscal),
        excludes=tuple(excludes),
        url=rules.compile_pattern(excl["url_date"]["regex"]),
        url_digits=rules.compile_pattern(excl["url_date"]["digits"]),
        header_year=rules.compile_pattern(pats["header_year"]["regex"]),
    )


# -- one scan for the start of every date -------------------------------------------------
# Each date pattern scanned on its own pays the engine's per-position cost once per pattern,
# though few positions start a date. One scan with all the patterns side by side in a
# lookahead finds every position where any of them matches; each (live) pattern is then tried
# only there. A pattern that can match the empty string (every position) is scanned on its own.

_GROUP_NAME = compiled.regex(r"(?<!\\)\(\?P<(\w+)>")
_GROUP_REF = compiled.regex(r"(?<!\\)\(\?P=(\w+)\)")
# what the renaming of groups cannot follow: numbered back references, conditionals, flags
_UNJOINABLE = compiled.regex(r"\\[1-9]|\(\?\(|\(\?[aiLmsux]")


def _joinable(pat: re.Pattern[str]) -> bool:
    return rules.first_chars(pat.pattern, pat.flags & ~re.UNICODE) is not None \
        and not _UNJOINABLE.search(pat.pattern) and not pat.flags & ~re.UNICODE


@cache
def _starts_pattern() -> re.Pattern[str] | None:
    """A pattern that matches (the one character) where one of the _joinable date patterns
    starts a match. Compiling it takes some 30 ms (see _JOIN_AFTER)."""
    r = _rules()
    alts = []
    firsts: set[str] = set()
    for k, (_, pat) in enumerate(r.patterns):
        if not r.joinable[k]:
            continue
        alts.append("(?:" + _uncaptured(pat.pattern, f"d{k}_") + ")")
        firsts |= rules.first_chars(pat.pattern) or set()
    if len(alts) < 2:
        return None
    klass = rules.char_class(firsts)
    try:
        # the match takes the character it starts at: a pattern that cannot match the empty
        # string lets the engine's search skip to the next character of the class (see
        # core/compiled.py, _led_skip); finditer still tries every place, one after another
        return rules.regex(f"(?=[{klass}])(?=" + "|".join(alts) + f")[{klass}]")
    except re.error:
        return None


def _uncaptured(pattern: str, prefix: str) -> str:
    """``pattern`` for the one scan, which asks only where a match starts: a named group that
    a back reference uses is renamed apart (``prefix``), every other named group captures
    nothing. The same matches; the engine pays for each group a match enters (its marks are
    saved and restored at every choice), and the scan enters some twenty alternatives at each
    digit and era character of a text (a quarter less work for the scan)."""
    refs = set(_GROUP_REF.findall(pattern))
    src = _GROUP_NAME.sub(lambda m: f"(?P<{prefix}{m[1]}>" if m[1] in refs else "(?:", pattern)
    return _GROUP_REF.sub(f"(?P={prefix}\\1)", src)


# The one scan pays for its compilation after this many texts of a process; a run of a few
# notices scans pattern by pattern.
_JOIN_AFTER = 16
_texts_scanned = [0]


def _starts_for_run() -> re.Pattern[str] | None:
    _texts_scanned[0] += 1
    return _starts_pattern() if _texts_scanned[0] > _JOIN_AFTER else None


def _scan(norm: str, live: list[int], r: _Rules,
          union: re.Pattern[str] | None) -> Iterator[tuple[str, re.Match[str]]]:
    """(pattern name, match) of every match of the patterns ``live`` in ``norm``, pattern by
    pattern, each in the order and with the overlaps of its own ``finditer``; ``union`` (from
    _starts_pattern, or None) finds where the joinable ones can start."""
    starts = [m.start() for m in union.finditer(norm)] if union is not None else []
    for k in live:
        name, pat = r.patterns[k]
        if union is None or not r.joinable[k]:
            for m in pat.finditer(norm):
                yield name, m
            continue
        # finditer's own walk, over the positions where a match can start: a match found,
        # the search goes on from its end (no pattern here matches the empty string)
        end = 0
        for p in starts:
            if p >= end:
                found = pat.match(norm, p)
                if found:
                    yield name, found
                    end = found.end()


def _may_hold(present: set[str], needs: tuple[frozenset[str], ...]) -> bool:
    """Whether a text with the characters ``present`` may hold a match that ``needs`` them."""
    return not any(need.isdisjoint(present) for need in needs)


def _num(s: str | None) -> int | None:
    """A date number: arabic, kanji (二十六) or 元 (the first year of an era)."""
    if s is None:
        return None
    if s.isdigit():  # the common case: arabic digits, no space to remove
        return int(s)
    s = _SPACE.sub("", s)
    if s == "元":
        return 1
    if s.isdigit():
        return int(s)
    try:
        return kanji_to_int(s)
    except ValueError:
        return None


def _mention(name: str, m: re.Match[str], r: _Rules) -> Mention | None:
    g = m.groupdict()
    mn = Mention(m.start(), m.end(), name)
    era = g.get("era") or g.get("abbr")
    year = _num(g.get("year"))
    if era and year is not None:
        start, max_year = r.eras[era]
        if not 1 <= year <= max_year:
            return None
        mn.year = start + year - 1
    elif g.get("wyear"):
        mn.year = _num(g["wyear"])
    elif year is not None:
        mn.year = year
    mn.yy = _num(g.get("yy"))
    # an empty group marks a bare 同 (同3月17日 → 同年, 同12日 → 同月)
    mn.rel = "同年" if g.get("rel") == "" else g.get("rel")
    mn.relm = "同月" if g.get("relm") == "" or g.get("relm2") == "" else g.get("relm")
    month = g.get("month") or g.get("month2")
    day = g.get("day") or g.get("day2") or g.get("day3")
    mn.month, mn.day = _num(month), _num(day)
    if (month and mn.month is None) or (day and mn.day is None):
        return None  # a kanji numeral that is no number (十十)
    if mn.month is not None and not 1 <= mn.month <= 12:
        return None
    if mn.day is not None and not 1 <= mn.day <= 31:
        return None
    return mn


def _precision(mn: Mention) -> str:
    if mn.day is not None:
        return "day"
    return "month" if mn.month is not None else "year"


def _excludes_for(r: _Rules, pattern: str, prec: str) -> tuple[dict, ...]:
    """The exclusions that apply to a match of ``pattern`` written to ``prec``, in order."""
    key = (pattern, prec)
    got = r.excludes_for.get(key)
    if got is None:
        got = r.excludes_for[key] = tuple(
            ex for ex in r.excludes if (not ex["applies"] or prec in ex["applies"])
            and (not ex["patterns"] or pattern in ex["patterns"]))
    return got


def _excluded(mn: Mention, norm: str, r: _Rules, url_spans: list[tuple[int, int]]) -> bool:
    applies = _excludes_for(r, mn.pattern, _precision(mn))
    if not applies:
        return False
    before = norm[max(0, mn.ns - 30):mn.ns]
    after = norm[mn.ne:mn.ne + 40]
    for ex in applies:
        if ex["after"] is not None and ex["after"].search(after):
            return True
        if ex["before"] is not None and ex["before"].search(before):
            return True
        if ex["around"] is not None and any(s <= mn.ns and mn.ne <= e for s, e in url_spans):
            return True
    return False


def _live(r: _Rules, present: frozenset[str]) -> list[int]:
    """The patterns that can match a text holding ``present`` (of r.need_chars): a character
    of each set their matches need is present. Kept per set (few sets come back, over and
    over)."""
    got = r.lives.get(present)
    if got is None:
        if len(r.lives) > 4096:
            r.lives.clear()
        dead = {k for k, needs in enumerate(r.needs) for need in needs
                if need.isdisjoint(present)}
        got = r.lives[present] = [k for k in range(len(r.patterns)) if k not in dead]
    return got


def find_mentions(norm: str) -> list[Mention]:
    """Every date mention in the normalised text, in order, before years are resolved."""
    r = _rules()
    cands: list[Mention] = []
    # which of the characters the patterns need are in the text (a set of all its characters
    # would cost more: most are kanji and kana no pattern looks for)
    present = {c for c in r.need_chars if c in norm}
    live = _live(r, frozenset(present))
    for name, m in _scan(norm, live, r, _starts_for_run() if live else None):
        mn = _mention(name, m, r)
        if mn is not None:
            cands.append(mn)
    cands.sort(key=lambda c: (c.ns, -(c.ne - c.ns)))
    kept: list[Mention] = []
    end = -1
    for c in cands:
        if c.ns >= end:
            kept.append(c)
            end = c.ne
    url_spans = [(m.start(), m.end()) for ex in r.excludes if ex["around"] is not None
                 and kept and _may_hold(present, ex["around_needs"])
                 for m in ex["around"].finditer(norm)]
    out: list[Mention] = []
    for mn in kept:
        if _excluded(mn, norm, r, url_spans):
            continue
        out.extend(_expand(mn, norm, r))
    if _may_hold(present, r.fiscal_needs):
        out.extend(_fiscal_ranges(norm, r))
    out.sort(key=lambda c: c.ns)
    _pair_ranges(out, norm, r)
    for mn in out:
        # a date in brackets that closes its line: an opening bracket right before it
        mn.stamp = mn.ns > 0 and norm[mn.ns - 1] == "(" and bool(_STAMP_AFTER.match(norm, mn.ne))
    return out


def _expand(mn: Mention, norm: str, r: _Rules) -> list[Mention]:
    """The mention with its qualifier (末, 上旬, 頃) in its text, plus the extra days of an
    enumeration (13、16及び27日) or of a run (5日、6日) and a day-only range end (10日~15日)."""
    q = r.qualifier.match(norm, mn.ne)
    if q:
        mn.ne = q.end()
    if mn.pattern == "enumerated_days":
        return _enumerated(mn, norm)
    out = [mn]
    if mn.day is None:
        return out
    pos = mn.ne
    while True:
        pos = _skip_decor(norm, pos, r)
        c = r.continuation.match(norm, pos)
        if not c:
            break
        out.append(Mention(c.start("day"), c.end(), "continuation", month=mn.month,
                           day=int(c.group("day")), inherit=mn))
        pos = c.end()
    d = r.range_day_end.match(norm, _skip_decor(norm, mn.ne, r))
    if d:
        end = Mention(d.start("day"), d.end(), "range_day_end", month=mn.month,
                      day=int(d.group("day")), inherit=mn, period="period_end")
        mn.period = "period_start"
        out.append(end)
    return out


def _enumerated(mn: Mention, norm: str) -> list[Mention]:
    """10月13、16及び27日 → one mention per day; the first carries the year and month text."""
    text = norm[mn.ns:mn.ne]
    head = _UP_TO_MONTH.match(text)
    assert head is not None
    out = []
    for i, dm in enumerate(_DAY_NUM.finditer(text, head.end())):
        s = mn.ns if i == 0 else mn.ns + dm.start()
        e = mn.ns + dm.end()
        out.append(Mention(s, e, "enumerated_days", year=mn.year, month=mn.month,
                           day=int(dm.group()), inherit=None if i == 0 else mn))
    out[-1].ne = mn.ne  # the last day's text runs to the counter 日
    return out


def _skip_decor(norm: str, pos: int, r: _Rules) -> int:
    """Position after a weekday bracket and a clock time that follow a date."""
    for pat in (r.weekday, r.clock):
        m = pat.match(norm, pos)
        if m:
            pos = m.end()
    return pos


def _fiscal_ranges(norm: str, r: _Rules) -> list[Mention]:
    """平成28年度から令和5年度: fiscal years are dates only as the two ends of a period."""
    found = []
    for m in r.fiscal.finditer(norm):
        mn = _mention("fiscal_year", m, r)
        if mn is not None and mn.year is not None:
            mn.fiscal = True
            found.append(mn)
    out: list[Mention] = []
    for a, b in zip(found, found[1:], strict=False):
        if r.range_sep.match(norm[a.ne:b.ns]):
            a.period, b.period = "period_start", "period_end"
            out.extend(x for x in (a, b) if not any(x is y for y in out))
    return out


def _pair_ranges(ms: list[Mention], norm: str, r: _Rules) -> None:
    """Two dates joined by ~ / から / - are the start and end of a period."""
    for a, b in zip(ms, ms[1:], strict=False):
        if a.fiscal or b.fiscal or b.pattern in ("continuation", "range_day_end"):
            continue
        gap = norm[_skip_decor(norm, a.ne, r):b.ns]
        if a.period is None and r.range_sep.match(gap):
            a.period, b.period = "period_start", "period_end"
            if b.year is None and b.yy is None and b.rel is None and b.relm is None:
                b.inherit = a


def _url_dates(norm: str, r: _Rules) -> dict[tuple[int, int], int]:
    """(month, day) → year for dates written in the document's URLs (240124, 20240124)."""
    out: dict[tuple[int, int], int] = {}
    for u in r.url.finditer(norm):
        for d in r.url_digits.finditer(u.group()):
            year = int(d.group("y4")) if d.group("y4") else 2000 + int(d.group("y2"))
            out.setdefault((int(d.group("m")), int(d.group("d"))), year)
    return out


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a common year's


def _valid(mn: Mention) -> bool:
    if mn.year is None:
        return False
    if mn.day is not None and mn.month is not None:
        # calendar.monthrange(year, month)[1], without working out the weekday
        return mn.day <= _MONTH_DAYS[mn.month] + (mn.month == 2 and calendar.isleap(mn.year))
    return True


def _own_dates(ctx: DocContext, ms: list[Mention]) -> list[tuple[int, str]]:
    """The notice's own dates as (position, value): the first full date of its header and of
    each post title below it (a page of several posts); else that of its sign-off."""
    lay = ctx.layout
    blocks = [(lay.header.start, lay.header.end)] if lay.header else []
    blocks += [(t.start, t.end) for t in lay.titles]
    out = [d for bs, be in blocks if (d := _first_full(ctx, ms, bs, be))]
    if not out and lay.signoff is not None:
        out = [d for d in [_first_full(ctx, ms, lay.signoff.start, lay.signoff.end)] if d]
    return out


def _header_year(ctx: DocContext) -> int | None:
    """A year written in the header other than as a date (a series number: #2023-478)."""
    lay = ctx.layout
    if lay.header is None:
        return None
    head = ctx.norm.text[ctx.norm.to_norm(lay.header.start):ctx.norm.to_norm(lay.header.end)]
    m = _rules().header_year.search(head)
    return int(m.group("year")) if m else None


def _first_full(ctx: DocContext, ms: list[Mention], start: int, end: int) -> tuple[int, str] | None:
    for mn in ms:
        if mn.year is not None and mn.month is not None and mn.rel is None \
                and start <= ctx.norm.span(mn.ns, mn.ne)[0] < end:
            return (mn.ns, mn.value or "")
    return None


def extract(ctx: DocContext) -> list[DateItem]:
    """Every date of the document, in text order, with its role."""
    norm = ctx.norm.text
    ms = find_mentions(norm)
    date_resolve.resolve(ms, norm, ctx.published, _own_dates(ctx, ms), _header_year(ctx),
                         lambda: _url_dates(norm, _rules()))
    lay = ctx.layout
    # a page's lists of other articles (関連記事) date other stories
    ms = [m for m in ms if _valid(m) and lay.kind_at(ctx.norm.span(m.ns, m.ne)[0]) != "chrome"]
    roles = date_roles.assign(ctx, ms)
    items = []
    for mn, role in zip(ms, roles, strict=True):
        s, e, text = ctx.span_of_norm(mn.ns, mn.ne)
        items.append(DateItem(text, s, e, value=mn.value or "", role=role))
    return items
