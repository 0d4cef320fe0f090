"""The data-type extractor's shortcuts answer as the plain code does: the term lookup
remembered per rules version, the sentence joined once per sentence, the sections looked up
once per stretch of text, the verdicts remembered per document, and the bracket spans
remembered per text. Each is compared with its plain form on the seed and holdout notices and
on sentences made to reach the edge cases (wrapped PDF lines, labels, link lists, sections)."""

from __future__ import annotations

import random
import re

from rouei.extract.doc.context import DocContext
from rouei.extract.fields import datatype_rules as DR
from rouei.extract.fields import datatypes as D
from rouei.extract.fields import negation

from .conftest import CORPUS, ROOT

_OWN = [
    "流出した情報は、氏名、住所、電話番号です。",
    "漏えい情報:氏名、住所(電話番号は含まれません)、メールアドレス",
    "【流出した可能性のある情報】\n・氏名\n・住所\n・電話番号\n・クレジットカード情報:なし\n",
    "1 流出の可能性がある個人情報\n(1)氏名、住所\n(2)生年月日\n2 原因\n・パスワードの設定不備\n",
    "お客様の氏名、住所、電話番号が含まれて\nおりません。なお、メールアドレスは含まれてい\n  ます。",
    "対象となる情報は以下のとおりです。\n\t氏名\n\t住所\n\tパスワ-ド\n",
    "関連記事\n他社で氏名と住所が流出\nhttps://example.jp/a\n人気記事\n・メールアドレス流出",
    "氏名 住所 以外の情報は流出していません。住所以外の情報が流出した。",
    "当社の電話番号:03-1234-5678 までお問い合わせください。ご登録のメールアドレス宛にご連絡します。",
    "カード情報(カード番号、有効期限)は含まれておりません。ＩＤとパスワードを使用して不正ログイン",
    "漏洩したのは「氏名」「住所」「電話番号」の3項目。\n\n\n患者 ID とカナ氏名が記録された端末",
    "",
    "氏名",
    "\n\n・住所\n",
]


def _texts() -> list[str]:
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + sorted((ROOT / "tests/fixtures/holdout").glob("*.txt"))
    assert len(paths) > 50
    out = [p.read_text(encoding="utf-8") for p in paths] + _OWN
    # lexicon words, list marks, line breaks and context words run together at random
    rng = random.Random(14)
    pieces = ["氏名", "住所", "電話番号", "メールアドレス", "パスワード", "、", "。", "\n", "\n  ", "・",
              "(", ")", ":", "流出", "しました", "含まれて", "おりません", "以下のとおり", "1 ", "【情報】",
              "関連記事\n", "当社の", "以外", "なし", "ID", "の", "は", " "]
    out += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(300)]
    return out


TEXTS = _texts()


def _ctx(text: str) -> DocContext:
    return DocContext("t", text)  # no model: sentence verdicts fall back to the regexes


# -- the plain forms, as they were before the shortcuts -------------------------------------

def _plain_sentence(ctx: DocContext, r: DR.Rules, pos: int) -> tuple[int, int]:
    norm = ctx.norm.text
    ns, ne = ctx.norm_sentence_at(pos)
    for _ in range(D._MAX_WRAPS):
        line_start = norm.rfind("\n", 0, ne) + 1
        if (norm[ne:ne + 1] != "\n" or ne - line_start < D._MIN_WRAPPED
                or norm[ne - 1:ne] in D._CLOSING or not r.wrapped.match(norm[ne + 1:ne + 40])):
            break
        nxt = ne + 1 + len(norm[ne + 1:]) - len(norm[ne + 1:].lstrip(" \t"))
        ne = max(ne, ctx.norm_sentence_at(ctx.norm.span(nxt, nxt + 1)[0])[1])
    return ns, ne


def _plain_candidates(ctx: DocContext, r: DR.Rules) -> list:
    norm = ctx.norm.text
    hits = []
    for m in r.lexicon.finditer(norm):
        key = re.sub(r"\s", "", m.group()).upper()
        if key not in r.category:
            key = re.sub(DR.LONG_VOWEL, "ー", key)
        cat = r.category.get(key)
        if cat is None or cat == "none":
            continue
        before = norm[max(0, m.start() - 12):m.start()]
        after = norm[m.end():m.end() + 40]
        if r.after.search(after) or r.after_direct.search(after) or r.before.search(before):
            continue
        if cat in r.contact_categories and r.before_contact.search(before):
            continue
        s, _, _ = ctx.span_of_norm(m.start(), m.end())
        hit = D._Hit(m.start(), m.end(), cat, _plain_sentence(ctx, r, s))
        hit.excepted = bool(r.exception_after.match(after))
        hit.listed = key in r.listed
        hits.append(hit)
    return hits


# -- the comparisons --------------------------------------------------------------------------

