"""The extraction pipeline: text in, record out, with the GiNZA model loaded once per process."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from rouei import __version__
from rouei.extract.core import compiled, rules
from rouei.extract.core.errors import RoueiError
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import Item, OrgItem
from rouei.extract.fields import causes, counts, datatypes, dates, incidents, notice, org, status
from rouei.extract.run import record
from rouei.extract.run.inputs import InputDoc
from rouei.extract.run.record import error_record

log = logging.getLogger(__name__)

# Texts parsed at once: their spaCy Docs (with the model's tensors) are the bulk of a parse's
# memory, and a long document can ask for thousands of sentences.
PARSE_CHUNK = 64
# A longer document is not stored in the parse cache, whose entry would keep every spaCy Doc
# of it in memory until written.
CACHE_MAX_CHARS = 200_000

# The field extractors, in the order they run: each has ``extract(ctx) -> list[Item]``.
FIELDS = (dates, counts, datatypes, causes, status, org)
# Those whose parses Pipeline.plan foresees, by running them without a model. Measured on 500
# real notices (~640 characters), planning costs about 3 ms a notice per extractor: org asks
# for 78% of the parsed characters and datatypes 23%, which pays; dates asks for 5%, which
# does not (its parses are made as it asks, one document at a time).
PLANNED_FIELDS = (datatypes, org)
# A longer document is not planned: it asks for fewer parsed characters per character read
# and batches several of its own (on 63 notices of ~6,000 characters planning took ~70 ms
# each, more than batching them with other documents saves).
PLAN_MAX_CHARS = 2_000


@dataclass
class Settings:
    """Pipeline settings. Those in ``key()`` change parses and so the parse-cache key."""

    model: str = "ja_ginza"
    incidents: str = "split"  # split | flat
    # GiNZA's compound_splitter only adds sub-word splits (sub_tokens) that no rule reads
    exclude: tuple[str, ...] = ("compound_splitter",)
    matmul: bool = True  # numpy matmul instead of blis (same output, faster here)
    fast_ner: bool = True  # NER decoded by extract.fastner (same entities, faster here)
    cache_dir: str | None = None
    max_chars: int | None = None  # a longer document is refused (E013)
    keep_text: bool = False  # store the analysed text in each record, under "text"

    def key(self) -> str:
        return f"{self.model}|exclude={','.join(self.exclude)}"


@dataclass
class Counters:
    """What a pipeline has done: documents and characters read, characters handed to the
    model, and the wall seconds spent loading the model and parsing (summed over workers)."""

    docs: int = 0
    read_chars: int = 0
    parsed_chars: int = 0
    model_seconds: float = 0.0
    parse_seconds: float = 0.0

    # (each of these runs for every record of an inline run: the field names are read once)
    def add(self, other: Counters) -> None:
        """Add ``other`` into these counters (in place)."""
        for name in _COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def since(self, before: Counters) -> Counters:
        """What was counted after ``before`` (an earlier copy of these counters)."""
        return Counters(*[getattr(self, name) - getattr(before, name) for name in _COUNTERS])

    def copy(self) -> Counters:
        return Counters(*[getattr(self, name) for name in _COUNTERS])

    @property
    def parsed_share(self) -> float:
        return self.parsed_chars / self.read_chars if self.read_chars else 0.0


_COUNTERS = tuple(f.name for f in fields(Counters))


@dataclass
class Pipeline:
    """Runs the field extractors over one document at a time. The model is loaded on the
    first parse, so a run whose parses all come from the cache never loads it."""

    settings: Settings = field(default_factory=Settings)
    nlp: Any = None  # a loaded spaCy Language, or None until the first parse

    def __post_init__(self) -> None:
        # the hash of the rules a record was made with, taken again for every document: a
        # long-lived process (a Dask worker) picks up edited rules and must say so
        self.rules_sha = rules.rules_hash_cached()
        self.cache = None
        if self.settings.cache_dir:
            from rouei.extract.nlp.cache import ParseCache

            compiled.use_store(self.settings.cache_dir)  # a worker's rule regexes, as the parent's
            self.cache = ParseCache(Path(self.settings.cache_dir), self.model_id, self.settings.key())
        self._uncached = False  # the document in hand is too long for the parse cache
        self.counters = Counters()

    @property
    def parsed_chars(self) -> int:
        return self.counters.parsed_chars

    def model(self):
        """The spaCy pipeline, loaded on first use."""
        if self.nlp is None:
            start = time.perf_counter()
            from rouei.extract.nlp.model import load_model

            self.nlp = load_model(self.settings.model, self.settings.exclude)
            if self.settings.matmul:
                from rouei.extract.nlp.ops import use_matmul_ops

                use_matmul_ops(self.nlp)
            self.counters.model_seconds += time.perf_counter() - start
        return self.nlp

    def parse_fn(self, texts: list[str]) -> list:
        """Parses of ``texts`` for the document in hand, PARSE_CHUNK at a time."""
        return self.parse(texts, keep=self.cache is not None and not self._uncached)

    def parse(self, texts: list[str], keep: bool, batch_chars: int | None = None) -> list:
        """Parses of ``texts``, PARSE_CHUNK at a time, or as many as fit in ``batch_chars``
        characters when given. The spaCy Docs are kept (``keep``) only for the parse cache;
        otherwise (no cache, or a document too long to cache) they are dropped as each chunk
        is read, so a long document's memory does not grow with its parses."""
        nlp = self.model()
        from rouei.extract.nlp.model import parse_for_rules

        self.counters.parsed_chars += sum(len(t) for t in texts)
        out: list = []
        start = time.perf_counter()
        try:
            for chunk in _chunks(texts, batch_chars):
                part = parse_for_rules(nlp, chunk, fast_ner=self.settings.fast_ner,
                                       batch_size=len(chunk))
                if not keep:
                    for parsed in part:
                        parsed.spacy_doc = None
                out += part
        finally:
            self.counters.parse_seconds += time.perf_counter() - start
        return out

    @property
    def model_id(self) -> str:
        """Name and version of the model, read from its package without loading it."""
        if self.nlp is not None:
            from rouei.extract.nlp.model import model_id

            return model_id(self.nlp)
        return _package_model_id(self.settings.model)

    @property
    def extractor_info(self) -> dict:
        return {"version": __version__, "rules": self.rules_sha, "model": self.model_id}

    def context(self, doc_id: str, text: str, published: str | None = None,
                title: str | None = None) -> DocContext:
        return DocContext(doc_id, text, published=published, title=title, parse_fn=self.parse_fn)

    def items(self, ctx: DocContext) -> list[Item]:
        found: list[Item] = []
        for mod in FIELDS:
            found.extend(mod.extract(ctx))
        kept = [it for it in found if not ctx.skipped(it.start)]
        for it in kept:
            if ctx.text[it.start:it.end] != it.text:
                raise RoueiError("E004", detail=f"offset mismatch for {it!r}")
        return sorted(kept, key=lambda it: (it.start, it.end))

    def process(self, doc_id: str, text: str, source: dict | None = None,
                published: str | None = None, title: str | None = None) -> dict:
        """The record for one document (raises RoueiError on failure)."""
        ctx, cached = self.begin(doc_id, text, published=published, title=title)
        return self.finish(ctx, cached, source)

    def begin(self, doc_id: str, text: str, published: str | None = None,
              title: str | None = None) -> tuple[DocContext, dict]:
        """Count and check one document: its context, with the parses the cache holds for it
        preloaded, and those parses (raises RoueiError for an empty or too long text)."""
        self.counters.docs += 1
        self.counters.read_chars += len(text)
        if not text.strip():
            raise RoueiError("E003")
        limit = self.settings.max_chars
        if limit is not None and len(text) > limit:
            raise RoueiError("E013", detail=f"{len(text):,} characters, over {limit:,} (--max-chars)")
        title = title or _first_line(text)
        ctx = self.context(doc_id, text, published=published, title=title)
        cached = self.cache.load(text) if self.cache and len(text) <= CACHE_MAX_CHARS else {}
        ctx.preload(cached)
        return ctx, cached

    def plan(self, ctx: DocContext) -> tuple[DocContext, list[tuple[int, int]]]:
        """The spans the analysis of ``ctx`` will ask to parse, as far as they can be foreseen
        without parses, and a context to analyse it in (``ctx``'s sibling: the text's layout
        is read once).

        PLANNED_FIELDS run with a parse function that parses nothing (their code for a run
        without a model): what they ask for is recorded. The analysis may still ask for a span
        not foreseen here (by another extractor, or one that a parse leads to); it is parsed
        then."""
        probe = ctx.sibling(parse_nothing)
        with rules.pinned():
            for mod in PLANNED_FIELDS:
                mod.extract(probe)
        asked = [sp for sp, parsed in probe.parses.items() if parsed is None]
        return probe.sibling(self.parse_fn), asked

    def finish(self, ctx: DocContext, cached: dict, source: dict | None = None) -> dict:
        """The record of a context made by ``begin``; its parses are then saved in the cache."""
        self._uncached = len(ctx.text) > CACHE_MAX_CHARS
        rec, _ = self.analyse(ctx, source)
        if self.cache and not self._uncached and set(ctx.parses) - set(cached):
            self._save_parses(ctx.text, ctx.parses)  # after every step that may parse
        return rec

    def analyse(self, ctx: DocContext, source: dict | None = None) -> tuple[dict, list[Item]]:
        """The record of a document context, and every item found (before the record keeps
        one of each value): the spaCy component shows them all as spans."""
        with rules.pinned() as digest:  # one version of the rules for the whole record
            self.rules_sha = digest
            return self._analyse(ctx, source)

    def _analyse(self, ctx: DocContext, source: dict | None) -> tuple[dict, list[Item]]:
        text = ctx.text
        source = dict(source or {})
        source.setdefault("sha256", hashlib.sha256(text.encode("utf-8")).hexdigest())
        found = self.items(ctx)
        doc_org = org.document_org(ctx, [i for i in found if isinstance(i, OrgItem)])
        leak_notice = notice.is_leak_notice(ctx)
        if not leak_notice:
            groups = []  # a page that reports no leak has no incidents (SPEC section 2)
        elif self.settings.incidents == "flat":
            groups = [incidents.Incident(0, len(text))]
            for it in found:
                incidents.add(groups[0], it)
        else:
            groups = incidents.build(ctx, found)
        out: list[dict] = []
        for inc in groups:
            inc.causes = causes.resolve(inc.causes)
            name = doc_org
            if len(groups) > 1:
                # an untitled section (split off by "これとは別に") continues the post before it
                prev = out[-1]["organization"] if out else doc_org
                name = org.incident_org(ctx, inc.orgs, inc.start, inc.end) or prev
            out.append(record.incident_json(inc, name, status.decide(inc.statuses)))
        rec = record.record(ctx.doc_id, source, ctx.title, doc_org, ctx.published, out,
                            self.extractor_info, leak_notice=leak_notice)
        return rec, found

    def _save_parses(self, text: str, parses: dict) -> None:
        """Store the parses; a cache that cannot be written (read-only, a file in the way, a
        full disk) is dropped with one warning, and the record stands."""
        if self.cache is None:
            return
        try:
            self.cache.save(text, parses)
        except OSError as exc:
            log.warning("parse cache %s cannot be written (%s); going on without it",
                        self.settings.cache_dir, exc.strerror or exc)
            self.cache = None


