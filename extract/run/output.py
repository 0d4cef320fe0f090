"""Writing OUT.jsonl so that a killed run loses nothing and shows no torn record.

Records go to ``OUT.jsonl.part``, one flushed line each; a finished run renames it to
``OUT.jsonl`` (atomic on POSIX). ``--resume`` keeps the complete lines of a ``.part`` (or a
finished OUT.jsonl), drops a torn last line, and appends only the documents still missing.

A run holds an exclusive lock on ``OUT.jsonl.lock`` (fcntl, released when the process ends,
however it ends), so a second run on the same output is refused instead of tearing lines.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from rouei.extract.core.errors import RoueiError

# One encoder for every record (json.dumps makes one per call for these options). A record is
# built fresh from plain values and cannot hold itself, so the check for cycles is left out.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def part_path(out: Path) -> Path:
    return out.with_name(out.name + ".part")


def lock_path(out: Path) -> Path:
    return out.with_name(out.name + ".lock")


def check_output(out: Path) -> None:
    """Raise E012 (before any work) when ``out`` cannot be the output file: a directory, a path
    under a file, or a folder that cannot be created or written."""
    if out.is_dir():
        raise RoueiError("E012", detail=f"{out}: is a directory")
    parent = out.parent
    for anc in (parent, *parent.parents):
        if anc.exists():
            if not anc.is_dir():
                raise RoueiError("E012", detail=f"{out}: {anc} is not a directory")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RoueiError("E012", detail=f"{parent}: {exc.strerror or exc}") from exc
    if not os.access(parent, os.W_OK | os.X_OK):
        raise RoueiError("E012", detail=f"{parent}: not writable")


class OutputLock:
    """An exclusive, non-blocking lock on ``OUT.jsonl.lock``; E014 when another run holds it.

    The lock file is removed on release. A run that opened the file just before it was removed
    would hold a lock nobody else sees, so after locking the path is checked to still be the
    file locked, else the lock is taken again."""

    def __init__(self, out: Path) -> None:
        self.path = lock_path(out)
        while True:
            try:
                fh = open(self.path, "a")  # noqa: SIM115 - held until release
            except OSError as exc:
                raise RoueiError("E012", detail=f"{self.path}: {exc.strerror or exc}") from exc
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                fh.close()
                raise RoueiError("E014", detail=f"{out} is being written by another rouei extract "
                                             f"(lock {self.path}); wait for it or choose another -o") from exc
            try:
                same = os.stat(self.path).st_ino == os.fstat(fh.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fh = fh
                return
            fh.close()

    def release(self) -> None:
        if self._fh.closed:
            return
        try:
            os.unlink(self.path)
        except OSError:
            pass
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()


def _complete_lines(path: Path) -> tuple[list[str], int]:
    """Complete lines of ``path`` and the byte length they cover."""
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    lines = []
    for raw in data[:end].splitlines():
        try:
            json.loads(raw)
        except json.JSONDecodeError:
            break  # a torn line can only be the last one; stop at anything unreadable
        lines.append(raw.decode("utf-8"))
    covered = sum(len(x.encode("utf-8")) + 1 for x in lines)
    return lines, covered


class RecordWriter:
    def __init__(self, out: Path, resume: bool = False) -> None:
        self.out = out
        self.part = part_path(out)
        self.done: set[str] = set()
        out.parent.mkdir(parents=True, exist_ok=True)
        self.lock = OutputLock(out)
        try:
            self._open(resume)
        except BaseException:
            self.lock.release()
            raise

    def _open(self, resume: bool) -> None:
        out = self.out
        if resume and not self.part.exists() and out.exists():
            self.part.write_bytes(out.read_bytes())
        if resume and self.part.exists():
            lines, covered = _complete_lines(self.part)
            with open(self.part, "r+b") as fh:
                fh.truncate(covered)
            self.done = {json.loads(x)["doc_id"] for x in lines}
            self._fh = open(self.part, "a", encoding="utf-8")
        else:
            self._fh = open(self.part, "w", encoding="utf-8")

    def write(self, rec: dict) -> None:
        self._fh.write(_encode(rec) + "\n")
        self._fh.flush()
        self.done.add(rec["doc_id"])

    def close(self, finished: bool = True) -> None:
        if self._fh.closed:
            return
        try:
            try:
                self._fh.flush()
                os.fsync(self._fh.fileno())
            finally:
                self._fh.close()
            if finished:
                os.replace(self.part, self.out)
        finally:
            self.lock.release()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(finished=exc_type is None)
