"""Decoding Japanese pages: BOM, HTTP charset, <meta charset>, detection; legacy encodings
served without a charset in the header."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import pytest

from rouei.fetch.encoding import codec_for, declared_charset, decode, http_charset

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    NOTICE_BODY,
    html_page,
    http_server,
    manifest,
    respond,
    run_fetch,
    server,
    text_of,
)

NOTICE = "弊社サーバーへの不正アクセスにより、お客様の氏名・住所・電話番号が流出した可能性があります。"


@pytest.mark.parametrize("encoding,expected", [
    ("shift_jis", "cp932"), ("cp932", "cp932"), ("euc_jp", "euc_jp"),
    ("iso2022_jp", "iso2022_jp"), ("utf-8", "utf-8"),
])
def test_fetch_encoding_detects_undeclared_japanese(encoding, expected):
    text, used = decode(NOTICE.encode(encoding))
    assert text == NOTICE
    assert used == expected


@pytest.mark.parametrize("word", ["お詫び", "漏えい", "個人情報", "不正アクセス", "①氏名"])
def test_fetch_encoding_short_texts(word):
    for enc in ("cp932", "euc_jp"):
        try:
            data = word.encode(enc)
        except UnicodeEncodeError:
            continue  # ① has no EUC-JP code
        assert decode(data)[0] == word


def test_fetch_encoding_cp932_extensions_under_shift_jis_label():
    # NEC special characters (①, ㈱) are outside JIS X 0208 but every Shift_JIS site uses them
    data = "①㈱サンプルの顧客情報".encode("cp932")
    assert decode(data, "text/html; charset=Shift_JIS") == ("①㈱サンプルの顧客情報", "cp932")


def test_fetch_encoding_bom_beats_header():
    data = "\ufeffお知らせ".encode()
    assert decode(data, "text/html; charset=Shift_JIS") == ("お知らせ", "utf-8-sig")


def test_fetch_encoding_meta_declaration():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">'
    data = (page + "<title>お詫び</title></head></html>").encode("euc_jp")
    assert declared_charset(data) == "EUC-JP"
    assert decode(data)[1] == "euc_jp"


def test_fetch_encoding_wrong_latin1_header_on_japanese_page():
    # servers that default to ISO-8859-1 for pages that are Shift_JIS
    data = NOTICE.encode("cp932")
    assert decode(data, "text/html; charset=ISO-8859-1") == (NOTICE, "cp932")


def test_fetch_encoding_declared_but_wrong_falls_back_to_detection():
    data = NOTICE.encode("euc_jp")
    assert decode(data, "text/html; charset=utf-8") == (NOTICE, "euc_jp")


@pytest.mark.parametrize("label,codec", [
    ("Shift_JIS", "cp932"), ("x-sjis", "cp932"), ("EUC-JP", "euc_jp"), ("ISO-2022-JP", "iso2022_jp"),
    ("utf8", "utf-8"), ("nonsense-charset", None), (None, None),
])
def test_fetch_encoding_labels(label, codec):
    assert codec_for(label) == codec


def test_fetch_encoding_http_charset_parameter():
    assert http_charset('text/html; charset="Shift_JIS"') == "Shift_JIS"
    assert http_charset("text/html") is None


@pytest.mark.parametrize("encoding", ["shift_jis", "euc_jp", "iso2022_jp"])
def test_fetch_encoding_served_without_charset_header(server, tmp_path, capsys, encoding):
    page = html_page("個人情報漏えいのお詫び", NOTICE_BODY).encode(encoding)
    server.expect_request("/notice.html").respond_with_response(respond(page))
    server.expect_request("/meta.html").respond_with_response(
        respond(html_page("お知らせ", "<p>第二報：調査を継続しております。</p>" + NOTICE_BODY,
                          charset=encoding.replace("_", "-")).encode(encoding)))
    code, out = run_fetch(capsys, server.url_for("/notice.html"), server.url_for("/meta.html"),
                          "--out", tmp_path, *FAST)
    assert code == 0, out
    assert "2 fetched" in out
    by_url = {e["url"]: e for e in manifest(tmp_path)}
    entry = by_url[server.url_for("/notice.html")]
    assert server.log[-1][1].headers.get("Content-Type") == "text/html"  # really no charset
    expected = {"shift_jis": "cp932"}.get(encoding, encoding)
    assert entry["encoding"] == expected
    assert entry["title"] == "個人情報漏えいのお詫び"
    assert entry["published"] == "2024-03-05"
    text = text_of(tmp_path, entry)
    assert "不正アクセスを受け、お客様の氏名、住所、電話番号" in text
    assert "ホーム" not in text and "Copyright" not in text  # navigation and footer dropped
    assert (tmp_path / entry["raw_path"]).read_bytes() == page  # raw bytes as received
    assert by_url[server.url_for("/meta.html")]["encoding"] == expected
