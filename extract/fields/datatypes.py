"""Kinds of leaked data (SPEC section 3), and the ones a notice says were NOT involved.

A word from rules/datatypes.toml counts only where the text talks about leaked or held data
(rules/datatype_context.toml): its sentence says so, a label before it does (漏えい情報:…), it
lies in a section the notice's layout (ctx.layout) marks as leaked data, or it is a list line
under a sentence that introduces one. Words naming a means of access, a contact address, the
organisation's own details or a prevention step are dropped. Whether an item was NOT involved
is read from the heading or label (a regex), or, inside a sentence, from the GiNZA parse
(extract/negation.py) — parsed only for sentences that hold an item and a negation cue."""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from rouei.extract.core import compiled
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import DataTypeItem
from rouei.extract.doc.layout import Line, Section
from rouei.extract.doc.text import find_all
from rouei.extract.fields import negation
from rouei.extract.fields.datatype_rules import Rules as _Rules
from rouei.extract.fields.datatype_rules import current as _rules
from rouei.extract.fields.datatype_rules import term_of as _term_of

log = logging.getLogger(__name__)

_MAX_WALK = 25  # lines a list may run below its heading
_SHORT_HEADING = 50  # a heading this short needs no 「以下のとおり」
_MAX_PARSE = 600  # longer sentences are parsed only around the list being judged
_WINDOW_BEFORE, _WINDOW_AFTER = 80, 150
_MAX_WRAPS = 3
_MIN_WRAPPED = 15  # a line shorter than this is a heading or an item, not a wrapped sentence
_CLOSING = set("。.!?！？:：】」』)）")
# where a clause ends when there is no parse: 「…含まれていますが、」「…含まれており、」「…のみで、」
_CLAUSE_END = compiled.regex(r"が、|けれど|一方|(?:おり|あり|いて|であり|で|し|て)、")
# layout section kinds whose lines describe the leaked records: the data, or their numbers
# (「2 対象者数」 ⏎ 「会員(氏名、メールアドレス)1,024名」)
_LEAKED_KINDS = frozenset({"leaked_data", "counts"})
_BRACKETED = compiled.regex(r"[((][^()()]*[))]")
_BLANKS = compiled.regex(r"[ \t]*")
_COLON_CHARS = (":", "：")


@dataclass(slots=True)
class _Hit:
    """A lexicon term found in the normalised copy, with its sentence and how it was found."""
    ns: int  # span in the normalised copy
    ne: int
    category: str
    sent: tuple[int, int]  # its sentence, in the normalised copy
    mode: str = ""  # sentence | label | section | heading (a list's intro) | value
    leaked: bool = True
    excepted: bool = False  # 「住所以外」: only the parse can judge it
    listed: bool = False  # a general word (画像): kept only as a list item or a label's value


# ---------------------------------------------------------------------------------------
# Lines and headings


def _is_item_line(r: _Rules, line: Line) -> bool:
    """A list line: it starts with a bullet or number, or is a short line that is not a
    sentence (a sentence ends with 。)."""
    if line.style is not None or r.item_marker.match(line.text):
        return True
    return len(line.text) <= 80 and "。" not in line.text


def _list_intro(ctx: DocContext, r: _Rules, line: Line) -> str | None:
    """For a list line outside any section of leaked data: the line above the list that
    introduces it (「流出した可能性のある情報は以下のとおりです。」, or a short title the
    layout took for the page header). Walk up the layout's lines over the list's other lines;
    None when the walk meets anything else first (a paragraph, another section, a contact)."""
    lines = ctx.layout.lines
    for prev in reversed(lines[max(0, line.index - _MAX_WALK):line.index]):
        text = prev.text
        if r.heading_exclude.search(text) or r.exclude.search(text):
            return None
        if r.heading.search(text):
            if len(text) <= _SHORT_HEADING or r.list_intro.search(text):
                return text
            # a paragraph (not itself a list item) whose last sentence says data leaked
            last = re.split(r"(?<=。)", text.rstrip("。"))[-1]
            ok = r.strong_heading.search(last) and not r.item_marker.match(text)
            return text if ok else None
        if r.lexicon.search(text) and _is_item_line(r, prev):
            continue
        if (prev.style is not None or r.item_marker.match(text)) and len(text) <= 60 and (
                not r.section_heading.match(text) or r.data_words.search(text)):
            continue  # an item outside the lexicon, or a sub-heading (1)キャンペーン参加者の情報)
        return None
    return None


