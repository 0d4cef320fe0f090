"""``rouei diff``: the changes between two extraction runs, through the real CLI, on records
written here for the purpose."""

from __future__ import annotations

import copy
import json

import pytest

from rouei.extract.cli import main

TEXT = ("2024年5月20日に不正アクセスを確認し、顧客の氏名と住所、約1,200件が漏えいしました。"
        "発覚日：2024年5月20日。なお、クレジットカード情報は含まれていません。")


def _item(text: str, last: bool = False, **fields) -> dict:
    start = TEXT.rindex(text) if last else TEXT.index(text)
    return {**fields, "text": text, "start": start, "end": start + len(text)}


def _record(doc_id: str, **overrides) -> dict:
    rec = {
        "schema_version": 1, "doc_id": doc_id,
        "source": {"path": f"{doc_id}.txt", "url": None, "sha256": "0" * 64, "encoding": "utf-8"},
        "title": "お知らせ", "organization": "株式会社テスト", "published": "2024-06-01",
        "incidents": [{
            "organization": "株式会社テスト", "status": "confirmed",
            "dates": [_item("2024年5月20日", value="2024-05-20", role="discovered")],
            "counts": [_item("約1,200件", value=1200, unit="件", approximate=True)],
            "data_types": [_item("氏名", category="name", leaked=True),
                           _item("住所", category="address", leaked=True)],
            "causes": [_item("不正アクセス", category="unauthorized_access")],
        }],
        "extractor": {"version": "0.1.0", "rules": "a" * 64, "model": "ja_ginza 5.3.0"},
    }
    rec.update(overrides)
    return rec


