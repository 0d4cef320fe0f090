"""RSS 2.0, RSS 1.0 (RDF, still common on Japanese sites), Atom, sitemaps and sitemap indexes.

Parsed with defusedxml, which refuses entity declarations (no billion-laughs expansion) and
external entities. A feed yields the entries to follow; a sitemap index yields more sitemaps.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from .dates import iso_date
from .encoding import decode

FEED_ROOTS = {"rss", "feed", "RDF", "urlset", "sitemapindex"}
_XML_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)["'][^"']*["']""")
_ROOT_SNIFF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF|urlset|sitemapindex)\b")


@dataclass
class Entry:
    """A link a feed or sitemap points to, with what the feed says about it."""

    url: str
    title: str | None = None
    published: str | None = None


@dataclass
class Feed:
    kind: str  # rss | atom | rdf | sitemap | sitemapindex
    title: str | None = None
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # from a sitemap index


class FeedError(ValueError):
    """The bytes looked like a feed but could not be parsed safely."""


def looks_like_feed(data: bytes, content_type: str | None = None) -> bool:
    """Whether a body is a feed or sitemap: the root element within the first bytes."""
    if data[:2] == b"\x1f\x8b":
        return True  # sitemap.xml.gz
    head = data[:2048].lstrip()
    if not head.startswith(b"<"):
        return False
    ct = (content_type or "").lower()
    if "html" in ct and b"<html" in head.lower():
        return False
    m = _ROOT_SNIFF.search(head)
    return bool(m) and b"<html" not in head[: m.start()].lower()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el, name: str):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _text(el, *names: str) -> str | None:
    for name in names:
        c = _child(el, name)
        if c is not None and c.text and c.text.strip():
            return " ".join(c.text.split())
    return None


def parse_feed(data: bytes, base_url: str = "", content_type: str | None = None,
               max_bytes: int = 50 * 2**20) -> Feed:
    """Parse a feed or sitemap (gzip allowed) into its entries; relative links resolve
    against ``base_url``. Raises FeedError."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = gz.read(max_bytes + 1)
        except (OSError, EOFError) as exc:
            raise FeedError(f"bad gzip: {exc}") from exc
        if len(data) > max_bytes:
            raise FeedError(f"decompressed feed exceeds {max_bytes} bytes")
    # expat reads no multi-byte legacy encodings (Shift_JIS feeds are common): decode here and
    # hand it UTF-8 with the declaration changed to match.
    text, _ = decode(data, content_type)
    data = _XML_ENCODING.sub(r'\1"UTF-8"', text, count=1).encode("utf-8")
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedError(f"refused unsafe XML: {type(exc).__name__}") from exc
    except (ParseError, ValueError) as exc:
        raise FeedError(f"not well-formed XML: {exc}") from exc
    kind = _local(root.tag)
    if kind == "rss":
        channel = _child(root, "channel")
        if channel is None:
            raise FeedError("RSS without a channel")
        return Feed("rss", _text(channel, "title"), _items(channel, base_url))
    if kind == "RDF":
        channel = _child(root, "channel")
        return Feed("rdf", _text(channel, "title") if channel is not None else None,
                    _items(root, base_url))
    if kind == "feed":
        return Feed("atom", _text(root, "title"), _atom_entries(root, base_url))
    if kind == "urlset":
        entries = [Entry(urljoin(base_url, loc)) for u in _children(root, "url")
                   if (loc := _text(u, "loc"))]
        return Feed("sitemap", entries=entries)
    if kind == "sitemapindex":
        maps = [urljoin(base_url, loc) for s in _children(root, "sitemap") if (loc := _text(s, "loc"))]
        return Feed("sitemapindex", sitemaps=maps)
    raise FeedError(f"not a feed or sitemap: root element <{kind}>")


def _items(parent, base_url: str) -> list[Entry]:
    entries = []
    for item in _children(parent, "item"):
        link = _text(item, "link") or _text(item, "guid")
        if not link:
            about = next((v for k, v in item.attrib.items() if _local(k) == "about"), None)
            link = about
        if not link:
            continue
        published = iso_date(_text(item, "pubDate", "date", "issued", "published"))
        entries.append(Entry(urljoin(base_url, link), _text(item, "title"), published))
    return entries


def _atom_entries(root, base_url: str) -> list[Entry]:
    entries = []
    for entry in _children(root, "entry"):
        href = None
        for link in _children(entry, "link"):
            rel = link.get("rel", "alternate")
            if rel == "alternate" and link.get("href"):
                href = link.get("href")
                break
        if not href:
            continue
        published = iso_date(_text(entry, "published", "issued", "updated"))
        entries.append(Entry(urljoin(base_url, href), _text(entry, "title"), published))
    return entries


def matching(entries: list[Entry], pattern: re.Pattern[str] | None) -> list[Entry]:
    """Entries whose title or URL matches ``--match`` (all when there is no pattern)."""
    if pattern is None:
        return entries
    return [e for e in entries if pattern.search(e.url) or (e.title and pattern.search(e.title))]
