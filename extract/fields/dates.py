"""Dates: every calendar date of a notice, as ISO 8601 at the precision written, with a role.

Matching runs on the normalised copy with the patterns of rules/date_patterns.toml; matches in
law numbers, URLs, version strings and the like are dropped (rules/date_exclusions.toml).
Year-less and relative dates are resolved against the nearest preceding date, the
publication date, or the document's other dates; ranges become period_start/period_end.
Roles come from fields/date_roles.py.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import cache

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import DateItem, Mention
from rouei.extract.doc.numbers import kanji_to_int
from rouei.extract.fields import date_roles

_SPACE = re.compile(r"\s")
_UP_TO_MONTH = re.compile(r".*?月", re.S)
_DAY_NUM = re.compile(r"\d{1,2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# a date in brackets that closes its line: "…再開いたしました。(2022/04/06)" (an update stamp)
_STAMP_BEFORE = re.compile(r"\($")
_STAMP_AFTER = re.compile(r"[ \t]*(?:更新|掲載|追記)?\)[ \t]*(?:\n|$)")


@dataclass(frozen=True)
class _Rules:
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    eras: dict[str, tuple[int, int]]  # name or abbreviation → (first western year, last year)
    qualifier: re.Pattern[str]
    weekday: re.Pattern[str]
    clock: re.Pattern[str]
    continuation: re.Pattern[str]
    range_sep: re.Pattern[str]
    range_day_end: re.Pattern[str]
    fiscal: re.Pattern[str]
    excludes: tuple[dict, ...]
    url: re.Pattern[str]
    url_digits: re.Pattern[str]
    header_year: re.Pattern[str]


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
    excludes = [
        {k: rules.compile_pattern(ex[k]) if k in ex else None for k in ("after", "before", "around")}
        | {"applies": tuple(ex.get("applies", ())), "patterns": tuple(ex.get("patterns", ()))}
        for ex in excl["exclude"]
    ]
    return _Rules(
        patterns=tuple((p["name"], rules.compile_pattern(p["regex"])) for p in pats["pattern"]),
        eras=eras,
        qualifier=_at(pats["qualifier"]["regex"]),
        weekday=_at(pats["weekday"]["regex"]),
        clock=_at(pats["clock"]["regex"]),
        continuation=_at(pats["continuation"]["regex"]),
        range_sep=rules.compile_pattern(pats["range"]["regex"]),
        range_day_end=_at(pats["range_day_end"]["regex"]),
        fiscal=rules.compile_pattern(pats["fiscal_year"]["regex"]),
        excludes=tuple(excludes),
        url=rules.compile_pattern(excl["url_date"]["regex"]),
        url_digits=rules.compile_pattern(excl["url_date"]["digits"]),
        header_year=rules.compile_pattern(pats["header_year"]["regex"]),
    )


def _num(s: str | None) -> int | None:
    """A date number: arabic, kanji (二十六) or 元 (the first year of an era)."""
    if s is None:
        return None
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
    mn.relm = "同月" if g.get("relm") == "" else g.get("relm")
    month, day = g.get("month") or g.get("month2"), g.get("day") or g.get("day2")
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


def _excluded(mn: Mention, norm: str, r: _Rules, url_spans: list[tuple[int, int]]) -> bool:
    prec = _precision(mn)
    before = norm[max(0, mn.ns - 30):mn.ns]
    after = norm[mn.ne:mn.ne + 40]
    for ex in r.excludes:
        if ex["applies"] and prec not in ex["applies"]:
            continue
        if ex["patterns"] and mn.pattern not in ex["patterns"]:
            continue
        if ex["after"] is not None and ex["after"].search(after):
            return True
        if ex["before"] is not None and ex["before"].search(before):
            return True
        if ex["around"] is not None and any(s <= mn.ns and mn.ne <= e for s, e in url_spans):
            return True
    return False


def find_mentions(norm: str) -> list[Mention]:
    """Every date mention in the normalised text, in order, before years are resolved."""
    r = _rules()
    cands: list[Mention] = []
    for name, pat in r.patterns:
        for m in pat.finditer(norm):
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
                 for m in ex["around"].finditer(norm)]
    out: list[Mention] = []
    for mn in kept:
        if _excluded(mn, norm, r, url_spans):
            continue
        out.extend(_expand(mn, norm, r))
    out.extend(_fiscal_ranges(norm, r))
    out.sort(key=lambda c: c.ns)
    _pair_ranges(out, norm, r)
    for mn in out:
        mn.stamp = bool(_STAMP_BEFORE.search(norm, max(0, mn.ns - 1), mn.ns)) and \
            bool(_STAMP_AFTER.match(norm, mn.ne))
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


# ---------------------------------------------------------------------------------------
# Resolving years


def _ym(mn: Mention) -> tuple[int, int] | None:
    return (mn.year, mn.month) if mn.year is not None and mn.month is not None else None


def _closest_year(month: int, anchor: tuple[int, int]) -> int:
    """The year that puts ``month`` nearest the anchor month; the anchor's own year unless
    that is seven or more months away (a chronology that crosses New Year: 11月 … 2月)."""
    ay, am = anchor
    if abs(month - am) < 7:
        return ay
    return ay + 1 if month < am else ay - 1


def _closest_month(day: int, anchor: tuple[int, int, int]) -> tuple[int, int]:
    """(year, month) that puts a lone day (3日) nearest the anchor date, within a month."""
    ay, am, ad = anchor
    idx = ay * 12 + am - 1
    if day > ad + 15:
        idx -= 1
    elif day < ad - 15:
        idx += 1
    return idx // 12, idx % 12 + 1


def _url_dates(norm: str, r: _Rules) -> dict[tuple[int, int], int]:
    """(month, day) → year for dates written in the document's URLs (240124, 20240124)."""
    out: dict[tuple[int, int], int] = {}
    for u in r.url.finditer(norm):
        for d in r.url_digits.finditer(u.group()):
            year = int(d.group("y4")) if d.group("y4") else 2000 + int(d.group("y2"))
            out.setdefault((int(d.group("m")), int(d.group("d"))), year)
    return out


