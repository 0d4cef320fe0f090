"""``rouei eval``: scoring against gold as SPEC section 6 defines it."""

from __future__ import annotations

import json

import pytest

from rouei.extract.cli import main
from rouei.extract.reports.evaluate import norm_org, org_matches, parse_floors, score

GOLD = {
    "a": {"doc_id": "a", "incidents": 2, "organization": "株式会社テスト",
          "dates": [{"value": "2024-01-05", "role": "discovered"}, {"value": "2024-02", "role": "announced"}],
          "counts": [{"value": 120, "unit": "件"}],
          "data_types": {"leaked": ["name", "address"], "not_leaked": ["credit_card"]},
          "causes": ["misoperation"]},
    "b": {"doc_id": "b", "incidents": 1, "organization": None, "dates": [], "counts": [{"value": 3, "unit": "名"}],
          "data_types": {"leaked": ["name"], "not_leaked": []}, "causes": []},
}


def _inc(dates=(), counts=(), dts=(), causes=()):
    return {"organization": None, "status": "confirmed",
            "dates": [{"value": v, "role": r, "text": v, "start": s, "end": s + 1} for v, r, s in dates],
            "counts": [{"value": v, "unit": u} for v, u in counts],
            "data_types": [{"category": c, "leaked": lk} for c, lk in dts],
            "causes": [{"category": c} for c in causes]}


PRED = {
    "a": {"doc_id": "a", "organization": "テスト", "incidents": [
        _inc(dates=[("2024-01-05", "discovered", 10)], counts=[(120, "件")], dts=[("name", True)]),
        _inc(dates=[("2024-02", "other", 50), ("2024-02", "announced", 80)], counts=[(5, "社")],
             dts=[("credit_card", False), ("address", True)], causes=["misoperation", "loss"]),
    ]},
}


def test_evaluate_set_fields_micro_scores():
    s = score(GOLD, PRED)
    assert (s["dates"]["tp"], s["dates"]["fp"], s["dates"]["fn"]) == (2, 0, 0)
    # the first role in text order for 2024-02 is "other", so (2024-02, announced) is missed
    assert (s["date_roles"]["tp"], s["date_roles"]["fp"], s["date_roles"]["fn"]) == (1, 1, 1)
    # doc b is missing: its gold count is a miss
    assert (s["counts"]["tp"], s["counts"]["fp"], s["counts"]["fn"]) == (1, 1, 1)
    assert s["counts"]["f1"] == pytest.approx(0.5)
    assert s["data_types_leaked"]["tp"] == 2 and s["data_types_leaked"]["fn"] == 1
    assert s["data_types_not_leaked"]["f1"] == 1.0
    assert (s["causes"]["tp"], s["causes"]["fp"]) == (1, 1)


def test_evaluate_incidents_and_organisation_accuracy():
    s = score(GOLD, PRED)
    assert s["incidents"]["correct"] == 1 and s["incidents"]["total"] == 2  # b missing
    # organisation: legal form stripped; b is skipped (gold null)
    assert s["organization"]["correct"] == 1 and s["organization"]["total"] == 1


def test_evaluate_error_record_counts_as_missing():
    pred = {"b": {"doc_id": "b", "error": {"kind": "io", "message": "x"}}}
    s = score({"b": GOLD["b"]}, pred)
    assert s["counts"]["fn"] == 1 and s["counts"]["tp"] == 0


@pytest.mark.parametrize("name,expected", [
    ("株式会社 テスト", "テスト"), ("テスト(株)", "テスト"), ("学校法人 テスト学園", "テスト学園"),
    ("一般社団法人テスト協会", "テスト協会"),
    # NFKC: full-width brackets and letters, the circled ㈱
    ("テスト（株）", "テスト"), ("㈱テスト", "テスト"), ("ＡＢＣ商事", "ABC商事"),
    # ヶ/ケ and ヵ/カ are one spelling of a place name
    ("松ヶ丘小学校", "松ケ丘小学校"), ("霞ヵ浦町", "霞カ浦町"),
    # the longer legal forms go whole, not leaving 地方 or 社団 behind
    ("地方独立行政法人テスト病院機構", "テスト病院機構"), ("医療法人社団テスト会", "テスト会"),
    ("社会医療法人テスト会", "テスト会"), ("国立大学法人テスト大学", "テスト大学"),
    ("特定非営利活動法人テスト", "テスト"), ("NPO法人テスト", "テスト"), ("合資会社テスト", "テスト"),
    # not legal forms: a department or a facility word stays
    ("テスト市総務局", "テスト市総務局"), ("テスト病院", "テスト病院"),
])
def test_evaluate_norm_org(name, expected):
    assert norm_org(name) == expected


def test_evaluate_org_matches_alternative_names():
    gold = {"organization": "独立行政法人テスト機構 みどり医療センター",
            "organization_alt": ["みどり医療センター"]}
    assert org_matches("テスト機構みどり医療センター", gold)
    assert org_matches("みどり医療センター", gold)
    assert not org_matches("テスト機構", gold)
    assert not org_matches(None, gold)
    assert not org_matches("テスト市", {"organization": "テスト市立病院"})


def test_evaluate_organisation_scores_alt_and_fold():
    gold = {"x": {"doc_id": "x", "incidents": 1, "organization": "守谷テスト市立松ケ丘小学校"},
            "y": {"doc_id": "y", "incidents": 1, "organization": "テスト大学病院",
                  "organization_alt": ["テスト大学"]},
            "z": {"doc_id": "z", "incidents": 1, "organization": "テスト県警察"}}
    pred = {"x": {"doc_id": "x", "organization": "守谷テスト市立松ヶ丘小学校", "incidents": [{}]},
            "y": {"doc_id": "y", "organization": "テスト大学", "incidents": [{}]},
            "z": {"doc_id": "z", "organization": "テスト県", "incidents": [{}]}}
    s = score(gold, pred)
    assert (s["organization"]["correct"], s["organization"]["total"]) == (2, 3)
    assert set(s["organization"]["docs"]) == {"z"}


def test_evaluate_parse_floors_rejects_unknown_field():
    assert parse_floors(["dates=0.9"]) == {"dates": 0.9}
    with pytest.raises(ValueError):
        parse_floors(["date=0.9"])


def test_evaluate_cli_gates_exit_code(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    pred = tmp_path / "pred.jsonl"
    gold.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in GOLD.values()), encoding="utf-8")
    pred.write_text(json.dumps(PRED["a"], ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["eval", str(gold), str(pred), "--min-f1", "dates=0.6"]) == 0
    out = capsys.readouterr().out
    assert "date_roles" in out and "organization" in out
    assert main(["eval", str(gold), str(pred), "--min-f1", "counts=0.9"]) == 1
    assert main(["eval", str(gold), str(pred), "--min-f1", "nonsense=1"]) == 2
    capsys.readouterr()
    assert main(["eval", str(gold), str(pred), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["tp"] == 1
    assert main(["eval", str(gold), str(pred), "--errors"]) == 0
    assert "b\tcounts\tmissed" in capsys.readouterr().out
