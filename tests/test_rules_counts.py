"""Every example in rules/counters.toml and rules/count_patterns.toml does what it says."""

from __future__ import annotations

import re

import pytest

from extract import counts, rules
from extract.context import DocContext

COUNTERS = rules.load("counters")["counter"]
PATTERNS = rules.load("count_patterns")


@pytest.mark.parametrize("entry", COUNTERS, ids=lambda e: e["unit"])
def test_rules_counters_example_yields_its_count(entry):
    got = {(c.value, c.unit) for c in counts.extract(DocContext("t", entry["example"]))}
    assert (entry["value"], entry["unit"]) in got


@pytest.mark.parametrize("entry", PATTERNS["exclude"], ids=lambda e: e["name"])
def test_rules_count_exclusions_example_has_no_count(entry):
    text = entry["example"]
    excludes = counts._patterns()[2]
    # the example holds a number+counter that only the exclusion keeps out
    regex = counts._patterns()[0]
    assert regex.search(DocContext("t", text).norm.text), "example must contain a candidate"
    names = {name for name, _, _ in excludes}
    assert entry["name"] in names
    assert counts.extract(DocContext("t", text)) == []


def test_rules_count_number_fragment_example():
    assert re.fullmatch(PATTERNS["number"]["regex"], PATTERNS["number"]["example"])


@pytest.mark.parametrize("word", PATTERNS["approximate"]["prefix"].split("|"))
def test_rules_count_approximate_prefixes(word):
    (c,) = counts.extract(DocContext("t", f"{word}250件が流出した"))
    assert c.approximate and c.value == 250


def test_rules_count_cumulative_prefix_is_exact():
    (c,) = counts.extract(DocContext("t", PATTERNS["cumulative"]["example"]))
    assert not c.approximate and c.text.startswith("延べ")
