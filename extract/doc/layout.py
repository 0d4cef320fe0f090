"""The layout of a notice, read once: lines, numbering marks, headings and their sections,
label–value pairs, timeline entries, list items, the header and the sign-off block.

Every field reads the structure from here (``ctx.layout``) instead of finding headings on its
own. The patterns are data (rules/layout.toml) and run on the normalised copy of each line;
every span below is an offset into the analysed text, like every other span.

    layout = ctx.layout
    layout.section_at(pos)        # the innermost Section holding pos, or None
    layout.kind_at(pos)           # the kind of the innermost section that has one ("cause", ...)
    layout.sections("timeline")   # every section of a kind (all sections without a kind)
    layout.label_at(pos)          # the Label whose value holds pos
    layout.entry_at(pos)          # the timeline Entry whose date holds pos
    layout.labels, layout.timeline, layout.headings, layout.list_items, layout.lines
    layout.header, layout.signoff # Blocks (or None); layout.in_header(pos), in_signoff(pos)
    layout.titles                 # post titles below the header (an archive page's 【…】 lines)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from rouei.extract.core import compiled
from rouei.extract.doc import layout_blocks
from rouei.extract.doc.layout_rules import LayoutRules, Marker, layout_rules, markers_for
from rouei.extract.doc.numbers import kanji_to_int
from rouei.extract.doc.text import Normalized


@dataclass(frozen=True)
class Line:
    """A non-blank line, its surrounding spaces stripped. ``text`` is its normalised copy;
    ``body`` is where the words after its numbering mark start (analysed offsets)."""

    index: int
    start: int
    end: int
    ns: int  # where ``text`` starts in the normalised copy
    text: str
    body: int
    body_text: str
    style: str | None = None  # the numbering mark's style (rules/layout.toml [[marker]])
    number: int | None = None  # the mark's number: "(3)" → 3, "③" → 3, "第二" → 2, "(イ)" → 2
    bullet: bool = False  # a list mark (・) rather than a numbering mark
    blank_before: bool = False  # a blank line (or the top) comes before it
    indent: int = 0  # white space before it


@dataclass(frozen=True)
class Heading:
    """A heading line, the section kind its words name and its rank."""
    line: Line
    kind: str | None  # the section kind its words name (None: a heading of no known kind)
    level: int  # 0 is the top: ranks follow the order in which mark styles first appear

    @property
    def text(self) -> str:
        """The heading's words without its mark (normalised)."""
        return self.line.body_text


@dataclass(frozen=True)
class Section:
    """A stretch of the text under one heading, up to the next heading of its rank."""
    kind: str | None
    heading: str  # the heading's words (normalised), without its mark
    start: int  # the heading line's start
    end: int  # the start of the next heading of the same or a higher rank (or the text's end)
    level: int
    body: int  # where the section's content starts (after the heading line)


@dataclass(frozen=True)
class Label:
    """A label and its value: "発覚日:2020年3月10日" on one line, or a label line and the
    value on the next; a flattened table's cells are labelled by their column's header."""

    text: str  # the label's words (normalised, mark and brackets removed)
    kind: str | None  # a date role (discovered, occurred ...), "period", or a section kind
    start: int
    end: int
    value_start: int
    value_end: int
    form: str = "inline"  # inline | line (the value on the next line) | table


@dataclass(frozen=True)
class Entry:
    """A timeline entry: a line (or list item) that starts with a date, and its event."""

    date_start: int
    date_end: int  # the end of the date-like text the line opens with
    event_start: int
    event_end: int
    same_line: bool = True  # False: the date stands alone and the event is the next line


@dataclass(frozen=True)
class Block:
    """A run of lines: the header (title, posting date) or the sign-off (date, body, head)."""

    start: int
    end: int
    lines: tuple[Line, ...] = ()


