"""Leak notice or not (extract/fields/notice.py, rules/notice.toml): the record's leak_notice.

Every page here is written for the phenomenon; none is copied from a real notice."""

from __future__ import annotations

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.text import Normalized
from rouei.extract.fields import notice

NOT_NOTICES = {
    # a title announcing another topic asks for a second event sentence
    "topic_announcement": (
        "会員サイトのパスワード再設定機能追加のお知らせ\n"
        "他社サービスで流出したパスワードを使った不正ログインが発生しています。\n"
        "このたび、会員サイトにパスワード再設定の機能を追加しました。\n"),
    "product": (
        "情報漏えい対策サービス「ガードワン」提供開始のお知らせ\n"
        "近年、企業における情報漏えいが多数発生しています。\n"
        "ガードワンは、社内のパソコンからの不正な持ち出しを検知し、管理者に通知します。\n"
        "2024年7月1日より、法人のお客様向けに提供を開始いたしました。\n"),
    "event": (
        "情報セキュリティセミナー開催のお知らせ\n"
        "昨年は多くの企業でランサムウェアによる被害が発生しました。\n"
        "本セミナーでは、最新の攻撃手口と対策を専門家が解説します。\n"
        "日時:2024年9月10日(火)14時から16時\n会場:テスト市民会館 大ホール\n"),
    "financial": (
        "特別損失の計上に関するお知らせ\n"
        "当社は、2024年5月に公表した当社サーバーへの不正アクセス事案に関連し、"
        "調査費用等として特別損失を計上いたしました。\n"
        "通期の業績予想に変更はありません。\n"),
    "listing": (
        "お知らせ一覧\n"
        "2024.06.03 夏季休業のお知らせ\n"
        "2024.05.20 個人情報の漏えいに関するお詫び\n"
        "2024.05.01 新商品発売のお知らせ\n"
        "2024.04.15 ホームページをリニューアルしました\n"),
    "guide": (
        "個人情報漏えい時のお詫び文の書き方と例文\n"
        "情報漏えいが起きた場合は、事実を速やかに公表することが大切です。\n"
        "以下は、メールの誤送信が起きた場合のお詫び文の例文です。\n"
        "【例文】\n"
        "この度、弊社において、お客様のメールアドレスが記載されたメールを誤送信したことが判明しました。\n"
        "お客様には多大なご迷惑をおかけしましたことを深くお詫び申し上げます。\n"),
    "guide_untitled": (
        "漏えいが起きたら最初にすること\n"
        "まず、被害の範囲を確認しましょう。\n"
        "以下はお詫び文の例です。\n"
        "当社の顧客情報が第三者による不正アクセスを受け、流出したおそれがあることが判明しました。\n"),
    "advice": (
        "情報漏えいを防ぐために企業ができること\n"
        "2024年には大手通販サイトで不正アクセスにより約10万件のカード情報が流出しました。\n"
        "社員教育とアクセス権限の見直しが欠かせません。\n"),
    "law": (
        "改正個人情報保護法のポイント\n"
        "2022年4月1日に施行された改正法により、漏えい等が発生し、個人の権利利益を害するおそれが"
        "大きい場合には、個人情報保護委員会への報告が義務化されました。\n"
        "本人への通知も必要となります。\n"),
    "policy": (
        "プライバシーポリシー\n"
        "当社は、お客様の個人情報を適切に取り扱います。\n"
        "当社は、個人情報の漏えい、滅失又は毀損の防止その他の安全管理のために必要かつ適切な措置を講じます。\n"),
    "policy_plain": (
        "個人情報の取扱いについて\n"
        "当法人は、取得した個人情報を利用目的の範囲内で利用します。\n"
        "委託先には、個人情報の漏えいが発生しないよう監督を行います。\n"),
    "outage": (
        "システム障害のお知らせ\n"
        "2024年6月1日午前9時頃から、会員サイトにログインしにくい状態が発生しました。\n"
        "現在は復旧しております。\n"
        "なお、本障害による個人情報の流出はございません。\n"),
    "english": (
        "Notice regarding unauthorized access to our server\n"
        "Test Trading Co., Ltd. (株式会社テスト商事) found on June 3, 2024 that customer data may "
        "have been leaked after unauthorized access. We sincerely apologise.\n"),
    "product_prevention": (
        "誤送信防止ツール「テストガード」の提供開始について\n"
        "メールの誤送信による情報漏えいが多く報告されています。\n"
        "テストガードは社外宛てのメールを一時保留し、誤送信を防ぎます。\n"),
    "event_quoted_title": (
        "講演会「不正アクセス被害から学ぶ」開催のお知らせ\n"
        "昨年、市内の企業で不正アクセスにより顧客情報が流出しました。\n"
        "日時:2025年9月10日(水)14時から\n"),
    "listing_many_leak_entries": (
        "ニュース一覧\n"
        "2024.10.01 価格改定のお知らせ\n"
        "2024.09.30 不正アクセスによる個人情報流出の可能性に関するお知らせ(第2報)\n"
        "2024.09.05 不正アクセスによる個人情報流出の可能性に関するお知らせ\n"
        "2024.08.01 会員情報の漏えいに関するお詫びとご報告\n"),
    "reporting_duty": (
        "漏えい等報告の対象となる事態の整理\n"
        "不正アクセスにより個人データが漏えいしたおそれがある事態は、報告の対象となります。\n"
        "速報は概ね3日から5日以内に行います。\n"),
    "phishing_warning": (
        "当社を装った不審なメールにご注意ください\n"
        "偽のサイトでパスワードを入力すると、情報が盗まれ、不正に利用されるおそれがあります。\n"
        "なお、本件は当社からお客様情報が流出したことによるものではありません。\n"),
    "training_report": (
        "新入職員を対象とした情報セキュリティ研修を実施しました\n"
        "研修では、他の自治体で起きたメールの誤送信による個人情報の漏えい事案を紹介し、宛先確認の手順を説明しました。\n"),
    "misprint_correction": (
        "「市民だより」10月号の記載内容に関するお詫びと訂正\n"
        "記事において、開催日時を誤って記載しておりました。お詫びして訂正いたします。\n"),
    "job_posting": (
        "キャリア採用 情報セキュリティエンジニア募集\n"
        "情報漏えいなどのインシデント発生時には、お客様と連携して初動対応を行います。\n"),
    "chinese": (
        "关于个人信息泄露的通知\n"
        "本公司服务器遭到不正当访问，部分客户的个人信息可能已经流出。\n"
        "我们对此深表歉意。\n"),
}

