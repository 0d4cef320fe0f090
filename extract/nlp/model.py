"""The GiNZA parse: one ``ja_ginza`` pipeline per process, fed pieces under Sudachi's byte limit."""

from __future__ import annotations

import logging
import re
import sys
import types
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rouei.extract.doc.parsed import ParsedDoc

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

MODEL_NAME = "ja_ginza"
# SudachiPy refuses input over 49,149 bytes; and GiNZA's NER and bunsetu steps slow down
# more than linearly on long inputs (a 4,400-character line without 。 takes ~50 s), so text
# is parsed in pieces of at most this many bytes (about 500 characters), cut at paragraph,
# sentence, then clause (、) boundaries. A notice's sentences are almost always shorter.
MAX_BYTES = 1_500
# Components rouei reads: the parser (dependencies, bunsetu) and NER (organisations).
DEFAULT_EXCLUDE: tuple[str, ...] = ()


def import_spacy() -> types.ModuleType:
    """``import spacy`` without its command line.

    spaCy's ``__init__`` imports ``spacy.cli.info`` for the ``spacy.info`` helper, and with it
    the whole command line (typer, weasel, httpx, jinja2...): about a third of the import time
    (0.3-0.5 s here), for code no parse runs. While spaCy is first imported, ``spacy.cli.info``
    is a stand-in whose ``info`` imports the real one when called; afterwards the stand-in
    leaves ``sys.modules``, so ``import spacy.cli`` still gets the real command line."""
    if "spacy" in sys.modules or "spacy.cli.info" in sys.modules:
        import spacy

        return spacy
    stand_in = types.ModuleType("spacy.cli.info")

    def info(*args, **kwargs):
        from spacy.cli.info import info as real

        return real(*args, **kwargs)

    setattr(stand_in, "info", info)  # noqa: B010 - a new module: mypy knows no such attribute
    sys.modules["spacy.cli.info"] = stand_in
    try:
        import spacy
    finally:
        if sys.modules.get("spacy.cli.info") is stand_in:
            del sys.modules["spacy.cli.info"]
    return spacy


