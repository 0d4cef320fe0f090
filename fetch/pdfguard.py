"""A cap on what a PDF may inflate to while pdfminer reads it (PDF decompression bombs).

A 1 MB FlateDecode stream can inflate to 1 GB, and pdfminer inflates every stream it reads
in one ``zlib.decompress`` call. Here the PDF parser hands pdfminer streams that decode
themselves against a budget shared by the whole document: Flate is inflated with a bounded
``decompressobj`` (stopping one byte past what is left of the budget), the other expanding
filters are checked after each step, and the document fails with ``PdfTooLarge`` as soon as
the total passes the cap. Nothing is patched in pdfminer itself; other readers of PDFs in the
process are not affected.
"""

from __future__ import annotations

import zlib
from typing import Any

from extract.errors import RoueiError
from pdfminer import pdftypes
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream

MiB = 2**20
MAX_INFLATED = 256 * MiB  # all streams of one PDF, decoded; a notice needs a few MB at most

# filters that expand their input, keyed by pdfminer's (interned) name literals; image codecs
# (DCT, JPX, JBIG2, CCITT) are not expanded when only text is read
_EXPANDING = {
    **dict.fromkeys(pdftypes.LITERALS_LZW_DECODE, pdftypes.lzwdecode),
    **dict.fromkeys(pdftypes.LITERALS_ASCII85_DECODE, pdftypes.ascii85decode),
    **dict.fromkeys(pdftypes.LITERALS_ASCIIHEX_DECODE, pdftypes.asciihexdecode),
    **dict.fromkeys(pdftypes.LITERALS_RUNLENGTH_DECODE, pdftypes.rldecode),
}
_FLATE = set(pdftypes.LITERALS_FLATE_DECODE)


def _known(f: Any) -> bool:
    try:
        return f in _FLATE or f in _EXPANDING
    except TypeError:  # an unhashable filter value in a broken PDF: pdfminer will complain
        return False


class PdfTooLarge(RoueiError):
    """The PDF inflates past the cap: an error entry, not a notice."""

    def __init__(self, detail: str) -> None:
        super().__init__("E011", detail)
        self.kind = "pdf_too_large"


class Budget:
    """Bytes of decoded stream data one document may still produce."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.left = cap

    def check(self, size: int) -> None:
        if size > self.left:
            raise PdfTooLarge(f"its streams inflate to more than {self.cap} bytes "
                              "(a decompression bomb?); raise --max-pdf-inflated to read it")

    def charge(self, size: int) -> None:
        self.check(size)
        self.left -= size


def _inflate(data: bytes, budget: Budget) -> bytes:
    """zlib-inflate ``data``, stopping past what the budget allows; on corrupt input, what
    came out before the damage (as pdfminer's own fallback does)."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, budget.left + 1)
        if len(out) > budget.left or d.unconsumed_tail:
            budget.check(budget.left + 1)  # raises
        out += d.flush()
    except zlib.error:
        return _inflate_prefix(data, budget)
    budget.check(len(out))
    return out


def _inflate_prefix(data: bytes, budget: Budget) -> bytes:
    d = zlib.decompressobj()
    out = bytearray()
    for i in range(0, len(data), 4096):
        try:
            out += d.decompress(data[i:i + 4096], budget.left + 1 - len(out))
        except zlib.error:
            break
        if len(out) > budget.left or d.unconsumed_tail:
            budget.check(budget.left + 1)
    return bytes(out)


class BoundedStream(PDFStream):
    """A PDF stream that decodes within a document's budget."""

    budget: Budget

    @classmethod
    def adopt(cls, stream: PDFStream, budget: Budget) -> BoundedStream:
        new = cls(stream.attrs, stream.rawdata, stream.decipher)
        new.objid, new.genno = stream.objid, stream.genno
        new.budget = budget
        return new

    def decode(self) -> None:
        filters = self.get_filters()
        if not any(_known(f) for f, _ in filters):
            super().decode()  # nothing that expands much: pdfminer's way
            self.budget.charge(len(self.data or b""))
            return
        data = self.rawdata or b""
        if self.decipher:
            data = self.decipher(self.objid, self.genno, data, self.attrs)
        done = 0
        for f, params in filters:
            if not _known(f):
                break
            if f in _FLATE:
                data = _inflate(data, self.budget)
            else:
                data = _EXPANDING[f](data)
                self.budget.check(len(data))
            done += 1
            if params and "Predictor" in params:
                break  # pdfminer applies predictors; the size is known to be in budget now
        if done == len(filters) and not any(p and "Predictor" in p for _, p in filters):
            self.data, self.rawdata = data, None
            self.budget.charge(len(data))
            return
        # image codecs or predictors left: pdfminer decodes again, now known to stay in budget
        super().decode()
        self.budget.charge(len(self.data or b""))


class BoundedParser(PDFParser):
    """pdfminer's PDF parser, handing out ``BoundedStream``s (every stream object of a PDF,
    content, object streams and cross-reference streams alike, comes from here)."""

    def __init__(self, fp: Any, budget: Budget) -> None:
        super().__init__(fp)
        self.budget = budget

    def push(self, *objs: Any) -> None:
        super().push(*((pos, BoundedStream.adopt(obj, self.budget))
                       if type(obj) is PDFStream else (pos, obj) for pos, obj in objs))