def usable_cache(cache_dir: str) -> str | None:
    """``cache_dir`` when a parse-cache entry can be written there, else None with one warning."""
    import tempfile

    root = Path(cache_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as exc:
        log.warning("parse cache %s cannot be written (%s); running without it",
                    cache_dir, exc.strerror or exc)
        return None
    return cache_dir


# Bytes a file may have per allowed character before it is refused unread: HTML markup and
# PDF structure take room that the text does not.
BYTES_PER_CHAR = 16


def process_one(pipeline, doc: InputDoc) -> dict:
    """The record of one input, or an error record; never raises for a bad document."""
    try:
        text, source = _read(pipeline, doc)
        rec = pipeline.process(doc.doc_id, text, source, published=doc.published, title=doc.title)
        return _with_text(pipeline, rec, text)
    except Exception as exc:  # noqa: BLE001 - one bad notice must not stop the batch
        return _failed(doc, exc)


def has_cached_parses(pipeline: Pipeline, doc: InputDoc) -> bool:
    """Whether ``pipeline``'s parse cache holds an entry for ``doc`` (False without a cache,
    or when the document cannot be read)."""
    if pipeline.cache is None:
        return False
    try:
        text, _ = _read(pipeline, doc)
    except Exception:  # noqa: BLE001 - its error record comes when it is run
        return False
    return pipeline.cache.path(text).is_file()


def _read(pipeline, doc: InputDoc) -> tuple[str, dict]:
    """The text of an input and its source (with the encoding read)."""
    limit = pipeline.settings.max_chars
    text, encoding = doc.read(max_bytes=None if limit is None else limit * BYTES_PER_CHAR)
    source = dict(doc.source)
    source["encoding"] = source.get("encoding") or encoding
    return text, source


def _with_text(pipeline, rec: dict, text: str) -> dict:
    if pipeline.settings.keep_text:
        rec["text"] = text  # what the offsets point into, for review and export
    return rec


def _failed(doc: InputDoc, exc: Exception) -> dict:
    """The error record of an input whose extraction raised ``exc``."""
    if isinstance(exc, RoueiError):
        return error_record(doc.doc_id, exc.kind, str(exc), doc.source)
    log.debug("extraction failed for %s", doc.doc_id, exc_info=exc)
    return error_record(doc.doc_id, "extract", f"[E004] {type(exc).__name__}: {exc}", doc.source)


# -- windows of documents ---------------------------------------------------------------------
# Parsing many short texts at once is much faster than one at a time (on the organisation
# zones of real notices: 2,870 characters/s one by one, 5,800 by 64, 6,700 by 256), and a short
# notice asks for one or two. So documents are taken in windows: each is planned (the spans it
# will ask for), the window's spans are parsed in one batch, then each is analysed as alone.
# A window ends at WINDOW_DOCS documents or once its spans reach WINDOW_SPANS or
# WINDOW_PARSE_CHARS characters: that bounds what it holds in memory.
WINDOW_DOCS = 64
WINDOW_SPANS = 256
WINDOW_PARSE_CHARS = 40_000
# Documents read and looked up in the cache before any of them is planned (see _begun).
PLAN_AHEAD = 32
# Characters parsed in one call: the model's working memory grows with them (about 45 kB a
# character: thinc keeps each of the 8 encoder layers' arrays to the end of a batch). On the
# 500 real notices 2,500 parsed as fast as 5,000 (within the noise) with a peak RSS of 470 MB
# instead of 600 (one by one: 358 MB).
BATCH_CHARS = 2_500


@dataclass
class _Planned:
    """A document of a window: its error record, or what its analysis starts from."""

    doc: InputDoc
    record: dict | None = None
    text: str = ""
    source: dict = field(default_factory=dict)
    ctx: DocContext | None = None
    cached: dict = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)


