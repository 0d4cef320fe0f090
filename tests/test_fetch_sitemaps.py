"""Sitemaps against --limit and --max-sitemaps: only notices count against --limit, a sitemap
index is read only as far as --limit needs (depth first through nested indexes), and the
number of sitemaps read from indexes is bounded. The tests count the server's requests."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    NOTICE_BODY,
    html_page,
    http_server,
    manifest,
    requested,
    respond,
    run_fetch,
    server,
)

XML = "application/xml"


def _index(server, children: list[str]) -> str:
    maps = "".join(f"<sitemap><loc>{server.url_for(c)}</loc></sitemap>" for c in children)
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>')


def _urlset(server, pages: list[str]) -> str:
    urls = "".join(f"<url><loc>{server.url_for(p)}</loc></url>" for p in pages)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


def _page(server, path: str) -> None:
    body = NOTICE_BODY.replace("1,234", f"{abs(hash(path)) % 9000 + 1000}")
    server.expect_request(path).respond_with_response(respond(html_page(path, body).encode()))


def _sitemap_requests(server) -> int:
    return sum(1 for req, _ in server.log if req.path.endswith(".xml"))


def _page_requests(server) -> int:
    return sum(1 for req, _ in server.log if req.path.endswith(".html"))


def _wide_index(server, children: int, pages_each: int) -> None:
    server.expect_request("/index.xml").respond_with_data(
        _index(server, [f"/sm{i}.xml" for i in range(children)]), content_type=XML)
    for i in range(children):
        pages = [f"/p{i}_{j}.html" for j in range(pages_each)]
        server.expect_request(f"/sm{i}.xml").respond_with_data(_urlset(server, pages), content_type=XML)
        for p in pages:
            _page(server, p)


def test_fetch_sitemaps_index_read_only_as_far_as_limit_needs(server, tmp_path, capsys):
    _wide_index(server, 100, 10)
    code, out = run_fetch(capsys, server.url_for("/index.xml"), "--out", tmp_path, *FAST, "--limit", "3")
    assert code == 0, out
    assert "3 fetched" in out
    assert _sitemap_requests(server) == 2  # the index and one child, not 101
    assert _page_requests(server) == 3
    assert "50 over --max-sitemaps, 49 not needed for --limit" in out
    assert len(manifest(tmp_path)) == 3


def test_fetch_sitemaps_nested_indexes_read_depth_first(server, tmp_path, capsys):
    # index -> 5 indexes -> 5 sitemaps each -> 5 pages each
    server.expect_request("/index.xml").respond_with_data(
        _index(server, [f"/i{a}.xml" for a in range(5)]), content_type=XML)
    for a in range(5):
        server.expect_request(f"/i{a}.xml").respond_with_data(
            _index(server, [f"/i{a}_{b}.xml" for b in range(5)]), content_type=XML)
        for b in range(5):
            pages = [f"/p{a}_{b}_{c}.html" for c in range(5)]
            server.expect_request(f"/i{a}_{b}.xml").respond_with_data(_urlset(server, pages),
                                                                     content_type=XML)
            for p in pages:
                _page(server, p)
    code, out = run_fetch(capsys, server.url_for("/index.xml"), "--out", tmp_path, *FAST, "--limit", "1")
    assert code == 0, out
    assert "1 fetched" in out
    assert _sitemap_requests(server) == 3  # one index per level, not all 31
    assert [e["url"] for e in manifest(tmp_path)] == [server.url_for("/p0_0_0.html")]


def test_fetch_sitemaps_too_deep_not_requested_and_reported(server, tmp_path, capsys):
    # index -> index -> index -> sitemaps: the last level is past the depth followed
    server.expect_request("/index.xml").respond_with_data(_index(server, ["/a.xml", "/b.xml"]),
                                                          content_type=XML)
    for name in ("a", "b"):
        server.expect_request(f"/{name}.xml").respond_with_data(
            _index(server, [f"/{name}{k}.xml" for k in range(3)]), content_type=XML)
        for k in range(3):
            server.expect_request(f"/{name}{k}.xml").respond_with_data(
                _index(server, [f"/{name}{k}_leaf.xml"]), content_type=XML)
            server.expect_request(f"/{name}{k}_leaf.xml").respond_with_data(
                _urlset(server, [f"/{name}{k}.html"]), content_type=XML)
            _page(server, f"/{name}{k}.html")
    code, out = run_fetch(capsys, server.url_for("/index.xml"), "--out", tmp_path, *FAST, "--limit", "1")
    assert _sitemap_requests(server) == 1 + 2 + 6  # the leaves are never requested
    assert _page_requests(server) == 0
    assert "6 nested too deep" in out
    assert code == 1, out  # nothing fetched because of a limit is not a success


def test_fetch_sitemaps_start_url_does_not_count_against_limit(server, tmp_path, capsys):
    pages = [f"/n{i}.html" for i in range(10)]
    server.expect_request("/sitemap.xml").respond_with_data(_urlset(server, pages), content_type=XML)
    for p in pages:
        _page(server, p)
    code, out = run_fetch(capsys, server.url_for("/sitemap.xml"), "--out", tmp_path, *FAST, "--limit", "5")
    assert code == 0, out
    assert "5 fetched" in out and "not fetched (over --limit): 5" in out
    assert _page_requests(server) == 5
    assert len(manifest(tmp_path)) == 5


def test_fetch_sitemaps_limit_on_plain_urls(server, tmp_path, capsys):
    pages = [f"/n{i}.html" for i in range(4)]
    for p in pages:
        _page(server, p)
    code, out = run_fetch(capsys, *[server.url_for(p) for p in pages], "--out", tmp_path, *FAST,
                          "--limit", "2", "--concurrency", "4")
    assert code == 0, out
    assert "2 fetched" in out and "not fetched (over --limit): 2" in out
    assert _page_requests(server) == 2


def test_fetch_sitemaps_max_sitemaps_bounds_requests(server, tmp_path, capsys):
    _wide_index(server, 100, 1)
    code, out = run_fetch(capsys, server.url_for("/index.xml"), "--out", tmp_path, *FAST,
                          "--max-sitemaps", "3")
    assert code == 0, out
    assert _sitemap_requests(server) == 1 + 3
    assert "3 fetched" in out and "97 over --max-sitemaps" in out


def test_fetch_sitemaps_default_bound(server, tmp_path, capsys):
    _wide_index(server, 100, 1)
    code, out = run_fetch(capsys, server.url_for("/index.xml"), "--out", tmp_path, *FAST)
    assert _sitemap_requests(server) <= 51
    assert "over --max-sitemaps" in out
