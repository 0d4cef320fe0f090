"""The faster forms of causes, the cue index, the leak-notice test, status and incidents give
what their plain forms give: each plain form below is the code as it was first written, run on
the seeds, the holdout pages and sentences made for the edges."""

from __future__ import annotations

import dataclasses
import random
from itertools import pairwise

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import CauseItem, CountItem, DateItem, OrgItem
from rouei.extract.doc.text import sentences
from rouei.extract.fields import causes, incidents, notice, status
from rouei.extract.fields.cue_index import CueIndex
from rouei.extract.fields.org import PATTERN_LABELS
from rouei.extract.run.pipeline import FIELDS

from .conftest import CORPUS, ROOT

HOLDOUT = ROOT / "tests" / "fixtures" / "holdout"

# texts at the edges: a copy that is not the identity map (… expands, ﾄﾞ joins), sentences
# that start or end on a cue word, cue words that overlap (不正アクセス, アクセス, スパイウェア),
# chrome sections and post titles, a digest, an archive page, a second report
EDGES = [
    "", "。", "紛失", "紛失\n\n紛失", "不正アクセス不正アクセス、不具合。", "ｱｸｾｽ…不正ｱｸｾｽにより流出しました。",
    "ﾄﾞﾗｲﾌﾞを紛失…しました。\n原因\nサーバーへの不正アクセスにより流出しました。\n再発防止策\n誤送信を防止します。",
    "万一、紛失した場合は、ご連絡ください。誤って送信したメールを削除しました",
    "アクセスパイウェアにより流出。不正アクセスパイウェア感染のため漏えいしました。確認認証の不備。",
    "誤送信誤送付誤って誤操作により、メールアドレスが流出した可能性があります。漏えいは確認されておりません。",
    "個人情報の漏えいについて\n\n関連記事\n\n紛失のお知らせ\n\n誤送信のお詫び\n\n不正アクセスによる流出について\n\n"
    "2024年1月5日、ランサムウェアにより流出しました。",
    "【セキュリティ事件簿#2024-1】A社で不正アクセス\n\n本文です。\n\n【セキュリティ事件簿#2024-2】B社で誤送信\n\n"
    "2024年2月1日、誤って送信しました。\n\n【セキュリティ事件簿#2024-3】C社で紛失\n\n名簿を紛失しました。\n",
    "■テスト商事株式会社\n2024年1月5日、顧客120名の名簿を紛失しました。\n■サンプル工業株式会社\n"
    "2024年2月3日、不正アクセスにより300件が流出しました。\n",
    "個人情報漏洩に関するお詫びとご報告(第2報)\n\n2024年3月27日に発生した漏洩について、調査が完了しました。\n",
    "Unauthorized access to our server.", "本公司服务器遭到访问", "𠮷野家の顧客情報が流出しました。",
]


def _texts() -> list[str]:
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + sorted(HOLDOUT.glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths] + EDGES


@pytest.fixture(scope="module")
def contexts() -> list[DocContext]:
    return [DocContext("t", text, title=text.split("\n", 1)[0]) for text in _texts() if text.strip()]


def _items(ctx: DocContext) -> list:
    """Every item of the document as the pipeline finds it without a model."""
    with rules.pinned():
        found = [it for mod in FIELDS for it in mod.extract(ctx)]
    kept = [it for it in found if not ctx.skipped(it.start)]
    return sorted(kept, key=lambda it: (it.start, it.end))


# -- causes ------------------------------------------------------------------------------------

def test_norm_spans_are_the_sentences_mapped_one_end_at_a_time(contexts):
    odd = 0
    for ctx in contexts:
        want = [(ctx.norm.to_norm(s), ctx.norm.to_norm(e)) for s, e in ctx.sentences]
        assert causes.norm_spans(ctx) == want
        odd += ctx.norm.text != ctx.text and len(ctx.norm.text) != len(ctx.text)
    assert odd >= 2  # copies that are not the identity map were among them
    # the answer kept for the last document is not given for another one, nor for a sibling's
    # text read again after others
    for ctx in [*reversed(contexts), *contexts[:3], contexts[0].sibling(None)]:
        assert causes.norm_spans(ctx) == [(ctx.norm.to_norm(s), ctx.norm.to_norm(e)) for s, e in ctx.sentences]


def _plain_per_span(index: CueIndex, prefixes: dict, text: str, spans) -> list[list[int]]:
    """per_span as a search for every factor occurrence of the text, each placed in its span
    (``prefixes``: a factor's prefixes that are factors, with their lengths and patterns)."""
    found = [set(index.always) for _ in spans]
    m = index.finder.search(text) if index.finder is not None else None
    while m is not None:
        pos = m.start()
        for i, (s, e) in enumerate(spans):
            if s <= pos < e:
                for n, ix in prefixes[m.group()]:
                    if n <= e - pos:
                        found[i].update(ix)
        m = index.finder.search(text, pos + 1)
    return [sorted(f) for f in found]


