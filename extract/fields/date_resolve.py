"""Resolving the year (and month) of dates written without one: year-less dates from the
nearest preceding date or the notice's own, relative words (昨年, 同月) from their anchor,
two-digit years from the century of the dates around them. Never from today."""

from __future__ import annotations

from collections.abc import Callable

from rouei.extract.core import compiled
from rouei.extract.doc.items import Mention

_ISO_MONTH = compiled.regex(r"\d{4}-\d{2}")
_ISO_DAY = compiled.regex(r"\d{4}-\d{2}-\d{2}")


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


def resolve(ms: list[Mention], norm: str, published: str | None,
            own: list[tuple[int, str]] | None = None, fallback_year: int | None = None,
            url_dates: Callable[[], dict[tuple[int, int], int]] | None = None) -> None:
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
    in_urls: dict[tuple[int, int], int] | None = None
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
            anchor = pub or (None if last_year is None else (last_year, 1)) or own_date or latest
            mn.year = _relative_year(mn.rel, anchor, last_year)
        elif mn.relm is not None:
            _relative_month(mn, pub, last_ym)
        elif mn.year is None and mn.month is None and mn.day is not None:
            anchor_d = last_ymd or pub_d
            if anchor_d is not None:
                mn.year, mn.month = _closest_month(mn.day, anchor_d)
        elif mn.year is None and mn.month is not None:
            anchor = last_ym or pub
            if anchor is None:
                if in_urls is None:
                    in_urls = url_dates() if url_dates else {}
                if mn.day is not None and (mn.month, mn.day) in in_urls:
                    mn.year = in_urls[(mn.month, mn.day)]
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
