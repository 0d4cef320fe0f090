"""A held-out suite of notices and non-notices written for this project (tests/fixtures/holdout),
scored with the real pipeline against floors, so that rules tuned on the dev set cannot quietly
overfit: the texts were never used to write rules, only to find classes of error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rouei.extract.reports.evaluate import load_gold, score
from rouei.extract.run.inputs import iter_inputs

HOLDOUT = Path(__file__).resolve().parent / "fixtures" / "holdout"

# F1 (accuracy for incidents and organization) that the rules reach on the suite; pinned a little
# below the figure measured when they were last set, so a drop of one item is caught on most fields.
FLOORS = {
    "dates": 0.99,
    "date_roles": 0.95,
    "counts": 0.98,
    "data_types_leaked": 0.975,
    "data_types_not_leaked": 0.99,
    "causes": 0.98,
    "incidents": 1.0,
    "organization": 0.97,
}


@pytest.fixture(scope="module")
def holdout_records(pipeline):
    from rouei.extract.run.pipeline import process_one

    return {d.doc_id: process_one(pipeline, d) for d in iter_inputs([str(HOLDOUT)])}


@pytest.fixture(scope="module")
def holdout_gold():
    return load_gold(HOLDOUT / "gold.jsonl")


def test_holdout_gold_covers_every_text(holdout_gold):
    stems = {p.stem for p in HOLDOUT.glob("*.txt")}
    assert stems == set(holdout_gold)
    kinds = [g["leak_notice"] for g in holdout_gold.values()]
    assert kinds.count(True) >= 43 and kinds.count(False) >= 24


def test_holdout_leak_notice_flag(holdout_records, holdout_gold):
    wrong = {d: holdout_records[d].get("leak_notice") for d, g in holdout_gold.items()
             if holdout_records[d].get("leak_notice") is not g["leak_notice"]}
    assert wrong == {}


def test_holdout_non_notices_have_no_incidents(holdout_records, holdout_gold):
    for doc_id, g in holdout_gold.items():
        if not g["leak_notice"]:
            assert holdout_records[doc_id]["incidents"] == [], doc_id


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_holdout_scores_stay_above_floors(holdout_records, holdout_gold, field):
    scores = score(holdout_gold, holdout_records)
    assert scores[field]["f1"] >= FLOORS[field], json.dumps(scores[field]["docs"], ensure_ascii=False)