@dataclass
class Layout:
    """A text's layout: lines, headings, sections, labels, timeline, list items, header."""
    text: str
    lines: list[Line] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    all_sections: list[Section] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    timeline: list[Entry] = field(default_factory=list)
    list_items: list[Line] = field(default_factory=list)
    header: Block | None = None
    signoff: Block | None = None
    titles: list[Line] = field(default_factory=list)  # post titles of an archive page
    wrapped: set[int] = field(default_factory=set)  # indices of lines a sentence runs past
    _starts: list[int] = field(default_factory=list, repr=False)  # line starts, for bisect
    # section_at and kind_at answered once per run of positions that the same sections hold
    # (built on first use for these all_sections): (bounds, innermost, innermost kind)
    _by_pos: tuple[list, list[int], list[Section | None], list[str | None]] | None = field(
        default=None, repr=False, compare=False)

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def of(cls, text: str, norm: Normalized | None = None) -> Layout:
        """Read the layout of ``text`` (``norm``: its normalised copy, made when not given)."""
        r = layout_rules()
        norm = norm if norm is not None else Normalized.of(text)
        out = cls(text)
        out.lines = _lines(text, norm, r)
        out.header = layout_blocks.header(out.lines, r)
        out.signoff = layout_blocks.signoff(out.lines, r, norm)
        out.timeline = layout_blocks.timeline(out.lines, r, norm, out._boxed)
        opening = {e.date_start for e in out.timeline}
        out.labels = layout_blocks.labels(out.lines, r, norm, opening)
        tables = layout_blocks.tables(out.lines, r, opening)
        skip = opening | {lab.start for lab in out.labels + tables} | {t.value_start for t in tables}
        skip |= {ln.start for ln in out.header.lines} if out.header else set()
        out.headings = _headings(out.lines, r, skip)
        out.labels.extend(layout_blocks.label_lines(out.lines, r, out.headings, skip))
        out.labels.extend(tables)
        # a date alone on its line is no timeline entry when it is a label's value or the
        # line after it is a heading
        values = {lab.value_start for lab in out.labels if lab.kind in _DATE_KINDS}
        bodies = {h.line.body for h in out.headings}
        out.timeline = [e for e in out.timeline if e.same_line or
                        (e.event_start not in bodies and e.date_start not in values)]
        out.labels.sort(key=lambda lab: (lab.value_start, lab.start))
        out.titles = _titles(out.lines, r, out.header)
        out.all_sections = _sections(out.headings, out.titles, len(text), r.section_chars)
        heads = {h.line.index for h in out.headings}
        out.list_items = [ln for ln in out.lines
                          if (ln.style is not None) and ln.index not in heads]
        out.wrapped = _wrapped(out.lines, r, heads, opening)
        out._starts = [ln.start for ln in out.lines]
        return out

    def _boxed(self, line: Line) -> bool:
        """Whether a line belongs to the header or the sign-off block."""
        return self.in_header(line.start) or self.in_signoff(line.start)

    # -- queries ----------------------------------------------------------------------------
    def line_at(self, pos: int) -> Line | None:
        """The line holding ``pos`` (None: a blank line or outside the text)."""
        i = bisect_right(self._starts, pos) - 1
        if i >= 0 and self.lines[i].start <= pos < max(self.lines[i].end, self.lines[i].start + 1):
            return self.lines[i]
        return None

    def section_at(self, pos: int) -> Section | None:
        """The innermost section holding ``pos`` (a heading line is in its own section)."""
        if len(self.all_sections) > 2:
            i = self._run_of(pos)
            return None if i < 0 else self._index()[2][i]
        return self._section_at(pos)

    def kind_at(self, pos: int) -> str | None:
        """The kind of the innermost section holding ``pos`` that names one."""
        if len(self.all_sections) > 2:
            i = self._run_of(pos)
            return None if i < 0 else self._index()[3][i]
        return self._kind_at(pos)

    def _index(self) -> tuple[list, list[int], list[Section | None], list[str | None]]:
        """Every start and end of a section cuts the text into runs that the same sections
        hold; each run's answers are worked out once, at its first position."""
        if self._by_pos is None or self._by_pos[0] is not self.all_sections:
            cuts = sorted({p for s in self.all_sections for p in (s.start, s.end)})
            self._by_pos = (self.all_sections, cuts, [self._section_at(p) for p in cuts],
                            [self._kind_at(p) for p in cuts])
        return self._by_pos

    def _run_of(self, pos: int) -> int:
        """The run (an index into _index()'s lists) holding ``pos``; -1 before the first."""
        return bisect_right(self._index()[1], pos) - 1

    def _section_at(self, pos: int) -> Section | None:
        best = None
        for sec in self.all_sections:
            if sec.start <= pos < sec.end and (best is None or sec.level >= best.level):
                best = sec
        return best

    def _kind_at(self, pos: int) -> str | None:
        found = [s for s in self.all_sections if s.start <= pos < s.end and s.kind]
        return max(found, key=lambda s: s.level).kind if found else None

    def sections(self, kind: str | None = None) -> list[Section]:
        """Every section of ``kind`` in text order (every section when kind is None)."""
        return [s for s in self.all_sections if kind is None or s.kind == kind]

    def label_at(self, pos: int) -> Label | None:
        """The label whose value holds ``pos``."""
        for lab in self.labels:
            if lab.value_start <= pos < lab.value_end:
                return lab
        return None

    def entry_at(self, pos: int) -> Entry | None:
        """The timeline entry whose leading date holds ``pos``."""
        for e in self.timeline:
            if e.date_start <= pos < e.date_end:
                return e
        return None

    def continues(self, pos: int) -> bool:
        """Whether the line holding ``pos`` is cut by a line break mid-sentence (fixed-width
        text, a PDF): its sentence goes on at the start of the next line."""
        line = self.line_at(pos)
        return line is not None and line.index in self.wrapped

    def in_header(self, pos: int) -> bool:
        return self.header is not None and self.header.start <= pos < self.header.end

    def in_signoff(self, pos: int) -> bool:
        return self.signoff is not None and self.signoff.start <= pos < self.signoff.end


