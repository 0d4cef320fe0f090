"""Dates: every written form gives its ISO value and role, with offsets into the text.

The sentences are written for these tests in the manner of real notices (press releases,
お詫び pages, municipal notices, news write-ups). Dates never parse, so no model is loaded.
"""

from __future__ import annotations

import pytest

from rouei.extract.doc.context import DocContext
from rouei.extract.fields import dates


def _items(text: str, published: str | None = None):
    ctx = DocContext("t", text, published=published)
    items = dates.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return items


def _find(items, text: str):
    for it in items:
        if it.text == text:
            return it
    raise AssertionError(f"no date {text!r} in {[(i.text, i.value) for i in items]}")


# (sentence, the date as written, value, role, publication date)
CASES = [
    # western forms
    ("2024年3月5日、当社サーバーへの不正アクセスを確認しました。",
     "2024年3月5日", "2024-03-05", "discovered", None),
    ("調査の結果、2024/3/5に不審な通信が判明いたしました。",
     "2024/3/5", "2024-03-05", "discovered", None),
    ("更新日:2024.3.5\n個人情報の取り扱いに関するお知らせ",
     "2024.3.5", "2024-03-05", "announced", None),
    ("公開日 2024-03-05\n本件について下記のとおりご報告します。",
     "2024-03-05", "2024-03-05", "announced", None),
    ("二〇二四年三月五日、委託先のサーバーがランサムウェアに感染しました。",
     "二〇二四年三月五日", "2024-03-05", "occurred", None),
    ("２０２４年５月１０日、当社は本件を公表いたしました。",
     "２０２４年５月１０日", "2024-05-10", "announced", None),
    # Japanese eras, 元年, abbreviations, kanji numerals, stray spaces
    ("令和6年4月8日(月)に委託先から連絡があり、漏えいが判明しました。",
     "令和6年4月8日", "2024-04-08", "discovered", None),
    ("令和元年7月から運用していた会員管理システムにおいて、設定の不備がありました。",
     "令和元年7月", "2019-07", "period_start", None),
    ("R5.9.26 顧客名簿を記録したUSBメモリの紛失が発生",
     "R5.9.26", "2023-09-26", "occurred", None),
    ("H29から保存していた受診者名簿の一部",
     "H29", "2017", "period_start", None),
    ("令和五年九月二十六日、郵便物の誤送付が判明した。",
     "令和五年九月二十六日", "2023-09-26", "discovered", None),
    ("平成 26 年6月 30 日から平成 29 年 10 月 27 日までの間に来院された方の情報",
     "平成 26 年6月 30 日", "2014-06-30", "period_start", None),
    ("平成 26 年6月 30 日から平成 29 年 10 月 27 日までの間に来院された方の情報",
     "平成 29 年 10 月 27 日", "2017-10-27", "period_end", None),
    ("平成31年4月30日までに登録された会員の情報",
     "平成31年4月30日", "2019-04-30", "period_end", None),
    # weekday brackets and clock times are not part of the date
    ("2023年5月8日に調査を開始しました。6月1日(木)、お客様からのお問い合わせにより判明しました。",
     "6月1日", "2023-06-01", "discovered", None),
    ("2024年6月3日(月)午後8時頃、第三者による不正アクセスが発生しました。",
     "2024年6月3日", "2024-06-03", "occurred", None),
    # month and year precision
    ("2023年12月末に、外部からの攻撃を受けた可能性が高いことがわかりました。",
     "2023年12月末", "2023-12", "discovered", None),
    ("2013年ごろから流出が始まっていた可能性があるといいます。",
     "2013年ごろ", "2013", "period_start", None),
    ("令和6年2月上旬、名簿を使った営業はがきが届いたとの連絡がありました。",
     "令和6年2月上旬", "2024-02", "discovered", None),
    ("2024年3月中旬にサービスを停止しました。",
     "2024年3月中旬", "2024-03", "other", None),
    # year-less dates: the nearest preceding date, else the publication date
    ("2024年5月10日に発覚しました。5月13日に個人情報保護委員会へ報告しました。",
     "5月13日", "2024-05-13", "reported", None),
    ("当社は9月30日に本件を公表しました。",
     "9月30日", "2021-09-30", "announced", "2021-10-01"),
    ("2023年12月20日に不正アクセスを検知しました。1月10日、対象のお客様へメールで通知しました。",
     "1月10日", "2024-01-10", "notified", None),
    ("総務省は9月30日、同社に文書で指導したと発表した。\n発覚日:2021年7月15日",
     "9月30日", "2021-09-30", "announced", None),
    ("同社は1月24日付で調査結果を発表しました。\nhttps://www.example.go.jp/press/2023/240124_houdou/",
     "1月24日", "2024-01-24", "announced", None),
    # ranges: a bare end takes the start's year and month; two-digit years
    ("2023年4月10日~6月16日の間、応募者の情報が閲覧できる状態でした。",
     "6月16日", "2023-06-16", "period_end", None),
    ("市は2020年10月~21年10月、面談メモなど計26件を事業者に提供していた。",
     "21年10月", "2021-10", "period_end", None),
    ("2022年9月12日から12月12日までの閲覧記録を調査しました。",
     "12月12日", "2022-12-12", "period_end", None),
    ("2015年9月〜2024年4月(導入時期により異なります)",
     "2015年9月", "2015-09", "period_start", None),
    ("2023年11月～2月にかけて送信したメール",
     "2月", "2024-02", "period_end", None),
    ("2024年5月7日~9日にかけて、メールの誤配信が発生しました。",
     "9日", "2024-05-09", "period_end", None),
    ("平成28年度から令和5年度までに作成した申請書類",
     "平成28年度", "2016", "period_start", None),
    ("平成28年度から令和5年度までに作成した申請書類",
     "令和5年度", "2023", "period_end", None),
    # lone bounds and qualifiers
    ("同社で2020年3月以降に発生した6件の事案について",
     "2020年3月", "2020-03", "occurred", None),
    ("2016年3月9日までに宅配サービスを申し込んだ約3万件の情報が流出した可能性があります。",
     "2016年3月9日", "2016-03-09", "period_end", None),
    ("2018年3月19日以前に相談窓口へ問い合わせをされた方の情報",
     "2018年3月19日", "2018-03-19", "period_end", None),
    ("なお、実施状況の報告は2024年7月1日まで。",
     "2024年7月1日", "2024-07-01", "other", None),
    ("その後、5月2日までに全ての機能を停止いたしました。\n(2024年5月23日掲載)",
     "5月2日", "2024-05-02", "other", "2024-05-23"),
    # enumerated days and runs of days
    ("直近のログ(平成29年10月13、16、17及び27日)に係る記録が閲覧可能で、本件の判明に至りました。",
     "17", "2017-10-17", "other", None),
    ("2024年5月7日、8日の両日にわたり、誤ったメールを送信しました。",
     "8日", "2024-05-08", "other", None),
    # relative dates with a numeral and an anchor
    ("市は昨年11月、市民の個人情報を事業者に送っていたと発表した。",
     "昨年11月", "2021-11", "announced", "2022-05-21"),
    ("委員会は2023年8月2日に指導を行い、同年9月1日、当社は個人情報保護委員会へ報告書を提出しました。",
     "同年9月1日", "2023-09-01", "reported", None),
    ("2024年5月10日に発覚し、同月24日に当社ウェブサイトで公表しました。",
     "同月24日", "2024-05-24", "announced", None),
    ("2024年5月10日に発覚し、翌月3日に警察へ被害届を提出しました。",
     "翌月3日", "2024-06-03", "reported", None),
    ("先月29日、社員が業務用パソコンを紛失しました。",
     "先月29日", "2024-02-29", "occurred", "2024-03-10"),
    # section headings, citations of updates, title lines, labels
    ("2024年3月、1度目の行政指導(書面)",
     "2024年3月", "2024-03", "other", None),
    ("※1 参考:不正アクセスによる情報漏えいに関するお知らせとお詫び(2024/2/14更新)",
     "2024/2/14", "2024-02-14", "announced", None),
    ("【お知らせ】会員情報の漏えいのおそれに関するお詫び  2024/8/7\n\n本文",
     "2024/8/7", "2024-08-07", "announced", None),
    ("2024年5月10日\n株式会社サンプル商事\n不正アクセスによる個人情報流出に関するお詫び",
     "2024年5月10日", "2024-05-10", "announced", None),
    ("発覚日:2020年3月10日\n漏えい情報:通話先電話番号",
     "2020年3月10日", "2020-03-10", "discovered", None),
    ("発生日時:2024年5月1日 午前10時頃",
     "2024年5月1日", "2024-05-01", "occurred", None),
    # roles from the clause
    ("2024年6月18日、対象となる生徒の保護者に対して経緯を説明し謝罪しました。",
     "2024年6月18日", "2024-06-18", "notified", None),
    ("当社は2024年2月2日に警察へ被害届を提出しました。",
     "2024年2月2日", "2024-02-02", "reported", None),
    ("1 事案の概要\n令和6年1月17日(水)、職員が成績一覧表の裏面にメモを書いて教室に掲示した。",
     "令和6年1月17日", "2024-01-17", "occurred", None),
    ("本件は、2022年12月27日付の監視等委員会からの依頼に基づき調査を進める中で判明したものです。",
     "2022年12月27日", "2022-12-27", "other", None),
    ("2024年4月26日に利用者からご指摘を受け、同日中にページを閉鎖しました。",
     "2024年4月26日", "2024-04-26", "discovered", None),
    ("会話が録音されたデータが生徒間で共有されたことが2022年11月17日分かりました。",
     "2022年11月17日", "2022-11-17", "discovered", None),
    ("2024年4月6日、ハードディスクを入手した方から連絡を受けたため調査を行ったところ、"
     "お客様の情報が含まれていることが発覚しました。",
     "2024年4月6日", "2024-04-06", "discovered", None),
    ("総務省は2024年3月5日付で行政指導を実施し、同年4月1日、同社から報告書の提出を受けた。",
     "2024年3月5日", "2024-03-05", "other", None),
    ("2023年1月10日、監視等委員会から報告徴収を受領しました。",
     "2023年1月10日", "2023-01-10", "other", None),
    ("2024年1月24日\n3 学校の対応\n1月26日(金曜日)\n全校の保護者に対して事故の経緯を説明し謝罪。",
     "1月26日", "2024-01-26", "notified", None),
    ("2024年1月24日\n3 学校の対応\n1月25日(木曜日)\n送信した生徒については画像の消去を確認。",
     "1月25日", "2024-01-25", "other", None),
    ("2024年5月13日より、対象のお客様へ順次メールでご連絡しております。",
     "2024年5月13日", "2024-05-13", "notified", None),
    ("同社は2024年2月9日、ウェブサイト上で調査結果を公表した。",
     "2024年2月9日", "2024-02-09", "announced", None),
    # a day alone (news write-ups, timelines), its month from the nearest full date
    ("旅行会社不正アクセス 2023年8月4日 12時30分\n同社は3日、顧客情報が流出した可能性があると発表した。",
     "3日", "2023-08-03", "announced", None),
    ("7月24日に不審なアクセスを検知し、26日に警視庁に相談した。",
     "26日", "2023-07-26", "reported", "2023-08-04"),
    ("同社は2023年8月1日に発表した。28日、最初の不正ログインが発生していた。",
     "28日", "2023-07-28", "occurred", None),
    # more cues: sending letters to the people affected, reports of loss to the police
    ("対象のお客様には2024年5月10日よりお詫びの文書をお送りしております。",
     "2024年5月10日", "2024-05-10", "notified", None),
    ("2 経過\n 2024年3月8日 警察に遺失届を提出",
     "2024年3月8日", "2024-03-08", "reported", None),
    ("3 再発防止策\n書類の管理方法を見直し、令和6年4月1日から新たな手順で運用します。",
     "令和6年4月1日", "2024-04-01", "other", None),
    ("同社は令和6年4月30日までに、再発防止策の実施状況を当委員会に報告すること。",
     "令和6年4月30日", "2024-04-30", "other", None),
    # the year written in both calendars, table cells run together, more report words
    ("令和6年(2024年)5月10日、当社は本件を公表しました。",
     "令和6年(2024年)5月10日", "2024-05-10", "announced", None),
    ("発生日2024年5月1日\n対象件数1,200件",
     "2024年5月1日", "2024-05-01", "occurred", None),
    ("2024年5月2日、警察に通報しました。",
     "2024年5月2日", "2024-05-02", "reported", None),
    ("2024年5月3日に個人情報保護委員会へ速報を提出しました。",
     "2024年5月3日", "2024-05-03", "reported", None),
    # the notice's own date: under a title that has a date of its own, closing a title line
    ("2024年4月の不正アクセスに関するお知らせ\n2024年5月10日\n株式会社サンプル",
     "2024年5月10日", "2024-05-10", "announced", None),
    ("個人情報の取り扱いに関するお詫び(2024年5月12日)\n本文",
     "2024年5月12日", "2024-05-12", "announced", None),
    ("漏えいのおそれのある件数 約1,200件 2024年5月10日時点\n",
     "2024年5月10日", "2024-05-10", "other", None),
    ("【お知らせ】不正アクセスに関するお詫び 2024年5月10日(金)\n本文",
     "2024年5月10日", "2024-05-10", "announced", None),
    ("当社は、2024年6月28日付「ランサムウェア被害の発生について(第1報)」にてお知らせしました。",
     "2024年6月28日", "2024-06-28", "announced", None),
    ("6月28日(金) 外部専門家の支援を受けて調査を開始、ランサムウェアによる暗号化を確認",
     "6月28日", "2024-06-28", "discovered", "2024-07-12"),
    ("2024年5月10日、サーバーの復旧を確認しました。",
     "2024年5月10日", "2024-05-10", "other", None),
    ("■措置内容(2024年3月5日)\n(1)委託先管理の見直し",
     "2024年3月5日", "2024-03-05", "other", None),
    ("1.2024年5月1日、不正アクセスを検知しました。",
     "2024年5月1日", "2024-05-01", "discovered", None),
    ("令和6年2月1日(木)午前9時頃から同日午後3時頃までの間、担当者が誤ってTOで送信しました。",
     "令和6年2月1日", "2024-02-01", "occurred", None),
    ("2024年5月8日(水)、教員がUSBメモリを置き忘れたことに気付き、翌日警察に届け出た。",
     "2024年5月8日", "2024-05-08", "discovered", None),
    ("【第2報】不正アクセスに関するお知らせ\n2024年5月20日 第2報を掲載しました。",
     "2024年5月20日", "2024-05-20", "announced", None),
    ("2024年4月30日、当社サーバーのファイルがランサムウェアにより暗号化されました。",
     "2024年4月30日", "2024-04-30", "occurred", None),
    ("2024年5月10日までに、対象のお客様全員への通知を完了しました。",
     "2024年5月10日", "2024-05-10", "notified", None),
    ("【経緯】\n2024年1月10日  不正アクセスを検知\n2024年1月11日  外部機関に調査を依頼\n"
     "2024年2月20日  調査完了、個人情報漏えいの可能性を確認",
     "2024年2月20日", "2024-02-20", "discovered", None),
    ("【経緯】\n2024年1月10日  不正アクセスを検知\n2024年1月11日  外部機関に調査を依頼",
     "2024年1月11日", "2024-01-11", "other", None),
    ("2024年1月10日、外部からの指摘により発覚し、同日、個人情報保護委員会に報告しました。",
     "2024年1月10日", "2024-01-10", "discovered", None),
    ("2024年5月9日 不審な通信を検知\n5/10(金) 外部機関に調査を依頼\n5/13(月) 個人情報保護委員会へ報告",
     "5/13", "2024-05-13", "reported", None),
    ("2024年2月末日現在、二次被害は確認されておりません。",
     "2024年2月末日", "2024-02", "other", None),
    # a date after a clause's comma opens that clause; a range's bound inside it does not cut it
    ("2024年7月に問合せがあり社内調査を行い、8月5日、元社員(2024年3月退職)が在職中の2023年10月から"
     "2024年2月にかけて、顧客データを持ち出していたことを確認しました。",
     "8月5日", "2024-08-05", "discovered", None),
    ("8月9日、警視庁に被害を相談し、8月19日に告訴状を提出しました。",
     "8月19日", "2024-08-19", "reported", "2024-08-22"),
    ("経緯\n9月24日 委託先がサーバーの暗号化を確認\n9月27日 委託先から本市へ報告\n",
     "9月27日", "2024-09-27", "discovered", "2024-10-02"),
    # the leak act (posted without noticing) is no announcement, though posted on the website
    ("令和六年六月二十八日、本校ホームページに申込状況を掲載した際、非表示のシートに申込者の情報が"
     "残っていることに気付かず、そのまま掲載しました。",
     "令和六年六月二十八日", "2024-06-28", "occurred", None),
    ("該当する皆様には、7月2日より個別に電話で経緯を説明し、お詫びを申し上げております。",
     "7月2日", "2024-07-02", "notified", "2024-07-03"),
    ("対象の患者さんには6月28日より書面にてお知らせとお詫びを送付しております。",
     "6月28日", "2024-06-28", "notified", "2024-06-28"),
    # the mailing that went wrong is the leak itself, not a notice to the people
    ("令和6年4月24日、対象の312世帯にはがきを発送した際、並び順の誤りにより別の世帯のはがきが届きました。",
     "令和6年4月24日", "2024-04-24", "occurred", None),
    # から of a notification that began that day is no period
    ("対象の方には10月8日から電話で連絡を取り、経緯の説明と謝罪を行っています。",
     "10月8日", "2024-10-08", "notified", "2024-10-09"),
    ("7月2日、参加者全員に電子メールで謝罪するとともに、誤送信メールの削除を依頼しました。",
     "7月2日", "2025-07-02", "notified", "2025-07-03"),
    ("対象となるお客様には、6月3日より順次お詫びのご連絡をさせていただいております。",
     "6月3日", "2024-06-03", "notified", "2024-06-07"),
    ("攻撃者は、2024年9月28日に、保守用の機器の認証情報を用いて当社ネットワークに侵入し、ファイルを暗号化していました。",
     "2024年9月28日", "2024-09-28", "occurred", None),
    # 学会発表 names a kind of paper, not the notice's announcement
    ("2024年6月14日に職員が学会発表資料の作成のためUSBメモリを使用した後、6月17日に紛失に気付きました。",
     "2024年6月14日", "2024-06-14", "other", None),
]


