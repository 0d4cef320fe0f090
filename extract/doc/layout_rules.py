"""rules/layout.toml compiled: the marks, heading words, label words and block patterns that
extract/doc/layout.py reads a notice with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from re import _constants as _op  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

from rouei.extract.core import compiled, rules


@dataclass(frozen=True)
class Marker:
    """A mark of rules/layout.toml: its style name, its pattern, whether it is a bullet."""
    style: str
    regex: re.Pattern[str]
    bullet: bool


@dataclass(frozen=True)
class LayoutRules:
    """rules/layout.toml compiled: marks, section and label words, and the layout's limits."""
    markers: tuple[Marker, ...]
    sections: tuple[tuple[str, re.Pattern[str]], ...]
    labels: tuple[tuple[str, re.Pattern[str]], ...]  # matched against the whole label
    max_chars: int
    bare_chars: int
    section_chars: int
    wrap_chars: int
    kind_tail: int
    not_heading: re.Pattern[str]
    label_line_chars: int
    label_sep: re.Pattern[str]
    tl_date: re.Pattern[str]
    tl_decor: re.Pattern[str]
    tl_sep: re.Pattern[str]
    header_lines: int
    header_line: int
    posting: re.Pattern[str]
    signoff_tail: int
    signoff_lines: int
    signoff_line: int
    signoff_head: re.Pattern[str]
    signoff_org: re.Pattern[str]
    # the characters a marker (a timeline date) can start with, as a class: a line that does
    # not open with one is tried against no marker; None when any character can
    marker_start: re.Pattern[str] | None = None
    tl_start: re.Pattern[str] | None = None
    # the characters a [[label]] match can start with (None: any); a text that does not open
    # with one is the whole of no label
    label_start: re.Pattern[str] | None = None
    # matches wherever one of the [[section]] patterns does (None: they cannot be joined): a
    # line where it finds nothing names no section kind, with one scan instead of one each
    any_section: re.Pattern[str] | None = None
    # classes of characters of which a label_sep match holds one each (a colon, a space): a
    # line without one has no inline label
    sep_needs: tuple[re.Pattern[str], ...] = ()
    # per marker, the class of the characters its match can start with (None: any)
    marker_firsts: tuple[re.Pattern[str] | None, ...] = ()
    # markers_for's answers by first character, for this version of the rules
    marker_by_first: dict[str, tuple[Marker, ...]] = field(default_factory=dict, init=False,
                                                           compare=False, repr=False)


