"""Is the document a leak notice? The record's ``leak_notice`` flag (SPEC section 2).

Fetching by feed or sitemap brings in pages that are not leak notices: announcements,
financial notices, listings, how-to guides and templates about leaks (whose sample notices
read like real ones), law explainers, privacy policies, outage notices, pages not in Japanese.
A page is a leak notice when it is in Japanese, its title is of no other genre, and at least
one sentence reports a leak event (a leak or incident word with a predicate that says it
happened or may have: 流出した可能性があります). Advice and hypotheticals (漏えいが発生した場合)
and denials (個人情報の流出はございません) report nothing. The rules are rules/notice.toml.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from rouei.extract.core import compiled, rules
from rouei.extract.doc.context import DocContext
from rouei.extract.fields.causes import norm_spans
from rouei.extract.fields.cue_index import CueIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Genre:
    """A page genre of rules/notice.toml that is not a leak notice, and where it is looked for."""
    kind: str
    regex: re.Pattern[str]
    in_title: bool  # False: searched in the whole text
    strong: bool
    unless: re.Pattern[str] | None = None  # a title that matches this is not of the genre


@dataclass(frozen=True)
class NoticeRules:
    """rules/notice.toml compiled: the language shares, genres and leak event patterns."""
    min_japanese: float
    min_kana: float
    genres: tuple[Genre, ...]
    leak: re.Pattern[str]
    report: re.Pattern[str]
    title_event: re.Pattern[str]
    not_event: re.Pattern[str]
    min_events: int
    weak_min_events: int
    # the sentences that can hold a leak word, from its literal factors: one search of the
    # text rules out most of them (None: every sentence is tried)
    leak_index: CueIndex | None = None


@cache
def _compiled(_stamp: str) -> NoticeRules:
    cfg = rules.load("notice")
    genres = tuple(Genre(g["kind"], rules.compile_pattern(g["pattern"]), g["where"] == "title",
                         bool(g["strong"]),
                         rules.compile_pattern(g["unless"]) if g.get("unless") else None)
                   for g in cfg["genre"])
    ev = cfg["event"]
    leak = rules.compile_pattern(ev["leak"])
    return NoticeRules(
        min_japanese=float(cfg["language"]["min_japanese"]),
        min_kana=float(cfg["language"]["min_kana"]), genres=genres,
        leak=leak, report=rules.compile_pattern(ev["report"]),
        title_event=rules.compile_pattern(ev["title"]),
        not_event=rules.compile_pattern("|".join(f"(?:{n['pattern']})" for n in cfg["not_event"])),
        min_events=int(cfg["settings"]["min_events"]),
        weak_min_events=int(cfg["settings"]["weak_min_events"]), leak_index=CueIndex.of([leak]))


def notice_rules() -> NoticeRules:
    return _compiled(rules.rules_hash_cached())


def script_of(ch: str) -> str:
    """The script class of one character: "kana", "kanji", "letter" (another letter) or ""
    (not a letter)."""
    if not ch.isalpha():
        return ""
    name = unicodedata.name(ch, "")
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "kana"
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")):
        return "kanji"
    return "letter"


class _ScriptMarks(dict[int, str | None]):
    """A str.translate table that turns a kana into "k", a kanji into "j", another letter into
    "l" and drops the rest, filled as characters are first seen (a notice repeats a few
    hundred distinct characters)."""

    _MARK = {"kana": "k", "kanji": "j", "letter": "l", "": None}

    def __missing__(self, code: int) -> str | None:
        mark = self[code] = self._MARK[script_of(chr(code))]
        return mark


_SCRIPT_MARKS = _ScriptMarks()


def japanese_share(text: str) -> tuple[float, float]:
    """(share of kana and kanji, share of kana) among the letters of ``text``; (0, 0) when it
    has no letters."""
    counts = _BLOCKS.counts(text)
    if counts is None:  # a character beyond the BMP, or a lone surrogate
        marks = text.translate(_SCRIPT_MARKS)  # one mark per letter, in C
        counts = len(marks), marks.count("k"), marks.count("j")
    letters, kana, kanji = counts
    if not letters:
        return 0.0, 0.0
    return (kanji + kana) / letters, kana / letters


class _BlockCounts:
    """Counts of letters, kana and kanji in a text of the BMP, from its UTF-16 code units
    without a step per character in Python or a lookup per character in C.

    The encoder splits each character into a high byte (its block of 256 code points) and a
    low byte; bytes.translate, a bitwise AND of two big integers and int.bit_count then count
    in C at a few nanoseconds a character. A block is read with script_of the first time a
    text holds one of its characters. The characters of most blocks met are all of one kind
    (a block of kanji: 0x4E00-0x4EFF), counted by their high byte alone; a mixed block (kana
    beside 、。「」 in 0x3000-0x30FF, letters beside digits in ASCII) needs its low bytes
    too: a character is counted when its high byte is the block's and its low byte one of the
    kind's there."""

    KINDS = ("letter", "kana", "kanji")  # letter: any letter (kana and kanji too)

    def __init__(self) -> None:
        self.known = b""  # the high bytes of the blocks read so far (a bytes.translate delete set)
        self.whole = [b"", b"", b""]  # per kind: the blocks all of whose characters are of it
        # the blocks of mixed kinds: (high byte, a table that marks its units, per kind a table
        # that marks the low bytes of the kind's characters in it, or None: none or all are)
        self.mixed: list[tuple[bytes, bytes, list[bytes | None]]] = []

    def _read(self, block: int) -> None:
        # 256 script_of calls a block, some 50 blocks in a process: kept in the compiled-regex
        # store between runs (core.compiled.kept), with a digest of this file and the Unicode
        # version script_of reads
        whole, members = compiled.kept(
            compiled.variant("script blocks", __file__), f"{block} {unicodedata.unidata_version}",
            lambda: self.kinds(block))
        for k, all_of_kind in enumerate(whole):
            if all_of_kind:
                self.whole[k] += bytes([block])
        if any(members):
            self.mixed.append((bytes([block]), bytes(int(i == block) for i in range(256)), members))
        self.known += bytes([block])

    @classmethod
    def kinds(cls, block: int) -> tuple[tuple[bool, ...], list[bytes | None]]:
        """Per kind: whether every character of ``block`` is of the kind, and a table marking
        the low bytes of its characters of the kind (None when none or all are)."""
        scripts = [script_of(chr(block << 8 | low)) for low in range(256)]
        whole: list[bool] = []
        members: list[bytes | None] = []
        for kind in cls.KINDS:
            member = bytes(1 if (s != "" if kind == "letter" else s == kind) else 0 for s in scripts)
            whole.append(all(member))
            members.append(member if any(member) and not all(member) else None)
        return tuple(whole), members

    def counts(self, text: str) -> tuple[int, int, int] | None:
        """(letters, kana, kanji) in ``text``; None when it has a character beyond the BMP (two
        code units) or a lone surrogate."""
        try:
            units = text.encode("utf-16-be")
        except UnicodeEncodeError:
            return None
        if len(units) != 2 * len(text):
            return None
        high, low = units[0::2], units[1::2]
        for new in set(high.translate(None, self.known)):  # blocks not met before
            self._read(new)
        n = [len(high) - len(high.translate(None, whole)) for whole in self.whole]
        for block, only, members in self.mixed:
            if block in high:
                ours = int.from_bytes(high.translate(only), "big")  # 1 where a unit is the block's
                for k, member in enumerate(members):
                    if member is not None:
                        n[k] += (ours & int.from_bytes(low.translate(member), "big")).bit_count()
        return n[0], n[1], n[2]