def _in_link_list(ctx: DocContext, r: _Rules, line: Line, index: _SectionIndex | None = None) -> bool:
    """Is the line one of a list of links (関連記事, 人気記事) whose lines are headlines of other
    incidents? Its section is chrome, or short lines above it lead to such a heading."""
    held = _sections_at(ctx, line.start) if index is None else index.at(line.start)
    if any(sec.kind == "chrome" for sec in held):
        return True
    lines = ctx.layout.lines
    for prev in reversed(lines[max(0, line.index - _MAX_WALK):line.index]):
        if r.link_list.match(prev.text):
            return True
        if not _is_item_line(r, prev):
            return False
    return False


def _sections_at(ctx: DocContext, pos: int) -> list[Section]:
    """The sections holding ``pos`` (the plain form of ``_SectionIndex.at``)."""
    return [s for s in ctx.layout.all_sections if s.start <= pos < s.end]


class _SectionIndex:
    """``_sections_at`` for one document, answered once per stretch of text: which sections
    hold a position changes only where one starts or ends, so the answer is kept by the
    stretch between two such places (a list puts many words in one)."""

    def __init__(self, sections: list[Section]) -> None:
        self.sections = sections
        self.bounds = sorted({s.start for s in sections} | {s.end for s in sections})
        self.found: dict[int, list[Section]] = {}
        self.leaked: dict[int, Section | None] = {}  # _leaked_section's answer by stretch

    def stretch(self, pos: int) -> int:
        return bisect_right(self.bounds, pos)

    def at(self, pos: int) -> list[Section]:
        i = bisect_right(self.bounds, pos)
        got = self.found.get(i)
        if got is None:
            got = self.found[i] = [s for s in self.sections if s.start <= pos < s.end]
        return got


def _introducing_sentence(r: _Rules, heading: str) -> str:
    """The sentence of a heading line that introduces the list (「…以下のとおりです。」), else
    its last sentence: 「以下に限られます。なお、カード情報は含まれません。」 is not negated."""
    parts = [p for p in re.split(r"(?<=。)", heading) if p.strip()]
    for p in parts:
        if r.list_intro.search(p):
            return p
    return parts[-1] if parts else heading


def _unbracketed(text: str) -> str:
    """The text without its bracketed remarks: in 「漏えいした情報(カード情報は含まれません)」
    the remark speaks for the words inside it, not for the list under the heading."""
    prev = None
    while prev != text:
        prev, text = text, _BRACKETED.sub("", text)
    return text


def _label_before(r: _Rules, norm: str, sent: tuple[int, int], ns: int,
                  colons: list[int] | None = None) -> str | None:
    """The label of 「漏えい情報:氏名、住所」: the sentence text before the last colon ahead of
    the word, when it names leaked data. ``colons``: where the text has one (else searched)."""
    if colons is None:
        colon = max(norm.rfind(":", sent[0], ns), norm.rfind("：", sent[0], ns))
    else:
        # the last colon before the word: a long sentence (a PDF page) is not read back to it
        i = bisect_left(colons, ns) - 1
        colon = colons[i] if i >= 0 and colons[i] >= sent[0] else -1
    if colon < 0:
        return None
    label = norm[sent[0]:colon]
    return label if r.heading.search(label) and not r.heading_exclude.search(label) else None


# ---------------------------------------------------------------------------------------
# Finding and placing the words


