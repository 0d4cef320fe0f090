"""The data-type context and negation patterns, compiled with negation.compile_rule (most with
rules.guarded's first-character lookahead), find what the patterns compiled as they are find:
the same first match, searched in the places the rules search them (sentences, lines, and the
windows around each lexicon word) on the seed and holdout notices and on random text."""

from __future__ import annotations

import random
import re

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.text import Normalized, sentences
from rouei.extract.fields import negation

from .conftest import CORPUS, ROOT

CONTEXT = rules.load("datatype_context")
NEGATION = rules.load("negation")
PATTERNS = sorted([(f"datatype_context.{k}", v["regex"]) for k, v in CONTEXT.items()
                   if isinstance(v, dict) and "regex" in v]
                  + [(f"negation.{k}", NEGATION[k]["regex"]) for k in ("cue", "text_negation", "text_exception")])


def _places() -> list[str]:
    from rouei.extract.fields.datatype_rules import current

    lexicon = current().lexicon
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + sorted((ROOT / "tests/fixtures/holdout").glob("*.txt"))
    out: list[str] = []
    for p in paths:
        norm = Normalized.of(p.read_text(encoding="utf-8")).text
        out += [norm[s:e] for s, e in sentences(norm)]
        out += norm.split("\n")
        for m in lexicon.finditer(norm):
            out += [norm[max(0, m.start() - 12):m.start()], norm[m.end():m.end() + 40]]
    for entry in [*CONTEXT.values(), *NEGATION.values()]:
        if isinstance(entry, dict) and "example" in entry:
            ex = entry["example"]
            out.append(ex)
            term = entry.get("term")
            if term and term in ex:  # the windows before and after the word
                at = ex.index(term)
                out += [ex[:at], ex[at + len(term):]]
    rng = random.Random(2)
    words = [w for _, regex in PATTERNS for w in re.findall(r"[ぁ-んァ-ン一-龥]{2,}", regex)]
    words += ["、", "。", ":", " ", "\n", "(", ")", "1", "・", "は", "が"]
    out += ["".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(2000)]
    return out


PLACES = _places()


@pytest.mark.parametrize("name,regex", PATTERNS, ids=[n for n, _ in PATTERNS])
def test_compile_rule_finds_what_the_plain_pattern_finds(name, regex):
    fast, plain = negation.compile_rule(regex), re.compile(regex)
    hits = 0
    for text in PLACES:
        got = fast.search(text)
        want = plain.search(text)
        assert (got and got.span()) == (want and want.span()), (name, text)
        hits += want is not None
    assert hits > 0, name
