"""The notice's own organisation and each incident's, on the real model."""

from __future__ import annotations

import pytest

from rouei.extract.fields import org


def _items(make_ctx, text, title=None):
    title = title or next(line.strip() for line in text.splitlines() if line.strip())
    ctx = make_ctx(text, title=title)
    items = org.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return ctx, items


def _doc_org(make_ctx, text):
    ctx, items = _items(make_ctx, text)
    return org.document_org(ctx, items)


@pytest.mark.parametrize("text,expected", [
    ("個人情報漏えいに関するお詫び\n株式会社サンプル商事\n当社が運営する通販サイトで不正アクセスが発生しました。",
     "株式会社サンプル商事"),
    ("総務省は、テスト通信株式会社(TTC)に対し行政指導を行った。TTCでは通話記録が漏えいした。TTCは謝罪した。",
     "テスト通信株式会社"),
    ("お知らせ | 情報セキュリティニュース株式会社\n個人情報保護委員会は、みどり運輸株式会社に対して勧告を行った。",
     "みどり運輸株式会社"),
    # letterhead at the top, a contractor and the regulator in the body
    ("2024年5月10日\n株式会社みなと製作所\n\n不正アクセスによる個人情報漏えいに関するお詫び\n"
     "このたび、当社のサーバーが不正アクセスを受けました。当社は保守を委託している株式会社クラウドテックと調査を進めています。\n"
     "本件は警視庁及び個人情報保護委員会に報告しております。\n", "株式会社みなと製作所"),
    # signature at the end
    ("お客様情報を含むメールの誤送信に関するお詫び\n弊社従業員がBCCで送信すべきところをTOで送信しました。\n"
     "深くお詫び申し上げます。\n以上\nABCホールディングス株式会社\n代表取締役社長 山田太郎\n", "ABCホールディングス株式会社"),
    # a city's page: the site after "|" is the body that says 本市
    ("個人情報の漏えいのおそれについて | 北山町\n当町が管理するシステムで住民情報が閲覧可能な状態でした。\n", "北山町"),
    ("個人情報の誤送付について｜北山市\n市の職員が通知書を別の方に誤って送付しました。\n", "北山市"),
    ("市民の個人情報が記載された書類の紛失について\n本市の市民課で申請書12件を紛失しました。\n"
     "問い合わせ先 横浜市 市民局 窓口サービス課 電話 045-000-0000\n", "横浜市"),
    # a news write-up: the company reported on, not the site that publishes it
    ("株式会社サクラ通販で不正アクセス、カード情報流出の可能性 | セキュリティニュース\n"
     "株式会社サクラ通販は5月1日、同社の通販サイトが不正アクセスを受けたと発表した。同社は個人情報保護委員会に報告した。\n",
     "株式会社サクラ通販"),
    ("本学教員による個人情報を含むUSBメモリの紛失について\n東西大学\nこのたび、本学の教員がUSBメモリを紛失しました。\n", "東西大学"),
    ("当院における患者情報の紛失について\nみどり総合病院\n当院の看護師が患者様のメモを紛失しました。\n", "みどり総合病院"),
    # the author names itself: X(以下「当社」)
    ("弊社運営サイトへの不正アクセスに関するお知らせ\n"
     "このたび、株式会社グリーンライフ(以下「当社」)が運営するストアに不正アクセスがありました。\n"
     "株式会社ペイメントサービスによると、カード情報が流出した可能性があります。株式会社ペイメントサービスは調査中です。\n",
     "株式会社グリーンライフ"),
    # a contractor mentioned more often than the author
    ("個人情報漏えいに関するお詫び\n当社が業務を委託している株式会社データワークスにおいて、ランサムウェア攻撃が発生しました。\n"
     "株式会社データワークスによると、当社のお客様の情報が含まれていた可能性があります。\n"
     "株式会社データワークスからの報告を受け、当社は個人情報保護委員会に報告しました。\n\n株式会社東邦ガーデン\n",
     "株式会社東邦ガーデン"),
    # a hiragana city name in the contact line; a board of education in a news write-up
    ("児童手当に関する通知書の誤送付について\n子ども家庭課\n通知書を別の方に誤って送付しました。\n"
     "問い合わせ先\nみなと市 子ども家庭課 電話 000-000-0000\n", "みなと市"),
    ("教育委員会でランサムウェア被害、個人情報流出の可能性 | ITニュース\n"
     "北山市教育委員会は4月12日、同委員会のサーバーがランサムウェアに感染したと発表した。\n", "北山市教育委員会"),
    # a headline that opens with the subject, and a facility that starts with its name
    ("東京電力 組織的対策の不備により情報を持ち出せてしまう\n"
     "新潟県にある東京電力柏崎刈羽原子力発電所で、社員が情報を無断で印刷しました。東京電力によりますと、許可はありませんでした。\n",
     "東京電力"),
])
def test_org_document(make_ctx, text, expected):
    assert _doc_org(make_ctx, text) == expected