# ---------------------------------------------------------------------------------------------
# Lines and marks

# label kinds that say what a date is (rules/layout.toml [[label]])
_DATE_KINDS = frozenset({"occurred", "discovered", "announced", "reported", "notified", "period"})
_CIRCLED = {c: i + 1 for i, c in enumerate("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")}
_CIRCLED.update({c: i + 1 for i, c in enumerate("➀➁➂➃➄➅➆➇➈➉")})
_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_SPACES = compiled.regex(r"\s*")


def mark_number(s: str) -> int | None:
    """The number a numbering mark writes: "3" → 3, "③" → 3, "二十" → 20, "イ" → 2."""
    if s in _numbers:
        return _numbers[s]
    n = _numbers[s] = _mark_number(s)
    if len(_numbers) > 4096:
        _numbers.clear()
    return n


_numbers: dict[str, int | None] = {}  # mark_number's answers: the same few marks come back


def _mark_number(s: str) -> int | None:
    if not s:
        return None
    if s.isdigit() and s.isascii():
        return int(s)
    if s in _CIRCLED:
        return _CIRCLED[s]
    if s in _KANA:
        return _KANA.index(s) + 1
    try:
        return kanji_to_int(s)
    except ValueError:
        return None


def _lines(text: str, norm: Normalized, r: LayoutRules) -> list[Line]:
    out: list[Line] = []
    pos = 0
    blank = True
    copy = norm.text
    # one copy character per original character (Normalized's identity map): positions carry
    # over, with no lookup
    same = type(norm.starts) is range
    # the copy is the text itself (no character changed: most notices), so a line's words in
    # the copy are its words, where they are, with no slice of the copy to strip and search
    identical = same and copy is text
    # the markers a line may open with, by its first character (layout_rules.markers_for)
    by_first = r.marker_by_first
    for raw in text.splitlines(keepends=True):
        n = len(raw)
        words = raw.strip()
        if not words:
            pos += n
            blank = True
            continue
        # raw.strip() is the line's words: the line break is white space, and a line holds
        # no other line break (splitlines cut there)
        lead = n - len(raw.lstrip())
        s = pos + lead
        e = s + len(words)
        pos += n
        if identical:
            ns, ntext = s, words
        else:
            ns, ne = (s, e) if same else (norm.to_norm(s), norm.to_norm(e))
            ntext = copy[ns:ne].strip()
            ns = copy.find(ntext[:1], ns) if ntext else ns
        # most lines open with no mark: their first character rules every marker out, and a
        # line that may open with one is tried only against the markers that start so
        first = ntext[:1]
        maybe = by_first.get(first)
        if maybe is None:
            maybe = markers_for(r, first)
        style, number, bullet, nbody = _marked(maybe, ntext) if maybe else _UNMARKED
        if nbody == 0 and style != "lenticular":
            body_text = ntext  # the words start the line (ntext is stripped): nothing to skip
        else:
            if nbody < len(ntext) and ntext[nbody].isspace():
                nbody = _SPACES.match(ntext, nbody).end()
            body_text = ntext[nbody:]
            if style == "lenticular":
                body_text = re.sub(r"】[ \t]*", " ", body_text, count=1).strip()
        if nbody >= len(ntext):
            body = e
        else:
            body = ns + nbody if same else norm.span(ns + nbody, ns + nbody)[0]
        out.append(_line(len(out), s, e, ns, ntext, body, body_text, style, number, bullet, blank,
                         lead))
        blank = False
    return out