def _start_class(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """A character class of every first character of a match of any of ``patterns``."""
    chars: set[str] = set()
    for pat in patterns:
        first = rules.first_chars(pat.pattern, pat.flags & ~re.UNICODE)
        if first is None:
            return None
        chars |= first
    return rules.regex(f"[{rules.char_class(chars)}]")


def markers_for(r: LayoutRules, first: str) -> tuple[Marker, ...]:
    """The markers, in rule order, whose match can start with ``first`` (a line's first
    character, "" for an empty line): a line is tried against these only, as the others
    cannot match it. Every marker when marker_start is None (the plain path). Worked out
    once per character for this version of the rules (a notice's lines open with few)."""
    got = r.marker_by_first.get(first)
    if got is None:
        plain = r.marker_start is None or len(r.marker_firsts) != len(r.markers)
        got = r.markers if plain else tuple(
            mk for mk, firsts in zip(r.markers, r.marker_firsts, strict=True)
            if firsts is None or (first and firsts.match(first)))
        if len(r.marker_by_first) < 4096:
            r.marker_by_first[first] = got
    return got


def _first_class(pat: re.Pattern[str]) -> re.Pattern[str] | None:
    """The class of the characters a match of ``pat`` can start with; None when unknown (any
    character, or a pattern that can match nothing). A known class means a match takes a
    character: an empty line matches no such marker."""
    first = rules.first_chars(pat.pattern, pat.flags & ~re.UNICODE)
    return None if first is None else rules.regex(f"[{rules.char_class(first)}]")


@cache
def _compiled(_stamp: str) -> LayoutRules:
    r = rules.load("layout")

    def cp(regex: str) -> re.Pattern[str]:
        # patterns are applied with .match(text, pos), where ^ would only match at 0
        return rules.compile_pattern(regex.removeprefix("^"))

    markers = tuple(Marker(m["style"], cp(m["regex"]), bool(m.get("list", False)))
                    for m in r["marker"])
    tl_date = cp(r["timeline"]["date"])
    sections = tuple((s["kind"], cp(s["regex"])) for s in r["section"])
    labels = tuple((lab["kind"], cp(f"(?:{lab['regex']})")) for lab in r["label"])
    label_sep = cp(r["label_line"]["separator"])
    return LayoutRules(
        markers=markers,
        sections=sections,
        labels=labels,
        max_chars=int(r["heading"]["max_chars"]),
        bare_chars=int(r["heading"]["bare_chars"]),
        section_chars=int(r["heading"]["section_chars"]),
        wrap_chars=int(r["heading"]["wrap_chars"]),
        kind_tail=int(r["heading"]["kind_tail"]),
        not_heading=cp(r["heading"]["not_heading"]),
        label_line_chars=int(r["label_line"]["max_chars"]),
        label_sep=label_sep,
        tl_date=tl_date,
        tl_decor=cp(r["timeline"]["decor"]),
        tl_sep=cp(r["timeline"]["separator"]),
        header_lines=int(r["header"]["max_lines"]),
        header_line=int(r["header"]["max_line"]),
        posting=cp(r["header"]["posting"]),
        signoff_tail=int(r["signoff"]["max_tail"]),
        signoff_lines=int(r["signoff"]["max_lines"]),
        signoff_line=int(r["signoff"]["max_line"]),
        signoff_head=cp(r["signoff"]["head"]),
        signoff_org=cp(r["signoff"]["org"]),
        marker_start=_start_class([m.regex for m in markers]),
        marker_firsts=tuple(_first_class(m.regex) for m in markers),
        tl_start=_start_class([tl_date]),
        label_start=_start_class([pat for _, pat in labels]),
        any_section=rules.union([pat for _, pat in sections]),
        sep_needs=tuple(rules.regex(f"[{rules.char_class(need)}]")
                        for need in needed_chars(label_sep)),
    )


def layout_rules() -> LayoutRules:
    """The layout rules, compiled once per version of rules/ (a researcher's edit is seen)."""
    return _compiled(rules.rules_hash_cached())


# brackets and white space, dropped from a label's words in one pass
_DROP = compiled.regex(r"[【】\[\]「」『』〔〕<>《》\s]+")
# label_kind's answers for the rules in use (the same words come back line after line)
_kinds: dict[str, str | None] = {}
_kinds_for: list[LayoutRules] = []


def label_kind(label: str, r: LayoutRules | None = None) -> str | None:
    """The kind of a label's words: a [[label]] entry matching all of it, else a section kind."""
    r = r or layout_rules()
    if not _kinds_for or _kinds_for[0] is not r:
        _kinds.clear()
        _kinds_for[:] = [r]
    words = clean_label(label)
    if words in _kinds:
        return _kinds[words]
    kind = full_label_kind(words, r)
    if kind is None and (r.any_section is None or r.any_section.search(words)):
        kind = next((kind for kind, pat in r.sections if pat.search(words)), None)
    if len(_kinds) < 4096:
        _kinds[words] = kind
    return kind


def full_label_kind(words: str, r: LayoutRules) -> str | None:
    """The kind of the first [[label]] entry that matches all of ``words`` (no section kind)."""
    if r.label_start is not None and not r.label_start.match(words):
        return None  # no label starts with this character (and "" is no label)
    return next((kind for kind, pat in r.labels if pat.fullmatch(words)), None)


def may_open_label(text: str, r: LayoutRules) -> bool:
    """False when ``full_label_kind(clean_label(text), r)`` is None for want of a character a
    label can open with, told without cleaning ``text``: its first character stays first
    unless clean_label drops it (a bracket, a space)."""
    return r.label_start is None or r.label_start.match(text) is not None \
        or _DROP.match(text) is not None


def clean_label(label: str) -> str:
    """A label's words without brackets and spaces (発覚日, not 【発覚日】)."""
    return _DROP.sub("", label)


# -- characters a match needs (also the date patterns': fields/dates.py) ----------------------

def needed_chars(pat: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Sets of characters such that every match of ``pat`` holds a character of each set (a
    literal 年, one of the characters of a class, one of those the branches need): a text
    without any character of one set holds no match, and the pattern is not run on it."""
    if pat.flags & re.IGNORECASE:
        return ()
    return compiled.kept(compiled.variant("needed_chars", __file__), f"{int(pat.flags)} {pat.pattern}",
                         lambda: tuple(_needed_in(list(_parser.parse(pat.pattern, pat.flags)))))


def _needed_in(items: list) -> list[frozenset[str]]:
    out: list[frozenset[str]] = []
    for op, av in items:
        if op is _op.LITERAL:
            out.append(frozenset(chr(av)))
        elif op is _op.IN:
            if all(o is _op.LITERAL for o, _ in av):  # no range, category or negation
                out.append(frozenset(chr(a) for _, a in av))
        elif op is _op.SUBPATTERN:
            out += _needed_in(list(av[3]))
        elif op is _op.ATOMIC_GROUP:
            out += _needed_in(list(av))
        elif op in (_op.MAX_REPEAT, _op.MIN_REPEAT, _op.POSSESSIVE_REPEAT):
            if av[0] >= 1:
                out += _needed_in(list(av[2]))
        elif op is _op.BRANCH:
            # a match takes one branch: it holds one of the characters some branch needs
            per_branch = [_needed_in(list(b)) for b in av[1]]
            if all(per_branch):
                out.append(frozenset().union(*(min(n, key=len) for n in per_branch)))
        # lookarounds, anchors, group references, any character: nothing needed
    return out
