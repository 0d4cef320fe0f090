"""The fast paths of the per-document stages (layout, normalised text, sentences, repeated
regions) give what the plain code gives: each is compared with a plain reference on the seed
notices, the holdout pages and edge cases (empty lines, CRLF, full-width spaces, long lines)."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from rouei.extract.doc import layout as layout_mod
from rouei.extract.doc import layout_rules as lr
from rouei.extract.doc import text as text_mod
from rouei.extract.doc.layout import Layout
from rouei.extract.doc.text import Normalized
from rouei.extract.fields import date_cues, dates

from .conftest import CORPUS, ROOT

_EDGE = [
    "",
    "\n",
    "\n\n\n",
    "お知らせ",
    "\r\n\r\n【発生日】2024年5月1日\r\n【原因】 設定の誤り\r\n",
    "\u3000\u3000令和6年5月10日\u3000\n\u3000株式会社テスト\u3000\n\u3000代表取締役\u3000山田太郎\n",
    "発生日2024年5月1日\n判明日 2024年5月2日\n発覚日:2020年3月10日\n1 判明日時\n2024年5月3日 調査開始\n",
    "発生日\n内容\n件数\n2024/5/1\n誤送信\n3件\n2024/5/2\n紛失\n1件\n",
    "(1)経緯\n2024年4月1日 不正アクセスを確認\n2024年4月2日\n警察に相談\n(2)原因\n設定の誤り。\n",
    "第1章 概要\n① 氏名\n② 住所\n(ア) 電話番号\nイ.メール\n・生年月日\n- 性別\n■ 対応\n● 再発防止策\n",
    "一、経緯\n二、原因\n十、問い合わせ\n【セキュリティ事件簿#2024-1】個人情報の漏えいについてのお知らせとお詫び 2024/5/22\n",
    "あ" * 5000 + "\n" + "発生日2024年5月1日" * 200 + "\n" + "・" * 3000,
    "ﾄﾞﾗｲﾌﾞ ｶﾞｲﾄﾞ\n①漏えい…件数\u2015約1,200件\u200b\n",
    "概要\n\n\n  概要  \n\t経緯\t\n" * 30,
]


def _texts() -> list[str]:
    out = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "seeds").glob("*.txt"))]
    out += [p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "tests" / "fixtures" / "holdout").glob("*.txt"))]
    out += [t.replace("\n", "\r\n") for t in out[:3]]
    out += [t.replace(" ", "\u3000") for t in out[:3]]
    return out + _EDGE


TEXTS = _texts()


# -- labels --------------------------------------------------------------------------------

_BRACKETS = str.maketrans("", "", "【】[]「」『』〔〕<>《》")


def _clean_label_plain(label: str) -> str:
    return re.sub(r"\s+", "", label.translate(_BRACKETS))


def _label_kind_plain(label: str, r: lr.LayoutRules) -> str | None:
    words = re.sub(r"\s+", "", label.translate(_BRACKETS).strip())
    for kind, pat in r.labels:
        if pat.fullmatch(words):
            return kind
    return next((kind for kind, pat in r.sections if pat.search(words)), None)


def test_clean_label_and_label_kind_match_the_plain_code():
    r = lr.layout_rules()
    samples = ["【発生日】", " 発 覚 日 ", "「原因」\u3000", "<経緯>", "[対象]", "《件数》", "\t\n",
               "", "概要及び原因", "発生日時 ", "お問い合わせ先"]
    for text in TEXTS[:20]:
        samples += text.splitlines()[:60]
    for s in samples:
        assert lr.clean_label(s) == _clean_label_plain(s)
        # twice: the second answer comes from the memo
        assert lr.label_kind(s, r) == _label_kind_plain(s, r)
        assert lr.label_kind(s, r) == _label_kind_plain(s, r)


# -- layout --------------------------------------------------------------------------------

def test_layout_prefilters_change_nothing(monkeypatch):
    r = lr.layout_rules()
    assert r.marker_start is not None and r.tl_start is not None
    fast = [repr(Layout.of(t)) for t in TEXTS]
    # the plain path: every marker and every cut of a joined label is tried
    plain = dataclasses.replace(r, marker_start=None, tl_start=None)
    monkeypatch.setattr(layout_mod, "layout_rules", lambda: plain)
    assert [repr(Layout.of(t)) for t in TEXTS] == fast


def test_layout_lines_on_an_identity_map_as_on_a_looked_up_one():
    for text in TEXTS:
        norm = Normalized.of(text)
        listed = Normalized(text, norm.text, list(norm.starts), list(norm.ends))
        assert repr(Layout.of(text, norm)) == repr(Layout.of(text, listed))


# -- normalised copy and sentences ---------------------------------------------------------

def _normalized_plain(original: str) -> tuple[str, list[int], list[int]]:
    """Every character folded on its own, the map built position by position."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(original):
        folded = text_mod._fold_char(ch)
        if folded in text_mod._COMBINING and parts and parts[-1]:
            composed = unicodedata.normalize("NFC", parts[-1][-1] + folded)
            if len(composed) == 1:
                parts[-1] = parts[-1][:-1] + composed
                ends[-1] = i + 1
                continue
        parts.append(folded)
        starts.extend([i] * len(folded))
        ends.extend([i + 1] * len(folded))
    return "".join(parts), starts, ends


