"""The data-type rules, compiled: the lexicon (rules/datatypes.toml) as one regex with each
term's category, and the context patterns (rules/datatype_context.toml) that extract/
fields/datatypes.py applies around each word."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rouei.extract.core import compiled, rules
from rouei.extract.fields import negation
from rouei.extract.fields.cue_index import grouped

# PDF text often writes the long vowel mark as a hyphen (パスワ-ド, クレジットカ-ド)
LONG_VOWEL = "[ー\\-‐−–―ｰ]"


@dataclass(frozen=True)
class Rules:
    """The data-type rules compiled: the lexicon and the context patterns around its terms."""
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
    # term_of's answers by matched text, for this version of the rules: a notice repeats its
    # words (氏名, 住所 ...), and each answer costs two substitutions and a lookup
    seen: dict[str, tuple[str, bool] | None] = field(default_factory=dict, compare=False, repr=False)


def _term_regex(term: str) -> str:
    # white space may stand inside a term (患者 ID); ASCII needs word edges (ID, TEL, CVV)
    # PDF text often writes the long vowel mark as a hyphen (パスワ-ド, クレジットカ-ド)
    body = r"\s?".join(LONG_VOWEL if c == "ー" else re.escape(c) for c in term)
    if re.match(r"[A-Za-z]", term):
        body = rf"(?<![A-Za-z]){body}"
    if re.search(r"[A-Za-z]$", term):
        body = rf"{body}(?![A-Za-z])"
    return body


def _by_priority(terms: list[str]) -> list[str]:
    # longest first: where two terms match at one place (個人情報, 個人情報ファイル), the longer
    # one wins. Terms of one length that match at one place match the same text; they are in
    # text order so that the pattern is the same in every process (a set's order changes with
    # the hash seed, and the compiled-regex store is keyed by the pattern's text).
    return sorted(set(terms), key=lambda t: (-len(t), t))


def plain_lexicon(terms: list[str]) -> re.Pattern[str]:
    """The lexicon in its plain form: one alternative per term, longest first, case ignored.
    ``lexicon_regex`` compiles the same matches into a faster form; tests compare the two."""
    ordered = _by_priority(terms)
    # The lookahead on the terms' first characters lets the scan skip most positions at once
    # (the regex engine would otherwise try every alternative at every character).
    firsts = "".join(sorted({c for t in ordered for c in (t[0].lower(), t[0].upper())}))
    return rules.regex(f"(?=[{re.escape(firsts)}])(?:" + "|".join(_term_regex(t) for t in ordered) + ")",
                       re.IGNORECASE)


# -- the lexicon as a trie -------------------------------------------------------------------
# The plain form makes the regex engine try each of some 600 alternatives at every place where
# a term could start. Here the terms share their prefixes (利用者 and 利用者ID are one path), so a
# place is given up after a few tests, and the pattern starts with an alternation of literal
# characters, for which the engine skips in C to the next possible first character.
# Case is not ignored by a flag (a flag turns those literals into slower tests): each letter
# stands for the characters that ignoring case would match.

_LONG_VOWELS = frozenset("ー-‐−–―ｰ")  # what LONG_VOWEL matches
# Characters that Python's re, ignoring case, matches with an ASCII letter besides its two cases
_FOLDS = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}
# [A-Za-z] with case ignored, as the plain form's word edges read it
LATIN = "[A-Za-z\u0130\u0131\u017f\u212a]"


def _matched_by(c: str) -> frozenset[str] | None:
    """The characters that term character ``c`` matches in the plain form; None for one the
    trie does not handle (a letter outside ASCII, white space), which keeps the plain form."""
    if c == "ー":
        return _LONG_VOWELS
    if c.isascii() and c.isalpha():
        low = c.lower()
        return frozenset(low + c.upper() + _FOLDS.get(low, ""))
    if c.isspace() or c.lower() != c or c.upper() != c:
        return None
    return frozenset(c)


def _keys(term: str) -> list[frozenset[str]] | None:
    """What each character of the term matches; None when the trie cannot take the term."""
    out = []
    for c in term:
        chars = _matched_by(c)
        if chars is None:
            return None
        out.append(chars)
    return out


def _class(chars: frozenset[str]) -> str:
    return re.escape(next(iter(chars))) if len(chars) == 1 else f"[{re.escape(''.join(sorted(chars)))}]"


def _edge_after(term: str) -> str:
    return f"(?!{LATIN})" if re.search(r"[A-Za-z]$", term) else ""


@dataclass
class _Node:
    """A node of the lexicon's trie: the terms through it, its children, the term ending at it."""
    # the terms through this node, by priority, with what each of their characters matches
    terms: list[tuple[str, list[frozenset[str]]]] = field(default_factory=list)
    children: dict[frozenset[str], _Node] = field(default_factory=dict)
    end: str | None = None  # the term that ends here


