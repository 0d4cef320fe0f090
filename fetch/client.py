"""The polite HTTP client: robots.txt, one request at a time per host with a delay, retries with
backoff and ``Retry-After``, redirect and size limits, and timeouts.

Each concern follows a Scrapy middleware: ``retry/reason_count/429`` and friends are counted in
``Stats``. The client does no parsing; it hands back bytes as received (after undoing the
Content-Encoding, whose decompressed size is capped separately so a gzip bomb stops at the cap).
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from rouei import __version__

from .deadline import DeadlineExceeded, deadline, install
from .robots import Robots
from .stats import Stats
from .urls import host_key, normalize_url

log = logging.getLogger(__name__)

USER_AGENT = f"rouei/{__version__} (collector of personal-data leak notices for research)"
MiB = 2**20
RETRY_STATUSES = {429, 500, 502, 503, 504, 507, 508, 509, 520, 521, 522, 523, 524}
REDIRECTS = {301, 302, 303, 307, 308}
_TIMEOUTS = (httpx.TimeoutException,)


@dataclass
class Settings:
    """Client limits; the defaults are polite, tests shorten the waits."""

    user_agent: str = USER_AGENT
    delay: float = 1.0  # seconds between requests to one host (robots Crawl-delay may raise it)
    concurrency: int = 4  # requests in flight across all hosts
    max_tries: int = 4  # first try plus retries
    backoff: float = 1.0  # first retry waits about this long, doubling each time, with jitter
    backoff_max: float = 60.0
    max_retry_after: float = 300.0  # a Retry-After longer than this gives up instead of waiting
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay above this is lowered to it
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_time: float = 120.0  # whole response (status line, headers, body), however it trickles
    max_redirects: int = 5
    max_bytes: int = 20 * MiB  # body as received, and again after decompression
    max_pdf_inflated: int = 256 * MiB  # all streams of one PDF, decoded (decompression bombs)
    obey_robots: bool = True


@dataclass
class Response:
    """The outcome of fetching one URL, success or not."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    fetched_at: str = ""
    reason: str | None = None  # failure reason for the summary: http_404, timeout, ...
    error: str | None = None  # failure message for the manifest

    @property
    def ok(self) -> bool:
        return self.reason is None and self.status is not None and 200 <= self.status < 300


