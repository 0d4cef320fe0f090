"""Loading the rule files in rules/ (TOML), with a content hash for the record's extractor field."""

from __future__ import annotations

import hashlib
import os
import re
import time
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from .errors import RoueiError


def rules_dir() -> Path:
    """rules/ of this checkout, or $ROUEI_RULES when a researcher points at their own copy."""
    return _rules_dir(os.environ.get("ROUEI_RULES"))


@cache
def _rules_dir(env: str | None) -> Path:
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "rules"


@cache
def _load(path: str, mtime: float) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RoueiError("E006", detail=f"{path}: {exc}") from exc


def load(name: str) -> dict[str, Any]:
    """Parsed content of rules/NAME.toml (cached until the file changes)."""
    path = rules_dir() / f"{name}.toml"
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise RoueiError("E006", detail=f"{path}: missing") from exc
    return _load(str(path), mtime)


def fragments() -> dict[str, str]:
    """Named regex fragments shared by the pattern files (rules/fragments.toml)."""
    return {k: v["regex"] for k, v in load("fragments").items()}


def expand(pattern: str) -> str:
    """Replace ``{{name}}`` with the named fragment (recursively), leaving regex braces alone."""
    frags = fragments()

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in frags:
            raise RoueiError("E006", detail=f"unknown fragment {{{{{name}}}}}")
        return "(?:" + expand(frags[name]) + ")"

    return re.sub(r"\{\{(\w+)\}\}", sub, pattern)


@cache
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(expand(pattern), flags)


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a rule pattern with fragments expanded (cached; fragments are read once per run)."""
    return _compiled(pattern, flags)


# How often a long-lived process looks at rules/ again for edits (seconds).
RECHECK_SECONDS = 2.0
_last_check: dict[str, tuple[float, str]] = {}


def rules_hash_cached() -> str:
    """rules_hash() of rules/ as it is now. Extractors call this on every use to key their
    compiled patterns, so it looks at the files' mtimes at most every RECHECK_SECONDS."""
    root = str(rules_dir())
    now = time.monotonic()
    seen = _last_check.get(root)
    if seen and now - seen[0] < RECHECK_SECONDS:
        return seen[1]
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in Path(root).rglob("*") if p.is_file()))
    digest = _hash_for(stamp)
    _last_check[root] = (now, digest)
    return digest


@cache
def _hash_for(stamp: tuple) -> str:
    return rules_hash()


def rules_hash() -> str:
    """sha256 over every file in rules/, names and contents, for provenance and cache keys."""
    h = hashlib.sha256()
    root = rules_dir()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()
