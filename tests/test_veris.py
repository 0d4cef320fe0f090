"""``rouei export --format veris``: the mappings in rules/veris.toml and schema-valid VERIS objects."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest

from rouei.extract.cli import main
from rouei.extract.core import rules
from rouei.extract.reports.veris import action_and_actor, incident_to_veris, mapping

FIX = Path(__file__).parent / "fixtures" / "review"
PRED = FIX / "pred.jsonl"
SCHEMA = json.loads((FIX / "veris-1.4-subset.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)


@pytest.fixture(scope="module")
def veris_objects(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("veris") / "out.jsonl"
    assert main(["export", str(PRED), "--format", "veris", "-o", str(out)]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _by_doc(objs: list[dict], doc_id: str, n: int = 1) -> dict:
    return next(o for o in objs if o["plus"]["rouei"]["doc_id"] == doc_id and o["plus"]["rouei"]["incident"] == n)


def test_veris_rules_cover_every_cause_class_with_a_reason():
    table = mapping()
    classes = set(rules.load("causes")["class"])
    assert classes <= set(table["cause"]), classes - set(table["cause"])
    for cls, entry in table["cause"].items():
        assert entry.get("reason"), cls
        if entry["action"] != "Unknown":
            assert {"variety", "vector", "actor", "motive"} <= set(entry), cls


def test_veris_rules_cover_every_data_type_with_a_reason():
    table = mapping()
    categories = {k for k in rules.load("datatypes") if k != "none"}  # [none] lists non-terms
    assert categories <= set(table["data"]), categories - set(table["data"])
    assert all(entry.get("reason") for entry in table["data"].values())


def test_veris_rules_every_refine_example_matches():
    checked = 0
    for cls, entry in mapping()["cause"].items():
        for ref in entry.get("refine", []):
            assert re.search(ref["pattern"], ref["example"]), (cls, ref)
            checked += 1
    assert checked >= 5


def test_veris_rules_mapping_values_are_veris_enumerations():
    """Each mapped variety, vector and motive is one the schema allows for that action."""
    actions = SCHEMA["properties"]["action"]["properties"]
    actors = SCHEMA["properties"]["actor"]["properties"]
    for cls, entry in mapping()["cause"].items():
        if entry["action"] == "Unknown":
            continue
        props = actions[entry["action"]]["properties"]
        values = [entry["variety"]] + [r["variety"] for r in entry.get("refine", []) if "variety" in r]
        assert set(values) <= set(props["variety"]["items"]["enum"]), cls
        vectors = [entry["vector"]] + [r["vector"] for r in entry.get("refine", []) if "vector" in r]
        assert set(vectors) <= set(props["vector"]["items"]["enum"]), cls
        assert entry["motive"] in actors[entry["actor"]]["properties"]["motive"]["items"]["enum"], cls
    data_enum = SCHEMA["properties"]["attribute"]["properties"]["confidentiality"]["properties"]["data"]["items"]["properties"]["variety"]["enum"]
    assert {e["variety"] for e in mapping()["data"].values()} <= set(data_enum)


def test_veris_every_object_validates(veris_objects):
    assert len(veris_objects) == 5  # five incidents; the error record gives none
    for obj in veris_objects:
        errors = [e.message for e in VALIDATOR.iter_errors(obj)]
        assert not errors, (obj["plus"]["rouei"]["doc_id"], errors)


def test_veris_schema_rejects_what_it_should(veris_objects):
    """The schema subset has teeth: a misspelt variety, a missing year and a bad disclosure fail."""
    obj = veris_objects[0]
    bad = copy.deepcopy(obj)
    bad["action"]["error"]["variety"] = ["Misdelivered"]
    assert not VALIDATOR.is_valid(bad)
    bad = copy.deepcopy(obj)
    del bad["timeline"]["incident"]["year"]
    assert not VALIDATOR.is_valid(bad)
    bad = copy.deepcopy(obj)
    bad["attribute"]["confidentiality"]["data_disclosure"] = "Possibly"
    assert not VALIDATOR.is_valid(bad)


def test_veris_misdelivery_email(veris_objects):
    o = _by_doc(veris_objects, "rv_mail_bcc")
    assert o["action"] == {"error": {"variety": ["Misdelivery"], "vector": ["Carelessness"]}}
    assert o["actor"] == {"internal": {"variety": ["Unknown"], "motive": ["NA"]}}
    conf = o["attribute"]["confidentiality"]
    assert conf["data_disclosure"] == "Yes" and conf["data_total"] == 248
    assert conf["data"] == [{"variety": "Personal", "amount": 248}]  # not-leaked types excluded
    assert o["timeline"] == {"incident": {"year": 2024, "month": 5, "day": 17},
                             "discovery": {"unit": "Days", "value": 1}}
    assert o["victim"]["victim_id"] == "株式会社みなと書房" and o["victim"]["country"] == ["JP"]
    assert o["plus"]["timeline"]["notification"] == {"year": 2024, "month": 5, "day": 20}
    assert o["reference"] == "https://example.jp/minato/news/0520.html"


def test_veris_hacking_and_ransomware_with_evidence(veris_objects):
    o = _by_doc(veris_objects, "rv_shop_access")
    assert set(o["action"]) == {"hacking", "malware"}
    assert o["action"]["malware"]["variety"] == ["Ransomware"]  # refined by the evidence text
    assert o["action"]["hacking"]["variety"] == ["Unknown"]
    assert o["attribute"]["confidentiality"]["data_disclosure"] == "Potentially"
    # no occurred date: the period's start stands for when the incident began
    assert o["timeline"]["incident"] == {"year": 2021, "month": 4, "day": 1}
    assert o["plus"]["rouei"]["timeline_from"] == "period_start"
    ev = o["plus"]["rouei"]["evidence"]
    assert {c["text"] for c in ev["causes"]} == {"不正アクセス", "ランサムウェア"}
    assert ev["counts"][0]["value"] == 120000


def test_veris_two_incidents_of_one_notice(veris_objects):
    lost, stolen = _by_doc(veris_objects, "rv_city_two", 1), _by_doc(veris_objects, "rv_city_two", 2)
    assert lost["incident_id"] != stolen["incident_id"]
    assert lost["action"]["error"]["variety"] == ["Loss"]
    assert lost["attribute"]["confidentiality"]["data_disclosure"] == "No"
    assert stolen["action"] == {"physical": {"variety": ["Theft"], "vector": ["Unknown"]}}
    assert stolen["actor"]["external"]["motive"] == ["Financial"]
    assert stolen["attribute"]["confidentiality"]["data"] == [{"variety": "Medical", "amount": 35}]


def test_veris_insider_and_stable_ids(veris_objects, tmp_path):
    o = _by_doc(veris_objects, "rv_insider")
    assert o["action"]["misuse"]["variety"] == ["Privilege abuse"]
    again = tmp_path / "again.jsonl"
    assert main(["export", str(PRED), "--format", "veris", "-o", str(again)]) == 0
    ids = [json.loads(x)["incident_id"] for x in again.read_text(encoding="utf-8").splitlines()]
    assert ids == [v["incident_id"] for v in veris_objects]


@pytest.mark.parametrize("causes, expected", [
    ([], {"Unknown"}),
    ([{"category": "other", "text": "原因は調査中"}], {"Unknown"}),
    ([{"category": "misoperation", "text": "誤送信"}, {"category": "misconfiguration", "text": "公開設定"}], {"error"}),
    ([{"category": "unauthorized_access", "text": "リスト型攻撃"}], {"hacking"}),
])
def test_veris_action_categories(causes, expected):
    action, actor = action_and_actor(causes, mapping())
    assert set(action) == expected
    if expected == {"error"} and len(causes) == 2:
        assert action["error"]["variety"] == ["Misdelivery", "Misconfiguration"]
    if causes and causes[0]["text"] == "リスト型攻撃":
        assert action["hacking"]["variety"] == ["Use of stolen creds"]
    if not causes:
        assert "Unknown" in actor


def test_veris_incident_without_dates_takes_the_notice_date_or_is_left_out():
    inc = {"status": "possible", "dates": [], "counts": [], "data_types": [], "causes": []}
    other = {"dates": [{"value": "2022-11-30", "role": "announced"}, {"value": "2022-10-01", "role": "occurred"}]}
    rec = {"doc_id": "d", "published": None, "incidents": [inc]}
    assert incident_to_veris(rec, 1, inc) is None
    rec["incidents"].append(other)  # the notice's announcement, stated in another incident
    obj = incident_to_veris(rec, 1, inc)
    assert obj["timeline"]["incident"] == {"year": 2022, "month": 11, "day": 30}
    assert obj["plus"]["rouei"]["timeline_from"] == "notice_announced"
    rec["published"] = "2023-06"
    obj = incident_to_veris(rec, 1, inc)
    assert obj["timeline"]["incident"] == {"year": 2023, "month": 6}
    assert obj["plus"]["rouei"]["timeline_from"] == "published"
    assert obj["attribute"]["confidentiality"]["data"] == [{"variety": "Unknown"}]
    assert VALIDATOR.is_valid(obj), [e.message for e in VALIDATOR.iter_errors(obj)]
