"""The accuracy gate's baseline file: floors per gold set, refused when the gold has changed."""

from __future__ import annotations

import json

from rouei.extract.cli import main
from rouei.extract.reports import baseline

from .conftest import CORPUS

GOLD = {"doc_id": "d1", "incidents": 1, "organization": "青空市",
        "dates": [{"value": "2024-05-01", "role": "discovered"}], "counts": [{"value": 32, "unit": "名"}],
        "data_types": {"leaked": ["name"], "not_leaked": []}, "causes": ["loss"]}


def _pred(dates, causes):
    return {"schema_version": 1, "doc_id": "d1", "organization": "青空市", "incidents": [
        {"organization": "青空市", "status": "confirmed", "dates": dates,
         "counts": [{"value": 32, "unit": "名"}], "data_types": [{"category": "name", "leaked": True}],
         "causes": [{"category": c} for c in causes]}]}


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_baseline_pins_then_gates(tmp_path, capsys):
    gold = _write(tmp_path / "gold.jsonl", [GOLD])
    good = _write(tmp_path / "good.jsonl", [_pred([{"value": "2024-05-01", "role": "discovered"}], ["loss"])])
    worse = _write(tmp_path / "worse.jsonl", [_pred([{"value": "2024-05-01", "role": "other"}], ["loss"])])
    base = tmp_path / "baseline.json"
    assert main(["eval", str(gold), str(good), "--baseline", str(base), "--set", "s", "--update-baseline"]) == 0
    pinned = json.loads(base.read_text())["s"]
    assert pinned["floors"]["date_roles"] == 1.0 and pinned["gold_sha256"] == baseline.gold_sha256(gold)
    assert main(["eval", str(gold), str(good), "--baseline", str(base), "--set", "s"]) == 0
    assert main(["eval", str(gold), str(worse), "--baseline", str(base), "--set", "s"]) == 1
    assert "below floor: date_roles" in capsys.readouterr().err


def test_baseline_refuses_a_changed_gold(tmp_path, capsys):
    gold = _write(tmp_path / "gold.jsonl", [GOLD])
    pred = _write(tmp_path / "p.jsonl", [_pred([{"value": "2024-05-01", "role": "discovered"}], ["loss"])])
    base = tmp_path / "baseline.json"
    main(["eval", str(gold), str(pred), "--baseline", str(base), "--set", "s", "--update-baseline"])
    _write(gold, [{**GOLD, "causes": ["theft"]}])  # gold edited, baseline not re-pinned
    assert main(["eval", str(gold), str(pred), "--baseline", str(base), "--set", "s"]) == 2
    assert "has changed since its baseline was pinned" in capsys.readouterr().err
    assert main(["eval", str(gold), str(pred), "--baseline", str(base), "--set", "other"]) == 2


def test_baseline_of_the_bundled_corpus_matches_its_gold():
    data = json.loads((CORPUS / "eval_baseline.json").read_text())
    assert data["seeds"]["gold_sha256"] == baseline.gold_sha256(CORPUS / "gold.jsonl")
    assert all(0 < v <= 1 for s in data.values() for v in s["floors"].values())
    dev = CORPUS.parent.parent / "shared" / "corpus" / "dev" / "gold.jsonl"
    if dev.exists():
        assert data["dev"]["gold_sha256"] == baseline.gold_sha256(dev)
