"""Dates: strings that look like dates but are not (law numbers, durations, times, phone
numbers, prices, article numbers, URLs, versions, impossible days, deictic words)."""

from __future__ import annotations

import pytest

from rouei.extract.doc.context import DocContext
from rouei.extract.fields import dates

NOT_DATES = [
    # law and notice numbers
    "電気通信事業法(昭和59年法律第86号)第4条第1項に規定する通信の秘密",
    "電気通信事業法(昭和59年(1984)法律第86号)に基づき",
    "ガイドライン(平成29年(2017)総務省告示第152号)第11条",
    "個人情報の保護に関する法律(平成15年法律第57号)",
    "平成29年総務省告示第152号による改正",
    "令和5年3月31日付け総務省告示第100号により改正された",
    # fiscal-year labels alone
    "令和5年度の通知書を誤って送付しました",
    "2023年度予算に計上",
    # durations
    "今月3日までの5日間、自宅で保管していた",
    "1年2か月の間、個人情報が適切に管理されていない状態にありました",
    "10年間にわたり不正に持ち出された",
    "3ヶ月間における閲覧記録",
    "過去2000年間の記録",
    "12月間の保存期間",
    # clock times and video lengths
    "同日、18時30分に機能の停止をしております",
    "午後5時頃、職員が動画を掲載した",
    "当該全動画10分3秒のうち6秒間",
    # phone numbers, prices, article numbers, counts
    "お問い合わせ窓口:03-1234-5678(平日9時~17時)",
    "フリーダイヤル 0120-2024-12 まで",
    "価格は2,024円(税込)です",
    "個人情報保護法第26条第2項に基づく本人通知",
    "約1.2万件、928万人分",
    "対象者の1/2が回答、3/4は未回答",
    # URLs and file paths
    "https://www.ppc.go.jp/news/press/2023/240124_houdou/",
    "https://www.nttbizsol.jp/newsrelease/202401241100000995.html",
    "詳細は www.example.co.jp/news/2024-05-10/ をご覧ください",
    # version strings and serial numbers
    "バージョン2023.12.1を適用しました",
    "ver.2024.1.5 にて修正済み",
    "ISBN978-2024-03-05",
    "新型ルーター R2 に更新しました",
    # impossible dates and out-of-range eras
    "2月30日に発生",
    "令和5年2月29日に発生",
    "平成45年4月1日",
    # words without a numeral, and relative dates with no anchor in the text
    "昨年、同社で不正アクセスが発覚した",
    "先月中旬に市個人情報保護審査会が出した意見書",
    "本日、報告徴収を受領しました",
    "同日のうちに当該ページを閉鎖いたしました",
    "翌日タブレットを返却された生徒が気づいた",
    "社員が先月29日、情報を無断で印刷した",
    # calendar-like words that are not dates
    "3月期決算の説明資料",
    "2024年3月期決算の説明資料",
    "2024年4月度のご請求",
    "週刊誌12月号に掲載",
    "毎月第3月曜日に点検",
    "2024年版の手引き",
    "1990年代から続く名簿",
    "15年前の記録",
    # sanctions: the length of a suspension or a pay cut
    "懲戒処分の内容は停職6月とした",
    "減給10分の1(3月)の処分を行った",
    # 同 with no numeral, 同社
    "同社は同日中にサイトを閉鎖した",
    # a day alone with no full date to anchor it, or a count of days
    "同社は3日、調査結果を発表した",
    "バックアップは、1日に2回取得しています",
    "作業は、3日にわたり行われた",
]


@pytest.mark.parametrize("text", NOT_DATES, ids=[f"{i:02d}" for i in range(len(NOT_DATES))])
def test_dates_not_applicable(text):
    found = dates.extract(DocContext("t", text))
    assert found == [], [(d.text, d.value) for d in found]


def test_dates_law_number_next_to_a_real_date():
    text = "総務省は2024年3月5日、電気通信事業法(昭和59年法律第86号)に基づき指導した。"
    found = dates.extract(DocContext("t", text))
    assert [d.value for d in found] == ["2024-03-05"]


def test_dates_restated_western_year_is_not_a_second_date():
    for text in ("平成25年11月19日(2013年)\n個人情報盗難のお詫び",
                 "平成25年11月19日\n(2013年)\n個人情報盗難のお詫び"):
        found = dates.extract(DocContext("t", text))
        assert [d.value for d in found] == ["2013-11-19"], text


def test_dates_a_sanction_next_to_a_real_date():
    text = "令和5年12月1日付けで、職員を停職6月の懲戒処分とした。"
    found = dates.extract(DocContext("t", text))
    assert [d.value for d in found] == ["2023-12-01"]
