"""Cutting a notice into incidents and assigning each item to the incident that holds it.

Five shapes are recognised, in this order: an archive page of several posts (title lines
set apart by blank lines), numbered case labels (【事案1】, (事案2)), a numbered list whose
items are each an incident with its own facts (発覚日, 原因 ...), a digest whose marked
entries each open with another organisation's name, and a section that says "これとは別に"
(apart from this). Items in the text before a numbered list of incidents (a
lead paragraph) apply to every incident. Lines and their numbering marks are the layout's
(extract/doc/layout.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rouei.extract.core import compiled, rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import (
    CauseItem,
    CountItem,
    DataTypeItem,
    DateItem,
    Item,
    OrgItem,
    StatusItem,
)
from rouei.extract.doc.layout import Line, mark_number
from rouei.extract.fields import cue_index
from rouei.extract.fields.org import PATTERN_LABELS


@dataclass
class Section:
    """A stretch of the text that holds one incident's facts (or, shared, every incident's)."""
    start: int
    end: int
    shared: bool = False  # lead text whose facts apply to every incident


@dataclass
class Incident:
    """One incident of a notice: its stretch of text and the items found in it."""
    start: int
    end: int
    dates: list[DateItem] = field(default_factory=list)
    counts: list[CountItem] = field(default_factory=list)
    data_types: list[DataTypeItem] = field(default_factory=list)
    causes: list[CauseItem] = field(default_factory=list)
    statuses: list[StatusItem] = field(default_factory=list)
    orgs: list[OrgItem] = field(default_factory=list)


def _cfg() -> dict:
    """rules/incidents.toml as it is now (read again when the rules change, not per call:
    a build asks for it several times per document)."""
    return _cfg_for(rules.rules_hash_cached())


@cache
def _cfg_for(_stamp: str) -> dict:
    return rules.load("incidents")


_SERIES_LABEL = compiled.regex(r"【([^】\d#＃]{2,30})[#＃]?\d[^】]*】\S")
_POST_DATE = compiled.regex(r"(?:\d{4}[/.]\d{1,2}[/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)\s*$")
_GAP = compiled.regex(r"\n\s*\n")


def _series_label(line: str) -> str | None:
    """The label of a 【label#123】 prefix shared by the posts of a series (None if absent):
    a bracket that holds a number (【セキュリティ事件簿#2024-217】), not a field label
    (【調査結果】) that a single notice repeats."""
    m = _SERIES_LABEL.match(line)
    return m.group(1) if m else None


def _blank_lines_after(ctx: DocContext, lines: list[Line], i: int) -> int:
    nxt = lines[i + 1].start if i + 1 < len(lines) else len(ctx.text)
    return max(0, ctx.text.count("\n", lines[i].end, nxt) - 1)


def archive_titles(ctx: DocContext) -> list[int]:
    """Start offsets of post titles on a page that holds several posts.

    A title starts a block, is not a sentence, and is set apart by blank lines, or carries a
    trailing post date or a 【label#n】 prefix (the layout's post titles are such lines). It
    must name a leak, unless its 【label】 prefix recurs on other titles of the page (a series:
    【セキュリティ事件簿#…】)."""
    cfg = _cfg()
    lines = ctx.layout.lines
    follow_up = rules.compile_pattern(cfg["follow_up"]["regex"])
    top = lines[0].text if lines else ""
    if follow_up.search(top) and _series_label(top) is None:
        return []  # a second report that repeats the first: one incident
    leak = rules.compile_pattern(cfg["leak_words"]["regex"])
    not_title = rules.compile_pattern(cfg["title_not"]["regex"])
    need_blank = cfg["settings"]["title_blank_lines"]
    cands: list[tuple[int, str, bool]] = []  # (start, normalised line, names a leak)
    for i, ln in enumerate(lines):
        line = ln.text
        # the tests that need no search first: a title starts a block and is not short
        if (i > 0 and not ln.blank_before) or len(line) < 12:
            continue
        if ctx.skipped(ln.start) or not_title.search(line):
            continue
        blanks = _blank_lines_after(ctx, lines, i)
        labelled = _series_label(line) is not None
        dated = _POST_DATE.search(line)
        if blanks >= need_blank or ((labelled or dated) and blanks >= 1):
            cands.append((ln.start, line, bool(leak.search(line))))
    # a heading of the earlier report inside a page (【第1報】) is no post; a series post that
    # happens to be a follow-up (【事件簿#12】…(第2報)) still is
    cands = [c for c in cands if not (follow_up.search(c[1]) and _series_label(c[1]) is None)]
    labels = [_series_label(line) for _, line, _ in cands]
    series = {lab for lab in labels if lab and labels.count(lab) >= 2}
    starts = [s for (s, line, leaky), lab in zip(cands, labels) if leaky or (lab in series)]
    return starts if len(starts) >= 2 else []


def _runs(heads: list[tuple[int, int]]) -> list[list[int]]:
    """Runs of (number, start) that count up from 1 without gaps (at least two long)."""
    out: list[list[int]] = []
    run: list[tuple[int, int]] = []
    for num, start in heads:
        if run and num == run[-1][0] + 1:
            run.append((num, start))
            continue
        if len(run) >= 2:
            out.append([s for _, s in run])
        run = [(num, start)] if num == 1 else []
    if len(run) >= 2:
        out.append([s for _, s in run])
    return out


def case_sections(ctx: DocContext) -> list[int]:
    """Starts of the lines that open a numbered case: 【事案1】, (事案2)令和…, 事例3:. A case
    label says itself that an incident starts; a run must count up from 1."""
    label = rules.compile_pattern(_cfg()["case_label"]["regex"])
    heads = []
    for ln in ctx.layout.lines:
        m = label.match(ln.text)
        if m and not ctx.skipped(ln.start):
            num = mark_number(m.group("num") or m.group("nth"))
            if num is not None:
                heads.append((num, ln.start))
    runs = _runs(heads)
    return runs[0] if runs else []


def numbered_sections(ctx: DocContext, items: list[Item]) -> list[int]:
    """Starts of numbered lines (1. 2. 3. ..., the layout's numbering marks) that each
    introduce an incident.

    A run of one mark style qualifies when it counts up from 1 without gaps, each line names a
    leak, and the body under each line (not the line itself) holds a date, a count or a cause.
    Of several qualifying runs, the style that appears first (the outer list) wins."""
    leak = rules.compile_pattern(_cfg()["leak_words"]["regex"])
    by_style: dict[str, list[tuple[int, int, str]]] = {}
    for ln in ctx.layout.lines:
        if ln.number is None or ln.bullet or ln.style is None or ctx.skipped(ln.start):
            continue
        by_style.setdefault(ln.style, []).append((ln.number, ln.start, ln.body_text))
    for heads in by_style.values():
        titles = {start: text for _, start, text in heads}
        for run in _runs([(num, start) for num, start, _ in heads]):
            later = [start for _, start, _ in heads if start > run[-1]]
            if _run_is_incidents(ctx, run, titles, later[0] if later else None, items, leak):
                return run
    return []


def digest_sections(ctx: DocContext, items: list[Item]) -> list[int]:
    """Starts of the entries of a digest of several organisations' incidents: marked lines of
    one style (■, ●, 【】, 1.) that each open with a different organisation's name (found by
    the patterns), each followed by a body that holds a date, a count or a cause."""
    orgs = [it for it in items if isinstance(it, OrgItem) and it.label in PATTERN_LABELS]
    facts = [it.start for it in items if isinstance(it, (DateItem, CountItem, CauseItem))]
    # where organisation names start: the first of them (in item order) at each offset
    first_at: dict[int, tuple[int, OrgItem]] = {}
    for k, it in enumerate(orgs):
        first_at.setdefault(it.start, (k, it))
    by_style: dict[str, list[tuple[int, int, str]]] = {}
    for ln in ctx.layout.lines:
        if ln.style is None or ln.bullet or ctx.skipped(ln.start):
            continue
        # the first organisation that opens the body (right at it or one character on)
        at = [f for f in (first_at.get(ln.body), first_at.get(ln.body + 1)) if f is not None]
        if at:
            by_style.setdefault(ln.style, []).append((ln.start, ln.end, min(at)[1].name))
    for entries in by_style.values():
        if len(entries) < 2 or len({name for _, _, name in entries}) < len(entries):
            continue
        starts = [s for s, _, _ in entries]
        bodies = zip([e for _, e, _ in entries], starts[1:] + [len(ctx.text)])
        if all(any(a <= f < b for f in facts) for a, b in bodies):
            return starts
    return []


def _run_is_incidents(ctx, run, titles, tail_end, items, leak) -> bool:
    if not all(leak.search(titles[s]) for s in run):
        return False
    ends = run[1:] + [tail_end if tail_end is not None else _section_tail(ctx, run[-1])]
    for start, end in zip(run, ends):
        body_start = ctx.text.find("\n", start)
        if body_start < 0 or body_start >= end:
            return False
        if not any(body_start <= it.start < end and isinstance(it, (DateItem, CountItem, CauseItem))
                   for it in items):
            return False
    return True


def _section_tail(ctx: DocContext, start: int) -> int:
    """End of the last list item: the next blank-line gap or long prose paragraph after it."""
    m = _GAP.search(ctx.text, start)
    return m.start() if m else len(ctx.text)


def split_cues(ctx: DocContext, start: int, end: int) -> list[int]:
    pat = rules.compile_pattern(_cfg()["split_cues"]["regex"])
    ns, ne = ctx.norm.to_norm(start), ctx.norm.to_norm(end)
    words = _needed(pat)
    if words is not None and not any(ctx.norm.text.find(w, ns, ne) >= 0 for w in words):
        return []  # most notices: no cue's word, so no cue (the search would test every character)
    out = []
    for m in pat.finditer(ctx.norm.text, ns, ne):
        s, _, _ = ctx.span_of_norm(m.start(), m.end())
        out.append(ctx.sentence_at(s)[0])
    return out


@cache
def _needed(pat: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pat`` holds (None: not known): a character all of
    its required words share (別 in これとは別に|別の事案として), else those words."""
    factors = cue_index.required_factors(pat.pattern, pat.flags & ~re.UNICODE)
    if not factors:
        return None
    shared = set.intersection(*(set(f) for f in factors))
    return (min(shared),) if shared else tuple(sorted(factors))


def sections(ctx: DocContext, items: list[Item]) -> list[Section]:
    """The incident sections of a document, in text order (at least one)."""
    n = len(ctx.text)
    titles = archive_titles(ctx)
    if titles:
        bounds = [0, *titles[1:]]  # a page header goes with the first post
        lead = None
    else:
        bounds = case_sections(ctx) or numbered_sections(ctx, items)
        lead = Section(0, bounds[0], shared=True) if bounds else None
        if not bounds:
            digest = digest_sections(ctx, items)
            bounds = [0, *digest[1:]] if digest else []  # its page header goes with the first
    if not bounds:
        secs = [Section(0, n)]
    else:
        secs = [Section(s, e) for s, e in zip(bounds, bounds[1:] + [n])]
        if lead and lead.end > lead.start:
            secs.insert(0, lead)
    min_chars = _cfg()["settings"]["min_section_chars"]
    out: list[Section] = []
    for sec in secs:
        cuts = [c for c in split_cues(ctx, sec.start, sec.end) if c - sec.start >= min_chars]
        edges = [sec.start, *cuts, sec.end]
        out.extend(Section(a, b, sec.shared) for a, b in zip(edges, edges[1:]))
    return out


def build(ctx: DocContext, items: list[Item]) -> list[Incident]:
    """Group items into incidents. Lead text shared by a list goes to every incident; other
    text outside any incident (a page header) goes to the nearest incident that follows."""
    secs = sections(ctx, items)
    real = [s for s in secs if not s.shared]
    if not real:
        real = [Section(0, len(ctx.text))]
    incidents = [Incident(s.start, s.end) for s in real]
    shared = [s for s in secs if s.shared]
    if len(incidents) == 1 and not shared:
        for it in items:  # one incident (most notices): every item is its own
            add(incidents[0], it)
        return incidents
    for it in items:
        targets: list[Incident]
        if any(s.start <= it.start < s.end for s in shared):
            targets = incidents
        else:
            inside = [inc for inc in incidents if inc.start <= it.start < inc.end]
            targets = inside or [min(incidents, key=lambda inc: abs(inc.start - it.start))]
        for inc in targets:
            add(inc, it)
    return incidents


# Which list of an incident holds each kind of item.
_FIELD_OF = {DateItem: "dates", CountItem: "counts", DataTypeItem: "data_types", CauseItem: "causes",
             StatusItem: "statuses", OrgItem: "orgs"}


def add(inc: Incident, it: Item) -> None:
    """Put ``it`` in the incident's list for its kind."""
    getattr(inc, _FIELD_OF[type(it)]).append(it)
