"""PDF notices: Japanese text through pdfminer's CMaps, page breaks kept, scans reported."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import pytest

from rouei.extract.core.errors import RoueiError
from rouei.fetch.pdf import pdf_title, pdf_to_text

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    http_server,
    image_only_pdf,
    japanese_pdf,
    manifest,
    respond,
    run_fetch,
    server,
    text_of,
)

PAGES = [
    ["令和6年2月14日", "お客様各位", "個人情報の漏えいに関するお詫び", "株式会社サンプル商事",
     "当社が業務を委託している事業者のサーバーがランサムウェアに感染し、",
     "お客様の氏名、住所、電話番号（計12,345件）が流出した可能性があります。"],
    ["再発防止策", "委託先の管理体制を見直します。"],
]


@pytest.fixture(scope="module")
def notice_pdf() -> bytes:
    return japanese_pdf(PAGES, title="個人情報の漏えいに関するお詫び")


def test_fetch_pdf_japanese_text_and_page_break(notice_pdf):
    text = pdf_to_text(notice_pdf)
    for line in PAGES[0] + PAGES[1]:
        assert line in text
    first, second = text.split("\f")
    assert "12,345件" in first and "再発防止策" in second
    assert pdf_title(notice_pdf) == "個人情報の漏えいに関するお詫び"


def test_fetch_pdf_without_text_layer_raises_e008():
    with pytest.raises(RoueiError) as err:
        pdf_to_text(image_only_pdf())
    assert err.value.code == "E008" and "no text layer" in str(err.value)


def test_fetch_pdf_broken_file_raises_e011():
    with pytest.raises(RoueiError) as err:
        pdf_to_text(b"%PDF-1.4\nnot really a pdf")
    assert err.value.code == "E011"


def test_fetch_pdf_served_and_scanned(server, tmp_path, capsys, notice_pdf):
    server.expect_request("/notice.pdf").respond_with_response(
        respond(notice_pdf, content_type="application/pdf"))
    # a PDF labelled as a generic download is still recognised by its bytes
    server.expect_request("/download").respond_with_response(
        respond(image_only_pdf(), content_type="application/octet-stream"))
    code, out = run_fetch(capsys, server.url_for("/notice.pdf"), server.url_for("/download"),
                          "--out", tmp_path, *FAST)
    assert code == 1
    assert "1 fetched" in out and "failed: pdf_no_text 1" in out
    good, scan = manifest(tmp_path)
    assert good["encoding"] == "pdf" and good["content_type"] == "application/pdf"
    assert good["title"] == "個人情報の漏えいに関するお詫び"
    assert good["published"] == "2024-02-14"  # 令和6年2月14日 at the top of the notice
    assert good["raw_path"].endswith(".pdf")
    assert (tmp_path / good["raw_path"]).read_bytes() == notice_pdf
    assert "ランサムウェアに感染" in text_of(tmp_path, good)
    assert "PDF has no text layer" in scan["error"]
    assert scan["text_path"] is None
    assert (tmp_path / scan["raw_path"]).is_file()  # kept for OCR later


def test_fetch_pdf_local_file(tmp_path, capsys, notice_pdf):
    src = tmp_path / "in" / "notice.pdf"
    src.parent.mkdir()
    src.write_bytes(notice_pdf)
    out_dir = tmp_path / "corpus"
    code, out = run_fetch(capsys, src, "--out", out_dir, "--quiet")
    assert code == 0, out
    (entry,) = manifest(out_dir)
    assert entry["url"] == src.resolve().as_uri()
    assert "お客様の氏名、住所、電話番号" in text_of(out_dir, entry)
