"""Incident status from the notice's wording: the evidence items and the decision."""

from __future__ import annotations

import pytest

from rouei.extract.doc.items import StatusItem
from rouei.extract.fields import status


@pytest.fixture
def decided(make_ctx):
    def run(text: str) -> str:
        ctx = make_ctx(text)
        items = status.extract(ctx)
        for it in items:
            assert ctx.text[it.start:it.end] == it.text
        return status.decide(items)

    return run


@pytest.mark.parametrize("text,expected", [
    ("顧客情報が外部に流出していることが判明しました。", "confirmed"),
    ("約3万件の個人情報が漏えいしました。", "confirmed"),
    ("委託先において会員情報の漏えいが発生しました。", "confirmed"),
    ("同社は、顧客情報約5万件が流出したと発表した。", "confirmed"),
    ("同社は、顧客情報約5万件が流出した可能性があると発表した。", "possible"),
    ("流出した可能性がありましたが、その後の調査で流出していることが判明しました。", "confirmed"),
    ("個人情報が流出した可能性があります。", "possible"),
    ("漏えいのおそれがある個人データは120件です。", "possible"),
    ("市立病院における個人データの漏えいのおそれについて", "possible"),
    ("一定期間、第三者から閲覧可能な状態でした。", "possible"),
    ("ファイルが第三者に閲覧された可能性を否定できません。", "possible"),
    ("個人データが流出していた可能性があります。", "possible"),
    ("外部への流出は確認されていないものの、閲覧された可能性があります。", "possible"),
    ("調査の結果、個人情報の漏えいは確認されておりません。", "none"),
    ("外部への情報流出は確認されていないということです。", "none"),
    ("当該従業員から第三者への情報流出の事実は現時点におきましては確認されておりません。", "none"),
    ("情報の紛失や外部への漏えいはないということです。", "none"),
    ("外部への流出がないことを確認いたしました。", "none"),
    ("サーバーへの不正アクセスを確認しましたが、個人情報の流出は確認されていません。", "none"),
])
def test_status_decide(decided, text, expected):
    assert decided(text) == expected


@pytest.mark.parametrize("text", [
    # no statement about the leak itself: the default
    "メールを誤送信しました。二次被害は確認されておりません。",
    "クレジットカード情報の不正利用等の二次被害は確認されておりません。",
    "個人情報が不正利用される可能性がありますので、不審な電話にご注意ください。",
    "漏えいが発生した場合は、速やかに個人情報保護委員会へ報告いたします。",
    "流出した可能性は極めて低いと考えております。",
    "漏えいした情報にクレジットカード情報はありません。",
    "お問い合わせ:0120-000-000(平日9時~17時)",
])
def test_status_no_evidence_defaults_to_confirmed(make_ctx, text):
    ctx = make_ctx(text)
    assert {it.status for it in status.extract(ctx)} <= {"confirmed"}
    assert status.decide(status.extract(ctx)) == "confirmed"


@pytest.mark.parametrize("found,expected", [
    ([], "confirmed"),
    (["none"], "none"),
    (["none", "possible"], "possible"),
    (["possible", "confirmed", "none"], "confirmed"),
])
def test_status_decide_order(found, expected):
    items = [StatusItem("x", 0, 1, status=s) for s in found]
    assert status.decide(items) == expected


def test_status_items_in_text_order(make_ctx):
    ctx = make_ctx("流出した可能性があります。\n調査の結果、漏えいは確認されておりません。")
    assert [it.status for it in status.extract(ctx)] == ["possible", "none"]