def process_windows(pipeline: Pipeline, docs: Iterable[InputDoc]) -> Iterator[dict]:
    """The records of ``docs`` in input order, the same as ``process_one`` of each (an error
    record for a bad document, which never affects the others), parsed in windows."""
    window: list[_Planned] = []
    spans = chars = 0
    for group in _begun(pipeline, docs):
        for planned in group:
            _plan(pipeline, planned)
            window.append(planned)
            spans += len(planned.spans)
            chars += sum(e - s for s, e in planned.spans)
            if len(window) >= WINDOW_DOCS or spans >= WINDOW_SPANS or chars >= WINDOW_PARSE_CHARS:
                yield from _run_window(pipeline, window)
                window, spans, chars = [], 0, 0
    yield from _run_window(pipeline, window)


def _begun(pipeline: Pipeline, docs: Iterable[InputDoc]) -> Iterator[list[_Planned]]:
    """``docs`` read and begun (their cache entries looked up), PLAN_AHEAD at a time: whether
    to plan a document without an entry depends on how warm the cache is, which the lookups of
    the documents ahead of it tell better than those before it alone (a warm run whose first
    notices ask for no parse would otherwise plan them all)."""
    group: list[_Planned] = []
    for doc in docs:
        group.append(_begin(pipeline, doc))
        if len(group) >= PLAN_AHEAD:
            yield group
            group = []
    if group:
        yield group


