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
from rouei.extract.core import rules
from rouei.extract.core.errors import RoueiError
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import Item, OrgItem
from rouei.extract.fields import causes, counts, datatypes, dates, incidents, org, status
from rouei.extract.run import record
from rouei.extract.run.inputs import InputDoc
from rouei.extract.run.record import error_record

log = logging.getLogger(__name__)

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
        self.rules_sha = rules.rules_hash()
        self.cache = None
        if self.settings.cache_dir:
            from rouei.extract.nlp.cache import ParseCache

            self.cache = ParseCache(Path(self.settings.cache_dir), self.model_id, self.settings.key())
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
        nlp = self.model()
        from rouei.extract.nlp.model import parse_for_rules

        self.counters.parsed_chars += sum(len(t) for t in texts)
        start = time.perf_counter()
        try:
            return parse_for_rules(nlp, texts, fast_ner=self.settings.fast_ner)
        finally:
            self.counters.parse_seconds += time.perf_counter() - start

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
        title = title or _first_line(text)
        ctx = self.context(doc_id, text, published=published, title=title)
        cached = self.cache.load(text) if self.cache else {}
        ctx.preload(cached)
        rec, _ = self.analyse(ctx, source)
        if self.cache and set(ctx.parses) - set(cached):
            self.cache.save(text, ctx.parses)  # after every step that may parse
        return rec

    def analyse(self, ctx: DocContext, source: dict | None = None) -> tuple[dict, list[Item]]:
        """The record of a document context, and every item found (before the record keeps
        one of each value): the spaCy component shows them all as spans."""
        text = ctx.text
        source = dict(source or {})
        source.setdefault("sha256", hashlib.sha256(text.encode("utf-8")).hexdigest())
        found = self.items(ctx)
        doc_org = org.document_org(ctx, [i for i in found if isinstance(i, OrgItem)])
        if self.settings.incidents == "flat":
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
                            self.extractor_info)
        return rec, found


def process_one(pipeline, doc: InputDoc) -> dict:
    """The record of one input, or an error record; never raises for a bad document."""
    try:
        text, encoding = doc.read()
        source = dict(doc.source)
        source["encoding"] = source.get("encoding") or encoding
        return pipeline.process(doc.doc_id, text, source, published=doc.published, title=doc.title)
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
