"""Atomic file writes: readers see the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_output(path: Path | str, mode: str = "w", durable: bool = True, **kw) -> Iterator:
    """Open a temp file beside ``path``; it replaces ``path`` (flushed to disk) only when the
    block succeeds, so readers see the old file or the new one, never half of one.

    ``durable=False`` skips the wait for the disk (fsync, ~10 ms here): for a file that checks
    itself when read and is made again when wrong (a cache), which a crash may then leave
    empty, but a reader still never sees half of a write."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kw) as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def flush_std_streams() -> None:
    """Flush stdout and stderr, whatever state they are in (closed, replaced, a broken pipe):
    before a fork (else the child writes their buffers again) and before ``os._exit``."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