def _indexes() -> list[CueIndex]:
    return [causes.cause_rules().index, status.status_rules().index, notice.notice_rules().leak_index]


def test_per_span_is_cues_in_for_each_span(contexts):
    rnd = random.Random(14)
    for index in _indexes():
        assert index is not None and index.straddlers  # overlapping factors are there to follow
        words = sorted(index.by_factor)
        prefixes = {w: [(len(p), index.by_factor[p]) for p in words if w.startswith(p)] for w in words}
        # runs of factor words glued together: every overlap and straddle the rules allow
        glued = ["".join(rnd.choice(words) for _ in range(12)) for _ in range(200)]
        glued += [w + v for w in words for v in words if w[-1:] == v[:1]][:1500]
        texts = [ctx.norm.text for ctx in contexts] + glued
        for text in texts:
            cuts = sorted({0, len(text), *(rnd.randrange(len(text) + 1) for _ in range(6))})
            for spans in (sentences(text), list(pairwise(cuts))):
                got = index.per_span(text, spans)
                assert got == _plain_per_span(index, prefixes, text, spans), text[:40]
                assert got == [index.cues_in(text[s:e]) for s, e in spans], text[:40]
                assert [index.any_in(text, s, e) for s, e in spans] == [bool(g) for g in got]


def test_cause_exclusions_as_one_pattern_are_each_pattern_in_turn(contexts):
    r = causes.cause_rules()
    assert r.after_any is not None
    plain = dataclasses.replace(r, after_any=None)
    sents = [ctx.norm.text[s:e] for ctx in contexts for s, e in causes.norm_spans(ctx)]
    sents += [e["example"] for e in rules.load("cause_context")["after"]]
    found = 0
    for sent in sents:
        got = causes.sentence_causes(sent, r)
        assert got == causes.sentence_causes(sent, plain), sent
        for stated in (False, True):
            assert causes.sentence_causes(sent, r, stated) == causes.sentence_causes(sent, plain, stated)
        found += len(got)
        for m in r.cues[0].regex.finditer(sent):
            assert causes._excluded(sent, m, r) == causes._excluded(sent, m, plain)
    assert found > 50


def _plain_section_use(ctx: DocContext, pos: int, r: causes.CauseRules) -> str | None:
    lay = ctx.layout
    line = lay.line_at(pos)
    if line is not None and any(h.line.index == line.index for h in lay.headings):
        return "heading"
    for sec in lay.sections("chrome"):
        if sec.start <= pos and not any(sec.start < t.start <= pos for t in lay.titles):
            return "silent"
    kind = lay.kind_at(pos)
    if kind in r.stated_sections:
        return "stated"
    if kind in r.silent_sections:
        return "silent"
    return None


def test_section_use_read_once_per_document_is_the_plain_one(contexts):
    r = causes.cause_rules()
    seen = set()
    for ctx in contexts:
        places = sorted({s for s, _ in ctx.sentences} | {ln.start for ln in ctx.layout.lines}
                        | set(range(0, len(ctx.text), 7)))
        for pos in places:
            want = _plain_section_use(ctx, pos, r)
            assert causes.section_use(ctx, pos, r) == want, (ctx.text[:30], pos)
            seen.add(want)
    assert seen >= {"heading", "silent", "stated", None}


def _plain_find_causes(ctx: DocContext) -> list:
    """find_causes with every cue on every sentence outside a silent section or a heading."""
    r = causes.cause_rules()
    plain = dataclasses.replace(r, index=None, after_any=None,
                                cues=tuple(dataclasses.replace(c, firsts=None) for c in r.cues))
    out = []
    for s, e in ctx.sentences:
        use = _plain_section_use(ctx, s, r)
        if use in ("silent", "heading"):
            continue
        ns, ne = ctx.norm.to_norm(s), ctx.norm.to_norm(e)
        out.extend((ns + a, ns + b, c, y)
                   for a, b, c, y in causes.sentence_causes(ctx.norm.text[ns:ne], plain, use == "stated"))
    return sorted(out)


def test_find_causes_is_the_plain_one(contexts):
    found = 0
    for ctx in contexts:
        got = causes.find_causes(ctx)
        assert got == _plain_find_causes(ctx), ctx.text[:40]
        found += len(got)
    assert found > 50


# -- status, notice --------------------------------------------------------------------------

