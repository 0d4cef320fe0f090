"""Finding the text a record was extracted from, for the reports that show evidence in context.

In order: the text kept in the record (``rouei extract --keep-text`` stores it under
``"text"``), a corpus directory given by the user, then the record's ``source.path`` (absolute
since extract records it so; an older relative path is looked for beside the prediction file
and in the folders above it).
"""

from __future__ import annotations

import logging
from pathlib import Path

from rouei.extract.doc.text import read_document
from rouei.extract.run.inputs import SUFFIXES

log = logging.getLogger(__name__)

KEPT_TEXT = "text"  # the record key under which --keep-text stores the analysed text


def corpus_paths(corpus: Path) -> dict[str, Path]:
    """doc_id -> file: from ``manifest.jsonl`` when there is one, else ``**/<doc_id>.<ext>``."""
    manifest = corpus / "manifest.jsonl"
    out: dict[str, Path] = {}
    if manifest.is_file():
        from rouei.fetch.store import read_manifest

        for e in read_manifest(manifest):
            if e.get("text_path"):
                out[e["doc_id"]] = corpus / e["text_path"]
        return out
    for f in sorted(corpus.rglob("*")):
        if f.is_file() and f.suffix.lower() in SUFFIXES:
            # a .txt beside the .html it came from is the text that was analysed
            if f.stem not in out or f.suffix.lower() == ".txt":
                out[f.stem] = f
    return out


def find_text(rec: dict, paths: dict[str, Path] | None, base: Path) -> tuple[str | None, str | None]:
    """(text, None) or (None, why not): kept in the record, from the corpus, else ``source.path``."""
    kept = rec.get(KEPT_TEXT)
    if isinstance(kept, str):
        return kept, None
    if paths is not None:
        path = paths.get(rec["doc_id"])
        if path is None:
            return None, "not found in the corpus directory"
    else:
        given = (rec.get("source") or {}).get("path")
        if not given:
            return None, "the record names no source path (extract with --keep-text, or use --corpus)"
        path = Path(given)
        if not path.exists() and not path.is_absolute():
            # a relative path is relative to where extract ran: often the prediction's
            # folder or one above it (out/corpus.jsonl next to corpus/)
            path = next((d / path for d in (base, *base.parents) if (d / path).exists()), path)
    try:
        return read_document(path)[0], None
    except Exception as exc:  # any unreadable file becomes a note on the page, not a crash
        log.warning("%s: cannot read %s: %s", rec["doc_id"], path, exc)
        return None, f"cannot read {path}: {exc}"