_SENT_END = re.compile(r"[。！？!?]+[」』]*|\n+")
_BRACKET = re.compile("[(（「『)）」』]")


def _sentences_plain(text: str) -> list[tuple[int, int]]:
    """Sentence ends found first, the brackets before each end counted afterwards."""
    spans = []
    pos = depth = scanned = 0
    for m in _SENT_END.finditer(text):
        for b in _BRACKET.finditer(text, scanned, m.start()):
            if b.group() in "(（「『":
                depth += 1
            elif depth:
                depth -= 1
        scanned = m.start()
        if depth and "\n" not in m.group():
            continue
        depth = 0
        start, end = pos, m.end()
        if text[start:end].strip():
            while text[start].isspace():
                start += 1
            while text[end - 1].isspace():
                end -= 1
            spans.append((start, end))
        pos = m.end()
    if pos < len(text) and text[pos:].strip():
        start, end = pos, len(text)
        while text[start].isspace():
            start += 1
        while text[end - 1].isspace():
            end -= 1
        spans.append((start, end))
    return spans


_SENTENCE_EDGE = [
    "氏名(住所はありません。)、診療科。次の文。",
    "「そうだ。」と言った。「いいえ。」」)次",
    "(((。。。\n)))。」』!?\n\n",
    "」」」。(「『。』」)。\n(未完。",
    "  \u3000 。\u3000\n\t\n。  ",
    "ﾄﾞﾗｲﾌﾞ\u3099ｶﾞ\u309a…\u2015\u200b～",
    "\u3099\u309aか\u3099",
]


def test_normalized_and_sentences_match_the_plain_code():
    for text in TEXTS + _SENTENCE_EDGE:
        n = Normalized.of(text)
        assert (n.text, list(n.starts), list(n.ends)) == _normalized_plain(text)
        assert text_mod.sentences(text) == _sentences_plain(text)


# -- date patterns -------------------------------------------------------------------------

def test_needed_characters_of_a_pattern():
    need = dates._needed
    assert need(re.compile("(?<![\\d,])(?P<y>\\d{4})年(?:(?P<m>\\d+)月)?")) == (frozenset("年"),)
    assert need(re.compile("(?:令和|平成)\\d+[年/]")) == (frozenset("令平"), frozenset("年/"))
    assert need(re.compile("a|b\\d|c?")) == ()  # a branch that needs nothing
    assert need(re.compile("(?:x[^y])+z*(?=q)")) == (frozenset("x"),)
    assert need(re.compile("年", re.IGNORECASE)) == ()


