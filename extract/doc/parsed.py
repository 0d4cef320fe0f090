"""A GiNZA parse as plain Python data: what the rules read of a parse, and nothing of spaCy.

The rules read little of a parse: each token's text, offset, part of speech, lemma, norm,
dependency label and head, a few flags, GiNZA's bunsetu boundaries, and the named entities.
``ParsedDoc`` holds exactly that, with the small part of spaCy's Doc/Token/Span interface the
rules use (same names, same answers: tests/test_parsed.py compares them with spaCy's). Fresh
parses are converted right after parsing, and the parse cache stores the same data beside each
DocBin entry, so a run whose parses all come from the cache never imports spaCy, and cold and
warm runs go through the same code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

# payload fields, one list per token each (flags as 0/1)
_FIELDS = ("idx", "words", "pos", "lemma", "norm", "dep", "head", "space", "punct", "sent_start", "bunsetu")


@dataclass(frozen=True)
class Entity:
    """A named entity of the parse, with its character offsets (spaCy's ``Span`` attributes)."""
    start_char: int
    end_char: int
    label_: str
    text: str


class ParsedDoc:
    """Tokens as parallel lists; ``head[i]`` is an absolute token index (the root is its own)."""

    __slots__ = (*_FIELDS, "text", "ents", "spacy_doc", "_tokens", "_children")

    # the per-token lists of _FIELDS, set from keyword arguments in __init__
    idx: list[int]
    words: list[str]
    pos: list[str]
    lemma: list[str]
    norm: list[str]
    dep: list[str]
    head: list[int]
    space: list[int]
    punct: list[int]
    sent_start: list[int]
    bunsetu: list[str]
    spacy_doc: Any  # the spaCy Doc of a fresh parse (kept for the parse cache), else None

    def __init__(self, text: str, ents: list[Entity], **fields: list) -> None:
        self.text = text
        self.ents = ents
        for name in _FIELDS:
            setattr(self, name, fields[name])
        self.spacy_doc = None
        # made on first use (most parses give only ents), each token when it is asked for
        self._tokens: list[Token | None] | None = None
        self._children: list[list[int]] | None = None

    # -- conversions -------------------------------------------------------------------------
    @classmethod
    def from_spacy(cls, doc) -> ParsedDoc:
        bi = doc.user_data.get("bunsetu_bi_labels") or ["B"] * len(doc)
        out = cls(doc.text,
                  [Entity(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents],
                  idx=[t.idx for t in doc], words=[t.text for t in doc], pos=[t.pos_ for t in doc],
                  lemma=[t.lemma_ for t in doc], norm=[t.norm_ for t in doc],
                  dep=[t.dep_ for t in doc], head=[t.head.i for t in doc],
                  space=[int(t.is_space) for t in doc], punct=[int(t.is_punct) for t in doc],
                  sent_start=[int(bool(t.is_sent_start)) for t in doc], bunsetu=list(bi))
        out.spacy_doc = doc
        return out

    def to_payload(self) -> dict:
        """Plain lists and strings (msgpack-able); the text is stored by the caller."""
        data = {name: getattr(self, name) for name in _FIELDS}
        data["ents"] = [[e.start_char, e.end_char, e.label_] for e in self.ents]
        return data

    @classmethod
    def from_payload(cls, text: str, data: dict) -> ParsedDoc:
        ents = [Entity(s, e, label, text[s:e]) for s, e, label in data["ents"]]
        return cls(text, ents, **{name: list(data[name]) for name in _FIELDS})

    def slice(self, start: int, end: int) -> ParsedDoc:
        """The parse of ``text[start:end]`` as read from this parse of the whole text: the
        tokens that lie inside, offsets made relative to ``start``, a head outside the slice
        made the token's own (a root), entities inside kept. The spaCy component uses it to
        reuse the pipeline's parse of a whole doc instead of parsing each sentence again."""
        keep = [i for i, (x, w) in enumerate(zip(self.idx, self.words)) if x >= start and x + len(w) <= end]
        new = {old: k for k, old in enumerate(keep)}
        fields = {name: [getattr(self, name)[i] for i in keep] for name in _FIELDS}
        fields["idx"] = [self.idx[i] - start for i in keep]
        fields["head"] = [new.get(self.head[i], k) for k, i in enumerate(keep)]
        if keep:
            fields["sent_start"][0] = 1
            fields["bunsetu"][0] = "B"
        ents = [Entity(e.start_char - start, e.end_char - start, e.label_, e.text)
                for e in self.ents if e.start_char >= start and e.end_char <= end]
        return ParsedDoc(self.text[start:end], ents, **fields)

    # -- the Doc interface the rules use -------------------------------------------------------
    def __len__(self) -> int:
        return len(self.words)

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens)

    def __getitem__(self, key):
        if type(key) is not int:
            return self.tokens[key]
        # One token: made alone (a root, a head: most parses are read a token or two at a
        # time), the others when asked for; each index has one Token object all the same.
        made = self._tokens
        if made is None:
            made = self._tokens = [None] * len(self.words)
        tok = made[key]
        if tok is None:
            tok = made[key] = Token(self, key if key >= 0 else key + len(made))
        return tok

    @property
    def tokens(self) -> list[Token]:
        made = self._tokens
        if made is None:
            made = self._tokens = [None] * len(self.words)
        if None in made:
            for i, tok in enumerate(made):
                if tok is None:
                    made[i] = Token(self, i)
        return cast(list[Token], made)  # none is missing now

    def children_of(self, i: int) -> list[int]:
        if self._children is None:
            kids: list[list[int]] = [[] for _ in self.words]
            for j, h in enumerate(self.head):
                if h != j:
                    kids[h].append(j)
            self._children = kids
        return self._children[i]

    def _token_at(self, char: int) -> int:
        """The token whose text or trailing white space holds ``char`` (-1: none), as spaCy."""
        lo, hi = 0, len(self.words) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            start = self.idx[mid]
            # spaCy counts a token's trailing space; GiNZA tokens have none (spaces are tokens)
            end = self.idx[mid + 1] if mid + 1 < len(self.idx) else len(self.text)
            if char < start:
                hi = mid - 1
            elif char >= end:
                lo = mid + 1
            else:
                return mid
        return -1

    def char_span(self, start: int, end: int, alignment_mode: str = "expand") -> TokenSpan | None:
        """The tokens over text[start:end], widened to whole tokens (spaCy's "expand" mode)."""
        if alignment_mode != "expand":
            raise ValueError("only alignment_mode='expand' is supported")
        a = self._token_at(start)
        if a < 0:
            return None
        b = self._token_at(end - 1)
        if b < 0:
            return None
        if start == self.idx[a] + len(self.words[a]):
            a += 1  # trailing white space is not part of the token before
        return TokenSpan(self, a, b + 1)


class Token:
    __slots__ = ("doc", "i")

    def __init__(self, doc: ParsedDoc, i: int) -> None:
        self.doc, self.i = doc, i

    def __repr__(self) -> str:
        return f"Token({self.text!r}, {self.i})"

    def __len__(self) -> int:
        return len(self.doc.words[self.i])

    text = property(lambda self: self.doc.words[self.i])
    idx = property(lambda self: self.doc.idx[self.i])
    pos_ = property(lambda self: self.doc.pos[self.i])
    lemma_ = property(lambda self: self.doc.lemma[self.i])
    norm_ = property(lambda self: self.doc.norm[self.i])
    dep_ = property(lambda self: self.doc.dep[self.i])
    is_space = property(lambda self: bool(self.doc.space[self.i]))
    is_punct = property(lambda self: bool(self.doc.punct[self.i]))
    is_sent_start = property(lambda self: bool(self.doc.sent_start[self.i]))

    @property
    def head(self) -> Token:
        return self.doc[self.doc.head[self.i]]

    @property
    def children(self) -> Iterator[Token]:
        """Dependents in text order, as spaCy yields them (lefts, then rights)."""
        return (self.doc[j] for j in self.doc.children_of(self.i))


class TokenSpan:
    """doc[start:end] as a span: its length and its root."""

    __slots__ = ("doc", "start", "end")

    def __init__(self, doc: ParsedDoc, start: int, end: int) -> None:
        self.doc, self.start, self.end = doc, start, end

    def __len__(self) -> int:
        return max(0, self.end - self.start)

    @property
    def root(self) -> Token:
        """spaCy's Span.root: a sentence root inside the span, else the token with a head
        outside it and the fewest steps to the root (the first on a tie); a bare space or
        punctuation mark with no dependents counts as far from the root."""
        doc = self.doc
        for i in range(self.start, self.end):
            if doc.head[i] == i:
                return doc[i]
        best, root = len(doc), -1
        for i in range(self.start, self.end):
            if self.start <= doc.head[i] < self.end:
                continue
            steps = _steps_to_root(doc, i)
            if steps < best:
                best, root = steps, i
        return doc[self.start if root == -1 else root]


def _steps_to_root(doc: ParsedDoc, i: int) -> int:
    if (doc.space[i] or doc.punct[i]) and not doc.children_of(i):
        return len(doc) - 1
    n = 0
    while doc.head[i] != i:
        i = doc.head[i]
        n += 1
        if n >= len(doc):
            raise RuntimeError("dependency cycle in a parse")
    return n


def bunsetu_end(tok: Token) -> int:
    """End (exclusive token index) of the bunsetu holding ``tok``: the next token GiNZA marks
    as a bunsetu start, or the end of the doc (the end of ginza.bunsetu_span)."""
    bi = tok.doc.bunsetu
    for j in range(tok.i + 1, len(bi)):
        if bi[j] == "B":
            return j
    return len(bi)
