"""Every example in the data-type rule files does what it says."""

from __future__ import annotations

import re

import pytest

from extract import datatypes, rules

LEXICON = rules.load("datatypes")
NEGATION = rules.load("negation")
CONTEXT = rules.load("datatype_context")


@pytest.mark.parametrize("category", sorted(c for c in LEXICON if c != "none"))
def test_rules_datatypes_example_yields_category(make_ctx, category):
    items = datatypes.extract(make_ctx(LEXICON[category]["example"]))
    assert category in {i.category for i in items}


def test_rules_datatypes_none_terms_block_lookalikes(make_ctx):
    assert datatypes.extract(make_ctx(LEXICON["none"]["example"])) == []


def test_rules_datatypes_terms_unique_across_categories():
    seen: dict[str, str] = {}
    for cat, entry in LEXICON.items():
        for term in entry["terms"]:
            assert term not in seen, f"{term} in both {seen.get(term)} and {cat}"
            seen[term] = cat


@pytest.mark.parametrize("case", NEGATION["case"], ids=lambda c: c["example"][:12])
def test_rules_negation_cases(make_ctx, case):
    items = datatypes.extract(make_ctx(case["example"]))
    assert {i.category for i in items if i.leaked} == set(case["leaked"])
    assert {i.category for i in items if not i.leaked} == set(case["not_leaked"])


def test_rules_negation_cue_and_negators_examples(make_ctx):
    assert re.search(NEGATION["cue"]["regex"], NEGATION["cue"]["example"])
    items = datatypes.extract(make_ctx(NEGATION["negators"]["example"]))
    assert items and not any(i.leaked for i in items)


@pytest.mark.parametrize("key", sorted(CONTEXT))
def test_rules_datatype_context_examples_match(key):
    assert re.search(CONTEXT[key]["regex"], CONTEXT[key]["example"]) or re.search(
        CONTEXT[key]["regex"], CONTEXT[key]["example"].split("メールアドレス", 1)[-1])
