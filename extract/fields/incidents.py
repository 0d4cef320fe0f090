"""Cutting a notice into incidents and assigning each item to the incident that holds it.

Three shapes are recognised, in this order: an archive page of several posts (title lines
set apart by blank lines), a numbered list whose items are each an incident with its own
facts (発覚日, 原因 ...), and a section that says "これとは別に" (apart from this). Items in
the text before a numbered list of incidents (a lead paragraph) apply to every incident.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rouei.extract.core import rules
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


@dataclass
class Section:
    start: int
    end: int
    shared: bool = False  # lead text whose facts apply to every incident


@dataclass
class Incident:
    start: int
    end: int
    dates: list[DateItem] = field(default_factory=list)
    counts: list[CountItem] = field(default_factory=list)
    data_types: list[DataTypeItem] = field(default_factory=list)
    causes: list[CauseItem] = field(default_factory=list)
    statuses: list[StatusItem] = field(default_factory=list)
    orgs: list[OrgItem] = field(default_factory=list)


def _cfg() -> dict:
    return rules.load("incidents")


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for ln in text.splitlines(keepends=True):
        out.append((pos, pos + len(ln.rstrip("\r\n"))))
        pos += len(ln)
    return out


def _norm_line(ctx: DocContext, span: tuple[int, int]) -> str:
    return ctx.norm.text[ctx.norm.to_norm(span[0]):ctx.norm.to_norm(span[1])]


def _series_label(line: str) -> str | None:
    """The label of a 【label#123】 prefix shared by the posts of a series (None if absent)."""
    m = re.match(r"【([^】\d#＃]{2,30})[^】]*】\S", line)
    return m.group(1) if m else None


def archive_titles(ctx: DocContext) -> list[int]:
    """Start offsets of post titles on a page that holds several posts.

    A title starts a block, is not a sentence, and is set apart by blank lines, or carries a
    trailing post date or a 【label】 prefix. It must name a leak, unless its 【label】 prefix
    recurs on other titles of the page (a series: 【セキュリティ事件簿#…】)."""
    cfg = _cfg()
    leak = rules.compile_pattern(cfg["leak_words"]["regex"])
    not_title = rules.compile_pattern(cfg["title_not"]["regex"])
    need_blank = cfg["settings"]["title_blank_lines"]
    lines = _lines(ctx.text)
    texts = [_norm_line(ctx, span).strip() for span in lines]
    cands: list[tuple[int, str, bool]] = []  # (start, normalised line, names a leak)
    for i, span in enumerate(lines):
        line = texts[i]
        if not line or ctx.skipped(span[0]):
            continue
        if len(line) < 12 or not_title.search(line):
            continue
        if i > 0 and texts[i - 1]:
            continue  # a title starts a block
        blanks = 0
        for nxt in texts[i + 1:]:
            if nxt:
                break
            blanks += 1
        labelled = _series_label(line) is not None
        dated = re.search(r"(?:\d{4}[/.]\d{1,2}[/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)\s*$", line)
        if blanks >= need_blank or ((labelled or dated) and blanks >= 1):
            cands.append((span[0], line, bool(leak.search(line))))
    labels = [_series_label(line) for _, line, _ in cands]
    series = {lab for lab in labels if lab and labels.count(lab) >= 2}
    starts = [s for (s, line, leaky), lab in zip(cands, labels) if leaky or (lab in series)]
    return starts if len(starts) >= 2 else []


def list_number(mark: str) -> int | None:
    """The number a list mark stands for: ASCII or full-width digits, or one numbering
    character (①, ❶, ➀, ⑴ ...). ``"①".isdigit()`` is True but ``int("①")`` fails, so each
    character's numeric value is read from Unicode. None: not a whole number."""
    if mark.isdecimal():  # 12, １２: int() reads every decimal digit
        return int(mark)
    if len(mark) != 1:
        return None
    value = unicodedata.numeric(mark, -1.0)
    return int(value) if value >= 0 and value == int(value) else None


def numbered_sections(ctx: DocContext, items: list[Item]) -> list[int]:
    """Starts of numbered headings (1. 2. 3. ...) that each introduce an incident.

    A run qualifies when it counts up from 1 without gaps, each heading names a leak, and the
    body under each heading (not the heading itself) holds a date, a count or a cause."""
    cfg = _cfg()
    head = rules.compile_pattern(cfg["numbered_heading"]["regex"])
    leak = rules.compile_pattern(cfg["leak_words"]["regex"])
    heads: list[tuple[int, int, str]] = []  # (number, line start, title)
    for span in _lines(ctx.text):
        if ctx.skipped(span[0]):
            continue
        m = head.match(_norm_line(ctx, span))
        if not m:
            continue
        num_s = next(g for g in (m.group("p"), m.group("d"), m.group("s"), m.group("k"), m.group("c")) if g)
        num = list_number(num_s)
        if num is not None:
            heads.append((num, span[0], m.group("title")))
    best: list[int] = []
    run: list[tuple[int, int, str]] = []
    for h in heads + [(0, len(ctx.text), "")]:
        if run and h[0] == run[-1][0] + 1:
            run.append(h)
            continue
        if len(run) >= 2 and _run_is_incidents(ctx, run, h[1] if h[0] == 0 else None, items, leak):
            best = best or [s for _, s, _ in run]
        run = [h] if h[0] == 1 else []
    return best


def _run_is_incidents(ctx, run, tail_end, items, leak) -> bool:
    if not all(leak.search(t) for _, _, t in run):
        return False
    bounds = [s for _, s, _ in run]
    ends = bounds[1:] + [tail_end if tail_end is not None else _section_tail(ctx, bounds[-1])]
    for start, end in zip(bounds, ends):
        body_start = ctx.text.find("\n", start)
        if body_start < 0 or body_start >= end:
            return False
        if not any(body_start <= it.start < end and isinstance(it, (DateItem, CountItem, CauseItem))
                   for it in items):
            return False
    return True


def _section_tail(ctx: DocContext, start: int) -> int:
    """End of the last list item: the next blank-line gap or long prose paragraph after it."""
    m = re.compile(r"\n\s*\n").search(ctx.text, start)
    return m.start() if m else len(ctx.text)


def split_cues(ctx: DocContext, start: int, end: int) -> list[int]:
    pat = rules.compile_pattern(_cfg()["split_cues"]["regex"])
    ns, ne = ctx.norm.to_norm(start), ctx.norm.to_norm(end)
    out = []
    for m in pat.finditer(ctx.norm.text, ns, ne):
        s, _, _ = ctx.span_of_norm(m.start(), m.end())
        out.append(ctx.sentence_at(s)[0])
    return out


def sections(ctx: DocContext, items: list[Item]) -> list[Section]:
    """The incident sections of a document, in text order (at least one)."""
    n = len(ctx.text)
    titles = archive_titles(ctx)
    if titles:
        bounds = [0, *titles[1:]]  # a page header goes with the first post
        lead = None
    else:
        bounds = numbered_sections(ctx, items)
        lead = Section(0, bounds[0], shared=True) if bounds else None
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
