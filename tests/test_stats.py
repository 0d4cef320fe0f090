"""``rouei stats``: counts by cause, year and data type, and the disclosure lag's quartiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rouei.extract.cli import main
from rouei.extract.reports.records import read_records
from rouei.extract.reports.stats import compute, incident_lag, quartiles

FIX = Path(__file__).parent / "fixtures" / "review"
PRED = FIX / "pred.jsonl"


def _inc(*dates: tuple[str, str]) -> dict:
    return {"dates": [{"value": v, "role": r} for v, r in dates]}


@pytest.mark.parametrize("inc, published, expected", [
    (_inc(("2023-04-01", "discovered"), ("2023-04-11", "announced")), None, (10, "announced")),
    # the first announcement after discovery, not an earlier unrelated one
    (_inc(("2023-04-01", "discovered"), ("2023-03-01", "announced"), ("2023-05-01", "announced")), None, (30, "announced")),
    (_inc(("2023-04-01", "discovered")), "2023-04-03", (2, "published")),
    (_inc(("2023-04", "discovered"), ("2023-05-01", "announced")), None, (None, "no day-precise discovered date")),
    (_inc(("2023-04-09", "discovered")), None, (None, "no announcement date")),
    (_inc(("2023-04-09", "discovered"), ("2023-04-01", "announced")), None, (None, "announced before discovered")),
])
def test_stats_incident_lag(inc, published, expected):
    assert incident_lag(inc, published) == expected


def test_stats_quartiles():
    q = quartiles([2, 15, 17, 57])
    assert (q["n"], q["min"], q["q1"], q["median"], q["q3"], q["max"]) == (4, 2, 11.75, 16.0, 27.0, 57)
    assert quartiles([]) == {"n": 0}


def test_stats_compute_on_fixture():
    s = compute(read_records(PRED))
    assert (s["records"], s["errors"], s["notices"], s["incidents"]) == (5, 1, 4, 5)
    assert s["status"] == {"confirmed": 2, "possible": 2, "none": 1}
    assert s["causes"]["loss"] == {"notices": 1, "incidents": 1}
    assert set(s["causes"]) == {"misoperation", "unauthorized_access", "malware", "loss", "theft", "insider_fraud"}
    # rv_city_two's second incident has no discovered date; the notice counts under its first
    assert s["years"] == {"2022": {"notices": 1, "incidents": 1}, "2023": {"notices": 1, "incidents": 1},
                          "2024": {"notices": 2, "incidents": 2}, "unknown": {"notices": 0, "incidents": 1}}
    assert list(s["data_types"])[0] == "name" and s["data_types"]["name"] == {"notices": 3, "incidents": 3}
    assert "credit_card" not in s["data_types"]  # only ever named as not leaked
    lag = s["lag_days"]
    assert lag["values"] == [2, 15, 17, 57] and lag["median"] == 16.0
    assert lag["not_measured"] == {"no day-precise discovered date": 1}


def test_stats_counts_a_cause_once_per_notice():
    recs = [{"doc_id": "a", "published": None, "incidents": [
        {"causes": [{"category": "loss"}], "dates": [], "data_types": []},
        {"causes": [{"category": "loss"}, {"category": "loss"}], "dates": [], "data_types": []},
        {"causes": [], "dates": [], "data_types": []}]}]
    s = compute(recs)
    assert s["causes"]["loss"] == {"notices": 1, "incidents": 2}
    assert s["causes"]["(none stated)"] == {"notices": 1, "incidents": 1}


def test_stats_cli_tables_json_and_plot(tmp_path, capsys):
    png = tmp_path / "fig.png"
    assert main(["stats", str(PRED), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "By cause class" in out and "By year of discovery" in out
    assert any(line.split()[:2] == ["median", "16"] for line in out.splitlines())
    assert any(line.split() == ["insider_fraud", "1", "1"] for line in out.splitlines())
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000

    import matplotlib.image

    img = matplotlib.image.imread(png)
    assert img.shape[0] >= 600 and img.shape[1] >= 900

    assert main(["stats", str(PRED), "--json", "--top", "2"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert len(s["data_types"]) == 2 and s["incidents"] == 5


def test_stats_missing_input_fails(tmp_path, capsys):
    assert main(["stats", str(tmp_path / "nope.jsonl")]) == 2  # a missing input is a usage error
    assert "no such file or directory" in capsys.readouterr().err


def test_stats_leaves_out_non_notices_and_says_how_many(tmp_path, capsys):
    recs = [json.loads(line) for line in PRED.read_text(encoding="utf-8").splitlines()]
    page = {"schema_version": 1, "doc_id": "product_page", "title": "新製品のお知らせ", "organization": None,
            "published": "2024-04-01", "leak_notice": False, "incidents": []}
    recs[0]["leak_notice"] = True  # the key present and true, as for the other ones missing
    pred = tmp_path / "p.jsonl"
    pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs + [page]), encoding="utf-8")
    assert main(["stats", str(pred), "--json"]) == 0
    captured = capsys.readouterr()
    s = json.loads(captured.out)
    assert s["records"] == len(recs) and s["notices_without_incidents"] == 0
    assert "1 record(s) with leak_notice false left out" in captured.err
    assert main(["stats", str(pred), "--json", "--include-non-notices"]) == 0
    captured = capsys.readouterr()
    s = json.loads(captured.out)
    assert s["records"] == len(recs) + 1 and s["notices_without_incidents"] == 1
    assert "left out" not in captured.err
