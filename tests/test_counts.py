"""Counts of leaked records and people: values, units as written, approximate flag, offsets."""

from __future__ import annotations

import pytest

from extract import counts
from extract.context import DocContext


def _counts(text):
    ctx = DocContext("t", text)
    items = counts.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return items


@pytest.mark.parametrize("text,expected", [
    ("顧客情報1,234件が外部に流出した可能性があります。", [(1234, "件", False)]),
    ("会員情報１２，０００件が閲覧可能な状態でした。", [(12000, "件", False)]),
    ("約1.2万件の個人情報が漏えいしたおそれがあります。", [(12000, "件", True)]),
    ("対象は約0.5万件です。", [(5000, "件", True)]),
    ("最大で928万件の顧客データが持ち出されました。", [(9280000, "件", True)]),
    ("漏えいした人数は三十二万五千人に上ります。", [(325000, "人", False)]),
    ("応募者四百名の履歴書データを誤送信した。", [(400, "名", False)]),
    ("およそ3千人分の名簿を紛失した。", [(3000, "人分", True)]),
    ("患者96件(88名)の検査結果", [(96, "件", False), (88, "名", False)]),
    ("漏えい件数:20回線、512通話", [(20, "回線", False), (512, "通話", False)]),
    ("延べ3,427件(実人数2,567人)が閲覧可能でした。", [(3427, "件", False), (2567, "人", False)]),
    ("法人12契約、メール340通が誤って配信されました。", [(12, "契約", False), (340, "通", False)]),
    ("影響は個人契約5顧客です。", [(5, "顧客", False)]),
    ("1,500アカウントに不正ログインがありました。", [(1500, "アカウント", False)]),
    ("約 120 万のユニークブラウザ分のデータ", [(1200000, "ユニークブラウザ分", True)]),
    ("100名以上の個人情報が流出した。", [(100, "名", True)]),
    ("5万件超のメールアドレス", [(50000, "件", True)]),
    ("生徒41名分の成績一覧", [(41, "名分", False)]),
    ("3台の車両の情報を不正に照会した。", [(3, "台", False)]),
])
def test_counts_forms(text, expected):
    got = [(c.value, c.unit, c.approximate) for c in _counts(text)]
    assert got == expected


def test_counts_span_covers_prefix_and_suffix():
    (c,) = _counts("流出したのは約１．５万件以上です。")
    assert c.text == "約１．５万件以上"
    assert c.value == 15000 and c.approximate
