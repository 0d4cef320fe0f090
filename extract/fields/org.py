"""Organisations: the notice's own (the record's ``organization``) and each incident's.

Candidates come from patterns over the whole text (株式会社X, X大学, X市, ministries; rules/org.toml)
and from GiNZA's named entities in the parts that name the notice's author: the first lines, the
lead sentences and the last lines. Self-references (当社, 本市, 本学) are items too. The notice's
own organisation is the candidate with the most evidence (weights in rules/org.toml): mentions,
a legal form, the title, the object of "…に対し", a tie to a self-reference (X(以下「当社」)), a
line of its own (letterhead, signature), and being of the kind the self-references name (本市 →
a city). Regulators, platforms and the site after "|" in a title are penalised (the site not
when the notice speaks as its body: a city's page that says 本市).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import islice
from re import _constants as _op  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import TypeVar

from rouei.extract.core import compiled, rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import OrgItem
from rouei.extract.doc.text import find_all
from rouei.extract.fields import cue_index, org_names

log = logging.getLogger(__name__)

# labels given by the patterns; any other label is a GiNZA entity label
PATTERN_LABELS = ("legal", "body", "government", "place", "seat")


@dataclass(frozen=True)
class Finder:
    """An organisation pattern, with what narrows its search when the rules give it (see
    rules/org.toml [scan]): ``runs`` finds the runs of the characters a match is made of,
    ``needs`` the words one of which every match holds."""

    pattern: re.Pattern[str]
    runs: re.Pattern[str] | None = None
    needs: re.Pattern[str] | None = None
    peek: int = 0  # how far past a run the pattern's lookaheads read
    one_char: bool = False  # ``runs`` repeats a single character class (a run reads the same backwards)
    gate: re.Pattern[str] | None = None  # without runs: finds a word one of which every match holds
    # ``needs`` as the few literal words it is an alternation of (see _literal_words), found
    # with str.find; None: searched with the regex
    words: tuple[str, ...] | None = None

    def finditer(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text, start, end)``: the same matches, found by searching only
        the runs of ``chars`` that hold a ``needs`` word. A match cannot cross a character
        outside the class, so the runs are searched one by one; each up to ``peek`` past its
        end, so that a lookahead at the end of a match reads what it reads in the whole text
        (a match found starting past the run belongs to no run and is left)."""
        if self.runs is None or self.needs is None:
            # a text without any of the words every match holds has no match (most notices name
            # no ministry and write no legal form first)
            if self.gate is None or self.gate.search(text, start, end):
                yield from self.pattern.finditer(text, start, end)
            return
        hits = self._hits(text, start, end)
        if not hits:
            return
        spans = self._runs_at(text, start, end, hits) if self.one_char else self._runs_with(text, start, end, hits)
        for a, b in spans:
            for m in self.pattern.finditer(text, a, min(end, b + self.peek)):
                if m.start() >= b:
                    break
                yield m

    def _hits(self, text: str, start: int, end: int) -> list[int]:
        """Where ``needs`` words start in text[start:end], in order: the starts of its matches,
        or, with ``words``, every place one of them stands (those and, where two overlap, the
        later one too). A search of a whole text for a class test at each character costs
        several times what str.find's scans for a few words do. The extra places only seed
        runs that hold a ``needs`` word; a run holds the same matches whichever hit found it,
        and each run is given once, in order."""
        if self.words is None:
            assert self.needs is not None
            return [m.start() for m in self.needs.finditer(text, start, end)]
        return find_all(text, self.words, start, end)

    def _runs_with(self, text: str, start: int, end: int, hits: list[int]) -> Iterator[tuple[int, int]]:
        """The runs of text[start:end] that hold one of ``hits``, in order: every run is read."""
        assert self.runs is not None
        i, n = 0, len(hits)
        for run in self.runs.finditer(text, start, end):
            a, b = run.span()
            while i < n and hits[i] < a:
                i += 1
            if i == n:
                return
            if hits[i] < b:
                yield a, b

    def _runs_at(self, text: str, start: int, end: int, hits: list[int]) -> Iterator[tuple[int, int]]:
        """_runs_with, reading only the runs that hold a hit: from each hit the run is matched
        forwards in the text and backwards in the reversed text (a notice has a few hits and
        dozens of runs)."""
        assert self.runs is not None
        rev, n = _reversed(text), len(text)
        b = start
        for h in hits:
            if h < b:
                continue  # in the run just given
            run = self.runs.match(text, h, end)
            if run is None:
                continue  # a hit starting with a character outside the class is in no run
            back = self.runs.match(rev, n - 1 - h, n - start)
            assert back is not None  # text[h] is in the class
            b = run.end()
            yield n - back.end(), b


@lru_cache(maxsize=4)  # a document's text, for its finders (and its lines, in incident_org)
def _reversed(text: str) -> str:
    return text[::-1]


def _gate(regex: str) -> re.Pattern[str] | None:
    """A search for the literal strings one of which every match of ``regex`` holds (read from
    the regex), or None when they are not known."""
    factors = cue_index.required_factors(regex)
    if not factors:
        return None
    return rules.regex("|".join(re.escape(f) for f in sorted(factors, key=lambda f: (-len(f), f))))


