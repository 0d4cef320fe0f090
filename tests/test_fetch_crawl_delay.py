"""robots.txt Crawl-delay from a hostile or careless server: values that are no number of
seconds are ignored, huge ones are capped by --max-crawl-delay (and the summary says so), and a
host gate that fails while waiting releases the host's lock."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from fetch import client as client_mod
from fetch.client import HostGate
from fetch.robots import Robots

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

ROUEI = Path(sys.executable).with_name("rouei")
UA = "rouei/0.1.0 (collector)"


def _pages(server, n: int) -> list[str]:
    urls = []
    for i in range(n):
        server.expect_request(f"/n{i}.html").respond_with_response(
            respond(html_page(f"お知らせ{i}", NOTICE_BODY.replace("1,234", f"{i + 1},234")).encode()))
        urls.append(server.url_for(f"/n{i}.html"))
    return urls


@pytest.mark.parametrize("value", ["inf", "1e999", "infinity", "nan", "-5", "soon"])
def test_fetch_crawl_delay_not_a_number_of_seconds_is_ignored(value):
    r = Robots(f"User-agent: *\nCrawl-delay: {value}\nDisallow: /x\n")
    assert r.crawl_delay(UA) is None
    assert not r.allowed("http://h/x", UA)  # the rest of the group still applies


@pytest.mark.parametrize("value", ["inf", "1e999"])
def test_fetch_crawl_delay_infinite_does_not_hang_the_host(server, tmp_path, value):
    # Before: float("inf") became the host's delay, the gate's sleep raised OverflowError while
    # holding the host's lock, and every later URL of the host waited for ever. Run as a
    # subprocess so that a hang ends at the timeout instead of hanging the test session.
    server.clear()
    server.expect_request("/robots.txt").respond_with_data(f"User-agent: *\nCrawl-delay: {value}\n",
                                                           content_type="text/plain")
    urls = _pages(server, 3)
    corpus = tmp_path / "c"
    proc = subprocess.Popen([str(ROUEI), "fetch", *urls, "--out", str(corpus), *FAST],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "3 fetched" in out and "internal error" not in err
    assert sorted(e["url"] for e in manifest(corpus)) == sorted(urls)


def test_fetch_crawl_delay_capped_and_reported(server, tmp_path, capsys):
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 100000\n",
                                                           content_type="text/plain")
    urls = _pages(server, 3)
    start = time.monotonic()
    code, out = run_fetch(capsys, *urls, "--out", tmp_path, *FAST, "--max-crawl-delay", "0.3")
    elapsed = time.monotonic() - start
    assert code == 0, out
    assert "3 fetched" in out
    assert "Crawl-delay above --max-crawl-delay lowered to it for 1 host(s)" in out
    assert 0.6 <= elapsed < 8  # two waits of the capped delay, not 28 hours each
    assert all(requested(server, f"/n{i}.html") == 1 for i in range(3))


def test_fetch_crawl_delay_below_cap_is_obeyed_silently(server, tmp_path, capsys):
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 0.4\n",
                                                           content_type="text/plain")
    urls = _pages(server, 2)
    start = time.monotonic()
    code, out = run_fetch(capsys, *urls, "--out", tmp_path, *FAST)
    assert code == 0 and "2 fetched" in out and "Crawl-delay" not in out
    assert time.monotonic() - start >= 0.4


def test_fetch_crawl_delay_gate_releases_its_lock_when_waiting_fails(monkeypatch):
    gate = HostGate(0.0)
    gate.defer(5)

    def broken_sleep(seconds):
        raise OverflowError("timestamp too large")

    monkeypatch.setattr(client_mod.time, "sleep", broken_sleep)
    with pytest.raises(OverflowError), gate:
        pass
    assert gate._lock.acquire(timeout=1), "the host's lock is still held"
    gate._lock.release()