def test_org_regulator_is_not_the_subject(make_ctx):
    got = _doc_org(make_ctx, "個人情報保護委員会による指導\n個人情報保護委員会は、サンプル電機株式会社に指導を行った。")
    assert got == "サンプル電機株式会社"


def test_org_no_candidate_is_none(make_ctx):
    assert _doc_org(make_ctx, "お知らせ\n当サイトをご利用の皆様へ。メンテナンスを行います。\n") is None


def test_org_items_labels_and_self_references(make_ctx):
    text = "山口県岩国市の中学校で、当社の社員が同市の職員と面会した。群馬大学と株式会社BANDAI SPIRITSも参加。"
    _, items = _items(make_ctx, text, title="x")
    got = {(it.name, it.label) for it in items}
    assert {("岩国市", "place"), ("当社", "self_ref"), ("群馬大学", "body"),
            ("株式会社BANDAI SPIRITS", "legal")} <= got
    names = {it.name for it in items}
    assert "同市" not in names and "山口県岩国市" not in names
    assert [it.start for it in items] == sorted(it.start for it in items)


@pytest.mark.parametrize("text", [
    "お問い合わせ:0120-123-456(平日9:00~17:00)",
    "〒100-0001 2024年5月10日 第3条第1項",
    "市区町村および都道府県の担当者へ",
    "同市と本市、各県の皆様",
])
def test_org_not_applicable(make_ctx, text):
    _, items = _items(make_ctx, text, title="x")
    assert [it for it in items if it.label != "self_ref"] == []


def test_org_incident_title(make_ctx):
    text = "【事件簿#1】株式会社アルファ 個人情報漏えいについて\n本文です。\n\n【事件簿#2】ベータ市 メール誤送信について\n本文です。"
    ctx = make_ctx(text, title="x")
    items = org.extract(ctx)
    assert org.incident_org(ctx, items, 0, text.index("【事件簿#2】")) == "株式会社アルファ"
    second = text.index("【事件簿#2】")
    assert org.incident_org(ctx, items, second, len(text)) == "ベータ市"


def test_org_incident_title_skips_page_chrome_and_regulators(make_ctx):
    text = ("ラベル インシデント:誤操作 の投稿を表示しています。\n\n"
            "【事件簿#3】総務省 株式会社ガンマへの指導について\n本文です。\n")
    ctx = make_ctx(text, title="x")
    assert org.incident_org(ctx, org.extract(ctx), 0, len(text)) == "株式会社ガンマ"


def test_org_numbered_item_is_not_an_organisation(make_ctx):
    text = "1.MVNO向けのプラットフォームサービスにおける通話記録等の漏えい\n発覚日:2020年3月10日\n原因:ソフトウェア不良\n"
    ctx = make_ctx(text, title="x")
    assert org.incident_org(ctx, org.extract(ctx), 0, len(text)) is None


@pytest.mark.parametrize("name,core", [
    ("株式会社テスト", "テスト"), ("テスト(株)", "テスト"), ("学校法人 みどり学園", "みどり学園"),
    ("国立大学法人東西大学", "東西大学"), ("医療法人社団 さくら会", "さくら会"),
])
def test_org_core(name, core):
    assert org.core(name) == core


def test_nonblank_lines_break_where_splitlines_does():
    """Lines are found by regex; they must be the lines str.splitlines gives (form feeds from
    PDF page breaks and U+2028 included), stripped, blank ones left out."""
    import random

    from rouei.extract.fields.org import _nonblank_lines

    def by_splitlines(text, start, end):
        out, pos = [], start
        for ln in text[start:end].splitlines(keepends=True):
            body = ln.rstrip("\r\n")
            if body.strip():
                out.append((pos + len(body) - len(body.lstrip()), pos + len(body.rstrip())))
            pos += len(ln)
        return out

    rng = random.Random(0)
    alphabet = ["氏", "a", " ", "\n", "\r", "\r\n", "\x0c", "\x85", "\u2028", "\u3000", "\t"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(30)))
        s = rng.randrange(len(text) + 1)
        e = rng.randrange(s, len(text) + 1)
        assert _nonblank_lines(text, s, e) == by_splitlines(text, s, e), repr(text)
        assert _nonblank_lines(text, 0, None, 2) == by_splitlines(text, 0, len(text))[:2]