@pytest.mark.parametrize(("text", "written", "value", "role", "published"), CASES,
                         ids=[f"{i:02d}-{c[2]}-{c[3]}" for i, c in enumerate(CASES)])
def test_dates_case_table(text, written, value, role, published):
    it = _find(_items(text, published), written)
    assert (it.value, it.role) == (value, role)


def test_dates_enumerated_days_each_a_date():
    items = _items("当該11営業日(平成29年10月13、16、17、18、19、20、23、24、25、26及び27\n日)のログ")
    values = [it.value for it in items]
    assert values == [f"2017-10-{d}" for d in
                      ("13", "16", "17", "18", "19", "20", "23", "24", "25", "26", "27")]


def test_dates_range_ends_are_ordered_and_resolved():
    items = _items("2023 年 4 月 10 日~2023 年 6 月 16 日 の期間に応募した方")
    assert [(i.value, i.role) for i in items] == [("2023-04-10", "period_start"),
                                                ("2023-06-16", "period_end")]


def test_dates_year_crossing_chronology():
    text = "昨年10月に報告を求め、11月に報告書を受け取りました。上記については2月中に報告するよう求めています。"
    items = _items(text, published="2024-01-24")
    assert [i.value for i in items] == ["2023-10", "2023-11", "2024-02"]


def test_dates_offsets_map_back_through_fullwidth_and_kangxi():
    text = "目次\n  3. ２０２３年7⽉13⽇ 警察が捜査\n"
    it = _items(text)[0]
    assert it.text == "２０２３年7⽉13⽇"
    assert it.value == "2023-07-13"


def test_dates_first_role_kept_and_items_in_text_order():
    text = ("2023年6月16日、問い合わせがあり発覚しました。\n"
            "【期間】\n2023年4月10日~2023年6月16日")
    items = _items(text)
    assert [i.start for i in items] == sorted(i.start for i in items)
    assert (items[0].value, items[0].role) == ("2023-06-16", "discovered")


def test_dates_other_first_mention_takes_a_later_period_role():
    text = "4月10日にリリースした機能にて公開しておりました。\n【期間】\n2023年4月10日~2023年6月16日"
    items = _items(text, published="2023-06-16")
    assert (items[0].value, items[0].role) == ("2023-04-10", "period_start")
