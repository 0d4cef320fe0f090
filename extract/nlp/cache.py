"""A parse cache: the GiNZA parses of one document stored as a spaCy ``DocBin``.

The key is sha256 of the document text, the model name and version, the pipeline settings and
the entry format, so a change to rules/ reuses every parse while a change of model or settings
misses. Entries are written to a temporary file and renamed into place, so concurrent writers
never leave a torn entry; an entry that cannot be read is re-parsed, not fatal. They are not
synced to disk: a crash may leave an entry empty or torn, which the next read re-parses, and a
sync per entry (a few ms on a busy disk) was ~4% of a cold run's time outside the parser.

An entry is a DocBin that spaCy (with GiNZA's user data) can load as it is, followed by what the
rules read of each parse (extract.parsed), and that is what rouei reads back: one msgpack list
after the DocBin's zlib stream (which zlib and so DocBin.from_bytes stop before), then its
length and a mark. A warm lookup so reads a few kilobytes of msgpack, without decompressing the
DocBin (tokens, strings, GiNZA's user data: three quarters of the bytes, none read by rouei),
and a run whose parses all come from the cache never imports spaCy nor rebuilds a Doc."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from functools import cache
from itertools import accumulate
from pathlib import Path

import msgpack

from rouei.extract.doc.parsed import ParsedDoc

log = logging.getLogger(__name__)

SPAN_KEY = "rouei_span"  # a doc's span of the text, in its user data (see save)
# Bumped when what an entry holds changes, so older entries miss instead of failing (2: rouei's
# data in each doc's user data; 3: after the DocBin).
FORMAT = 3
# The end of an entry: what the rules read of its parses (msgpack), its length, this mark.
_MARK = b"rouei-parses"
_TRAILER = 4 + len(_MARK)


def _cache_msgpack_extensions() -> None:
    """srsly looks up msgpack extension entry points on every (un)pack, an importlib.metadata
    scan of every installed package, once per document and per user-data record of a DocBin.
    The registries are read once instead."""
    import srsly.msgpack as mp

    for registry in (mp.msgpack_encoders, mp.msgpack_decoders):
        if not getattr(registry.get_all, "cache_info", None):
            registry.get_all = cache(registry.get_all)


def _parses_part(data: bytes) -> bytes:
    """The msgpack of rouei's parses at the end of an entry (ValueError: none there, as in a
    file cut short)."""
    if not data.endswith(_MARK):
        raise ValueError("no parses at the end of the entry")
    size = int.from_bytes(data[-_TRAILER:-len(_MARK)], "little")
    if size > len(data) - _TRAILER:
        raise ValueError("the parses at the end of the entry are cut short")
    return data[-_TRAILER - size:-_TRAILER]


def _holds(text: str, idx: list[int], words: list[str]) -> bool:
    """Whether each token ``words[k]`` stands in ``text`` at ``idx[k]``. Tokens that follow one
    another with no gap (GiNZA's: spaces are tokens) are checked as one joined string."""
    if idx and list(accumulate(map(len, words[:-1]), initial=idx[0])) == idx:
        end = idx[-1] + len(words[-1])
        return end <= len(text) and text[idx[0]:end] == "".join(words)
    return not any(text[i:i + len(w)] != w for i, w in zip(idx, words, strict=False))


@cache
def _file_mode() -> int:
    """The mode of a new file under this process's umask (read once: setting it is the only
    way to read it)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _write_entry(path: Path, data: bytes) -> None:
    """``data`` as the file ``path``, by a temporary file renamed into place, so a reader sees
    the old entry or the new one, never part of one; not synced (see the module docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _file_mode())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class ParseCache:
    def __init__(self, root: Path, model_id: str, settings_key: str) -> None:
        self.root = Path(root)
        # what entry() puts before an entry's folder: str(root / name) is prefix + name
        name = str(self.root)
        self._prefix = "" if name == "." else os.path.join(name, "")
        self.salt = f"{model_id}\0{settings_key}\0format={FORMAT}"
        self.hits = self.misses = self.corrupt = 0

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.salt}\0{text}".encode()).hexdigest()

    def entry(self, text: str) -> str:
        """The file name of the entry for ``text``, as a string: ``path`` without pathlib,
        whose joins and open cost a warm read about as much as hashing the text."""
        k = self.key(text)
        return f"{self._prefix}{k[:2]}{os.sep}{k}.spacy"

    def path(self, text: str) -> Path:
        return Path(self.entry(text))

    def load(self, text: str) -> dict[tuple[int, int], ParsedDoc]:
        """The cached parses of ``text`` by span ({} when there are none or they are unreadable)."""
        path = self.entry(text)
        try:
            with open(path, "rb", buffering=0) as fh:  # one read of the whole file
                data = fh.read()
        except (FileNotFoundError, NotADirectoryError):  # no entry (a file in the way: save says)
            self.misses += 1
            return {}
        except OSError as exc:
            log.warning("parse cache: cannot read %s: %s", path, exc)
            self.misses += 1
            return {}
        try:
            out = {}
            for s, e, payload in msgpack.unpackb(_parses_part(data), raw=False):
                piece = text[s:e]
                parsed = ParsedDoc.from_payload(piece, payload)
                if not _holds(piece, parsed.idx, parsed.words):
                    raise ValueError(f"span {s}:{e} does not hold the cached tokens")
                out[(s, e)] = parsed
        except Exception as exc:  # noqa: BLE001 - any unreadable entry is re-parsed
            log.warning("parse cache: corrupt entry %s (%s); re-parsing", os.path.basename(path), exc)
            self.corrupt += 1
            self.misses += 1
            try:
                os.unlink(path)
            except OSError:
                pass
            return {}
        self.hits += 1
        return out

    def save(self, text: str, parses: dict[tuple[int, int], ParsedDoc]) -> None:
        """Write the parses of ``text`` as one entry. Fresh parses carry their spaCy Doc; those
        that came from the entry being replaced are read back from it."""
        from spacy.tokens import DocBin

        _cache_msgpack_extensions()
        docs = {sp: p.spacy_doc for sp, p in parses.items() if p.spacy_doc is not None}
        if len(docs) < len(parses):
            earlier = self._spacy_docs(text)
            docs.update({sp: earlier[sp] for sp in parses if sp not in docs and sp in earlier})
        db = DocBin(store_user_data=True)
        rows = []
        for (s, e), doc in sorted(docs.items()):
            doc.user_data[SPAN_KEY] = (s, e)  # which Doc is which, when the entry is read back
            db.add(doc)
            doc.user_data.pop(SPAN_KEY, None)
            rows.append((s, e, parses[(s, e)].to_payload()))
        part = msgpack.packb(rows, use_bin_type=True)
        _write_entry(self.path(text), db.to_bytes() + part + len(part).to_bytes(4, "little") + _MARK)

    def _spacy_docs(self, text: str) -> dict:
        """The spaCy Docs of the entry for ``text``, by span ({} if there is none)."""
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        _cache_msgpack_extensions()
        try:
            data = self.path(text).read_bytes()
            docs = DocBin(store_user_data=True).from_bytes(data).get_docs(Vocab())
            return {tuple(d.user_data[SPAN_KEY]): d for d in docs}
        except Exception as exc:  # noqa: BLE001 - then those parses are simply not stored
            log.warning("parse cache: cannot reread %s (%s)", self.path(text).name, exc)
            return {}