def test_date_patterns_skipped_only_where_they_cannot_match(monkeypatch):
    r = dates._rules()
    assert any(r.needs)
    texts = [Normalized.of(t).text for t in TEXTS] + [
        "2024,5,1に", "R6.5.1", "H30から", "5/1(水)", "同12日", "翌3日", "令和6年度", "同年5月1日",
        "2024年5月1日2024年5月2日、3日及び4日", "令和元年十二月三十一日", "H30.1.2.3.4", "R6-5-1-2",
        "10月13、16及び27日", "2024/5/1/2024/5/2", "は5日に", "12/31(月・祝)", "24年1月",
        "平成28年度から令和5年度", "2023年度~2024年度", "https://example.jp/news/20240124.html 1月24日"]
    # soundness: a text where a pattern matches holds a character of each set it needs
    for text in texts:
        present = set(text)
        for (name, pat), needs in zip(r.patterns, r.needs, strict=True):
            if pat.search(text):
                assert all(not n.isdisjoint(present) for n in needs), name
        others = [(r.fiscal, r.fiscal_needs)] + [(ex["around"], ex["around_needs"])
                                                 for ex in r.excludes if ex["around"] is not None]
        for pat, needs in others:
            if pat.search(text):
                assert all(not n.isdisjoint(present) for n in needs), pat.pattern
    # the one scan for date starts finds each pattern's own matches
    assert all(r.joinable)
    every = list(range(len(r.patterns)))
    for text in texts:
        want = [(name, m.span(), m.groupdict()) for name, pat in r.patterns
                for m in pat.finditer(text)]
        got = dates._scan(text, every, r, dates._starts_pattern())
        assert [(name, m.span(), m.groupdict()) for name, m in got] == want
    # it stops at every place where one of the patterns can start a match (overlapping and
    # adjacent dates too), though each of its matches takes the character it starts at
    union = dates._starts_pattern()
    for text in texts + ["11月11日11月12日", "2024年2024年5月1日", "令和令和6年1月1日", "1" * 30,
                         "2024.5/1", "2024/5.1と2024.5.1", "R6.5-1、R6-5-1", "令和6・5・1", "H30.1/2"]:
        starts = [m.start() for m in union.finditer(text)]
        assert starts == [p for p in range(len(text)) if any(pat.match(text, p) for _, pat in r.patterns)]
    # its groups are those the patterns' back references use, renamed apart
    assert union.groups == len(union.groupindex) == sum(
        len(set(dates._GROUP_REF.findall(pat.pattern))) for _, pat in r.patterns)
    assert dates._uncaptured("(?P<a>x)(?P<sep>[/.])(?P<b>y)(?P=sep)", "d3_") == \
        "(?:x)(?P<d3_sep>[/.])(?:y)(?P=d3_sep)"
    # a process past its first texts finds the starts with the one scan
    monkeypatch.setattr(dates, "_texts_scanned", [dates._JOIN_AFTER])
    fast = [repr(dates.find_mentions(t)) for t in texts]
    assert dates._texts_scanned[0] > dates._JOIN_AFTER
    plain = dataclasses.replace(r, needs=tuple(() for _ in r.patterns),
                                joinable=tuple(False for _ in r.patterns), fiscal_needs=(),
                                excludes=tuple(ex | {"around_needs": ()} for ex in r.excludes))
    monkeypatch.setattr(dates, "_rules", lambda: plain)
    assert [repr(dates.find_mentions(t)) for t in texts] == fast


# -- parse cache entries -------------------------------------------------------------------

def _entry(rows: list, docbin: bytes = b"", trailer: bool = True) -> bytes:
    """A parse-cache entry as ``ParseCache.save`` lays it out: the DocBin's zlib stream (a
    stand-in: a warm read never opens it), rouei's parses, their length, the mark."""
    import zlib

    import msgpack

    from rouei.extract.nlp import cache

    part = msgpack.packb(rows, use_bin_type=True)
    end = len(part).to_bytes(4, "little") + cache._MARK if trailer else b""
    return zlib.compress(docbin or b"\x80") + part + end


def test_cache_entry_parses_read_from_its_end(tmp_path):
    """A warm read takes rouei's parses from the end of the entry and leaves the DocBin before
    them alone; the tokens are still checked against the text."""
    from rouei.extract.doc.parsed import ParsedDoc
    from rouei.extract.nlp.cache import ParseCache

    text = "株式会社テスト\n個人情報が流出しました。"
    first = {"idx": [0, 4], "words": ["株式会社", "テスト"], "pos": ["NOUN", "PROPN"],
             "lemma": ["株式会社", "テスト"], "norm": ["株式会社", "テスト"], "dep": ["compound", "ROOT"],
             "head": [1, 1], "space": [0, 0], "punct": [0, 0], "sent_start": [1, 0],
             "bunsetu": ["B", "I"], "ents": [[0, 7, "Company"]]}
    second = {**first, "idx": [0, 2], "words": ["個人", "情報"], "lemma": ["個人", "情報"],
              "norm": ["個人", "情報"], "ents": []}
    cache = ParseCache(tmp_path, "m", "s")
    cache.path(text).parent.mkdir(parents=True)
    cache.path(text).write_bytes(_entry([[0, 7, first], [8, 12, second]], docbin=b"\0" * 5000))
    got = cache.load(text)
    assert got.keys() == {(0, 7), (8, 12)} and (cache.hits, cache.corrupt) == (1, 0)
    for (s, e), payload in (((0, 7), first), ((8, 12), second)):
        assert got[(s, e)].to_payload() == ParsedDoc.from_payload(text[s:e], payload).to_payload()
    assert [(x.text, x.label_) for x in got[(0, 7)].ents] == [("株式会社テスト", "Company")]
    assert [t.text for t in got[(8, 12)]] == ["個人", "情報"]
    # tokens that do not stand in the text: re-parsed, as before
    cache.path(text).write_bytes(_entry([[8, 12, first]]))
    assert cache.load(text) == {} and cache.corrupt == 1


