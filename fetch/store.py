"""The corpus directory: ``manifest.jsonl`` beside ``raw/`` (bytes as received) and ``text/``
(the text ``rouei extract`` analyses); raw and text files are written atomically (temp file,
then ``os.replace``).

The manifest is an append-only log while a run goes on: each store appends the entries it
changed, one JSON line each, flushed at once, so a run killed by SIGKILL or a power cut keeps
every notice it stored. A later line for a ``doc_id`` replaces the earlier one, a line
``{"doc_id": ..., "removed": true}`` drops it, and a torn last line (the write the kill cut
short) is dropped. The run's end (and the next run's start, after a kill) rewrites the
manifest atomically in compact form: one line per entry, in first-seen order.

A ``doc_id`` is a hash of the normalised URL (``_pNN`` added for the posts of a split page), so
a re-run finds the same notice under the same id and never carries URL characters into a path.
Identical text under a second URL is stored once; the second URL is listed in ``aliases``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from rouei.extract.core.io import atomic_output

from .urls import normalize_url

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
FIELDS = ("doc_id", "url", "final_url", "fetched_at", "status", "etag", "last_modified", "sha256",
          "content_type", "encoding", "title", "published", "raw_path", "text_path", "error")


class CorpusBusy(RuntimeError):
    """Another ``rouei fetch`` holds the corpus directory."""


class CorpusInvalid(ValueError):
    """A manifest line that is not an entry (a hand edit): the run stops rather than drop it
    when the manifest is rewritten."""


def doc_id_for(url: str) -> str:
    return hashlib.sha256(normalize_url(url).encode("utf-8")).hexdigest()[:16]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half."""
    with atomic_output(path, "wb") as fh:
        fh.write(data)


@dataclass
class Doc:
    """What the collector learned about one URL, ready to store."""

    url: str
    final_url: str
    fetched_at: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    raw: bytes | None = None
    raw_ext: str = "bin"
    pages: list | None = None  # fetch.html.Page, one per notice
    error: str | None = None
    source: str | None = None  # the SOURCE argument or feed it came from


