"""Finding the documents an ``extract`` run reads: files, folders, corpus directories, stdin.

A file's ``doc_id`` is its stem. When two inputs of one run share a stem (``a/index.html`` and
``b/index.html``, or ``x.txt`` beside ``x.html``), each of them gets its path relative to the
input root instead (the folder named on the command line, or the path as given for a file), so
every input keeps a record of its own and the ids are the same on every run with the same
inputs. A broken symlink (dangling, or a loop) in a folder becomes an error record.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.doc.text import decode_bytes, read_document

log = logging.getLogger(__name__)

SUFFIXES = {".txt", ".html", ".htm", ".xhtml", ".pdf"}


@dataclass
class InputDoc:
    """One document to extract, read lazily so a bad file fails inside the batch, not before."""

    doc_id: str
    path: Path | None = None
    source: dict = field(default_factory=dict)
    title: str | None = None
    published: str | None = None
    error: str | None = None  # an error found before reading (fetch manifest, broken symlink)
    data: bytes | None = None  # stdin
    text: str | None = None  # a text given as str (the Python API): used as it is

    def size_hint(self) -> int:
        """Bytes the document takes, known without reading it (0 when unknown): how the
        runner sizes a worker's share of the documents."""
        if self.text is not None:
            return len(self.text) * 3
        if self.data is not None:
            return len(self.data)
        try:
            return self.path.stat().st_size if self.path is not None else 0
        except OSError:
            return 0

    def read(self, max_bytes: int | None = None) -> tuple[str, str]:
        """(text, encoding). ``max_bytes`` refuses a larger file before reading any of it."""
        if self.error:
            raise RoueiError("E001", detail=self.error)
        if self.text is not None:
            return self.text, "utf-8"
        if self.data is not None:
            if max_bytes is not None and len(self.data) > max_bytes:
                raise RoueiError("E013", detail=f"{len(self.data):,} bytes on stdin")
            return decode_bytes(self.data)
        assert self.path is not None
        try:
            if max_bytes is not None and (size := self.path.stat().st_size) > max_bytes:
                raise RoueiError("E013", detail=f"{self.path}: {size:,} bytes")
            return read_document(self.path)
        except OSError as exc:
            raise RoueiError("E001", detail=f"{self.path}: {exc.strerror or exc}") from exc


@dataclass
class _Found:
    """A file found among the inputs, before its doc_id is settled."""

    path: Path
    rel: str  # its path relative to the input root, '/'-separated
    error: str | None = None


def _manifest_docs(root: Path) -> Iterator[InputDoc]:
    """The notices of a fetch corpus, as its manifest lists them now (a run killed mid-way
    leaves a log: later lines replace earlier ones, removals drop them, a torn line is left)."""
    from rouei.fetch.store import CorpusInvalid, read_manifest

    try:
        entries = read_manifest(root / "manifest.jsonl")
    except (CorpusInvalid, OSError, UnicodeDecodeError) as exc:
        raise RoueiError("E007", detail=str(exc)) from exc
    for e in entries:
        text_path = e.get("text_path")
        path = root / text_path if text_path else None
        src = {"path": os.path.abspath(path) if path else None, "url": e.get("url"),
               "sha256": e.get("sha256"), "encoding": e.get("encoding")}
        if e.get("final_url"):
            src["final_url"] = e["final_url"]
        err = e.get("error")
        if path is None and not err:
            err = "manifest entry has no text_path"
        yield InputDoc(e["doc_id"], path, src, e.get("title"), e.get("published"), err)


def _broken_link(path: Path) -> str | None:
    """Why the symlink ``path`` leads nowhere (dangling, a loop), or None when it resolves."""
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a loop so
        return f"{path}: symlink loop"
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return f"{path}: symlink loop"
        return f"{path}: dangling symlink to {os.readlink(path)}"
    return None


