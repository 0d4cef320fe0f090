"""--max-time bounds a whole response, whatever the server sends: a server that trickles its
body or its headers a byte at a time (each byte well inside --read-timeout) is cut off at the
deadline, and the URL gets a failed manifest entry."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from .test_fetch_support import FAST, NOTICE_BODY, html_page, manifest, run_fetch

PAGE = html_page("お知らせ", NOTICE_BODY).encode()
TRICKLE_EVERY = 0.2  # seconds between bytes, far below --read-timeout
TRICKLE_FOR = 6.0  # a trickle gives up after this long, so even a broken fetch ends


class TrickleServer:
    """A raw HTTP/1.1 server on 127.0.0.1 that answers some paths slowly on purpose.

    ``/robots.txt`` is a quick 404 (no rules), ``/ok`` a quick page, ``/slow-body`` sends its
    headers and then one body byte every TRICKLE_EVERY s, ``/slow-headers`` sends one byte of
    its status line and headers every TRICKLE_EVERY s. Every thread ends on ``stop``."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.requests: list[str] = []
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(1.0)
        with conn:
            while not self.stopping.is_set():  # keep-alive: several requests per connection
                try:
                    path = self._read_request(conn)
                except OSError:
                    return
                if path is None:
                    return
                self.requests.append(path)
                try:
                    if not self._respond(conn, path):
                        return
                except OSError:  # the client hung up: what a deadline does
                    return

    def _read_request(self, conn: socket.socket) -> str | None:
        data = b""
        while b"\r\n\r\n" not in data:
            if self.stopping.is_set():
                return None
            try:
                chunk = conn.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                return None
            data += chunk
        return data.split(b" ", 2)[1].decode()

    def _trickle(self, conn: socket.socket, data: bytes) -> bool:
        end = time.monotonic() + TRICKLE_FOR
        for i in range(len(data)):
            if self.stopping.is_set() or time.monotonic() > end:
                return False
            conn.sendall(data[i:i + 1])
            self.stopping.wait(TRICKLE_EVERY)
        return True

    def _respond(self, conn: socket.socket, path: str) -> bool:
        if path == "/robots.txt":
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return True
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(PAGE)}\r\nX-Padding: {'x' * 200}\r\n\r\n").encode()
        if path == "/slow-headers":
            return self._trickle(conn, head) and self._trickle(conn, PAGE)
        conn.sendall(head)
        if path == "/slow-body":
            return self._trickle(conn, PAGE)
        conn.sendall(PAGE)
        return True

    def stop(self) -> None:
        self.stopping.set()
        self.sock.close()
        self._accept.join(5)
        for t in self._threads:
            t.join(5)
        assert not self._accept.is_alive() and not any(t.is_alive() for t in self._threads)


@pytest.fixture
def trickle() -> Iterator[TrickleServer]:
    server = TrickleServer()
    try:
        yield server
    finally:
        server.stop()


def _fetch(capsys, tmp_path, *urls: str) -> tuple[int, str, float]:
    opts = [*FAST, "--max-time", "2", "--read-timeout", "1"]  # later options win
    start = time.monotonic()
    code, out = run_fetch(capsys, *urls, "--out", tmp_path, *opts)
    elapsed = time.monotonic() - start
    # no worker is left inside a request once the run is over
    end = time.monotonic() + 2
    while any(t.name.startswith("rouei-fetch") for t in threading.enumerate()) and time.monotonic() < end:
        time.sleep(0.05)
    assert not [t.name for t in threading.enumerate() if t.name.startswith("rouei-fetch")]
    return code, out, elapsed


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
def test_fetch_deadline_trickling_server_cut_off_at_max_time(trickle, tmp_path, capsys, path):
    code, out, elapsed = _fetch(capsys, tmp_path, trickle.url(path))
    assert elapsed < 2 + 1.5, f"took {elapsed:.1f} s with --max-time 2"
    assert code == 1 and "failed: timeout 1" in out, out
    assert "retried" not in out  # a trickling server is not tried again
    assert trickle.requests.count(path) == 1
    (entry,) = manifest(tmp_path)
    assert entry["url"] == trickle.url(path) and entry["text_path"] is None
    assert "--max-time" in entry["error"]


def test_fetch_deadline_other_urls_of_the_host_still_fetched(trickle, tmp_path, capsys):
    code, out, elapsed = _fetch(capsys, tmp_path, trickle.url("/slow-headers"), trickle.url("/ok"))
    assert elapsed < 2 + 1.5
    assert code == 1 and "1 fetched" in out and "failed: timeout 1" in out
    ok = [e for e in manifest(tmp_path) if e["url"] == trickle.url("/ok")]
    assert ok and ok[0]["error"] is None
