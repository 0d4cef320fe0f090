"""Numbers that are not counts of leaked records or people."""

from __future__ import annotations

import pytest

from extract import counts
from extract.context import DocContext


@pytest.mark.parametrize("text", [
    "当社で発生した3件の個人情報漏えいの事案についてご報告します。",  # incidents
    "下記2件の事故が発覚しました。",
    "取引先30社・自治体など12団体から委託を受けていた。",  # organisations
    "全国21自治体が公表した。",
    "職員1名が誤って送信した。",  # staff
    "340名の当社社員が閲覧していた。",
    "住民ら約40人を前に謝罪した。",  # an audience
    "教諭1人も出勤できなくなった。",
    "生徒の1人は登校できなくなっている。",
    "POSレジ端末2台を処分した。",  # devices
    "システムに4回不正にアクセスした。",  # accesses
    "約6割のシステムで対処を完了した。",  # shares
    "全体の40%が対象です。",
    "損害額は約1万円です。",  # money
    "個人情報保護法第26条に基づき報告した。",  # articles
    "お問い合わせは0120-123-456まで。",  # phone numbers
    "2024年3月5日に公表しました。",  # dates
    "5日間自宅で保管していた。",  # durations
    "31歳の男性職員",  # ages
    "直近11営業日のログ",
    "件数は調査中です。",
    "1人ひとりに連絡します。",
    "第2回目の指導",
    "該当件数の集計",
])
def test_counts_not_applicable(text):
    assert counts.extract(DocContext("t", text)) == []
