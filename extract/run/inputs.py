"""Finding the documents an ``extract`` run reads: files, folders, corpus directories, stdin."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.doc.text import decode_bytes, read_document

SUFFIXES = {".txt", ".html", ".htm", ".xhtml", ".pdf"}


@dataclass
class InputDoc:
    """One document to extract, read lazily so a bad file fails inside the batch, not before."""

    doc_id: str
    path: Path | None = None
    source: dict = field(default_factory=dict)
    title: str | None = None
    published: str | None = None
    error: str | None = None  # an error the collector recorded (fetch manifest)
    data: bytes | None = None  # stdin
    text: str | None = None  # a text given as str (the Python API): used as it is

    def read(self) -> tuple[str, str]:
        if self.error:
            raise RoueiError("E001", detail=self.error)
        if self.text is not None:
            return self.text, "utf-8"
        if self.data is not None:
            return decode_bytes(self.data)
        assert self.path is not None
        try:
            return read_document(self.path)
        except OSError as exc:
            raise RoueiError("E001", detail=f"{self.path}: {exc.strerror or exc}") from exc


def _file_doc(path: Path) -> InputDoc:
    return InputDoc(path.stem, path, {"path": str(path), "url": None})


def _manifest_docs(root: Path) -> Iterator[InputDoc]:
    with open(root / "manifest.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                e = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RoueiError("E007", detail=f"{root}/manifest.jsonl:{n}: {exc}") from exc
            text_path = e.get("text_path")
            path = root / text_path if text_path else None
            src = {"path": str(path) if path else None, "url": e.get("url"),
                   "sha256": e.get("sha256"), "encoding": e.get("encoding")}
            if e.get("final_url"):
                src["final_url"] = e["final_url"]
            err = e.get("error")
            if path is None and not err:
                err = "manifest entry has no text_path"
            yield InputDoc(e["doc_id"], path, src, e.get("title"), e.get("published"), err)


def iter_inputs(inputs: list[str]) -> Iterator[InputDoc]:
    """Documents in input order; folders are walked in sorted order; '-' reads stdin."""
    for item in inputs:
        if item == "-":
            yield InputDoc("stdin", None, {"path": None, "url": None}, data=sys.stdin.buffer.read())
            continue
        path = Path(item)
        if path.is_dir():
            if (path / "manifest.jsonl").is_file():
                yield from _manifest_docs(path)
            else:
                for f in sorted(path.rglob("*")):
                    if f.is_file() and f.suffix.lower() in SUFFIXES:
                        yield _file_doc(f)
        elif path.is_file() or path.suffix.lower() in SUFFIXES:
            yield _file_doc(path)  # a missing file becomes an error record when read
        else:
            raise RoueiError("E007", detail=f"{item}: not a file, folder or '-'")