NOTICES = {
    "loss": (
        "個人情報の漏えいについて\n"
        "2024年3月1日、当社従業員が顧客120名の氏名が記載された名簿を紛失したことが判明しました。\n"
        "お客様には深くお詫び申し上げます。\n"),
    "none_found": (
        "不正アクセスに関する調査結果のご報告\n"
        "当社のサーバーが外部から不正アクセスを受けました。\n"
        "調査の結果、個人情報の漏えいは確認されませんでした。\n"),
    "outage_title": (
        "システム障害に関するお詫び\n"
        "当院は外部からの不正アクセスを受け、電子カルテシステムに障害が発生しました。\n"
        "患者情報が流出した可能性があります。\n"),
    "news": (
        "テスト社、顧客情報10万件流出か\n"
        "テスト社は10日、不正アクセスにより顧客情報約10万件が流出した可能性があると発表した。\n"),
    "snooping": (
        "懲戒処分の公表について\n"
        "処分の理由\n"
        "職員が業務とは関係ない私的な理由から、住民情報システムを用いて知人の住所情報を不正に収集したもの。\n"),
    "discipline_told_a_friend": (
        "職員の懲戒処分について\n"
        "職員が業務上の必要なく照会した住民3人の住所を、知人に漏らしたものである。\n"),
    "photo_posted_on_sns": (
        "職員による利用者の写真のSNS投稿について\n"
        "介護職員が利用者様の写真を、本人の同意なく個人のSNSに投稿していたことが判明しました。\n"),
    "leak_and_warning_title": (
        "不正アクセスによる会員情報流出と不審メールへの注意喚起\n"
        "当社サーバーが不正アクセスを受け、会員のメールアドレスが流出したことが判明しました。\n"),
    "correction_of_a_leak": (
        "個人情報の誤掲載に関するお詫びと訂正\n"
        "ホームページに掲載した名簿に、申込者の電話番号を誤って掲載しておりました。\n"),
    "listing_of_posts": (
        "お知らせ\n"
        "メールの誤送信について\n"
        "2024年5月10日、職員が誤って保護者全員のメールアドレスを宛先に入力して一斉送信してしまいました。\n"
        "USBメモリの紛失について\n"
        "2024年4月2日、職員が児童の成績を保存したUSBメモリを紛失したことが判明しました。\n"),
    "site_title_then_own": (
        "お知らせ\n\n2024年4月22日\n\n会員情報の漏えいに関するお詫び\n\n"
        "当社の会員サイトで、他の会員の氏名が表示される不具合が発生し、情報が漏えいしました。\n"),
    "measures_title": (
        "不正アクセスに関するご報告と今後の対策について\n"
        "当社のサーバーが外部から不正アクセスを受け、顧客情報が流出した可能性があります。\n"),
    "campaign": (
        "キャンペーン応募者の個人情報漏えいについて\n"
        "当社が実施したキャンペーンの応募者32名のメールアドレスが、他の応募者に表示されていたことが判明しました。\n"),
    "seminar": (
        "セミナー参加者へのメール誤送信について\n"
        "セミナーの案内メールを、参加者全員のアドレスが見える状態で送信してしまいました。\n"
        "誤って宛先欄に全員のアドレスを入力したことが原因です。\n"),
    "manual": (
        "利用者ガイドブック送付時の誤封入に関するお詫び\n"
        "ガイドブックの送付の際、他の利用者の申込書を誤って同封していたことが判明しました。\n"),
    "cookie": (
        "Cookie設定の不備による会員情報の流出に関するお詫び\n"
        "設定の不備により、他の会員の氏名が表示される状態となっていたことが判明しました。\n"),
    "quotes_phishing_mail": (
        "当社従業員を装った不審メールに関するお詫び\n"
        "当社従業員のパソコンがマルウェアに感染し、メールアドレスが流出したことが判明しました。\n"
        "送信されたメールの文例は以下のとおりです。\n"),
    # a scraped page whose title is only its site section's name, with one event sentence
    "section_name_title": (
        "株式会社テスト商事 お知らせ\n2024年1月5日、当社の委託先で顧客情報300件が流出しました。\n"),
    "news_section_title": (
        "ニュース\n当院の職員が患者12名の検査結果を記録したUSBメモリを紛失しました。\n"),
    "press_release_title": (
        "ニュースリリース 個人情報の流出について | テスト電機株式会社\n"
        "当社の委託先がランサムウェアに感染し、お客様の氏名と住所が流出したおそれがあります。\n"),
}


