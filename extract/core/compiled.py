"""Compiled rule regexes: each compiled once per process, and kept on disk between runs.

Before its first document a run compiles some 450 rule regexes, a few of them alternations of
thousands of characters: about half a second of ``re.compile`` (parsing the pattern, then
generating the engine's code), paid a second time by the rule check. Here each (pattern, flags)
compiles once per process, and the check and the extractors share the object.

With a store directory (the parse cache's, see ``use_store``) the engine's code of each pattern
is also kept in a file there, keyed by the pattern's text, and a later run hands it straight to
the C engine (``_sre.compile``, the call ``re.compile`` itself ends with) instead of parsing and
generating it again: a few milliseconds for all the rules. Keyed by text, the store serves any
rules that use the same patterns, so after an edit to one rule only that rule compiles again.

A pattern built here is the object ``re.compile`` builds, with two changes to the engine's
code that keep every match and group the same:
- a pattern led by a lookahead on one class (the first-character guard of rules.guarded) also
  tells the engine's search to skip to that class (``_led_skip``), so that a search no longer
  starts a match at every place of the text;
- an optional group that holds no capturing group and more than one character test,
  ``(?:X)?``, runs as the choice ``(?:X|)`` (``_optional_as_choice``). Both try X first and
  then nothing; the engine sets up a repeat context each time it tries such a group, and
  nothing for a choice.
A pattern with neither compares equal to ``re.compile(pattern, flags)`` (``Pattern.__eq__``
compares the pattern, the flags and the code). All this is done only when a self-check shows
that this interpreter builds patterns that way (and the store's file is tied to the
interpreter's version); otherwise every pattern goes through ``re.compile`` as before.

The store also keeps the code ``@dataclass`` compiles for each class's methods (``_exec``).
"""

from __future__ import annotations

# the C engine (_sre) and re's parser and code generator: private modules (re's are not in
# typeshed); the module docstring says why they are used and how that use is checked
import _sre
import atexit
import contextlib
import dataclasses
import hashlib
import logging
import marshal
import os
import re
import sys
from array import array
from collections.abc import Callable
from functools import cache
from pathlib import Path
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]
from typing import Any, TypeVar

from rouei.extract.core.io import atomic_output

log = logging.getLogger(__name__)

T = TypeVar("T")

# A rewrite before compiling: (pattern, flags, the pattern's parse) -> the pattern to compile.
Rewrite = Callable[[str, int, Any], str]

# One stored pattern: (the pattern compiled, its flags as the parser left them, the engine's
# code as bytes, the number of groups - 1, group name -> number, number -> group name).
Entry = tuple[str, int, bytes, int, dict[str, int], tuple]

_FORMAT = 6  # 3: frames (a digest, a length, a payload), appended to; 4: a pattern led by a
# lookahead on one class skips to it in search (_led_skip); 5: (?:X)? as (?:X|); 6: \d spelled
# out in that skip (_digits_spelled)
STORE_NAME = f"regex-{sys.implementation.cache_tag}.bin"
# A store written by another interpreter version is not read (the code generator may differ).
_ENGINE = (_FORMAT, sys.version, getattr(_sre, "MAGIC", None), getattr(_sre, "CODESIZE", None))

_memo: dict[tuple[str, str, int], re.Pattern[str]] = {}


def regex(pattern: str, flags: int = 0, rewrite: Rewrite | None = None,
          variant: str = "") -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled once per process (or read from the store).

    ``rewrite`` may change the pattern before it compiles (same matches, a faster search); if
    the rewritten pattern does not compile, the pattern itself does. ``variant`` names the
    rewrite (and its version) in the keys, so that its results are kept apart from the plain
    pattern's. Raises ``re.error`` as ``re.compile`` does."""
    flags = int(flags)
    key = (variant, pattern, flags)
    got = _memo.get(key)
    if got is None:
        got = _memo[key] = _compile(key, rewrite)
        if variant and got.pattern == pattern:
            # the rewrite left the pattern as it was: this is the plain pattern's object too
            # (the rule check compiles the guarded forms; a rule read plain then shares it)
            _memo.setdefault(("", pattern, flags), got)
    return got


