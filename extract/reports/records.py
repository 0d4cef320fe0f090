"""Reading prediction records, and the small helpers every report shares."""

from __future__ import annotations

import datetime as dt
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
