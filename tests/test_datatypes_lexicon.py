"""The data-type lexicon's trie-shaped regex (datatype_rules.lexicon_regex) finds exactly what
its plain form (one alternative per term, longest first, case ignored) finds: the same spans,
on every term in many frames and spellings, on the seed and holdout notices, and on lexicons
made to hit the trie's fallbacks."""

from __future__ import annotations

import random
import re
import sys

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.text import Normalized
from rouei.extract.fields import datatype_rules as D

from .conftest import CORPUS, ROOT

TERMS = D.terms(rules.load("datatypes"))
PLAIN = D.plain_lexicon(TERMS)
TRIE = D.lexicon_regex(TERMS)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _same(text: str, plain: re.Pattern[str] = PLAIN, trie: re.Pattern[str] = TRIE) -> None:
    assert _spans(trie, text) == _spans(plain, text), text


def test_lexicon_trie_is_used():
    assert TRIE.pattern != PLAIN.pattern and not TRIE.flags & re.IGNORECASE


_FRAMES = ["{}", "漏えいした情報:{}", "流出した情報は{}です。", "a{}", "{}b", "A{}Z", "1{}2", "・{}、",
           "{} ", " {}\n", "お客様の{}と{}", "{}{}", "ID{}", "{}ID", "の{}の"]


def _spellings(term: str, rng: random.Random) -> set[str]:
    """The term as written, in other cases, with a hyphen for ー, with white space inside."""
    out = {term, term.upper(), term.lower(), term.swapcase(),
           "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in term)}
    for mark in "-‐−–―ｰ":
        out.add(term.replace("ー", mark))
    for ws in (" ", "\n", "\u3000", "  "):
        k = rng.randrange(1, len(term)) if len(term) > 1 else 1
        out.add(term[:k] + ws + term[k:])
    if len(term) > 1:
        out.add(term[:-1])  # a prefix of a term is often a term of its own
        out.add(term[1:])
    return out


def test_lexicon_trie_matches_plain_form_on_every_term():
    rng = random.Random(14)
    for term in TERMS:
        for spelling in _spellings(term, rng):
            for frame in _FRAMES:
                _same(frame.format(spelling, spelling))


def test_lexicon_trie_matches_plain_form_on_runs_of_terms():
    rng = random.Random(7)
    for _ in range(3000):
        words = rng.sample(TERMS, rng.randint(2, 6))
        seps = ["", "", "、", " ", "・", "\n", "a", "の"]
        _same("".join(w + rng.choice(seps) for w in words))


def test_lexicon_trie_matches_plain_form_on_random_text():
    """Strings drawn from the terms' own characters, where prefixes and near misses abound."""
    rng = random.Random(3)
    alphabet = sorted({c for t in TERMS for c in t} | set(" \n-İıſK"))
    for _ in range(3000):
        _same("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))


def _fixture_texts() -> list[str]:
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + sorted((ROOT / "tests/fixtures/holdout").glob("*.txt"))
    assert len(paths) > 50
    return [p.read_text(encoding="utf-8") for p in paths]


def test_lexicon_trie_matches_plain_form_on_seeds_and_holdout():
    found = 0
    for text in _fixture_texts():
        for t in (text, Normalized.of(text).text):
            _same(t)
            found += len(_spans(TRIE, t))
    assert found > 500


_ALL_CHARS = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000)


def test_lexicon_trie_letter_classes_are_what_ignoring_case_matches():
    """Each ASCII letter's class, and the word-edge class, hold exactly the characters that
    Python's re matches with the letter (or [A-Za-z]) when case is ignored."""
    for c in sorted({c for t in TERMS for c in t if c.isascii() and c.isalpha()}) + ["k", "K", "z"]:
        assert D._matched_by(c) == set(re.findall(re.escape(c), _ALL_CHARS, re.IGNORECASE)), c
    assert re.findall(D.LATIN, _ALL_CHARS) == re.findall("[A-Za-z]", _ALL_CHARS, re.IGNORECASE)
    for plain in (D.LONG_VOWEL, r"\s"):  # ignoring case changes nothing for these
        assert re.findall(plain, _ALL_CHARS, re.IGNORECASE) == re.findall(plain, _ALL_CHARS)
    # every other character of the terms has no case: it matches itself alone
    for c in {c for t in TERMS for c in t if not (c.isascii() and c.isalpha())}:
        assert set(re.findall(re.escape(c), _ALL_CHARS, re.IGNORECASE)) == {c}, c


@pytest.mark.parametrize("terms", [
    ["E-mail", "Eーmail", "E-m", "Eメール", "メール"],  # overlapping children: - beside ー
    ["-ID", "ーID", "ID"],  # overlapping first characters
    ["Äpfel", "氏名"],  # a letter outside ASCII
    ["患者 ID", "患者"],  # white space inside a term
    ["ID", "id", "Id", "IDカード", "カードID", "カード"],  # one term in several cases
])
def test_lexicon_trie_fallbacks_match_plain_form(terms):
    plain, trie = D.plain_lexicon(terms), D.lexicon_regex(terms)
    rng = random.Random(1)
    alphabet = sorted({c for t in terms for c in t} | set(" -ーaİ"))
    texts = [f.format(s, s) for t in terms for s in _spellings(t, rng) for f in _FRAMES]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(2000)]
    for text in texts:
        _same(text, plain, trie)