_new = object.__new__


_UNMARKED: tuple[str | None, int | None, bool, int] = (None, None, False, 0)


def _marked(markers: tuple[Marker, ...], ntext: str) -> tuple[str | None, int | None, bool, int]:
    """(style, number, bullet, where the words start) of the first of ``markers`` that opens
    ``ntext``; _UNMARKED when none does."""
    for mk in markers:
        m = mk.regex.match(ntext)
        if m:
            g = m.groupdict()
            num = g.get("num") or g.get("kana") or g.get("kana2")
            # 【経緯】 is a heading in brackets: its words are inside them
            return (mk.style, mark_number(num) if num else None, mk.bullet,
                    m.start("inner") if g.get("inner") else m.end())
    return _UNMARKED


def _line(index: int, start: int, end: int, ns: int, text: str, body: int, body_text: str,
          style: str | None, number: int | None, bullet: bool, blank_before: bool,
          indent: int) -> Line:
    """``Line(...)`` built without the frozen dataclass's __init__, which sets each of the
    twelve fields through object.__setattr__ and takes most of the time of reading a line.
    The same object: equal to (and hashing like) the one Line(...) makes."""
    ln = _new(Line)
    ln.__dict__.update(index=index, start=start, end=end, ns=ns, text=text, body=body,
                       body_text=body_text, style=style, number=number, bullet=bullet,
                       blank_before=blank_before, indent=indent)
    return ln


# ---------------------------------------------------------------------------------------------
# Headings and sections


def section_kind(words: str, r: LayoutRules | None = None) -> str | None:
    """The section kind a heading's words name (rules/layout.toml [[section]]), or None.
    A heading naming two kinds takes the one it names first (本件の概要及び原因 → overview);
    on a tie, the entry listed first."""
    r = r or layout_rules()
    if r.any_section is not None:
        first = r.any_section.search(words)
        if first is None:
            return None  # one scan: most lines name no kind
        # the kind named first is named where the union first matches: of the entries that
        # match there (a tie), the one listed first; tried at that place only, not searched
        at = first.start()
        return next((kind for kind, pat in r.sections if pat.match(words, at)), None)
    best: tuple[int, str] | None = None
    for kind, pat in r.sections:
        m = pat.search(words)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return best[1] if best else None


def _ends_with_kind(words: str, r: LayoutRules) -> bool:
    return any(m.end() >= len(words) - r.kind_tail
               for _, pat in r.sections for m in pat.finditer(words))


