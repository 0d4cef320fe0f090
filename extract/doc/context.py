"""What every field extractor sees of one document."""

from __future__ import annotations

import copy
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from rouei.extract.doc.layout import Layout
from rouei.extract.doc.parsed import ParsedDoc
from rouei.extract.doc.text import Normalized, repeated_regions, sentences

ParseFn = Callable[[list[str]], list[ParsedDoc]]


@dataclass
class DocContext:
    """One document: the analysed ``text`` (offsets point here), its normalised copy, its
    sentences, regions to ignore (a body pasted twice), and lazy per-sentence parses."""

    doc_id: str
    text: str
    published: str | None = None
    title: str | None = None
    parse_fn: ParseFn | None = None
    # a parse of the whole text made elsewhere (the spaCy component): spans are read from it
    whole: ParsedDoc | None = None
    norm: Normalized = field(init=False)
    sentences: list[tuple[int, int]] = field(init=False)
    skip: list[tuple[int, int]] = field(init=False)
    _parses: dict[tuple[int, int], ParsedDoc] = field(init=False, default_factory=dict)
    _layout: Layout | None = field(init=False, default=None)
    _norm_sentences: list[tuple[int, int]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.norm = Normalized.of(self.text)
        self.sentences = sentences(self.text)
        self.skip = repeated_regions(self.text)
        self._sent_starts = [s for s, _ in self.sentences]

    @property
    def layout(self) -> Layout:
        """The notice's layout (lines, headings, sections, labels, timeline, header, sign-off),
        read once on first use; see extract/doc/layout.py."""
        if self._layout is None:
            self._layout = Layout.of(self.text, self.norm)
        return self._layout

    # -- positions -------------------------------------------------------------------
    def span_of_norm(self, nstart: int, nend: int) -> tuple[int, int, str]:
        """(start, end, text) in the analysed text for a span of the normalised copy."""
        s, e = self.norm.span(nstart, nend)
        return s, e, self.text[s:e]

    def skipped(self, pos: int) -> bool:
        """Is ``pos`` inside a repeated region? (Most notices have none: asked for every item
        and sentence, the answer then costs no loop.)"""
        return bool(self.skip) and any(s <= pos < e for s, e in self.skip)

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The sentence holding analysed-text position ``pos`` (or the nearest before it)."""
        i = bisect_right(self._sent_starts, pos) - 1
        if i < 0:
            return (0, 0) if not self.sentences else self.sentences[0]
        return self.sentences[i]

    @property
    def norm_sentences(self) -> list[tuple[int, int]]:
        """The sentences as spans of the normalised copy (``norm.to_norm`` of each end; read
        only), made once. A copy that keeps every character in place (the map is the identity,
        as for most notices) has the same spans."""
        if self._norm_sentences is None:
            ends = self.norm.ends
            if isinstance(ends, range) and ends.start == 1 and ends.step == 1:
                self._norm_sentences = self.sentences  # to_norm(p) == p for every p
            else:
                to_norm = self.norm.to_norm
                self._norm_sentences = [(to_norm(s), to_norm(e)) for s, e in self.sentences]
        return self._norm_sentences

    def norm_sentence_at(self, pos: int) -> tuple[int, int]:
        """The sentence holding ``pos`` as a span of the normalised copy."""
        s, e = self.sentence_at(pos)
        return self.norm.to_norm(s), self.norm.to_norm(e)

    # -- parses ----------------------------------------------------------------------
    def parse(self, start: int, end: int) -> ParsedDoc | None:
        """GiNZA parse of ``text[start:end]`` (token.idx + start = analysed-text offset).

        Parsed lazily and once; None when the pipeline runs without a model."""
        key = (start, end)
        if key not in self._parses:
            if self.whole is not None:
                self._parses[key] = self.whole.slice(start, end)
            elif self.parse_fn is None:
                return None
            else:
                self._parses[key] = self.parse_fn([self.text[start:end]])[0]
        return self._parses[key]

    def prefetch(self, spans: list[tuple[int, int]]) -> None:
        """Parse several spans in one batch (faster than one at a time)."""
        todo = [sp for sp in dict.fromkeys(spans) if sp not in self._parses]
        if self.whole is not None:
            for s, e in todo:
                self._parses[(s, e)] = self.whole.slice(s, e)
        elif todo and self.parse_fn is not None:
            for sp, doc in zip(todo, self.parse_fn([self.text[s:e] for s, e in todo])):
                self._parses[sp] = doc

    def preload(self, parses: dict[tuple[int, int], ParsedDoc]) -> None:
        """Take parses made earlier (the parse cache), keyed by their (start, end) span."""
        self._parses.update(parses)

    @property
    def parses(self) -> dict[tuple[int, int], ParsedDoc]:
        """Every parse this document has so far, by span (read-only use)."""
        return self._parses

    def sibling(self, parse_fn: ParseFn | None) -> DocContext:
        """The same document with another parse function and the parses made so far (a parse
        function that gave None made none). What depends on the text alone (the normalised
        copy, sentences, repeated regions, the layout once read) is shared, not made again:
        no rule changes it."""
        new = copy.copy(self)
        new.parse_fn = parse_fn
        new._parses = {sp: p for sp, p in self._parses.items() if p is not None}
        return new