def _ctx(text: str) -> DocContext:
    return DocContext("t", text, title=text.splitlines()[0])


@pytest.mark.parametrize("kind", sorted(NOT_NOTICES))
def test_notice_pages_that_report_no_leak(kind):
    assert notice.is_leak_notice(_ctx(NOT_NOTICES[kind])) is False


@pytest.mark.parametrize("kind", sorted(NOTICES))
def test_notice_pages_that_report_a_leak(kind):
    assert notice.is_leak_notice(_ctx(NOTICES[kind])) is True


@pytest.mark.parametrize("sentence,expected", [
    ("顧客情報が外部に流出した可能性があることが判明しました。", True),
    ("一斉メールを送信する際に、Bccで送信すべきところ、誤ってToで送信しました。", True),
    ("個人情報の漏えいが発生した場合は、速やかに報告する必要があります。", False),
    ("なお、本障害による個人情報の流出はございません。", False),
    ("個人情報の漏えいに関するお詫び", False),  # a title, no predicate
    ("不正アクセス対策を強化してまいります。", False),
    ("その結果を知人に漏らしたものである。", True),
    ("偽のサイトでIDを入力すると、情報が盗まれ、不正に利用されるおそれがあります。", False),
    ("本件は当社からお客様情報が流出したことによるものではありません。", False),
    ("情報漏えいなどのインシデント発生時には、お客様と連携して対応を行います。", False),
    ("2024.09.30 不正アクセスによる個人情報流出の可能性に関するお知らせ(第2報)", False),
    ("サーバーへの不正アクセスについて(第1報)", False),
])
def test_notice_event_sentences(sentence, expected):
    assert notice.is_event(Normalized.of(sentence).text) is expected


def test_notice_japanese_share():
    share, kana = notice.japanese_share("当社の顧客情報が流出しました。")
    assert share == 1.0 and kana > 0.3
    share, kana = notice.japanese_share("本公司服务器遭到访问")
    assert share == 1.0 and kana == 0.0
    assert notice.japanese_share("Unauthorized access")[0] == 0.0


def test_notice_main_title_drops_the_site():
    assert notice.main_title("個人情報の漏えいについて | テスト新商品ニュース") == "個人情報の漏えいについて"
    assert notice.main_title("お知らせ一覧") == "お知らせ一覧"


def test_notice_rule_examples_match():
    cfg = rules.load("notice")
    for g in cfg["genre"]:
        assert rules.compile_pattern(g["pattern"]).search(Normalized.of(g["example"]).text), g["kind"]
    for n in cfg["not_event"]:
        assert rules.compile_pattern(n["pattern"]).search(n["example"])
    ev = cfg["event"]
    assert notice.is_event(ev["example"])
    assert rules.compile_pattern(ev["leak"]).search(ev["example"])


def test_notice_pipeline_record_flag(pipeline):
    rec = pipeline.process("t", NOT_NOTICES["guide"])
    assert rec["leak_notice"] is False and rec["incidents"] == []
    rec = pipeline.process("t", NOTICES["loss"])
    assert rec["leak_notice"] is True and len(rec["incidents"]) == 1
    assert rec["incidents"][0]["causes"][0]["category"] == "loss"
    rec = pipeline.process("t", NOTICES["none_found"])
    assert rec["leak_notice"] is True and rec["incidents"][0]["status"] == "none"
