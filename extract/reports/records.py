"""Reading prediction records, and the small helpers every report shares."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path

from rouei.extract.reports.evaluate import load_pred

PRECISIONS = {4: "year", 7: "month", 10: "day"}  # length of an ISO value -> what it states


def read_records(path: Path | str) -> list[dict]:
    """Prediction records in file order (by doc_id, as ``rouei eval`` reads them)."""
    return list(load_pred(path).values())


def is_error(rec: dict) -> bool:
    return "error" in rec or "incidents" not in rec


def parse_iso(value: str | None) -> tuple[dt.date | None, str | None]:
    """A date value at any SPEC precision as (first day of the period, precision)."""
    if not value:
        return None, None
    precision = PRECISIONS.get(len(value))
    if precision is None:
        return None, None
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        return dt.date(parts[0], parts[1], parts[2]), precision
    except ValueError:
        return None, None


def earliest_by_role(dates: Iterable[dict]) -> dict[str, str]:
    """The earliest value written for each role (``2020`` sorts before ``2020-03-10``)."""
    out: dict[str, str] = {}
    for d in dates:
        role, value = d.get("role", "other"), d.get("value")
        if value and (role not in out or value < out[role]):
            out[role] = value
    return out


def largest_count(counts: Iterable[dict]) -> dict | None:
    best = None
    for c in counts:
        if isinstance(c.get("value"), int) and (best is None or c["value"] > best["value"]):
            best = c
    return best


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# ---------------------------------------------------------------------------------------
# Leak notices and the pages that are not


def is_leak_notice(rec: dict) -> bool:
    """A record counts as a leak notice unless it says ``"leak_notice": false`` (missing = true)."""
    return rec.get("leak_notice", True) is not False


def leak_notices(records: list[dict], include_all: bool) -> tuple[list[dict], int]:
    """The records a report covers and how many non-notices it left out (none with include_all)."""
    if include_all:
        return records, 0
    kept = [r for r in records if is_leak_notice(r)]
    return kept, len(records) - len(kept)


class Refused(Exception):
    """A report cannot start; the message is on stderr, ``code`` is the exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def report_records(command: str, pred: Path, include_all: bool,
                   needs: tuple[str, str] | None = None) -> list[dict]:
    """The records a report covers, read once for stats and export alike: the optional extra
    it ``needs`` (module, feature) checked first (missing: exit 2), an unreadable file refused
    (exit 1), non-notices left out unless ``include_all``, with a word on stderr."""
    from rouei.extract.core.errors import RoueiError
    from rouei.extract.core.extras import MissingExtra, require

    try:
        if needs:
            require(*needs)
        records = read_records(pred)
    except MissingExtra as exc:
        print(f"rouei {command}: {exc}", file=sys.stderr)
        raise Refused(2) from exc
    except RoueiError as exc:
        print(f"rouei {command}: {exc}", file=sys.stderr)
        raise Refused(1) from exc
    records, left_out = leak_notices(records, include_all)
    say_left_out(command, left_out)
    return records


def say_left_out(command: str, n: int) -> None:
    """Tell on stderr how many non-notices a report left out, and how to keep them."""
    if n:
        print(f"rouei {command}: {n} record(s) with leak_notice false left out "
              "(--include-non-notices keeps them)", file=sys.stderr)


# ---------------------------------------------------------------------------------------
# Sentences

# a sentence ends at 。！？ (kept) or at a line break (not kept)
_STOPS = "。！？!?"


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``: from after the previous 。！？ or line break
    to the next one (a span that crosses a stop keeps the whole of both sentences)."""
    a = max(text.rfind(c, 0, start) for c in _STOPS + "\n") + 1
    while a < start and text[a].isspace():
        a += 1
    b = len(text)
    for k in range(max(end, start), len(text)):
        ch = text[k]
        if ch == "\n":
            b = k
            break
        if ch in _STOPS:
            b = k + 1
            break
    return a, max(b, end)