def _compile(key: tuple[str, str, int], rewrite: Rewrite | None) -> re.Pattern[str]:
    variant, pattern, flags = key
    if flags & re.DEBUG or not _engine_ok():
        final = rewrite(pattern, flags, _parser.parse(pattern, flags)) if rewrite else pattern
        if final != pattern:
            with contextlib.suppress(re.error):
                return re.compile(final, flags)
        return re.compile(pattern, flags)
    store = _store()
    entry = store.get(key) if store else None
    if entry is None:
        tree = _parser.parse(pattern, flags)  # raises re.error for a broken pattern
        final = rewrite(pattern, flags, tree) if rewrite else pattern
        if final != pattern:
            with contextlib.suppress(re.error):
                entry = _code(final, flags)
        if entry is None:
            entry = _code(pattern, flags, tree)
        if store:
            store.put(key, entry)
    if store and variant and entry[0] == pattern:
        # The rewrite left the pattern as it was: the entry is the plain pattern's too, kept
        # under its key for a run that reads the pattern plain and finds the rules checked
        # (the same object: marshal writes it once).
        plain = ("", pattern, flags)
        if store.get(plain) is None:
            store.put(plain, entry)
    return _build(entry)


@cache
def variant(name: str, source: str) -> str:
    """A ``kind`` for `kept` that changes with the code computing the value: ``name`` and a
    digest of the file ``source`` (a module's ``__file__``)."""
    try:
        return f"{name} {hashlib.sha256(Path(source).read_bytes()).hexdigest()[:16]}"
    except OSError:
        from rouei import __version__

        return f"{name} {__version__}"


def kept(kind: str, key: str, make: Callable[[], T]) -> T:
    """``make()``, kept in the store between runs under (kind, key): for other things made from
    the rules that take long to make (parsed rule files). ``kind`` must change when what
    ``make`` computes does. A value marshal cannot write (a datetime) is made every time."""
    store = _store()
    full = ("kept", kind, key)
    if store is not None and full in store.entries:
        store.used.add(full)
        return store.entries[full]
    value = make()
    if store is not None:
        try:
            marshal.dumps(value)  # type: ignore[arg-type]
        except ValueError:
            return value
        store.put(full, value)
    return value


def _code(pattern: str, flags: int, tree: Any = None) -> Entry:
    """What ``re.compile`` computes for the C engine: parse, generate the code, map the groups."""
    if tree is None:
        tree = _parser.parse(pattern, flags)
    _optional_as_choice(tree.data)
    code = _led_skip(_compiler._code(tree, flags), tree, flags)
    state = tree.state
    names: list[str | None] = [None] * state.groups
    for name, number in state.groupdict.items():
        names[number] = name
    # as bytes: a store of int lists takes ten times longer to read
    return (pattern, flags | state.flags, array(_CODE_TYPE, code).tobytes(), state.groups - 1,
            dict(state.groupdict), tuple(names))


_REPEATS = (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT)


def _parts(op: Any, av: Any) -> list:
    """The parsed sequences directly inside one parsed item (a group's, a choice's, ...)."""
    if op in _REPEATS:
        return [av[2]]
    if op is _constants.SUBPATTERN:
        return [av[3]]
    if op is _constants.BRANCH:
        return list(av[1])
    if op is _constants.ASSERT or op is _constants.ASSERT_NOT:
        return [av[1]]
    if op is _constants.ATOMIC_GROUP:
        return [av]
    if op is _constants.GROUPREF_EXISTS:
        return [av[1]] if av[2] is None else [av[1], av[2]]
    return []


def _holds_group(items: list) -> bool:
    """Whether a parsed sequence holds a capturing group, or a use of one, at any depth."""
    for op, av in items:
        if op is _constants.GROUPREF or op is _constants.GROUPREF_EXISTS \
                or (op is _constants.SUBPATTERN and av[0] is not None):
            return True
        if any(_holds_group(part.data) for part in _parts(op, av)):
            return True
    return False


def _optional_as_choice(items: list) -> None:
    """Rewrites, in place and at any depth, each greedy optional (?:X)? into the choice
    (?:X|), where X holds no capturing group and is more than one character test (one test
    already runs as the engine's fast single-character repeat). Lazy (??) and possessive
    (?+) ones are left as they are. Groups are left out because the engine keeps a group's
    marks differently when it backs out of a repeat and of a choice."""
    for i, (op, av) in enumerate(items):
        for part in _parts(op, av):
            _optional_as_choice(part.data)
        if op is _constants.MAX_REPEAT and av[0] == 0 and av[1] == 1 \
                and not _compiler._simple(av[2]) and not _holds_group(av[2].data):
            items[i] = (_constants.BRANCH, (None, [av[2], _parser.SubPattern(av[2].state, [])]))


