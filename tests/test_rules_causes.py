"""Every example in the cause, cause-context, status, organisation, incident and fragment rule
files does what it says (one test per rule file, one case per entry)."""

from __future__ import annotations

import re

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.fields import causes, org, status

CAUSES = rules.load("causes")
CONTEXT = rules.load("cause_context")
STATUS = rules.load("status")
ORG = rules.load("org")
INCIDENTS = rules.load("incidents")
FRAGMENTS = rules.load("fragments")


def _cause_ids(entry: dict) -> str:
    return f"{entry['class']}:{entry['pattern'][:20]}"


def _categories(text: str) -> set[str]:
    return {it.category for it in causes.extract(DocContext("t", text))}


# -- rules/causes.toml --------------------------------------------------------------------

@pytest.mark.parametrize("entry", CAUSES["cue"], ids=_cause_ids)
def test_rules_causes_cue_example_yields_its_class(entry):
    """The cue's own pattern matches its example, and the example yields the cue's class."""
    pattern = causes.expand_local(entry["pattern"], CAUSES["define"])
    assert rules.compile_pattern(pattern).search(DocContext("t", entry["example"]).norm.text)
    assert entry["class"] in _categories(entry["example"])


def test_rules_causes_classes_and_suppressions_are_known():
    assert set(CAUSES["class"]) == set(causes.CLASSES)
    for cat, entry in CAUSES["class"].items():
        assert set(entry["suppresses"]) <= set(causes.CLASSES) - {cat}
    for entry in CAUSES["cue"]:
        assert entry["class"] in causes.CLASSES
        assert set(entry.get("yields_to", [])) <= set(causes.CLASSES)
        assert entry.get("needs", "cause") == "cause"


# -- rules/cause_context.toml ---------------------------------------------------------------

# an ambiguous cue (needs="cause") that only a marker or a cause heading lets through
AMBIGUOUS = "システムの不具合"


@pytest.mark.parametrize("entry", CONTEXT["marker"], ids=lambda e: e["pattern"][:12])
def test_rules_cause_context_marker(entry):
    assert re.search(entry["pattern"], entry["example"])
    assert _categories(entry["example"]), "a marker's example states a cause"


def _cue_matches(norm: str) -> list[re.Match[str]]:
    return [m for cue in causes.cause_rules().cues for m in cue.regex.finditer(norm)]


@pytest.mark.parametrize("group", ["after", "before", "sentence"])
def test_rules_cause_context_exclusions(group):
    """Each exclusion's example holds a cue word that the exclusion itself keeps out."""
    for entry in CONTEXT[group]:
        norm = DocContext("t", entry["example"]).norm.text
        assert _categories(entry["example"]) == set(), entry["example"]
        cues = _cue_matches(norm)
        assert cues, f"no cue word in {entry['example']}"
        pat = rules.compile_pattern(entry["pattern"])
        if group == "after":
            assert any(pat.match(norm, m.end()) for m in cues), entry["example"]
        elif group == "before":
            assert any(pat.search(norm[:m.start()]) for m in cues), entry["example"]
        else:
            assert pat.search(norm), entry["example"]


def test_rules_cause_context_sections_are_layout_kinds():
    from rouei.extract.doc.layout_rules import layout_rules

    kinds = {k for k, _ in layout_rules().sections}
    secs = CONTEXT["sections"]
    assert set(secs["stated"]) <= kinds and set(secs["silent"]) <= kinds
    assert not set(secs["stated"]) & set(secs["silent"])


@pytest.mark.parametrize("heading,expected", [
    ("3 発生原因", {"bug_vulnerability"}), ("【経緯】", {"bug_vulnerability"}), ("1. 事案の概要", {"bug_vulnerability"}),
    ("4. 再発防止策", set()), ("お問い合わせ先", set()), ("関連記事", set()),
])
def test_rules_cause_context_section_kinds(heading, expected):
    # an ambiguous cue counts under a section kind that states causes, none in a silent one
    assert _categories(f"{heading}\n{AMBIGUOUS}が見つかった。\n") == expected



# -- rules/status.toml ----------------------------------------------------------------------

@pytest.mark.parametrize("entry", STATUS["cue"], ids=lambda e: f"{e['status']}:{e['pattern'][:16]}")
def test_rules_status_cue_example(entry):
    items = status.extract(DocContext("t", entry["example"]))
    assert entry["status"] in {it.status for it in items}


@pytest.mark.parametrize("entry", STATUS["after"], ids=lambda e: e["pattern"][:16])
def test_rules_status_after_example(entry):
    applies = set(entry.get("applies_to", status.STATUSES))
    items = status.extract(DocContext("t", entry["example"]))
    assert not applies & {it.status for it in items}


def test_rules_status_decide():
    dec = STATUS["decide"]
    assert sorted(dec["order"]) == sorted(status.STATUSES) and dec["default"] in status.STATUSES
    assert status.decide(status.extract(DocContext("t", dec["example"]))) == "possible"


# -- rules/org.toml -------------------------------------------------------------------------

ORG_REGEX = ["legal_prefix", "legal_suffix", "own_line", "government", "body", "place", "prefectures", "seat",
             "name_tail", "not_name", "alias", "target"]


@pytest.mark.parametrize("key", ORG_REGEX + ["legal_forms", "self_link", "third_party", "not_subject",
                                             "self_ref", "self_kind", "ner", "score"])
def test_rules_org_examples(key, make_ctx):
    r = org.org_rules()
    entry = ORG[key]
    if key in ORG_REGEX:
        assert re.search(entry["regex"], entry["example"], re.M)
    elif key == "legal_forms":
        assert entry["example"] in entry["words"] and org.core(entry["example"] + "X") == "X"
    elif key == "self_link":
        assert r.link_after.match(entry["example"])
    elif key == "third_party":
        assert r.third_party.search(entry["example"])
    elif key == "not_subject":
        assert org._excluded(DocContext("t", "x"), entry["example"])
    elif key == "self_ref":
        assert r.self_ref.fullmatch(entry["example"])
    elif key == "self_kind":
        for kind in entry:
            assert org._fits(kind["example"], {kind["words"].split("|")[0]}), kind["example"]
    elif key == "ner":
        ctx = make_ctx(entry["example"])
        assert any(it.label in entry["labels"] for it in org.extract(ctx))
    else:
        assert entry["example"] in entry


# -- rules/incidents.toml and rules/fragments.toml ------------------------------------------

@pytest.mark.parametrize("key", ["leak_words", "title_not", "case_label", "follow_up", "split_cues"])
def test_rules_incidents_examples(key):
    assert rules.compile_pattern(INCIDENTS[key]["regex"]).search(INCIDENTS[key]["example"])


@pytest.mark.parametrize("name", sorted(FRAGMENTS))
def test_rules_fragments_examples_match_in_full(name):
    assert rules.compile_pattern(FRAGMENTS[name]["regex"]).fullmatch(FRAGMENTS[name]["example"])
