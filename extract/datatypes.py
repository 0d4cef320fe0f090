"""Kinds of leaked data (SPEC section 3), and the ones a notice says were NOT involved.

A term from rules/datatypes.toml counts when its sentence (or the heading over its list
line) talks about leaked or held data, and not when it is a means or a contact address
(rules/datatype_context.toml). Sentences that hold a negation cue are parsed, and the
dependency tree decides which terms the negation reaches (extract/negation.py)."""

from __future__ import annotations

import re
from functools import cache

from . import negation, rules
from .context import DocContext
from .items import DataTypeItem


@cache
def _compiled(_stamp: str) -> tuple:
    lex = rules.load("datatypes")
    ctx_rules = rules.load("datatype_context")
    term_cat: dict[str, str] = {}
    for cat, entry in lex.items():
        for term in entry["terms"]:
            term_cat[term] = cat
    terms = sorted(term_cat, key=len, reverse=True)
    # white space may stand inside a term (患者 ID), and ASCII terms need word edges (ID, TEL)
    alts = []
    for t in terms:
        body = r"\s?".join(re.escape(c) for c in t)
        if re.fullmatch(r"[A-Za-z]+", t):
            body = rf"(?<![A-Za-z]){body}(?![A-Za-z])"
        alts.append(body)
    lexicon = re.compile("|".join(alts))
    squash = {re.sub(r"\s", "", t): c for t, c in term_cat.items()}
    return (
        lexicon,
        squash,
        re.compile(ctx_rules["leak_sentence"]["regex"]),
        re.compile(ctx_rules["heading"]["regex"]),
        re.compile(ctx_rules["not_leak_window"]["regex"]),
        re.compile(ctx_rules["not_leak_line"]["regex"]),
    )


def _rules() -> tuple:
    return _compiled(rules.rules_hash_cached())


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _previous_line(text: str, line_start: int) -> str:
    """The nearest non-blank line above the line starting at ``line_start``."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line:
            return line
        end = start - 1
    return ""


def in_leak_context(norm: str, sent: tuple[int, int], pos: int, end: int) -> bool:
    _, _, leak_sentence, heading, not_window, not_line = _rules()
    ls, le = _line_bounds(norm, pos)
    line = norm[ls:le]
    if not_line.search(line) or not_window.search(norm[end:end + 30]):
        return False
    if leak_sentence.search(norm[sent[0]:sent[1]]):
        return True
    # a list line under a heading such as 【個人情報の内容】 or 2 個人情報の内容
    prev = _previous_line(norm, ls)
    return bool(prev) and len(prev) <= 40 and bool(heading.search(prev))


def extract(ctx: DocContext) -> list[DataTypeItem]:
    lexicon, squash, *_ = _rules()
    norm = ctx.norm.text
    found: list[tuple[int, int, int, int, str, tuple[int, int]]] = []
    for m in lexicon.finditer(norm):
        cat = squash.get(re.sub(r"\s", "", m.group()))
        if cat is None or cat == "none":
            continue
        s, e, _ = ctx.span_of_norm(m.start(), m.end())
        sent = ctx.norm_sentence_at(s)
        if not in_leak_context(norm, sent, m.start(), m.end()):
            continue
        found.append((s, e, m.start(), m.end(), cat, ctx.sentence_at(s)))
    # parse only the sentences where a negation could apply
    neg_cue = negation.cue()
    to_parse = sorted({sent for *_, sent in found if neg_cue.search(ctx.text[sent[0]:sent[1]])})
    ctx.prefetch(to_parse)
    items = []
    for s, e, _, _, cat, sent in found:
        leaked = True
        if sent in to_parse:
            doc = ctx.parse(*sent)
            if doc is not None and negation.negated(doc, s - sent[0], e - sent[0]):
                leaked = False
        items.append(DataTypeItem(ctx.text[s:e], s, e, category=cat, leaked=leaked))
    return items