def test_term_of_answers_as_the_plain_lookup():
    r = DR.current()
    matched = {m.group() for t in TEXTS for m in r.lexicon.finditer(_ctx(t).norm.text)}
    matched |= {t.upper() for t in matched} | {t.replace("ー", "-") for t in matched} | {"氏 名", "ﾊﾟｽﾜｰﾄﾞ", "?"}
    assert len(matched) > 100
    for _ in range(2):  # the second time from what was remembered
        for text in sorted(matched):
            assert DR.term_of(r, text) == DR.plain_term_of(r, text), text


def test_candidates_match_the_plain_loop():
    r = DR.current()
    found = 0
    for text in TEXTS:
        ctx = _ctx(text)
        got = D._candidates(ctx, r)
        assert got == _plain_candidates(ctx, r), text[:80]
        found += len(got)
    assert found > 1000


def test_sentence_joined_as_the_plain_walk_at_every_position():
    r = DR.current()
    joined = 0
    for text in TEXTS[::3] + _OWN:
        ctx = _ctx(text)
        for pos in range(len(text)):
            got = D._joined(ctx, r, ctx.sentence_at(pos))  # as _candidates finds a word's sentence
            assert got == _plain_sentence(ctx, r, pos), (text[:40], pos)
            joined += got != ctx.norm_sentence_at(pos)
    assert joined > 0  # some sentences ran across a wrapped line


def test_section_index_answers_as_the_plain_scan_at_every_position():
    checked = 0
    for text in TEXTS:
        ctx = _ctx(text)
        sections = ctx.layout.all_sections
        index = D._SectionIndex(sections)
        for pos in range(-1, len(text) + 2):
            assert index.at(pos) == D._sections_at(ctx, pos), (text[:40], pos)
        memo = D._Memo()
        for ns in range(len(ctx.norm.text)):
            hit = D._Hit(ns, ns + 1, "name", (0, 0))
            plain = D._leaked_section(ctx, hit)
            assert D._leaked_section(ctx, hit, index) == plain, (text[:40], ns)
            assert D._leaked_section_at(ctx, memo, ctx.norm.starts[ns]) == plain, (text[:40], ns)
        checked += bool(sections)
    assert checked > 40


def test_place_with_a_shared_memo_answers_as_with_none():
    """Every memo of _Memo (facts, lines, intros, denials, sections) gives the answers the
    plain code gives: each hit placed with a memo of its own gets the same mode and verdict."""
    r = DR.current()
    modes: set[str] = set()
    for text in TEXTS:
        ctx = _ctx(text)
        norm = ctx.norm.text
        shared = D._Memo()
        for a, b in zip(D._candidates(ctx, r), D._candidates(ctx, r)):
            kept = D._place(ctx, r, norm, a, shared)
            assert kept == D._place(ctx, r, norm, b, D._Memo()), (text[:40], a)
            assert (a.mode, a.leaked) == (b.mode, b.leaked), (text[:40], a)
            modes.add(a.mode)
    assert {"sentence", "label", "section", "heading", "value"} <= modes


def test_denied_answers_as_the_plain_regex():
    r = DR.current()
    memo = D._Memo()
    heads = [s.heading for t in TEXTS for s in _ctx(t).layout.all_sections] + _OWN
    for _ in range(2):
        for text in heads:
            assert D._denied(r, text, memo) == negation.text_negated(D._unbracketed(text), r.neg), text


def test_paren_spans_remembered_are_the_spans():
    for text in TEXTS + ["(a(b)c)", "((", "))", "(（）)"]:
        for _ in range(2):
            assert list(negation._paren_spans_of(text)) == negation._paren_spans(text)


def test_label_found_from_the_colon_list_as_by_searching_back():
    r = DR.current()
    labels = 0
    for text in TEXTS + ["漏えい情報:氏名", "漏えい情報：氏名", ":氏名", "氏名:", "情報:漏えい:氏名"]:
        ctx = _ctx(text)
        norm = ctx.norm.text
        colons = D._colons(norm)
        for ns in range(0, len(norm), 3 if len(norm) > 2000 else 1):
            sent = ctx.norm_sentence_at(ctx.norm.span(ns, ns + 1)[0])
            for start in {sent[0], 0, max(0, ns - 5), ns, ns + 2}:
                got = D._label_before(r, norm, (start, sent[1]), ns, colons)
                assert got == D._label_before(r, norm, (start, sent[1]), ns), (text[:40], start, ns)
                labels += got is not None
    assert labels > 100


def test_colons_found_with_find_are_the_class_searchs():
    rng = random.Random(8)
    pieces = [":", "：", "氏名", "a", " ", "\n", "::", "：:", "住所"]
    texts = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "seeds").glob("*.txt"))] + _OWN + ["", ":", "：", "a:b：c"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 20))) for _ in range(2000)]
    for text in texts:
        assert D._colons(text) == [m.start() for m in re.finditer("[:：]", text)], text