def _joined(ctx: DocContext, r: _Rules, sent: tuple[int, int]) -> tuple[int, int]:
    """The analysed sentence ``sent`` as a normalised span, joined across the line breaks of
    wrapped PDF text."""
    norm = ctx.norm.text
    ns, ne = ctx.norm.to_norm(sent[0]), ctx.norm.to_norm(sent[1])
    for _ in range(_MAX_WRAPS):
        line_start = norm.rfind("\n", 0, ne) + 1
        if (norm[ne:ne + 1] != "\n" or ne - line_start < _MIN_WRAPPED
                or norm[ne - 1:ne] in _CLOSING or not r.wrapped.match(norm[ne + 1:ne + 40])):
            break
        indent = _BLANKS.match(norm, ne + 1)  # the next line's, always found (maybe empty)
        nxt = indent.end() if indent else ne + 1
        ne = max(ne, ctx.norm_sentence_at(ctx.norm.span(nxt, nxt + 1)[0])[1])
    return ns, ne


def _candidates(ctx: DocContext, r: _Rules) -> list[_Hit]:
    norm = ctx.norm.text
    starts = ctx.norm.starts  # analysed position of each normalised character
    seen = r.seen  # term_of's answers so far
    after, after_direct, before_term = r.after.search, r.after_direct.search, r.before.search
    hits = []
    sent = (0, 0)  # the analysed sentence of the last word, and its joined normalised span
    span = (0, 0)
    for m in r.lexicon.finditer(norm):
        word = m.group()
        term = seen[word] if word in seen else _term_of(r, word)
        if term is None:
            continue
        cat, listed = term
        ms, me = m.span()
        before = norm[max(0, ms - 12):ms]
        following = norm[me:me + 40]
        if after(following) or after_direct(following) or before_term(before):
            continue
        if cat in r.contact_categories and r.before_contact.search(before):
            continue
        pos = starts[ms]
        # words come in text order, and a list holds several in one sentence: its span is
        # worked out once (sentences do not overlap, so one holding pos is sentence_at(pos))
        if not sent[0] <= pos < sent[1]:
            sent = ctx.sentence_at(pos)
            span = _joined(ctx, r, sent)
        hits.append(_Hit(ms, me, cat, span, "", True, bool(r.exception_after.match(following)), listed))
    return hits


def _leaked_section(ctx: DocContext, hit: _Hit, index: _SectionIndex | None = None) -> Section | None:
    """The innermost section of the notice's layout that holds the hit and names a kind, when
    that kind is leaked data or their numbers (with ``index``: answered once per stretch)."""
    pos = ctx.norm.span(hit.ns, hit.ne)[0]
    if index is None:
        return _leaked_among(_sections_at(ctx, pos))
    i = index.stretch(pos)
    if i not in index.leaked:
        index.leaked[i] = _leaked_among(index.at(pos))
    return index.leaked[i]


def _leaked_among(held: list[Section]) -> Section | None:
    found = [s for s in held if s.kind]
    if not found or any(s.kind == "chrome" for s in found):
        return None  # a related-articles list: its lines are other incidents' headlines
    sec = max(found, key=lambda s: s.level)
    if sec.kind == "counts" and "数" not in sec.heading:
        return None  # 「対象者への対応」 names people, not their numbers
    return sec if sec.kind in _LEAKED_KINDS else None


def _opens(ctx: DocContext, section: Section, line: Line) -> bool:
    """Is the line the heading or the first line under it? Prose further down a
    section (a remark, a step taken) must say itself that data leaked."""
    first = ctx.layout.line_at(section.start)
    return first is not None and line.index <= first.index + 1


@dataclass
class _Memo:
    """What _place learns once per document: a list often holds several words on one line and
    in one sentence, which share these answers."""

    facts: dict[tuple[int, int], tuple[bool, bool, bool]] = field(default_factory=dict)
    # by line index: (is a list line, has a bullet, in a list of links); its list's intro
    lines: dict[int, tuple[bool, bool, bool]] = field(default_factory=dict)
    intros: dict[int, str | None] = field(default_factory=dict)
    # regex verdicts by the text judged (a section's heading, a list's intro): does it deny?
    denied: dict[str, bool] = field(default_factory=dict)
    sections: _SectionIndex | None = None  # made on first use
    colons: list[int] | None = None  # where the normalised text has a colon; on first use


