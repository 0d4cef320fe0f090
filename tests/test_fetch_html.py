"""HTML to notice text: chrome dropped, block structure kept, title and date found, and
multi-post pages split into one notice per post."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import sys

import pytest

from rouei.fetch import html as fetch_html
from rouei.fetch.dates import first_date, iso_date, publication_date
from rouei.fetch.html import guess_title, parse_html

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    NOTICE_BODY,
    html_page,
    http_server,
    manifest,
    respond,
    run_fetch,
    server,
    text_of,
)


def test_fetch_html_text_keeps_blocks_and_drops_chrome():
    html = ("<html><head><title>t</title><style>p{color:red}</style><script>var x='漏えい';</script></head>"
            "<body><header><nav><a>ホーム</a></nav></header><div id='c'><h1>お詫び</h1>"
            "<p>当社が管理する\n  サーバーに対して<br>不正アクセスがありました。</p>"
            "<table><tr><th>件数</th><td>約3万件</td></tr><tr><th>項目</th><td>氏名、住所</td></tr></table>"
            "<ul><li>氏名</li><li>生年月日</li></ul><!-- 編集メモ: 非公開 --></div>"
            "<aside>人気記事</aside><div role='navigation'>サイトマップ</div><footer>©</footer></body></html>")
    (page,) = parse_html(html)
    assert page.text == ("お詫び\n\n当社が管理するサーバーに対して\n不正アクセスがありました。\n\n"
                         "件数 約3万件\n項目 氏名、住所\n\n氏名\n生年月日\n")


def test_fetch_html_line_break_between_japanese_is_not_a_space():
    (page,) = parse_html("<p>個人情報が\n漏えいした Web\nサイト</p>")
    assert page.text == "個人情報が漏えいした Web サイト\n"


@pytest.mark.parametrize("head,body,expected", [
    ('<meta property="article:published_time" content="2024-02-01T09:00:00+09:00">', "", "2024-02-01"),
    ("", '<time datetime="2023-12-24">12月24日</time>', "2023-12-24"),
    ('<meta name="date" content="2022/07/15">', "", "2022-07-15"),
    ("", "<p>令和5年4月1日</p><p>本文</p>", "2023-04-01"),
    ("", "<p>更新日：２０２１年１０月５日</p>", "2021-10-05"),
    ("", "<p>本文だけ</p>", None),
])
def test_fetch_html_published(head, body, expected):
    (page,) = parse_html(f"<html><head><title>お知らせ</title>{head}</head><body><h1>お知らせ</h1>{body}</body></html>")
    assert page.published == expected


@pytest.mark.parametrize("text,expected", [
    # 掲載日 (went out) beats 更新日 (last edited), whichever comes first
    ("更新日：2024年6月1日\n掲載日：2024年5月10日\n本文", "2024-05-10"),
    ("2024年6月1日（土）公開\n2024年6月5日 更新", "2024-06-01"),
    ("公開日時：２０２４-０５-１０ 10:00", "2024-05-10"),
    # a dateline under the title beats an update stamp; the stamp beats a date in the prose,
    # which tells when the leak happened, not when the notice went out
    ("2024年6月1日 更新\n2024年5月10日（金）\nお詫び", "2024-05-10"),
    ("最終更新日 2024/06/01\n当社は2024年5月10日、不正アクセスを確認しました。", "2024-06-01"),
    ("当社は2024年5月1日に不正アクセスを確認し、\n【令和6年5月10日】\n", "2024-05-10"),
    ("当社は2024年5月1日に不正アクセスを確認しました。", "2024-05-01"),
    ("本文だけ", None),
])
def test_fetch_html_publication_date_prefers_labels_and_datelines(text, expected):
    assert publication_date(text) == expected


def test_fetch_html_published_ignores_sidebar_dates():
    html = ("<html><body><aside><time datetime='2019-01-01'>古い記事</time></aside>"
            "<main><h1>お詫び</h1><p>2024年6月3日</p><p>本文</p></main></body></html>")
    assert parse_html(html)[0].published == "2024-06-03"


@pytest.mark.parametrize("head,body,expected", [
    ("<title>情報流出のお詫び | サンプル</title>", "<h1>見出し</h1>", "情報流出のお詫び | サンプル"),
    ('<meta property="og:title" content="OGの題">', "<h1>見出し</h1>", "OGの題"),
    ("", "<h1>見出しだけ</h1><p>本文</p>", "見出しだけ"),
    # og:site_name says which side of <title> is the site's name
    ('<title>情報流出のお詫び｜サンプル株式会社</title><meta property="og:site_name" content="サンプル株式会社">',
     "", "情報流出のお詫び"),
    ('<title>〇〇市 - 個人情報の漏えいについて</title><meta property="og:site_name" content="〇〇市">',
     "", "個人情報の漏えいについて"),
    ('<title>〇〇市の個人情報の漏えいについて</title><meta property="og:site_name" content="〇〇市">',
     "", "〇〇市の個人情報の漏えいについて"),
    ('<title>お詫び｜サンプル</title><meta property="og:title" content="サンプル">', "", "お詫び｜サンプル"),
])
def test_fetch_html_title(head, body, expected):
    assert parse_html(f"<html><head>{head}</head><body>{body}</body></html>")[0].title == expected


@pytest.mark.parametrize("value,expected", [
    ("2024-03-05T10:00:00+09:00", "2024-03-05"), ("Tue, 05 Mar 2024 10:00:00 +0900", "2024-03-05"),
    ("20240305", "2024-03-05"), ("平成31年4月30日", "2019-04-30"), ("令和元年5月1日", "2019-05-01"),
    ("2024年2月30日", None), ("", None),
])
def test_fetch_html_iso_date(value, expected):
    assert iso_date(value) == expected


def test_fetch_html_first_date_skips_law_like_numbers():
    assert first_date("第123号 2023.10.2 公表") == "2023-10-02"
    assert first_date("電話 03-1234-5678") is None


def _archive(n_posts: int = 3) -> str:
    posts = "".join(
        f"<article id='post-{i}'><header><h2><a href='/blog/{i}'>お知らせ第{i}号</a></h2>"
        f"<time datetime='2024-0{i}-10'>2024年{i}月10日</time></header>"
        f"<p>当社委託先において、会員{i}00名分の氏名とメールアドレスが記載された資料を紛失しました。"
        f"現時点で不正利用の事実は確認されておりません。</p></article>"
        for i in range(1, n_posts + 1))
    teasers = "<aside><article><h3><a href='/x'>関連</a></h3></article></aside>"
    return html_page("ブログ アーカイブ", f"<h1>2024年のお知らせ</h1>{posts}") + teasers


def test_fetch_html_archive_page_split_into_posts(server, tmp_path, capsys):
    server.expect_request("/blog/archive").respond_with_response(respond(_archive(3).encode()))
    code, out = run_fetch(capsys, server.url_for("/blog/archive"), "--out", tmp_path, *FAST)
    assert code == 0, out
    assert "1 fetched (3 notices)" in out
    entries = manifest(tmp_path)
    assert len(entries) == 3
    assert len({e["doc_id"] for e in entries}) == 3
    base = entries[0]["doc_id"].split("_p")[0]
    assert [e["doc_id"] for e in entries] == [f"{base}_p01", f"{base}_p02", f"{base}_p03"]
    assert [e["title"] for e in entries] == ["お知らせ第1号", "お知らせ第2号", "お知らせ第3号"]
    assert [e["published"] for e in entries] == ["2024-01-10", "2024-02-10", "2024-03-10"]
    assert [e["anchor"] for e in entries] == ["/blog/1", "/blog/2", "/blog/3"]
    assert {e["raw_path"] for e in entries} == {f"raw/{base}.html"}  # the page is stored once
    assert "会員200名分" in text_of(tmp_path, entries[1])
    assert "会員100名分" not in text_of(tmp_path, entries[1])


def test_fetch_html_no_split_flag(server, tmp_path, capsys):
    server.expect_request("/blog/archive").respond_with_response(respond(_archive(3).encode()))
    code, out = run_fetch(capsys, server.url_for("/blog/archive"), "--out", tmp_path, *FAST, "--no-split")
    assert "1 fetched (1 notices)" in out


def test_fetch_html_repeated_post_containers_split():
    posts = "".join(
        f"<div class='news-entry'><h3>第{i}報</h3><span class='date'>2023.1{i}.01</span>"
        f"<p>{'調査の経過をお知らせします。' * 8}</p></div>" for i in range(3))
    pages = parse_html(f"<html><body><div class='list'>{posts}</div></body></html>")
    assert [(p.part, p.title, p.published) for p in pages] == [
        (1, "第0報", "2023-10-01"), (2, "第1報", "2023-11-01"), (3, "第2報", "2023-12-01")]


def test_fetch_html_sections_of_one_notice_are_not_split():
    # numbered sections with headings but no date each: one notice
    sections = "".join(f"<div class='entry-section'><h2>{i}. 経緯</h2><p>{'経緯を説明します。' * 12}</p></div>"
                       for i in range(1, 4))
    pages = parse_html(f"<html><body><h1>お詫び</h1><p>2024年1月5日</p>{sections}</body></html>")
    assert len(pages) == 1 and pages[0].part is None
    articles = "".join(f"<article><h2>{i}. 概要</h2><p>短い</p></article>" for i in range(3))
    assert len(parse_html(f"<html><body>{articles}</body></html>")) == 1  # teasers only
    excerpts = "".join(f"<article><h2>第{i}報</h2><p>{'概要です。' * 30}</p><a href='/{i}'>続きを読む</a>"
                       "</article>" for i in range(3))
    assert len(parse_html(f"<html><body>{excerpts}</body></html>")) == 1  # a listing of excerpts


def test_fetch_html_div_chrome_by_id_and_class():
    # a municipal page laid out with <div>s: header, global menu, breadcrumb (pankuzu), side
    # column with its own dates, footer; the post header inside the content stays
    html = ("<html><head><title>個人情報の漏えいについて | 〇〇市</title></head><body>"
            "<div id='header'><p>〇〇市公式ホームページ</p><div class='gnavi'><ul><li>くらし</li></ul></div></div>"
            "<div id='pankuzu'><a>トップ</a> &gt; <a>お知らせ</a></div>"
            "<div id='contents'><article><div class='entry-header'><h1>個人情報の漏えいについて</h1>"
            "<p class='date'>令和6年1月22日</p></div>"
            "<p>市が保有する個人情報を含む書類を誤って送付する事案が発生しました。</p></article></div>"
            "<div id='side'><h2>新着情報</h2><ul><li>2024年1月20日 イベントのお知らせ</li></ul></div>"
            "<div id='footer'>〇〇市役所 電話 0000-00-0000</div><div class='page-top'>ページの先頭へ</div>"
            "</body></html>")
    (page,) = parse_html(html)
    assert page.text == ("個人情報の漏えいについて\n\n令和6年1月22日\n\n"
                         "市が保有する個人情報を含む書類を誤って送付する事案が発生しました。\n")
    assert page.published == "2024-01-22"


def test_fetch_html_chrome_named_wrapper_holding_the_page_is_kept():
    html = ("<html><body><div class='side-contents'><h1>お詫び</h1>"
            f"<p>{'当社の顧客情報が流出した可能性があります。' * 5}</p></div></body></html>")
    assert "顧客情報が流出" in parse_html(html)[0].text


def test_fetch_html_deep_nesting_is_walked_without_recursion():
    # three times Python's recursion limit: a recursive walk would raise RecursionError
    depth = 3 * sys.getrecursionlimit()
    (page,) = parse_html("<div>" * depth + "深い入れ子の本文" + "</div>" * depth)
    assert page.text == "深い入れ子の本文\n"


def test_fetch_html_long_listing_is_one_notice_and_its_search_stops_early(monkeypatch):
    # a news index of 3,000 dated links in post-like containers: no posts to split, and the
    # search for them gives up at the first container that is no post rather than testing
    # every one (counted with the length floor lifted, so that each container is a candidate)
    items = "".join(f"<li class='news-item'><a href='/n/{i}'>お知らせ{i}</a>"
                    f"<span class='date'>2024/01/{i % 28 + 1:02d}</span></li>" for i in range(3000))
    html = f"<html><body><main><h1>お知らせ一覧</h1><ul>{items}</ul></main></body></html>"
    (page,) = parse_html(html)
    assert page.title == "お知らせ一覧" and "お知らせ2999" in page.text
    tried = []
    post_of = fetch_html._post_of
    monkeypatch.setattr(fetch_html, "MIN_POST_CHARS", 0)
    monkeypatch.setattr(fetch_html, "_post_of", lambda el: tried.append(el) or post_of(el))
    (again,) = parse_html(html)
    assert again.text == page.text
    assert 1 <= len(tried) <= 2


@pytest.mark.parametrize("text,title", [
    ("2024年1月9日\nメール誤送信に関するお詫び\n本文", "メール誤送信に関するお詫び"),
    ("令和6年2月14日\nお客様各位\n株式会社サンプル\n個人情報の漏えいに関するお詫び\n本文",
     "個人情報の漏えいに関するお詫び"),
    ("報道関係者各位\n2023年5月1日\n株式会社X\n当社サーバーへの不正アクセスについて（第2報）\n",
     "当社サーバーへの不正アクセスについて（第2報）"),
    ("B市からのお知らせ\n令和5年12月1日\n書類を誤送付しました。", "B市からのお知らせ"),
    ("第12号\n2023/4/1\n会員情報の取り扱い", "会員情報の取り扱い"),  # no title-like line: the first real one
    ("総務省は9月30日、A社に対し、同社で発覚した通信の秘密及び個人情報の漏えい事案に関し、文書で指導したと発表した。\n", None),
])
def test_fetch_html_guess_title_of_text_notices(text, title):
    assert guess_title(text) == title
