"""PDF notices to text with pdfminer.six, whose CMaps map Japanese CID fonts to Unicode.

Pages are separated by a form feed on a line of its own, so page breaks survive into the text
that ``extract`` analyses. A PDF without a text layer (a scan) is an error, not an empty notice.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO

from rouei.extract.core.errors import RoueiError

log = logging.getLogger(__name__)

PAGE_BREAK = "\n\f\n"
MAX_PAGES = 500  # a notice is a few pages; a huge PDF is not read past this
_NOISE = re.compile(r"[ \t\u3000]+\n")
_BLANKS = re.compile(r"\n{3,}")
# pdfminer writes glyphs it cannot map as "(cid:123)"
_UNMAPPED = re.compile(r"\(cid:\d+\)")


def _page_text(layout) -> str:
    from pdfminer.layout import LTTextContainer

    parts = [el.get_text() for el in layout if isinstance(el, LTTextContainer)]
    text = _NOISE.sub("\n", "".join(parts))
    return _BLANKS.sub("\n\n", text).strip("\n")


def _layouts(data: bytes, max_pages: int, budget):
    """pdfminer's ``extract_pages``, reading streams through the bounded parser."""
    from itertools import islice

    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    from .pdfguard import BoundedParser

    doc = PDFDocument(BoundedParser(BytesIO(data), budget))
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    for page in islice(PDFPage.create_pages(doc), max_pages):
        interpreter.process_page(page)
        yield device.get_result()


def pdf_pages(data: bytes, max_pages: int = MAX_PAGES, max_inflated: int | None = None) -> list[str]:
    """The text of each page (at most ``max_pages``). Raises RoueiError E011 when the file is
    not a readable PDF, and its subclass PdfTooLarge when its streams inflate to more than
    ``max_inflated`` bytes in all."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    from .pdfguard import MAX_INFLATED, Budget

    try:
        pages = [_page_text(p) for p in _layouts(data, max_pages, Budget(max_inflated or MAX_INFLATED))]
    except RoueiError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise RoueiError("E011", detail=f"encrypted PDF: {exc}") from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise RoueiError("E011", detail=f"{type(exc).__name__}: {exc}") from exc
    return pages


def pdf_to_text(data: bytes, max_inflated: int | None = None) -> str:
    """Text of a PDF, pages separated by a form feed line.

    Raises ``RoueiError("E008")`` when no page has a text layer (a scanned notice) and
    ``RoueiError("E011")`` when the bytes are not a readable PDF or inflate past
    ``max_inflated`` bytes (``PdfTooLarge``).
    """
    pages = pdf_pages(data, max_inflated=max_inflated)
    text = PAGE_BREAK.join(pages)
    if not _UNMAPPED.sub("", text).strip():
        raise RoueiError("E008", detail=f"no text layer on any of its {len(pages)} page(s); "
                                         "a scanned PDF needs OCR")
    return text.strip("\n") + "\n"


def pdf_title(data: bytes, max_inflated: int | None = None) -> str | None:
    """The document-info Title, unless it is a placeholder or a word processor's file name."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.utils import decode_text

    from .pdfguard import MAX_INFLATED, BoundedParser, Budget

    try:
        doc = PDFDocument(BoundedParser(BytesIO(data), Budget(max_inflated or MAX_INFLATED)))
        info = doc.info[0] if doc.info else {}
        raw = info.get("Title")
        if hasattr(raw, "resolve"):
            raw = raw.resolve()
        title = decode_text(raw) if isinstance(raw, bytes) else (raw if isinstance(raw, str) else None)
    except Exception:  # noqa: BLE001 - metadata is optional; a broken info dict means no title
        log.debug("no PDF title", exc_info=True)
        return None
    if not title or not title.strip():
        return None
    title = title.strip()
    if title.lower() in ("untitled", "無題") or re.search(r"\.(docx?|xlsx?|pptx?|pdf|txt)$", title, re.I) \
            or title.startswith("Microsoft "):
        return None
    return title[:300]
