"""``rouei export`` for analysis at corpus scale: one row per fact, typed Parquet read by
pandas, CSV cells that cannot run as formulas, the format from the file name, non-notices."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from rouei.extract.cli import main
from rouei.extract.reports.export import neutralise, resolve_format
from rouei.extract.reports.records import read_records, sentence_bounds

FIX = Path(__file__).parent / "fixtures" / "review"
PRED = FIX / "pred.jsonl"
CORPUS = FIX / "corpus"


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _record(doc_id: str, **kw) -> dict:
    rec = {"schema_version": 1, "doc_id": doc_id, "source": {"path": None, "url": None},
           "title": "お知らせ", "organization": "株式会社テスト", "published": "2024-01-05",
           "incidents": [{"organization": None, "status": "confirmed", "dates": [], "counts": [],
                          "data_types": [], "causes": []}]}
    rec.update(kw)
    return rec


@pytest.mark.parametrize("text, span, sentence", [
    ("前置き。当社は5月1日に不正アクセスを確認しました。次の文。", "5月1日", "当社は5月1日に不正アクセスを確認しました。"),
    ("件名\n　対象は氏名、住所です\n以上", "住所", "対象は氏名、住所です"),
    ("最初の文に氏名。", "氏名", "最初の文に氏名。"),
    ("終わりのない文の氏名", "氏名", "終わりのない文の氏名"),
    ("跨ぐ。範囲です", "。範囲", "跨ぐ。範囲です"),
])
def test_export_sentence_bounds(text, span, sentence):
    start = text.index(span)
    a, b = sentence_bounds(text, start, start + len(span))
    assert text[a:b] == sentence


def test_export_facts_csv_every_fact_with_its_evidence_and_sentence(tmp_path):
    out = tmp_path / "facts.csv"
    assert main(["export", str(PRED), "--format", "facts", "-o", str(out)]) == 0
    rows = _csv_rows(out)
    records = [r for r in read_records(PRED) if "incidents" in r]
    n_items = sum(len(inc[f]) for r in records for inc in r["incidents"]
                  for f in ("dates", "counts", "data_types", "causes"))
    assert len(rows) == n_items
    # every date of every role, not only the earliest per role
    mail_dates = [(r["value"], r["role"]) for r in rows if r["doc_id"] == "rv_mail_bcc" and r["field"] == "dates"]
    assert mail_dates == [("2024-05-20", "announced"), ("2024-05-17", "occurred"), ("2024-05-18", "discovered")]
    # the second incident's count is kept, with its incident number and unit
    city_counts = [(r["incident"], r["value"], r["unit"]) for r in rows
                   if r["doc_id"] == "rv_city_two" and r["field"] == "counts"]
    assert city_counts == [("1", "12", "名"), ("2", "35", "人")]
    for r in rows:
        text = (CORPUS / f"{r['doc_id']}.txt").read_text(encoding="utf-8")
        start, end = int(r["start"]), int(r["end"])
        assert text[start:end] == r["text"]
        s0 = int(r["sentence_start"])
        assert text[s0:s0 + len(r["sentence"])] == r["sentence"]
        assert r["sentence"][start - s0:end - s0] == r["text"]
    notleaked = [r for r in rows if r["field"] == "data_types" and r["leaked"] == "false"]
    assert {r["category"] for r in notleaked} == {"name", "address", "credit_card", "my_number"}


def test_export_facts_sentence_from_the_kept_text_and_empty_without_text(tmp_path):
    text = "お知らせ\n当社の顧客120件の氏名が流出しました。お詫び申し上げます。"
    start = text.index("120件")
    inc = {"organization": None, "status": "confirmed", "dates": [], "data_types": [], "causes": [],
           "counts": [{"value": 120, "unit": "件", "approximate": False, "text": "120件",
                       "start": start, "end": start + 4}]}
    kept = _record("kept", text=text, incidents=[inc])
    lost = _record("lost", incidents=[json.loads(json.dumps(inc))])
    pred = _write(tmp_path / "p.jsonl", [kept, lost])
    out = tmp_path / "f.csv"
    assert main(["export", str(pred), "-o", str(out), "--format", "facts"]) == 0
    by_doc = {r["doc_id"]: r for r in _csv_rows(out)}
    assert by_doc["kept"]["sentence"] == "当社の顧客120件の氏名が流出しました。"
    assert by_doc["lost"]["sentence"] == "" and by_doc["lost"]["count"] == "120"


def test_export_facts_parquet_pandas_types_and_one_filter(tmp_path):
    out = tmp_path / "facts.parquet"
    assert main(["export", str(PRED), "--format", "facts", "-o", str(out)]) == 0
    df = pd.read_parquet(out)
    assert str(df["date"].dtype) == "date32[day][pyarrow]"
    assert str(df["published"].dtype) == "date32[day][pyarrow]"
    assert str(df["count"].dtype) == "Int64" and str(df["start"].dtype) == "Int64"
    assert str(df["leaked"].dtype) == "boolean" and str(df["approximate"].dtype) == "boolean"
    for col in ("field", "role", "unit", "category", "status", "date_precision"):
        assert isinstance(df[col].dtype, pd.CategoricalDtype), col
    counts = df[df.field == "counts"]
    assert counts["count"].sum() == 248 + 120000 + 12 + 35 + 3052
    assert counts["date"].isna().all()
    discovered = df[(df.field == "dates") & (df.role == "discovered")]
    assert sorted(discovered["date"].dt.year.tolist()) == [2022, 2023, 2024, 2024]
    month = df[(df.doc_id == "rv_insider") & (df.date_precision == "month")]
    assert month["date"].tolist() == [dt.date(2019, 10, 1), dt.date(2021, 3, 1)]
    assert month["value"].tolist() == ["2019-10", "2021-03"]


def test_export_incident_parquet_pandas_types(tmp_path):
    out = tmp_path / "incidents.parquet"
    assert main(["export", str(PRED), "-o", str(out)]) == 0  # the format from the suffix
    df = pd.read_parquet(out)
    assert len(df) == 5
    assert str(df["count"].dtype) == "Int64" and str(df["incident"].dtype) == "Int64"
    assert str(df["discovered"].dtype) == "date32[day][pyarrow]"
    assert str(df["count_approximate"].dtype) == "boolean"
    assert isinstance(df["status"].dtype, pd.CategoricalDtype)
    assert isinstance(df["count_unit"].dtype, pd.CategoricalDtype)
    assert df.loc[df.doc_id == "rv_shop_access", "count"].item() == 120000


@pytest.mark.parametrize("cell, safe", [
    ("=HYPERLINK(\"http://x\",\"x\")", "'=HYPERLINK(\"http://x\",\"x\")"),
    ("+81-3-0000", "'+81-3-0000"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("＝1+1", "'＝1+1"),
    ("株式会社テスト", "株式会社テスト"), ("a=b", "a=b"), ("", ""),
])
def test_export_neutralise(cell, safe):
    assert neutralise(cell) == safe


def test_export_csv_cells_that_would_run_as_formulas_get_a_quote(tmp_path):
    rec = _record("inj", title="=cmd|' /C calc'!A0", organization="@SUM(1+1)")
    rec["incidents"][0]["organization"] = "-2+3"
    rec["incidents"][0]["causes"] = [{"category": "other", "text": "+不明", "start": 0, "end": 3}]
    pred = _write(tmp_path / "p.jsonl", [rec])
    for fmt, name in (("csv", "i.csv"), ("facts", "f.csv")):
        out = tmp_path / name
        assert main(["export", str(pred), "--format", fmt, "-o", str(out)]) == 0
        with open(out, encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert "'=cmd|' /C calc'!A0" in cells and "'-2+3" in cells
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'+不明" in [r["text"] for r in _csv_rows(tmp_path / "f.csv")]


@pytest.mark.parametrize("given, name, expected", [
    (None, "x.csv", ("incidents", "csv")), (None, "x.PARQUET", ("incidents", "parquet")),
    (None, "x.jsonl", ("veris", "jsonl")), (None, "x.json", ("veris", "json")),
    ("veris", "x.out", ("veris", "jsonl")), ("csv", "x.txt", ("incidents", "csv")),
    ("facts", "x.parquet", ("facts", "parquet")), ("facts", "x", ("facts", "csv")),
])
def test_export_resolve_format(given, name, expected):
    assert resolve_format(given, Path(name)) == expected


def test_export_format_from_the_name_and_veris_json_array(tmp_path, capsys):
    assert main(["export", str(PRED), "-o", str(tmp_path / "a.csv")]) == 0
    assert len(_csv_rows(tmp_path / "a.csv")) == 5
    assert main(["export", str(PRED), "-o", str(tmp_path / "v.jsonl")]) == 0
    lines = [json.loads(x) for x in (tmp_path / "v.jsonl").read_text(encoding="utf-8").splitlines()]
    assert main(["export", str(PRED), "-o", str(tmp_path / "v.json")]) == 0
    with open(tmp_path / "v.json", encoding="utf-8") as fh:
        array = json.load(fh)
    assert isinstance(array, list) and array == lines and len(array) == 5
    capsys.readouterr()
    assert main(["export", str(PRED), "-o", str(tmp_path / "x.txt")]) == 2
    assert "give --format" in capsys.readouterr().err
    assert main(["export", str(PRED), "--format", "facts", "-o", str(tmp_path / "x.jsonl")]) == 2
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "x.jsonl").exists()


def test_export_leaves_out_non_notices_unless_asked(tmp_path, capsys):
    recs = [_record("leak"), _record("page", leak_notice=False, incidents=[]),
            _record("old")]  # no leak_notice key: a notice
    recs[0]["leak_notice"] = True
    pred = _write(tmp_path / "p.jsonl", recs)
    out = tmp_path / "o.csv"
    assert main(["export", str(pred), "-o", str(out)]) == 0
    assert [r["doc_id"] for r in _csv_rows(out)] == ["leak", "old"]
    err = capsys.readouterr().err
    assert "1 record(s) with leak_notice false left out" in err
    recs[1]["incidents"] = recs[0]["incidents"]
    pred = _write(tmp_path / "p.jsonl", recs)
    assert main(["export", str(pred), "-o", str(out), "--include-non-notices"]) == 0
    assert [r["doc_id"] for r in _csv_rows(out)] == ["leak", "page", "old"]
    assert "left out" not in capsys.readouterr().err


def test_export_readme_pandas_example_runs_on_a_facts_export(tmp_path, monkeypatch):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Scoring, reviewing, exporting"):]
    code = section[section.index("```python\n") + 10:]
    code = code[:code.index("```")]
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(PRED), "--format", "facts", "-o", "facts.parquet"]) == 0
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the README's own example
    assert len(scope["counts"]) == 5 and set(scope["counts"].field) == {"counts"}
    assert len(scope["discovered"]) == 4
