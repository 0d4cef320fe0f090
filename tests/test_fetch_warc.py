"""WARC files written by warcio: successful document captures become notices."""

from __future__ import annotations

from rouei.fetch.store import doc_id_for

from .test_fetch_support import (
    NOTICE_BODY,
    html_page,
    japanese_pdf,
    manifest,
    run_fetch,
    text_of,
    write_warc,
)


def _warc(path):
    write_warc(path, [
        ("http://city.example.lg.jp/news/leak.html", 200, "text/html",
         html_page("個人情報の流出について", NOTICE_BODY).encode("cp932")),
        ("http://city.example.lg.jp/news/report.pdf", 200, "application/pdf",
         japanese_pdf([["2023年8月1日", "調査報告書", "USBメモリの紛失について"]])),
        ("http://city.example.lg.jp/news/plain.txt", 200, "text/plain; charset=EUC-JP",
         "お知らせ\n2023年9月9日\n書類の誤送付がありました。\n".encode("euc_jp")),
        ("http://city.example.lg.jp/missing.html", 404, "text/html", b"<h1>Not Found</h1>"),
        ("http://city.example.lg.jp/old", 301, "text/html", b""),
        ("http://city.example.lg.jp/logo.png", 200, "image/png", b"\x89PNG\r\n\x1a\n"),
    ])


def test_fetch_warc_response_records_become_notices(tmp_path, capsys):
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc)
    out_dir = tmp_path / "corpus"
    code, out = run_fetch(capsys, warc, "--out", out_dir, "--quiet", "--stats")
    assert code == 0, out
    assert "3 fetched" in out
    assert '"warc/skipped/status_404": 1' in out and '"warc/skipped/type": 1' in out
    entries = {e["url"]: e for e in manifest(out_dir)}
    assert set(entries) == {"http://city.example.lg.jp/news/leak.html",
                            "http://city.example.lg.jp/news/report.pdf",
                            "http://city.example.lg.jp/news/plain.txt"}
    html = entries["http://city.example.lg.jp/news/leak.html"]
    assert html["doc_id"] == doc_id_for(html["url"])  # the id a live fetch of the URL gets
    assert html["encoding"] == "cp932" and html["status"] == 200
    assert html["fetched_at"].startswith("20")  # WARC-Date, not the time of this run's read
    assert html["source"] == str(warc)
    assert "不正アクセスを受け" in text_of(out_dir, html)
    assert "USBメモリの紛失" in text_of(out_dir, entries["http://city.example.lg.jp/news/report.pdf"])
    plain = entries["http://city.example.lg.jp/news/plain.txt"]
    assert plain["encoding"] == "euc_jp" and plain["published"] == "2023-09-09"


def test_fetch_warc_match_and_rerun(tmp_path, capsys):
    warc = tmp_path / "crawl.warc"  # uncompressed this time
    _warc(warc)
    out_dir = tmp_path / "corpus"
    code, out = run_fetch(capsys, warc, "--out", out_dir, "--quiet", "--match", r"\.pdf$")
    assert code == 0 and "1 fetched" in out
    code, out = run_fetch(capsys, warc, "--out", out_dir, "--quiet")
    assert "2 fetched" in out and "1 unchanged" in out
    assert len(manifest(out_dir)) == 3