def test_status_with_one_search_per_document_is_every_sentence_tried(contexts):
    plain = dataclasses.replace(status.status_rules(), index=None, any_cue=None)
    found = 0
    for ctx in contexts:
        want = []
        for s, e in ctx.sentences:
            ns, ne = ctx.norm.to_norm(s), ctx.norm.to_norm(e)
            for a, b, st in status.find_status(ctx.norm.text[ns:ne], plain):
                start, end, text = ctx.span_of_norm(ns + a, ns + b)
                want.append((text, start, end, st))
        got = [(it.text, it.start, it.end, it.status) for it in status.extract(ctx)]
        assert got == want, ctx.text[:40]
        found += len(got)
    assert found > 30


def _plain_genres(title: str, text: str, r: notice.NoticeRules) -> list:
    plain = notice._QUOTED.sub("", title)
    return [g for g in r.genres if g.regex.search(title if g.in_title else text)
            and not (g.unless is not None and g.unless.search(plain))]


def _plain_is_leak_notice(ctx: DocContext) -> bool:
    """is_leak_notice with every event sentence counted."""
    r = notice.notice_rules()
    share, kana = notice.japanese_share(ctx.norm.text)
    if share < r.min_japanese or kana < r.min_kana:
        return False
    title = notice.main_title(ctx.title)
    genres = _plain_genres(title, ctx.norm.text, r)
    if any(g.strong for g in genres):
        return False
    need = r.min_events
    if genres and not r.leak.search(title) and not notice._header_names_leak(ctx, r):
        need = r.weak_min_events
    return len(notice.event_sentences(ctx, r)) + bool(r.title_event.search(title)) >= need


def test_notice_events_and_genres_are_the_plain_ones(contexts):
    r = notice.notice_rules()
    plain = dataclasses.replace(r, leak_index=None)
    events = 0
    titles = [ctx.title or "" for ctx in contexts] + [g["example"] for g in rules.load("notice")["genre"]]
    for ctx in contexts:
        want = [(s, e) for s, e in ctx.sentences if not ctx.skipped(s)
                and notice.is_event(ctx.norm.text[ctx.norm.to_norm(s):ctx.norm.to_norm(e)], r)]
        assert notice.event_sentences(ctx, r) == want == notice.event_sentences(ctx, plain)
        assert notice.is_leak_notice(ctx) == _plain_is_leak_notice(ctx)
        events += len(want)
        for title in titles:
            title = notice.main_title(title)
            assert notice.genres_of(title, ctx.norm.text, r) == _plain_genres(title, ctx.norm.text, r)
    assert events > 30
    # pages whose answer turns on the count of events (a weak genre needs two), with a title
    # that reports one or not
    body = "2024年1月5日、名簿を紛失しました。"
    for title in ("システム障害のお知らせ", "システム障害と個人情報流出のお知らせ", "お知らせ"):
        for n in range(4):
            ctx = DocContext("t", title + "\n" + "システムが停止しました。" + body * n, title=title)
            assert notice.is_leak_notice(ctx) == _plain_is_leak_notice(ctx), (title, n)


# -- incidents -------------------------------------------------------------------------------

def _plain_archive_titles(ctx: DocContext) -> list[int]:
    cfg = incidents._cfg()
    leak = rules.compile_pattern(cfg["leak_words"]["regex"])
    not_title = rules.compile_pattern(cfg["title_not"]["regex"])
    need_blank = cfg["settings"]["title_blank_lines"]
    lines = ctx.layout.lines
    cands = []
    for i, ln in enumerate(lines):
        line = ln.text
        if ctx.skipped(ln.start) or len(line) < 12 or not_title.search(line):
            continue
        if i > 0 and not ln.blank_before:
            continue
        blanks = incidents._blank_lines_after(ctx, lines, i)
        labelled = incidents._series_label(line) is not None
        dated = incidents._POST_DATE.search(line)
        if blanks >= need_blank or ((labelled or dated) and blanks >= 1):
            cands.append((ln.start, line, bool(leak.search(line))))
    follow_up = rules.compile_pattern(cfg["follow_up"]["regex"])
    top = lines[0].text if lines else ""
    if follow_up.search(top) and incidents._series_label(top) is None:
        return []
    cands = [c for c in cands if not (follow_up.search(c[1]) and incidents._series_label(c[1]) is None)]
    labels = [incidents._series_label(line) for _, line, _ in cands]
    series = {lab for lab in labels if lab and labels.count(lab) >= 2}
    starts = [s for (s, line, leaky), lab in zip(cands, labels) if leaky or (lab in series)]
    return starts if len(starts) >= 2 else []


