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

# First year of each era in the Gregorian calendar (year N of the era = start + N - 1).
ERAS = {"令和": 2019, "平成": 1989, "昭和": 1926}

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:\D|$)")
# Written dates inside text, after NFKC (full-width digits become ASCII).
_WRITTEN = re.compile(
    r"(?:(?P<era>令和|平成|昭和)\s*(?P<ey>\d{1,2}|元)|(?P<y>(?:19|20)\d{2}))\s*年\s*"
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


def first_date(text: str) -> str | None:
    """The first valid calendar date written in ``text``, as ``YYYY-MM-DD``."""
    folded = unicodedata.normalize("NFKC", text)
    for m in _WRITTEN.finditer(folded):
        if m.group("era"):
            ey = m.group("ey")
            year = ERAS[m.group("era")] + (1 if ey == "元" else int(ey)) - 1
            found = _valid(year, int(m.group("m")), int(m.group("d")))
        elif m.group("y"):
            found = _valid(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        elif m.group("y2"):
            found = _valid(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
        else:
            found = _valid(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        if found:
            return found
    return None


def date_near(lines: list[str], anchor: int | None, before: int = 2, after: int = 8) -> str | None:
    """The first date on the lines around line ``anchor`` (the title), else in the first lines."""
    if anchor is None:
        window = lines[: before + after]
    else:
        window = lines[max(0, anchor - before): anchor + after + 1]
    return first_date("\n".join(window))
