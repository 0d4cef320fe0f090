"""The Python API: records from text, without the command line (docs/api.md).

    import rouei

    record = rouei.extract_text(text, doc_id="notice-1", published="2024-05-15")

    ex = rouei.Extractor(cache_dir="~/.cache/rouei")      # the model loads once, on first use
    for record in ex.pipe(texts, n_process=2):            # records in input order
        ...

A record is the JSON object of SPEC section 2 (schema_version 1), as ``rouei extract`` writes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from rouei.extract.run.inputs import InputDoc
from rouei.extract.run.pipeline import Pipeline, Settings, process_windows

__all__ = ["Extractor", "extract_text"]

Record = dict[str, Any]


class Extractor:
    """Extracts records with one pipeline: the GiNZA model is loaded once, on the first parse.

    ``cache_dir`` keeps parses on disk (keyed by text, model and settings), so extracting the
    same texts again after a change to the rules does not parse them again. ``incidents`` is
    ``"split"`` (one incident per incident, the default) or ``"flat"`` (one per document).
    ``nlp`` reuses a loaded ``ja_ginza`` pipeline instead of loading one.
    """

    def __init__(self, cache_dir: str | Path | None = None, *, incidents: str = "split",
                 nlp: Any = None) -> None:
        if incidents not in ("split", "flat"):
            raise ValueError(f"incidents must be 'split' or 'flat', not {incidents!r}")
        cache = str(Path(cache_dir).expanduser()) if cache_dir is not None else None
        self.settings = Settings(incidents=incidents, cache_dir=cache)
        self._pipeline = Pipeline(self.settings, nlp=nlp)

    def extract(self, text: str, *, doc_id: str = "text", published: str | None = None,
                title: str | None = None) -> Record:
        """The record of one text. Raises :class:`rouei.RoueiError` when the text cannot be
        analysed (an empty text, for one)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        source = {"path": None, "url": None, "encoding": "utf-8"}
        return self._pipeline.process(doc_id, text, source, published=published, title=title)

    def pipe(self, texts: Iterable[str] | Iterable[tuple[str, dict]], *, as_tuples: bool = False,
             n_process: int = 1) -> Iterator[Record]:
        """Records for many texts, in input order, like spaCy's ``nlp.pipe``.

        A text that fails becomes an error record (``{"doc_id", "error": {...}}``) and the
        rest go on. With ``as_tuples=True`` each item is ``(text, context)``, the context a dict
        that may give ``doc_id``, ``published`` and ``title``; otherwise doc ids are ``text-0``,
        ``text-1``, ... ``n_process > 1`` runs that many worker processes, each loading the
        model once. Texts are taken in windows whose parses are made together (as
        ``rouei extract`` does), so a record comes once its window is parsed."""
        if n_process < 1:
            raise ValueError("n_process must be at least 1")
        docs = _input_docs(texts, as_tuples)
        if n_process == 1:
            yield from process_windows(self._pipeline, docs)
            return
        from rouei.extract.run.runner import run_parallel

        yield from run_parallel(self.settings, docs, jobs=n_process)


def _input_docs(texts: Iterable[Any], as_tuples: bool) -> Iterator[InputDoc]:
    for n, item in enumerate(texts):
        context: dict = {}
        if as_tuples:
            item, context = item
        if not isinstance(item, str):
            raise TypeError(f"texts must be str, not {type(item).__name__}")
        unknown = set(context) - {"doc_id", "published", "title"}
        if unknown:
            raise ValueError(f"unknown context keys: {sorted(unknown)}")
        yield InputDoc(context.get("doc_id", f"text-{n}"), None,
                       {"path": None, "url": None, "encoding": "utf-8"},
                       title=context.get("title"), published=context.get("published"),
                       text=item)


@cache
def _default() -> Extractor:
    return Extractor()


def extract_text(text: str, *, doc_id: str = "text", published: str | None = None,
                 title: str | None = None) -> Record:
    """The record of one text, with a shared default :class:`Extractor` (no parse cache)."""
    return _default().extract(text, doc_id=doc_id, published=published, title=title)

