"""Causes in the JNSA classes: each class, several per incident, and what is not a cause."""

from __future__ import annotations

import pytest

from extract import causes
from extract.context import DocContext


def _causes(text):
    ctx = DocContext("t", text)
    items = causes.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return {it.category for it in causes.resolve(items)}


@pytest.mark.parametrize("text,expected", [
    ("営業担当者が顧客リストを入れた鞄を電車内に置き忘れました。", {"loss"}),
    ("保管していた申込書の所在が確認できず、所在不明となっています。", {"loss"}),
    ("担当者がメールを誤送信し、他のお客様のアドレスが表示されました。", {"misoperation"}),
    ("案内メールをBCCとすべきところTOで送信したことが原因です。", {"misoperation"}),
    ("別の利用者宛ての通知書を誤って送付しました。", {"misoperation"}),
    ("当社サーバーが外部からの不正アクセスを受けました。", {"unauthorized_access"}),
    ("リスト型攻撃による不正ログインが確認されました。", {"unauthorized_access"}),
    ("委託先が契約終了後もデータを回収せず、保管していた。", {"mismanagement"}),
    ("リース返却時にハードディスクのデータを消去せずに返却していた。", {"mismanagement"}),
    ("職員が内規に反して名簿を無断で持ち出していた。", {"unauthorized_takeout"}),
    ("駐車中の車両で車上荒らしに遭い、書類が盗まれました。", {"theft"}),
    ("元社員が顧客データを名簿業者に売却していた。", {"insider_fraud"}),
    ("派遣社員が管理者権限を悪用して顧客情報を不正に持ち出し、転売していた。", {"insider_fraud"}),
    ("ファイルの公開設定の誤りにより、外部から閲覧可能な状態でした。", {"misconfiguration"}),
    ("予約システムのプログラムの不具合により他人の情報が表示された。", {"bug_vulnerability"}),
    ("VPN機器の脆弱性を悪用されました。", {"bug_vulnerability"}),
    ("従業員のパソコンがEmotetに感染しました。", {"malware"}),
    ("ランサムウェアによる不正アクセスを受け、サーバーが暗号化された。", {"malware", "unauthorized_access"}),
    ("店員が顧客の連絡先を私的に利用して連絡していた。", {"misuse"}),
    ("取得した個人情報を目的外利用していたことが判明した。", {"misuse"}),
])
def test_causes_classes(text, expected):
    assert _causes(text) == expected


@pytest.mark.parametrize("text", [
    "本件は不正アクセスによるものではありません。",  # denial
    "現時点で第三者による不正使用等の事実は確認されていません。",
    "個人情報の不正利用等の二次被害は確認されておりません。",
    "再発防止策として、全社員のパスワードを変更し、不正アクセス対策を強化してまいります。",  # measures
    "ウイルス対策ソフトを最新の状態に更新しました。",
    "不正アクセス禁止法違反の疑いで書類送検された。",  # a law
    "情報の紛失や外部への漏えいはないということです。",
    "今後も情報の取扱いに関する教育を徹底してまいります。",
])
def test_causes_not_applicable(text):
    assert _causes(text) == set()


def test_causes_insider_fraud_suppresses_takeout_within_an_incident():
    text = "元派遣社員が顧客情報を無断で持ち出し、名簿業者に転売していた。"
    assert _causes(text) == {"insider_fraud"}
    raw = {it.category for it in causes.extract(DocContext("t", text))}
    assert raw == {"insider_fraud", "unauthorized_takeout"}
