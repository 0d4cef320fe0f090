"""robots.txt: RFC 9309 matching, and a disallowed path that is never requested."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import pytest

from rouei.fetch.robots import Robots

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

UA = "rouei/0.1.0 (collector)"
RULES = """# comments and odd spacing are fine
User-agent: Googlebot
Disallow: /

User-agent: *
Disallow: /private/
Allow: /private/press/
Disallow: /*.cgi$
Disallow: /tmp
Crawl-delay: 2
"""


@pytest.mark.parametrize("path,allowed", [
    ("/", True),
    ("/news/2024/0305.html", True),
    ("/private/", False),
    ("/private/minutes.html", False),
    ("/private/press/notice.html", True),  # the longer Allow wins
    ("/search.cgi", False),
    ("/search.cgi?q=1", True),  # "$" anchors the end
    ("/tmp", False),
    ("/tmpfile.html", False),  # a plain prefix
    ("/robots.txt", True),
])
def test_fetch_robots_longest_match(path, allowed):
    assert Robots(RULES).allowed("http://example.jp" + path, UA) is allowed


def test_fetch_robots_own_group_beats_star():
    r = Robots("User-agent: *\nDisallow: /\n\nUser-agent: rouei\nDisallow: /admin\n")
    assert r.allowed("http://h/news", UA)
    assert not r.allowed("http://h/admin/x", UA)
    assert not r.allowed("http://h/news", "otherbot/1.0")


def test_fetch_robots_groups_for_one_agent_combine_and_crawl_delay():
    r = Robots("User-agent: rouei\nDisallow: /a\n\nUser-agent: rouei\nDisallow: /b\nCrawl-delay: 5\n")
    assert not r.allowed("http://h/a", UA) and not r.allowed("http://h/b", UA)
    assert r.crawl_delay(UA) == 5.0
    assert Robots(RULES).crawl_delay(UA) == 2.0


def test_fetch_robots_percent_encoding_compares_equal():
    r = Robots("User-agent: *\nDisallow: /%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B/\n")  # /お知らせ/
    assert not r.allowed("http://h/お知らせ/1.html", UA)
    assert r.allowed("http://h/ニュース/1.html", UA)


@pytest.mark.parametrize("status,allowed", [(200, True), (404, True), (403, True), (500, False), (None, False)])
def test_fetch_robots_status_rules(status, allowed):
    # RFC 9309: 4xx means no rules; 5xx or no answer means assume everything is disallowed
    assert Robots.from_status(status, b"").allowed("http://h/x", UA) is allowed


def test_fetch_robots_disallowed_path_never_requested(server, tmp_path, capsys):
    server.clear()
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /members/\n", content_type="text/plain")
    server.expect_request("/members/secret.html").respond_with_response(
        respond(html_page("会員限定", NOTICE_BODY).encode()))
    server.expect_request("/news/1.html").respond_with_response(
        respond(html_page("お知らせ", NOTICE_BODY).encode()))
    code, out = run_fetch(capsys, server.url_for("/members/secret.html"), server.url_for("/news/1.html"),
                          "--out", tmp_path, *FAST)
    assert code == 0, out  # a robots.txt skip is not a failure
    assert "1 fetched" in out and "1 skipped by robots.txt" in out
    assert requested(server, "/members/secret.html") == 0
    assert [e["url"] for e in manifest(tmp_path)] == [server.url_for("/news/1.html")]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_fetch_robots_server_error_disallows_host_and_fails_its_urls(server, tmp_path, capsys, status):
    # RFC 9309: an unavailable robots.txt means nothing may be fetched, but the run must say so
    # (a failed manifest entry per URL, exit 1) rather than look like a clean, empty success
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("oops", status=status)
    for name in ("n", "m"):
        server.expect_request(f"/{name}.html").respond_with_response(
            respond(html_page("x", NOTICE_BODY).encode()))
    urls = [server.url_for("/n.html"), server.url_for("/m.html")]
    code, out = run_fetch(capsys, *urls, "--out", tmp_path, *FAST, "--max-tries", "2")
    assert code == 1, out
    assert "failed: robots_unavailable 2" in out and "0 skipped by robots.txt" in out
    assert requested(server, "/n.html") == 0 and requested(server, "/m.html") == 0
    assert requested(server, "/robots.txt") == 2  # read once per run (after one retry)
    entries = manifest(tmp_path)
    assert sorted(e["url"] for e in entries) == sorted(urls)
    for e in entries:
        assert f"robots.txt answered HTTP {status}" in e["error"] and e["text_path"] is None


def test_fetch_robots_unavailable_then_available_fetches_on_rerun(server, tmp_path, capsys):
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("oops", status=503)
    server.expect_request("/n.html").respond_with_response(respond(html_page("x", NOTICE_BODY).encode()))
    assert run_fetch(capsys, server.url_for("/n.html"), "--out", tmp_path, *FAST, "--max-tries", "1")[0] == 1
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    server.expect_request("/n.html").respond_with_response(respond(html_page("x", NOTICE_BODY).encode()))
    code, out = run_fetch(capsys, server.url_for("/n.html"), "--out", tmp_path, *FAST)
    assert code == 0 and "1 fetched" in out
    (entry,) = manifest(tmp_path)
    assert entry["error"] is None and entry["text_path"]


def test_fetch_robots_ignore_flag(server, tmp_path, capsys):
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
    server.expect_request("/n.html").respond_with_response(respond(html_page("x", NOTICE_BODY).encode()))
    code, out = run_fetch(capsys, server.url_for("/n.html"), "--out", tmp_path, *FAST, "--ignore-robots")
    assert code == 0 and "1 fetched" in out
    assert requested(server, "/robots.txt") == 0