class Corpus:
    """A corpus directory opened for one fetch run (an exclusive lock is held until close)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "raw").mkdir(parents=True, exist_ok=True)
        (root / "text").mkdir(parents=True, exist_ok=True)
        self._lock_fh = open(root / ".lock", "w")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock_fh.close()
            raise CorpusBusy(f"{root} is in use by another rouei fetch") from exc
        self.entries: dict[str, dict] = {}
        self.by_url: dict[str, list[str]] = {}
        self.by_sha: dict[str, str] = {}
        self._changed: dict[str, None] = {}  # doc_ids to append, in order
        self._removed: set[str] = set()
        try:
            compact = self._load()
        except (CorpusInvalid, UnicodeDecodeError) as exc:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()
            raise CorpusInvalid(str(exc)) from exc
        self._changed.clear()
        self._removed.clear()
        self.dirty = compact
        if compact:  # the log of a killed run: compact it before appending to it
            self.save()

    def close(self) -> None:
        self.save()
        fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
        self._lock_fh.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _load(self) -> bool:
        """Read the manifest; True when it is not in compact form (a log left by a killed run)."""
        path = self.root / MANIFEST
        if not path.exists():
            return False
        content = path.read_text(encoding="utf-8")
        lines = content.splitlines()
        last = max((n for n, ln in enumerate(lines, 1) if ln.strip()), default=0)
        compact = bool(content) and not content.endswith("\n")
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                if n == last:  # a torn last line: the append a kill cut short
                    log.warning("%s:%d is not JSON (cut short?); dropped", path, n)
                    compact = True
                    continue
                raise CorpusInvalid(f"{path}:{n}: not JSON ({exc.msg}); fix or remove the line") from exc
            if not isinstance(entry, dict) or not isinstance(entry.get("doc_id"), str):
                raise CorpusInvalid(f"{path}:{n}: not a manifest entry (an object with a doc_id); "
                                    "fix or remove the line")
            if entry.get("removed"):
                compact = True
                self._unindex(entry["doc_id"])
            else:
                compact = compact or entry["doc_id"] in self.entries  # a later version
                self._reindex(entry)
        return compact

    def _index(self, entry: dict) -> None:
        doc_id = entry["doc_id"]
        self.entries[doc_id] = entry
        self._changed[doc_id] = None
        self._removed.discard(doc_id)
        if isinstance(entry.get("url"), str):  # entries added by hand may have no URL
            ids = self.by_url.setdefault(normalize_url(entry["url"]), [])
            if doc_id not in ids:
                ids.append(doc_id)
        if entry.get("sha256") and not entry.get("error"):
            self.by_sha.setdefault(entry["sha256"], doc_id)

    def _reindex(self, entry: dict) -> None:
        """Index ``entry`` in place of an entry with its doc_id, which keeps its position."""
        previous = self.entries.get(entry["doc_id"])
        if previous is not None:
            doc_id = entry["doc_id"]
            if self.by_sha.get(previous.get("sha256") or "") == doc_id:
                del self.by_sha[previous["sha256"]]
            if isinstance(previous.get("url"), str) and previous["url"] != entry.get("url"):
                ids = self.by_url.get(normalize_url(previous["url"]), [])
                if doc_id in ids:
                    ids.remove(doc_id)
        self._index(entry)

    def _unindex(self, doc_id: str) -> dict | None:
        entry = self.entries.pop(doc_id, None)
        if entry is None:
            return None
        self._changed.pop(doc_id, None)
        self._removed.add(doc_id)
        key = normalize_url(entry["url"]) if isinstance(entry.get("url"), str) else ""
        if doc_id in self.by_url.get(key, []):
            self.by_url[key].remove(doc_id)
        if self.by_sha.get(entry.get("sha256") or "") == doc_id:
            del self.by_sha[entry["sha256"]]
        return entry

    def entries_for(self, url: str) -> list[dict]:
        return [self.entries[i] for i in self.by_url.get(normalize_url(url), []) if i in self.entries]

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """ETag and Last-Modified of the stored copy, when it is complete and on disk."""
        entries = self.entries_for(url)
        if not entries or any(e.get("error") for e in entries):
            return None, None
        if not all(e.get("text_path") and (self.root / e["text_path"]).exists() for e in entries):
            return None, None
        return entries[0].get("etag"), entries[0].get("last_modified")

    # -- storing -------------------------------------------------------------------------

    def unchanged(self, url: str, checked_at: str, etag: str | None = None,
                  last_modified: str | None = None) -> None:
        """A 304 (or identical bytes): keep the entries, note when they were checked."""
        for e in self.entries_for(url):
            e["checked_at"] = checked_at
            if etag:
                e["etag"] = etag
            if last_modified:
                e["last_modified"] = last_modified
            self._changed[e["doc_id"]] = None
        self.dirty = True
        self._append()

    def store(self, doc: Doc) -> tuple[str, list[str]]:
        """Store a fetched document. Returns (outcome, doc_ids) with outcome ``fetched``,
        ``unchanged``, ``duplicate`` or ``failed`` (an error entry, or a good copy kept).
        The manifest lines of what changed are appended before this returns."""
        try:
            return self._store(doc)
        finally:
            self._append()

    def _store(self, doc: Doc) -> tuple[str, list[str]]:
        base = doc_id_for(doc.url)
        old = self.entries_for(doc.url)
        raw_sha = sha256(doc.raw) if doc.raw is not None else None
        if doc.error:
            if any(not e.get("error") for e in old):
                log.info("%s: keeping the copy fetched %s", doc.url, old[0].get("fetched_at"))
                return "failed", [e["doc_id"] for e in old]
            self._replace(doc.url, [self._entry(doc, base, None, raw_sha)])
            return "failed", [base]
        if old and raw_sha and all(e.get("raw_sha256") == raw_sha and not e.get("error")
                                   and (self.root / (e.get("text_path") or "-")).is_file() for e in old):
            self.unchanged(doc.url, doc.fetched_at, doc.etag, doc.last_modified)
            return "unchanged", [e["doc_id"] for e in old]
        pages = doc.pages or []
        new: list[dict] = []
        aliased: list[str] = []
        for i, page in enumerate(pages, 1):
            doc_id = base if len(pages) == 1 else f"{base}_p{i:02d}"
            text_sha = sha256(page.text.encode("utf-8"))
            twin = self.by_sha.get(text_sha)
            if twin and twin in self.entries and normalize_url(self.entries[twin]["url"]) != normalize_url(doc.url):
                aliases = self.entries[twin].setdefault("aliases", [])
                if doc.url not in aliases:
                    aliases.append(doc.url)
                    self._changed[twin] = None
                aliased.append(twin)
                continue
            new.append(self._entry(doc, doc_id, page, raw_sha, text_sha, len(pages)))
        if new:
            atomic_write(self.root / new[0]["raw_path"], doc.raw or b"")
            for entry in new:
                atomic_write(self.root / entry["text_path"], entry.pop("_text").encode("utf-8"))
        self._replace(doc.url, new)
        self.dirty = True
        if not new:
            return "duplicate", aliased
        return "fetched", [e["doc_id"] for e in new]

    def _replace(self, url: str, new: list[dict]) -> None:
        """Put ``new`` in place of the URL's entries; files of dropped parts are removed."""
        keep = {e["doc_id"] for e in new}
        for old in self.entries_for(url):
            if old["doc_id"] not in keep:
                self._unindex(old["doc_id"])
                if old.get("text_path"):
                    (self.root / old["text_path"]).unlink(missing_ok=True)
        for e in new:
            self._reindex(e)  # a replaced entry keeps its place in the manifest
        self.dirty = True

    def _entry(self, doc: Doc, doc_id: str, page, raw_sha: str | None, text_sha: str | None = None,
               parts: int = 1) -> dict:
        raw_path = f"raw/{doc_id.split('_p')[0]}.{doc.raw_ext}" if doc.raw is not None else None
        entry = {
            "doc_id": doc_id, "url": doc.url, "final_url": doc.final_url,
            "fetched_at": doc.fetched_at, "status": doc.status, "etag": doc.etag,
            "last_modified": doc.last_modified, "sha256": text_sha,
            "content_type": doc.content_type, "encoding": doc.encoding,
            "title": page.title if page else None, "published": page.published if page else None,
            "raw_path": raw_path, "text_path": f"text/{doc_id}.txt" if page else None,
            "error": doc.error, "raw_sha256": raw_sha, "source": doc.source,
        }
        if parts > 1:
            entry["part"] = page.part
            entry["parts"] = parts
            if page.anchor:
                entry["anchor"] = page.anchor
        if page is not None:
            entry["_text"] = page.text
        elif doc.raw is not None:
            atomic_write(self.root / raw_path, doc.raw)  # kept for a later OCR or re-parse
        return entry

    def _append(self) -> None:
        """Append the lines of the entries changed or removed since the last append."""
        if not self._changed and not self._removed:
            return
        lines = [json.dumps({"doc_id": i, "removed": True}) + "\n" for i in sorted(self._removed)]
        lines += [json.dumps(self.entries[i], ensure_ascii=False) + "\n" for i in self._changed]
        # one write of whole lines, flushed: a kill leaves at worst a torn last line
        with open(self.root / MANIFEST, "a", encoding="utf-8") as fh:
            fh.write("".join(lines))
        self._changed.clear()
        self._removed.clear()
        self.dirty = True

    def save(self) -> None:
        """Rewrite the manifest atomically in compact form: one line per entry, in first-seen
        order (the run's appended lines folded in)."""
        self._append()
        if not self.dirty and (self.root / MANIFEST).exists():
            return
        lines = [json.dumps(e, ensure_ascii=False) + "\n" for e in self.entries.values()]
        atomic_write(self.root / MANIFEST, "".join(lines).encode("utf-8"))
        self.dirty = False
