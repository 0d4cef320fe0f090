"""Whether a data-type word is negated, decided on the GiNZA dependency parse.

From the word's token we climb heads to the predicate that governs it (the first verb,
adjective or auxiliary, or the root). The word is negated when that predicate is, i.e. it
is itself ない/なし or has a negating auxiliary child (ない, ず, ません's ん). A negation
inside parentheses only reaches words inside the same parentheses, so
"患者ID及びカナ氏名(住所や電話番号はありません。)" negates 住所 and 電話番号 only."""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Doc, Token

from . import rules

_PREDICATE_POS = {"VERB", "ADJ", "AUX"}


@cache
def _cfg(_stamp: str) -> tuple[re.Pattern[str], frozenset[str]]:
    cfg = rules.load("negation")
    return re.compile(cfg["cue"]["regex"]), frozenset(cfg["negators"]["lemmas"])


def cue() -> re.Pattern[str]:
    return _cfg(rules.rules_hash_cached())[0]


def _negators() -> frozenset[str]:
    return _cfg(rules.rules_hash_cached())[1]


def governing_predicate(tok: Token) -> Token:
    seen = set()
    cur = tok
    while cur.i not in seen:
        seen.add(cur.i)
        if cur.i != tok.i and cur.pos_ in _PREDICATE_POS:
            return cur
        if cur.head.i == cur.i:
            return cur
        cur = cur.head
    return cur


def is_negated_predicate(pred: Token) -> bool:
    negs = _negators()
    if pred.lemma_ in negs and pred.pos_ in ("ADJ", "AUX"):
        return True
    return any(c.dep_ == "aux" and c.lemma_ in negs for c in pred.children)


def _paren_spans(text: str) -> list[tuple[int, int]]:
    spans, stack = [], []
    for i, ch in enumerate(text):
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            spans.append((stack.pop(), i + 1))
    return spans


def _innermost(spans: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    inside = [s for s in spans if s[0] <= pos < s[1]]
    return min(inside, key=lambda s: s[1] - s[0]) if inside else None


def negated(doc: Doc, char_start: int, char_end: int) -> bool:
    """Is the word at doc.text[char_start:char_end] under a negated predicate?"""
    span = doc.char_span(char_start, char_end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    tok = span.root
    parens = _paren_spans(doc.text)
    inner = _innermost(parens, char_start)
    if inner is not None:
        # A bracketed remark is its own scope; the parser often hangs it off the noun
        # outside, so read the remark itself: is there a negation after the word?
        return bool(cue().search(doc.text[char_end:inner[1]]))
    pred = governing_predicate(tok)
    if not is_negated_predicate(pred):
        return False
    return _innermost(parens, pred.idx) is None