_MAX_WORDS = 8  # beyond this many words one regex search costs less than a str.find per word


def _literal_words(pattern: str) -> tuple[str, ...] | None:
    """The literal strings ``pattern`` matches, when it is nothing but an alternation of at most
    _MAX_WORDS of them (株式会社|\\(株\\)) or a class of single characters ([市区町村]); else None."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None  # a word then matches in other cases too
    items = list(parsed)

    def literal(seq: list) -> str | None:
        if not seq or any(op is not _op.LITERAL for op, _ in seq):
            return None
        return "".join(chr(av) for _, av in seq)

    if len(items) == 1 and items[0][0] is _op.BRANCH:
        words = [literal(list(alt)) for alt in items[0][1][1]]
    elif len(items) == 1 and items[0][0] is _op.IN:
        words = [literal([it]) for it in items[0][1]]
    else:
        words = [literal(items)]
    if any(w is None for w in words) or len(words) > _MAX_WORDS:
        return None
    return tuple(dict.fromkeys(w for w in words if w is not None))


_MAX_FIRSTS = 4  # a pattern that may start with more characters is searched by the engine


def _few_firsts(pattern: str) -> str | None:
    """The characters every match of ``pattern`` starts with, when they are a few single
    characters and no match is empty (see _led_finditer); else None."""
    chars = rules.first_chars(pattern)
    if not chars or len(chars) > _MAX_FIRSTS or any(len(c) != 1 for c in chars):
        return None
    try:
        if _parser.parse(pattern).getwidth()[0] < 1:
            return None
    except re.error:
        return None
    return "".join(sorted(chars))


def _led_finditer(pattern: re.Pattern[str], firsts: str | None, text: str, start: int = 0,
                  end: int | None = None) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, start, end)``, for a pattern whose every match starts with one
    of ``firsts`` and is not empty: a match is tried only where one of them stands (found with
    str.find), from the end of the match before. A search of the engine tests its class of
    first characters at every character of the text; 当, 本 or 「 stand at a few places."""
    end = len(text) if end is None else end
    if firsts is None:
        yield from pattern.finditer(text, start, end)
        return
    pos = start
    for at in find_all(text, firsts, start, end):
        if at < pos:
            continue  # inside the match just given
        m = pattern.match(text, at, end)
        if m is not None:
            yield m
            pos = m.end()


def _single_class(pattern: str) -> bool:
    """``pattern`` is one character class or character (then a run of it is the same run read
    either way)."""
    try:
        items = list(_parser.parse(pattern))
    except re.error:
        return False
    return len(items) == 1 and items[0][0] in (_op.IN, _op.LITERAL)


def _finder(entry: dict, peek: int) -> Finder:
    pattern = rules.guarded(entry["regex"])
    if "chars" not in entry or "needs" not in entry:
        return Finder(pattern, gate=_gate(entry["regex"]))
    runs, needs = rules.regex(f"(?:{entry['chars']})+"), rules.guarded(entry["needs"])
    # A researcher who edits the regex (a new suffix) and not `needs` or `chars` would lose
    # matches without a word: the literal strings one of which every match holds (read from
    # the regex) must each hold a `needs` word and be made of `chars`, else the plain scan runs.
    factors = cue_index.required_factors(entry["regex"])
    if factors is None or not all(needs.search(f) and runs.fullmatch(f) for f in factors):
        log.warning("rules/org.toml: `needs`/`chars` do not cover the pattern %.40s…; searching "
                    "it without them", entry["regex"])
        return Finder(pattern)
    return Finder(pattern, runs, needs, peek, _single_class(entry["chars"]), words=_literal_words(entry["needs"]))


@dataclass(frozen=True)
class OrgRules:
    """rules/org.toml compiled: the finders of candidate names and the words that weigh them."""
    legal_words: re.Pattern[str]
    finders: tuple[tuple[str, Finder], ...]
    own_line: re.Pattern[str]
    prefectures: re.Pattern[str]
    name_tail: re.Pattern[str]
    not_name: re.Pattern[str]
    labels: frozenset[str]
    place_labels: frozenset[str]
    place_suffix: re.Pattern[str]
    third_party: re.Pattern[str]
    title_labels: frozenset[str]
    zones: dict[str, int]
    alias: re.Pattern[str]
    target: re.Pattern[str]
    link_after: re.Pattern[str]
    link_before: re.Pattern[str]
    not_subject: tuple[str, ...]
    self_ref: re.Pattern[str]
    self_kinds: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    score: dict[str, float]
    speaks: tuple[re.Pattern[str], re.Pattern[str]]  # (own report, action on another) in a title
    unresolved: re.Pattern[str]  # a word in a zone that may name a body the patterns missed
    seat: re.Pattern[str]  # 「X」(大阪市)は: a body and the place it sits in
    decided_score: float  # a pattern winner this good, tied to the author, is not second-guessed
    decided_by: frozenset[str]  # the kinds of evidence that tie a candidate to the author
    clause_end: re.Pattern[str]  # what ends the clause parsed around an unresolved word
    common_words: frozenset[str]  # unresolved words that name things, not bodies (USB, Bcc)
    prose: re.Pattern[str]  # a line that reads as prose, not as a post's title
    # one search for "holds any of the not_subject names" (None: there are none)
    not_subject_any: re.Pattern[str] | None = None
    # the few characters every match of self_ref (of seat) starts with (see _led_finditer)
    self_ref_firsts: str | None = None
    seat_firsts: str | None = None
    # names already cut to their core, and judged valid, with these rules: a document's
    # candidates are asked about many times (patterns, whole bodies, the decision)
    cores: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    valid: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    fitting: dict[frozenset[str], list[re.Pattern[str]]] = field(default_factory=dict, compare=False,
                                                                 repr=False)


