"""The layout stage: headings and sections, labels on one and two lines, timelines, header
and sign-off blocks, flattened tables and list items. The notices are written for these tests."""

from __future__ import annotations

import pytest

from rouei.extract.doc.context import DocContext
from rouei.extract.doc.layout import Layout, mark_number


def _layout(text: str) -> Layout:
    return DocContext("t", text).layout


def _at(text: str, needle: str, nth: int = 0) -> int:
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos


NOTICE = """個人情報の漏えいに関するお詫び
2024年5月15日
株式会社サンプル商事

このたび、当社の委託先において個人情報の漏えいが発生しました。深くお詫び申し上げます。

1.事案の概要
委託先のサーバーが不正アクセスを受けました。
(1)発覚
令和6年5月2日に委託先から連絡がありました。
(2)被害の状況
現在調査中です。

2.経緯
・令和6年4月30日(火) 委託先サーバーに不審な通信
・令和6年5月2日 委託先から報告
・5月7日
警察に相談

3.漏えいした個人情報
① 氏名
② 住所
③ 電話番号

4.原因
委託先の設定不備によるものです。

5.再発防止策
委託先の監督を強化します。

6.お問い合わせ先
電話 0120-000-000
"""


def test_layout_headings_kinds_and_levels():
    lay = _layout(NOTICE)
    kinds = [(h.text, h.kind, h.level) for h in lay.headings]
    assert ("事案の概要", "overview", 0) in kinds
    assert ("発覚", None, 1) in kinds
    assert ("経緯", "timeline", 0) in kinds
    assert ("漏えいした個人情報", "leaked_data", 0) in kinds
    assert ("原因", "cause", 0) in kinds
    assert ("再発防止策", "countermeasures", 0) in kinds
    assert ("お問い合わせ先", "contact", 0) in kinds
    # list items and prose are not headings
    assert not any(h.text.startswith("氏名") for h in lay.headings)
    assert not any("令和6年" in h.text for h in lay.headings)


def test_layout_section_at_nested_and_kind_inherited():
    lay = _layout(NOTICE)
    pos = _at(NOTICE, "令和6年5月2日に委託先")
    sec = lay.section_at(pos)
    assert sec is not None and sec.heading == "発覚"
    assert lay.kind_at(pos) == "overview"  # 発覚 names no kind; its parent does
    assert lay.kind_at(_at(NOTICE, "委託先の設定不備")) == "cause"
    assert lay.kind_at(_at(NOTICE, "委託先の監督")) == "countermeasures"
    assert lay.kind_at(_at(NOTICE, "このたび")) is None
    assert [s.heading for s in lay.sections("timeline")] == ["経緯"]
    cause = lay.sections("cause")[0]
    assert NOTICE[cause.start:cause.end].startswith("4.原因")
    assert NOTICE[cause.start:cause.end].rstrip().endswith("によるものです。")


def test_layout_list_items_and_numbers():
    lay = _layout(NOTICE)
    items = [(ln.body_text, ln.number) for ln in lay.list_items if ln.style == "circled"]
    assert items == [("氏名", 1), ("住所", 2), ("電話番号", 3)]


@pytest.mark.parametrize("mark, number", [
    ("①", 1), ("⑳", 20), ("➂", 3), ("12", 12), ("三", 3), ("二十", 20), ("イ", 2), ("", None),
])
def test_layout_mark_number_any_numbering_character(mark, number):
    assert mark_number(mark) == number


@pytest.mark.parametrize("line, style, number, words", [
    ("1.経緯", "dotted", 1, "経緯"),
    ("１．経緯", "dotted", 1, "経緯"),
    ("2 発生原因", "dotted", 2, "発生原因"),
    ("(3)対象者数", "paren", 3, "対象者数"),
    ("（４）再発防止策", "paren", 4, "再発防止策"),
    ("⑤ 今後の対応", "circled", 5, "今後の対応"),
    ("【事案2】", "lenticular", None, "事案2"),
    ("【経緯】", "lenticular", None, "経緯"),
    ("■発生原因", "square", None, "発生原因"),
    ("●お問い合わせ窓口", "circle", None, "お問い合わせ窓口"),
    ("第三 原因", "chapter", 3, "原因"),
    ("(イ)経緯", "kana", 2, "経緯"),
])
def test_layout_heading_marks(line, style, number, words):
    text = f"お知らせ\n\n{line}\n本文です。\n"
    lay = _layout(text)
    heads = [h for h in lay.headings if h.line.style == style]
    assert heads, [(ln.text, ln.style) for ln in lay.lines]
    assert heads[0].line.number == number
    assert heads[0].text == words


@pytest.mark.parametrize("line, kind", [
    ("概要", "overview"), ("経緯", "timeline"), ("発生原因", "cause"),
    ("漏えいした個人情報", "leaked_data"), ("対象者数", "counts"),
])
def test_layout_bare_label_headings(line, kind):
    text = f"個人情報の取扱いについて\n\n本件について報告します。\n{line}\n本文が続きます。\n"
    lay = _layout(text)
    assert [(h.text, h.kind) for h in lay.headings] == [(line, kind)]


