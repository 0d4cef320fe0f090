"""Reading notices into text, normalising a copy for matching, and mapping offsets back.

The analysed text is what the user sees (after HTML/PDF-to-text); every span we emit points
into it. Matching runs on a normalised copy (NFKC and a few extras), and ``Normalized.span``
maps a span of the copy back to the analysed text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from pathlib import Path

from rouei.extract.core import compiled
from rouei.extract.core.extras import require

# Characters NFKC would fold that we keep: circled numbers mark list items (①氏名 ②住所) and
# NFKC turns them into bare digits that would then read as counts.
_KEEP = set("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳➀➁➂➃➄➅➆➇➈➉")
# Extra folds after NFKC: dashes and wave dashes that notices use for ranges, odd spaces.
_EXTRA = {
    "\u301c": "~",  # 〜 WAVE DASH
    "\uff5e": "~",  # ～ (NFKC already gives ~)
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u30fc\u30fc": "ー",
    "\u00a0": " ", "\u3000": " ", "\u200b": "",
    "\u2019": "'", "\u201d": '"',
}


_COMBINING = ("\u3099", "\u309a")


@cache
def _fold_char(ch: str) -> str:
    if ch in _KEEP:
        return ch
    out = unicodedata.normalize("NFKC", ch)
    return "".join(_EXTRA.get(c, c) for c in out)


# What _fold_char said of every character seen so far, split so that a notice's own set of
# characters is looked up in C: those that fold to themselves (and are no combining mark), and
# the folds of the others.
_SAME: set[str] = set()
_FOLDS: dict[str, str] = {}


def _odd_folds(chars: set[str]) -> dict[str, str]:
    """The folds of those of ``chars`` that do not simply stay as they are."""
    odd = chars - _SAME
    for c in odd - _FOLDS.keys():
        f = _fold_char(c)
        if f == c and f not in _COMBINING:
            _SAME.add(c)
        else:
            _FOLDS[c] = f
    return {c: _FOLDS[c] for c in odd if c in _FOLDS}


# A pattern for any character outside a snapshot of _SAME: the characters of a notice that may
# change are found in one scan in C, not by building the set of all its characters. The
# snapshot is taken again when _SAME has grown by a quarter (so a long run compiles it a few
# times); a stale one only finds more characters, which _odd_folds sorts out.
_outside: list = [None, 0]  # [pattern, size of _SAME it was made from]


def _candidates(original: str) -> list[str] | None:
    """The characters of ``original`` outside the snapshot, in order (None: no snapshot)."""
    pat = _outside[0]
    return None if pat is None else pat.findall(original)


def _refresh_outside() -> None:
    if len(_SAME) - _outside[1] >= max(16, _outside[1] // 4):
        klass = "".join(re.escape(c) for c in sorted(_SAME))
        _outside[:] = [re.compile(f"[^{klass}]"), len(_SAME)]


@cache
def _run_of(chars: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(chars)}]+")


def _translate(original: str, trans: dict[int, str], found: list[str] | None) -> str:
    """``original.translate(trans)``. When few characters change (``found`` holds every one),
    the runs of them are translated alone: translate looks every character up in Python."""
    if found is not None and len(found) * 8 < len(original):
        run = _run_of("".join(sorted(chr(c) for c in trans)))
        return run.sub(lambda m: m.group().translate(trans), original)
    return original.translate(trans)


@dataclass
class Normalized:
    """A normalised copy of ``original`` with a map from copy positions to original positions."""

    original: str
    text: str = ""
    # starts[i] = index in original of the char that produced text[i]; ends[i] its end.
    starts: Sequence[int] = field(default_factory=list)
    ends: Sequence[int] = field(default_factory=list)
    # len(original) when the map is the identity (one copy character per original character,
    # as ranges: the common case), else -1. Then to_norm and span answer without a lookup:
    # extractors call them some 200 times per notice, and a bisect on a range builds ints.
    _same: int = field(init=False, repr=False, compare=False, default=-1)

    def __post_init__(self) -> None:
        n = len(self.original)
        if self.starts == range(n) and self.ends == range(1, n + 1):
            self._same = n

    @classmethod
    def of(cls, original: str) -> Normalized:
        # the characters that change (or are combining marks); the others map to themselves
        found = _candidates(original)
        table = _odd_folds(set(original) if found is None else set(found))
        _refresh_outside()
        trans = {ord(c): f for c, f in table.items() if f != c}
        copy = _translate(original, trans, found) if trans else original
        if all(len(f) == 1 and f not in _COMBINING for f in table.values()):
            # the common case: one copy character per original character, an identity map
            n = len(original)
            return cls(original, copy, range(n), range(1, n + 1))
        if not any(f in _COMBINING for f in table.values()):
            # some characters expand (… to ...) or vanish: positions repeat for each copy
            # character; between such characters the map is the identity
            odd = "".join(re.escape(c) for c, f in table.items() if len(f) != 1)
            starts: list[int] = []
            ends: list[int] = []  # built beside starts (each is its start + 1), in C runs
            prev = 0
            for m in re.finditer(f"[{odd}]", original):
                i = m.start()
                k = len(table[original[i]])
                starts.extend(range(prev, i))
                starts.extend(repeat(i, k))
                ends.extend(range(prev + 1, i + 1))
                ends.extend(repeat(i + 1, k))
                prev = i + 1
            starts.extend(range(prev, len(original)))
            ends.extend(range(prev + 1, len(original) + 1))
            return cls(original, copy, starts, ends)
        folds = [table.get(ch, ch) for ch in original]
        parts: list[str] = []
        starts = []
        ends = []
        for i, folded in enumerate(folds):
            # Half-width ﾄﾞ folds to ト + a combining voiced mark; join them into ド.
            if folded in _COMBINING and parts and parts[-1]:
                composed = unicodedata.normalize("NFC", parts[-1][-1] + folded)
                if len(composed) == 1:
                    parts[-1] = parts[-1][:-1] + composed
                    ends[-1] = i + 1
                    continue
            parts.append(folded)
            starts.extend([i] * len(folded))
            ends.extend([i + 1] * len(folded))
        return cls(original, "".join(parts), starts, ends)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the copy's [start, end) to the original's [start, end)."""
        if 0 <= start < end <= self._same:
            return start, end  # the identity map
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def to_norm(self, orig_pos: int) -> int:
        """First copy position produced at or after original position ``orig_pos``."""
        n = self._same
        if n >= 0:  # the identity map: bisect_right(range(1, n + 1), orig_pos)
            return orig_pos if 0 <= orig_pos <= n else (0 if orig_pos < 0 else n)
        return bisect_right(self.ends, orig_pos)


