"""The notice's own organisation and each incident's, on the real model."""

from __future__ import annotations

import pytest

from extract import org


def _doc_org(make_ctx, text):
    title = next(line.strip() for line in text.splitlines() if line.strip())
    ctx = make_ctx(text, title=title)
    items = org.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return org.document_org(ctx, items)


@pytest.mark.parametrize("text,expected", [
    ("個人情報漏えいに関するお詫び\n株式会社サンプル商事\n当社が運営する通販サイトで不正アクセスが発生しました。",
     "株式会社サンプル商事"),
    ("総務省は、テスト通信株式会社(TTC)に対し行政指導を行った。TTCでは通話記録が漏えいした。TTCは謝罪した。",
     "テスト通信株式会社"),
    ("お知らせ | 情報セキュリティニュース株式会社\n個人情報保護委員会は、みどり運輸株式会社に対して勧告を行った。",
     "みどり運輸株式会社"),
])
def test_org_document(make_ctx, text, expected):
    assert _doc_org(make_ctx, text) == expected


def test_org_regulator_is_not_the_subject(make_ctx):
    got = _doc_org(make_ctx, "個人情報保護委員会による指導\n個人情報保護委員会は、サンプル電機株式会社に指導を行った。")
    assert got == "サンプル電機株式会社"


def test_org_incident_title(make_ctx):
    text = "【事件簿#1】株式会社アルファ 個人情報漏えいについて\n本文です。\n\n【事件簿#2】ベータ市 メール誤送信について\n本文です。"
    ctx = make_ctx(text, title="x")
    items = org.extract(ctx)
    assert org.incident_org(ctx, items, 0, text.index("【事件簿#2】")) == "株式会社アルファ"
    second = text.index("【事件簿#2】")
    assert org.incident_org(ctx, items, second, len(text)) in {"ベータ市"}


@pytest.mark.parametrize("name,core", [("株式会社テスト", "テスト"), ("テスト(株)", "テスト"), ("学校法人 みどり学園", "みどり学園")])
def test_org_core(name, core):
    assert org.core(name) == core