def test_layout_bare_lines_that_are_no_headings():
    # short bare lines that name no section kind (an item, a name) are not headings
    text = "お知らせ\n\n漏えいした項目は次のとおりです。\n氏名\n住所\n山田太郎\n"
    assert _layout(text).headings == []


# --- labels ---------------------------------------------------------------------------------


def test_layout_label_on_one_line_colon():
    text = "お知らせ\n\n発覚日:2020年3月10日\n漏えい件数：16回線\n原因:作業時の誤認\n"
    lay = _layout(text)
    got = {lab.text: (lab.kind, text[lab.value_start:lab.value_end]) for lab in lay.labels}
    assert got["発覚日"] == ("discovered", "2020年3月10日")
    assert got["漏えい件数"] == ("counts", "16回線")
    assert got["原因"] == ("cause", "作業時の誤認")
    assert lay.label_at(_at(text, "16回線")).text == "漏えい件数"


def test_layout_label_on_one_line_spaces_needs_a_known_label():
    text = "お知らせ\n\n発生日時 2024年5月1日 午前10時頃\n山田 太郎\n"
    lay = _layout(text)
    assert [(lab.text, lab.kind) for lab in lay.labels] == [("発生日時", "occurred")]


def test_layout_label_line_with_value_on_next_line():
    text = "お知らせ\n\n本件の概要は以下のとおりです。\n1 判明日時\n令和4年11月20日(日曜日)\n2 発生年月日\n令和4年11月18日\n"
    lay = _layout(text)
    got = [(lab.text, lab.kind, text[lab.value_start:lab.value_end], lab.form) for lab in lay.labels]
    assert ("判明日時", "discovered", "令和4年11月20日(日曜日)", "line") in got
    assert ("発生年月日", "occurred", "令和4年11月18日", "line") in got


@pytest.mark.parametrize("label, kind", [
    ("公表日", "announced"), ("掲載日", "announced"), ("最終更新日", "announced"),
    ("報告日", "reported"), ("通知日", "notified"), ("発覚の日時", "discovered"),
    ("判明日", "discovered"), ("発生日時", "occurred"), ("漏えい期間", "period"),
])
def test_layout_label_kinds(label, kind):
    text = f"お知らせ\n\n{label}:2024年5月1日\n"
    assert [(lab.text, lab.kind) for lab in _layout(text).labels] == [(label, kind)]


@pytest.mark.parametrize("line", [
    "受付時間 10:30~17:00",          # no label of a known kind before spaces
    "https://example.jp/news/",     # a URL is no label
    "令和6年5月2日 委託先から報告",   # a timeline entry
    "住所、氏名、電話番号",            # a list
])
def test_layout_not_labels(line):
    text = f"お知らせ\n\n本文です。\n{line}\n"
    assert _layout(text).labels == []


def test_layout_flattened_table():
    text = ("お知らせ\n\n件数は次のとおりです。\n発生日\n漏えい件数\n原因\n"
            "2024年4月1日\n120件\n誤送信\n2024年4月9日\n8件\n紛失\n\n以上\n")
    lay = _layout(text)
    cells = [(lab.text, lab.kind, text[lab.value_start:lab.value_end])
             for lab in lay.labels if lab.form == "table"]
    assert cells == [("発生日", "occurred", "2024年4月1日"), ("漏えい件数", "counts", "120件"),
                     ("原因", "cause", "誤送信"), ("発生日", "occurred", "2024年4月9日"),
                     ("漏えい件数", "counts", "8件"), ("原因", "cause", "紛失")]
    # the header cells are not headings
    assert lay.headings == []


# --- timelines --------------------------------------------------------------------------------


def test_layout_timeline_entries_same_and_next_line():
    lay = _layout(NOTICE)
    got = [(NOTICE[e.date_start:e.date_end], NOTICE[e.event_start:e.event_end], e.same_line)
           for e in lay.timeline]
    assert ("令和6年4月30日", "委託先サーバーに不審な通信", True) in got
    assert ("令和6年5月2日", "委託先から報告", True) in got
    assert ("5月7日", "警察に相談", False) in got
    entry = lay.entry_at(_at(NOTICE, "5月7日"))
    assert entry is not None and NOTICE[entry.event_start:entry.event_end] == "警察に相談"