def _begin(pipeline: Pipeline, doc: InputDoc) -> _Planned:
    try:
        text, source = _read(pipeline, doc)
        ctx, cached = pipeline.begin(doc.doc_id, text, published=doc.published, title=doc.title)
    except Exception as exc:  # noqa: BLE001 - as process_one
        return _Planned(doc, record=_failed(doc, exc))
    return _Planned(doc, text=text, source=source, ctx=ctx, cached=cached)


def _plan(pipeline: Pipeline, planned: _Planned) -> None:
    """Record in ``planned`` the spans its analysis will ask to parse (none when it needs no
    planning: an error record, a long text, cached parses, a mostly warm run)."""
    ctx, cached, text = planned.ctx, planned.cached, planned.text
    if ctx is None or len(text) > PLAN_MAX_CHARS:
        return  # an error record; a long document parses in batches of its own, as it asks
    cache = pipeline.cache
    if cached or (cache is not None and cache.hits > cache.misses):
        # Its parses are cached, or the run is mostly warm: a document without an entry then
        # is one that asks for no parse (16% of the real notices), and planning it would add
        # a rules pass to a warm run for nothing.
        return
    try:
        planned.ctx, asked = pipeline.plan(ctx)
    except Exception:  # noqa: BLE001 - then the document is analysed as on its own
        log.debug("planning failed for %s", planned.doc.doc_id, exc_info=True)
        return
    planned.spans = [sp for sp in asked if sp not in cached]


