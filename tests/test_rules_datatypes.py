"""Every example in the data-type rule files does what it says (one test per rule file)."""

from __future__ import annotations

import re

import pytest

from rouei.extract.core import rules
from rouei.extract.fields import datatypes

LEXICON = rules.load("datatypes")
NEGATION = rules.load("negation")
CONTEXT = rules.load("datatype_context")


def _verdicts(ctx):
    items = datatypes.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return ({i.category for i in items if i.leaked}, {i.category for i in items if not i.leaked})


# -- rules/datatypes.toml ---------------------------------------------------------------

@pytest.mark.parametrize("category", sorted(c for c in LEXICON if c != "none"))
def test_rules_datatypes_examples(make_ctx, category):
    """The category's example yields it; every one of its terms does, in a label and a sentence."""
    assert category in _verdicts(make_ctx(LEXICON[category]["example"]))[0]
    for term in LEXICON[category]["terms"]:
        for frame in ("漏えいした情報:{}", "流出した情報は{}です。"):
            assert _verdicts(make_ctx(frame.format(term))) == ({category}, set()), term


def test_rules_datatypes_none_terms_block_lookalikes(make_ctx):
    assert datatypes.extract(make_ctx(LEXICON["none"]["example"])) == []
    for term in LEXICON["none"]["terms"]:
        found = datatypes.extract(make_ctx(f"流出した情報:{term}"))
        assert all(term not in it.text for it in found), term


def test_rules_datatypes_terms_unique_across_categories():
    seen: dict[str, str] = {}
    for cat, entry in LEXICON.items():
        for term in entry["terms"]:
            assert term not in seen, f"{term} in both {seen.get(term)} and {cat}"
            seen[term] = cat


# -- rules/negation.toml ----------------------------------------------------------------

_NEG_CASES = [(k, v) for k, v in NEGATION.items() if isinstance(v, dict)] + [
    (f"case{i}", c) for i, c in enumerate(NEGATION["case"])]


@pytest.mark.parametrize("key,entry", _NEG_CASES, ids=[k for k, _ in _NEG_CASES])
def test_rules_negation_examples(make_ctx, key, entry):
    """Each table's example (and each [[case]]) gives exactly its leaked / not-leaked lists."""
    assert _verdicts(make_ctx(entry["example"])) == (set(entry["leaked"]), set(entry["not_leaked"]))
    if "regex" in entry:
        assert re.search(entry["regex"], entry["example"]), key


# -- rules/datatype_context.toml --------------------------------------------------------

@pytest.mark.parametrize("key", sorted(k for k, v in CONTEXT.items() if isinstance(v, dict)))
def test_rules_datatype_context_examples(key):
    """Each regex matches its example; window rules see the text after (or before) `term`."""
    entry = CONTEXT[key]
    text = entry["example"]
    if "term" in entry:
        at = text.index(entry["term"])
        text = text[:at] if key.startswith("before") else text[at + len(entry["term"]):]
    assert re.search(entry["regex"], text), key


@pytest.mark.parametrize("entry", CONTEXT["not_leak_example"], ids=lambda e: e["example"][:14])
def test_rules_datatype_context_not_leak_examples(make_ctx, entry):
    assert datatypes.extract(make_ctx(entry["example"])) == []


@pytest.mark.parametrize("category", sorted(c for c in LEXICON if LEXICON[c].get("listed")))
def test_rules_datatypes_listed_terms_only_in_lists(make_ctx, category):
    """A `listed` term counts as a list item or a label's value, never in a sentence."""
    for term in LEXICON[category]["listed"]:
        listed = f"文書の誤送付について\n1 漏えいした個人情報\n- 氏名\n- {term}\n2 原因\n確認不足"
        assert _verdicts(make_ctx(listed)) == ({"name", category}, set()), term
        assert _verdicts(make_ctx(f"漏えいした情報:{term}")) == ({category}, set()), term
        assert _verdicts(make_ctx(f"ホームページに掲載した{term}の背景を変更しました。")) == (set(), set()), term