def _walk(root: Path) -> list[_Found]:
    """The document files under ``root`` in sorted order. Symlinked folders are followed once
    (a link back into a folder already being walked is reported as a loop); broken links whose
    name could be a document or a folder are reported, never skipped silently.

    A folder is listed with os.scandir, whose entries know their own type: a plain file or
    folder costs no stat (three per file through pathlib, on a folder of 500 notices ~10 ms)."""
    found: list[_Found] = []
    active: set[tuple[int, int]] = set()

    def visit(folder: Path, prefix: str) -> None:
        # prefix: the folder's path relative to root with a trailing '/' ('' for root itself)
        st = folder.stat()
        key = (st.st_dev, st.st_ino)
        active.add(key)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            found.append(_Found(folder, _rel(folder, root), f"{folder}: {exc.strerror or exc}"))
            active.discard(key)
            return
        for entry in entries:
            p = folder / entry.name
            suffix = p.suffix.lower()
            if entry.is_symlink():
                why = _broken_link(p)
                if why:
                    if suffix in SUFFIXES or not suffix:
                        found.append(_Found(p, prefix + entry.name, why))
                    continue
            if entry.is_dir():
                sub = p.stat()
                if (sub.st_dev, sub.st_ino) in active:
                    found.append(_Found(p, prefix + entry.name, f"{p}: symlink loop"))
                else:
                    visit(p, prefix + entry.name + "/")
            elif suffix in SUFFIXES and entry.is_file():
                found.append(_Found(p, prefix + entry.name))
        active.discard(key)

    visit(root, "")
    return found


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _file_ids(files: list[_Found]) -> list[str]:
    """The doc_id of each file: its stem, or its relative path where stems collide; a clash
    left after that (the same path named twice) takes a ``~N`` suffix."""
    stems: dict[str, int] = {}
    for f in files:
        stems[f.path.stem] = stems.get(f.path.stem, 0) + 1
    return [f.path.stem if stems[f.path.stem] == 1 else f.rel for f in files]


def _unique(doc_id: str, used: set[str]) -> str:
    if doc_id not in used:
        return doc_id
    n = 2
    while f"{doc_id}~{n}" in used:
        n += 1
    return f"{doc_id}~{n}"


def iter_inputs(inputs: list[str]) -> Iterator[InputDoc]:
    """Documents in input order; folders are walked in sorted order; '-' reads stdin.

    Files and folders are listed first (only names, no content), so that stems can be compared
    across all of them; corpus directories stream their manifest."""
    plan: list[tuple[str, Path | range | None]] = []
    files: list[_Found] = []
    for item in inputs:
        if item == "-":
            plan.append(("stdin", None))
            continue
        path = Path(item)
        if path.is_dir():
            if (path / "manifest.jsonl").is_file():
                plan.append(("manifest", path))
            else:
                walked = _walk(path)
                plan.append(("files", range(len(files), len(files) + len(walked))))
                files += walked
        elif path.is_file() or path.suffix.lower() in SUFFIXES or path.is_symlink():
            # a missing file becomes an error record when read
            why = _broken_link(path) if path.is_symlink() else None
            plan.append(("files", range(len(files), len(files) + 1)))
            files.append(_Found(path, path.as_posix(), why))
        else:
            raise RoueiError("E007", detail=f"{item}: not a file, folder or '-'")
    ids = _file_ids(files)
    used: set[str] = set()
    for kind, arg in plan:
        if kind == "stdin":
            doc = InputDoc("stdin", None, {"path": None, "url": None}, data=sys.stdin.buffer.read())
            docs: Iterator[InputDoc] = iter([doc])
        elif isinstance(arg, Path):  # a corpus directory
            docs = _manifest_docs(arg)
        else:
            assert isinstance(arg, range)
            # source.path absolute, so a report run from another folder still finds the text
            docs = (InputDoc(ids[i], files[i].path, {"path": os.path.abspath(files[i].path), "url": None},
                             error=files[i].error) for i in arg)
        for doc in docs:
            doc_id = _unique(doc.doc_id, used)
            if doc_id != doc.doc_id:
                log.warning("doc_id %s is used twice; the second is %s", doc.doc_id, doc_id)
                doc.doc_id = doc_id
            used.add(doc_id)
            yield doc
