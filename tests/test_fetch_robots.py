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


def test_fetch_robots_server_error_disallows_host(server, tmp_path, capsys):
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("oops", status=500)
    server.expect_request("/n.html").respond_with_response(respond(html_page("x", NOTICE_BODY).encode()))
    code, out = run_fetch(capsys, server.url_for("/n.html"), "--out", tmp_path, *FAST, "--max-tries", "2")
    assert "1 skipped by robots.txt" in out
    assert requested(server, "/n.html") == 0


def test_fetch_robots_ignore_flag(server, tmp_path, capsys):
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
    server.expect_request("/n.html").respond_with_response(respond(html_page("x", NOTICE_BODY).encode()))
    code, out = run_fetch(capsys, server.url_for("/n.html"), "--out", tmp_path, *FAST, "--ignore-robots")
    assert code == 0 and "1 fetched" in out
    assert requested(server, "/robots.txt") == 0
