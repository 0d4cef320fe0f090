"""Every example in rules/counters.toml, rules/count_patterns.toml and the count_ fragments
does what it says."""

from __future__ import annotations

import re

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.fields import counts

COUNTERS = rules.load("counters")["counter"]
PATTERNS = rules.load("count_patterns")
FRAGMENTS = {k: v for k, v in rules.load("fragments").items() if k.startswith("count_")}


def _found(text):
    return counts.extract(DocContext("t", text))


@pytest.mark.parametrize("entry", COUNTERS, ids=lambda e: e["unit"])
def test_rules_counters_example_yields_its_count(entry):
    got = {(c.value, c.unit) for c in _found(entry["example"])}
    assert (entry["value"], entry["unit"]) in got


def test_rules_counters_units_unique():
    units = [c["unit"] for c in COUNTERS]
    assert len(units) == len(set(units))


@pytest.mark.parametrize("entry", PATTERNS["exclude"], ids=lambda e: e["name"])
def test_rules_count_exclusions_example_has_no_count(entry):
    text = DocContext("t", entry["example"]).norm.text
    cands = counts.candidates(text)
    assert cands, "the example must hold a number+counter"
    assert any(entry["name"] in counts.exclusions_at(text, s, e, u) for s, e, _, u, _ in cands)
    assert _found(entry["example"]) == []


def test_rules_count_exclusion_names_unique():
    names = [e["name"] for e in PATTERNS["exclude"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", sorted(FRAGMENTS))
def test_rules_count_fragments_match_their_example(name):
    assert re.fullmatch(rules.expand(FRAGMENTS[name]["regex"]), FRAGMENTS[name]["example"])


def test_rules_count_number_example():
    assert re.fullmatch(rules.expand(PATTERNS["number"]["regex"]), PATTERNS["number"]["example"])


@pytest.mark.parametrize("word", PATTERNS["approximate"]["prefix"].split("|"))
def test_rules_count_approximate_prefixes(word):
    (c,) = _found(f"{word}250件が流出した")
    assert c.approximate and c.value == 250 and c.text.startswith(word)


@pytest.mark.parametrize("word", PATTERNS["approximate"]["suffix"].split("|"))
def test_rules_count_approximate_suffixes(word):
    (c,) = _found(f"顧客情報250件{word}が流出した")
    assert c.approximate and c.value == 250 and c.text == f"250件{word}"


def test_rules_count_approximate_infix():
    (c,) = _found(f"会員100{PATTERNS['approximate']['infix']}名の情報")
    assert c.approximate and (c.value, c.unit) == (100, "名")


def test_rules_count_approximate_example_and_prefix_not_after():
    (c,) = _found(PATTERNS["approximate"]["example"] + "300件")
    assert c.approximate
    (c,) = _found("法人契約300件")  # 契約 ends in 約 but is not "about"
    assert not c.approximate and c.text == "300件"


@pytest.mark.parametrize("word", PATTERNS["cumulative"]["prefix"].split("|"))
def test_rules_count_cumulative_prefixes_are_exact(word):
    (c,) = _found(f"{word}3,427件")
    assert not c.approximate and c.value == 3427 and c.text.startswith(word)


def test_rules_count_cumulative_example():
    (c,) = _found(PATTERNS["cumulative"]["example"])
    assert not c.approximate and c.text == PATTERNS["cumulative"]["example"]


def test_rules_count_table_total_example():
    entry = PATTERNS["table_total"]
    got = {(c.value, c.unit) for c in _found(entry["example"])}
    assert (entry["value"], entry["unit"]) in got