@cache
def _compiled(_stamp: str) -> OrgRules:
    cfg = rules.load("org")
    words = sorted(cfg["legal_forms"]["words"], key=len, reverse=True)
    self_re = cfg["self_ref"]["regex"]
    ner = cfg["ner"]
    return OrgRules(
        legal_words=rules.regex("|".join(re.escape(w) for w in words)),
        finders=tuple((label, _finder(cfg[key], int(cfg["scan"]["peek"]))) for label, key in (
            ("legal", "legal_prefix"), ("legal", "legal_suffix"), ("government", "government"),
            ("body", "body"), ("place", "place"))),
        own_line=rules.regex(cfg["own_line"]["regex"]),
        prefectures=rules.regex(cfg["prefectures"]["regex"]),
        name_tail=rules.regex(cfg["name_tail"]["regex"]),
        not_name=rules.regex(cfg["not_name"]["regex"]),
        labels=frozenset(ner["labels"]), title_labels=frozenset(ner["title_labels"]),
        place_labels=frozenset(ner["place_labels"]), place_suffix=rules.regex(ner["place_suffix"]),
        third_party=rules.regex(cfg["third_party"]["before"]),
        zones={k: ner[k] for k in ("lines", "lead_sentences", "footer_lines", "max_chars", "budget_chars",
                                   "found_budget_chars")},
        alias=rules.regex(cfg["alias"]["regex"]),
        target=rules.regex(cfg["target"]["regex"]),
        link_after=rules.regex(cfg["self_link"]["after"].replace("{self}", self_re)),
        link_before=rules.regex(cfg["self_link"]["before"].replace("{self}", self_re)),
        not_subject=tuple(cfg["not_subject"]["names"]),
        self_ref=rules.led(self_re),
        self_kinds=tuple((rules.regex(k["words"]), rules.regex(k["fits"])) for k in cfg["self_kind"]),
        score={k: float(v) for k, v in cfg["score"].items() if k != "example"},
        speaks=(rules.regex(cfg["speaks"]["own"]), rules.regex(cfg["speaks"]["not"])),
        unresolved=rules.led(ner["unresolved"]),
        seat=rules.led(cfg["seat"]["regex"]),
        decided_score=float(cfg["ner_scope"]["decided_score"]),
        decided_by=frozenset(cfg["ner_scope"]["decided_by"]),
        clause_end=rules.regex(cfg["ner_scope"]["clause_end"]),
        common_words=frozenset(cfg["ner_scope"]["common_words"]),
        prose=rules.regex(cfg["ner_scope"]["prose"]),
        not_subject_any=rules.regex("|".join(map(re.escape, cfg["not_subject"]["names"])))
        if cfg["not_subject"]["names"] else None,
        self_ref_firsts=_few_firsts(self_re), seat_firsts=_few_firsts(cfg["seat"]["regex"]),
    )


def org_rules() -> OrgRules:
    return _compiled(rules.rules_hash_cached())


def core(name: str) -> str:
    """A name without legal form or white space: the key candidates are compared by."""
    return _core(org_rules(), name)


def _valid(name: str) -> bool:
    return _is_valid(org_rules(), name)


# The helpers below take the rules from their caller: org_rules() looks at the environment on
# every call, and they are called for every candidate.
def _core(r: OrgRules, name: str) -> str:
    c = r.cores.get(name)
    if c is None:
        c = _remember(r.cores, name, _SPACES.sub("", r.legal_words.sub("", name)).strip("・-"))
    return c


def _is_valid(r: OrgRules, name: str) -> bool:
    ok = r.valid.get(name)
    if ok is None:
        c = _core(r, name)
        ok = _remember(r.valid, name, bool(c) and not r.not_name.search(c))
    return ok


_K = TypeVar("_K")
_V = TypeVar("_V")
_MEMO_MAX = 4096  # names kept per memo: a long stream of notices keeps meeting new ones


