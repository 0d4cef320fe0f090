"""Leaked data types: list shapes, negation scoped by the parse, must-not-match contexts."""

from __future__ import annotations

import pytest

from extract import datatypes


def _types(make_ctx, text):
    ctx = make_ctx(text)
    items = datatypes.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    leaked = {i.category for i in items if i.leaked}
    not_leaked = {i.category for i in items if not i.leaked}
    return leaked, not_leaked


@pytest.mark.parametrize("text,leaked", [
    # list shapes
    ("流出した情報は、氏名、住所、電話番号です。", {"name", "address", "phone_number"}),
    ("会員の氏名・住所・メールアドレスが閲覧可能な状態でした。", {"name", "address", "email_address"}),
    ("氏名及び生年月日が外部に漏えいしました。", {"name", "birth_date"}),
    ("氏名や住所等が含まれていました。", {"name", "address"}),
    ("誤送付した書類(データ項目:住所、氏名、性別、年齢)", {"address", "name", "gender", "age"}),
    ("漏えい情報:通話先電話番号、通話時間", {"phone_number", "communication"}),
    ("漏えいのおそれのある情報\n①氏名 ②住所 ③クレジットカード番号", {"name", "address", "credit_card"}),
    ("【個人情報の内容】\nお客さまのご住所、お名前、お電話番号", {"address", "name", "phone_number"}),
    ("2 漏えいした個人情報\n1) 氏名、患者番号、診療科", {"name", "account_id", "health"}),
    ("ﾒｰﾙｱﾄﾞﾚｽ約300件を誤送信しました。", {"email_address"}),
    ("患者 ID とカナ氏名が記録された端末が流通した。", {"account_id", "name"}),
    ("マイナンバーが記載された書類を紛失しました。", {"my_number"}),
    ("学年、クラス、部屋番号が閲覧できる状態でした。", {"affiliation"}),
    ("購入履歴と口座番号が流出した可能性があります。", {"usage_history", "bank_account"}),
    ("会話の録音データが複数の生徒に共有され流出した。", {"other"}),
])
def test_datatypes_list_shapes(make_ctx, text, leaked):
    got, not_leaked = _types(make_ctx, text)
    assert got == leaked and not_leaked == set()


@pytest.mark.parametrize("text,leaked,not_leaked", [
    ("氏名、住所が含まれていますが、クレジットカード情報や口座情報などの決済関連情報、各種パスワードは含まれておりません。",
     {"name", "address"}, {"credit_card", "bank_account", "billing", "password"}),
    ("対象者の氏名と患者番号(住所や電話番号はありません。)が流出しました。",
     {"name", "account_id"}, {"address", "phone_number"}),
    ("なお、口座情報、クレジットカード情報、メール本文は含まれない。", set(),
     {"bank_account", "credit_card", "communication"}),
    ("なお、漏えいした情報にマイナンバーは含まれていません。", set(), {"my_number"}),
    ("ただし、クレジットカードやマイナンバーなどの情報の流出はないとしています。", set(), {"credit_card", "my_number"}),
    ("※上記以外の氏名やメールアドレス等の情報は公開しておりません", set(), {"name", "email_address"}),
    ("クレジットカード番号の漏えいはありません。", set(), {"credit_card"}),
])
def test_datatypes_negation_scoped_by_clause(make_ctx, text, leaked, not_leaked):
    assert _types(make_ctx, text) == (leaked, not_leaked)


def test_datatypes_negation_does_not_cross_sentences(make_ctx):
    text = "氏名と住所が流出しました。なお、クレジットカード情報は含まれておりません。"
    assert _types(make_ctx, text) == ({"name", "address"}, {"credit_card"})


@pytest.mark.parametrize("text", [
    "お問い合わせ窓口 電話番号:0120-000-000(受付時間 9時~17時)",
    "ご登録いただいたメールアドレス宛にお詫びのご連絡をお送りします。",
    "ログイン用のID及びパスワードがない限り閲覧できません。",
    "他人のIDとパスワードを使用してシステムにログインした。",
    "再発防止策として、全社員のパスワードを変更しました。",
    "年間パスポート購入者に営業案内が届いた。",
    "当社の住所は東京都千代田区です。",
    "名前の出た生徒は登校できなくなっている。",
    "不審な電話番号からの連絡にご注意ください。",
])
def test_datatypes_not_applicable(make_ctx, text):
    assert _types(make_ctx, text) == (set(), set())
