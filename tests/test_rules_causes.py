"""Every example in the cause, status, organisation and incident rule files does what it says."""

from __future__ import annotations

import re

import pytest

from extract import causes, org, rules, status
from extract.context import DocContext

CAUSES = rules.load("causes")
CONTEXT = rules.load("cause_context")
STATUS = rules.load("status")
ORG = rules.load("org")
INCIDENTS = rules.load("incidents")
FRAGMENTS = rules.load("fragments")


@pytest.mark.parametrize("category", sorted(CAUSES))
def test_rules_causes_example_yields_class(category):
    got = {it.category for it in causes.extract(DocContext("t", CAUSES[category]["example"]))}
    assert category in got


def test_rules_causes_suppressions_name_real_classes():
    for cat, entry in CAUSES.items():
        assert set(entry.get("suppresses", [])) <= set(CAUSES), cat


@pytest.mark.parametrize("key", ["denial_window", "law_window", "measure_window", "measure_sentence"])
def test_rules_cause_context_examples_have_no_cause(key):
    assert causes.extract(DocContext("t", CONTEXT[key]["example"])) == []


@pytest.mark.parametrize("key", sorted(STATUS))
def test_rules_status_examples(key):
    items = status.extract(DocContext("t", STATUS[key]["example"]))
    assert status.decide(items) == key


@pytest.mark.parametrize("key", ["legal_prefix", "legal_suffix", "place", "alias", "target", "self_ref"])
def test_rules_org_patterns_match_examples(key):
    assert re.search(ORG[key]["regex"], ORG[key]["example"])


def test_rules_org_not_subject_example_is_excluded():
    ctx = DocContext("t", "x", title="x")
    assert org._excluded(ctx, ORG["not_subject"]["example"])


@pytest.mark.parametrize("key", ["leak_words", "title_not", "numbered_heading", "split_cues"])
def test_rules_incidents_examples(key):
    assert rules.compile_pattern(INCIDENTS[key]["regex"]).search(INCIDENTS[key]["example"])


@pytest.mark.parametrize("name", sorted(FRAGMENTS))
def test_rules_fragments_examples_match_in_full(name):
    assert rules.compile_pattern(FRAGMENTS[name]["regex"]).fullmatch(FRAGMENTS[name]["example"])
