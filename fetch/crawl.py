"""A fetch run: sources become tasks, tasks become corpus entries.

URLs are fetched by a thread pool that keeps at most one task per host in flight (the client's
host gates enforce the delay between requests); feeds and sitemaps found on the way add their
entries as new tasks. Local files and WARC captures are converted in the calling thread. Every
corpus change happens in the calling thread, so the store needs no locks.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .client import Client, RobotsDisallowed, now_iso
from .convert import convert
from .feeds import Entry, Feed, FeedError, looks_like_feed, matching, parse_feed
from .frontier import Frontier
from .stats import Stats
from .store import Corpus, Doc
from .urls import host_key, is_fetchable, normalize_url
from .workers import Workers

log = logging.getLogger(__name__)

DOC_SUFFIXES = {".html", ".htm", ".xhtml", ".txt", ".pdf"}
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
MAX_META_REFRESH = 2


class UsageError(ValueError):
    """A source that is neither a URL nor a readable path: exit code 2, before any work."""


@dataclass
class Task:
    url: str
    source: str
    entry: Entry | None = None  # what a feed said about the URL
    depth: int = 0  # feeds followed to reach it
    etag: str | None = None
    last_modified: str | None = None
    refreshes: int = 0  # meta-refresh stubs followed to get here
    kind: str = "start"  # start | entry (from a feed) | sitemap (from an index): see frontier


@dataclass
class Result:
    task: Task
    outcome: str  # document | unchanged | robots | failed | feed
    doc: Doc | None = None
    feed: Feed | None = None
    reason: str | None = None


@dataclass
class Plan:
    """Sources sorted by kind, in the order given."""

    urls: list[tuple[str, str]] = field(default_factory=list)  # (url, source)
    files: list[Path] = field(default_factory=list)
    feeds: list[Path] = field(default_factory=list)
    warcs: list[Path] = field(default_factory=list)


def _is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def plan_sources(sources: Iterable[str], _nested: bool = False) -> Plan:
    """Sort SOURCE arguments into URLs, local documents, local feeds and WARC files."""
    plan = Plan()
    for source in sources:
        source = source.strip()
        if _nested:
            source = source.split(" #", 1)[0].strip()  # a note after a URL in a list file
        if not source or source.startswith("#"):
            continue
        if source.startswith("@") and not _nested:
            listing = Path(source[1:])
            try:
                lines = listing.read_text(encoding="utf-8-sig").splitlines()
            except OSError as exc:
                raise UsageError(f"{listing}: {exc.strerror or exc}") from exc
            sub = plan_sources(lines, _nested=True)
            for name in ("urls", "files", "feeds", "warcs"):
                getattr(plan, name).extend(getattr(sub, name))
            continue
        scheme = urlsplit(source).scheme.lower()
        if scheme in ("http", "https"):
            if not is_fetchable(source):
                raise UsageError(f"{source}: not a valid URL (host and port)")
            plan.urls.append((source, source))
            continue
        if len(scheme) > 1 and "://" in source:
            raise UsageError(f"{source}: only http and https URLs are fetched")
        path = Path(source)
        if path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                _add_path(plan, f, strict=False)
        elif path.is_file():
            _add_path(plan, path, strict=True)
        else:
            raise UsageError(f"{source}: no such file or folder, and not a URL")
    return plan


def _add_path(plan: Plan, path: Path, strict: bool) -> None:
    suffix = path.suffix.lower()
    if _is_warc(path):
        plan.warcs.append(path)
    elif suffix in DOC_SUFFIXES:
        plan.files.append(path)
    elif suffix in FEED_SUFFIXES:
        plan.feeds.append(path)
    elif strict:
        raise UsageError(f"{path}: not a .html/.htm/.txt/.pdf/.xml file or a WARC")


class Crawler:
    """Runs one fetch into a corpus."""

    def __init__(self, corpus: Corpus, client: Client, *, match: re.Pattern[str] | None = None,
                 split: bool = True, limit: int | None = None, max_feed_depth: int = 3,
                 max_sitemaps: int | None = 50, progress=None) -> None:
        self.corpus = corpus
        self.client = client
        self.stats: Stats = client.stats
        self.match = match
        self.split = split
        self.limit = limit
        self.max_feed_depth = max_feed_depth
        self.progress = progress
        self._seen: set[str] = set()
        self._frontier = Frontier(self.stats, limit, max_sitemaps)
        self._stopping = threading.Event()
        self._handled = 0

    # -- queueing --------------------------------------------------------------------------

    def enqueue(self, url: str, source: str, entry: Entry | None = None, depth: int = 0,
                kind: str = "start") -> None:
        if not is_fetchable(url):
            log.warning("%s (from %s): not a fetchable URL", url, source)
            self.stats.inc("fetch/failed/invalid_url")
            return
        key = normalize_url(url)
        if key in self._seen:
            return
        etag, last_modified = self.corpus.validators(url)
        task = Task(url, source, entry, depth, etag, last_modified, kind=kind)
        if not self._frontier.add(host_key(url), task):
            return
        self._seen.add(key)
        if self.progress is not None:
            self.progress.total = (self.progress.total or 0) + 1
            self.progress.refresh()

    def _tick(self) -> None:
        self._handled += 1
        if self.progress is not None:
            self.progress.update(1)

    # -- running ---------------------------------------------------------------------------

    def run(self, plan: Plan) -> None:
        for path in plan.files:
            self._local_file(path)
        for path in plan.feeds:
            self._local_feed(path)
        for path in plan.warcs:
            self._warc(path)
        for url, source in plan.urls:
            self.enqueue(url, source)
        self._crawl()
        self.corpus.save()

    def _crawl(self) -> None:
        concurrency = max(1, self.client.settings.concurrency)
        busy: set[str] = set()
        inflight = 0
        workers: Workers[Task, Result] = Workers(concurrency, self._work)
        self._stopping = workers.stopping
        try:
            while True:
                for host in self._frontier.hosts():
                    if inflight >= concurrency:
                        break
                    if host in busy:
                        continue
                    task = self._frontier.take(host)
                    if task is None:
                        continue
                    busy.add(host)
                    workers.submit(task)
                    inflight += 1
                if not inflight:
                    self._frontier.drop_rest()  # what --limit left unrequested
                    break
                result = workers.next_result()
                inflight -= 1
                busy.discard(host_key(result.task.url))
                self._handle(result)
        finally:
            workers.close()  # on Ctrl-C, requests in flight are abandoned, not waited for

    def _work(self, task: Task) -> Result:
        """Fetch and convert one URL (in a worker thread); never raises."""
        try:
            return self._fetch_and_convert(task)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the run
            if not self._stopping.is_set():  # after Ctrl-C the closed client fails: say nothing
                log.exception("internal error on %s", task.url)
            doc = Doc(task.url, task.url, now_iso(), error=f"internal error: {type(exc).__name__}: {exc}",
                      source=task.source)
            return Result(task, "failed", doc, reason="internal")

    def _fetch_and_convert(self, task: Task) -> Result:
        try:
            resp = self.client.fetch(task.url, task.etag, task.last_modified)
        except RobotsDisallowed:
            return Result(task, "robots")
        if resp.reason:
            doc = Doc(task.url, resp.final_url, resp.fetched_at, resp.status, error=resp.error,
                      source=task.source)
            return Result(task, "failed", doc, reason=resp.reason)
        if resp.status == 304:
            doc = Doc(task.url, resp.final_url, resp.fetched_at, 304, etag=resp.headers.get("etag"),
                      last_modified=resp.headers.get("last-modified"))
            return Result(task, "unchanged", doc)
        ctype = resp.headers.get("content-type")
        if task.depth <= self.max_feed_depth and looks_like_feed(resp.body, ctype):
            try:
                return Result(task, "feed", feed=parse_feed(resp.body, resp.final_url, ctype,
                                                           self.client.settings.max_bytes))
            except FeedError as exc:
                doc = Doc(task.url, resp.final_url, resp.fetched_at, resp.status,
                          error=f"feed: {exc}", source=task.source)
                return Result(task, "failed", doc, reason="feed_invalid")
        doc, reason, refresh = self._document(task.url, resp.final_url, resp.fetched_at, resp.status,
                                              resp.headers, resp.body, task.source, task.entry)
        if refresh and task.refreshes < MAX_META_REFRESH:
            # a stub page that forwards by <meta refresh>: follow it as a redirect
            self.stats.inc("redirect/meta_refresh")
            target = urljoin(resp.final_url, refresh)
            if normalize_url(target) != normalize_url(resp.final_url):
                nxt = Task(target, task.source, task.entry, task.depth, refreshes=task.refreshes + 1)
                result = self._fetch_and_convert(nxt)
                result.task = task
                if result.doc is not None:
                    result.doc.url = task.url  # the notice stays filed under the URL asked for
                return result
        return Result(task, "document", doc, reason=reason)

    def _document(self, url: str, final_url: str, fetched_at: str, status: int | None,
                  headers: dict[str, str], body: bytes, source: str,
                  entry: Entry | None = None) -> tuple[Doc, str | None, str | None]:
        """Convert a body into a Doc to store, the failure reason when it has no notice, and
        the target of a meta-refresh stub."""
        ctype = headers.get("content-type")
        conv = convert(body, ctype, final_url, split=self.split,
                       max_pdf_inflated=self.client.settings.max_pdf_inflated)
        if entry is not None and len(conv.pages) == 1:
            # the publisher's feed states title and date outright; the page's are guesses
            page = conv.pages[0]
            page.title = entry.title or page.title
            page.published = entry.published or page.published
        doc = Doc(url, final_url, fetched_at, status, headers.get("etag"), headers.get("last-modified"),
                  ctype, conv.encoding, body, conv.raw_ext, conv.pages, conv.error, source)
        return doc, conv.reason, conv.refresh

    # -- results ---------------------------------------------------------------------------

    def _handle(self, result: Result) -> None:
        task = result.task
        self._frontier.done(task, result.outcome)
        if result.outcome == "robots":
            log.info("robots.txt disallows %s", task.url)
            self.stats.inc("fetch/robots_skipped")
        elif result.outcome == "unchanged":
            assert result.doc is not None
            self.corpus.unchanged(task.url, result.doc.fetched_at, result.doc.etag,
                                  result.doc.last_modified)
            self.stats.inc("fetch/unchanged")
        elif result.outcome == "feed":
            assert result.feed is not None
            self._follow_feed(result.feed, task.url, task.depth)
        else:
            assert result.doc is not None
            self._store(result.doc, result.reason)
        self._tick()

    def _store(self, doc: Doc, reason: str | None) -> None:
        outcome, ids = self.corpus.store(doc)
        if outcome == "failed":
            log.warning("%s: %s", doc.url, doc.error)
            self.stats.inc(f"fetch/failed/{reason or 'error'}")
        else:
            self.stats.inc(f"fetch/{outcome}")
            if outcome == "fetched":
                self.stats.inc("fetch/notices", len(ids))

    def _follow_feed(self, feed: Feed, source: str, depth: int) -> None:
        self.stats.inc(f"feed/count/{feed.kind}")
        if depth >= self.max_feed_depth:
            self.stats.inc("feed/too_deep")
            return
        if feed.sitemaps and depth + 1 >= self.max_feed_depth:
            # their entries would be too deep to follow: do not request them at all
            self.stats.inc("feed/too_deep", len(feed.sitemaps))
        else:
            for sitemap in feed.sitemaps:
                self.enqueue(sitemap, source, depth=depth + 1, kind="sitemap")
        chosen = matching(feed.entries, self.match)
        self.stats.inc("feed/entries", len(feed.entries))
        self.stats.inc("feed/entries_unmatched", len(feed.entries) - len(chosen))
        for entry in chosen:
            if urlsplit(entry.url).scheme in ("http", "https"):
                self.enqueue(entry.url, source, entry, depth=depth + 1, kind="entry")
            else:
                self.stats.inc("feed/entries_not_http")

    # -- local sources ---------------------------------------------------------------------

    def _local_file(self, path: Path) -> None:
        url = path.resolve().as_uri()
        ctype = mimetypes.guess_type(path.name)[0]
        cap = self.client.settings.max_bytes
        try:
            size = path.stat().st_size
            if size > cap:
                raise OSError(f"file is larger than {cap} bytes")
            data = path.read_bytes()
            mtime = formatdate(path.stat().st_mtime, usegmt=True)
        except OSError as exc:
            self._store(Doc(url, url, now_iso(), error=f"cannot read {path}: {exc}", source=str(path)),
                        "io")
            self._tick()
            return
        headers = {"content-type": ctype or "", "last-modified": mtime}
        self._store(*self._document(url, url, now_iso(), None, headers, data, str(path))[:2])
        self._tick()

    def _local_feed(self, path: Path) -> None:
        try:
            feed = parse_feed(path.read_bytes(), "", max_bytes=self.client.settings.max_bytes)
        except (OSError, FeedError) as exc:
            log.warning("%s: %s", path, exc)
            self.stats.inc("fetch/failed/feed_invalid")
            return
        self._follow_feed(feed, str(path), 0)

    def _warc(self, path: Path) -> None:
        from .warc import read_warc

        try:
            for cap in read_warc(path, self.stats, self.client.settings.max_bytes):
                if self.match and not self.match.search(cap.url):
                    self.stats.inc("warc/skipped/unmatched")
                    continue
                newer = [e for e in self.corpus.entries_for(cap.url)
                         if not e.get("error") and (e.get("fetched_at") or "") > cap.fetched_at]
                if newer:
                    self.stats.inc("warc/skipped/older_than_corpus")
                    continue
                if cap.error:
                    doc = Doc(cap.url, cap.url, cap.fetched_at, cap.status, error=cap.error, source=str(path))
                    self._store(doc, "too_large")
                else:
                    self._store(*self._document(cap.url, cap.url, cap.fetched_at, cap.status,
                                                cap.headers, cap.body, str(path))[:2])
                self._tick()
        except (OSError, ValueError) as exc:
            log.warning("%s", exc)
            self.stats.inc("fetch/failed/warc_invalid")
