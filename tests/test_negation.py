"""The negation scope on the real GiNZA parse, and the regex verdict for headings and labels."""

from __future__ import annotations

import pytest

from rouei.extract.doc.parsed import ParsedDoc
from rouei.extract.fields import negation


def _neg(nlp, sentence, word, nth=0):
    doc = ParsedDoc.from_spacy(nlp(sentence))
    start = -1
    for _ in range(nth + 1):
        start = sentence.index(word, start + 1)
    return negation.negated(doc, start, start + len(word))


@pytest.mark.parametrize("sentence,word,expected", [
    # the clause that holds the word decides, not the sentence's last predicate
    ("氏名は含まれていますが、口座情報は含まれていません。", "氏名", False),
    ("氏名は含まれていますが、口座情報は含まれていません。", "口座情報", True),
    ("漏えいしたのは会員番号のみで、暗証番号は含まれておりません。", "会員番号", False),
    ("漏えいしたのは会員番号のみで、暗証番号は含まれておりません。", "暗証番号", True),
    # negated presence: ない as the predicate, ありません, おらず, 保持していない, 対象外
    ("住所や電話番号はありません。", "電話番号", True),
    ("マイナンバーの流出はない。", "マイナンバー", True),
    ("パスワードは含まれておらず、被害は確認されていません。", "パスワード", True),
    ("当社ではカード番号を保持していないため、流出はありません。", "カード番号", True),
    ("診療情報は対象外です。", "診療情報", True),
    ("口座番号が外部に漏れた事実はございません。", "口座番号", True),
    ("メールアドレスが流出しました。", "メールアドレス", False),
    # the negation belongs to something else
    ("流出したカード番号の不正使用は確認されていません。", "カード番号", False),
    ("氏名と住所が漏えいした可能性は否定できません。", "住所", False),
    ("保険証の写しが外部に出ていないか調査中です。", "保険証", False),
    # a relative clause of containment is judged by its noun's predicate
    ("暗証番号を含む情報の流出はありません。", "暗証番号", True),
    ("暗証番号を含む情報が流出しました。", "暗証番号", False),
    ("暗証番号を含まない情報が流出しました。", "暗証番号", True),
    # で before a comma ends the clause even when parsed as a case particle
    ("対象は氏名・住所の2点で、口座番号は含まれません。", "住所", False),
    ("対象は氏名・住所の2点で、口座番号は含まれません。", "口座番号", True),
    # a topic reaches past a reason clause to the main predicate
    ("暗証番号はハッシュ化して保管しているため、漏えいのおそれはありません。", "暗証番号", True),
])
def test_negation_predicate_scope(nlp, sentence, word, expected):
    assert _neg(nlp, sentence, word) is expected


def test_negation_inside_parentheses_stays_inside(nlp):
    s = "受診者番号及び氏名(住所や生年月日は含まれません。)、受診日"
    assert _neg(nlp, s, "住所") is True
    assert _neg(nlp, s, "生年月日") is True
    assert _neg(nlp, s, "氏名") is False
    assert _neg(nlp, s, "受診日") is False


@pytest.mark.parametrize("text,word,expected", [
    ("氏名(カナ)、住所", "住所", None),  # not in a bracket
    ("顧客情報(氏名、住所)", "氏名", None),  # in one, but the remark has no predicate
    ("氏名(住所は含まれていない)", "住所", True),
    ("氏名(住所は全件含まれる)", "住所", None),
])
def test_negation_paren_verdict(text, word, expected):
    at = text.index(word)
    assert negation.paren_negated(text, at, at + len(word)) is expected


@pytest.mark.parametrize("text,expected", [
    ("なお、以下の情報は含まれておりません。", True),
    ("以下の項目は流出していません:", True),
    ("クレジットカード情報:なし", True),
    ("流出した可能性のある情報は以下のとおりです。", False),
    ("【閲覧できる状態であった情報】", False),
    ("流出の可能性を否定できない情報", False),
])
def test_negation_text_verdict_for_headings_and_labels(text, expected):
    assert negation.text_negated(text) is expected


def test_negation_cue_finds_sentences_to_parse():
    cue = negation.cue()
    for s in ("含まれておりません", "含まれていなかった", "ありません", "含まれず、", "該当なし"):
        assert cue.search(s), s
    assert not cue.search("氏名と住所が流出しました。")