_BLOCKS = _BlockCounts()


def main_title(title: str | None) -> str:
    """The title without white space and without the site name after its last "|"."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", title or ""))
    parts = [p for p in flat.split("|") if p]
    return "|".join(parts[:-1]) if len(parts) > 1 else flat


_QUOTED = compiled.regex(r"「[^」]*」|『[^』]*』")


def genres_of(title: str, text: str, r: NoticeRules | None = None) -> list[Genre]:
    """The genres the title (or, for text-wide genres, the text) shows, in rule order. The
    words that make a genre give way (``unless``) count only outside 「」 and 『』: a quoted
    name is the product's or the event's (セミナー「ランサムウェア被害から学ぶ」開催)."""
    r = r or notice_rules()
    plain = _QUOTED.sub("", title)
    out = []
    for g in r.genres:
        if g.in_title:
            if g.regex.search(title) and not (g.unless is not None and g.unless.search(plain)):
                out.append(g)
        # a text-wide genre: the title's exemption first, one search of the title can spare
        # one of the whole text
        elif not (g.unless is not None and g.unless.search(plain)) and g.regex.search(text):
            out.append(g)
    return out


def is_event(sentence: str, r: NoticeRules | None = None) -> bool:
    """The normalised sentence reports a leak event: a leak word, a reporting predicate after
    it, and no advice, hypothetical or denial."""
    r = r or notice_rules()
    m = r.leak.search(sentence)
    if m is None or not r.report.search(sentence, m.start()):
        return False
    return not r.not_event.search(sentence)


def event_sentences(ctx: DocContext, r: NoticeRules | None = None) -> list[tuple[int, int]]:
    """(start, end) in the analysed text of the sentences that report a leak event."""
    return list(_events(ctx, r or notice_rules()))


def _events(ctx: DocContext, r: NoticeRules) -> Iterator[tuple[int, int]]:
    """event_sentences, one at a time: the leak notice test stops at the first few."""
    text = ctx.norm.text
    spans = norm_spans(ctx)
    index = r.leak_index
    for (s, e), (ns, ne) in zip(ctx.sentences, spans):
        if index is not None and not index.any_in(text, ns, ne):
            continue  # no leak word in the sentence: no event
        if ctx.skipped(s):
            continue
        if is_event(text[ns:ne], r):
            yield s, e


def _header_names_leak(ctx: DocContext, r: NoticeRules) -> bool:
    """A line of the header block names a leak (the page's first line is only お知らせ, the
    notice's own title comes below it)."""
    head = ctx.layout.header
    return head is not None and any(r.leak.search(ln.text) for ln in head.lines)


def is_leak_notice(ctx: DocContext) -> bool:
    """Whether the document reports a leak, a possible leak or a suspected leak."""
    r = notice_rules()
    text = ctx.norm.text
    share, kana = japanese_share(text)
    if share < r.min_japanese or kana < r.min_kana:
        log.debug("%s: not in Japanese", ctx.doc_id)
        return False
    title = main_title(ctx.title)
    genres = genres_of(title, text, r)
    strong = [g.kind for g in genres if g.strong]
    if strong:
        log.debug("%s: a page of genre %s", ctx.doc_id, strong)
        return False
    need = r.min_events
    if genres and not r.leak.search(title) and not _header_names_leak(ctx, r):
        need = r.weak_min_events
    found = int(bool(r.title_event.search(title)))
    for _ in _events(ctx, r):
        if found >= need:
            break  # enough: the rest of the text cannot change the answer
        found += 1
    if found < need:
        log.debug("%s: %d event sentences, %d needed", ctx.doc_id, found, need)
    return found >= need
