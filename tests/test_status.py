"""Incident status from the notice's wording."""

from __future__ import annotations

import pytest

from extract import status
from extract.context import DocContext


@pytest.mark.parametrize("text,expected", [
    ("顧客情報が外部に流出していることが判明しました。", "confirmed"),
    ("個人情報が流出した可能性があります。", "possible"),
    ("漏えいのおそれがある個人データは120件です。", "possible"),
    ("一定期間、第三者から閲覧可能な状態でした。", "possible"),
    ("調査の結果、個人情報の漏えいは確認されておりません。", "none"),
    ("外部への情報流出は確認されていないということです。", "none"),
    ("メールを誤送信しました。二次被害は確認されておりません。", "confirmed"),  # no statement: default
    ("流出した可能性がありましたが、その後の調査で流出していることが判明しました。", "confirmed"),
])
def test_status_decide(text, expected):
    ctx = DocContext("t", text)
    items = status.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    assert status.decide(items) == expected
