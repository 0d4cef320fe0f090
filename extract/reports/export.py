"""``rouei export``: prediction records as tables (CSV for Excel, Parquet for pandas/R) or VERIS.

Two tables: ``csv``/``parquet`` give one row per incident (each date role a column holding its
earliest value, the largest count); ``facts`` gives one row per extracted date, count, data
type or cause with its evidence text, offsets and sentence, so "all counts" or "every
discovered date" is one filter. The format follows the output's suffix unless given.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.core.io import atomic_output
from rouei.extract.reports.records import Refused, parse_iso, report_records
from rouei.extract.reports.tables import (  # noqa: F401 - ROLES and incident_rows re-exported
    FACT_COLUMNS,
    INCIDENT_COLUMNS,
    ROLES,
    fact_rows,
    incident_rows,
    text_finder,
)

LIST_SEP = ";"
COLUMNS = [name for name, _ in INCIDENT_COLUMNS]
# Cells starting with these are formulas to Excel and LibreOffice (OWASP, CSV injection); the
# full-width forms are included because a Japanese IME produces them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
SUFFIX_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet",
                  ".jsonl": "veris", ".json": "veris"}


# ---------------------------------------------------------------------------------------
# CSV


def neutralise(cell: str) -> str:
    """A cell that a spreadsheet would run as a formula, made inert by a leading ``'``."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "list":
        return neutralise(LIST_SEP.join(value))
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("str", "cat"):
        return neutralise(str(value))
    return str(value)


def write_csv(rows: list[dict], path: Path, columns: list[tuple[str, str]] = INCIDENT_COLUMNS) -> None:
    """UTF-8 with a byte-order mark: without it Excel reads Japanese as Shift_JIS mojibake."""
    with atomic_output(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([name for name, _ in columns])
        for row in rows:
            w.writerow([_csv_cell(row[name], kind) for name, kind in columns])


# ---------------------------------------------------------------------------------------
# Parquet

# The pandas dtype each kind reads back as (pyarrow honours this metadata in to_pandas):
# nullable integers and booleans rather than float64 and object, dates as Arrow dates.
_PANDAS_DTYPES = {"int": ("int64", "Int64"), "bool": ("bool", "boolean"),
                  "date": ("date", "date32[day][pyarrow]")}


def _arrow_type(kind: str):
    import pyarrow as pa

    return {"str": pa.string(), "cat": pa.dictionary(pa.int32(), pa.string()), "int": pa.int64(),
            "bool": pa.bool_(), "date": pa.date32(), "list": pa.list_(pa.string())}[kind]


def parquet_schema(columns: list[tuple[str, str]] = INCIDENT_COLUMNS):
    import pyarrow as pa

    meta = {"index_columns": [], "column_indexes": [], "pandas_version": "2.0.0",
            "creator": {"library": "rouei"},
            "columns": [{"name": name, "field_name": name, "pandas_type": _PANDAS_DTYPES[kind][0],
                         "numpy_type": _PANDAS_DTYPES[kind][1], "metadata": None}
                        for name, kind in columns if kind in _PANDAS_DTYPES]}
    return pa.schema([(name, _arrow_type(kind)) for name, kind in columns],
                     metadata={b"pandas": json.dumps(meta).encode()})


def write_parquet(rows: list[dict], path: Path, columns: list[tuple[str, str]] = INCIDENT_COLUMNS) -> None:
    """Typed columns: dates as date32 (the first day of a month- or year-precision value, its
    precision in a column beside it), nullable int64, dictionary-encoded categories."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(columns)
    arrays = []
    for name, kind in columns:
        values = [r[name] for r in rows]
        if kind == "date":
            values = [parse_iso(v)[0] for v in values]
        arrays.append(pa.array(values, type=schema.field(name).type))
    table = pa.Table.from_arrays(arrays, schema=schema)
    with atomic_output(path, "wb") as fh:
        pq.write_table(table, fh)


# ---------------------------------------------------------------------------------------
# Command


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write predictions as CSV or Parquet (per incident or per fact) or VERIS")
    p.add_argument("pred", type=Path, metavar="OUT.jsonl")
    p.add_argument("--format", choices=("csv", "parquet", "facts", "veris"),
                   help="csv/parquet: one row per incident; facts: one row per extracted fact "
                        "(CSV or Parquet by the suffix); veris: VERIS 1.4 (.jsonl lines, .json an "
                        "array). Default: from the output's suffix")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    p.add_argument("--corpus", type=Path, metavar="DIR",
                   help="facts: where the texts are, for each fact's sentence (default: the text "
                        "kept in the record, else its source.path)")
    p.add_argument("--include-non-notices", action="store_true",
                   help="also export records marked leak_notice false")
    p.set_defaults(func=run)


def resolve_format(given: str | None, output: Path) -> tuple[str, str]:
    """(table, container): incidents/facts/veris and csv/parquet/jsonl/json; ValueError if unknown."""
    suffix = output.suffix.lower()
    if given == "facts":
        container = SUFFIX_FORMATS.get(suffix, "csv")
        if container not in ("csv", "parquet"):
            raise ValueError(f"--format facts writes .csv or .parquet, not {suffix}")
        return "facts", container
    fmt = given or SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        raise ValueError(f"cannot tell the format from {output.name!r}: use a .csv, .parquet, "
                         ".jsonl or .json name, or give --format")
    if fmt == "veris":
        return "veris", "json" if suffix == ".json" else "jsonl"
    return "incidents", fmt


def run(args: argparse.Namespace) -> int:
    try:
        table, container = resolve_format(args.format, args.output)
        if args.corpus and not args.corpus.is_dir():
            raise ValueError(f"--corpus {args.corpus}: not a directory")
    except ValueError as exc:
        print(f"rouei export: {exc}", file=sys.stderr)
        return 2
    try:
        records = report_records("export", args.pred, args.include_non_notices,
                                 needs=("pyarrow", "Parquet output") if container == "parquet" else None)
    except Refused as exc:
        return exc.code
    what = "incident(s)"
    try:
        if table == "veris":
            from rouei.extract.reports.veris import write_veris

            n, errors, skipped = write_veris(records, args.output, array=container == "json")
        else:
            if table == "facts":
                base = args.pred.resolve().parent
                rows, errors = fact_rows(records, text_finder(args.corpus, base))
                columns, what = FACT_COLUMNS, "fact(s)"
            else:
                rows, errors = incident_rows(records)
                columns = INCIDENT_COLUMNS
            (write_csv if container == "csv" else write_parquet)(rows, args.output, columns)
            n, skipped = len(rows), 0
    except OSError as exc:
        print(f"rouei export: {RoueiError('E012', detail=f'{args.output}: {exc}')}", file=sys.stderr)
        return 1
    print(f"{n} {what} from {len(records) - errors} notice(s) written to {args.output}"
          + (f"; {errors} error record(s) left out" if errors else "")
          + (f"; {skipped} incident(s) without any date left out" if skipped else ""))
    return 0
