"""The spaCy component: nlp.add_pipe("rouei") on a plain ja_ginza pipeline (docs/spacy.md)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model

NOTICE = ("令和6年4月8日、弊社の委託先において、顧客3,210名分の氏名、住所及び電話番号が記録された"
          "書類を誤って廃棄したことが判明しました。なお、クレジットカード情報は含まれておりません。")


@pytest.fixture(scope="module")
def nlp_with_rouei():
    import spacy

    nlp = spacy.load("ja_ginza")  # its own copy: the shared fixture stays without the component
    nlp.add_pipe("rouei")
    return nlp


def test_component_factory_comes_from_the_entry_point():
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="spacy_factories") if e.name == "rouei"]
    assert ep.value == "rouei.extract.component:make_rouei"


def test_component_adds_spans_and_the_record(nlp_with_rouei):
    doc = nlp_with_rouei(NOTICE)
    spans = doc.spans["rouei"]
    labels = {sp.label_ for sp in spans}
    assert labels == {"DATE", "COUNT", "DATA_TYPE", "CAUSE"}
    for sp in spans:
        item = sp._.rouei
        assert NOTICE[item["start"]:item["end"]] == item["text"]  # offsets into doc.text
        assert sp.start_char <= item["start"] and item["end"] <= sp.end_char
    date = next(sp._.rouei for sp in spans if sp.label_ == "DATE")
    assert date["value"] == "2024-04-08" and date["role"] == "discovered"
    card = next(sp._.rouei for sp in spans if sp.label_ == "DATA_TYPE" and sp._.rouei["category"] == "credit_card")
    assert card["leaked"] is False
    rec = doc._.rouei
    assert rec["schema_version"] == 1
    assert [(c["value"], c["unit"]) for c in rec["incidents"][0]["counts"]] == [(3210, "名分")]


def test_component_agrees_with_the_command_line_pipeline(nlp_with_rouei, pipeline):
    """Reading the doc's own parse gives the same record as rouei's own parse of sentences."""
    doc = nlp_with_rouei(NOTICE)
    rec = pipeline.process("doc", NOTICE, {"path": None, "url": None})
    assert doc._.rouei["incidents"] == rec["incidents"]


def test_component_does_not_parse_again(nlp_with_rouei, monkeypatch):
    from rouei.extract.nlp import model

    def boom(*a, **k):
        raise AssertionError("the component parsed a second time")

    monkeypatch.setattr(model, "parse_for_rules", boom)
    monkeypatch.setattr(model, "parse_texts", boom)
    doc = nlp_with_rouei(NOTICE)
    assert doc._.rouei["incidents"]
    assert nlp_with_rouei.get_pipe("rouei").pipeline.nlp is nlp_with_rouei  # no model of its own


def test_component_leaves_thinc_global_ops_alone():
    import spacy
    from thinc.api import get_current_ops

    before = type(get_current_ops())
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("rouei")
    nlp(NOTICE)
    assert type(get_current_ops()) is before


def test_component_renders_with_displacy(nlp_with_rouei):
    from spacy import displacy

    doc = nlp_with_rouei(NOTICE)
    html = displacy.render(doc, style="span", options={"spans_key": "rouei"})
    for label in ("DATE", "COUNT", "DATA_TYPE", "CAUSE"):
        assert label in html
    assert "3,210名分" in html or "3,210" in html


def test_component_empty_doc(nlp_with_rouei):
    doc = nlp_with_rouei("")
    assert list(doc.spans["rouei"]) == [] and doc._.rouei is None


def test_component_config_is_serialised(nlp_with_rouei):
    cfg = nlp_with_rouei.config["components"]["rouei"]
    assert cfg["factory"] == "rouei" and cfg["incidents"] == "split"
