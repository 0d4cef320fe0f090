"""A parse cache: the GiNZA parses of one document stored as a spaCy ``DocBin``.

The key is sha256 of the document text, the model name and version, and the pipeline
settings, so a change to rules/ reuses every parse while a change of model or settings misses.
Entries are written to a temporary file and renamed into place, so concurrent writers never
leave a torn entry; an entry that cannot be read is re-parsed, not fatal."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from .output import atomic_output

log = logging.getLogger(__name__)

SPAN_KEY = "rouei_span"


def _cache_msgpack_extensions() -> None:
    """srsly looks up msgpack extension entry points on every (un)pack, an importlib.metadata
    scan of every installed package; DocBin unpacks once per document and per user-data
    record, which made that scan most of a warm run. The registries are read once instead."""
    from functools import cache

    import srsly.msgpack as mp

    for registry in (mp.msgpack_encoders, mp.msgpack_decoders):
        if not getattr(registry.get_all, "cache_info", None):
            registry.get_all = cache(registry.get_all)


_cache_msgpack_extensions()


class ParseCache:
    def __init__(self, root: Path, model_id: str, settings_key: str) -> None:
        self.root = Path(root)
        self.salt = f"{model_id}\0{settings_key}"
        self.hits = self.misses = self.corrupt = 0
        self._vocab: Vocab | None = None  # one shared vocabulary: building one per load is slow

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.salt}\0{text}".encode()).hexdigest()

    def path(self, text: str) -> Path:
        k = self.key(text)
        return self.root / k[:2] / f"{k}.spacy"

    def load(self, text: str, vocab: Vocab | None = None) -> dict[tuple[int, int], Doc]:
        path = self.path(text)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.misses += 1
            return {}
        except OSError as exc:
            log.warning("parse cache: cannot read %s: %s", path, exc)
            self.misses += 1
            return {}
        try:
            if vocab is None:
                if self._vocab is None:
                    self._vocab = Vocab()
                vocab = self._vocab
            docs = list(DocBin(store_user_data=True).from_bytes(data).get_docs(vocab))
            out = {}
            for doc in docs:
                s, e = doc.user_data.pop(SPAN_KEY)
                if text[s:e] != doc.text:
                    raise ValueError(f"span {s}:{e} does not hold the cached text")
                out[(s, e)] = doc
        except Exception as exc:  # noqa: BLE001 - any unreadable entry is re-parsed
            log.warning("parse cache: corrupt entry %s (%s); re-parsing", path.name, exc)
            self.corrupt += 1
            self.misses += 1
            try:
                path.unlink()
            except OSError:
                pass
            return {}
        self.hits += 1
        return out

    def save(self, text: str, parses: dict[tuple[int, int], Doc]) -> None:
        db = DocBin(store_user_data=True)
        for (s, e), doc in sorted(parses.items()):
            doc.user_data[SPAN_KEY] = (s, e)
            db.add(doc)
            doc.user_data.pop(SPAN_KEY, None)
        with atomic_output(self.path(text), "wb") as fh:
            fh.write(db.to_bytes())
