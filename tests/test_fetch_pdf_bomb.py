"""PDF decompression bombs: a small PDF whose content stream inflates to tens of MB is stopped
at --max-pdf-inflated while pdfminer reads it, and becomes an error entry, not a notice."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import time
import tracemalloc
import zlib

import pytest

from fetch.pdf import pdf_to_text
from fetch.pdfguard import PdfTooLarge

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    http_server,
    japanese_pdf,
    manifest,
    respond,
    run_fetch,
    server,
)

MiB = 2**20
INFLATED = 64 * MiB  # what the bomb's content stream inflates to
CAP = "8M"


def _deflate_spaces(text: bytes, padding: int) -> bytes:
    """zlib data of ``text`` followed by ``padding`` spaces, made without holding them all."""
    packer = zlib.compressobj(9)
    out = [packer.compress(text)]
    chunk = b" " * MiB
    for _ in range(padding // MiB):
        out.append(packer.compress(chunk))
    out.append(packer.flush())
    return b"".join(out)


def bomb_pdf(inflated: int = INFLATED, layers: int = 1) -> bytes:
    """A one-page PDF whose content stream draws a line of text, then inflates to about
    ``inflated`` bytes of spaces; ``layers`` > 1 deflates it again ([/FlateDecode ...])."""
    stream = _deflate_spaces(b"BT /F1 12 Tf 72 720 Td (Hello bomb) Tj ET\n", inflated)
    for _ in range(layers - 1):
        stream = zlib.compress(stream, 9)
    filters = " ".join(["/FlateDecode"] * layers)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter [%s] >>\nstream\n" % (len(stream), filters.encode()) + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_fetch_pdf_bomb_builder_makes_a_readable_pdf():
    # the same PDF, small enough to be under the cap, is an ordinary notice
    assert "Hello bomb" in pdf_to_text(bomb_pdf(inflated=MiB), max_inflated=8 * MiB)


@pytest.mark.parametrize("layers", [1, 2])
def test_fetch_pdf_bomb_stops_at_the_cap_in_little_memory(layers):
    data = bomb_pdf(layers=layers)
    assert len(data) < 200_000
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(PdfTooLarge, match="decompression bomb"):
            pdf_to_text(data, max_inflated=8 * MiB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * MiB, f"peak {peak / MiB:.0f} MiB for an 8 MiB cap"
    assert time.monotonic() - start < 10


def test_fetch_pdf_bomb_becomes_an_error_entry(server, tmp_path, capsys):
    server.expect_request("/bomb.pdf").respond_with_response(
        respond(bomb_pdf(), content_type="application/pdf"))
    server.expect_request("/ok.pdf").respond_with_response(
        respond(japanese_pdf([["個人情報の漏えいに関するお詫び", "氏名と住所が流出しました。"]]),
                content_type="application/pdf"))
    code, out = run_fetch(capsys, server.url_for("/bomb.pdf"), server.url_for("/ok.pdf"),
                          "--out", tmp_path, *FAST, "--max-pdf-inflated", CAP)
    assert code == 1, out
    assert "1 fetched" in out and "failed: pdf_too_large 1" in out
    by_url = {e["url"]: e for e in manifest(tmp_path)}
    bomb = by_url[server.url_for("/bomb.pdf")]
    assert bomb["text_path"] is None and "inflate to more than 8388608 bytes" in bomb["error"]
    assert by_url[server.url_for("/ok.pdf")]["error"] is None
