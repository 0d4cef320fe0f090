"""The negation scope on the real GiNZA parse."""

from __future__ import annotations

import pytest

from extract import negation


def _neg(nlp, sentence, word, nth=0):
    doc = nlp(sentence)
    start = -1
    for _ in range(nth + 1):
        start = sentence.index(word, start + 1)
    return negation.negated(doc, start, start + len(word))


@pytest.mark.parametrize("sentence,word,expected", [
    ("氏名は含まれていますが、口座情報は含まれていません。", "氏名", False),
    ("氏名は含まれていますが、口座情報は含まれていません。", "口座情報", True),
    ("住所や電話番号はありません。", "電話番号", True),
    ("マイナンバーの流出はない。", "マイナンバー", True),
    ("パスワードは含まれておらず、被害は確認されていません。", "パスワード", True),
    ("メールアドレスが流出しました。", "メールアドレス", False),
])
def test_negation_predicate_scope(nlp, sentence, word, expected):
    assert _neg(nlp, sentence, word) is expected


def test_negation_inside_parentheses_stays_inside(nlp):
    s = "患者ID及びカナ氏名(住所や電話番号はありません。)、診療科"
    assert _neg(nlp, s, "住所") is True
    assert _neg(nlp, s, "氏名") is False
    assert _neg(nlp, s, "患者ID") is False


def test_negation_cue_finds_sentences_to_parse():
    cue = negation.cue()
    assert cue.search("含まれておりません") and cue.search("含まれていなかった") and cue.search("ありません")
    assert not cue.search("氏名と住所が流出しました。")
