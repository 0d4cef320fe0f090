"""Bytes of one document (HTTP body, local file, WARC payload) to the notices it holds.

The type comes from the Content-Type when it is specific, else from the bytes themselves
(``%PDF-``, an HTML tag) and the URL's suffix: servers label PDFs ``application/octet-stream``
and HTML ``text/plain`` often enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rouei.extract.core.errors import RoueiError

from .dates import date_near
from .encoding import decode
from .html import Page, guess_title, meta_refresh, parse_html, plain_page

STUB_CHARS = 200  # an HTML page with less text than this and a meta refresh is a redirect

_HTML_SNIFF = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
                         re.I | re.S)


@dataclass
class Converted:
    kind: str  # html | pdf | text | unsupported
    encoding: str | None = None
    pages: list[Page] = field(default_factory=list)
    error: str | None = None
    reason: str | None = None  # summary key of the error
    refresh: str | None = None  # where a meta-refresh stub page points

    @property
    def raw_ext(self) -> str:
        return {"html": "html", "pdf": "pdf", "text": "txt"}.get(self.kind, "bin")


def sniff_kind(data: bytes, content_type: str | None, url: str) -> str:
    """html, pdf, text, or unsupported."""
    ct = (content_type or "").split(";")[0].strip().lower()
    if data.startswith(b"%PDF-") or ct == "application/pdf":
        return "pdf"
    if ct in ("text/html", "application/xhtml+xml") or _HTML_SNIFF.match(data[:1024]):
        return "html"
    suffix = urlsplit(url).path.lower().rsplit(".", 1)[-1] if "." in urlsplit(url).path else ""
    if suffix in ("html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp"):
        return "html"
    if suffix == "pdf":
        return "pdf"
    if ct.startswith("text/") or suffix == "txt" or (not ct and b"\x00" not in data[:4096]):
        return "text"
    return "unsupported"


def convert(data: bytes, content_type: str | None, url: str, split: bool = True,
            max_pdf_inflated: int | None = None) -> Converted:
    """The notices of a document; conversion failures come back as ``error`` and ``reason``.
    A PDF whose streams inflate past ``max_pdf_inflated`` bytes is such a failure."""
    kind = sniff_kind(data, content_type, url)
    if kind == "pdf":
        from .pdf import pdf_title, pdf_to_text

        try:
            text = pdf_to_text(data, max_pdf_inflated)
        except RoueiError as exc:
            return Converted("pdf", "pdf", error=str(exc), reason=exc.kind)
        lines = text.splitlines()
        title = pdf_title(data, max_pdf_inflated) or guess_title(text)
        return Converted("pdf", "pdf", [Page(text, title, date_near(lines, None, after=12))])
    if kind == "unsupported":
        return Converted(kind, error=f"unsupported content type {content_type or 'unknown'}",
                         reason="unsupported_type")
    text, encoding = decode(data, content_type)
    pages = parse_html(text, split=split) if kind == "html" else [plain_page(text)]
    refresh = meta_refresh(text) if kind == "html" else None
    if refresh and sum(len(p.text.strip()) for p in pages) >= STUB_CHARS:
        refresh = None  # a real page that merely reloads itself
    if not any(p.text.strip() for p in pages):
        return Converted(kind, encoding, error="[E003] the page has no text (rendered by script?)",
                         reason="empty", refresh=refresh)
    return Converted(kind, encoding, [p for p in pages if p.text.strip()], refresh=refresh)
