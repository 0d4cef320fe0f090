"""Notices from web archives a researcher already holds: WARC ``response`` records (and
``resource`` records, which wget and some archivers write for captured files), read with warcio.

Only successful captures of documents become notices; redirects, errors, revisits and images
are counted and skipped. The payload is read through warcio's dechunking and decompression,
capped at the same size as a live fetch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .stats import Stats

log = logging.getLogger(__name__)

DOCUMENT_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "text/plain",
                  "application/octet-stream", "")


@dataclass
class Capture:
    """One archived response."""

    url: str
    fetched_at: str
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None


def _iso(warc_date: str | None) -> str:
    if not warc_date:
        return ""
    return warc_date.replace("Z", "+00:00") if warc_date.endswith("Z") else warc_date


def read_warc(path: Path, stats: Stats, max_bytes: int) -> Iterator[Capture]:
    """Captures of documents in a .warc or .warc.gz file, in file order."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with open(path, "rb") as fh:
        try:
            for record in ArchiveIterator(fh):
                stats.inc(f"warc/record_count/{record.rec_type}")
                if record.rec_type not in ("response", "resource"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                url = url.strip("<>")
                if not url.startswith(("http://", "https://")):
                    stats.inc("warc/skipped/not_http")
                    continue
                fetched_at = _iso(record.rec_headers.get_header("WARC-Date"))
                if record.rec_type == "response" and record.http_headers is not None:
                    status = int(record.http_headers.get_statuscode() or 0) or None
                    headers = {k.lower(): v for k, v in record.http_headers.headers}
                else:
                    status = 200
                    headers = {"content-type": record.rec_headers.get_header("Content-Type") or ""}
                if status is None or not 200 <= status < 300:
                    stats.inc(f"warc/skipped/status_{status}")
                    continue
                ctype = headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype not in DOCUMENT_TYPES:
                    stats.inc("warc/skipped/type")
                    continue
                stream = record.content_stream()
                body = stream.read(max_bytes + 1)
                if len(body) > max_bytes:
                    yield Capture(url, fetched_at, status, headers,
                                  error=f"archived body exceeds {max_bytes} bytes")
                    continue
                yield Capture(url, fetched_at, status, headers, body)
        except ArchiveLoadFailed as exc:
            raise ValueError(f"{path}: not a readable WARC file ({exc})") from exc
