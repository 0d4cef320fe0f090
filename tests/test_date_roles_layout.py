"""Date roles read from the notice's layout: labels, timeline entries, the header and the
sign-off; and roles read from the parse where a relative clause stands between a date and its
cue. Notices written for these tests."""

from __future__ import annotations

import pytest

from rouei.extract.doc.context import DocContext
from rouei.extract.fields import dates


def _roles(text: str, ctx: DocContext | None = None) -> dict[str, str]:
    ctx = ctx or DocContext("t", text)
    items = dates.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return {it.text: it.role for it in items}


@pytest.mark.parametrize("label, role", [
    ("発生日時", "occurred"), ("発生年月日", "occurred"), ("判明日", "discovered"),
    ("判明日時", "discovered"), ("発覚の日時", "discovered"), ("公表日", "announced"),
    ("掲載日", "announced"), ("最終更新日", "announced"), ("報告日", "reported"),
    ("通知日", "notified"),
])
def test_date_roles_label_on_the_next_line(label, role):
    text = f"お知らせ\n\n個人情報の取扱いについて報告します。\n1 {label}\n令和4年11月20日(日曜日)\n2 概要\n書類が見つかりません。\n"
    assert _roles(text)["令和4年11月20日"] == role


def test_date_roles_label_on_the_same_line():
    text = "お知らせ\n\n誤送信がありました。\n発生日時:2024年5月1日 午前10時\n判明日 2024年5月3日\n"
    roles = _roles(text)
    assert roles["2024年5月1日"] == "occurred"
    assert roles["2024年5月3日"] == "discovered"


def test_date_roles_heading_label_with_a_sentence_value():
    text = "お知らせ\n\n事案の概要\n(1)発覚\n令和6年4月17日に市民から電話がありました。\n(2)調査\n記録を調べました。\n"
    assert _roles(text)["令和6年4月17日"] == "discovered"


TIMELINE = """個人情報の流出について

本件の経緯は次のとおりです。

経緯
・令和6年5月26日(日) 委託先のサーバーでランサムウェア被害が発生
・令和6年5月28日(火) 委託先から報告
・令和6年5月29日(水) 警察に相談
・令和6年5月30日(木) 保護者に説明と謝罪
・令和6年5月31日(金) 調査を開始
・令和6年6月3日(月) 県警に連絡、ホームページで公表
"""


@pytest.mark.parametrize("date, role", [
    ("令和6年5月26日", "occurred"), ("令和6年5月28日", "discovered"),
    ("令和6年5月29日", "reported"), ("令和6年5月30日", "notified"),
    ("令和6年5月31日", "other"), ("令和6年6月3日", "reported"),
])
def test_date_roles_timeline_entry_takes_its_event(date, role):
    assert _roles(TIMELINE)[date] == role


def test_date_roles_timeline_date_alone_then_event():
    text = "お知らせ\n\n経過は次のとおりです。\n8月22日(火)\n警察署に遺失届を提出\n8月20日(日)\n事案発生\n"
    roles = _roles(text.replace("お知らせ", "お知らせ 2023年8月24日"))
    assert roles["8月22日"] == "reported"
    assert roles["8月20日"] == "occurred"


@pytest.mark.parametrize("head", [
    "記者資料提供(2024年5月15日)\n市民課",
    "個人情報の誤送信に関するお詫び 2024年5月15日",
    "個人情報の誤送信に関するお詫び\n2024年5月15日\n株式会社サンプル",
    "更新日:2024年5月15日\n個人情報の誤送信に関するお詫び",
])
def test_date_roles_header_date_announced(head):
    text = f"{head}\n\n2024年5月10日に職員がメールを誤送信しました。\n"
    roles = _roles(text)
    assert roles["2024年5月15日"] == "announced"
    assert roles["2024年5月10日"] == "occurred"


def test_date_roles_header_title_with_an_event_date_is_not_announced():
    text = "2024年5月10日に発生した不正アクセスについて\n\n当社サーバーが攻撃を受けました。\n"
    assert _roles(text)["2024年5月10日"] != "announced"


def test_date_roles_signoff_announced():
    text = ("個人情報の紛失について\n\n令和6年11月12日、検診結果の報告書を別の方へ誤送付しました。"
            "深くお詫び申し上げます。\n\n令和6年11月15日\n独立行政法人サンプル医療機構\nサンプル病院\n院長 山田 太郎\n")
    roles = _roles(text)
    assert roles["令和6年11月15日"] == "announced"
    assert roles["令和6年11月12日"] == "occurred"