def test_cache_entry_of_the_old_layout_or_cut_short_is_reparsed(tmp_path):
    """An entry without rouei's parses at its end (the layout of format 2, which kept them in
    the DocBin's user data; a file cut short; a length that points before the file) is never
    read as parses: it is dropped and re-parsed."""
    import zlib

    import msgpack

    from rouei.extract.nlp import cache as cache_mod
    from rouei.extract.nlp.cache import ParseCache

    text = "個人情報が流出しました。"
    payload = {"idx": [0, 2], "words": ["個人", "情報"], "pos": ["NOUN", "NOUN"], "lemma": ["個人", "情報"],
               "norm": ["個人", "情報"], "dep": ["compound", "ROOT"], "head": [1, 1], "space": [0, 0],
               "punct": [0, 0], "sent_start": [1, 0], "bunsetu": ["B", "I"], "ents": []}
    user = msgpack.packb({cache_mod.SPAN_KEY: (0, 4), "rouei_parsed": payload}, use_bin_type=True)
    old = zlib.compress(msgpack.packb({"tokens": b"", "user_data": [user]}, use_bin_type=True))
    whole = _entry([[0, 4, payload]])
    long = bytearray(whole)
    long[-cache_mod._TRAILER:-len(cache_mod._MARK)] = (len(whole) + 1).to_bytes(4, "little")
    cache = ParseCache(tmp_path, "m", "s")
    path = cache.path(text)
    path.parent.mkdir(parents=True)
    path.write_bytes(whole)
    assert cache.load(text).keys() == {(0, 4)}
    for bad in (old, b"", whole[:-1], whole[: len(whole) // 2], whole[-cache_mod._TRAILER:], bytes(long)):
        path.write_bytes(bad)
        before = cache.corrupt
        assert cache.load(text) == {}
        assert cache.corrupt == before + 1 and not path.exists()


# -- date role cues ------------------------------------------------------------------------

def _cues_in_plain(norm: str, start: int, end: int, sent: tuple[int, int]) -> list[tuple[int, str]]:
    rr = date_cues.role_rules()
    scope = norm[start:end]
    sentence = norm[sent[0]:sent[1]]
    masked = [False] * len(scope)
    for pat in rr.non_cue:
        for m in pat.finditer(scope):
            for i in range(m.start(), m.end()):
                masked[i] = True
    found: dict[int, tuple[int, str]] = {}
    for cue in rr.cues:
        if cue.needs == "authority" and not rr.authority.search(sentence):
            continue
        if cue.needs == "audience" and not rr.audience.search(sentence):
            continue
        for m in cue.regex.finditer(norm, start, end):
            ms, me = m.start() - start, m.end() - start
            if masked[ms] or rr.negation.match(scope, me):
                continue
            old = found.get(ms)
            if old is None or me - ms > old[0]:
                found[ms] = (me - ms, cue.role)
    return [(start + p, role) for p, (_, role) in sorted(found.items())]


def test_cues_in_matches_the_plain_code():
    seen = 0
    for text in TEXTS:
        norm = Normalized.of(text).text
        spans = text_mod.sentences(norm)
        for (s, e), (s2, e2) in zip(spans, spans[1:] + spans[:1], strict=True):
            for a, b in ((s, e), (s + 3, e), (s, min(e2, s + 80)), (min(s, s2), max(e, e2))):
                got = date_cues.cues_in(norm, a, b, (s, e))
                assert got == _cues_in_plain(norm, a, b, (s, e))
                seen += bool(got)
    assert seen > 50


def test_cues_in_on_every_span_of_a_text_with_cues_that_need_a_sentence():
    # what a cue needs (an authority, the affected people) is sought only once the cue is
    # found: the same cues as the plain code, on every span of sentences that have what the
    # cues need, lack it, or hold cues that are masked, negated, overlapping or cut
    texts = ["2024年5月1日に発覚し、同日警察に相談。翌日報告書を提出しなかった。個人情報保護委員会へ報告、"
             "本人へ通知・お詫び。発生発生発覚覚知。再発防止の確認を完了",
             "関係者に連絡し、警察へ届出。ご本人様へのご連絡を開始。委託先から報告があり判明"]
    seen = 0
    for text in texts:
        for sent in ((0, len(text)), (0, len(text) // 2), (len(text) // 3, len(text))):
            for a in range(len(text) + 1):
                for b in range(a, len(text) + 1):
                    got = date_cues.cues_in(text, a, b, sent)
                    assert got == _cues_in_plain(text, a, b, sent), (a, b, sent)
                    seen += bool(got)
    assert seen > 1000


def test_normalized_with_a_stale_or_no_snapshot_of_unchanging_characters(monkeypatch):
    texts = ["ＡＢＣ１２３\u3000" * 60, "漢字かな" * 300 + "…" + "ｱｲｳ" + "\u00a0", "〜" * 5 + "a" * 500,
             "ﾄﾞﾗｲﾌﾞ\u3099" * 40] + TEXTS[:10]
    want = [_normalized_plain(t) for t in texts]
    for snapshot in ([None, 0], [re.compile("[^a]"), 1], list(text_mod._outside)):
        monkeypatch.setattr(text_mod, "_outside", list(snapshot))
        for text, expected in zip(texts, want, strict=True):
            n = Normalized.of(text)
            assert (n.text, list(n.starts), list(n.ends)) == expected


def test_cache_token_check_matches_the_plain_code():
    from rouei.extract.nlp.cache import _holds

    def plain(text, idx, words):
        return not any(text[i:i + len(w)] != w for i, w in zip(idx, words, strict=False))

    text = "個人情報の漏えい について。"
    cases = [
        ([0, 2, 4, 5, 8, 9, 13], ["個人", "情報", "の", "漏えい", " ", "について", "。"]),
        ([0, 2, 4, 5, 9, 13], ["個人", "情報", "の", "漏えい", "について", "。"]),  # a gap
        ([0, 2], ["個人", "情報", "の"]),  # fewer offsets than words
        ([0, 2, 4], ["個人", "情報"]),
        ([], []),
        ([12], ["。"]), ([12], ["。。"]), ([13], [""]), ([14], ["x"]),
        ([0, 2, 4], ["個人", "情報", "のX"]), ([1, 3], ["人情", "報の"]), ([-1], ["。"]),
    ]
    for idx, words in cases:
        assert _holds(text, idx, words) == plain(text, idx, words), (idx, words)


def test_cache_entry_name_is_the_pathlib_path(tmp_path, monkeypatch):
    """A warm read opens the entry by a joined string: the same file as the Path the cache
    writes, whatever form the root was given in; a missing entry or folder is a miss."""
    from pathlib import Path

    from rouei.extract.nlp.cache import ParseCache

    monkeypatch.chdir(tmp_path)
    for root in (tmp_path, str(tmp_path) + "/", "cache", "./cache/", Path("a") / ".." / "b", ".", "/"):
        cache = ParseCache(root, "m", "s")
        for text in ("", "個人情報", "a\nb"):
            k = cache.key(text)
            assert cache.entry(text) == str(Path(root) / k[:2] / f"{k}.spacy")
            assert cache.path(text) == Path(root) / k[:2] / f"{k}.spacy"
            assert cache.load(text) == {}
        assert cache.misses == 3


def test_find_all_gives_every_start_of_every_word_in_order():
    """text.find_all: the places of every word, overlapping ones too, within start:end, as
    a regex that finds a lookahead on any of the words at each character gives them."""
    texts = ["", "当社当社", "aaaa", "本市の本件、当社と弊社(東京)「本」", "ab" * 20 + "\n:：:"]
    for words in [("当社",), ("aa",), ("a", "aa"), ("本", "当", "弊", "「", "("), (":", "："), ("当社", "社")]:
        probe = re.compile("(?=" + "|".join(map(re.escape, words)) + ")")
        for text in texts:
            for start, end in [(0, None), (1, None), (0, max(0, len(text) - 1)), (2, 5)]:
                stop = len(text) if end is None else end
                want = [m.start() for m in probe.finditer(text, start, stop)
                        if any(text.startswith(w, m.start()) and m.start() + len(w) <= stop for w in words)]
                assert text_mod.find_all(text, words, start, end) == want, (words, text, start, end)