def _led_skip(code: list[int], tree: Any, flags: int) -> list[int]:
    """The code of a pattern led by a lookahead on one class ((?=[…]), as rules.guarded puts in
    front), with that class as the info block's character set: a search then skips in C to
    the next character of the class and starts the match there, as it does for a pattern led
    by a class, instead of starting a match (that the lookahead fails) at every place. The
    class is a test every match passes at its start, so the matches are the same. Only for a
    pattern that cannot match the empty string (the engine's skip is not made for those), and
    when the engine's own info block for the class alone holds a character set (not one that
    ignoring case would have to widen). In that set \\d is spelled out (``_digits_spelled``),
    which the engine tests for less per character of the text."""
    items = list(tree)
    if not items or items[0][0] is not _constants.ASSERT or code[0] != _constants.INFO \
            or code[2] != 0 or code[3] < 1:
        return code  # not led by a lookahead, an info block of its own, or may match ""
    direction, inner = items[0][1]
    inner = list(inner)
    if direction != 1 or len(inner) != 1 or inner[0][0] is not _constants.IN:
        return code
    if not flags & (re.ASCII | re.LOCALE):
        inner = [(_constants.IN, _digits_spelled(inner[0][1]))]
    probe = _compiler._code(_parser.SubPattern(tree.state, inner), flags)
    if probe[0] != _constants.INFO or probe[2] != _constants.SRE_INFO_CHARSET:
        return code
    info = probe[:1 + probe[1]]
    info[3], info[4] = code[3], code[4]  # the pattern's own shortest and longest match
    return info + code[1 + code[1]:]


@cache
def _bmp_digits() -> tuple:
    """Every character of the basic plane that \\d matches, as class items (runs of ranges)."""
    items = []
    code = 0
    while code < 0x10000:
        if chr(code).isdecimal():
            end = code
            while end + 1 < 0x10000 and chr(end + 1).isdecimal():
                end += 1
            items.append((_constants.RANGE, (code, end)) if end > code else (_constants.LITERAL, code))
            code = end + 1
        else:
            code += 1
    return tuple(items)


def _digits_spelled(items: list) -> list:
    """A class's items with \\d spelled out as the digits of the basic plane, plus every
    character beyond it: a superset of the class that the engine tests with one table lookup
    and one range, where \\d costs a call into the Unicode database per character."""
    if not any(op is _constants.CATEGORY and av is _constants.CATEGORY_DIGIT for op, av in items):
        return items
    rest = [(op, av) for op, av in items if not (op is _constants.CATEGORY and av is _constants.CATEGORY_DIGIT)]
    return rest + list(_bmp_digits()) + [(_constants.RANGE, (0x10000, 0x10FFFF))]


def _build(entry: Entry) -> re.Pattern[str]:
    pattern, flags, code, groups, groupindex, indexgroup = entry
    return _sre.compile(pattern, flags, array(_CODE_TYPE, code).tolist(), groups, groupindex, indexgroup)


# the array type of the engine's code units (unsigned, CODESIZE bytes; _engine_ok checks it)
_CODE_TYPE = next((t for t in "IL" if array(t).itemsize == getattr(_sre, "CODESIZE", 0)), "I")


_engine: list[bool] = []


def _engine_ok() -> bool:
    """Does a pattern built from its code equal what ``re.compile`` makes, in this interpreter?"""
    if not _engine:
        probe = r"(?P<era>令和|平成)?(\d{1,2})年(?=[^\n]{0,3}月)|(?i:ab+c)"
        try:
            ok = (array(_CODE_TYPE).itemsize == _sre.CODESIZE
                  and _build(_code(probe, re.MULTILINE)) == re.compile(probe, re.MULTILINE))
        except Exception:  # noqa: BLE001 - any failure means: use re.compile
            ok = False
        if not ok:
            log.debug("compiled regex store disabled: this interpreter builds patterns differently")
        _engine.append(ok)
    return _engine[0]


# -- the store on disk -------------------------------------------------------------------------

