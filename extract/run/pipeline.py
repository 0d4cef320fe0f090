"""The extraction pipeline: text in, record out, with the GiNZA model loaded once per process."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field, fields, replace
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

    def add(self, other: Counters) -> None:
        """Add ``other`` into these counters (in place)."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def since(self, before: Counters) -> Counters:
        """What was counted after ``before`` (an earlier copy of these counters)."""
        return Counters(*(getattr(self, f.name) - getattr(before, f.name) for f in fields(self)))

    def copy(self) -> Counters:
        return replace(self)

    @property
    def parsed_share(self) -> float:
        return self.parsed_chars / self.read_chars if self.read_chars else 0.0


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
        """Parses of ``texts``, PARSE_CHUNK at a time. The spaCy Docs are kept only for the
        parse cache; without one (or for a document too long to cache) they are dropped as
        each chunk is read, so a long document's memory does not grow with its parses."""
        nlp = self.model()
        from rouei.extract.nlp.model import parse_for_rules

        self.counters.parsed_chars += sum(len(t) for t in texts)
        keep = self.cache is not None and not self._uncached
        out: list = []
        start = time.perf_counter()
        try:
            for i in range(0, len(texts), PARSE_CHUNK):
                part = parse_for_rules(nlp, texts[i:i + PARSE_CHUNK], fast_ner=self.settings.fast_ner)
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
        self.counters.docs += 1
        self.counters.read_chars += len(text)
        if not text.strip():
            raise RoueiError("E003")
        limit = self.settings.max_chars
        if limit is not None and len(text) > limit:
            raise RoueiError("E013", detail=f"{len(text):,} characters, over {limit:,} (--max-chars)")
        title = title or _first_line(text)
        ctx = self.context(doc_id, text, published=published, title=title)
        self._uncached = len(text) > CACHE_MAX_CHARS
        cached = self.cache.load(text) if self.cache and not self._uncached else {}
        ctx.preload(cached)
        rec, _ = self.analyse(ctx, source)
        if self.cache and not self._uncached and set(ctx.parses) - set(cached):
            self._save_parses(text, ctx.parses)  # after every step that may parse
        return rec

    def analyse(self, ctx: DocContext, source: dict | None = None) -> tuple[dict, list[Item]]:
        """The record of a document context, and every item found (before the record keeps
        one of each value): the spaCy component shows them all as spans."""
        text = ctx.text
        self.rules_sha = rules.rules_hash_cached()  # the rules this record is made with
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
        limit = pipeline.settings.max_chars
        text, encoding = doc.read(max_bytes=None if limit is None else limit * BYTES_PER_CHAR)
        source = dict(doc.source)
        source["encoding"] = source.get("encoding") or encoding
        rec = pipeline.process(doc.doc_id, text, source, published=doc.published, title=doc.title)
        if pipeline.settings.keep_text:
            rec["text"] = text  # what the offsets point into, for review and export
        return rec
    except RoueiError as exc:
        return error_record(doc.doc_id, exc.kind, str(exc), doc.source)
    except Exception as exc:  # noqa: BLE001 - one bad notice must not stop the batch
        log.debug("extraction failed for %s", doc.doc_id, exc_info=True)
        return error_record(doc.doc_id, "extract", f"[E004] {type(exc).__name__}: {exc}", doc.source)


@cache
def _package_model_id(model: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{model} {version(model.replace('_', '-'))}"
    except PackageNotFoundError:
        return model


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return None