def _facts(r: _Rules, norm: str, hit: _Hit, memo: _Memo) -> tuple[bool, bool, bool]:
    """(excluded, talks of leaked data, holds a negation cue) for the hit's sentence — or, in
    an overlong sentence, for the clauses around it. Computed once per span."""
    sent = hit.sent
    span = sent if sent[1] - sent[0] <= _MAX_PARSE else _window(norm, sent, hit.ns, hit.ne)
    got = memo.facts.get(span)
    if got is None:
        text = norm[span[0]:span[1]]
        got = memo.facts[span] = (bool(r.exclude.search(text)), bool(r.leak.search(text)),
                                  bool(r.neg.cue.search(text)))
    return got


def _denied(r: _Rules, text: str, memo: _Memo) -> bool:
    """negation.text_negated of the text without its bracketed remarks, once per text."""
    got = memo.denied.get(text)
    if got is None:
        got = memo.denied[text] = negation.text_negated(_unbracketed(text), r.neg)
    return got


def _line_facts(ctx: DocContext, r: _Rules, line: Line, memo: _Memo) -> tuple[bool, bool, bool]:
    """(a list line, a bulleted line, in a list of links) for a line."""
    got = memo.lines.get(line.index)
    if got is None:
        item = _is_item_line(r, line)
        bullet = line.style is not None or bool(r.item_marker.match(line.text))
        got = memo.lines[line.index] = (item, bullet, item and _in_link_list(ctx, r, line, _index(ctx, memo)))
    return got


def _index(ctx: DocContext, memo: _Memo) -> _SectionIndex:
    if memo.sections is None:
        memo.sections = _SectionIndex(ctx.layout.all_sections)
    return memo.sections


def _leaked_section_at(ctx: DocContext, memo: _Memo, pos: int) -> Section | None:
    """_leaked_section of a hit starting at analysed position ``pos``, once per stretch."""
    index = memo.sections or _index(ctx, memo)
    i = bisect_right(index.bounds, pos)
    try:
        return index.leaked[i]
    except KeyError:
        got = index.leaked[i] = _leaked_among(index.at(pos))
        return got


def _colons(norm: str) -> list[int]:
    """Where ``norm`` has a colon, half or full width, in order."""
    return find_all(norm, _COLON_CHARS)


def _place(ctx: DocContext, r: _Rules, norm: str, hit: _Hit, memo: _Memo) -> bool:
    """Set the hit's mode (and, outside sentences, its verdict); False drops it."""
    excluded, leak, cue = _facts(r, norm, hit, memo)
    if excluded:
        return False
    if hit.excepted:  # judged by the parse of its sentence, or not at all
        hit.mode = "sentence"
        return leak
    if r.value_none.match(norm[hit.ne:hit.ne + 30]):
        hit.mode, hit.leaked = "value", False
        return True
    if memo.colons is None:
        memo.colons = _colons(norm)
    label = _label_before(r, norm, hit.sent, hit.ns, memo.colons)
    if label is not None:
        hit.mode = "label"
        sentence = norm[hit.sent[0]:hit.sent[1]]
        inner = negation.paren_negated(sentence, hit.ns - hit.sent[0], hit.ne - hit.sent[0], r.neg)
        if inner is None:
            inner = negation.text_negated(_unbracketed(label), r.neg)
        hit.leaked = not inner
        return True
    pos = ctx.norm.starts[hit.ns]  # where the word starts in the analysed text
    line = ctx.layout.line_at(pos)
    if line is None:
        return False
    item, bullet, links = memo.lines.get(line.index) or _line_facts(ctx, r, line, memo)
    if links:
        return False
    section = _leaked_section_at(ctx, memo, pos)
    if section is not None and (item or _opens(ctx, section, line)):
        # under a heading that names leaked data (1 流出の可能性がある個人情報): the section
        # says they leaked, unless the heading denies it or a note in the section does
        # (※住所、電話番号の漏えいはありません), which the parse judges
        denied = _denied(r, section.heading, memo)
        hit.mode = "section" if denied or not cue else "sentence"
        hit.leaked = not denied
        return True
    if line.index not in memo.intros:
        memo.intros[line.index] = _list_intro(ctx, r, line) if bullet or item else None
    heading = memo.intros[line.index]
    if heading is not None and not (leak and cue) and (bullet or not leak):
        hit.mode = "heading"
        hit.leaked = not _denied(r, _introducing_sentence(r, heading), memo)
        return True
    if leak:
        hit.mode = "sentence"
        return True
    return False


