"""Ctrl-C during a fetch: the run stops at once (requests in flight are abandoned, not waited
for), exits 130, and the manifest keeps every notice stored before the interrupt."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .test_fetch_support import (  # noqa: F401 - fixtures
    NOTICE_BODY,
    html_page,
    http_server,
    manifest,
    respond,
    server,
)

ROUEI = Path(sys.executable).with_name("rouei")


def test_fetch_interrupt_stops_without_waiting_for_requests_in_flight(server, tmp_path):
    started, release = threading.Event(), threading.Event()

    def hanging(request):
        started.set()
        release.wait(20)  # far longer than the interrupted run may take
        return respond(html_page("遅い", NOTICE_BODY).encode())

    server.expect_request("/fast").respond_with_response(
        respond(html_page("速い", NOTICE_BODY).encode()))
    server.expect_request("/hang").respond_with_handler(hanging)
    corpus = tmp_path / "corpus"
    proc = subprocess.Popen(
        [str(ROUEI), "fetch", server.url_for("/fast"), server.url_for("/hang"), "--out", str(corpus),
         "--delay", "0", "--read-timeout", "30", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert started.wait(30), "the hanging page was never requested"
        proc.send_signal(signal.SIGINT)
        start = time.monotonic()
        out, err = proc.communicate(timeout=10)
        assert time.monotonic() - start < 3, "the interrupted run waited for the hanging request"
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err and "internal error" not in err
    assert "1 fetched (1 notices)" in out
    (entry,) = manifest(corpus)
    assert entry["url"] == server.url_for("/fast") and entry["error"] is None
