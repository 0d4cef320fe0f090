"""The output record (SPEC section 2): one JSON object per document."""

from __future__ import annotations

from collections.abc import Sequence

from rouei.extract.doc.items import Item
from rouei.extract.fields.incidents import Incident

SCHEMA_VERSION = 1


def _unique(items: Sequence[Item], key) -> list[dict]:
    seen = set()
    out = []
    for it in sorted(items, key=lambda i: (i.start, i.end)):
        k = key(it)
        if k not in seen:
            seen.add(k)
            out.append(it.to_json())
    return out


def incident_json(inc: Incident, organization: str | None, status: str) -> dict:
    return {
        "organization": organization,
        "status": status,
        "dates": _unique(inc.dates, lambda d: (d.value, d.role)),
        "counts": _unique(inc.counts, lambda c: (c.value, c.unit)),
        "data_types": _unique(inc.data_types, lambda d: (d.category, d.leaked)),
        "causes": _unique(inc.causes, lambda c: c.category),
    }


def record(doc_id: str, source: dict, title: str | None, organization: str | None,
           published: str | None, incidents: list[dict], extractor: dict) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "doc_id": doc_id,
        "source": source,
        "title": title,
        "organization": organization,
        "published": published,
        "incidents": incidents,
        "extractor": extractor,
    }


def error_record(doc_id: str, kind: str, message: str, source: dict | None = None) -> dict:
    rec = {"schema_version": SCHEMA_VERSION, "doc_id": doc_id, "error": {"kind": kind, "message": message}}
    if source:
        rec["source"] = source
    return rec