def _groups(r: _Rules, norm: str, hits: list[_Hit]) -> list[list[_Hit]]:
    """Runs of sentence-mode hits in one sentence joined only by list separators."""
    groups: list[list[_Hit]] = []
    for h in hits:
        if h.mode != "sentence":
            continue
        prev = groups[-1][-1] if groups else None
        if prev is not None and prev.sent == h.sent and r.separator.match(norm[prev.ne:h.ns]):
            groups[-1].append(h)
        else:
            groups.append([h])
    return groups


def _parse_window(norm: str, group: list[_Hit]) -> tuple[int, int]:
    """What to parse for a list: its sentence, or in an overlong sentence (a PDF page without
    。) the clauses around the list, cut at commas so that the piece still parses."""
    return _window(norm, group[0].sent, group[0].ns, group[-1].ne)


def _window(norm: str, sent: tuple[int, int], first: int, last: int) -> tuple[int, int]:
    """_parse_window of a list whose first word starts at ``first`` and last ends at ``last``."""
    ss, se = sent
    if se - ss <= _MAX_PARSE:
        return sent
    start = norm.rfind("、", ss, max(ss, first - _WINDOW_BEFORE)) + 1 or ss
    end = norm.find("、", min(se, last + _WINDOW_AFTER), se)
    return max(ss, start), (se if end < 0 else end + 1)


def _fallback_negated(r: _Rules, norm: str, hit: _Hit) -> bool:
    """Without a model: does the clause after the word deny it?"""
    rest = norm[hit.ne:hit.sent[1]]
    rest = _CLAUSE_END.split(_unbracketed(rest), maxsplit=1)[0]
    return negation.text_negated(rest, r.neg)


def _decide_sentences(ctx: DocContext, r: _Rules, hits: list[_Hit]) -> None:
    """Verdicts for sentence-mode hits: one per list (its last item heads it), from the parse
    of the sentence when the sentence holds a negation cue. Hits that cannot be judged (an
    exception such as 「住所以外」 that is not denied) get the mode "drop"."""
    norm = ctx.norm.text
    windows: dict[int, tuple[int, int]] = {}  # id(group) -> analysed span to parse
    groups = []
    for g in _groups(r, norm, hits):
        ws, we = _parse_window(norm, g)
        if r.neg.cue.search(norm, ws, we):
            groups.append(g)
            windows[id(g)] = ctx.norm.span(ws, we)
        elif any(h.excepted for h in g):
            for h in g:
                h.mode = "drop"
    if windows:
        ctx.prefetch(sorted(set(windows.values())))
    for g in groups:
        ss, _ = windows[id(g)]
        doc = ctx.parse(*windows[id(g)])
        last = g[-1]
        ls, le, _ = ctx.span_of_norm(last.ns, last.ne)
        if doc is not None:
            verdict = negation.judge(doc, ls - ss, le - ss, r.neg)
        else:
            verdict = None if last.excepted else _fallback_negated(r, norm, last)
        sent_text = norm[g[0].sent[0]:g[0].sent[1]]
        for h in g:
            # a bracketed remark is its own scope: 「氏名(住所や電話番号はありません。)」
            at = h.ns - g[0].sent[0]
            inner = negation.paren_negated(sent_text, at, at + h.ne - h.ns, r.neg)
            if inner is not None:
                h.leaked = not inner
            elif verdict is None:
                h.mode = "drop"
            else:
                h.leaked = not verdict


def extract(ctx: DocContext) -> list[DataTypeItem]:
    r = _rules()
    norm = ctx.norm.text
    memo = _Memo()
    hits = [h for h in _candidates(ctx, r) if _place(ctx, r, norm, h, memo)
            and not (h.listed and h.mode not in ("section", "label", "value"))]
    _decide_sentences(ctx, r, hits)
    items = []
    for h in hits:
        if h.mode == "drop":
            continue
        s, e, text = ctx.span_of_norm(h.ns, h.ne)
        items.append(DataTypeItem(text, s, e, category=h.category, leaked=h.leaked))
    log.debug("%s: %d data-type items", ctx.doc_id, len(items))
    return items