class _Store:
    """The stored patterns of one directory: read on first use, written back at exit (with what
    other processes stored meanwhile) when the run compiled a pattern that was not there.

    The file is a sequence of frames, each a digest, a length and a marshalled dict of
    entries: the first holds the store as last written whole, the others what later runs
    appended (see ``save``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Entry, or what ``kept`` keeps; the file's identity as read, the size of its first
        # frame, and whether all of it was sound frames
        self.entries, self.read_as, self.first, self.sound = _read_frames(path)
        self.loaded = set(self.entries)
        self.used: set[tuple] = set()
        self.dirty = False

    def get(self, key: tuple) -> Any:
        entry = self.entries.get(key)
        if entry is not None:
            self.used.add(key)
        return entry

    def refresh(self) -> None:
        """Take in what other processes saved since this store was read. A later ``save``
        then merges with the file as it is at that time (what was read no longer tells)."""
        entries, _, _, _ = _read_frames(self.path)
        for key, entry in entries.items():
            if key not in self.entries:
                self.entries[key] = entry
                self.loaded.add(key)
        self.read_as = None

    def put(self, key: tuple, entry: Any) -> None:
        self.entries[key] = entry
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        # Kept: this run's patterns and those other processes stored since it read the file (a
        # pool's workers and its parent), and the rest (old rules, patterns of other runs) only
        # while they weigh no more than those. A file still as it was read holds what was read
        # (the loaded entries never change): it is not read again, and this run's new entries
        # are appended to it as a frame of their own while the unused ones need not go and the
        # frames appended stay small beside the first (a rules edit adds a parse of one file
        # to a store of a megabyte or so: ~1 ms to append, ~15 ms to write it all again).
        if self.read_as is not None and _identity(self.path) == self.read_as:
            payload = self._payload_as_read(self.read_as[2])
            if payload is None:
                self.dirty = False
                return
        else:
            now = _read(self.path)
            keep = {k: v for k, v in now.items() if k not in self.loaded}
            keep.update((k, v) for k, v in self.entries.items() if k in self.used)
            payload = marshal.dumps((_ENGINE, keep))
            merged = marshal.dumps((_ENGINE, {**now, **self.entries}))
            if len(merged) <= 2 * len(payload):
                payload = merged
        if not self.path.parent.is_dir():  # the cache is gone (or never came): do not make it
            return
        try:
            # not durable: a file a crash leaves empty or torn fails its digest and is made again
            with atomic_output(self.path, "wb", durable=False) as fh:
                fh.write(_frame(payload))
        except OSError as exc:
            log.debug("cannot write %s: %s", self.path, exc)
        self.dirty = False

    def _payload_as_read(self, read_size: int) -> bytes | None:
        """What ``save`` writes when the file still holds what was read (``read_size`` bytes):
        every entry, or this run's alone when the unused ones weigh more; None when this
        run's new entries were appended to the file instead. The store is a megabyte or so,
        and most runs use nearly all of it: the weights come from the size read and dumps of
        the unused and the new entries (few), so that at most one big dump is made."""
        new = {k: v for k, v in self.entries.items() if k not in self.loaded}
        new_dump = marshal.dumps((_ENGINE, new))
        unused = {k: v for k, v in self.entries.items() if k in self.loaded and k not in self.used}
        unused_size = len(marshal.dumps(unused)) if unused else 0
        if unused_size > read_size - unused_size + len(new_dump):
            return marshal.dumps((_ENGINE, {k: v for k, v in self.entries.items()
                                            if k in self.used}))
        if self.sound and self.first and read_size - self.first + len(new_dump) <= self.first // 4:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
                try:
                    os.write(fd, _frame(new_dump))  # one write: appends of others stay whole
                finally:
                    os.close(fd)
                return None
            except OSError as exc:
                log.debug("cannot append to %s: %s", self.path, exc)
        return marshal.dumps((_ENGINE, self.entries))


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What tells a file from a rewritten one: device, inode, size, mtime (None: no file)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _read(path: Path) -> dict[tuple, Any]:
    """The entries of a store file; none when it is missing, damaged or from another engine."""
    return _read_file(path)[0]


def _read_file(path: Path) -> tuple[dict[tuple, Any], tuple[int, int, int, int] | None]:
    """The entries of a store file, and the identity of the file they were read from."""
    entries, identity, _, _ = _read_frames(path)
    return entries, identity


def _read_frames(path: Path) -> tuple[dict[tuple, Any], tuple[int, int, int, int] | None, int,
                                      bool]:
    """The entries of a store file, the identity of the file they were read from, the size of
    its first frame, and whether the whole file was sound frames."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
    except OSError:
        return {}, None, 0, False
    entries, first, sound = _frames(data)
    return entries, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns), first, sound


