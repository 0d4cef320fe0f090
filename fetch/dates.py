"""Publication dates for the manifest: machine dates from metadata and the first written date.

Notices put their date near the title: ``2024年3月5日``, ``令和6年3月5日`` (Japanese era years;
``元年`` is year 1 of an era), ``2024/03/05`` or ``2024.3.5``. Metadata gives ISO 8601 or
RFC 822 (RSS) dates. Either way the manifest keeps the calendar date as written, in the
writer's own time zone, as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from email.utils import parsedate_to_datetime
from functools import cache


@cache
def _era_starts() -> dict[str, int]:
    """First western year of each era (year N of the era = start + N - 1), from rules/eras.toml."""
    from rouei.extract.core import rules

    return {e["name"]: e["start"] for e in rules.load("eras")["era"]}


_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:\D|$)")


@cache
def _written() -> re.Pattern[str]:
    """Written dates inside text; the era names come from rules/eras.toml."""
    eras = "|".join(map(re.escape, _era_starts()))
    return re.compile(_WRITTEN.replace("ERAS", eras))


# Written dates inside text, after NFKC (full-width digits become ASCII); ERAS is filled in.
_WRITTEN = (
    r"(?:(?P<era>ERAS)\s*(?P<ey>\d{1,2}|元)|(?P<y>(?:19|20)\d{2}))\s*年\s*"
    r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?<![\d/.])(?P<y2>(?:19|20)\d{2})\s*[/.]\s*(?P<m2>\d{1,2})\s*[/.]\s*(?P<d2>\d{1,2})(?![\d/.])"
    r"|(?<![\d-])(?P<y3>(?:19|20)\d{2})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})(?![\d-])"
)


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def iso_date(value: str | None) -> str | None:
    """The calendar date of a metadata value (ISO 8601, ``2024/03/05``, RFC 822), or None."""
    if not value:
        return None
    value = unicodedata.normalize("NFKC", value).strip()
    for pattern in (_ISO, _SLASHED, _COMPACT):
        m = pattern.match(value)
        if m:
            return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed.date().isoformat()
    return first_date(value)


# Labels pages write before (掲載日：…) or after (… 更新) a date. 更新日 is the CMS's stamp
# of the last edit, which moves with every correction; 掲載日/公開日/発表日 name the day the
# notice went out, which is what ``published`` means.
_PUBLISHED_BEFORE = re.compile(r"(?:掲載|公開|公表|発表|発行|作成|登録|投稿|配信|リリース)(?:日|日時)?\s*[:]?\s*$")
_PUBLISHED_AFTER = re.compile(r"^\s*(?:\([^)]{1,3}\))?\s*(?:掲載|公開|公表|発表|発行|作成|登録|投稿|配信)")
_UPDATED_BEFORE = re.compile(r"(?:更新|改訂|修正|改定)(?:日|日時)?\s*[:]?\s*$")
_UPDATED_AFTER = re.compile(r"^\s*(?:\([^)]{1,3}\))?\s*(?:更新|改訂|修正|改定)")
# What may stand beside a dateline's date: a weekday, a time, brackets, spaces.
_DATELINE_REST = re.compile(r"[\s()\[\]【】\u3000]*(?:[月火水木金土日](?:曜日?)?[)\]]?)?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*")


def _dates(folded: str):
    """(match, ISO date) for each valid calendar date written in NFKC-folded text."""
    for m in _written().finditer(folded):
        if m.group("era"):
            ey = m.group("ey")
            year = _era_starts()[m.group("era")] + (1 if ey == "元" else int(ey)) - 1
            found = _valid(year, int(m.group("m")), int(m.group("d")))
        elif m.group("y"):
            found = _valid(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        elif m.group("y2"):
            found = _valid(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
        else:
            found = _valid(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        if found:
            yield m, found


def first_date(text: str) -> str | None:
    """The first valid calendar date written in ``text``, as ``YYYY-MM-DD``."""
    for _, found in _dates(unicodedata.normalize("NFKC", text)):
        return found
    return None


def publication_date(text: str) -> str | None:
    """The date ``text`` was published: one labelled 掲載日/公開日/発表日; else a dateline (a
    date alone on its line, as under a notice's title); else one labelled 更新日 (last edited,
    yet closer to the notice than a date in its prose, which tells when things happened);
    else the first date."""
    folded = unicodedata.normalize("NFKC", text)
    dateline = updated = other = None
    for m, found in _dates(folded):
        line_start = folded.rfind("\n", 0, m.start()) + 1
        line_end = folded.find("\n", m.end())
        line_end = len(folded) if line_end < 0 else line_end
        before = folded[max(line_start, m.start() - 12): m.start()]
        after = folded[m.end(): min(line_end, m.end() + 8)]
        if _PUBLISHED_BEFORE.search(before) or _PUBLISHED_AFTER.search(after):
            return found
        if _UPDATED_BEFORE.search(before) or _UPDATED_AFTER.search(after):
            updated = updated or found
        elif _DATELINE_REST.fullmatch(folded[line_start:m.start()] + " " + folded[m.end():line_end]):
            dateline = dateline or found
        else:
            other = other or found
    return dateline or updated or other


def date_near(lines: list[str], anchor: int | None, before: int = 2, after: int = 8) -> str | None:
    """The publication date on the lines around line ``anchor`` (the title), else in the
    first lines."""
    if anchor is None:
        window = lines[: before + after]
    else:
        window = lines[max(0, anchor - before): anchor + after + 1]
    return publication_date("\n".join(window))
