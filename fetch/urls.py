"""URL keys: one normalised form per page, so doc ids and politeness slots are stable."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

_PCT = re.compile(r"%[0-9a-fA-F]{2}")


def _pct(component: str, safe: str) -> str:
    """Percent-encode non-ASCII and upper-case existing escapes (RFC 3986 §6.2.2.1), so that
    ``/お知らせ`` and ``/%e3%81%8a...`` are one page."""
    return _PCT.sub(lambda m: m.group(0).upper(), quote(component, safe=safe))


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment and a default port, normalise percent
    escapes: one key per page."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a malformed port: keep what was written; the fetch will fail on it
        port, host = None, parts.netloc.lower()
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}{':' + parts.password if parts.password else ''}@{host}"
    path = _pct(parts.path or "/", "/%:@!$&'()*+,;=-._~")
    query = _pct(parts.query, "/%:@!$&'()*+,;=-._~?")
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def host_key(url: str) -> str:
    """The politeness slot of a URL: scheme and host with port, as robots.txt is scoped."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def is_fetchable(url: str) -> bool:
    """An http(s) URL with a host and a port in range."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    try:
        port = parts.port
    except ValueError:
        return False
    return port is None or 0 < port < 65536
