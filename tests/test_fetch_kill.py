"""A fetch killed (SIGKILL) or terminated (SIGTERM) part way keeps every notice it stored in
the manifest, and a re-run downloads none of them again."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from werkzeug import Response

from fetch.store import Corpus, Doc

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    NOTICE_BODY,
    html_page,
    http_server,
    manifest,
    respond,
    run_fetch,
    server,
)

ROUEI = Path(sys.executable).with_name("rouei")
PAGES = 10
KILL_AT = 4  # the signal comes while page 4 is being served: pages 0-3 are stored by then


class Site:
    """Ten notices with ETags (a conditional request gets a 304); counts full downloads."""

    def __init__(self, server) -> None:
        self.server = server
        self.full: Counter[str] = Counter()
        self.reached = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        for i in range(PAGES):
            server.expect_request(f"/p{i}.html").respond_with_handler(self._handler(i))

    def url(self, i: int) -> str:
        return self.server.url_for(f"/p{i}.html")

    def _handler(self, i: int):
        page = html_page(f"お知らせ{i}", NOTICE_BODY.replace("1,234", f"{i + 1},234")).encode()
        etag = f'"v1-{i}"'

        def handle(request):
            if i == KILL_AT:
                self.reached.set()
                self.release.wait(10)
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            with self._lock:
                self.full[f"/p{i}.html"] += 1
            return respond(page, headers={"ETag": etag})

        return handle


def _start(site: Site, corpus: Path) -> subprocess.Popen:
    urls = [site.url(i) for i in range(PAGES)]
    return subprocess.Popen([str(ROUEI), "fetch", *urls, "--out", str(corpus), *FAST],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(site: Site, proc: subprocess.Popen, sig: int) -> tuple[str, str]:
    try:
        assert site.reached.wait(30), "the run never reached the page it is stopped at"
        proc.send_signal(sig)
        return proc.communicate(timeout=10)
    finally:
        site.release.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _manifest_lines(corpus: Path) -> list[dict]:
    """Every line, as a reader must take them: a torn last line dropped."""
    lines = (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    out = []
    for n, line in enumerate(lines):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            assert n == len(lines) - 1, "only the last line may be torn"
    return out


def _check_rerun(site: Site, corpus: Path, capsys, stored: set[str]) -> None:
    code, out = run_fetch(capsys, *[site.url(i) for i in range(PAGES)], "--out", corpus, *FAST)
    assert code == 0, out
    assert f"{PAGES - len(stored)} fetched" in out and f"{len(stored)} unchanged" in out
    for i in range(PAGES):
        path = f"/p{i}.html"
        # the page in flight at the signal was served once but never stored: fetched again
        assert site.full[path] == (2 if i == KILL_AT else 1), (path, site.full)
    entries = manifest(corpus)
    ids = [e["doc_id"] for e in entries]
    assert len(ids) == len(set(ids)) == PAGES  # compact again: one line per notice
    assert {e["url"] for e in entries} == {site.url(i) for i in range(PAGES)}
    assert not any(e.get("removed") for e in entries)


def test_fetch_kill_sigkill_keeps_every_stored_notice(server, tmp_path, capsys):
    site = Site(server)
    corpus = tmp_path / "c"
    proc = _start(site, corpus)
    _stop(site, proc, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    stored = {e["url"] for e in _manifest_lines(corpus)}
    assert stored == {site.url(i) for i in range(KILL_AT)}
    texts = {p.name for p in (corpus / "text").iterdir() if p.suffix == ".txt"}
    assert texts == {f"{e['doc_id']}.txt" for e in _manifest_lines(corpus)}
    _check_rerun(site, corpus, capsys, stored)


def test_fetch_kill_sigterm_ends_like_ctrl_c(server, tmp_path, capsys):
    site = Site(server)
    corpus = tmp_path / "c"
    proc = _start(site, corpus)
    out, err = _stop(site, proc, signal.SIGTERM)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "terminated; the manifest keeps what was fetched" in err and "Traceback" not in err
    assert f"{KILL_AT} fetched" in out
    entries = manifest(corpus)  # compacted at the end of the run
    assert [e["url"] for e in entries] == [site.url(i) for i in range(KILL_AT)]
    _check_rerun(site, corpus, capsys, {e["url"] for e in entries})


def test_fetch_kill_log_left_by_a_killed_run_is_read_and_compacted(tmp_path):
    # the append-only form: later lines replace earlier ones, removals drop entries, a torn
    # last line is dropped; the next run starts by rewriting the manifest compactly
    a, b = {"doc_id": "a", "url": "http://h/a", "title": "old"}, {"doc_id": "b", "url": "http://h/b"}
    lines = [a, b, {"doc_id": "c", "url": "http://h/c"}, {**a, "title": "new"},
             {"doc_id": "c", "removed": True}]
    (tmp_path / "manifest.jsonl").write_text(
        "".join(json.dumps(x) + "\n" for x in lines) + '{"doc_id": "d", "ur', encoding="utf-8")
    with Corpus(tmp_path) as corpus:
        assert list(corpus.entries) == ["a", "b"] and corpus.entries["a"]["title"] == "new"
        assert manifest(tmp_path) == [{**a, "title": "new"}, b]  # compacted on open
        corpus.store(Doc("http://h/e", "http://h/e", "2024-01-01T00:00:00+00:00", error="HTTP 500"))
        # stored means on disk at once, before the run ends
        assert [e["doc_id"] for e in manifest(tmp_path)][-1] == corpus.by_url["http://h/e"][0]
    assert len(manifest(tmp_path)) == 3
