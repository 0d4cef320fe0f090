"""``rouei fetch SOURCE... --out CORPUS_DIR``: collect notices politely into a corpus."""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import threading
from pathlib import Path

from .client import USER_AGENT, Client, Settings
from .crawl import Crawler, UsageError, plan_sources
from .stats import Stats
from .store import Corpus, CorpusBusy, CorpusInvalid

log = logging.getLogger(__name__)


def _size(value: str) -> int:
    """Bytes from ``20M``, ``512K``, ``1G`` or a plain number."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]i?B?|B?)\s*", value, re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {value!r}")
    unit = m.group(2)[:1].upper()
    return int(float(m.group(1)) * {"K": 2**10, "M": 2**20, "G": 2**30}.get(unit, 1))


def _nonneg(value: str) -> float:
    x = float(value)
    if x < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return x


def _nonneg_int(value: str) -> int:
    n = int(value)
    if n < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return n


def _positive_int(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = Settings()
    p = sub.add_parser("fetch", help="collect notices from the web, feeds, files and WARCs into a corpus",
                       description="Fetch notices politely into CORPUS_DIR (manifest.jsonl, raw/, text/) "
                                   "for 'rouei extract CORPUS_DIR'.")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="http(s) URLs, @urls.txt, RSS/Atom feeds and sitemaps, local .html/.htm/.txt/"
                        ".pdf files and folders, .warc/.warc.gz files")
    p.add_argument("-o", "--out", required=True, type=Path, metavar="CORPUS_DIR")
    p.add_argument("--match", metavar="REGEX",
                   help="follow only feed/sitemap entries (and WARC captures) whose title or URL matches")
    p.add_argument("--limit", type=_positive_int, metavar="N",
                   help="fetch at most N notices (feeds and sitemaps read on the way do not count)")
    p.add_argument("--max-sitemaps", type=_nonneg_int, default=50, metavar="N",
                   help="read at most N sitemaps listed in sitemap indexes per run (default 50)")
    p.add_argument("--no-split", dest="split", action="store_false",
                   help="keep multi-post pages (archives, listings) as one notice")
    g = p.add_argument_group("politeness and limits")
    g.add_argument("--delay", type=_nonneg, default=d.delay, metavar="SECONDS",
                   help=f"between requests to one host (default {d.delay}; robots.txt Crawl-delay may raise it)")
    g.add_argument("--concurrency", type=_positive_int, default=d.concurrency, metavar="N",
                   help=f"requests in flight over all hosts, one per host (default {d.concurrency})")
    g.add_argument("--ignore-robots", dest="obey_robots", action="store_false",
                   help="do not read robots.txt (only for sites you may crawl regardless)")
    g.add_argument("--user-agent", default=USER_AGENT, metavar="UA", help="default: %(default)s")
    g.add_argument("--max-tries", type=_positive_int, default=d.max_tries, metavar="N",
                   help=f"tries per request on connection errors, 429 and 5xx (default {d.max_tries})")
    g.add_argument("--backoff", type=_nonneg, default=d.backoff, metavar="SECONDS",
                   help=f"first retry wait, doubled each try, with jitter (default {d.backoff})")
    g.add_argument("--backoff-max", type=_nonneg, default=d.backoff_max, metavar="SECONDS",
                   help=f"longest wait between tries (default {d.backoff_max:g})")
    g.add_argument("--max-retry-after", type=_nonneg, default=d.max_retry_after, metavar="SECONDS",
                   help=f"give up when Retry-After asks for longer (default {d.max_retry_after:g})")
    g.add_argument("--max-crawl-delay", type=_nonneg, default=d.max_crawl_delay, metavar="SECONDS",
                   help=f"wait at most this long between requests when robots.txt asks for a longer "
                        f"Crawl-delay (default {d.max_crawl_delay:g})")
    g.add_argument("--connect-timeout", type=_nonneg, default=d.connect_timeout, metavar="SECONDS",
                   help=f"(default {d.connect_timeout:g})")
    g.add_argument("--read-timeout", type=_nonneg, default=d.read_timeout, metavar="SECONDS",
                   help=f"longest silence while reading (default {d.read_timeout:g})")
    g.add_argument("--max-time", type=_nonneg, default=d.max_time, metavar="SECONDS",
                   help=f"for a whole response, status line and headers included, however slowly "
                        f"it trickles; not retried (default {d.max_time:g})")
    g.add_argument("--max-redirects", type=_nonneg_int, default=d.max_redirects, metavar="N",
                   help=f"per URL; never to a scheme other than http(s) (default {d.max_redirects})")
    g.add_argument("--max-bytes", type=_size, default=d.max_bytes, metavar="SIZE",
                   help="cap on a body, received and decompressed (default 20M)")
    g.add_argument("--max-pdf-inflated", type=_size, default=d.max_pdf_inflated, metavar="SIZE",
                   help="cap on what the streams of one PDF inflate to while its text is read; "
                        "over it the PDF is an error entry (default 256M)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--stats", action="store_true", help="print every counter as JSON after the summary")
    p.set_defaults(func=run)


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        user_agent=args.user_agent, delay=args.delay, concurrency=args.concurrency,
        max_tries=args.max_tries, backoff=args.backoff, backoff_max=args.backoff_max,
        max_retry_after=args.max_retry_after, max_crawl_delay=args.max_crawl_delay,
        connect_timeout=args.connect_timeout,
        read_timeout=args.read_timeout, max_time=args.max_time, max_redirects=args.max_redirects,
        max_bytes=args.max_bytes, max_pdf_inflated=args.max_pdf_inflated,
        obey_robots=args.obey_robots,
    )


def summary(stats: Stats) -> str:
    """One line per outcome: fetched, unchanged, duplicates, robots.txt skips, failures by reason."""
    failed = stats.with_prefix("fetch/failed/")
    lines = [
        f"rouei fetch: {stats.get('fetch/fetched')} fetched ({stats.get('fetch/notices')} notices), "
        f"{stats.get('fetch/unchanged')} unchanged, {stats.get('fetch/duplicate')} duplicate, "
        f"{stats.get('fetch/robots_skipped')} skipped by robots.txt, {sum(failed.values())} failed"
    ]
    if failed:
        lines.append("  failed: " + ", ".join(f"{k} {v}" for k, v in failed.items()))
    feeds = sum(stats.with_prefix("feed/count/").values())
    if feeds:
        lines.append(f"  feeds and sitemaps read: {feeds} ({stats.get('feed/entries')} entries, "
                     f"{stats.get('feed/entries_unmatched')} not matching --match)")
    retries = stats.with_prefix("retry/reason_count/")
    if retries:
        lines.append("  retried: " + ", ".join(f"{k} {v}" for k, v in retries.items()))
    if stats.get("robots/crawl_delay_capped"):
        lines.append(f"  Crawl-delay above --max-crawl-delay lowered to it for "
                     f"{stats.get('robots/crawl_delay_capped')} host(s)")
    if stats.get("fetch/over_limit"):
        lines.append(f"  not fetched (over --limit): {stats.get('fetch/over_limit')}")
    unread = [(stats.get("feed/sitemaps_over_max"), "over --max-sitemaps"),
              (stats.get("feed/too_deep"), "nested too deep"),
              (stats.get("feed/sitemaps_not_needed"), "not needed for --limit")]
    if any(n for n, _ in unread):
        lines.append("  sitemaps and feeds not read: " + ", ".join(f"{n} {why}" for n, why in unread if n))
    return "\n".join(lines)


class _terminate_as_interrupt:
    """SIGTERM (a service manager, ``kill``, a container stop) ends the run like Ctrl-C: the
    corpus is closed and the manifest compacted. The signal number goes into ``received``."""

    def __init__(self, received: list[int]) -> None:
        self.received = received
        self.previous = None

    def _handler(self, signum, frame) -> None:
        if not self.received:
            self.received.append(signum)
        raise KeyboardInterrupt

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():  # signals need the main thread
            self.previous = signal.signal(signal.SIGTERM, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    try:
        match = re.compile(args.match) if args.match else None
    except re.error as exc:
        print(f"rouei fetch: --match: {exc}", file=sys.stderr)
        return 2
    try:
        plan = plan_sources(args.sources)
    except UsageError as exc:
        print(f"rouei fetch: {exc}", file=sys.stderr)
        return 2
    stats = Stats()
    try:
        corpus = Corpus(args.out)
    except (CorpusBusy, CorpusInvalid, OSError) as exc:
        print(f"rouei fetch: {exc}", file=sys.stderr)
        return 2
    bar = tqdm(total=0, unit="url", file=sys.stderr, disable=args.quiet, dynamic_ncols=True)
    received: list[int] = []
    try:
        with _terminate_as_interrupt(received), corpus, \
                Client(settings_from(args), stats) as client, logging_redirect_tqdm():
            Crawler(corpus, client, match=match, split=args.split, limit=args.limit,
                    max_sitemaps=args.max_sitemaps, progress=bar).run(plan)
    except KeyboardInterrupt:
        bar.close()
        how = "terminated" if received else "interrupted"
        print(f"rouei fetch: {how}; the manifest keeps what was fetched", file=sys.stderr)
        print(summary(stats))
        return 128 + (received[0] if received else signal.SIGINT)
    finally:
        bar.close()
    print(summary(stats))
    if args.stats:
        print(json.dumps(stats.as_dict(), indent=1))
    if stats.with_prefix("fetch/failed/"):
        return 1
    if not (stats.get("fetch/fetched") or stats.get("fetch/unchanged") or stats.get("fetch/duplicate")) \
            and (stats.get("feed/too_deep") or stats.get("feed/sitemaps_over_max")):
        print("rouei fetch: no notice fetched; the sitemaps or feeds that list them were not read "
              "(nested too deep or over --max-sitemaps)", file=sys.stderr)
        return 1
    return 0
