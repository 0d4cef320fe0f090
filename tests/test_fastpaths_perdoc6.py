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