def _headings(lines: list[Line], r: LayoutRules, skip: set[int]) -> list[Heading]:
    """Heading lines. A marked line that names no section kind is a heading only when text
    or a deeper mark follows it (①氏名 ⏎ ②住所 is a list, (1)発覚 ⏎ 令和…に判明 a heading)."""
    shaped: list[tuple[Line, str | None]] = []
    for ln in lines:
        if ln.start in skip or ln.body in skip:
            continue
        words = ln.body_text
        bare = ln.style is None or ln.bullet
        # too long for a heading of its shape: not searched for heading words
        if not words or len(words) > (r.bare_chars if bare else r.max_chars) or "。" in words \
                or r.not_heading.search(words):
            continue
        kind = section_kind(words, r)
        if not bare:
            shaped.append((ln, kind))
        elif kind is not None and _ends_with_kind(words, r):
            # a bare heading ends with the words that name its kind (…の概要, 対象者数), not
            # a sentence that opens with them (対象者へ電話で説明)
            shaped.append((ln, kind))
    return _ranked(lines, shaped)


def _ranked(lines: list[Line], shaped: list[tuple[Line, str | None]]) -> list[Heading]:
    """The headings among the lines of a heading's shape (``shaped``, with the section kind
    each names), ranked by their style's first appearance."""
    order: dict[str, int] = {"": -1}  # styles by first appearance on any line
    for ln in lines:
        if ln.style is not None:
            order.setdefault(ln.style, len(order))
    ranks: dict[str, int] = {}
    for ln, _ in shaped:
        ranks.setdefault("bare" if ln.style is None else ln.style, len(ranks))
    out: list[Heading] = []
    for ln, kind in shaped:
        style = "bare" if ln.style is None else ln.style
        if kind is None and ln.style != "lenticular":
            nxt = lines[ln.index + 1] if ln.index + 1 < len(lines) else None
            if nxt is None:
                continue
            if nxt.style is not None and (ln.bullet if nxt.bullet else
                                          order[nxt.style] <= order[ln.style or ""]):
                continue  # the next item of a list, or a shallower heading
        out.append(Heading(ln, kind, ranks[style]))
    return out


_OPEN_END = ("。", "!", "?", "」", "』", ")", ":")


def _wrapped(lines: list[Line], r: LayoutRules, heads: set[int], opening: set[int]) -> set[int]:
    """Lines that a sentence runs past: long enough to have been cut at a fixed width, not
    closed by 。, and followed directly (no blank line) by plain text that is no heading, list
    item or timeline entry."""
    out = set()
    for ln, nxt in zip(lines, lines[1:], strict=False):
        if len(ln.text) < r.wrap_chars or ln.text.endswith(_OPEN_END) or ln.index in heads:
            continue
        if nxt.blank_before or nxt.style is not None or nxt.index in heads or nxt.start in opening:
            continue
        out.add(ln.index)
    return out


def _titles(lines: list[Line], r: LayoutRules, header: Block | None) -> list[Line]:
    """Title lines below the header: a 【…】 line too long for a heading (an archive page's
    post titles, 【セキュリティ事件簿#…】…について 2024/5/22). Every section ends at one."""
    skip = {ln.index for ln in header.lines} if header else set()
    return [ln for ln in lines if ln.style == "lenticular" and ln.index not in skip
            and len(ln.body_text) > r.max_chars and "。" not in ln.text]


def _sections(heads: list[Heading], titles: list[Line], n: int, limit: int) -> list[Section]:
    out = []
    for i, h in enumerate(heads):
        end = min(n, h.line.start + limit)
        for later in heads[i + 1:]:
            if later.level <= h.level:
                end = min(end, later.line.start)
                break
        end = min([end] + [t.start for t in titles if t.start > h.line.start])
        out.append(Section(h.kind, h.text, h.line.start, end, h.level, h.line.end))
    return out
