"""Shared pieces of the fetch tests: a real HTTP server on 127.0.0.1, a way to run
``rouei fetch`` in-process with short waits, and builders for PDFs and WARCs.

Other ``test_fetch_*`` modules import from here; the module holds no tests itself.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from rouei.extract.cli import main

# Short waits so the whole fetch suite stays well under a minute.
FAST = ["--delay", "0", "--backoff", "0.01", "--connect-timeout", "2", "--read-timeout", "2",
        "--max-time", "10", "--quiet"]


@pytest.fixture(scope="module")
def http_server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def server(http_server):
    """The module's server with no handlers but an empty robots.txt (allow all)."""
    http_server.clear()
    http_server.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    yield http_server
    http_server.clear()


def run_fetch(capsys, *args: str) -> tuple[int, str]:
    """Run ``rouei fetch`` in this process; returns (exit code, what it printed on stdout)."""
    capsys.readouterr()
    code = main(["fetch", *map(str, args)])
    return code, capsys.readouterr().out


def manifest(corpus: Path) -> list[dict]:
    path = corpus / "manifest.jsonl"
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def text_of(corpus: Path, entry: dict) -> str:
    return (corpus / entry["text_path"]).read_text(encoding="utf-8")


def requested(server: HTTPServer, path: str) -> int:
    """How many requests the server saw for ``path``."""
    return sum(1 for req, _ in server.log if req.path == path)


def html_page(title: str, body: str, head: str = "", charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<!DOCTYPE html><html lang='ja'><head>{meta}<title>{title}</title>{head}</head>"
            f"<body><header><nav>ホーム ｜ 会社情報 ｜ ニュース</nav></header><main>{body}</main>"
            f"<footer>Copyright サンプル株式会社</footer></body></html>")


NOTICE_BODY = (
    "<h1>お客様情報の漏えいに関するお詫びとお知らせ</h1><p>2024年3月5日</p>"
    "<p>このたび、当社が運営するオンラインショップのサーバーが第三者による不正アクセスを受け、"
    "お客様の氏名、住所、電話番号、メールアドレス計1,234件が流出した可能性があることが判明しました。</p>"
    "<p>なお、クレジットカード情報は含まれておりません。</p>"
)


def japanese_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A PDF drawn with reportlab's built-in HeiseiMin-W3 CID font, one list of lines per page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    if title:
        c.setTitle(title)
    for lines in pages:
        c.setFont("HeiseiMin-W3", 11)
        for i, line in enumerate(lines):
            c.drawString(60, 780 - 18 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def image_only_pdf() -> bytes:
    """A PDF whose page holds only drawing, like a scan: no text layer."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(50, 50, 400, 600, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def write_warc(path: Path, records: list[tuple[str, int, str, bytes]]) -> None:
    """A gzipped WARC with one response record per (url, status, content type, body)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    reasons = {200: "OK", 301: "Moved Permanently", 404: "Not Found"}
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=path.suffix == ".gz")
        for url, status, ctype, body in records:
            headers = StatusAndHeaders(f"{status} {reasons.get(status, 'X')}",
                                       [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                       protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                            http_headers=headers)
            writer.write_record(rec)


def respond(body: bytes | str, status: int = 200, headers: dict | None = None,
            content_type: str = "text/html") -> Response:
    return Response(body, status=status, headers=headers or {}, content_type=content_type)
