"""The blocks of a notice's layout that are more than a heading: the header, the sign-off,
timeline entries, labels with their values and flattened tables (see extract/doc/layout.py).

Each function takes the notice's lines (layout.Line) and returns spans in the analysed text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rouei.extract.doc.layout_rules import (
    LayoutRules,
    clean_label,
    full_label_kind,
    label_kind,
    may_open_label,
)
from rouei.extract.doc.text import Normalized

if TYPE_CHECKING:
    from rouei.extract.doc.layout import Block, Entry, Heading, Label, Line


def _span(norm: Normalized, ln: Line, a: int, b: int) -> tuple[int, int]:
    """Analysed-text span of ln.text[a:b]."""
    return norm.span(ln.ns + a, ln.ns + b)


def _body_offset(ln: Line) -> int | None:
    """Where the body starts within ln.text (None for a 【…】 line, whose body is rewritten)."""
    if ln.style == "lenticular":
        return None
    return len(ln.text) - len(ln.body_text)


def date_alone(ln: Line, r: LayoutRules) -> tuple[int, int] | None:
    """(start, end) within ln.text of a date that is all the line holds (a weekday aside)."""
    off = _body_offset(ln)
    if off is None:
        return None
    d = r.tl_date.match(ln.text, off)
    if not d:
        return None
    rest = r.tl_decor.match(ln.text, d.end()).end()
    return (d.start(), d.end()) if not ln.text[rest:].strip(" \t)") else None


# ---------------------------------------------------------------------------------------------
# Header and sign-off


def header(lines: list[Line], r: LayoutRules) -> Block | None:
    """The lines at the top before the first line of prose or numbered heading."""
    from rouei.extract.doc.layout import Block

    taken: list[Line] = []
    for ln in lines[:r.header_lines]:
        if not taken and "。" in ln.text and len(ln.text) > r.header_line:
            break  # the notice opens with prose: no header
        if taken and ("。" in ln.text or len(ln.text) > r.header_line
                      or ("、" in ln.text or "," in ln.text) and len(ln.text) >= r.wrap_chars):
            break  # prose (a long line with 、 is a sentence cut by a line break)
        if ln.style is not None and (taken or ln.style != "lenticular"):
            break  # a numbered heading or a list item starts the body
        if len(ln.text) <= r.bare_chars and _names_section(ln.text, r):
            break  # a bare heading (概要) starts the body
        taken.append(ln)
    return Block(taken[0].start, taken[-1].end, tuple(taken)) if taken else None


def _names_section(words: str, r: LayoutRules) -> bool:
    """Whether one of the [[section]] patterns matches in ``words``."""
    if r.any_section is not None:
        return r.any_section.search(words) is not None
    return any(p.search(words) for _, p in r.sections)


def signoff(lines: list[Line], r: LayoutRules, norm: Normalized) -> Block | None:
    """Near the end: a date alone on its line with the body's name and head below it (or
    above it), e.g. 令和6年11月15日 ⏎ 株式会社… ⏎ 代表取締役 …"""
    from rouei.extract.doc.layout import Block

    tail = lines[-r.signoff_tail:]
    for k in range(len(tail) - 1, -1, -1):
        ln = tail[k]
        if date_alone(ln, r) is None:
            continue
        below = _named(tail[k + 1:k + 1 + r.signoff_lines], r, ln)
        above = _named(tail[max(0, k - r.signoff_lines):k][::-1], r, ln)[::-1]
        if below and _names_body(below, r):
            return Block(ln.start, below[-1].end, (ln, *below))
        if above and _names_body(above, r) and k == len(tail) - 1:
            return Block(above[0].start, ln.end, (*above, ln))
    return None


def _named(run: list[Line], r: LayoutRules, date: Line) -> list[Line]:
    """The lines of ``run`` (going away from the ``date`` line) short enough to be a name, a
    title or an address, and not set apart from the date by a blank line."""
    out = []
    prev = date
    for ln in run:
        if "。" in ln.text or len(ln.text) > r.signoff_line or ln.style is not None:
            break
        if (ln if ln.index > prev.index else prev).blank_before and out:
            break
        out.append(ln)
        prev = ln
    return out


def _names_body(run: list[Line], r: LayoutRules) -> bool:
    return any(r.signoff_head.search(ln.text) or r.signoff_org.search(ln.text) for ln in run)


# ---------------------------------------------------------------------------------------------
# Timeline entries


def timeline(lines: list[Line], r: LayoutRules, norm: Normalized,
             boxed: Callable[[Line], bool]) -> list[Entry]:
    """Lines (list items) that start with a date and a separator, with their event: the rest
    of the line, or the next line when the date stands alone."""
    from rouei.extract.doc.layout import Entry

    out = []
    for i, ln in enumerate(lines):
        if ln.style == "lenticular":
            continue  # (_body_offset, written out: this runs for every line)
        d = r.tl_date.match(ln.text, len(ln.text) - len(ln.body_text))
        if not d or boxed(ln):  # the date first: few lines open with one
            continue
        after = r.tl_decor.match(ln.text, d.end()).end()
        sep = r.tl_sep.match(ln.text, after)
        if not sep:
            continue
        ds, de = _span(norm, ln, d.start(), d.end())
        if sep.end() < len(ln.text) and ln.text[sep.end():].strip(" \t)"):
            es, ee = _span(norm, ln, sep.end(), len(ln.text))
            # lines indented under the entry go on with its event (a cell's second paragraph)
            for more in lines[i + 1:]:
                if more.indent < ln.indent + 2 or more.style is not None or boxed(more) \
                        or r.tl_date.match(more.text):
                    break
                ee = more.end
            out.append(Entry(ds, de, es, ee, True))
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is None or boxed(nxt):
            continue
        noff = _body_offset(nxt)
        if noff is not None and r.tl_date.match(nxt.text, noff):
            continue  # a run of dates (a table's column), not an event
        out.append(Entry(ds, de, nxt.body, nxt.end, False))
    return out


# ---------------------------------------------------------------------------------------------
# Labels


def labels(lines: list[Line], r: LayoutRules, norm: Normalized, opening: set[int]) -> list[Label]:
    """One-line labels: "発覚日:2020年3月10日" (any short label before a colon) and
    "発生日時 2024年5月1日" (a label of a known kind before spaces)."""
    from rouei.extract.doc.layout import Label

    out = []
    for ln in lines:
        if ln.style == "lenticular":
            lab = _bracket_label(ln, r, norm)
            if lab is not None:
                out.append(lab)
            continue
        if ln.body in opening or ln.start in opening:
            continue
        off = len(ln.text) - len(ln.body_text)  # _body_offset (not a 【…】 line)
        # a label run together with its date opens with a character a label can open with
        joined = _joined_label(ln, off, r, norm) \
            if r.label_start is None or r.label_start.match(ln.text, off) else None
        if joined is not None:
            out.append(joined)
            continue
        if not _may_hold(ln.text, r.sep_needs):
            continue  # no colon, no space: no label before one
        m = r.label_sep.match(ln.text, off)
        if not m or m.end() >= len(ln.text):
            continue
        words = clean_label(m.group("label"))
        if not words or words.isascii() and not words.isalpha() or r.tl_date.match(words) \
                or ln.text.startswith("//", m.end("label") + 1):
            continue  # 10:30, a time; https: a URL; 2024年5月1日 …, a timeline entry
        kind = label_kind(words, r)
        colon = ":" in ln.text[m.end("label"):m.end()]
        if not colon and (kind is None or len(words) > r.label_line_chars):
            continue
        ls, le = _span(norm, ln, m.start("label"), m.end("label"))
        vs, ve = _span(norm, ln, m.end(), len(ln.text))
        out.append(Label(words, kind, ls, le, vs, ve, "inline"))
    return out


def _may_hold(text: str, needs: tuple[re.Pattern[str], ...]) -> bool:
    """Whether ``text`` holds a character of each class of ``needs``."""
    for need in needs:
        if need.search(text) is None:
            return False
    return True


def _joined_label(ln: Line, off: int, r: LayoutRules, norm: Normalized) -> Label | None:
    """発生日2024年5月1日: a date label run together with its date (table cells that
    HTML-to-text joined); only labels of the [[label]] entries, whole."""
    top = min(len(ln.text) - off, r.label_line_chars)
    cuts: Sequence[int]
    if r.tl_start is None:
        cuts = range(top, 1, -1)
    else:  # a date can only start where a character that opens one stands
        cuts = [m.start() - off for m in r.tl_start.finditer(ln.text, off + 2, off + top + 1)][::-1]
    for n in cuts:
        if not r.tl_date.match(ln.text, off + n):
            continue
        words = ln.text[off:off + n]
        kind = full_label_kind(words, r)
        if kind is not None:
            from rouei.extract.doc.layout import Label

            ls, le = _span(norm, ln, off, off + n)
            vs, ve = _span(norm, ln, off + n, len(ln.text))
            return Label(words, kind, ls, le, vs, ve, "inline")
    return None


def _bracket_label(ln: Line, r: LayoutRules, norm: Normalized) -> Label | None:
    """【発生日】2024年5月1日 / 【原因】設定の誤り: a label in 【】 with its value after it."""
    from rouei.extract.doc.layout import Label

    mk = next(m for m in r.markers if m.style == "lenticular")
    m = mk.regex.match(ln.text)
    if m is None or not m.group("inner"):
        return None
    vstart = m.end()
    while vstart < len(ln.text) and ln.text[vstart] in " \t:":
        vstart += 1
    words = clean_label(m.group("inner"))
    kind = label_kind(words, r)
    if vstart >= len(ln.text) or kind is None or len(words) > r.label_line_chars:
        return None
    ls, le = _span(norm, ln, m.start("inner"), m.end("inner"))
    vs, ve = _span(norm, ln, vstart, len(ln.text))
    return Label(words, kind, ls, le, vs, ve, "inline")


def label_lines(lines: list[Line], r: LayoutRules, heads: list[Heading],
                skip: set[int]) -> list[Label]:
    """A line that is only a label (判明日, 1 発生日時, (1)発覚) and its value on the next line."""
    from rouei.extract.doc.layout import Label

    heading_lines = {h.line.index for h in heads}
    out = []
    for i, ln in enumerate(lines[:-1]):
        if ln.start in skip or not may_open_label(ln.body_text, r):
            continue  # (most lines open with a character no label opens with: not cleaned)
        words = clean_label(ln.body_text)
        if not words or len(words) > r.label_line_chars:
            continue
        kind = full_label_kind(words, r)
        if kind is None:
            continue
        nxt = lines[i + 1]
        if nxt.index in heading_lines and nxt.style is not None or nxt.start in skip and \
                nxt.start not in _opening_dates(nxt, r):
            continue
        out.append(Label(words, kind, ln.body, ln.end, nxt.start, nxt.end, "line"))
    return out


def _opening_dates(ln: Line, r: LayoutRules) -> set[int]:
    """{ln.start} when the line opens with a date (a value may be a timeline-shaped date)."""
    off = _body_offset(ln)
    return {ln.start} if off is not None and r.tl_date.match(ln.text, off) else set()


def tables(lines: list[Line], r: LayoutRules, opening: set[int]) -> list[Label]:
    """A flattened table: a run of two or more label cells (発生日 ⏎ 内容 ⏎ 件数), then the
    cells of its rows one per line; each cell is labelled by its column's header."""
    from rouei.extract.doc.layout import Label

    out: list[Label] = []
    heads = [_header_cell(ln, r) for ln in lines]
    if not any(a and b for a, b in zip(heads, heads[1:], strict=False)):
        return out  # a table's header is two header cells or more in a row
    i = 0
    while i < len(lines):
        head: list[tuple[Line, str | None]] = []
        j = i
        while j < len(lines) and heads[j] and (j == i or not lines[j].blank_before):
            head.append((lines[j], label_kind(clean_label(lines[j].text), r)))
            j += 1
        k = len(head)
        if k < 2 or not any(kind for _, kind in head):
            i += 1
            continue
        cells: list[Line] = []
        while j < len(lines) and len(cells) < 60 * k:
            ln = lines[j]
            if "。" in ln.text and len(ln.text) > r.header_line or heads[j] and \
                    ln.start not in opening and len(cells) % k == 0:
                break
            if cells and ln.blank_before and len(cells) % k == 0 and len(cells) >= k:
                break
            cells.append(ln)
            j += 1
        rows = len(cells) // k
        if rows == 0:
            i += 1
            continue
        for n, cell in enumerate(cells[:rows * k]):
            lab, kind = head[n % k]
            out.append(Label(clean_label(lab.text), kind, lab.start, lab.end,
                             cell.start, cell.end, "table"))
        i = j
    return out


def _header_cell(ln: Line, r: LayoutRules) -> bool:
    """A line that can be a table's column header: short, no mark, a label of a known kind."""
    if ln.style is not None or "。" in ln.text or ":" in ln.text:
        return False  # (the words below keep every 。 and : of the line)
    words = clean_label(ln.text)
    return (0 < len(words) <= r.label_line_chars and "。" not in words
            and ":" not in words and label_kind(words, r) is not None
            and not r.tl_date.match(words))