def _remember(memo: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[key] = value
    return value


_SPACES = compiled.regex(r"\s+")


# -- candidates ---------------------------------------------------------------------------------

def _to_norm(ctx: DocContext) -> Callable[[int], int]:
    """``ctx.norm.to_norm``, as a plain clamp when the copy maps one character to one (most
    notices): to_norm bisects its map, which is a range then, and a bisect of a range reads
    it item by item (~2 us a call)."""
    ends = ctx.norm.ends
    if isinstance(ends, range) and ends.start == 1 and ends.step == 1:
        n = len(ends)
        return lambda pos: 0 if pos < 0 else (pos if pos < n else n)
    return ctx.norm.to_norm


def _nonblank_lines(text: str, start: int = 0, end: int | None = None,
                    limit: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the non-blank lines of text[start:end], stripped; the first ``limit``
    only when given."""
    return list(_lines(text, start, end, limit))


@lru_cache(maxsize=16)  # a document asks for its lines several times
def _lines(text: str, start: int, end: int | None, limit: int | None) -> tuple[tuple[int, int], ...]:
    if limit is None:
        return _split_lines(text, start, len(text) if end is None else end)
    found = _LINE.finditer(text, start, len(text) if end is None else end)
    out = []
    for m in found:
        if len(out) >= limit:
            break
        out.append(m.span())
    return tuple(out)


def _split_lines(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The spans of ``_LINE.finditer(text, start, end)``, read from str.splitlines: a regex
    search tests a class at every character, where splitlines and strip run in C at a few
    instructions a character (the lines of a whole text are read for every notice)."""
    out = []
    at = start
    for piece in text[start:end].splitlines(True):
        rest = piece.lstrip()
        if rest:
            s = at + len(piece) - len(rest)
            out.append((s, s + len(rest.rstrip())))
        at += len(piece)
    return tuple(out)


# a line's text from its first to its last character that is not white space, as str.strip
# and str.splitlines see them: every line break str.splitlines breaks at (\n \r \v \f
# \x1c-\x1e \x85 U+2028 U+2029) is white space to \s and str.isspace alike, so a match
# cannot cross one, and a blank line holds none
_LINE = compiled.regex("\\S(?:[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*\\S)?")


def _pattern_items(ctx: DocContext, ns: int = 0, ne: int | None = None) -> list[OrgItem]:
    """Organisations the patterns find in norm[ns:ne]."""
    r = org_rules()
    norm = ctx.norm.text
    ne = len(norm) if ne is None else ne
    out = []
    seats = []
    for m in _led_finditer(r.seat, r.seat_firsts, norm, ns, ne):
        seats.append(m.span("seat"))
        if m.group("name") and _is_valid(r, m.group("name")):
            s, e, text = ctx.span_of_norm(*m.span("name"))
            out.append(OrgItem(text, s, e, name=m.group("name").strip(), label="seat"))
    for label, pat in r.finders:
        for m in pat.finditer(norm, ns, ne):
            a, b = m.start(), m.end()
            if label == "place" and any(x <= a and b <= y for x, y in seats):
                continue  # the seat of a body named just before it
            if label == "place":
                # 山口県岩国市: the municipality is the body the notice is about
                p = r.prefectures.match(m.group())
                a += p.end() if p else 0
            tail = r.name_tail.search(norm, a, b)
            b = tail.start() if tail and label in ("legal", "body") else b
            name = norm[a:b].strip()
            if _is_valid(r, name):
                s, e, text = ctx.span_of_norm(a, b)
                out.append(OrgItem(text, s, e, name=name, label=label))
    return out


def _first_piece(text: str) -> int:
    """Length of an entity's first piece: GiNZA runs entities over the space that ends a
    headline's subject (気仙沼市 市立病院); a space between two Latin words stays (BANDAI SPIRITS)."""
    for m in re.finditer(r"\s+", text):
        before, after = text[m.start() - 1:m.start()], text[m.end():m.end() + 1]
        if not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()):
            return m.start()
    return len(text)


def _ner(ctx: DocContext, spans: list[tuple[int, int]], labels: frozenset[str]) -> list[OrgItem]:
    r = org_rules()
    spans = [(s, min(e, s + r.zones["max_chars"])) for s, e in spans if e > s]
    to_norm = _to_norm(ctx)
    ctx.prefetch(spans)
    out = []
    for s, e in spans:
        doc = ctx.parse(s, e)
        if doc is None:
            continue
        for ent in doc.ents:
            if ent.label_ not in labels or (ent.label_ in r.place_labels
                                             and not r.place_suffix.search(ent.text)):
                continue
            a = s + ent.start_char
            b = a + _first_piece(ent.text)
            text = ctx.text[a:b]
            name = ctx.norm.text[to_norm(a):to_norm(b)]
            if _is_valid(r, name):
                out.append(OrgItem(text, a, b, name=name, label=ent.label_))
    return out


def _zones(ctx: DocContext, found: bool = False) -> list[tuple[int, int]]:
    """The parts of a notice that name its author, most telling first: the title, the first
    lead sentence, the first lines, the other lead sentences, the last lines. Parsing is the
    expensive step, so they are taken in that order until ``budget_chars`` are used, or only
    ``found_budget_chars`` when the patterns already found an organisation near the top."""
    z = org_rules().zones
    budget = z["found_budget_chars"] if found else z["budget_chars"]
    lines = _nonblank_lines(ctx.text)
    n_lead, cap = z["lead_sentences"], z["max_chars"]
    # the first long sentences (a long notice has hundreds: they are not all read)
    lead = list(islice((sp for sp in ctx.sentences if sp[1] - sp[0] >= 40), n_lead)) if n_lead >= 0 \
        else [sp for sp in ctx.sentences if sp[1] - sp[0] >= 40][:n_lead]
    ordered = lines[:1] + lead[:1] + lines[1: z["lines"]] + lead[1:] + lines[-z["footer_lines"]:]
    out: list[tuple[int, int]] = []
    used = 0
    for s, e in ordered:
        e = min(e, s + cap)
        if used + (e - s) > budget and out:
            continue  # over the budget (asked first: it is the cheaper question)
        if any(a <= s and e <= b for a, b in out):
            continue  # already taken, or inside a zone taken
        out.append((s, e))
        used += e - s
    return sorted(out)


def _title_zone(ctx: DocContext, zone: tuple[int, int],
                first: list[tuple[int, int]] | None = None) -> tuple[int, int] | None:
    """The zone cut to its first sentence when it is the first line, the notice's title (an
    excerpt's first line can be a paragraph), else None. ``first``: the text's first line,
    when the caller has it."""
    if first is None:
        first = _nonblank_lines(ctx.text, limit=1)
    if not first or first[0][0] != zone[0]:
        return None
    s, e = ctx.sentence_at(zone[0])
    return (zone[0], min(zone[1], e)) if s == zone[0] else zone


def _unresolved_words(ctx: DocContext, s: int, e: int) -> list[re.Match[str]]:
    """Words in text[s:e] that may name an organisation the patterns missed (NTT西日本, 市民課
    of a place they missed), not those that name things (USB, Bcc)."""
    r, to_norm = org_rules(), _to_norm(ctx)
    return [m for m in r.unresolved.finditer(ctx.norm.text, to_norm(s), to_norm(e))
            if m.group() not in r.common_words]


def _clause(ctx: DocContext, m: re.Match[str], s: int, e: int) -> tuple[int, int]:
    """The clause of text[s:e] around the unresolved word ``m`` (a match in the normalised
    copy): between the ``clause_end`` marks before and after it, white space stripped."""
    r, norm, to_norm = org_rules(), ctx.norm.text, _to_norm(ctx)
    ns, ne = to_norm(s), to_norm(e)
    a = ns
    for mark in r.clause_end.finditer(norm, ns, m.start()):
        a = mark.end()
    after = r.clause_end.search(norm, m.end(), ne)
    a, b = ctx.norm.span(a, after.end() if after else ne)
    text = ctx.text[a:b]
    return a + len(text) - len(text.lstrip()), a + len(text.rstrip())


def _ner_spans(ctx: DocContext, zones: list[tuple[int, int]],
               items: list[OrgItem]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(the title, the clauses) to parse for names: only in zones that hold no organisation the
    patterns found, the title whole (it names its subject in any script: ベネッセ、顧客情報流出),
    elsewhere each clause holding an unresolved word. The parse is the slow step."""
    title: list[tuple[int, int]] = []
    clauses: list[tuple[int, int]] = []
    first = _nonblank_lines(ctx.text, limit=1)
    for zone in zones:
        s, e = zone
        if any(s <= it.start < e for it in items):
            continue
        head = _title_zone(ctx, zone, first)
        if head is not None:
            title.append(head)
            continue
        for m in _unresolved_words(ctx, s, e):
            sp = _clause(ctx, m, s, e)
            if sp not in clauses and sp[1] > sp[0]:
                clauses.append(sp)
    return title, clauses


def extract(ctx: DocContext) -> list[OrgItem]:
    """Organisations and self-references named in the document, in text order.

    The patterns and the layout come first; the model's names are read only when they leave
    the notice's own organisation open (see ``_decided``): in the title first, then, if it is
    still open, in the clauses that hold a word the patterns may have missed."""
    r = org_rules()
    items = _pattern_items(ctx)
    lines = _nonblank_lines(ctx.text)
    _add_own_lines(ctx, r, items, lines)
    selves = []
    for m in _led_finditer(r.self_ref, r.self_ref_firsts, ctx.norm.text):
        s, e, text = ctx.span_of_norm(m.start(), m.end())
        selves.append(OrgItem(text, s, e, name=m.group(), label="self_ref"))
    out = _finish(ctx, items, selves)
    if _decided(ctx, out):
        return out
    top = lines[r.zones["lines"] - 1][1] if len(lines) >= r.zones["lines"] else len(ctx.text)
    found = any(it.label == "legal" and it.start < top for it in items)
    for spans in _ner_spans(ctx, _zones(ctx, found), items):
        ents = _ner(ctx, spans, r.labels)
        if not ents:
            continue
        for ent in ents:
            inside = [it for it in items if ent.start <= it.start and it.end <= ent.end]
            if inside and all(it.label == "legal" for it in inside) and len(inside) == 1 \
                    and r.legal_words.search(ent.name):
                # the model read a longer name than the pattern (みどり運輸株式会社)
                items.remove(inside[0])
                items.append(OrgItem(ent.text, ent.start, ent.end, name=ent.name, label="legal"))
            elif not any(it.start < ent.end and ent.start < it.end for it in items):
                items.append(ent)
        out = _finish(ctx, items, selves)
        if _decided(ctx, out):
            break
    return out


def _add_own_lines(ctx: DocContext, r: OrgRules, items: list[OrgItem], lines: list[tuple[int, int]]) -> None:
    """Add to ``items`` each first or last line that is only a name (a letterhead, a signature)
    and holds no item yet. A short notice's first and last lines are the same lines: each is
    read once (a second look would find it covered by the item the first made, or refuse it
    again)."""
    to_norm, norm = _to_norm(ctx), ctx.norm.text
    for s, e in dict.fromkeys(lines[: r.zones["lines"]] + lines[-r.zones["footer_lines"]:]):
        m = r.own_line.match(norm[to_norm(s):to_norm(e)])
        if m and not any(it.start <= s and e <= it.end for it in items) and _is_valid(r, m.group()):
            items.append(OrgItem(ctx.text[s:e], s, e, name=m.group(), label="own_line"))


def _finish(ctx: DocContext, items: list[OrgItem], selves: list[OrgItem]) -> list[OrgItem]:
    """Candidates cut back to the bodies they name, with the self-references, in text order
    (one item per span)."""
    r = org_rules()
    whole = [w for w in (org_names.whole_item(ctx, it, lambda name: _is_valid(r, name)) for it in items)
             if w is not None]
    unique = {(it.start, it.end): it for it in reversed(whole + selves)}
    return sorted(unique.values(), key=lambda it: (it.start, it.end))


def _decided(ctx: DocContext, items: list[OrgItem]) -> bool:
    """The patterns and the layout decide the notice's own organisation: their best candidate
    scores ``decided_score`` or more with evidence that ties it to the author (a letterhead or
    signature line, X(以下「当社」), the kind 本市/当院 name, the head of the title) and is no
    regulator. A name only the model reads sits in prose the patterns found nothing in; it
    would need more than that evidence to win, so nothing is parsed."""
    r = org_rules()
    d = _decision(ctx, [it for it in items if not ctx.skipped(it.start)])
    return d.name is not None and d.score >= r.decided_score and bool(d.terms & r.decided_by) \
        and "not_subject" not in d.terms


# -- the notice's own organisation -------------------------------------------------------------

def _title_parts(ctx: DocContext) -> tuple[str, str]:
    """(the title proper, the site after its last "|"), both without white space."""
    return _split_title(ctx.title or "")


@lru_cache(maxsize=64)  # a document's title is split for each decision about it
def _split_title(title: str) -> tuple[str, str]:
    title = re.sub(r"\s+", "", unicodedata.normalize("NFKC", title))
    if "|" in title:
        main, _, site = title.rpartition("|")
        return main, site
    return title, ""


def _not_subject(r: OrgRules, key: str) -> bool:
    """The key holds the name of a regulator or platform (any of rules [not_subject])."""
    return r.not_subject_any is not None and r.not_subject_any.search(key) is not None


def _excluded(ctx: DocContext, name: str) -> bool:
    """A name that is never a notice's subject: no name at all, or a regulator or platform."""
    r = org_rules()
    return not _is_valid(r, name) or _not_subject(r, _core(r, name))


def _fits(name: str, self_words: set[str], r: OrgRules | None = None) -> bool:
    """The name is of the kind the notice's self-references speak for (本市 → X市)."""
    return any(fits.search(name) for fits in _fitting(r or org_rules(), self_words))


def _fitting(r: OrgRules, self_words: set[str]) -> list[re.Pattern[str]]:
    """The `fits` patterns of the kinds the self-references name: what _fits asks of a name,
    found once for each set of self-references (most notices say 当社 or 本市)."""
    key = frozenset(self_words)
    found = r.fitting.get(key)
    if found is None:
        found = _remember(r.fitting, key,
                          [fits for words, fits in r.self_kinds if any(words.fullmatch(w) for w in key)])
    return found


_LEGAL_TAIL = compiled.regex(r"(?:株式会社|\(株\))\s*$")
_LEGAL_HEAD = compiled.regex(r"\s*(?:株式会社|\(株\))")


def _skip_legal(norm: str, pos: int) -> int:
    m = _LEGAL_HEAD.match(norm, pos)
    return m.end() if m else pos


def _occurrences(text: str, word: str) -> list[tuple[int, int]]:
    """The spans of ``word`` in ``text``, left to right without overlap: those of
    ``re.finditer(re.escape(word), text)``, found with str.find."""
    if not word:
        return [m.span() for m in re.finditer("", text)]
    out, n = [], len(word)
    at = text.find(word)
    while at >= 0:
        out.append((at, at + n))
        at = text.find(word, at + n)
    return out


def _forms(ctx: DocContext, cands: list[OrgItem],
           r: OrgRules | None = None) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(key of each candidate core → pooled key, pooled key → the forms it is written in)."""
    r = r or org_rules()
    norm, to_norm = ctx.norm.text, _to_norm(ctx)
    # sorted by length, then by text: a set's order changes from run to run (hash seed)
    canon = org_names.pool(sorted({_core(r, it.name) for it in cands}, key=lambda k: (len(k), k)),
                           int(r.score["pool_chars"]))
    forms: dict[str, set[str]] = {}
    for short, long in canon.items():
        forms.setdefault(long, set()).add(short)
    for it in cands:  # NAME(ALIAS): the alias is another form of the name
        if it.label == "legal":
            pos = _skip_legal(norm, to_norm(it.end))
            m = r.alias.match(norm[pos:pos + 40])
            key = canon[_core(r, it.name)]
            if m and not r.legal_words.fullmatch(m.group(1)) and m.group(1) != key:
                alias = m.group(1)
                forms[key] |= forms.pop(canon.get(alias, alias), {alias})
                canon.update({k: key for k, v in canon.items() if v == alias or k == alias})
    return canon, forms


@dataclass
class _Evidence:
    """What one document offers as evidence about each candidate (see rules/org.toml [score])."""

    ctx: DocContext
    self_words: set[str]
    main_title: str
    site: str
    edge: list[tuple[int, int]]  # the header and footer lines, in text order (they never overlap)
    first_in_title: str | None = None
    only_in_title: bool = False  # the first candidate in the title is the only one there
    outer: dict[str, set[tuple[int, int]]] | None = None  # each key's mention spans
    r: OrgRules | None = None  # the rules the evidence is read with (default: org_rules())
    fitting: list[re.Pattern[str]] | None = None  # _fitting of self_words

    def __post_init__(self) -> None:
        self.r = self.r or org_rules()
        self.fitting = _fitting(self.r, self.self_words)
        self.edge = sorted(self.edge)
        self._edge_starts = [ls for ls, _ in self.edge]

    def fits(self, name: str) -> bool:
        """_fits(name, self_words)."""
        return any(f.search(name) for f in self.fitting or ())

    def own_line(self, a: int, b: int) -> bool:
        """_own_line over the edge lines: only the line starting last at or before ``a`` can
        hold a mention norm[a:b] (lines do not overlap)."""
        i = bisect_right(self._edge_starts, a) - 1
        if b <= a or i < 0:
            return _own_line(self.r, self.ctx.norm.text, a, b, self.edge)  # an empty span: as ever
        return _own_line(self.r, self.ctx.norm.text, a, b, self.edge[i:i + 1])

    def spans_of(self, forms: set[str]) -> set[tuple[int, int]]:
        norm = self.ctx.norm.text
        spans = {sp for f in forms for sp in _occurrences(norm, f)}
        if not self.ctx.skip:
            return spans  # no repeated region to leave out
        return {sp for sp in spans if not self.ctx.skipped(self.ctx.norm.span(*sp)[0])} or spans

    def terms(self, key: str, forms: set[str], names: list[str]) -> tuple[dict[str, float], int]:
        """The weight each kind of evidence adds to a candidate (only those that apply), and
        its number of mentions."""
        r, norm = self.r or org_rules(), self.ctx.norm.text
        w = r.score
        # the key's mentions, found once for ``outer``
        spans = self.outer[key] if self.outer and key in self.outer else self.spans_of(forms)
        # a mention inside a longer candidate's is that one's (長崎県 in 長崎県警察)
        longer = [sp for k, sps in (self.outer or {}).items() if k != key for sp in sps]
        if longer:
            spans = _not_inside(spans, longer) or spans
        ends = [_skip_legal(norm, b) for _, b in spans]
        before = [_LEGAL_TAIL.sub("", norm[max(0, a - 30):a]) for a, _ in spans]
        fits = any(self.fits(n) for n in names)
        in_title = any(f in self.main_title for f in forms)
        kinds = {
            "legal": any(r.legal_words.search(n) for n in names),
            "title": in_title,
            "title_first": key == self.first_in_title,
            # news and regulator texts: the body acted on is the subject
            "target": not self.self_words and any(r.target.match(norm[e:e + 80]) for e in ends),
            "third_party": any(r.third_party.search(b) for b in before),  # a contractor of the author
            "self_link": any(r.link_after.match(norm[e:e + 40]) for e in ends)
            or any(r.link_before.search(b) for b in before),
            "own_line": any(self.own_line(a, b) for a, b in spans),
            "self_kind": fits,
            # a regulator or the police speaking for itself: 当局 fits it, or it alone heads the title
            "not_subject": _not_subject(r, key) and not (fits or (key == self.first_in_title and self.only_in_title)),
            "publisher": bool(self.site) and any(f in self.site for f in forms) and not in_title and not fits,
        }
        terms = {"mention": min(len({a for a, _ in spans}), int(w["mention_cap"])) * w["mention"]}
        terms.update((k, w[k]) for k, on in kinds.items() if on)
        return terms, len(spans)


def _not_inside(spans: set[tuple[int, int]], longer: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The spans that lie inside none of the ``longer`` spans (a span holds itself, but is not
    longer than itself). A long notice has dozens of mentions of each of a dozen names: each
    span is then compared only with the longer spans that start near enough before it to
    reach it (found by bisect), not with all of them."""
    if len(spans) * len(longer) <= 64:
        return {(a, b) for a, b in spans if not any(x <= a and b <= y and y - x > b - a for x, y in longer)}
    longer = sorted(longer)
    starts = [x for x, _ in longer]
    widest = max(y - x for x, y in longer)
    out = set()
    for a, b in spans:
        # a span that holds norm[a:b] starts at or before a, and not before b - widest
        near = longer[bisect_left(starts, b - widest):bisect_right(starts, a)]
        if not any(b <= y and y - x > b - a for x, y in near):
            out.add((a, b))
    return out


@dataclass(frozen=True)
class _Decision:
    """The notice's organisation, with the winner's score and the kinds of evidence it has."""
    name: str | None  # the notice's organisation
    score: float = 0.0  # the winner's score ...
    terms: frozenset[str] = frozenset()  # ... and the kinds of evidence it has


def document_org(ctx: DocContext, items: list[OrgItem]) -> str | None:
    """The organisation the notice is about (None when no candidate survives)."""
    return _decision(ctx, items).name


# the last decision made, with what it was made from: extract() decides with the items that the
# pipeline then hands to document_org()
_last: list = [None, None]


def _decision(ctx: DocContext, items: list[OrgItem]) -> _Decision:
    key = (org_rules(), ctx.text, ctx.title, tuple(items))
    last_key, last = _last
    if last_key is not None and all(a is b or a == b for a, b in zip(key, last_key)):
        return last
    out = _decide(ctx, items, key[0])
    _last[:] = [key, out]
    return out


def _decide(ctx: DocContext, items: list[OrgItem], r: OrgRules | None = None) -> _Decision:
    r = r or org_rules()
    cands = [it for it in items if it.label != "self_ref" and _is_valid(r, it.name)]
    if not cands:
        return _Decision(None)
    canon, forms = _forms(ctx, cands, r)
    main_title, site = _title_parts(ctx)
    lines = _nonblank_lines(ctx.norm.text)
    ev = _Evidence(ctx, {it.name for it in items if it.label == "self_ref"}, main_title, site,
                   list(set(lines[: r.zones["lines"]] + lines[-r.zones["footer_lines"]:])), r=r)
    firsts = {k: min(main_title.find(f) for f in fs if f in main_title)
              for k, fs in forms.items() if any(f in main_title for f in fs)}
    ev.first_in_title = min(firsts, key=lambda k: firsts[k], default=None)
    speaks = r.speaks
    ev.only_in_title = len(firsts) == 1 and bool(speaks[0].search(main_title)) \
        and not speaks[1].search(main_title)
    ev.outer = {key: ev.spans_of(fs) for key, fs in forms.items()}
    pooled = [(canon[_core(r, it.name)], it.name) for it in cands]
    names = {key: [name for k, name in pooled if k == key] for key in forms}
    terms = {key: ev.terms(key, fs, names[key]) for key, fs in forms.items()}
    # the most evidence; then the most mentions, the longest name
    scores = {key: (sum(t.values()), n, len(key)) for key, (t, n) in terms.items()}
    best = max(scores, key=lambda k: scores[k])
    kinds = frozenset(terms[best][0])
    parent = org_names.facility_parent(best)
    if parent and not any(f in main_title for f in forms[best]) and \
            not any(ev.fits(n) for n in names[best]):
        return _Decision(parent, scores[best][0], kinds)  # a municipal facility that does not speak for itself
    return _Decision(max(names[best], key=len, default=best), scores[best][0], kinds)


def _own_line(r: OrgRules | None, norm: str, a: int, b: int, edge: list[tuple[int, int]]) -> bool:
    """The mention at norm[a:b] stands (nearly) alone on a header or footer line."""
    for ls, le in edge:
        if ls <= a and b <= le:
            r = r or org_rules()
            rest = r.legal_words.sub("", norm[ls:a] + norm[b:le])
            # a short sentence (Xは調査中です。) is no letterhead
            return len(_SPACES.sub("", rest)) <= r.score["own_line_chars"] and "。" not in rest
    return False


# -- an incident's organisation -----------------------------------------------------------------

_TITLE_PREFIX = compiled.regex(r"^(?:【[^】]*】|\[[^\]]*\]|\d{1,2}[.)、]|\(\d{1,2}\))\s*")


def incident_org(ctx: DocContext, items: list[OrgItem], start: int, end: int) -> str | None:
    """The organisation an incident's title names (an archive post's title), else None.

    Looks at the first lines of the incident: a pattern candidate anywhere on the line, or a
    named entity that opens the title and ends at a space or particle (東京電力 組織的…)."""
    r, to_norm = org_rules(), _to_norm(ctx)
    for ls, le in _nonblank_lines(ctx.text, start, end, 4):
        ns, ne = to_norm(ls), to_norm(le)
        line = ctx.norm.text[ns:ne]
        found = [it for it in _pattern_items(ctx, ns, ne) if not _excluded(ctx, it.name)]
        if not found and not r.prose.search(line):  # a sentence is no post title: not parsed
            head = _TITLE_PREFIX.match(line)
            hs = ctx.norm.span(ns, ns + head.end())[1] if head and head.end() else ls
            for it in _ner(ctx, [(hs, le)], r.labels | r.title_labels):
                after = ctx.norm.text[to_norm(it.end):ne][:1]
                if it.start == hs and (not after or after.isspace() or after in "、はがでの") \
                        and not _excluded(ctx, it.name):
                    found.append(it)
        if found:
            first = min(found, key=lambda it: (it.start, it.label != "legal", -len(it.name)))
            return first.name
    return None
