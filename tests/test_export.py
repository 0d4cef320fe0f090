"""``rouei export`` to CSV and Parquet: one row per incident, Excel-readable CSV, typed Parquet."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rouei.extract.cli import main
from rouei.extract.core.io import atomic_output
from rouei.extract.reports.export import ROLES, incident_rows
from rouei.extract.reports.records import earliest_by_role, parse_iso, read_records

FIX = Path(__file__).parent / "fixtures" / "review"
PRED = FIX / "pred.jsonl"


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("value, date, precision", [
    ("2020-03-10", dt.date(2020, 3, 10), "day"),
    ("2020-03", dt.date(2020, 3, 1), "month"),
    ("2020", dt.date(2020, 1, 1), "year"),
    ("2020-02-30", None, None),
    ("", None, None),
    (None, None, None),
])
def test_export_parse_iso_keeps_precision(value, date, precision):
    assert parse_iso(value) == (date, precision)


def test_export_earliest_by_role_prefers_the_coarser_value_of_the_same_period():
    dates = [{"value": "2021-03-10", "role": "discovered"}, {"value": "2021-03", "role": "discovered"},
             {"value": "2020-12-01", "role": "announced"}, {"value": "2019-05-02", "role": "discovered"}]
    assert earliest_by_role(dates) == {"discovered": "2019-05-02", "announced": "2020-12-01"}


def test_export_rows_one_per_incident_and_errors_counted():
    rows, errors = incident_rows(read_records(PRED))
    assert errors == 1
    assert [(r["doc_id"], r["incident"]) for r in rows] == [
        ("rv_mail_bcc", 1), ("rv_shop_access", 1), ("rv_city_two", 1), ("rv_city_two", 2), ("rv_insider", 1)]
    city2 = rows[3]
    assert city2["status"] == "possible" and city2["count"] == 35 and city2["count_unit"] == "人"
    assert city2["causes"] == ["theft"] and city2["occurred"] == "2024-02-02"
    assert city2["source_url"] is None


def test_export_csv_has_bom_japanese_and_list_cells(tmp_path):
    out = tmp_path / "out.csv"
    assert main(["export", str(PRED), "--format", "csv", "-o", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = _csv_rows(out)
    assert len(rows) == 5
    mail = rows[0]
    assert mail["organization"] == "株式会社みなと書房"
    assert mail["data_types_leaked"] == "email_address"
    assert mail["data_types_not_leaked"].split(";") == ["name", "address", "credit_card"]
    assert (mail["occurred"], mail["discovered"], mail["announced"]) == ("2024-05-17", "2024-05-18", "2024-05-20")
    assert mail["reported"] == "" and mail["count"] == "248"
    shop = rows[1]
    assert shop["count"] == "120000" and shop["count_approximate"] == "true"
    assert shop["causes"] == "unauthorized_access;malware"
    insider = rows[4]
    assert (insider["period_start"], insider["period_start_precision"]) == ("2019-10", "month")
    assert not list(tmp_path.glob(".*.tmp"))  # the temp file was renamed, not left behind


def test_export_largest_count_wins(tmp_path):
    rec = {"schema_version": 1, "doc_id": "x", "source": {"path": None, "url": "https://example.jp/x"},
           "title": None, "organization": "株式会社テスト", "published": "2024-01-05",
           "incidents": [{"organization": None, "status": "confirmed", "dates": [], "data_types": [], "causes": [],
                          "counts": [{"value": 30, "unit": "人", "approximate": False},
                                     {"value": 1200, "unit": "件", "approximate": True},
                                     {"value": 7, "unit": "名", "approximate": False}]}]}
    pred = tmp_path / "p.jsonl"
    pred.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["export", str(pred), "--format", "csv", "-o", str(out)]) == 0
    row = _csv_rows(out)[0]
    assert (row["count"], row["count_unit"], row["count_approximate"]) == ("1200", "件", "true")
    assert row["organization"] == "株式会社テスト"  # the record's name when the incident has none


def test_export_parquet_types_and_values(tmp_path):
    out = tmp_path / "out.parquet"
    assert main(["export", str(PRED), "--format", "parquet", "-o", str(out)]) == 0
    table = pq.read_table(out)
    for role in ROLES:
        assert table.schema.field(role).type == pa.date32()
    assert table.schema.field("published").type == pa.date32()
    assert table.schema.field("count").type == pa.int64()
    assert table.schema.field("causes").type == pa.list_(pa.string())
    rows = table.to_pylist()
    assert len(rows) == 5
    shop = rows[1]
    assert shop["period_start"] == dt.date(2021, 4, 1) and shop["period_end"] == dt.date(2023, 9, 11)
    assert shop["occurred"] is None
    assert shop["data_types_leaked"] == ["name", "address", "phone_number", "email_address", "usage_history"]
    insider = rows[4]
    assert insider["period_start"] == dt.date(2019, 10, 1) and insider["period_start_precision"] == "month"
    assert insider["published"] == dt.date(2022, 7, 1)


def test_export_failed_write_leaves_the_old_file(tmp_path):
    out = tmp_path / "keep.csv"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(out, "w", encoding="utf-8") as fh:
        fh.write("half")
        raise RuntimeError("disk full")
    assert out.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [out]


def test_export_usage_and_input_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", str(PRED), "--format", "xlsx", "-o", str(tmp_path / "x")])
    assert exc.value.code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "a", "incidents": []}\n{not json\n', encoding="utf-8")
    assert main(["export", str(bad), "--format", "csv", "-o", str(tmp_path / "o.csv")]) == 1
    assert "E009" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()
