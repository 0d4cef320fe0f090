"""The URLs a fetch run has still to request, per host, and what ``--limit`` and
``--max-sitemaps`` allow of them.

A task is one of three kinds:

* ``start``: a URL given on the command line. It may be a notice or a feed/sitemap; it counts
  against ``--limit`` only once it turns out to be a notice (a document, stored or failed).
* ``entry``: a link from a feed or sitemap, taken for a notice: it holds a slot of ``--limit``
  from the moment it is queued (so a sitemap with 50,000 URLs queues only ``--limit`` of
  them), and gives it back if it turns out to be a feed or robots.txt forbids it.
* ``sitemap``: a child of a sitemap index. At most ``--max-sitemaps`` of them are queued per
  run, and none is requested once enough notices are known to fill ``--limit``.

Per host, entries go first (their slots are taken already), then start URLs, then sitemaps,
the most recently found first: a nested index is read depth first, so the first notices are
found after a handful of requests, not after reading every index of the site.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .stats import Stats

if TYPE_CHECKING:
    from .crawl import Task

NOT_NOTICES = ("feed", "robots")  # outcomes of a task that fetched no notice


@dataclass
class _HostQueue:
    entries: deque = field(default_factory=deque)
    starts: deque = field(default_factory=deque)
    sitemaps: list = field(default_factory=list)  # a stack
    found: list = field(default_factory=list)  # sitemaps of the index just read, in its order

    def __len__(self) -> int:
        return len(self.entries) + len(self.starts) + len(self.sitemaps) + len(self.found)


class Frontier:
    def __init__(self, stats: Stats, limit: int | None = None, max_sitemaps: int | None = None) -> None:
        self.stats = stats
        self.limit = limit
        self.max_sitemaps = max_sitemaps
        self._hosts: dict[str, _HostQueue] = {}
        self._slots = 0  # entries queued or in flight, plus notices fetched
        self._unresolved = 0  # start URLs in flight (a notice or a feed: not known yet)
        self._sitemaps = 0  # sitemaps from indexes queued

    def full(self) -> bool:
        """Enough notices fetched, in flight or queued to fill ``--limit``."""
        return self.limit is not None and self._slots + self._unresolved >= self.limit

    def add(self, host: str, task: Task) -> bool:
        """Queue ``task``; False (and a counter) when a limit leaves no room for it."""
        if task.kind == "entry":
            if self.limit is not None and self._slots >= self.limit:
                self.stats.inc("fetch/over_limit")
                return False
            self._slots += 1
        elif task.kind == "sitemap":
            if self.max_sitemaps is not None and self._sitemaps >= self.max_sitemaps:
                self.stats.inc("feed/sitemaps_over_max")
                return False
            self._sitemaps += 1
        q = self._hosts.setdefault(host, _HostQueue())
        if task.kind == "sitemap":
            q.found.append(task)
        else:
            (q.entries if task.kind == "entry" else q.starts).append(task)
        return True

    def hosts(self) -> list[str]:
        return [h for h, q in self._hosts.items() if q]

    def take(self, host: str) -> Task | None:
        """The next task of ``host`` that may be requested now, if any."""
        q = self._hosts.get(host)
        if not q:
            return None
        if q.found:  # onto the stack so that the index's first sitemap is read first
            q.sitemaps.extend(reversed(q.found))
            q.found.clear()
        if q.entries:
            return q.entries.popleft()
        if q.starts and not self.full():
            self._unresolved += 1
            return q.starts.popleft()
        if q.sitemaps and not self.full():
            return q.sitemaps.pop()
        return None

    def done(self, task: Task, outcome: str) -> None:
        """Account for a finished task before its results (feed entries) are queued."""
        if task.kind == "start":
            self._unresolved -= 1
            if outcome not in NOT_NOTICES:
                self._slots += 1
        elif task.kind == "entry" and outcome in NOT_NOTICES:
            self._slots -= 1  # not a notice after all: its slot goes back

    def drop_rest(self) -> None:
        """Count what the limits left unrequested, and forget it."""
        for q in self._hosts.values():
            pages = len(q.entries) + len(q.starts)
            if pages:
                self.stats.inc("fetch/over_limit", pages)
            if q.sitemaps or q.found:
                self.stats.inc("feed/sitemaps_not_needed", len(q.sitemaps) + len(q.found))
        self._hosts.clear()
