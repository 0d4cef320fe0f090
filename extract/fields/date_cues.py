"""Role cues for dates: the rules of rules/date_roles.toml compiled, the live cues in a span
of text, and the sentence around a date (joined across line breaks that cut it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rouei.extract.core import compiled, rules
from rouei.extract.doc.context import DocContext

_SENT_END = compiled.regex(r"[。!?]|\n")


@dataclass(frozen=True)
class _Cue:
    """A date-role cue: the role it gives, its pattern, and what else the sentence needs."""
    role: str
    regex: re.Pattern[str]
    needs: str | None


@dataclass(frozen=True)
class RoleRules:
    """The date-role rules compiled (rules/date_roles.toml): role cues, the roles of sections."""
    cues: tuple[_Cue, ...]
    non_cue: tuple[re.Pattern[str], ...]
    negation: re.Pattern[str]
    authority: re.Pattern[str]
    audience: re.Pattern[str]
    first_roles: dict[str, str]  # section kind → the role of its first date, when no cue
    section_roles: dict[str, str]  # section kind → the role of a date with no cue in it
    remedy: frozenset[str]  # section kinds where a bound starts or ends a step, not a period
    remedy_ranges: frozenset[str]  # section kinds where a whole range is a step or a service
    time_word: re.Pattern[str]
    weekday: re.Pattern[str]
    notice_title: re.Pattern[str]
    bound_start: re.Pattern[str]
    bound_end: re.Pattern[str]
    deadline: re.Pattern[str]
    header_min: int
    posting: re.Pattern[str]
    short_event: int
    bound_remedy: re.Pattern[str]
    bracket_reach: int
    relative: re.Pattern[str]
    concessive: re.Pattern[str]
    relative_reach: int
    step_rank: tuple[str, ...]
    any_cue: re.Pattern[str] | None  # matches wherever some cue does (None: cannot be joined)
    as_of: re.Pattern[str]
    skip_after: re.Pattern[str]


def _at(regex: str) -> re.Pattern[str]:
    """A rule anchored with ^ compiled for ``pattern.match(text, pos)``."""
    return rules.compile_pattern(regex.removeprefix("^"))


@cache
def role_rules() -> RoleRules:
    """The role rules, compiled once per process."""
    r = rules.load("date_roles")
    p = rules.load("date_patterns")
    cp = rules.compile_pattern
    return RoleRules(
        cues=tuple(_Cue(c["role"], cp(c["regex"]), c.get("needs")) for c in r["cue"]),
        non_cue=tuple(cp(c["regex"]) for c in r.get("non_cue", [])),
        negation=_at(r["negation"]["regex"]),
        authority=cp(r["authority"]["regex"]),
        audience=cp(r["audience"]["regex"]),
        first_roles=dict(r["section"]["first"]),
        section_roles=dict(r["section"]["roles"]),
        remedy=frozenset(r["remedy_section"]["kinds"]),
        remedy_ranges=frozenset(r["remedy_section"]["range_kinds"]),
        time_word=cp(r["time_word"]["regex"]),
        weekday=_at(p["weekday"]["regex"]),
        notice_title=cp(r["notice_title"]["regex"]),
        bound_start=_at(r["bound"]["start"]),
        bound_end=_at(r["bound"]["end"]),
        deadline=cp(r["bound"]["deadline"]),
        header_min=int(r["header"]["min_prefix"]),
        posting=cp(rules.load("layout")["header"]["posting"]),
        short_event=int(r["timeline"]["short_event"]),
        bound_remedy=_at(r["bound"]["remedy"]),
        bracket_reach=12,
        relative=cp(r["relative_clause"]["regex"]),
        concessive=cp(r["concessive"]["regex"]),
        relative_reach=int(r["relative_clause"]["reach"]),
        step_rank=tuple(r["timeline"]["step_rank"]),
        any_cue=rules.union([cp(c["regex"]) for c in r["cue"]]),
        as_of=cp("時点|現在"),
        # after a date and before its clause: weekday, clock time, 頃, 時点, 付(け)
        skip_after=cp(
            "(?:" + p["weekday"]["regex"].lstrip("^") + "|" + p["clock"]["regex"].lstrip("^")
            + r"|[ \t]*(?:頃|ごろ|時点|現在|付け?|の間|の期間))*"
        ),
    )


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, len(text) if e < 0 else e


def sentence_end(text: str, pos: int) -> int:
    m = _SENT_END.search(text, pos)
    return m.end() if m else len(text)


def sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(c, 0, pos) for c in "。!?\n") + 1


def sentence_span(ctx: DocContext, ns: int, ne: int) -> tuple[int, int]:
    """The sentence around norm[ns:ne], joined across line breaks that cut it (layout)."""
    norm = ctx.norm.text
    lay = ctx.layout
    start = sentence_start(norm, ns)
    while start > 1 and norm[start - 1] == "\n" and lay.continues(ctx.norm.span(start - 2, start - 1)[0]):
        start = sentence_start(norm, start - 1)
    end = sentence_end(norm, ne)
    while end < len(norm) and norm[end - 1] == "\n" and lay.continues(ctx.norm.span(end - 2, end - 1)[0]):
        end = sentence_end(norm, end)
    return start, end


def cues_in(norm: str, start: int, end: int, sent: tuple[int, int]) -> list[tuple[int, str]]:
    """(position, role) of every live cue in norm[start:end], in order; conditions
    (an authority, the affected people) are checked on the whole sentence ``sent``."""
    rr = role_rules()
    lo = start  # where the first cue can start
    if rr.any_cue is not None:
        first = rr.any_cue.search(norm, start, end)
        if first is None:
            return []  # no cue in the span: one scan instead of one per cue
        # no cue matches before the first place where one of them does: each is sought
        # from there (a lookbehind still sees the text before it)
        lo = first.start()
    scope = norm[start:end]
    # spans (in scope) of the words that are no cue though a cue matches inside them
    masks = [(m.start(), m.end()) for pat in rr.non_cue for m in pat.finditer(scope)
             if m.end() > m.start()]
    sentence: str | None = None
    found: dict[int, tuple[int, str]] = {}
    for cue in rr.cues:
        # searched in place (not in a slice) so that a cue's lookbehind sees the date before
        # it: 2024年5月10日付けでご案内
        matches = list(cue.regex.finditer(norm, lo, end))
        if not matches:
            continue
        # what the cue needs is sought in the whole sentence only once the cue is found: a
        # search of the span for the cue costs less
        if cue.needs is not None:
            if sentence is None:
                sentence = norm[sent[0]:sent[1]]
            if cue.needs == "authority" and not rr.authority.search(sentence):
                continue
            if cue.needs == "audience" and not rr.audience.search(sentence):
                continue
        for m in matches:
            ms, me = m.start() - start, m.end() - start
            if any(a <= ms < b for a, b in masks) or rr.negation.match(scope, me):
                continue
            old = found.get(ms)
            if old is None or me - ms > old[0]:
                found[ms] = (me - ms, cue.role)
    return [(start + p, role) for p, (_, role) in sorted(found.items())]