def resolve(ms: list[Mention], norm: str, published: str | None,
            own: list[tuple[int, str]] | None = None, fallback_year: int | None = None) -> None:
    """Fill in the year (and month) of year-less, relative and two-digit-year mentions.

    昨年/去年 count from the notice's own time, never from today: the publication date, else
    the preceding full date, else the notice's own date (``own``: (position, ISO value) of its
    header's, post titles' or sign-off's dates), else its latest full date. A year-less date
    with no anchor at all takes ``fallback_year`` (a year its header writes: #2023-478)."""
    own_date = next(((int(v[:4]), int(v[5:7])) for _, v in sorted(own or [])
                     if _ISO_MONTH.match(v)), None)
    pub = None
    if published and _ISO_MONTH.match(published):
        pub = (int(published[:4]), int(published[5:7]))
    explicit = [_ym(m) for m in ms if m.year is not None and m.month is not None]
    latest = max((x for x in explicit if x is not None), default=None)
    url_dates: dict[tuple[int, int], int] | None = None
    pub_d = None
    if published and _ISO_DAY.match(published):
        pub_d = (int(published[:4]), int(published[5:7]), int(published[8:10]))
    last_year: int | None = None
    last_ym: tuple[int, int] | None = None
    last_ymd: tuple[int, int, int] | None = None
    for mn in ms:
        if mn.inherit is not None and mn.year is None:
            src = mn.inherit
            mn.year = src.year
            if mn.month is None:
                mn.month = src.month
            if mn.year is not None and src.month is not None and mn.month is not None \
                    and mn.month < src.month and mn.pattern != "continuation":
                mn.year += 1
        elif mn.yy is not None:
            base = mn.inherit.year if mn.inherit and mn.inherit.year else (last_year or 2000)
            mn.year = base // 100 * 100 + mn.yy
        elif mn.rel is not None:
            base = pub or (None if last_year is None else (last_year, 1)) or own_date or latest
            mn.year = _relative_year(mn.rel, base, last_year)
        elif mn.relm is not None:
            _relative_month(mn, pub, last_ym)
        elif mn.year is None and mn.month is None and mn.day is not None:
            anchor_d = last_ymd or pub_d
            if anchor_d is not None:
                mn.year, mn.month = _closest_month(mn.day, anchor_d)
        elif mn.year is None and mn.month is not None:
            anchor = last_ym or pub
            if anchor is None:
                if url_dates is None:
                    url_dates = _url_dates(norm, _rules())
                if mn.day is not None and (mn.month, mn.day) in url_dates:
                    mn.year = url_dates[(mn.month, mn.day)]
                anchor = latest
            if mn.year is None and anchor is not None:
                mn.year = _closest_year(mn.month, anchor)
            elif mn.year is None and fallback_year is not None:
                mn.year = fallback_year
        if mn.year is not None and not mn.stamp:
            # an update stamp closing a line, "(2022/04/06)", is outside the story: later
            # year-less dates do not take their year from it
            last_year = mn.year
            if mn.month is not None:
                last_ym = (mn.year, mn.month)
                if mn.day is not None:
                    last_ymd = (mn.year, mn.month, mn.day)


def _relative_year(word: str, base: tuple[int, int] | None, last_year: int | None) -> int | None:
    """昨年/去年/今年/本年/一昨年 count from the notice's own time (its publication or own
    date, else its latest full date); 同年/翌年/前年 from the preceding date."""
    deictic = {"一昨年": -2, "昨年": -1, "去年": -1, "今年": 0, "本年": 0}
    anaphoric = {"同年": 0, "翌年": 1, "前年": -1}
    if word in deictic:
        return None if base is None else base[0] + deictic[word]
    return None if last_year is None else last_year + anaphoric[word]


def _relative_month(mn: Mention, pub: tuple[int, int] | None,
                    last_ym: tuple[int, int] | None) -> None:
    """同月/翌月/前月 from the preceding date; 先月/今月/本月 only from the publication date
    (they point at the writer's own time, which an earlier date in the text does not give)."""
    deictic = {"先月": -1, "今月": 0, "本月": 0}
    anaphoric = {"同月": 0, "翌月": 1, "前月": -1}
    base = pub if mn.relm in deictic else last_ym
    if base is None:
        return
    shift = deictic.get(mn.relm or "", anaphoric.get(mn.relm or "", 0))
    idx = base[0] * 12 + base[1] - 1 + shift
    mn.year, mn.month = idx // 12, idx % 12 + 1


def _valid(mn: Mention) -> bool:
    if mn.year is None:
        return False
    if mn.day is not None and mn.month is not None:
        return mn.day <= calendar.monthrange(mn.year, mn.month)[1]
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
    resolve(ms, norm, ctx.published, _own_dates(ctx, ms), _header_year(ctx))
    lay = ctx.layout
    # a page's lists of other articles (関連記事) date other stories
    ms = [m for m in ms if _valid(m) and lay.kind_at(ctx.norm.span(m.ns, m.ne)[0]) != "chrome"]
    roles = date_roles.assign(ctx, ms)
    items = []
    for mn, role in zip(ms, roles, strict=True):
        s, e, text = ctx.span_of_norm(mn.ns, mn.ne)
        items.append(DateItem(text, s, e, value=mn.value or "", role=role))
    return items
