"""Causes of an incident in the JNSA classes (SPEC section 4), from rules/causes.toml.

A cause word counts unless its own clause denies it (不正アクセスによるものではありません), it
names a law or a countermeasure, or its sentence is about prevention (rules/cause_context.toml).
"""

from __future__ import annotations

import re
from functools import cache

from . import rules
from .context import DocContext
from .items import CauseItem


@cache
def _compiled(_stamp: str) -> tuple:
    lex = rules.load("causes")
    cx = rules.load("cause_context")
    classes = [(cat, re.compile("|".join(f"(?:{p})" for p in e["patterns"]))) for cat, e in lex.items()]
    suppress = {cat: set(e.get("suppresses", [])) for cat, e in lex.items()}
    windows = [re.compile(cx[k]["regex"]) for k in ("denial_window", "law_window", "measure_window")]
    return classes, suppress, windows, re.compile(cx["measure_sentence"]["regex"])


def _rules() -> tuple:
    return _compiled(rules.rules_hash_cached())


def find_causes(norm: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, category) in the normalised text, in text order."""
    classes, _, windows, measure = _rules()
    out = []
    for ss, se in sentences:
        sent = norm[ss:se]
        if measure.search(sent):
            continue
        for cat, pat in classes:
            for m in pat.finditer(sent):
                after = sent[m.end():]
                if any(w.search(after) for w in windows):
                    continue
                out.append((ss + m.start(), ss + m.end(), cat))
    return sorted(out)


def extract(ctx: DocContext) -> list[CauseItem]:
    nsents = [(ctx.norm.to_norm(s), ctx.norm.to_norm(e)) for s, e in ctx.sentences]
    items = []
    for ns, ne, cat in find_causes(ctx.norm.text, nsents):
        s, e, text = ctx.span_of_norm(ns, ne)
        items.append(CauseItem(text, s, e, category=cat))
    return items


def resolve(items: list[CauseItem]) -> list[CauseItem]:
    """Drop the classes that another class stated for the same incident suppresses."""
    _, suppress, _, _ = _rules()
    present = {it.category for it in items}
    dropped = set().union(*(suppress.get(c, set()) for c in present)) if present else set()
    return [it for it in items if it.category not in dropped]
