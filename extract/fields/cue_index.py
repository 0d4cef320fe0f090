"""Which of many cue patterns can match a text, without running them.

A cue list (rules/causes.toml, rules/status.toml) has dozens of patterns, and most sentences
match none of them. Running every pattern on every sentence costs a call each; this index
answers "which cues can match here" with a few substring tests. Each pattern gets a set of
factors, literal strings one of which every match of the pattern contains (紛失 for 紛失物,
誤って for 誤って[^。]{0,12}?送信, 不具合 or バグ for 不具合|バグ); a cue none of whose factors
occurs in a text cannot match there. The answer only skips work: a cue it names may still
not match, and a pattern whose factors are not known is always named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# the regex parser and its op codes (private modules that typeshed omits)
from re import _constants as _op  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

from rouei.extract.core import compiled, rules

_REPEATS = (_op.MAX_REPEAT, _op.MIN_REPEAT, _op.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (_op.AT, _op.ASSERT, _op.ASSERT_NOT)


def required_factors(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Literal strings one of which every match of ``pattern`` contains; None when no such set
    is known (a pattern that may match the empty string, ignores case, or is all wildcards).
    Kept in the compiled-regex store: reading a pattern's parse costs more than its use."""
    return compiled.kept(compiled.variant("required_factors", __file__), f"{int(flags)} {pattern}",
                         lambda: _required_factors(pattern, flags))


def _required_factors(pattern: str, flags: int) -> frozenset[str] | None:
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _best(_candidates(list(parsed)))


def _candidates(items: list) -> list[frozenset[str]]:
    """Factor sets of a parsed sequence, each of which alone is required: the runs of literal
    characters, and the required factors of each group, alternation and repeat that must
    match at least once."""
    out: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is _op.LITERAL:
            run.append(chr(av))
            continue
        flush()  # a literal run ends at anything else (a zero-width assertion too: kept simple)
        got: frozenset[str] | None = None
        if op is _op.IN:
            got = _class(av)
        elif op is _op.SUBPATTERN:
            if not av[1] & re.IGNORECASE:
                got = _best(_candidates(list(av[3])))
        elif op is _op.ATOMIC_GROUP:
            got = _best(_candidates(list(av)))
        elif op is _op.BRANCH:
            branches = [_best(_candidates(list(b))) for b in av[1]]
            if all(b is not None for b in branches):
                got = frozenset().union(*branches)  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            got = _best(_candidates(list(av[2])))
        # _ZERO_WIDTH items consume nothing; ANY, NOT_LITERAL, backreferences: no factor
        if got:
            out.append(got)
    flush()
    return out


def _class(items: list) -> frozenset[str] | None:
    """The members of a character class of plain characters (None for ranges, negations,
    categories)."""
    chars = set()
    for op, av in items:
        if op is not _op.LITERAL:
            return None
        chars.add(chr(av))
    return frozenset(chars) or None


def _weight(factor: str) -> int:
    """How rare a factor is likely to be: kana-only and ASCII text occurs everywhere, kanji and
    katakana seldom. Only speed depends on the choice."""
    return sum(1 if ("\u3040" <= ch <= "\u309f" or ch.isascii() or not ch.isalnum()) else 3
               for ch in factor)


def _best(cands: list[frozenset[str]]) -> frozenset[str] | None:
    """Of several sets each of which is required, the one whose commonest factor is rarest
    (then the smallest set)."""
    if not cands:
        return None
    return max(cands, key=lambda fs: (min(_weight(f) for f in fs), -len(fs), sorted(fs)))


def _lead_trimmed(factor: str) -> str:
    """The factor without the hiragana it starts with (の不備: 不備), unless it is all hiragana:
    a part of a required string is required too, and a search for factors stops at every
    の and に of a text when a factor starts with one."""
    return factor.lstrip(_HIRAGANA) or factor


_HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x30A0))


