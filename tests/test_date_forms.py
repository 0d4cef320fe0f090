"""Written forms of dates that must parse, chains with 同, relative years anchored on the
notice's own date, and ranges. Sentences written for these tests; no model is loaded."""

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


FORMS = [
    ("R3.7.18", "2021-07-18"),
    ("Ｒ3/7/18", "2021-07-18"),
    ("R3・7・18", "2021-07-18"),
    ("令和3.7.18", "2021-07-18"),
    ("令和3/7/18", "2021-07-18"),
    ("令和3・7・18", "2021-07-18"),
    ("令和3-7-18", "2021-07-18"),
    ("令和3年/7月/18日", "2021-07-18"),
    ("令和三年七月十八日", "2021-07-18"),
    ("2021/07", "2021-07"),
    ("2021/7", "2021-07"),
    ("2021年/7月", "2021-07"),
    ("2021・7・18", "2021-07-18"),
    ("2021,7,18", "2021-07-18"),
    ("西暦2021年7月", "2021-07"),
    ("平成33年4月1日", "2021-04-01"),   # an era year past the era's end
    ("平成三十三年四月一日", "2021-04-01"),
    ("令和元年5月1日", "2019-05-01"),
]


@pytest.mark.parametrize("form, value", FORMS, ids=[f[0] for f in FORMS])
def test_date_forms_parse(form, value):
    items = _items(f"{form}に委託先のサーバーで不正アクセスが発生しました。")
    assert [(i.text, i.value) for i in items] == [(form, value)]
    assert items[0].role == "occurred"


@pytest.mark.parametrize("text", [
    "口座番号 2021,7,18,25 の照合結果",   # a list of numbers, no date context
    "発行部数は2,021部です",
    "令和3・7・18・25の抽選番号",
    "ファイル R3/7/18a.pdf を参照",
    "比率は2021/13でした",
])
def test_date_forms_must_not_match(text):
    assert _items(text) == []


def test_date_forms_same_chain_carries_year_and_month():
    text = ("令和4年2月16日から同3月17日、及び同12月16日から同12月26日の期間に、"
            "海外から不審なアクセスがありました。")
    got = [(i.text, i.value, i.role) for i in _items(text)]
    assert got == [("令和4年2月16日", "2022-02-16", "period_start"),
                   ("同3月17日", "2022-03-17", "period_end"),
                   ("同12月16日", "2022-12-16", "period_start"),
                   ("同12月26日", "2022-12-26", "period_end")]


def test_date_forms_same_day_form_and_bare_same_day():
    text = "2024年5月10日に発覚し、同14日に警察へ届け出た。同日、ページを閉鎖した。"
    got = [(i.text, i.value) for i in _items(text)]
    assert got == [("2024年5月10日", "2024-05-10"), ("同14日", "2024-05-14")]


def test_date_forms_last_year_anchored_on_the_notice_not_today():
    text = "2023年3月22日、戒告の処分を行いました。職員は去年の3月から12月にかけて無断で閲覧していた。"
    got = [(i.text, i.value, i.role) for i in _items(text)]
    assert ("去年の3月", "2022-03", "period_start") in got
    assert ("12月", "2022-12", "period_end") in got


def test_date_forms_last_year_from_the_publication_date():
    items = _items("昨年12月21日、社員が名簿を紛失しました。", published="2025-02-01")
    assert [(i.text, i.value) for i in items] == [("昨年12月21日", "2024-12-21")]


def test_date_forms_yearless_takes_the_header_year_not_an_update_stamp():
    text = ("システム障害に関するお詫び(2021/11/04)\n\n"
            "2022年2月から仮復旧し、運用を再開いたしました。(2022/04/06)\n\n"
            "10月13日付けのお知らせでご案内のとおり、外部から不正アクセスを受けました。")
    got = {i.text: i.value for i in _items(text)}
    assert got["10月13日"] == "2021-10-13"
    assert got["2022/04/06"] == "2022-04-06"


def test_date_forms_yearless_range_end_and_wave_dash():
    got = [(i.text, i.value, i.role) for i in _items("令和5年12月21日～1月11日の間、ファイルを公開していた。")]
    assert got == [("令和5年12月21日", "2023-12-21", "period_start"),
                   ("1月11日", "2024-01-11", "period_end")]


def test_date_forms_since_until():
    text = "2023年4月1日以降、2023年9月30日までの間に登録された会員の情報"
    got = [(i.value, i.role) for i in _items(text)]
    assert got == [("2023-04-01", "period_start"), ("2023-09-30", "period_end")]
