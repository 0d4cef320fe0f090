"""Retries with backoff and Retry-After, timeouts, and politeness (per-host serialisation,
delays, robots Crawl-delay, User-Agent), against a real server on 127.0.0.1."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import socket
import threading
import time
from email.utils import formatdate

import pytest
from pytest_httpserver import HTTPServer

from rouei.fetch.client import parse_retry_after

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

PAGE = html_page("お知らせ", NOTICE_BODY)


def sequence(*responses):
    """A handler that answers with each response in turn, then repeats the last; it records
    the time of each request."""
    times: list[float] = []
    lock = threading.Lock()

    def handler(request):
        with lock:
            times.append(time.monotonic())
            return responses[min(len(times), len(responses)) - 1]()

    handler.times = times
    return handler


def ok():
    return respond(PAGE.encode())


def test_fetch_retry_429_with_retry_after_seconds(server, tmp_path, capsys):
    h = sequence(lambda: respond("busy", 429, {"Retry-After": "1"}), ok)
    server.expect_request("/n").respond_with_handler(h)
    code, out = run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST)
    assert code == 0, out
    assert len(h.times) == 2
    assert h.times[1] - h.times[0] >= 0.95  # waited as asked, not the 0.01 s backoff
    assert "1 fetched" in out and "retried: 429 1" in out
    assert manifest(tmp_path)[0]["status"] == 200


def test_fetch_retry_429_with_retry_after_http_date(server, tmp_path, capsys):
    h = sequence(lambda: respond("busy", 429, {"Retry-After": formatdate(time.time() + 2, usegmt=True)}), ok)
    server.expect_request("/n").respond_with_handler(h)
    code, out = run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST)
    assert code == 0, out
    assert h.times[1] - h.times[0] >= 0.9  # the date has one-second resolution
    assert "retried: 429 1" in out


def test_fetch_retry_503_twice_then_200(server, tmp_path, capsys):
    h = sequence(lambda: respond("down", 503), lambda: respond("down", 503), ok)
    server.expect_request("/n").respond_with_handler(h)
    code, out = run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST, "--stats")
    assert code == 0, out
    assert len(h.times) == 3
    assert "retried: 503 2" in out
    assert '"retry/reason_count/503": 2' in out  # Scrapy-style counters with --stats


def test_fetch_retry_gives_up_after_max_tries(server, tmp_path, capsys):
    h = sequence(lambda: respond("down", 503))
    server.expect_request("/n").respond_with_handler(h)
    code, out = run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST, "--max-tries", "3")
    assert code == 1
    assert len(h.times) == 3
    assert "1 failed" in out and "failed: http_503 1" in out and "retried: 503 2" in out
    (entry,) = manifest(tmp_path)
    assert entry["error"] == "HTTP 503" and entry["status"] == 503 and entry["text_path"] is None


def test_fetch_retry_after_too_long_gives_up(server, tmp_path, capsys):
    h = sequence(lambda: respond("busy", 429, {"Retry-After": "3600"}))
    server.expect_request("/n").respond_with_handler(h)
    code, out = run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST)
    assert code == 1 and "retry_after_too_long 1" in out
    assert len(h.times) == 1


def test_fetch_retry_slow_endpoint_times_out(server, tmp_path, capsys):
    def slow(request):
        time.sleep(2)
        return ok()

    server.expect_request("/slow").respond_with_handler(slow)
    start = time.monotonic()
    code, out = run_fetch(capsys, server.url_for("/slow"), "--out", tmp_path, *FAST,
                          "--read-timeout", "0.3", "--max-tries", "2")
    assert time.monotonic() - start < 1.8
    assert code == 1
    assert "failed: timeout 1" in out and "retried: ReadTimeout 1" in out
    assert "timed out" in manifest(tmp_path)[0]["error"]


def test_fetch_retry_connection_refused(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    code, out = run_fetch(capsys, f"http://127.0.0.1:{port}/x", "--out", tmp_path, *FAST,
                          "--max-tries", "2")
    assert code == 1
    assert "failed: connection 1" in out
    assert "0 skipped by robots.txt" in out


@pytest.mark.parametrize("value,expected", [("120", 120.0), ("0", 0.0), ("soon", None), (None, None)])
def test_fetch_retry_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_fetch_retry_parse_retry_after_http_date():
    now = time.time()
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0


def _tracking_handler(*states, pause=0.15):
    """A page handler that records, in each of ``states``, concurrency, times and agents."""
    def handler(request):
        for state in states:
            with state["lock"]:
                state["active"] += 1
                state["max"] = max(state["max"], state["active"])
                state["times"].append(time.monotonic())
                state["agents"].add(request.headers.get("User-Agent"))
        time.sleep(pause)
        for state in states:
            with state["lock"]:
                state["active"] -= 1
        return respond(html_page(request.path, f"<p>{request.url} の本文です。" * 3 + "</p>").encode())
    return handler


def _state():
    return {"lock": threading.Lock(), "active": 0, "max": 0, "times": [], "agents": set()}


def test_fetch_politeness_one_request_per_host_and_user_agent(server, tmp_path, capsys):
    other = HTTPServer(host="127.0.0.1", port=0, threaded=True)  # a second host (another port)
    other.start()
    try:
        first, second, overall = _state(), _state(), _state()
        server.expect_request("/p", query_string=None).respond_with_handler(
            _tracking_handler(first, overall))
        other.expect_request("/robots.txt").respond_with_data("")
        other.expect_request("/p", query_string=None).respond_with_handler(
            _tracking_handler(second, overall))
        urls = [srv.url_for(f"/p?{i}") for i in range(4) for srv in (server, other)]
        code, out = run_fetch(capsys, *urls, "--out", tmp_path, *FAST, "--concurrency", "4")
        assert code == 0, out
        assert "8 fetched" in out
        assert first["max"] == 1 and second["max"] == 1  # never two requests at once on one host
        assert overall["max"] == 2  # but the two hosts are fetched side by side
        assert all(a.startswith("rouei/0.1.0") for a in overall["agents"])
    finally:
        other.stop()


def test_fetch_politeness_delay_between_requests(server, tmp_path, capsys):
    st = _state()
    server.expect_request("/d", query_string=None).respond_with_handler(_tracking_handler(st, pause=0))
    urls = [server.url_for(f"/d?{i}") for i in range(3)]
    code, out = run_fetch(capsys, *urls, "--out", tmp_path, *FAST, "--delay", "0.3")
    assert code == 0, out
    gaps = [b - a for a, b in zip(st["times"], st["times"][1:])]
    assert len(gaps) == 2 and min(gaps) >= 0.28


def test_fetch_politeness_robots_crawl_delay(server, tmp_path, capsys):
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 0.4\n")
    st = _state()
    server.expect_request("/c", query_string=None).respond_with_handler(_tracking_handler(st, pause=0))
    code, out = run_fetch(capsys, *[server.url_for(f"/c?{i}") for i in range(3)],
                          "--out", tmp_path, *FAST)
    assert code == 0, out
    gaps = [b - a for a, b in zip(st["times"], st["times"][1:])]
    assert min(gaps) >= 0.38
    assert requested(server, "/robots.txt") == 1  # read once per host per run
