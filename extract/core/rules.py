"""Loading the rule files in rules/ (TOML), with a content hash for the record's extractor field."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.util import find_spec
from pathlib import Path

# the regex parser and its op codes, read by first_chars; private modules that typeshed omits
from re import _constants as _op  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from rouei.extract.core import compiled
from rouei.extract.core.errors import RoueiError

RULE_SUFFIXES = (".toml", ".yaml", ".yml", ".jsonl")


def rules_dir() -> Path:
    """The rule files shipped inside the package (``rouei.rules``), or $ROUEI_RULES when a
    researcher points at their own copy."""
    return _rules_dir(os.environ.get("ROUEI_RULES"))


@cache
def _rules_dir(env: str | None) -> Path:
    if env:
        return Path(env)
    # An installed package, wheel or editable, keeps its data files on disk: the folder the
    # import system finds for rouei.rules, found without importing it (importlib.resources
    # would import it, and zipfile with it: ~3 ms of each start-up).
    spec = find_spec("rouei.rules")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    from importlib import resources

    return Path(str(resources.files("rouei.rules")))


@cache
def _load(path: str, mtime: float) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        # parsed once per content: a later run reads the parse from the compiled-rules store
        return compiled.kept(f"toml {sys.version_info[:2]}", hashlib.sha256(data).hexdigest(),
                             lambda: tomllib.loads(data.decode()))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RoueiError("E006", detail=f"{path}: {exc}") from exc


def load(name: str) -> dict[str, Any]:
    """Parsed content of rules/NAME.toml (cached until the file changes)."""
    return load_path(rules_dir() / f"{name}.toml")


def load_path(path: Path) -> dict[str, Any]:
    """Parsed content of the TOML file ``path`` (cached until the file changes)."""
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise RoueiError("E006", detail=f"{path}: missing") from exc
    return _load(str(path), mtime)


def fragments() -> dict[str, str]:
    """Named regex fragments shared by the pattern files (rules/fragments.toml). The same dict
    while the file is unchanged (the expansion of each of some 300 patterns a process asks
    for it): not to be changed. Within a `pinned` block the rules are those of its digest, so
    the file is looked at once per block rather than once per expansion (a stat each)."""
    pin = _pin[-1] if _pin else None
    if pin is not None and _fragments[2] == pin:
        return _fragments[1]
    data = load("fragments")
    if _fragments[0] is not data:  # the file's parse is another object once the file changed
        _fragments[:2] = [data, {k: v["regex"] for k, v in data.items()}]
    _fragments[2] = pin
    return _fragments[1]


# [the parse of fragments.toml, its fragments, the pinned digest they were read under]
_fragments: list = [None, {}, None]


_FRAGMENT = compiled.regex(r"\{\{(\w+)\}\}")


def expand(pattern: str) -> str:
    """Replace ``{{name}}`` with the named fragment (recursively), leaving regex braces alone."""
    frags = fragments()  # read once for the whole expansion (some 300 patterns a process)

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in frags:
            raise RoueiError("E006", detail=f"unknown fragment {{{{{name}}}}}")
        return "(?:" + _FRAGMENT.sub(sub, frags[name]) + ")"

    return _FRAGMENT.sub(sub, pattern)


@cache
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return guarded(expand(pattern), flags)


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a rule pattern with fragments expanded (cached; fragments are read once per run)."""
    return _compiled(pattern, flags)


def regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` for a pattern made from the rules, as is (no fragments,
    no guard): compiled once per process, and kept between runs in the compiled-regex store."""
    return compiled.regex(pattern, flags)


# -- a first-character guard -------------------------------------------------------------------
# Python's regex engine tries every alternative of a pattern at every position of the text,
# unless the pattern starts with a literal or a character class (then it skips ahead to the
# candidates in C). Rule patterns often start with an optional group or an alternation of
# groups (「(?:令和|平成)?\d+年」), so every position pays for every alternative. When the set
# of characters a match can start with is known, a lookahead on that set in front lets the
# engine give up on almost every position after one test. Matches are the same.

def first_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with (single characters, or class syntax
    for ranges and \\d \\s \\w); None when any character can, the pattern can match nothing, or
    it ignores case."""
    return compiled.kept(_guard_variant() + " first_chars", f"{int(flags)} {pattern}",
                         lambda: _parsed_first_chars(pattern, flags))


def _parsed_first_chars(pattern: str, flags: int) -> frozenset[str] | None:
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    return _first_chars(parsed)


def _first_chars(parsed) -> frozenset[str] | None:
    """first_chars of a parsed pattern."""
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _first(list(parsed))
    if found is None or found[1]:
        return None
    return frozenset(found[0])


def _first(items: list) -> tuple[set[str], bool] | None:
    """(first characters, can be empty) of a parsed sequence; None: unknown (any character)."""
    chars: set[str] = set()
    for op, av in items:
        if op is _op.LITERAL:
            return chars | {chr(av)}, False
        if op is _op.IN:
            got = _class(av)
            return None if got is None else (chars | got, False)
        if op in (_op.AT, _op.ASSERT, _op.ASSERT_NOT):
            continue  # zero-width: the next item consumes the first character
        if op is _op.BRANCH:
            sub = [_first(list(b)) for b in av[1]]
            known = [s for s in sub if s is not None]
            if len(known) < len(sub):
                return None
            chars |= set().union(*(s[0] for s in known))
            nullable = any(s[1] for s in known)
        elif op in _GROUPS:
            if op is _op.SUBPATTERN and av[1] & re.IGNORECASE:
                return None
            inner, optional = _GROUPS[op](av)
            sub1 = _first(list(inner))
            if sub1 is None:
                return None
            chars |= sub1[0]
            nullable = optional or sub1[1]
        else:  # ANY, NOT_LITERAL, group references, conditionals
            return None
        if not nullable:
            return chars, False
    return chars, True


# the items a group wraps, and whether it may match nothing by itself
_GROUPS = {
    _op.SUBPATTERN: lambda av: (av[3], False),
    _op.ATOMIC_GROUP: lambda av: (av, False),
    _op.MAX_REPEAT: lambda av: (av[2], av[0] == 0),
    _op.MIN_REPEAT: lambda av: (av[2], av[0] == 0),
    _op.POSSESSIVE_REPEAT: lambda av: (av[2], av[0] == 0),
}

_CATEGORIES = {"CATEGORY_DIGIT": "\\d", "CATEGORY_SPACE": "\\s", "CATEGORY_WORD": "\\w"}


def _class(items: list) -> set[str] | None:
    """Members of a character class: characters; ranges, \\d, \\s and \\w as class syntax."""
    out: set[str] = set()
    for op, av in items:
        if op is _op.LITERAL:
            out.add(chr(av))
        elif op is _op.RANGE:
            out.add(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")  # kept as a range
        elif op is _op.CATEGORY and str(av) in _CATEGORIES:
            out.add(_CATEGORIES[str(av)])
        else:  # a negated class, \\D and the like
            return None
    return out


def _fast_start(parsed) -> bool:
    """Does the engine already skip ahead for this parsed pattern (a literal or class first),
    or reject a position with one test anyway ([0-9]+)?"""
    items = list(parsed)
    while items and items[0][0] is _op.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][3])
    if not items:
        return False
    op, av = items[0]
    if op is _op.AT:
        return True  # anchored (^, \A): a place is given up after one test; a guard adds one
    if op in (_op.MAX_REPEAT, _op.MIN_REPEAT, _op.POSSESSIVE_REPEAT) and av[0] >= 1 and len(av[2]) == 1:
        op, av = list(av[2])[0]  # [0-9]+: one test per position already
    if op in (_op.LITERAL, _op.IN):
        return True
    return op is _op.BRANCH and all(b and list(b)[0][0] is _op.LITERAL for b in av[1])


def guarded(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, with a lookahead on the possible first characters in
    front when that lets searches skip positions. Same matches, same groups. Compiled once per
    process, and kept in the compiled-regex store (core.compiled) between runs."""
    return compiled.regex(pattern, flags, rewrite=_guard, variant=_guard_variant())


def _guard(pattern: str, flags: int, parsed) -> str:
    """The pattern with the first-character lookahead in front, or the pattern itself when the
    lookahead would not help (one parse serves both questions and the compile)."""
    chars = _first_chars(parsed)
    if chars is None or _fast_start(parsed):
        return pattern
    return _with_lookahead(pattern, chars)


def char_class(chars: frozenset[str] | set[str]) -> str:
    """The body of a character class (no brackets) holding ``chars``, as first_chars gives
    them: single characters (escaped here) or class syntax (a-z, \\d) kept as it is."""
    return "".join(ch if len(ch) > 1 else re.escape(ch) for ch in sorted(chars))


def _with_lookahead(pattern: str, chars: frozenset[str]) -> str:
    lead = _GLOBAL_FLAGS.match(pattern)  # (?m) and the like must stay first
    head, body = (lead.group(), pattern[lead.end():]) if lead else ("", pattern)
    return f"{head}(?=[{char_class(chars)}])(?:{body})"


def led(pattern: str) -> re.Pattern[str]:
    """``pattern`` with the first-character lookahead in front whenever its first characters
    are known, also where ``guarded`` leaves it out: a branch of words (当社|弊社|本市…) starts
    with literals, yet the engine still tries each word at every place. Same matches."""
    chars = first_chars(pattern)
    return regex(_with_lookahead(pattern, chars) if chars else pattern)


def _guard_variant() -> str:
    """The guard's name in the compiled-regex store, with a digest of this file: a stored
    guarded pattern is made again when the guard's code changes."""
    return compiled.variant("guard", __file__)


_GLOBAL_FLAGS = compiled.regex(r"\(\?[aiLmsux]+\)")


def union(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One guarded pattern matching wherever any of ``patterns`` matches: a one-pass prefilter
    for a list of cues. None when they cannot be joined (a group name used twice)."""
    try:
        return guarded("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:
        return None


# How often a long-lived process looks at rules/ again for edits (seconds).
RECHECK_SECONDS = 2.0
_hot: list = []  # [ROUEI_RULES, valid until, digest] of the last answer


_pin: list[str] = []  # digests pinned by `pinned` blocks, innermost last


@contextmanager
def pinned() -> Iterator[str]:
    """Within the block, rules_hash_cached() answers the digest it gave on entry, without
    looking at the environment or the clock: the pipeline analyses each document in one, so
    that a document is read with one version of the rules throughout (an edit to rules/ in the
    middle of it counts from the next document) and the extractors' many calls cost nothing."""
    _pin.append(rules_hash_cached())
    try:
        yield _pin[-1]
    finally:
        _pin.pop()


def rules_hash_cached() -> str:
    """rules_hash() of rules/ as it is now. Extractors call this on every use to key their
    compiled patterns, so it looks at the files' mtimes at most every RECHECK_SECONDS (and
    not at all inside a `pinned` block)."""
    if _pin:
        return _pin[-1]
    now = time.monotonic()
    env = os.environ.get("ROUEI_RULES")
    if _hot and _hot[0] == env and now < _hot[1]:
        return _hot[2]  # the common case, called thousands of times per document
    root = _rules_dir(env)
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*")
                         if p.is_file() and p.suffix in RULE_SUFFIXES))
    digest = _hash_for(stamp)
    _hot[:] = [env, now + RECHECK_SECONDS, digest]
    return digest


@cache
def _hash_for(stamp: tuple) -> str:
    return rules_hash()


def rules_hash(root: Path | None = None) -> str:
    """sha256 over every rule file in rules/ (or ``root``), names and contents, for provenance
    and cache keys.

    Only rule data counts (TOML, YAML, JSONL): the package's ``__init__.py`` and bytecode do not."""
    h = hashlib.sha256()
    root = rules_dir() if root is None else Path(root)
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in RULE_SUFFIXES:
            h.update(str(path.relative_to(root)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()
