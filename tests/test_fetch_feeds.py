"""Feeds and sitemaps: RSS 2.0 with --match, RSS 1.0 in Shift_JIS, Atom, a sitemap index with
a gzipped sitemap, and XML entity expansion refused."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import gzip
import re

import pytest

from rouei.fetch.feeds import FeedError, looks_like_feed, matching, parse_feed

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    html_page,
    http_server,
    manifest,
    requested,
    respond,
    run_fetch,
    server,
    text_of,
)


def _page(n: int) -> bytes:
    body = f"<p>第{n}報。当社の会員{n}00名分の氏名とメールアドレスが閲覧可能な状態になっていました。</p>"
    return html_page(f"ページ{n}", body).encode()


def rss(base: str) -> str:
    items = [
        ("個人情報漏えいに関するお詫び", "/news/1.html", "Tue, 05 Mar 2024 10:00:00 +0900"),
        ("新商品発売のお知らせ", "/news/2.html", "Wed, 06 Mar 2024 10:00:00 +0900"),
        ("メール誤送信についてのお詫び", "/news/3.html", "Thu, 07 Mar 2024 10:00:00 +0900"),
    ]
    xml = "".join(f"<item><title>{t}</title><link>{base}{u}</link><pubDate>{d}</pubDate></item>"
                  for t, u, d in items)
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>ニュース</title>{xml}</channel></rss>'


def test_fetch_feeds_rss_entries_followed_with_match(server, tmp_path, capsys):
    server.expect_request("/feed.xml").respond_with_data(rss(server.url_for("")[:-1]),
                                                         content_type="application/rss+xml")
    for n in (1, 2, 3):
        server.expect_request(f"/news/{n}.html").respond_with_response(respond(_page(n)))
    code, out = run_fetch(capsys, server.url_for("/feed.xml"), "--out", tmp_path, *FAST,
                          "--match", "お詫び")
    assert code == 0, out
    assert "2 fetched" in out
    entries = manifest(tmp_path)
    assert [e["url"] for e in entries] == [server.url_for("/news/1.html"), server.url_for("/news/3.html")]
    assert requested(server, "/news/2.html") == 0
    # the feed's own title and date are kept for the notice
    assert entries[0]["title"] == "個人情報漏えいに関するお詫び"
    assert entries[0]["published"] == "2024-03-05"
    assert entries[1]["source"] == server.url_for("/feed.xml")
    assert "会員300名分" in text_of(tmp_path, entries[1])


def test_fetch_feeds_sitemap_index(server, tmp_path, capsys):
    base = server.url_for("")[:-1]
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap>"
             f"<sitemap><loc>{base}/sitemap-pages.xml.gz</loc></sitemap></sitemapindex>")
    news = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/p/1</loc><lastmod>2024-03-01</lastmod></url>"
            f"<url><loc>{base}/p/2</loc></url></urlset>")
    pages = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<url><loc>{base}/p/3</loc></url><url><loc>{base}/p/1</loc></url></urlset>")
    server.expect_request("/sitemap.xml").respond_with_data(index, content_type="application/xml")
    server.expect_request("/sitemap-news.xml").respond_with_data(news, content_type="text/xml")
    server.expect_request("/sitemap-pages.xml.gz").respond_with_data(
        gzip.compress(pages.encode()), content_type="application/x-gzip")
    for n in (1, 2, 3):
        server.expect_request(f"/p/{n}").respond_with_response(respond(_page(n)))
    code, out = run_fetch(capsys, server.url_for("/sitemap.xml"), "--out", tmp_path, *FAST)
    assert code == 0, out
    assert "3 fetched" in out
    assert sorted(e["url"] for e in manifest(tmp_path)) == [f"{base}/p/{n}" for n in (1, 2, 3)]
    assert requested(server, "/p/1") == 1  # listed twice, fetched once


def test_fetch_feeds_entity_expansion_refused(server, tmp_path, capsys):
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            "<rss><channel><title>&b;</title><item><link>http://127.0.0.1:9/x</link></item></channel></rss>")
    server.expect_request("/feed.xml").respond_with_data(bomb, content_type="application/rss+xml")
    code, out = run_fetch(capsys, server.url_for("/feed.xml"), "--out", tmp_path, *FAST)
    assert code == 1 and "failed: feed_invalid 1" in out
    assert "EntitiesForbidden" in manifest(tmp_path)[0]["error"]


def test_fetch_feeds_gzipped_sitemap_bomb_stops_at_the_cap(server, tmp_path, capsys):
    # served as a gzip file (no Content-Encoding), so the client's own cap does not see it
    urls = "".join(f"<url><loc>{server.url_for('/p')}/{n}</loc></url>" for n in range(40000))
    body = gzip.compress(f"<urlset>{urls}</urlset>".encode())
    assert len(body) < 2**20 < len(gzip.decompress(body))
    server.expect_request("/sitemap.xml.gz").respond_with_data(body, content_type="application/x-gzip")
    code, out = run_fetch(capsys, server.url_for("/sitemap.xml.gz"), "--out", tmp_path, *FAST,
                          "--max-bytes", "1M")
    assert code == 1 and "failed: feed_invalid 1" in out
    assert "exceeds 1048576 bytes" in manifest(tmp_path)[0]["error"]
    assert requested(server, "/p/1") == 0


def test_fetch_feeds_rss1_in_shift_jis():
    data = ('<?xml version="1.0" encoding="Shift_JIS"?>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="http://h/"><title>新着情報</title>'
            '</channel><item rdf:about="http://h/a.html"><title>不正アクセスに関するお知らせ</title>'
            "<link>http://h/a.html</link><dc:date>2023-11-20T09:00:00+09:00</dc:date></item></rdf:RDF>"
            ).encode("cp932")
    assert looks_like_feed(data)
    feed = parse_feed(data)
    assert feed.kind == "rdf" and feed.title == "新着情報"
    assert [(e.url, e.title, e.published) for e in feed.entries] == [
        ("http://h/a.html", "不正アクセスに関するお知らせ", "2023-11-20")]


def test_fetch_feeds_atom_relative_links():
    data = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>E</title>'
            b'<link rel="alternate" href="/e/1"/><link rel="edit" href="/edit/1"/>'
            b"<published>2022-04-01T00:00:00Z</published></entry></feed>")
    feed = parse_feed(data, "https://example.jp/feed")
    assert [(e.url, e.published) for e in feed.entries] == [("https://example.jp/e/1", "2022-04-01")]


@pytest.mark.parametrize("data,ctype,expected", [
    (b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>", "text/xml", True),
    (b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>", None, True),
    (b"<!DOCTYPE html><html><body>RSS feed: <a href='rss'>rss</a></body></html>", "text/html", False),
    (b"%PDF-1.4", "application/pdf", False),
])
def test_fetch_feeds_sniffing(data, ctype, expected):
    assert looks_like_feed(data, ctype) is expected


def test_fetch_feeds_not_xml_is_an_error():
    with pytest.raises(FeedError):
        parse_feed(b"<rss><channel><title>broken")


def test_fetch_feeds_match_on_title_or_url():
    feed = parse_feed(rss("http://h").encode())
    assert len(matching(feed.entries, re.compile("news/2"))) == 1
    assert len(matching(feed.entries, re.compile("お詫び"))) == 2
    assert len(matching(feed.entries, None)) == 3


def test_fetch_feeds_local_sitemap_and_limit(server, tmp_path, capsys):
    base = server.url_for("")[:-1]
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                       + "".join(f"<url><loc>{base}/p/{n}</loc></url>" for n in range(1, 6)) + "</urlset>",
                       encoding="utf-8")
    for n in range(1, 6):
        server.expect_request(f"/p/{n}").respond_with_response(respond(_page(n)))
    code, out = run_fetch(capsys, sitemap, "--out", tmp_path / "c", *FAST, "--limit", "3")
    assert code == 0, out
    assert "3 fetched" in out and "not fetched (over --limit): 2" in out
    assert [e["url"] for e in manifest(tmp_path / "c")] == [f"{base}/p/{n}" for n in (1, 2, 3)]
