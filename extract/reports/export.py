"""``rouei export``: prediction records as a table (CSV for Excel, Parquet for pandas/R) or VERIS.

One row per incident. Each date role becomes a column holding its earliest value, with a
``_precision`` column beside it, since ``2020-03`` and ``2020-03-01`` are not the same claim.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.core.io import atomic_output
from rouei.extract.reports.records import (
    earliest_by_role,
    is_error,
    largest_count,
    parse_iso,
    read_records,
    unique,
)

ROLES = ("occurred", "discovered", "announced", "reported", "notified",
         "period_start", "period_end", "other")
LIST_SEP = ";"

COLUMNS = (["doc_id", "incident", "organization", "status"]
           + [c for r in ROLES for c in (r, f"{r}_precision")]
           + ["count", "count_unit", "count_approximate",
              "data_types_leaked", "data_types_not_leaked", "causes",
              "published", "title", "source_url"])


def incident_rows(records: Iterable[dict]) -> tuple[list[dict], int]:
    """One flat row per incident, and the number of error records (which have none)."""
    rows: list[dict] = []
    errors = 0
    for rec in records:
        if is_error(rec):
            errors += 1
            continue
        src = rec.get("source") or {}
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
                "source_url": src.get("url") or src.get("final_url"),
            }
            first = earliest_by_role(inc.get("dates", []))
            for role in ROLES:
                row[role] = first.get(role)
                row[f"{role}_precision"] = parse_iso(first.get(role))[1]
            rows.append(row)
    return rows, errors


# ---------------------------------------------------------------------------------------
# Writers


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEP.join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(rows: list[dict], path: Path) -> None:
    """UTF-8 with a byte-order mark: without it Excel reads Japanese as Shift_JIS mojibake."""
    with atomic_output(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in rows:
            w.writerow([_csv_cell(row[c]) for c in COLUMNS])


def parquet_schema():
    import pyarrow as pa

    fields = [("doc_id", pa.string()), ("incident", pa.int32()),
              ("organization", pa.string()), ("status", pa.string())]
    for role in ROLES:
        fields += [(role, pa.date32()), (f"{role}_precision", pa.string())]
    fields += [("count", pa.int64()), ("count_unit", pa.string()), ("count_approximate", pa.bool_()),
               ("data_types_leaked", pa.list_(pa.string())),
               ("data_types_not_leaked", pa.list_(pa.string())),
               ("causes", pa.list_(pa.string())), ("published", pa.date32()),
               ("title", pa.string()), ("source_url", pa.string())]
    return pa.schema(fields)


def write_parquet(rows: list[dict], path: Path) -> None:
    """Dates as date32 (the first day of a month- or year-precision value), lists as lists."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    date_cols = {*ROLES, "published"}
    columns = {}
    for name in schema.names:
        values = [r[name] for r in rows]
        if name in date_cols:
            values = [parse_iso(v)[0] for v in values]
        columns[name] = values
    table = pa.Table.from_pydict(columns, schema=schema)
    with atomic_output(path, "wb") as fh:
        pq.write_table(table, fh)


# ---------------------------------------------------------------------------------------
# Command


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write predictions as CSV, Parquet (one row per incident) or VERIS JSON")
    p.add_argument("pred", type=Path, metavar="OUT.jsonl")
    p.add_argument("--format", required=True, choices=("csv", "parquet", "veris"))
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        records = read_records(args.pred)
    except RoueiError as exc:
        print(f"rouei export: {exc}", file=sys.stderr)
        return 1
    try:
        if args.format == "veris":
            from rouei.extract.reports.veris import write_veris

            n, errors, skipped = write_veris(records, args.output)
        else:
            rows, errors = incident_rows(records)
            (write_csv if args.format == "csv" else write_parquet)(rows, args.output)
            n, skipped = len(rows), 0
    except OSError as exc:
        print(f"rouei export: {RoueiError('E012', detail=f'{args.output}: {exc}')}", file=sys.stderr)
        return 1
    print(f"{n} incident(s) from {len(records) - errors} notice(s) written to {args.output}"
          + (f"; {errors} error record(s) left out" if errors else "")
          + (f"; {skipped} incident(s) without any date left out" if skipped else ""))
    return 0
