"""The start-up of a ``rouei`` process without the cyclic garbage collector.

Start-up makes tens of thousands of objects that live as long as the process: modules,
classes, functions, the compiled-rules store (core.compiled). While they are made, the
collector runs every 700 new objects and traverses the young ones, about fifty times before a
warm ``rouei extract`` reads its first notice; then, once they have grown old, every
collection of the older generations traverses them again. None of them is garbage. So the
command line's imports run with the collector off, and what they made is then frozen
(``gc.freeze``: left out of every later collection); documents are then analysed with the
collector on, as before.

Freezing keeps whatever the process holds at that moment, garbage included, for good: that
suits a process that has just started, not one that calls the command line among other work
(tests, a notebook). So only the process's own command (``rouei ...``, ``python -m rouei``)
asks for it (``own_process``); elsewhere ``imports`` does nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_own: list[bool] = [False]


def own_process() -> None:
    """This process runs one command line and ends: its start-up may be frozen."""
    _own[0] = True


@contextmanager
def imports() -> Iterator[None]:
    """A block of the start-up (imports, the store opened) with the collector off and what it
    made frozen after; nothing is changed outside the process's own command, nor while the
    collector is off already (an enclosing block, or the caller's choice)."""
    if not _own[0] or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