def load_model(name: str = MODEL_NAME, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> Language:
    spacy = import_spacy()

    # "strings": the model's 600,000-entry string table (vocab/strings.json) is half of the
    # load time and no parse reads it: the static vectors are keyed by hash, and the tokenizer
    # and the components add every string a parse uses (tests/test_speedups.py compares).
    nlp = spacy.load(name, exclude=[*exclude, "strings"])
    log.debug("loaded %s %s with %s", name, nlp.meta.get("version"), nlp.pipe_names)
    return nlp


# model_id of each loaded pipeline: spaCy builds ``Language.meta`` afresh on every read, with
# every component's labels (the NER's labels alone are some 800 strings, each re-split), and a
# record names its model: read per document, that was ~15% of a cold run on short notices.
_MODEL_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_id(nlp: Language) -> str:
    """Language, name and version of ``nlp``'s package, read from its meta once per pipeline."""
    try:
        return _MODEL_IDS[nlp]
    except (KeyError, TypeError):  # TypeError: an object that takes no weak reference
        pass
    meta = nlp.meta
    found = f"{meta.get('lang', 'ja')}_{meta.get('name', 'ginza')} {meta.get('version', '?')}"
    try:
        _MODEL_IDS[nlp] = found
    except TypeError:
        pass
    return found


def split_for_sudachi(text: str, limit: int = MAX_BYTES) -> list[tuple[int, int]]:
    """Contiguous pieces of ``text``, each under ``limit`` UTF-8 bytes: at paragraph breaks,
    then sentence ends, then commas, then hard cuts; the pieces concatenate back to ``text``."""
    if len(text.encode("utf-8")) <= limit:
        return [(0, len(text))]
    for sep in (r"\n\s*\n", r"\n", r"[。！？!?]", r"[、,]"):
        cuts = [m.end() for m in re.finditer(sep, text)]
        if cuts:
            pieces = _pack(text, [0, *cuts, len(text)], limit)
            if pieces is not None:
                return pieces
    # No separator works: cut by characters.
    pieces = []
    start = 0
    while start < len(text):
        end = start
        size = 0
        while end < len(text) and size + len(text[end].encode("utf-8")) <= limit:
            size += len(text[end].encode("utf-8"))
            end += 1
        pieces.append((start, end))
        start = end
    return pieces


def _pack(text: str, bounds: list[int], limit: int) -> list[tuple[int, int]] | None:
    pieces: list[tuple[int, int]] = []
    start = 0
    prev = 0
    for b in sorted(set(bounds))[1:]:
        if len(text[start:b].encode("utf-8")) > limit:
            if prev == start:
                return None  # one unit alone is too long for this separator
            pieces.append((start, prev))
            start = prev
            if len(text[start:b].encode("utf-8")) > limit:
                return None
        prev = b
    pieces.append((start, len(text)))
    return [(s, e) for s, e in pieces if e > s]


def pipe(nlp: Language, texts: Sequence[str], batch_size: int = 64, fast_ner: bool = True) -> list[Doc]:
    """``nlp.pipe`` over ``texts``, with the NER step decoded by extract.fastner (same
    entities, several times faster) unless ``fast_ner`` is False."""
    if not fast_ner or "ner" not in nlp.pipe_names:
        return list(nlp.pipe(texts, batch_size=batch_size))
    from rouei.extract.nlp import fastner

    out: list[Doc] = []
    for i in range(0, len(texts), batch_size):
        docs = [nlp.make_doc(t) for t in texts[i:i + batch_size]]
        for name, proc in nlp.pipeline:
            if name == "ner":
                fastner.annotate(proc, docs)
            elif hasattr(proc, "pipe"):
                docs = list(proc.pipe(docs, batch_size=batch_size))
            else:
                docs = [proc(doc) for doc in docs]
        out.extend(docs)
    return out


def parse_texts(nlp: Language, texts: Iterable[str], batch_size: int = 64, fast_ner: bool = True) -> list[Doc]:
    """Parse each text; a text over the byte limit is parsed in pieces and joined."""
    texts = list(texts)
    out: list[Doc | None] = [None] * len(texts)
    short_idx = [i for i, t in enumerate(texts) if len(t.encode("utf-8")) <= MAX_BYTES]
    for i, doc in zip(short_idx, pipe(nlp, [texts[i] for i in short_idx], batch_size, fast_ner)):
        out[i] = doc
    for i, t in enumerate(texts):
        if out[i] is None:
            parts = [t[s:e] for s, e in split_for_sudachi(t)]
            out[i] = join_docs(pipe(nlp, parts, batch_size, fast_ner))
    return [d for d in out if d is not None]


def parse_for_rules(nlp: Language, texts: Iterable[str], fast_ner: bool = True,
                    batch_size: int = 64) -> list[ParsedDoc]:
    """parse_texts, each result as the rules read it (extract.parsed; the spaCy Doc kept)."""
    return [ParsedDoc.from_spacy(doc)
            for doc in parse_texts(nlp, texts, batch_size=batch_size, fast_ner=fast_ner)]


# GiNZA keeps its bunsetu and clause analysis in Doc.user_data, which Doc.from_docs drops:
# per-token lists are concatenated, token indices shifted.
_PER_TOKEN = ("sub_tokens", "bunsetu_bi_labels", "bunsetu_position_types")
_INDEX_LISTS = ("bunsetu_heads", "clause_heads")


def join_docs(docs: list[Doc]) -> Doc:
    """One Doc from parses of consecutive pieces of a text, GiNZA's user data included."""
    from spacy.tokens import Doc

    saved = [{k: d.user_data.pop(k) for k in list(d.user_data) if isinstance(k, str)} for d in docs]
    joined = Doc.from_docs(docs, ensure_whitespace=False)
    merged: dict = {}
    offset = 0
    for doc, data in zip(docs, saved):
        for key, value in data.items():
            if key in _PER_TOKEN:
                merged.setdefault(key, []).extend(value)
            elif key in _INDEX_LISTS:
                merged.setdefault(key, []).extend(i + offset for i in value)
            elif key == "clauses":
                clauses = merged.setdefault(key, {})
                for head, members in value.items():
                    clauses[head + offset] = [i + offset for i in members]
        doc.user_data.update(data)
        offset += len(doc)
    for key in _INDEX_LISTS:
        if key in merged and key == "bunsetu_heads":
            merged[key] = tuple(merged[key])
    joined.user_data.update(merged)
    return joined