_HEAD = 24  # a frame's digest (16 bytes) and its payload's length (8)


def _frame(payload: bytes) -> bytes:
    """A frame of a store file: a digest of ``payload``, its length, and it."""
    return (hashlib.blake2b(payload, digest_size=16).digest() + len(payload).to_bytes(8, "little")
            + payload)


def _frames(data: bytes) -> tuple[dict[tuple, Any], int, bool]:
    """The entries of the frames in ``data``, a later frame's over an earlier one's; the size
    of the first frame (0: none sound); and whether all of ``data`` was sound frames. Reading
    stops at a frame that is cut short or damaged (an append a crash tore) or of another
    engine: the frames before it count."""
    entries: dict[tuple, Any] = {}
    pos = first = 0
    while pos < len(data):
        head = data[pos:pos + _HEAD]
        size = int.from_bytes(head[16:], "little")
        payload = data[pos + _HEAD:pos + _HEAD + size]
        if (len(head) < _HEAD or len(payload) != size
                or hashlib.blake2b(payload, digest_size=16).digest() != head[:16]):
            return entries, first, False
        try:
            engine, got = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return entries, first, False
        if engine != _ENGINE or not isinstance(got, dict):
            return entries, first, False
        entries.update(got)
        pos += _HEAD + size
        first = first or pos
    return entries, first, True


_dir: list[Path | None] = [None]
_stores: dict[Path, _Store] = {}


def use_store(directory: str | Path | None) -> None:
    """Keep compiled patterns in ``directory`` (None: in this process only). The patterns
    already compiled in this process stay as they are. From then on the code of the classes
    ``@dataclass`` makes is kept there too (see ``_exec``)."""
    _dir[0] = Path(os.path.abspath(directory)) if directory else None
    if directory and getattr(dataclasses, "exec", None) is not _exec:
        # dataclasses calls ``exec`` by its global name: a global of that name in the module
        # comes first (none is there; Python 3.11 to 3.13 all call it so)
        setattr(dataclasses, "exec", _exec)  # noqa: B010 - mypy knows no such attribute


def _store() -> _Store | None:
    directory = _dir[0]
    if directory is None:
        return None
    store = _stores.get(directory)
    if store is None:
        if not _stores:
            # registered now rather than at import: exit handlers run last first, so this one
            # runs before a pool worker's quick exit (run.runner), registered when it started
            atexit.register(save)
        store = _stores[directory] = _Store(directory / STORE_NAME)
    return store


def refresh() -> None:
    """Read again what other processes have saved into this process's stores: for a process
    forked from one that had read them (the model server, while its run saves the patterns
    it compiled; see run.modelserver)."""
    for store in list(_stores.values()):
        store.refresh()


def save() -> None:
    """Write the stores that gained patterns (done at exit; callers need not)."""
    for store in list(_stores.values()):
        store.save()


# -- the code of dataclasses -------------------------------------------------------------------
# ``@dataclass`` writes each class's methods (__init__, __repr__, __eq__; for a frozen class
# also __setattr__, __delattr__ and __hash__) as source text and compiles it with ``exec``:
# for the ~50 classes of a warm run some 250 compiles, ~40 ms of each process, a quarter of
# its start-up. With a store, the code compiled from a text is kept there, keyed by the text
# (as a .pyc keeps a module's code), and the next process runs it without compiling it again.


def _exec(source: Any, globals: dict[str, Any], locals: Any = None, /) -> None:
    """``exec(source, globals, locals)`` for the dataclasses module (see ``use_store``). A text
    runs as the code ``exec`` compiles from it: file name "<string>", no flags inherited (the
    dataclasses module has no ``__future__`` import), the interpreter's optimisation level;
    the store's file is tied to the interpreter's version."""
    if type(source) is str and _dir[0] is not None:
        text = source
        source = kept(f"exec {sys.flags.optimize}", text,
                      lambda: compile(text, "<string>", "exec", dont_inherit=True))
    exec(source, globals, locals)
