"""Run counters named like Scrapy's stats (``retry/reason_count/429``), safe across threads."""

from __future__ import annotations

import threading
from collections import Counter


class Stats:
    """A thread-safe counter of named events; the summary and tests read it."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def inc(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._counts[key] += n

    def get(self, key: str) -> int:
        with self._lock:
            return self._counts.get(key, 0)

    def with_prefix(self, prefix: str) -> dict[str, int]:
        """Counters under ``prefix`` with the prefix removed, e.g. failures by reason."""
        with self._lock:
            return {k[len(prefix):]: v for k, v in sorted(self._counts.items()) if k.startswith(prefix)}

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))
