"""The data-type rules, compiled: the lexicon (rules/datatypes.toml) as one regex with each
term's category, and the context patterns (rules/datatype_context.toml) that extract/
fields/datatypes.py applies around each word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rouei.extract.core import rules
from rouei.extract.fields import negation

# PDF text often writes the long vowel mark as a hyphen (パスワ-ド, クレジットカ-ド)
LONG_VOWEL = "[ー\\-‐−–―ｰ]"


@dataclass(frozen=True)
class Rules:
    lexicon: re.Pattern[str]
    category: dict[str, str]  # term with white space removed -> category ("none" blocks)
    listed: frozenset[str]  # terms too general for prose: only list items and labels
    leak: re.Pattern[str]
    heading: re.Pattern[str]
    strong_heading: re.Pattern[str]
    heading_exclude: re.Pattern[str]
    exclude: re.Pattern[str]
    exception_after: re.Pattern[str]
    after: re.Pattern[str]
    after_direct: re.Pattern[str]
    before: re.Pattern[str]
    before_contact: re.Pattern[str]
    contact_categories: frozenset[str]
    value_none: re.Pattern[str]
    item_marker: re.Pattern[str]
    section_heading: re.Pattern[str]
    list_intro: re.Pattern[str]
    data_words: re.Pattern[str]
    separator: re.Pattern[str]
    wrapped: re.Pattern[str]
    link_list: re.Pattern[str]
    neg: negation.NegationRules


def _term_regex(term: str) -> str:
    # white space may stand inside a term (患者 ID); ASCII needs word edges (ID, TEL, CVV)
    # PDF text often writes the long vowel mark as a hyphen (パスワ-ド, クレジットカ-ド)
    body = r"\s?".join(LONG_VOWEL if c == "ー" else re.escape(c) for c in term)
    if re.match(r"[A-Za-z]", term):
        body = rf"(?<![A-Za-z]){body}"
    if re.search(r"[A-Za-z]$", term):
        body = rf"{body}(?![A-Za-z])"
    return body


@cache
def _compiled(_stamp: str) -> Rules:
    lex = rules.load("datatypes")
    cx = rules.load("datatype_context")
    category: dict[str, str] = {}
    listed: set[str] = set()
    for cat, entry in lex.items():
        for term in entry["terms"] + entry.get("listed", []):
            category[re.sub(r"\s", "", term).upper()] = cat
        listed.update(re.sub(r"\s", "", t).upper() for t in entry.get("listed", []))
    # longest first; terms of one length in text order, so that the pattern is the same in
    # every process (a set's order changes with the hash seed; the compiled-regex store is
    # keyed by the pattern's text)
    terms = sorted({t for e in lex.values() for t in e["terms"] + e.get("listed", [])},
                   key=lambda t: (-len(t), t))
    # The lookahead on the terms' first characters lets the scan skip most positions at once
    # (the regex engine would otherwise try every alternative at every character).
    firsts = "".join(sorted({c for t in terms for c in (t[0].lower(), t[0].upper())}))
    lexicon = rules.regex(f"(?=[{re.escape(firsts)}])(?:" + "|".join(_term_regex(t) for t in terms) + ")",
                          re.IGNORECASE)

    def rx(key: str) -> re.Pattern[str]:
        return rules.regex(cx[key]["regex"])

    return Rules(
        lexicon, category, frozenset(listed),
        leak=rx("leak_sentence"), heading=rx("heading"), strong_heading=rx("strong_heading"),
        heading_exclude=rx("heading_exclude"), exclude=rx("exclude_sentence"),
        exception_after=rx("exception_after"), after=rx("after_term"),
        after_direct=rx("after_term_direct"), before=rx("before_term"),
        before_contact=rx("before_term_contact"),
        contact_categories=frozenset(cx["before_term_contact"]["categories"]),
        value_none=rx("value_none"), item_marker=rx("item_marker"),
        section_heading=rx("section_heading"), list_intro=rx("list_intro"),
        data_words=rx("data_words"), separator=rx("list_separator"),
        wrapped=rx("wrapped_line"), link_list=rx("link_list_heading"), neg=negation.config(),
    )


def current() -> Rules:
    """The rules as they are now (rebuilt when a rule file changed)."""
    return _compiled(rules.rules_hash_cached())
