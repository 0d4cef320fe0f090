"""Limits: redirects (count, loops, other schemes), body size while streaming, decompression
bombs, and what a usage error looks like."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
import zlib

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from rouei.fetch.convert import sniff_kind

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
    text_of,
)

PAGE = html_page("お知らせ", NOTICE_BODY).encode()


def redirect(to: str, status: int = 302) -> Response:
    return Response("", status=status, headers={"Location": to})


def test_fetch_limits_redirect_chain_followed(server, tmp_path, capsys):
    server.expect_request("/old").respond_with_response(redirect("/mid", 301))
    server.expect_request("/mid").respond_with_response(redirect(server.url_for("/new"), 308))
    server.expect_request("/new").respond_with_response(respond(PAGE))
    code, out = run_fetch(capsys, server.url_for("/old"), "--out", tmp_path, *FAST)
    assert code == 0, out
    (entry,) = manifest(tmp_path)
    assert entry["url"] == server.url_for("/old")
    assert entry["final_url"] == server.url_for("/new")


def test_fetch_limits_redirect_loop(server, tmp_path, capsys):
    server.expect_request("/a").respond_with_response(redirect("/b"))
    server.expect_request("/b").respond_with_response(redirect("/a"))
    code, out = run_fetch(capsys, server.url_for("/a"), "--out", tmp_path, *FAST)
    assert code == 1
    assert "failed: redirect_loop 1" in out
    assert requested(server, "/a") == 1 and requested(server, "/b") == 1
    (entry,) = manifest(tmp_path)
    assert "redirect loop" in entry["error"] and entry["text_path"] is None


def test_fetch_limits_too_many_redirects(server, tmp_path, capsys):
    for i in range(8):
        server.expect_request(f"/r{i}").respond_with_response(redirect(f"/r{i + 1}"))
    code, out = run_fetch(capsys, server.url_for("/r0"), "--out", tmp_path, *FAST)
    assert code == 1 and "failed: too_many_redirects 1" in out
    assert requested(server, "/r5") == 1 and requested(server, "/r6") == 0  # 5 redirects followed


def test_fetch_limits_redirect_to_file_scheme_refused(server, tmp_path, capsys):
    server.expect_request("/evil").respond_with_response(redirect("file:///etc/passwd"))
    code, out = run_fetch(capsys, server.url_for("/evil"), "--out", tmp_path, *FAST)
    assert code == 1 and "failed: redirect_scheme 1" in out
    (entry,) = manifest(tmp_path)
    assert "file: URL refused" in entry["error"]
    assert not any(p.is_file() for p in (tmp_path / "raw").iterdir())
    assert not any(p.is_file() for p in (tmp_path / "text").iterdir())


def test_fetch_limits_oversized_body_with_content_length(server, tmp_path, capsys):
    server.expect_request("/big").respond_with_response(respond(b"x" * 300_000, content_type="text/plain"))
    code, out = run_fetch(capsys, server.url_for("/big"), "--out", tmp_path, *FAST, "--max-bytes", "100K")
    assert code == 1 and "failed: too_large 1" in out
    assert "exceeds 102400 bytes" in manifest(tmp_path)[0]["error"]


def test_fetch_limits_oversized_streamed_body(server, tmp_path, capsys):
    sent = []

    def endless():  # no Content-Length: the cap must stop the read itself
        for _ in range(200):
            sent.append(1)
            yield b"<p>" + b"y" * 16_000 + b"</p>"

    server.expect_request("/stream").respond_with_response(
        Response(endless(), content_type="text/html", direct_passthrough=True))
    code, out = run_fetch(capsys, server.url_for("/stream"), "--out", tmp_path, *FAST,
                          "--max-bytes", "100K")
    assert code == 1 and "failed: too_large 1" in out
    assert "body exceeds 102400 bytes" in manifest(tmp_path)[0]["error"]


def test_fetch_limits_gzip_bomb_stops_at_cap(server, tmp_path, capsys):
    bomb = gzip.compress(b"\0" * (64 * 2**20), compresslevel=9)  # 64 MiB of zeros in ~64 KiB
    assert len(bomb) < 100_000
    server.expect_request("/bomb").respond_with_response(
        respond(bomb, headers={"Content-Encoding": "gzip"}))
    code, out = run_fetch(capsys, server.url_for("/bomb"), "--out", tmp_path, *FAST, "--max-bytes", "1M")
    assert code == 1 and "failed: decompressed_too_large 1" in out
    assert "compression bomb" in manifest(tmp_path)[0]["error"]


def test_fetch_limits_compressed_pages_are_decoded(server, tmp_path, capsys):
    server.expect_request("/gz").respond_with_response(
        respond(gzip.compress(PAGE), headers={"Content-Encoding": "gzip"}))
    server.expect_request("/deflate").respond_with_response(
        respond(zlib.compress(PAGE.replace(b"2024", b"2023")), headers={"Content-Encoding": "deflate"}))
    code, out = run_fetch(capsys, server.url_for("/gz"), server.url_for("/deflate"),
                          "--out", tmp_path, *FAST)
    assert code == 0, out
    entries = manifest(tmp_path)
    assert len(entries) == 2
    assert (tmp_path / entries[0]["raw_path"]).read_bytes() == PAGE  # stored decompressed
    assert "不正アクセス" in text_of(tmp_path, entries[1])


def test_fetch_limits_raw_deflate_is_decoded(server, tmp_path, capsys):
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # headerless deflate, as some servers send
    server.expect_request("/raw").respond_with_response(
        respond(packer.compress(PAGE) + packer.flush(), headers={"Content-Encoding": "deflate"}))
    code, out = run_fetch(capsys, server.url_for("/raw"), "--out", tmp_path, *FAST)
    assert code == 0, out
    assert (tmp_path / manifest(tmp_path)[0]["raw_path"]).read_bytes() == PAGE


def test_fetch_limits_meta_refresh_stub_is_followed(server, tmp_path, capsys):
    stub = ('<html><head><meta http-equiv="Refresh" content="0; URL=/kouhou/2024/notice.html">'
            "</head><body><p>移動しました</p></body></html>")
    server.expect_request("/notice.html").respond_with_response(respond(stub.encode("cp932")))
    server.expect_request("/kouhou/2024/notice.html").respond_with_response(respond(PAGE))
    code, out = run_fetch(capsys, server.url_for("/notice.html"), "--out", tmp_path, *FAST)
    assert code == 0, out
    (entry,) = manifest(tmp_path)
    assert entry["url"] == server.url_for("/notice.html")
    assert entry["final_url"] == server.url_for("/kouhou/2024/notice.html")
    assert "不正アクセス" in text_of(tmp_path, entry)


def test_fetch_limits_http_404_is_an_error_entry(server, tmp_path, capsys):
    server.expect_request("/gone").respond_with_response(respond("nope", 404))
    code, out = run_fetch(capsys, server.url_for("/gone"), "--out", tmp_path, *FAST)
    assert code == 1 and "failed: http_404 1" in out
    (entry,) = manifest(tmp_path)
    assert entry["status"] == 404 and entry["error"] == "HTTP 404"


def test_fetch_limits_usage_errors(tmp_path, capsys):
    assert run_fetch(capsys, "ftp://example.org/x", "--out", tmp_path)[0] == 2
    assert run_fetch(capsys, str(tmp_path / "missing.html"), "--out", tmp_path)[0] == 2
    assert run_fetch(capsys, "http://127.0.0.1:9/", "--out", tmp_path, "--match", "(")[0] == 2
    assert not (tmp_path / "manifest.jsonl").exists()  # nothing fetched on a usage error


@pytest.mark.parametrize("data,ctype,url,kind", [
    (b"%PDF-1.7 ...", "application/octet-stream", "http://h/dl?id=3", "pdf"),
    (b'<?xml version="1.0"?><!DOCTYPE html><html>', "application/xml", "http://h/a", "html"),
    (b"<!-- generated --><HTML><BODY>", "text/plain", "http://h/a", "html"),
    ("お知らせ".encode("cp932"), "text/plain", "http://h/a.txt", "text"),
    (b"anything", None, "http://h/notice.pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n\x00", "image/png", "http://h/logo.png", "unsupported"),
])
def test_fetch_limits_document_kind_sniffing(data, ctype, url, kind):
    assert sniff_kind(data, ctype, url) == kind


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command for a test cert")
def test_fetch_limits_bad_certificate_fails_without_retries(tmp_path, capsys):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    tls = HTTPServer(host="127.0.0.1", port=0, ssl_context=context, threaded=True)
    tls.start()
    try:
        tls.expect_request("/n").respond_with_data("secret")
        code, out = run_fetch(capsys, tls.url_for("/n"), "--out", tmp_path / "c", *FAST)
        assert code == 1 and "failed: tls 1" in out and "retried" not in out
        assert "certificate" in manifest(tmp_path / "c")[0]["error"].lower()
    finally:
        tls.stop()


def test_fetch_limits_malformed_url_is_a_usage_error(tmp_path, capsys):
    assert run_fetch(capsys, "http://127.0.0.1:99999/x", "--out", tmp_path, *FAST)[0] == 2
    assert run_fetch(capsys, "https:///no-host", "--out", tmp_path, *FAST)[0] == 2