# A trie with fewer first characters than this is not grouped: a search that stops at few
# places gains less from the groups than their lookaheads cost (the causes' cue words, some 140
# first characters, are searched a fifth faster grouped; the status and notice words, 14 and 26,
# are not)
_GROUP_MIN = 64


def trie_pattern(words: Sequence[str]) -> str:
    """A regex that matches, at a position, the longest of ``words`` found there (a trie of
    nested groups: one test per character instead of one per word). With many first characters
    the top-level alternation is ``grouped``."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def walk(node: dict) -> str:
        alts = [re.escape(ch) + walk(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    firsts = sorted(ch for ch in trie if ch)
    if "" in trie or len(firsts) < _GROUP_MIN:  # (an empty word matches everywhere: kept plain)
        return walk(trie)
    return grouped([(ch, re.escape(ch) + walk(trie[ch])) for ch in firsts])


# A trie's top-level alternation, grouped (the data-type lexicon's, and trie_pattern's when it
# is large). Where a term of the lexicon could start (a notice of 640 characters has some 110
# such places, most of them common characters: お, 日, 人, 年), the engine tries the
# alternatives one after another, some 200 of them, and when the one for the character there
# fails deeper (most places) it goes on through all the others: that walk was most of the
# cost of a scan. Cut into a few groups of
# consecutive alternatives, each behind a lookahead on its first characters, a place walks
# one group's alternatives and fails the other groups' lookaheads. A lookahead costs much more
# than an alternative's first-character test, hence few groups (4: the fewest instructions on
# the real-notice corpus; 3 and 5 are close, 2 and 8 well behind).
_GROUPS = 4


def grouped(alts: list[tuple[str, str]], groups: int = _GROUPS) -> str:
    """The alternation of ``alts`` ((first character, alternative) pairs, no two with the same
    first character), in ``groups`` groups, led by a lookahead on every first character (the
    compiled-regex store makes it the engine's skip set, core.compiled._led_skip). The same
    matches as ``"|".join(alternatives)``: at any place at most one alternative can start,
    and only its group's lookahead lets the engine try it."""
    plain = "|".join(a for _, a in alts)
    if len(alts) < 2 * groups:
        return plain
    size = -(-len(alts) // groups)
    chunks = [alts[i:i + size] for i in range(0, len(alts), size)]

    def firsts(chunk: list[tuple[str, str]]) -> str:
        return "".join(re.escape(c) for c, _ in chunk)

    body = "|".join(f"(?=[{firsts(ch)}])(?:{'|'.join(a for _, a in ch)})" for ch in chunks)
    return f"(?=[{firsts(alts)}])(?:{body})"


@dataclass(frozen=True)
class CueIndex:
    """For a list of patterns, the patterns that can match a text: ``cues_in(text)`` is the
    list of pattern indices, in list order, whose factors occur in ``text`` or are unknown;
    ``per_span(text, spans)`` answers the same for many parts of one text, one C-level
    ``findall`` per part."""

    by_factor: dict[str, tuple[int, ...]]  # a factor: the patterns it admits
    always: tuple[int, ...]  # patterns with no known factors
    # the longest factor at a position (a search skips to the factors' first characters)
    finder: re.Pattern[str] | None = None
    # a factor: the patterns admitted by every factor inside it (itself, its prefixes, the
    # factors at later offsets that end within it): they occur wherever it does
    covers: dict[str, frozenset[int]] | None = None
    # a factor: the longer factors that may start inside it and run past its end (ス of
    # アクセス opens スパイウェア); ``findall`` resumes after a match, so it cannot see them
    straddlers: dict[str, tuple[str, ...]] | None = None

    @classmethod
    def of(cls, patterns: Sequence[re.Pattern[str]]) -> CueIndex:
        """The index of ``patterns``. Its parts take a few milliseconds of Python to make for
        a cue list, in every process: they are kept in the compiled-regex store under the
        patterns and a digest of this file (core.compiled.kept)."""
        key = "\0".join(f"{int(p.flags)} {p.pattern}" for p in patterns)
        by_factor, always, finder, covers, straddlers = compiled.kept(
            compiled.variant("cue index", __file__), key, lambda: cls._parts(patterns))
        if finder is None:
            return cls(by_factor, always)
        return cls(by_factor, always, rules.regex(finder), covers, straddlers)

    @staticmethod
    def _parts(patterns: Sequence[re.Pattern[str]]) -> tuple:
        """(by_factor, always, the finder's pattern, covers, straddlers) of ``patterns``; the
        finder's pattern and the rest are None when no pattern has known factors."""
        by_factor: dict[str, list[int]] = {}
        always = []
        for i, pat in enumerate(patterns):
            factors = required_factors(pat.pattern, pat.flags & ~re.UNICODE)
            if factors is None:
                always.append(i)
                continue
            for f in sorted({_lead_trimmed(f) for f in factors}):
                by_factor.setdefault(f, []).append(i)
        words = sorted(by_factor)
        if not words:
            return {}, tuple(always), None, None, None
        covers = {w: frozenset(i for f in words if f in w for i in by_factor[f]) for w in words}
        opening: dict[str, list[str]] = {}  # a proper prefix of factors: those factors
        for f in words:
            for n in range(1, len(f)):
                opening.setdefault(f[:n], []).append(f)
        straddlers = {w: tuple(sorted({f for k in range(1, len(w)) for f in opening.get(w[k:], ())}))
                      for w in words}
        return ({f: tuple(ix) for f, ix in by_factor.items()}, tuple(always), trie_pattern(words),
                covers, {w: fs for w, fs in straddlers.items() if fs})

    def cues_in(self, text: str) -> list[int]:
        found = set(self.always)
        for f, ix in self.by_factor.items():
            if f in text:
                found.update(ix)
        return sorted(found)

    def any_in(self, text: str, start: int, end: int) -> bool:
        """Whether ``cues_in(text[start:end])`` names any pattern: one search, which stops at
        the first factor that ends inside the part (endpos)."""
        if self.always:
            return True
        return self.finder is not None and self.finder.search(text, start, end) is not None

    def per_span(self, text: str, spans: Sequence[tuple[int, int]]) -> list[list[int]]:
        """``cues_in(text[s:e])`` for each (s, e) of ``spans``.

        ``findall`` on a part gives, left to right, the longest factor at each place where
        one starts, and goes on after its end; a factor it steps over starts inside one it
        gave. Such a factor either ends inside it (``covers``) or runs past its end: one of
        its ``straddlers``, looked for in the part with str.find (and, found, followed in
        turn). So every factor that occurs in the part is reached, with no loop per match."""
        if self.finder is None or self.covers is None or self.straddlers is None:
            return [list(self.always) for _ in spans]
        findall = self.finder.findall
        covers, straddlers, always = self.covers, self.straddlers, self.always
        out: list[list[int]] = []
        for s, e in spans:
            words = findall(text, s, e)  # endpos: a factor must end inside the part
            if not words:
                out.append(list(always))
            elif straddlers.keys().isdisjoint(words):  # the common case: no factor to follow
                out.append(sorted(set(always).union(*[covers[w] for w in set(words)])))
            else:
                out.append(self._followed(text, s, e, words))
        return out

    def _followed(self, text: str, s: int, e: int, words: list[str]) -> list[int]:
        """per_span's answer for a part where a factor may start inside a factor found."""
        assert self.covers is not None and self.straddlers is not None
        todo = set(words)
        seen = set(todo)
        got = set(self.always)
        while todo:
            w = todo.pop()
            got |= self.covers[w]
            for f in self.straddlers.get(w, ()):
                if f not in seen and text.find(f, s, e) >= 0:
                    seen.add(f)
                    todo.add(f)
        return sorted(got)
