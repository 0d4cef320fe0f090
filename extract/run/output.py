"""Writing OUT.jsonl so that a killed run loses nothing and shows no torn record.

Records go to ``OUT.jsonl.part``, one flushed line each; a finished run renames it to
``OUT.jsonl`` (atomic on POSIX). ``--resume`` keeps the complete lines of a ``.part`` (or a
finished OUT.jsonl), drops a torn last line, and appends only the documents still missing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def part_path(out: Path) -> Path:
    return out.with_name(out.name + ".part")


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
        self._fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._fh.flush()
        self.done.add(rec["doc_id"])

    def close(self, finished: bool = True) -> None:
        if self._fh.closed:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        if finished:
            os.replace(self.part, self.out)

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(finished=exc_type is None)