def _write(path, records) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _diff(capsys, *args) -> tuple[int, str, str]:
    code = main(["diff", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def old(tmp_path):
    return _write(tmp_path / "old.jsonl", [_record("a"), _record("b")])


def test_diff_identical_runs_exit_0_and_ignore_the_extractor_block(tmp_path, old, capsys):
    other = [_record("a"), _record("b")]
    for rec in other:
        rec["extractor"] = {"version": "9.9.9", "rules": "b" * 64, "model": "ja_ginza 9"}
    code, out, _ = _diff(capsys, old, _write(tmp_path / "new.jsonl", other))
    assert code == 0
    assert "no changes" in out


def test_diff_role_and_count_changes_pair_by_span_with_their_evidence(tmp_path, old, capsys):
    new = _record("a")
    inc = new["incidents"][0]
    inc["dates"][0]["role"] = "occurred"
    inc["counts"][0]["value"] = 1300
    path = _write(tmp_path / "new.jsonl", [new, _record("b")])
    code, out, _ = _diff(capsys, old, path, "--json")
    assert code == 1
    report = json.loads(out)
    assert [n["doc_id"] for n in report["notices"]] == ["a"]
    changes = report["notices"][0]["changes"]
    assert [(c["field"], c["change"], c["what"]) for c in changes] == [
        ("dates", "changed", ["role"]), ("counts", "changed", ["value"])]
    assert changes[0]["old"]["role"] == "discovered" and changes[0]["new"]["role"] == "occurred"
    assert changes[1]["new"]["text"] == "約1,200件"
    assert report["summary"]["dates"]["changed"] == 1 and report["summary"]["counts"]["notices"] == 1
    assert report["f1"] is None  # no --gold, no scores
    # the text form names the notice, the move and the evidence
    code, text, _ = _diff(capsys, old, path)
    assert code == 1
    assert 'role "discovered" -> "occurred"' in text and "「2024年5月20日」@0" in text


def test_diff_added_removed_and_widened_spans(tmp_path, old, capsys):
    new = _record("a")
    inc = new["incidents"][0]
    inc["data_types"] = [_item("氏名", category="name", leaked=True)]  # address removed
    inc["causes"].append(_item("漏えい", category="other"))  # added
    # the count's evidence loses its 約: the same fact on a narrower span is a change of text
    inc["counts"] = [_item("1,200件", value=1200, unit="件", approximate=False)]
    code, out, _ = _diff(capsys, old, _write(tmp_path / "new.jsonl", [new, _record("b")]), "--json")
    assert code == 1
    changes = {(c["field"], c["change"]): c for c in json.loads(out)["notices"][0]["changes"]}
    assert set(changes) == {("data_types", "removed"), ("causes", "added"), ("counts", "changed")}
    assert changes[("data_types", "removed")]["old"]["category"] == "address"
    assert changes[("counts", "changed")]["what"] == ["approximate", "text"]


def test_diff_same_fact_on_other_evidence_is_a_change_of_text(tmp_path, old, capsys):
    new = _record("a", source={"path": "a.txt", "url": None, "sha256": "1" * 64, "encoding": "utf-8"})
    new["incidents"][0]["dates"] = [_item("2024年5月20日", last=True, value="2024-05-20", role="discovered")]
    code, out, _ = _diff(capsys, old, _write(tmp_path / "new.jsonl", [new, _record("b")]), "--json")
    assert code == 1
    changes = json.loads(out)["notices"][0]["changes"]
    assert [(c["field"], c["change"]) for c in changes] == [("sha256", "changed"), ("dates", "changed")]
    assert changes[1]["what"] == ["text"]
    assert (changes[1]["old"]["start"], changes[1]["new"]["start"]) == (0, TEXT.rindex("2024年5月20日"))


def test_diff_notices_only_in_one_run_and_error_records(tmp_path, old, capsys):
    failed = {"schema_version": 1, "doc_id": "b", "error": {"kind": "timeout", "message": "slow"}}
    code, out, _ = _diff(capsys, old, _write(tmp_path / "new.jsonl", [failed, _record("c")]), "--json")
    assert code == 1
    by_doc = {n["doc_id"]: n["changes"] for n in json.loads(out)["notices"]}
    assert ("notice", "removed") in {(c["field"], c["change"]) for c in by_doc["a"]}
    assert ("notice", "added") in {(c["field"], c["change"]) for c in by_doc["c"]}
    # b became an error record: the error is the notice-level change, its facts are removed
    kinds = [(c["field"], c["change"]) for c in by_doc["b"]]
    assert kinds[0] == ("error", "changed") and by_doc["b"][0]["new"] == "timeout"
    assert ("organization", "changed") not in kinds
    assert kinds.count(("data_types", "removed")) == 2


def test_diff_with_gold_marks_fixes_and_regressions_and_scores_both_runs(tmp_path, old, capsys):
    gold = {"doc_id": "a", "incidents": 1, "organization": "株式会社テスト",
            "dates": [{"value": "2024-05-20", "role": "discovered"}],
            "counts": [{"value": 1200, "unit": "件"}],
            "data_types": {"leaked": ["name", "address"], "not_leaked": ["credit_card"]},
            "causes": ["unauthorized_access"]}
    gold_path = _write(tmp_path / "gold.jsonl", [gold])
    new = _record("a")
    inc = new["incidents"][0]
    inc["dates"][0]["role"] = "occurred"  # a right role made wrong
    inc["data_types"].append(_item("クレジットカード情報", category="credit_card", leaked=False))
    inc["causes"].append(_item("漏えい", category="other"))  # a wrong cause added
    code, out, _ = _diff(capsys, old, _write(tmp_path / "new.jsonl", [new]), "--gold", gold_path, "--json")
    assert code == 1
    report = json.loads(out)
    verdicts = {(c["field"], c["change"]): c["verdict"] for c in report["notices"][0]["changes"]}
    assert verdicts[("dates", "changed")] == "regression"
    assert verdicts[("data_types", "added")] == "fix"
    assert verdicts[("causes", "added")] == "regression"
    # b is in neither gold nor NEW: its removal is listed but not judged
    assert all("verdict" not in c for c in report["notices"][1]["changes"])
    f1 = report["f1"]
    assert f1["date_roles"]["old"] == pytest.approx(1.0) and f1["date_roles"]["new"] == pytest.approx(0.0)
    assert f1["data_types_not_leaked"]["old"] == pytest.approx(0.0)
    assert f1["data_types_not_leaked"]["new"] == pytest.approx(1.0)
    assert f1["dates"]["old"] == f1["dates"]["new"] == pytest.approx(1.0)
    code, text, _ = _diff(capsys, old, str(tmp_path / "new.jsonl"), "--gold", gold_path)
    assert "[regression]" in text and "[fix]" in text
    assert any(line.startswith("date_roles") and "-1.000" in line for line in text.splitlines())


def test_diff_a_change_another_item_covers_is_neutral(tmp_path, capsys):
    """A second span of a date already found, added in NEW, moves no score."""
    base = _record("a")
    gold = {"doc_id": "a", "incidents": 1, "organization": None,
            "dates": [{"value": "2024-05-20", "role": "discovered"}], "counts": [],
            "data_types": {"leaked": [], "not_leaked": []}, "causes": []}
    new = copy.deepcopy(base)
    new["incidents"][0]["dates"].append(_item("2024年5月20日", last=True, value="2024-05-20", role="discovered"))
    code, out, _ = _diff(capsys, _write(tmp_path / "o.jsonl", [base]), _write(tmp_path / "n.jsonl", [new]),
                         "--gold", _write(tmp_path / "g.jsonl", [gold]), "--json")
    assert code == 1
    (change,) = json.loads(out)["notices"][0]["changes"]
    assert (change["change"], change["verdict"]) == ("added", "neutral")


@pytest.mark.parametrize("args", [
    ["missing.jsonl", "{old}"],
    ["{old}", "missing.jsonl"],
    ["{old}", "{old}", "--gold", "missing.jsonl"],
    ["{old}"],
])
def test_diff_usage_errors_exit_2(tmp_path, old, capsys, args):
    args = [a.format(old=old) if "{" in a else str(tmp_path / a) if a.endswith(".jsonl") else a
            for a in args]
    with pytest.raises(SystemExit) as exc:
        code = main(["diff", *args])
        raise SystemExit(code)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_diff_refuses_a_prediction_file_as_gold(tmp_path, old, capsys):
    code, _, err = _diff(capsys, old, old, "--gold", old)
    assert code == 2
    assert "not a gold annotation" in err
