"""rouei as a spaCy pipeline component (docs/spacy.md).

    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("rouei")
    doc = nlp(text)
    doc.spans["rouei"]      # DATE, COUNT, DATA_TYPE and CAUSE spans; span._.rouei holds the item
    doc._.rouei             # the record (SPEC section 2)

The component reads the parse the pipeline has already made: the rules that want a parse of a
sentence get that sentence's tokens out of the doc (ParsedDoc.slice), so there is no second model
and no second parse. It does not touch thinc's global ops. The factory is registered through
the ``spacy_factories`` entry point, so ``add_pipe("rouei")`` works once rouei is installed.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import CauseItem, CountItem, DataTypeItem, DateItem, Item
from rouei.extract.doc.parsed import ParsedDoc
from rouei.extract.run.pipeline import Pipeline, Settings

SPANS_KEY = "rouei"

# span label for each kind of item; other items (organisation, status) live in the record only
LABELS: dict[type, str] = {DateItem: "DATE", CountItem: "COUNT", DataTypeItem: "DATA_TYPE",
                           CauseItem: "CAUSE"}

if not Doc.has_extension("rouei"):
    Doc.set_extension("rouei", default=None)
if not Span.has_extension("rouei"):
    Span.set_extension("rouei", default=None)


class RoueiComponent:
    """Adds rouei's items as spans and its record as ``doc._.rouei``."""

    def __init__(self, nlp: Language, name: str, incidents: str = "split",
                 spans_key: str = SPANS_KEY) -> None:
        self.name = name
        self.spans_key = spans_key
        self.pipeline = Pipeline(Settings(incidents=incidents, cache_dir=None), nlp=nlp)

    def __call__(self, doc: Doc) -> Doc:
        whole = ParsedDoc.from_spacy(doc) if doc.has_annotation("DEP") else None
        ctx = DocContext("doc", doc.text, whole=whole)
        if not doc.text.strip():
            doc._.rouei = None
            doc.spans[self.spans_key] = []
            return doc
        record, items = self.pipeline.analyse(ctx, {"path": None, "url": None})
        spans = []
        for item in items:
            label = LABELS.get(type(item))
            if label is None:
                continue
            span = doc.char_span(item.start, item.end, label=label, alignment_mode="expand")
            if span is None:
                continue
            span._.rouei = _item_json(item)
            spans.append(span)
        doc.spans[self.spans_key] = spans
        doc._.rouei = record
        return doc


def _item_json(item: Item) -> dict[str, Any]:
    """The item as the record writes it: text and offsets exactly as found (a span may be
    widened to whole tokens), plus value, role, unit, category or leaked."""
    return item.to_json()


@Language.factory("rouei", default_config={"incidents": "split", "spans_key": SPANS_KEY})
def make_rouei(nlp: Language, name: str, incidents: str, spans_key: str) -> RoueiComponent:
    """spaCy factory ``rouei`` (entry point ``spacy_factories``)."""
    return RoueiComponent(nlp, name, incidents=incidents, spans_key=spans_key)
