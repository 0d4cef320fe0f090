"""Fast paths of the per-notice warm work (round 6) give what the plain code gives: each is
compared with a plain reference on the seed notices, the holdout pages and edge cases."""

from __future__ import annotations

import dataclasses

from rouei.extract.doc import layout_rules as lr

from .test_fastpaths_doc import TEXTS

# lines that open with every kind of mark, with near misses and with none
_LINES = [
    "", " ", "【経緯】", "【", "【】", "第1章 概要", "第二 原因", "第", "第一に", "■ 対応", "◇", "● 策",
    "1. 経緯", "1) 原因", "1、概要", "1 経緯", "10日", "2024年", "12 名", "(1)発覚", "(1", "(ア) 氏名",
    "(イ)", "ア.メール", "イ)住所", "ウ、電話", "アカウント", "① 氏名", "⑳", "➉", "一、経緯", "十二.",
    "一部", "・生年月日", "･性別", "• x", "◦ y", "* z", "- 性別", "-1", "x", "A. b", "１．全角",
    "\u3000全角", "\t1. タブ",
]


def _first_marker(markers, text):
    for mk in markers:
        m = mk.regex.match(text)
        if m:
            return mk.style, m.span(), m.groupdict()
    return None


def test_markers_for_a_first_character_find_what_every_marker_finds():
    r = lr.layout_rules()
    assert r.marker_start is not None
    lines = list(_LINES)
    for text in TEXTS:
        lines += [ln.strip() for ln in text.splitlines()]
    tried = 0
    for line in lines:
        fast = lr.markers_for(r, line[:1])
        assert _first_marker(fast, line) == _first_marker(r.markers, line)
        # the kept answer is the same tuple, and it never holds a marker out of rule order
        assert lr.markers_for(r, line[:1]) is fast
        assert [mk for mk in r.markers if mk in fast] == list(fast)
        tried += len(fast) < len(r.markers)
    assert tried > 100  # most lines are tried against fewer markers
    assert lr.markers_for(r, "") == ()  # no marker matches an empty line
    plain = dataclasses.replace(r, marker_start=None)
    assert lr.markers_for(plain, "あ") == r.markers



# -- the data-type lexicon's alternatives in groups ----------------------------------------

def _lexicon_texts(terms: list[str]) -> list[str]:
    import random

    rnd = random.Random(6)
    out = ["", "ID", "xID", "ID1", "患者 ID", "パスワ-ド", "クレジットカ－ド", "お名前お客様番号",
           "メールアドレスメール", "氏名、住所、電話番号", "\n".join(terms), "".join(terms),
           "".join(t[:-1] for t in terms), " ".join(t.lower() for t in terms)]
    junk = "のお日人個メ年ス、。 \nAxI"
    for _ in range(300):
        # terms run together, cut short, and with the start of another after them
        pieces = []
        for _ in range(rnd.randint(1, 12)):
            t = rnd.choice(terms)
            pieces.append(rnd.choice([t, t[:rnd.randint(1, len(t))], t + rnd.choice(terms)[:2],
                                      rnd.choice(junk)]))
        out.append("".join(pieces))
    return out + TEXTS


def test_grouped_lexicon_finds_what_the_plain_alternation_finds():
    import re

    from rouei.extract.core import compiled, rules
    from rouei.extract.fields import datatype_rules as dr

    terms = dr.terms(rules.load("datatypes"))
    lexicon = dr.current().lexicon
    assert lexicon.pattern == dr.trie_pattern(terms) and lexicon.pattern.startswith("(?=[")
    plain = dr.plain_lexicon(terms)
    # the trie's alternatives side by side, ungrouped
    pairs = dr.trie_alternatives(terms)
    assert pairs is not None
    flat = re.compile("|".join(a for _, a in pairs))
    assert len(pairs) > 100 and len({c for c, _ in pairs}) == len(pairs)
    others = {n: compiled.regex(dr.grouped(pairs, n)) for n in (2, 3, 5, 8)}
    found = 0
    for text in _lexicon_texts(terms):
        want = [(m.span(), m.group()) for m in plain.finditer(text)]
        assert [(m.span(), m.group()) for m in flat.finditer(text)] == want
        assert [(m.span(), m.group()) for m in lexicon.finditer(text)] == want
        for pat in others.values():
            assert [(m.span(), m.group()) for m in pat.finditer(text)] == want
        found += len(want)
    assert found > 1000
    # too few alternatives to group: the plain alternation
    assert dr.grouped([("a", "a"), ("b", "bc")]) == "a|bc"