def _plain_digest_sections(ctx: DocContext, items: list) -> list[int]:
    orgs = [it for it in items if isinstance(it, OrgItem) and it.label in PATTERN_LABELS]
    facts = [it.start for it in items if isinstance(it, (DateItem, CountItem, CauseItem))]
    by_style: dict = {}
    for ln in ctx.layout.lines:
        if ln.style is None or ln.bullet or ctx.skipped(ln.start):
            continue
        first = next((it for it in orgs if ln.body <= it.start <= ln.body + 1), None)
        if first is not None:
            by_style.setdefault(ln.style, []).append((ln.start, ln.end, first.name))
    for entries in by_style.values():
        if len(entries) < 2 or len({name for _, _, name in entries}) < len(entries):
            continue
        starts = [s for s, _, _ in entries]
        bodies = zip([e for _, e, _ in entries], starts[1:] + [len(ctx.text)])
        if all(any(a <= f < b for f in facts) for a, b in bodies):
            return starts
    return []


def _plain_build(ctx: DocContext, items: list) -> list:
    secs = incidents.sections(ctx, items)
    real = [s for s in secs if not s.shared] or [incidents.Section(0, len(ctx.text))]
    out = [incidents.Incident(s.start, s.end) for s in real]
    shared = [s for s in secs if s.shared]
    for it in items:
        if any(s.start <= it.start < s.end for s in shared):
            targets = out
        else:
            inside = [inc for inc in out if inc.start <= it.start < inc.end]
            targets = inside or [min(out, key=lambda inc: abs(inc.start - it.start))]
        for inc in targets:
            incidents.add(inc, it)
    return out


def test_incidents_are_the_plain_ones(contexts):
    titled = digests = several = 0
    for ctx in contexts:
        items = _items(ctx)
        with rules.pinned():
            titles = incidents.archive_titles(ctx)
            assert titles == _plain_archive_titles(ctx), ctx.text[:40]
            digest = incidents.digest_sections(ctx, items)
            assert digest == _plain_digest_sections(ctx, items), ctx.text[:40]
            # an organisation item one character into a line's body, and two at one place
            moved = [dataclasses.replace(it, start=it.start + 1) if isinstance(it, OrgItem) else it
                     for it in items]
            doubled = items + [dataclasses.replace(it, name=it.name + "2") for it in items
                               if isinstance(it, OrgItem)]
            for other in (moved, doubled):
                assert incidents.digest_sections(ctx, other) == _plain_digest_sections(ctx, other)
            got = incidents.build(ctx, items)
            assert got == _plain_build(ctx, items), ctx.text[:40]
        titled += bool(titles)
        digests += bool(digest)
        several += len(got) > 1
    assert titled and digests and several


# -- japanese_share ----------------------------------------------------------------------------

def _plain_counts(text: str) -> tuple[int, int, int]:
    """(letters, kana, kanji) with a look at every character."""
    kinds = [notice.script_of(ch) for ch in text]
    return sum(k != "" for k in kinds), kinds.count("kana"), kinds.count("kanji")


def test_japanese_share_counted_by_blocks_is_the_plain_count(contexts):
    blocks = notice._BlockCounts()  # a fresh one: blocks are read as the texts bring them
    # every character of the BMP but the surrogates, a few thousand at a time, in two orders
    points = [c for c in range(0x10000) if not 0xD800 <= c < 0xE000]
    for order in (points, points[::-1]):
        for i in range(0, len(order), 4093):
            text = "".join(map(chr, order[i:i + 4093]))
            assert blocks.counts(text) == _plain_counts(text), hex(order[i])
    rnd = random.Random(3)
    texts = [ctx.norm.text for ctx in contexts] + ["", "a", "ア", "々〆〇ー・゠ヽ", "ｱｲｳ ﾞ", "\u4dbf\u4dc0\ufa6d\ufa6e"]
    texts += ["".join(chr(rnd.choice(points)) for _ in range(rnd.randrange(1, 300))) for _ in range(300)]
    for text in texts:
        bmp = all(ord(ch) < 0x10000 for ch in text)
        assert blocks.counts(text) == (_plain_counts(text) if bmp else None), text[:30]
        letters, kana, kanji = _plain_counts(text)
        want = ((kanji + kana) / letters, kana / letters) if letters else (0.0, 0.0)
        assert notice.japanese_share(text) == want, text[:30]
    # beyond the BMP (two code units) or a lone surrogate: the characters are looked at one by one
    for text in ["𠮷野家の顧客", "a\ud800b", "\U0001F600 かな", "漢字\U00020000"]:
        assert blocks.counts(text) is None
        letters, kana, kanji = _plain_counts(text)
        assert notice.japanese_share(text) == ((kanji + kana) / letters, kana / letters)

