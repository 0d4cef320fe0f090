"""Records as tables: one row per incident (wide), or one row per extracted fact (long).

Each table is a list of columns with a kind, which the writers turn into CSV cells or typed
Parquet columns (``export.py``). Kinds: ``str``, ``cat`` (a string from a small vocabulary,
dictionary-encoded in Parquet), ``int`` (nullable integer), ``bool`` (nullable), ``date`` (an
ISO value at any SPEC precision, written as the first day of its period) and ``list``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from rouei.extract.reports.records import (
    earliest_by_role,
    is_error,
    largest_count,
    parse_iso,
    sentence_bounds,
    unique,
)

ROLES = ("occurred", "discovered", "announced", "reported", "notified",
         "period_start", "period_end", "other")
FIELDS = ("dates", "counts", "data_types", "causes")

INCIDENT_COLUMNS: list[tuple[str, str]] = (
    [("doc_id", "str"), ("incident", "int"), ("organization", "str"), ("status", "cat")]
    + [c for r in ROLES for c in ((r, "date"), (f"{r}_precision", "cat"))]
    + [("count", "int"), ("count_unit", "cat"), ("count_approximate", "bool"),
       ("data_types_leaked", "list"), ("data_types_not_leaked", "list"), ("causes", "list"),
       ("published", "date"), ("title", "str"), ("source_url", "str")])

# One row per date, count, data type or cause of each incident. ``value`` is the fact as a
# string in every row; ``date`` and ``count`` hold it typed for the rows of that field.
FACT_COLUMNS: list[tuple[str, str]] = [
    ("doc_id", "str"), ("incident", "int"), ("organization", "str"), ("status", "cat"),
    ("field", "cat"), ("value", "str"), ("role", "cat"), ("unit", "cat"), ("category", "cat"),
    ("leaked", "bool"), ("approximate", "bool"), ("date", "date"), ("date_precision", "cat"),
    ("count", "int"), ("text", "str"), ("start", "int"), ("end", "int"),
    ("sentence", "str"), ("sentence_start", "int"),
    ("published", "date"), ("title", "str"), ("source_url", "str")]


def _source_url(rec: dict) -> str | None:
    src = rec.get("source") or {}
    return src.get("url") or src.get("final_url")


def incident_rows(records: Iterable[dict]) -> tuple[list[dict], int]:
    """One flat row per incident, and the number of error records (which have none).

    A row keeps the largest count and the earliest date of each role; the facts table has
    every one of them."""
    rows: list[dict] = []
    errors = 0
    for rec in records:
        if is_error(rec):
            errors += 1
            continue
        for n, inc in enumerate(rec["incidents"], 1):
            types = inc.get("data_types", [])
            count = largest_count(inc.get("counts", []))
            row = {
                "doc_id": rec["doc_id"], "incident": n,
                "organization": inc.get("organization") or rec.get("organization"),
                "status": inc.get("status"),
                "count": count["value"] if count else None,
                "count_unit": count.get("unit") if count else None,
                "count_approximate": bool(count.get("approximate")) if count else None,
                "data_types_leaked": unique(d["category"] for d in types if d.get("leaked", True)),
                "data_types_not_leaked": unique(d["category"] for d in types if not d.get("leaked", True)),
                "causes": unique(c["category"] for c in inc.get("causes", [])),
                "published": rec.get("published"), "title": rec.get("title"),
                "source_url": _source_url(rec),
            }
            first = earliest_by_role(inc.get("dates", []))
            for role in ROLES:
                row[role] = first.get(role)
                row[f"{role}_precision"] = parse_iso(first.get(role))[1]
            rows.append(row)
    return rows, errors


def _fact(field: str, item: dict) -> dict:
    """The field-specific columns of one extracted item."""
    if field == "dates":
        value = item.get("value")
        return {"value": value, "role": item.get("role"), "date": value,
                "date_precision": parse_iso(value)[1]}
    if field == "counts":
        value = item.get("value")
        return {"value": None if value is None else str(value), "unit": item.get("unit"),
                "approximate": bool(item.get("approximate")),
                "count": value if isinstance(value, int) else None}
    out = {"value": item.get("category"), "category": item.get("category")}
    if field == "data_types":
        out["leaked"] = bool(item.get("leaked", True))
    return out


TextFinder = Callable[[dict], "str | None"]


def fact_rows(records: Iterable[dict], text_of: TextFinder | None = None) -> tuple[list[dict], int]:
    """One row per extracted fact, with its evidence (text, offsets) and the sentence it came
    from when ``text_of(record)`` finds the record's text; and the number of error records."""
    blank = {name: None for name, _ in FACT_COLUMNS}
    rows: list[dict] = []
    errors = 0
    for rec in records:
        if is_error(rec):
            errors += 1
            continue
        text = text_of(rec) if text_of else None
        for n, inc in enumerate(rec["incidents"], 1):
            common = {"doc_id": rec["doc_id"], "incident": n,
                      "organization": inc.get("organization") or rec.get("organization"),
                      "status": inc.get("status"), "published": rec.get("published"),
                      "title": rec.get("title"), "source_url": _source_url(rec)}
            for field in FIELDS:
                for item in inc.get(field, []):
                    row = {**blank, **common, "field": field, **_fact(field, item),
                           "text": item.get("text"), "start": item.get("start"), "end": item.get("end")}
                    start, end = row["start"], row["end"]
                    if (text is not None and isinstance(start, int) and isinstance(end, int)
                            and 0 <= start <= end <= len(text) and text[start:end] == row["text"]):
                        a, b = sentence_bounds(text, start, end)
                        row["sentence"], row["sentence_start"] = text[a:b], a
                    rows.append(row)
    return rows, errors


def text_finder(corpus: Path | None, base: Path) -> TextFinder:
    """``text_of(record)`` for fact_rows: kept text, corpus directory, or ``source.path``."""
    from rouei.extract.reports.texts import corpus_paths, find_text

    paths = corpus_paths(corpus) if corpus else None
    return lambda rec: find_text(rec, paths, base)[0]
