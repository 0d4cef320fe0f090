"""Decoding fetched bytes: BOM, HTTP charset, ``<meta charset>``, then detection.

Japanese sites still serve Shift_JIS, EUC-JP and ISO-2022-JP, often with no charset in the
HTTP header. Declared labels are mapped to the supersets browsers use (Shift_JIS → CP932, for
①, ㈱ and NEC/IBM kanji), a declaration that does not decode cleanly is passed over rather than
trusted into mojibake, and detection prefers the Japanese encodings before charset-normalizer's
open search.
"""

from __future__ import annotations

import codecs
import logging
import re

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Labels as sites write them -> the codec that decodes what they actually send.
_SUPERSETS = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "ms_kanji": "cp932", "csshiftjis": "cp932", "windows-31j": "cp932", "cp932": "cp932",
    "ms932": "cp932", "x-ms-cp932": "cp932",
    "euc-jp": "euc_jp", "euc_jp": "euc_jp", "x-euc-jp": "euc_jp", "eucjp": "euc_jp",
    "cseucpkdfmtjapanese": "euc_jp",
    "iso-2022-jp": "iso2022_jp", "csiso2022jp": "iso2022_jp", "jis": "iso2022_jp",
    # Latin-1 labels mean windows-1252 in every browser.
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252",
}
# When a declared codec fails strictly, its wider relatives are tried before giving up on it.
_WIDER = {
    "euc_jp": ("euc_jis_2004",),
    "iso2022_jp": ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"),
}

_WEAK = {"cp1252", "ascii", "latin_1", "iso8859-1"}

_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_META = re.compile(rb"<meta\b[^>]*>", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_.:\-]+)["']""", re.I)
_ISO2022_ESC = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I")


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when Python does not know it."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in _SUPERSETS:
        return _SUPERSETS[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def http_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value."""
    if not content_type:
        return None
    m = _CHARSET_PARAM.search(content_type.encode("latin-1", "replace"))
    return m.group(1).decode("ascii") if m else None


def bom_codec(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes: ``<meta charset>``,
    ``<meta http-equiv="Content-Type" content="...; charset=...">``, or an XML declaration."""
    head = data[:4096]
    m = _XML_DECL.match(head)
    if m:
        return m.group(1).decode("ascii")
    for tag in _META.finditer(head):
        found = _CHARSET_PARAM.search(tag.group(0))
        if found:
            return found.group(1).decode("ascii")
    return None


def _strict(data: bytes, codec: str) -> tuple[str, str] | None:
    """(text, codec used) when ``codec`` or one of its wider relatives decodes without error."""
    for name in (codec, *_WIDER.get(codec, ())):
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _japanese_score(text: str) -> float:
    """How much ``text`` reads as Japanese: the share of ASCII, kana, kanji and the symbols
    notices use, plus a bonus for hiragana, which a wrong decoding seldom produces."""
    if not text:
        return 0.0
    good = hira = 0
    for c in text:
        if "\u3041" <= c <= "\u309f":
            hira += 1
            good += 1
        elif (c.isascii() or "\u3000" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff"
              or "\uff01" <= c <= "\uff9f" or "\u2010" <= c <= "\u266f" or "\u3200" <= c <= "\u33ff"):
            good += 1
    return good / len(text) + min(hira / len(text), 0.2)


def detect_japanese(data: bytes) -> tuple[str, str] | None:
    """(text, codec) when the bytes read well as UTF-8, ISO-2022-JP, CP932 or EUC-JP."""
    # ISO-2022-JP is 7-bit, so it would pass for UTF-8: its escape sequences come first.
    if b"\x1b" in data and any(esc in data for esc in _ISO2022_ESC):
        found = _strict(data, "iso2022_jp")
        if found is not None:
            return found
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # CP932 and EUC-JP often both decode the same bytes without error; the reading with kana
    # and common kanji rather than half-width katakana and rare symbols wins.
    scored = []
    for codec in ("cp932", "euc_jp"):
        found = _strict(data, codec)
        if found is not None:
            scored.append((_japanese_score(found[0]), found[1], found[0]))
    if scored:
        score, codec, text = max(scored)
        if score > 0.95:
            return text, codec
    return None


def detect(data: bytes) -> tuple[str, str] | None:
    """Guess the encoding of undeclared bytes: the Japanese codecs, then charset-normalizer."""
    found = detect_japanese(data)
    if found is not None:
        return found
    from charset_normalizer import from_bytes

    # Without NUL bytes a page is not UTF-16/32, whatever a short sample suggests.
    wide = [] if b"\x00" in data else ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le"]
    best = from_bytes(data, cp_exclusion=wide).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return None


def decode(data: bytes, content_type: str | None = None, sniff_meta: bool = True) -> tuple[str, str]:
    """Decode a response body: BOM, HTTP charset, in-document declaration, detection.

    A BOM wins over the header, as in browsers; a declared charset that fails to decode the
    bytes strictly is skipped. Returns (text, codec name); never raises.
    """
    bom = bom_codec(data)
    if bom:
        return data.decode(bom, errors="replace"), bom
    declared = [http_charset(content_type)]
    if sniff_meta:
        declared.append(declared_charset(data))
    codecs_ = [c for c in map(codec_for, declared) if c]
    # Servers default to ISO-8859-1 for pages that are really Japanese: a Western single-byte
    # label goes after the page's own declaration and yields to detection of a Japanese codec.
    codecs_.sort(key=lambda c: c in _WEAK)
    for codec in codecs_:
        if codec.startswith("utf-16"):
            codec = "utf-8"  # an ASCII-compatible page cannot really be UTF-16
        if codec in _WEAK and not data.isascii():
            found = detect_japanese(data)
            if found is not None:
                return found
        found = _strict(data, codec)
        if found is not None:
            return found
        log.debug("declared charset %s does not decode the bytes; detecting", codec)
    guess = detect(data)
    if guess is not None:
        return guess
    return data.decode("utf-8", errors="replace"), "utf-8"