# ---------------------------------------------------------------------------------------
# Decoding


def decode_bytes(data: bytes, html: bool = False) -> tuple[str, str]:
    """Decode notice bytes: BOM, a page's own charset declaration, then detection of the
    Japanese legacy encodings (fetch.encoding does the work for fetched pages and files alike)."""
    from rouei.fetch.encoding import decode

    return decode(data, sniff_meta=html)


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one block per line, site chrome (menus, footers) dropped."""
    from rouei.fetch.html import parse_html

    pages = parse_html(html, split=False)
    return pages[0].text if pages else ""


def read_document(path: Path) -> tuple[str, str]:
    """Text to analyse and the encoding it was read with, for a .txt/.html/.pdf file."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        require("pdfminer", "reading PDF files")
        from rouei.fetch.pdf import pdf_to_text

        return pdf_to_text(data), "pdf"
    is_html = suffix in (".html", ".htm", ".xhtml")
    text, enc = decode_bytes(data, html=is_html)
    if is_html:
        return html_to_text(text), enc
    return text, enc


# ---------------------------------------------------------------------------------------
# Segmentation

_OPEN, _CLOSE = "(（「『", ")）」』"
# a sentence end (。, ！, ？, perhaps closing quotes after them; line breaks), or a bracket:
# [。！？!?]+[」』]*|\n+|[(（「『)）」』] written to begin with one character class (the
# look-behinds then tell which token it is), so that the engine skips from candidate to
# candidate in C instead of trying three alternatives at every position (4x faster).
_SENT_TOKEN = compiled.regex(r"[。！？!?\n(（「『)）」』](?:(?<=[。！？!?])[。！？!?]*[」』]*|(?<=\n)\n*)?")


