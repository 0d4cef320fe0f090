"""The version of an installed distribution (the model package's), as importlib.metadata gives
it, found without importing importlib.metadata where that is safe.

A warm run never loads the model, yet names it (with its version) in the parse cache's key and
in every record. ``importlib.metadata`` brings email, zipfile, csv and more: 30-50 ms of a run
whose every other import takes about 0.3 s, for one string. The common case is simple: the
distribution's ``NAME-VERSION.dist-info`` folder in a folder of sys.path, and a ``Version:``
header in its METADATA. That case is read here directly; anything else (a zip archive or an
egg on sys.path, another finder of distributions, two candidates, a header this reading is not
sure of) goes to importlib.metadata.
"""

from __future__ import annotations

import os
import re
import sys
from importlib.machinery import PathFinder

# what importlib.metadata's Prepared.normalize does to a name (PEP 503, with underscores)
_SEPARATORS = re.compile(r"[-_.]+")
# a header line as the email parser reads one: a name of printable characters but ':', a colon
_HEADER = re.compile(r"[\x21-\x39\x3b-\x7e]+:")
_LINE = re.compile(r"\r\n|\r|\n")


def installed_version(name: str) -> str | None:
    """``str(importlib.metadata.version(name))``, or None when ``name`` is not installed."""
    quick = _quick_version(name)
    if quick is not None:
        return quick
    from importlib.metadata import PackageNotFoundError, version

    try:
        return str(version(name))
    except PackageNotFoundError:
        return None


def _normalize(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower().replace("-", "_")


def _quick_version(name: str) -> str | None:
    """The version read from the first folder of sys.path holding the distribution's dist-info,
    as importlib.metadata's path finder finds it; None when this reading is not sure."""
    if any(getattr(f, "find_distributions", None) is not None and f is not PathFinder
           for f in sys.meta_path):
        return None  # another finder may answer first
    want = _normalize(name)
    for entry in sys.path:
        if not isinstance(entry, str) or entry.lower().endswith(".egg"):
            return None
        try:
            children = os.listdir(entry or ".")
        except OSError:
            if os.path.exists(entry or "."):
                return None  # a zip archive, which importlib.metadata also reads
            continue
        hits = [c for c in children if c.lower().endswith((".dist-info", ".egg-info"))
                and _normalize(c.lower().rpartition(".")[0].partition("-")[0]) == want]
        if not hits:
            continue
        if len(hits) > 1 or not hits[0].lower().endswith(".dist-info"):
            return None  # which one importlib.metadata takes depends on the listing order
        return _metadata_version(os.path.join(entry, hits[0], "METADATA"))
    return None


def _metadata_version(path: str) -> str | None:
    """The first Version header of a METADATA file, as the email parser reads it (None when
    the file or its headers are not plain)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    lines = _LINE.split(text)
    for k, line in enumerate(lines):
        if not line:
            return None  # the end of the headers
        if k and line[0] in " \t":
            continue  # the folded value of an earlier header
        if not _HEADER.match(line):
            return None  # not a header line: the parser may read on differently
        key, value = line.split(":", 1)
        if key.lower() == "version":
            if k + 1 < len(lines) and lines[k + 1][:1] in (" ", "\t"):
                return None  # a folded value
            return value.lstrip(" \t")
    return None