@pytest.mark.parametrize("line, date, event", [
    ("2024/5/10 個人情報保護委員会へ報告", "2024/5/10", "個人情報保護委員会へ報告"),
    ("R6.5.10 調査を開始", "R6.5.10", "調査を開始"),
    ("令和6年5月10日:保護者に説明と謝罪", "令和6年5月10日", "保護者に説明と謝罪"),
    ("(2) 2024年5月10日(金)午後3時 警察に届出", "2024年5月10日", "警察に届出"),
    ("5月10日、委託先から報告", "5月10日", "委託先から報告"),
])
def test_layout_timeline_forms(line, date, event):
    text = f"お知らせ\n\n本件の経緯です。\n{line}\n"
    got = [(text[e.date_start:e.date_end], text[e.event_start:e.event_end]) for e in _layout(text).timeline]
    assert got == [(date, event)]


@pytest.mark.parametrize("line", [
    "令和6年5月26日に委託先でランサムウェア被害が発生しました。",  # a sentence: date + particle
    "2024年度の計画について",
    "10名の個人情報",
])
def test_layout_not_timeline(line):
    text = f"お知らせ\n\n本件の経緯です。\n{line}\n"
    assert _layout(text).timeline == []


# --- header and sign-off ------------------------------------------------------------------------


def test_layout_header_block():
    lay = _layout(NOTICE)
    assert lay.header is not None
    head = NOTICE[lay.header.start:lay.header.end]
    assert head.startswith("個人情報の漏えいに関するお詫び") and head.endswith("株式会社サンプル商事")
    assert lay.in_header(_at(NOTICE, "2024年5月15日"))
    assert not lay.in_header(_at(NOTICE, "このたび"))


def test_layout_header_press_line_and_title_date():
    text = "記者資料提供(2024年5月15日)\n教育委員会\n\n生徒の個人情報を含む書類の紛失について\n書類を紛失しました。\n"
    lay = _layout(text)
    assert lay.in_header(_at(text, "2024年5月15日"))
    assert lay.in_header(_at(text, "生徒の個人情報"))
    assert not lay.in_header(_at(text, "書類を紛失しました"))


def test_layout_signoff_block():
    text = ("お知らせ\n\n誤送信が発生しました。深くお詫び申し上げます。\n\n"
            "令和6年11月15日\n株式会社サンプル商事\n代表取締役社長 山田 太郎\n")
    lay = _layout(text)
    assert lay.signoff is not None
    assert text[lay.signoff.start:lay.signoff.end].startswith("令和6年11月15日")
    assert lay.in_signoff(_at(text, "令和6年11月15日"))
    assert not lay.in_signoff(_at(text, "誤送信"))


def test_layout_no_signoff_for_a_closing_timeline():
    # a date near the end followed by an event, not by a name and a head
    text = "お知らせ\n\n経緯は次のとおりです。\n令和6年11月15日\n警察に相談しました。\n"
    assert _layout(text).signoff is None


def test_layout_offsets_point_into_the_analysed_text():
    text = "お知らせ\n\n（１）発覚日：２０２４年５月１日\n　・令和６年５月２日　委託先から報告\n"
    lay = _layout(text)
    lab = lay.labels[0]
    assert text[lab.start:lab.end] == "発覚日"
    assert text[lab.value_start:lab.value_end] == "２０２４年５月１日"
    e = lay.timeline[0]
    assert text[e.date_start:e.date_end] == "令和６年５月２日"
    assert text[e.event_start:e.event_end] == "委託先から報告"


def test_layout_label_in_lenticular_brackets():
    text = "お知らせ\n\n本文です。\n【発生日】2024年5月1日\n【原因】設定の誤り\n【事案1】\n"
    lay = _layout(text)
    got = [(lab.text, lab.kind, text[lab.value_start:lab.value_end]) for lab in lay.labels]
    assert got == [("発生日", "occurred", "2024年5月1日"), ("原因", "cause", "設定の誤り")]
    assert [h.text for h in lay.headings] == ["事案1"]


def test_layout_wrapped_lines_continue_their_sentence():
    text = ("お知らせ\n\n当局では、平成19年6月13日、電波利用料の納付書の発送に際し、2名\n"
            "の方に別の方の納付書を誤って送付したことが判明しました。\n\n1 経緯\n短い行\n")
    lay = _layout(text)
    assert lay.continues(_at(text, "平成19年"))
    assert not lay.continues(_at(text, "の方に"))  # closed by 。
    assert not lay.continues(_at(text, "1 経緯"))   # a heading


def test_layout_header_stops_at_a_wrapped_sentence():
    text = ("書類の紛失について\n当院の外来で保管していた患者様の書類が綴られたファイルを,\n"
            "紛失しました。\n")
    lay = _layout(text)
    assert lay.header is not None and text[lay.header.start:lay.header.end] == "書類の紛失について"


def test_layout_timeline_event_goes_on_in_indented_lines():
    text = ("お知らせ\n\n経過\n8月23日(水) 調査結果を確認\n\n        保護者に事情を説明\n"
            "8月24日(木) 警察に相談\n")
    lay = _layout(text)
    events = [text[e.event_start:e.event_end] for e in lay.timeline]
    assert events == ["調査結果を確認\n\n        保護者に事情を説明", "警察に相談"]
