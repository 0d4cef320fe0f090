"""Daemon worker threads for a fetch run.

``concurrent.futures.ThreadPoolExecutor`` joins its threads when the interpreter exits, so a
Ctrl-C had to wait for every request in flight to finish or time out (up to the read timeout
times the tries). Workers here are daemon threads: they only fetch and convert, never touch
the corpus (the main thread stores every result), so abandoning them on an interrupt loses
nothing that was stored.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_STOP = object()


class Workers(Generic[T, R]):
    """``n`` threads running ``fn`` on submitted items; results come back in completion order."""

    def __init__(self, n: int, fn: Callable[[T], R], name: str = "rouei-fetch") -> None:
        self._fn = fn
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self.stopping = threading.Event()  # set on close: results after it are dropped
        self._threads = [threading.Thread(target=self._loop, name=f"{name}-{i}", daemon=True)
                         for i in range(max(1, n))]
        for t in self._threads:
            t.start()

    def _loop(self) -> None:
        while True:
            item = self._tasks.get()
            if item is _STOP or self.stopping.is_set():
                return
            result = self._fn(item)
            if not self.stopping.is_set():
                self._results.put(result)

    def submit(self, item: T) -> None:
        self._tasks.put(item)

    def next_result(self) -> R:
        """The next finished result; waits in short steps so Ctrl-C is seen at once."""
        while True:
            try:
                return self._results.get(timeout=0.2)
            except queue.Empty:
                continue

    def close(self) -> None:
        """Tell the threads to stop; those inside a request are left to end on their own."""
        self.stopping.set()
        for _ in self._threads:
            self._tasks.put(_STOP)