@pytest.mark.parametrize("text, date, role", [
    # a bracketed date after its predicate
    ("また、中央警察署に報告し相談(7月1日)しております。\n(2017年6月30日)", "7月1日", "reported"),
    # a concessive clause keeps the date in its own clause
    ("令和3年1月4日付けで、ホームページに「お詫び」を掲載しましたが、改めてご報告いたします。",
     "令和3年1月4日", "announced"),
    # a regulator's records received are no report of the notice's own
    ("県警察が令和5年中に受理しました被害届出や相談について、ご説明します。", "令和5年中", "other"),
    # 2022年2月から仮復旧: a step taken, no period
    ("2022年2月から仮復旧し、システムの運用を再開いたしました。", "2022年2月", "other"),
    # a retention date is no period end
    ("申請書は2024年12月31日まで保存期間が定められていました。", "2024年12月31日", "other"),
])
def test_date_roles_prose_cases(text, date, role):
    assert _roles(text)[date] == role


@pytest.mark.slow
def test_date_roles_parse_relative_clause_dates_the_records(make_ctx):
    text = "市民課で2021年3月に受付をした申請書を誤って廃棄したと思われることが判明しました。"
    assert _roles(text, make_ctx(text))["2021年3月"] == "other"
    # without a relative clause the cue rules decide, and no parse is needed
    text2 = "市民課で2021年3月に申請書を誤って廃棄したことが判明しました。"
    ctx2 = make_ctx(text2)
    assert _roles(text2, ctx2)["2021年3月"] == "occurred"
    assert ctx2.parses == {}


def test_date_roles_sentence_cut_by_a_line_break():
    text = ("お知らせ\n\n当局では、平成19年6月13日、電波利用料の納付書の発送に際し、2名\n"
            "の方に別の方の納付書を誤って送付したことが判明しました。\n")
    assert _roles(text)["平成19年6月13日"] == "discovered"


@pytest.mark.parametrize("text, date, role", [
    # no particle after an opening date: the main predicate
    ("2024年5月19日(日)ランサムウェアによるサイバー攻撃を受け、システムが停止しました。",
     "2024年5月19日", "occurred"),
    # a particle after it: the first predicate, not the last one of the sentence
    ("2024年5月10日に発覚し、同月24日に当社ウェブサイトで公表しました。", "2024年5月10日", "discovered"),
    ("2024年5月10日に発覚し、同月24日に当社ウェブサイトで公表しました。", "同月24日", "announced"),
])
def test_date_roles_opening_dates(text, date, role):
    assert _roles(text)[date] == role


def test_date_roles_contact_and_countermeasure_ranges_are_steps():
    text = ("お知らせ\n\n2024年4月1日から4月10日までの間、不正アクセスを受けました。\n\n"
            "3 再発防止策\n2024年6月1日から7月31日まで全職員に研修を行います。\n\n"
            "4 お問い合わせ窓口\n受付期間 2024年5月10日~2024年6月30日\n")
    roles = _roles(text)
    assert roles["2024年4月1日"] == "period_start" and roles["4月10日"] == "period_end"
    assert roles["2024年6月1日"] == "other" and roles["7月31日"] == "other"
    assert roles["2024年5月10日"] == "other" and roles["2024年6月30日"] == "other"


def test_date_roles_related_article_lists_hold_no_dates():
    text = ("お知らせ\n\n2024年4月1日、不正アクセスを受けました。\n\n関連記事\n"
            "・他社の情報漏えいについて(2023年12月1日)\n・別の事案のお知らせ(2023年11月2日)\n")
    assert set(_roles(text)) == {"2024年4月1日"}


def test_date_roles_first_timeline_date_without_a_cue_is_the_incident():
    text = ("お知らせ\n\n1.経緯\n令和4年9月28日(水)、職員がUSBメモリを使って事務処理をした。\n"
            "令和4年9月30日(金)、庁舎内を捜索した。\n")
    roles = _roles(text)
    assert roles["令和4年9月28日"] == "occurred"
    assert roles["令和4年9月30日"] == "other"  # only the first


@pytest.mark.parametrize("text, date, role", [
    # the cue of a clause describing a noun is skipped for a later one
    ("(2) 令和6年6月6日(木)に受託事業者から、被害が発生した委託先の端末に個人情報が含まれている旨の連絡あり",
     "令和6年6月6日", "discovered"),
    # ...but a cue before a noun of likelihood is the predicate
    ("平成30年11月29日に個人情報を含むファイルを持ち出した恐れがあることが判明した。",
     "平成30年11月29日", "occurred"),
    # and a lone cue in such a clause still counts
    ("2024年5月1日に流出した個人情報は氏名です。", "2024年5月1日", "occurred"),
])
def test_date_roles_cue_in_a_noun_modifying_clause(text, date, role):
    assert _roles(text)[date] == role


@pytest.mark.parametrize("text, date", [
    ("2024年5月10日付けでご案内のとおり、当社サーバーが不正アクセスを受けました。", "2024年5月10日"),
    ("2024年5月10日の既報のとおり、調査を進めてまいりました。", "2024年5月10日"),
])
def test_date_roles_earlier_notices_are_announced(text, date):
    assert _roles(text)[date] == "announced"