def _disjoint(keys: list[frozenset[str]]) -> bool:
    return len(frozenset().union(*keys)) == sum(map(len, keys))


def _rest(node: _Node, depth: int) -> str:
    """The pattern for what follows the ``depth`` characters leading to ``node``.

    The character after a term character (past one optional white space) is fixed by the text,
    so when the children's characters are disjoint at most one child can go on, and their order
    does not matter; a term ending here is shorter than every term going on, so it comes last.
    Children whose characters overlap (a literal - beside ー) keep their terms in priority
    order, as in the plain form."""
    end = None if node.end is None else _edge_after(node.end)
    keys = list(node.children)
    if not _disjoint(keys):
        alts = ["".join(r"\s?" + _class(k) for k in ks[depth:]) + _edge_after(t) for t, ks in node.terms]
        return "(?:" + "|".join(alts) + ")"
    alts = [_class(k) + _rest(node.children[k], depth + 1) for k in sorted(keys, key=sorted)]
    if not alts:
        return end or ""
    body = r"\s?" + (alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")")
    return body if end is None else f"(?:{body}|{end})"


def lexicon_regex(terms: list[str]) -> re.Pattern[str]:
    """The lexicon as a trie-shaped regex: the same matches as ``plain_lexicon(terms)``,
    found several times faster.

    Building the trie's pattern takes some 20 ms of Python for the 600 terms, paid by every
    process: the pattern is kept in the compiled-regex store (core.compiled.kept) under the
    terms and a digest of this file, so a later run reads it (and the compiled regex) from
    there."""
    pattern = compiled.kept(compiled.variant("lexicon trie", __file__), "\0".join(terms),
                            lambda: trie_pattern(terms))
    return plain_lexicon(terms) if pattern is None else rules.regex(pattern)


def trie_pattern(terms: list[str]) -> str | None:
    """The text of ``lexicon_regex(terms)``; None when the trie cannot take the terms (a
    letter outside ASCII, white space in a term, or overlapping first characters), which
    keeps the plain form."""
    alts = trie_alternatives(terms)
    return None if alts is None else grouped(alts)


def trie_alternatives(terms: list[str]) -> list[tuple[str, str]] | None:
    """The trie's alternatives, one per character a term can start with, as (that character,
    the alternative); None as for trie_pattern."""
    root = _Node()
    for term in _by_priority(terms):
        keys = _keys(term)
        if keys is None:
            return None
        node = root
        for k in keys:
            node = node.children.setdefault(k, _Node())
            node.terms.append((term, keys))
        node.end = node.end or term
    if not _disjoint(list(root.children)):
        return None
    alts = []
    for k in sorted(root.children, key=sorted):
        rest = _rest(root.children[k], 1)
        latin = any(c.isascii() and c.isalpha() for c in k)
        for c in sorted(k):
            # a term starting with a letter must not continue a word: the lookbehind sees the
            # character before the letter just matched
            alts.append((c, re.escape(c) + (f"(?<!{LATIN}.)" if latin else "") + rest))
    return alts


def terms(lex: dict) -> list[str]:
    """Every term of the lexicon (rules/datatypes.toml), the listed ones included."""
    return [t for e in lex.values() for t in e["terms"] + e.get("listed", [])]


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
    lexicon = lexicon_regex(terms(lex))

    def rx(key: str) -> re.Pattern[str]:
        return negation.compile_rule(cx[key]["regex"])

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


_MAX_SEEN = 20_000  # matched texts remembered per rules version (a bound for odd input)


def plain_term_of(r: Rules, matched: str) -> tuple[str, bool] | None:
    """(category, listed) of a lexicon match as written (white space inside, any case, a hyphen
    for ー); None for a term that blocks (category "none") or an unknown one."""
    key = re.sub(r"\s", "", matched).upper()
    if key not in r.category:
        key = re.sub(LONG_VOWEL, "ー", key)
    cat = r.category.get(key)
    if cat is None or cat == "none":
        return None
    return cat, key in r.listed


def term_of(r: Rules, matched: str) -> tuple[str, bool] | None:
    """``plain_term_of``, remembered per rules version."""
    try:
        return r.seen[matched]
    except KeyError:
        got = plain_term_of(r, matched)
        if len(r.seen) < _MAX_SEEN:
            r.seen[matched] = got
        return got


def current() -> Rules:
    """The rules as they are now (rebuilt when a rule file changed)."""
    return _compiled(rules.rules_hash_cached())