class FetchFailed(Exception):
    """A request that ends without a usable response; ``reason`` keys the summary."""

    def __init__(self, reason: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


class RobotsDisallowed(Exception):
    """robots.txt forbids the URL: skipped, not failed."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HostGate:
    """One request at a time per host, ``delay`` seconds apart (from the end of the last)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._next = 0.0

    def __enter__(self) -> HostGate:
        self._lock.acquire()
        try:
            wait = self._next - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        except BaseException:
            # __exit__ does not run when __enter__ fails: without this the host's lock stays
            # held and every later request to the host waits for ever
            self._lock.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._next = max(self._next, time.monotonic() + self.delay)
        self._lock.release()

    def defer(self, seconds: float) -> None:
        """Hold every request to this host for ``seconds`` (a 429/503 or Retry-After)."""
        self._next = max(self._next, time.monotonic() + seconds)


class Client:
    """Fetches URLs politely from any number of threads."""

    def __init__(self, settings: Settings | None = None, stats: Stats | None = None) -> None:
        self.settings = s = settings or Settings()
        self.stats = stats or Stats()
        self._http = httpx.Client(
            timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout,
                                  write=s.read_timeout, pool=None),
            follow_redirects=False,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate",
                     "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                               "application/pdf,text/plain;q=0.8,*/*;q=0.5",
                     "Accept-Language": "ja,en;q=0.5"},
            limits=httpx.Limits(max_connections=max(2, s.concurrency * 2)),
        )
        install(self._http)  # --max-time bounds every socket operation of a response
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- politeness ----------------------------------------------------------------------

    def _gate(self, url: str) -> HostGate:
        key = host_key(url)
        with self._lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = self._gates[key] = HostGate(self.settings.delay)
            return gate

    def robots_for(self, url: str) -> Robots:
        """The host's robots.txt, fetched once per run; its Crawl-delay sets the host's delay."""
        key = host_key(url)
        with self._lock:
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._robots:
                return self._robots[key]
            self.stats.inc("robots/request_count")
            try:
                resp = self._follow(key + "/robots.txt", {}, check_robots=False)
                robots = Robots.from_status(resp.status, resp.body)
                self.stats.inc(f"robots/response_status_count/{resp.status}")
                if robots.disallow_all:  # 5xx or 429, still so after the retries
                    log.warning("robots.txt of %s answered HTTP %s: treating the host as disallowed",
                                key, resp.status)
                    robots.unreachable = ("robots_unavailable",
                                          f"robots.txt answered HTTP {resp.status}; the host is "
                                          "treated as disallowed (RFC 9309), try again later")
            except FetchFailed as exc:
                log.warning("robots.txt of %s unreachable (%s): treating the host as disallowed",
                            key, exc)
                self.stats.inc(f"robots/response_never_obtained/{exc.reason}")
                robots = Robots.from_status(exc.status, b"")
                if exc.status is None:  # no answer at all: the pages will not answer either
                    robots.unreachable = (exc.reason, f"robots.txt unreachable: {exc}")
                elif robots.disallow_all:  # e.g. a 503 whose Retry-After was too long
                    robots.unreachable = ("robots_unavailable",
                                          f"robots.txt unavailable ({exc}); the host is treated "
                                          "as disallowed (RFC 9309), try again later")
            delay = robots.crawl_delay(self.settings.user_agent)
            cap = self.settings.max_crawl_delay
            if delay is not None and delay > cap:
                log.warning("robots.txt of %s asks for a Crawl-delay of %g s; waiting %g s "
                            "(--max-crawl-delay)", key, delay, cap)
                self.stats.inc("robots/crawl_delay_capped")
                delay = cap
            if delay is not None and delay > self.settings.delay:
                self._gate(url).delay = delay
            self._robots[key] = robots
            return robots

    # -- fetching ------------------------------------------------------------------------

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url`` with conditional headers; never raises for network or HTTP trouble except
        ``RobotsDisallowed``. Failures come back as a Response with ``reason`` and ``error``."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            resp = self._follow(url, headers, check_robots=self.settings.obey_robots)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeError) as exc:
            self.stats.inc("downloader/failed/invalid_url")
            return Response(url, url, fetched_at=now_iso(), reason="invalid_url",
                            error=f"invalid URL: {exc}")
        except FetchFailed as exc:
            self.stats.inc(f"downloader/failed/{exc.reason}")
            return Response(url, url, exc.status, fetched_at=now_iso(), reason=exc.reason,
                            error=str(exc))
        if resp.status not in (304,) and not (200 <= (resp.status or 0) < 300):
            resp.reason = f"http_{resp.status}"
            resp.error = f"HTTP {resp.status}"
            self.stats.inc(f"downloader/failed/{resp.reason}")
        return resp

    def _follow(self, url: str, headers: dict[str, str], check_robots: bool) -> Response:
        seen = {normalize_url(url)}
        current = url
        for hop in range(self.settings.max_redirects + 1):
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https"):
                raise FetchFailed("unsupported_scheme", f"only http and https are fetched, not {scheme}:")
            if check_robots:
                robots = self.robots_for(current)
                if robots.unreachable:
                    raise FetchFailed(*robots.unreachable)
                if not robots.allowed(current, self.settings.user_agent):
                    self.stats.inc("robots/forbidden")
                    raise RobotsDisallowed(current)
            resp = self._with_retries(current, headers)
            resp.url = url
            location = resp.headers.get("location")
            if resp.status not in REDIRECTS or not location:
                return resp
            self.stats.inc("redirect/count")
            target = urljoin(current, location.strip())
            target_scheme = urlsplit(target).scheme.lower()
            if target_scheme not in ("http", "https"):
                self.stats.inc("redirect/refused_scheme")
                raise FetchFailed("redirect_scheme",
                                  f"redirect from {current} to a {target_scheme}: URL refused")
            key = normalize_url(target)
            if key in seen:
                raise FetchFailed("redirect_loop", f"redirect loop at {target} after {hop + 1} hop(s)")
            seen.add(key)
            current = target
        raise FetchFailed("too_many_redirects", f"more than {self.settings.max_redirects} redirects")

    def _with_retries(self, url: str, headers: dict[str, str]) -> Response:
        s = self.settings
        gate = self._gate(url)
        for attempt in range(1, s.max_tries + 1):
            retry_after = None
            try:
                with gate:
                    self.stats.inc("downloader/request_count")
                    resp = self._once(url, headers)
                self.stats.inc(f"downloader/response_status_count/{resp.status}")
                if resp.status not in RETRY_STATUSES:
                    return resp
                reason = str(resp.status)
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
            except DeadlineExceeded as exc:
                # a server that trickles would trickle again: no retry, or one URL could hold
                # its host for max_tries times max_time
                self.stats.inc("downloader/deadline_exceeded")
                raise FetchFailed("timeout", f"no complete response within {s.max_time:g} s "
                                             f"(--max-time): {exc}") from exc
            except httpx.TransportError as exc:
                if _is_tls_failure(exc):  # a bad certificate does not get better by retrying
                    self.stats.inc("downloader/tls_failure")
                    raise FetchFailed("tls", f"TLS failure: {exc}") from exc
                reason = type(exc).__name__
                resp = None
                log.debug("%s: %s", url, exc)
            if attempt == s.max_tries:
                self.stats.inc("retry/max_reached")
                self.stats.inc(f"retry/max_reached/{reason}")
                break
            self.stats.inc(f"retry/reason_count/{reason}")
            if retry_after is not None and retry_after > s.max_retry_after:
                raise FetchFailed("retry_after_too_long",
                                  f"server asked to retry after {retry_after:.0f} s", resp and resp.status)
            backoff = min(s.backoff_max, s.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
            wait = max(backoff, retry_after or 0.0)
            self.stats.inc("retry/count")
            log.info("retrying %s in %.1f s (%s, try %d of %d)", url, wait, reason, attempt, s.max_tries)
            gate.defer(wait)  # the whole host waits, not only this URL
        if resp is not None:
            return resp  # the last 429/5xx; ``fetch`` turns it into a failure
        if reason.endswith("Timeout"):
            raise FetchFailed("timeout", f"timed out after {s.max_tries} tries ({reason})")
        raise FetchFailed("connection", f"connection failed after {s.max_tries} tries ({reason})")

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        s = self.settings
        at = time.monotonic() + s.max_time
        try:
            with deadline(at), \
                    self._http.stream("GET", url, headers=headers) as r:
                hdrs = {k.lower(): v for k, v in r.headers.items()}
                resp = Response(url, str(r.url), r.status_code, hdrs, fetched_at=now_iso())
                if not 200 <= r.status_code < 300:
                    return resp  # redirects, 304, errors: the body is not kept
                length = hdrs.get("content-length", "")
                if length.isdigit() and int(length) > s.max_bytes:
                    raise FetchFailed("too_large", f"Content-Length {length} exceeds {s.max_bytes} bytes")
                resp.body = _read_capped(r, hdrs.get("content-encoding", ""), s.max_bytes)
                return resp
        except httpx.TimeoutException as exc:
            if isinstance(exc, DeadlineExceeded) or time.monotonic() < at - 0.05:
                raise  # an ordinary read timeout (--read-timeout): retried
            raise DeadlineExceeded(f"{type(exc).__name__} at the deadline") from exc


def _is_tls_failure(exc: Exception) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        cause = cause.__cause__ or cause.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _decoder(encoding: str):
    enc = encoding.strip().lower()
    if enc in ("", "identity"):
        return None
    if enc in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if enc == "deflate":
        return None  # decided on the first bytes: zlib-wrapped, or raw as some servers send
    raise FetchFailed("bad_encoding", f"unsupported Content-Encoding {encoding!r}")


def _deflate_decoder(first: bytes):
    """zlib-wrapped deflate (RFC 9110) when the header checks out, else raw deflate."""
    wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and ((first[0] << 8) | first[1]) % 31 == 0
    return zlib.decompressobj() if wrapped else zlib.decompressobj(-zlib.MAX_WBITS)


def _read_capped(r: httpx.Response, encoding: str, cap: int) -> bytes:
    """Stream the body, stopping at ``cap`` bytes received and at ``cap`` bytes decompressed."""
    decoder = _decoder(encoding)
    deflate = encoding.strip().lower() == "deflate"
    out = bytearray()
    received = 0
    try:
        for chunk in r.iter_raw():  # as the bytes arrive; each read is bounded by the deadline
            received += len(chunk)
            if received > cap:
                raise FetchFailed("too_large", f"body exceeds {cap} bytes")
            if deflate and decoder is None and chunk:
                decoder = _deflate_decoder(chunk)
            if decoder is None:
                out += chunk
                continue
            # max_length bounds what one chunk may expand to; leftover input means over the cap
            out += decoder.decompress(chunk, cap + 1 - len(out))
            if len(out) > cap or decoder.unconsumed_tail:
                raise FetchFailed("decompressed_too_large",
                                  f"body decompresses to more than {cap} bytes (compression bomb?)")
        if decoder is not None:
            out += decoder.flush()
    except zlib.error as exc:
        raise FetchFailed("bad_encoding", f"corrupt {encoding} body: {exc}") from exc
    if len(out) > cap:
        raise FetchFailed("decompressed_too_large", f"body decompresses to more than {cap} bytes")
    return bytes(out)