def find_all(text: str, words: Sequence[str], start: int = 0, end: int | None = None) -> list[int]:
    """Every place in text[start:end] where one of ``words`` starts (overlaps too), in order,
    each once: str.find scans for a few literal words, where a regex search for them tests a
    class at every character of the text."""
    end = len(text) if end is None else end
    found: set[int] = set()
    for w in words:
        at = text.find(w, start, end)
        while at >= 0:
            found.add(at)
            at = text.find(w, at + 1, end)
    return sorted(found)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split after 。！？ and at line breaks; blank spans dropped.

    A 。 inside brackets does not end the sentence: in "氏名(住所はありません。)、診療科" the
    bracketed remark belongs to the list around it."""
    spans: list[tuple[int, int]] = []
    pos = 0
    depth = 0
    for m in _SENT_TOKEN.finditer(text):
        tok = m.group()
        ch = tok[0]
        if ch in _OPEN:
            depth += 1
            continue
        if ch in _CLOSE:
            if depth:
                depth -= 1
            continue
        if depth and ch != "\n":
            # inside brackets; closing quotes after the 。 close brackets that are open
            depth -= min(depth, len(tok) - len(tok.rstrip("」』")))
            continue
        depth = 0
        end = m.end()
        # text[pos:end] without its surrounding white space, unless it is blank (inlined:
        # this runs for every sentence of every notice)
        piece = text[pos:end]
        body = piece.strip()
        if body:
            lead = end - len(piece.lstrip())
            spans.append((lead, lead + len(body)))
        pos = end
    if pos < len(text):
        _add_stripped(spans, text, pos, len(text))
    return spans


def _add_stripped(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Append text[start:end] without its surrounding white space, unless it is blank."""
    piece = text[start:end]
    body = piece.strip()
    if body:
        lead = len(piece) - len(piece.lstrip())
        spans.append((start + lead, start + lead + len(body)))


def repeated_regions(text: str, min_lines: int = 3, min_chars: int = 60) -> list[tuple[int, int]]:
    """Regions that repeat an earlier run of lines verbatim (a body pasted twice).

    A run of at least ``min_lines`` consecutive non-blank lines, ``min_chars`` long, that
    already occurred earlier in the same order is marked; single repeated lines (the same
    "原因:ソフトウェア不良" under two list items) are not.
    """
    # Every line of a region repeats an earlier line: a text with fewer repeated lines has
    # none (most notices), known from one set of its lines.
    bodies = [b for b in map(str.strip, text.splitlines()) if b]
    if len(bodies) - len(set(bodies)) < min_lines:
        return []
    line_spans = []
    pos = 0
    for ln in text.splitlines(keepends=True):
        body = ln.strip()
        if body:
            line_spans.append((body, pos, pos + len(ln.rstrip("\r\n"))))
        pos += len(ln)
    keys = [b for b, _, _ in line_spans]
    first_at: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        first_at.setdefault(k, []).append(i)
    regions: list[tuple[int, int]] = []
    i = 0
    n = len(keys)
    while i < n:
        best = 0
        for j in first_at[keys[i]]:
            if j >= i:
                break
            length = 0
            while i + length < n and j + length < i and keys[j + length] == keys[i + length]:
                length += 1
            best = max(best, length)
        if best >= min_lines and sum(len(keys[i + k]) for k in range(best)) >= min_chars:
            regions.append((line_spans[i][1], line_spans[i + best - 1][2]))
            i += best
        else:
            i += 1
    return regions


def read_path_text(path: Path) -> str:
    """Convenience for tests and tools: the analysed text of a file."""
    return read_document(path)[0]