def _run_window(pipeline: Pipeline, window: list[_Planned]) -> Iterator[dict]:
    todo = [(p, sp) for p in window if p.ctx is not None for sp in p.spans]
    if todo:
        try:
            texts = [p.text[s:e] for p, (s, e) in todo]
            parses = pipeline.parse(texts, keep=pipeline.cache is not None, batch_chars=BATCH_CHARS)
        except Exception:  # noqa: BLE001 - then each document parses what it asks for, alone
            log.debug("parsing a window of %d documents failed", len(window), exc_info=True)
        else:
            for (p, sp), parsed in zip(todo, parses):
                assert p.ctx is not None
                p.ctx.preload({sp: parsed})
    for p in window:
        rec = p.record
        if rec is None:
            assert p.ctx is not None
            try:
                rec = _with_text(pipeline, pipeline.finish(p.ctx, p.cached, p.source), p.text)
            except Exception as exc:  # noqa: BLE001 - as process_one
                rec = _failed(p.doc, exc)
            p.ctx, p.cached = None, {}  # its memory goes with its record
        yield rec


@cache
def _package_model_id(model: str) -> str:
    from rouei.extract.core.dists import installed_version

    found = installed_version(model.replace("_", "-"))  # without importlib.metadata's imports
    return model if found is None else f"{model} {found}"


def _chunks(texts: list[str], max_chars: int | None) -> Iterator[list[str]]:
    """``texts`` in order, PARSE_CHUNK at a time, or (``max_chars``) in runs of at most that
    many characters (a longer text alone)."""
    if max_chars is None:
        for i in range(0, len(texts), PARSE_CHUNK):
            yield texts[i:i + PARSE_CHUNK]
        return
    chunk: list[str] = []
    size = 0
    for text in texts:
        if chunk and size + len(text) > max_chars:
            yield chunk
            chunk, size = [], 0
        chunk.append(text)
        size += len(text)
    if chunk:
        yield chunk


def parse_nothing(texts: list[str]) -> list:
    """A parse function that parses nothing: the rules take their no-model paths."""
    return [None] * len(texts)


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return None
