"""``rouei extract INPUT... -o OUT.jsonl``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rouei.extract.core.errors import RoueiError
from rouei.extract.run.inputs import iter_inputs
from rouei.extract.run.output import RecordWriter

if TYPE_CHECKING:
    from rouei.extract.run.pipeline import Counters

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract records from notices into JSONL")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files (.txt .html .pdf), folders, a fetch corpus directory, or '-' for stdin")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.jsonl")
    p.add_argument("--incidents", choices=("split", "flat"), default="split",
                   help="one incident per incident (split, default) or one per document (flat)")
    p.add_argument("--resume", action="store_true",
                   help="keep the complete records of an interrupted run and do the rest")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="worker processes (the model loads once per worker; default 1)")
    p.add_argument("--engine", choices=("processes", "dask"), default="processes",
                   help="where the workers run: local processes, or Dask distributed")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: a running scheduler (tcp://host:8786); default a LocalCluster")
    p.add_argument("--doc-timeout", type=float, metavar="SECONDS",
                   help="a document taking longer becomes an error record (runs in a worker)")
    p.add_argument("--cache", default=".rouei-cache", metavar="DIR",
                   help="parse cache directory (default .rouei-cache)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the parse cache")
    p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                   help="more log output, and at the end the characters read and parsed and "
                        "where the time went (start-up, model load, parsing, the rest)")
    p.set_defaults(func=run)


class _NoBar:
    """Stands in for the progress bar under --quiet (tqdm need not even be imported)."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(quiet: bool):
    if quiet:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(unit="doc", file=sys.stderr, delay=2)


def _process_age() -> float | None:
    """Wall seconds since this process started (Linux /proc; None elsewhere)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            started = int(fh.read().rsplit(")", 1)[1].split()[19])  # field 22: start, in ticks
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return max(uptime - started / os.sysconf("SC_CLK_TCK"), 0.0)
    except (OSError, ValueError, IndexError):
        return None


def _report(counters: Counters, started: float, imported: float, parallel: bool) -> None:
    """The -v summary: characters read and parsed, and the split of the wall time."""
    log.info("%d notices, %s characters read, %s parsed (%.1f%%)", counters.docs,
             f"{counters.read_chars:,}", f"{counters.parsed_chars:,}", 100 * counters.parsed_share)
    now = time.perf_counter()
    age = _process_age()
    # start-up: the interpreter and the command line (when /proc tells), then the pipeline's imports
    before = (age - (now - started)) if age is not None else 0.0
    startup = before + (imported - started)
    total = startup + (now - imported)
    model, parse = counters.model_seconds, counters.parse_seconds
    if parallel:
        log.info("time %.2f s: start-up and imports %.2f s; in the workers (summed) model load "
                 "%.2f s, parsing %.2f s", total, startup, model, parse)
    else:
        log.info("time %.2f s: start-up and imports %.2f s, model load %.2f s, parsing %.2f s, "
                 "rules and the rest %.2f s", total, startup, model, parse,
                 total - startup - model - parse)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from rouei.extract.run.pipeline import Counters, Settings
    from rouei.extract.run.runner import run_inline, run_parallel

    imported = time.perf_counter()

    if args.jobs < 1 or (args.doc_timeout is not None and args.doc_timeout <= 0):
        print("rouei extract: --jobs and --doc-timeout must be positive", file=sys.stderr)
        return 2
    try:
        docs = iter_inputs(args.inputs)
        first = next(docs, None)  # surface usage errors (a missing input) before any work
    except RoueiError as exc:
        print(f"rouei extract: {exc}", file=sys.stderr)
        return 2
    settings = Settings(incidents=args.incidents, cache_dir=None if args.no_cache else args.cache)
    counters = Counters()
    failures = 0
    with RecordWriter(args.output, resume=args.resume) as writer:
        def todo():
            if first is not None and first.doc_id not in writer.done:
                yield first
            for d in docs:
                if d.doc_id not in writer.done:
                    yield d

        parallel = not (args.jobs == 1 and args.engine == "processes" and args.doc_timeout is None)
        if not parallel:
            records = run_inline(settings, todo(), counters=counters)
        else:
            records = run_parallel(settings, todo(), jobs=args.jobs, engine=args.engine,
                                   scheduler=args.scheduler, doc_timeout=args.doc_timeout,
                                   counters=counters)
        bar = _bar(args.quiet)
        try:
            for rec in records:
                if "error" in rec:
                    failures += 1
                    print(f"rouei extract: {rec['doc_id']}: {rec['error']['message']}", file=sys.stderr)
                writer.write(rec)
                bar.update(1)
        except RoueiError as exc:  # an unreadable manifest line in the middle of a corpus
            print(f"rouei extract: {exc}", file=sys.stderr)
            writer.close(finished=False)  # keep OUT.jsonl.part for --resume, publish nothing
            return 2
        finally:
            bar.close()
    if log.isEnabledFor(logging.INFO):
        _report(counters, started, imported, parallel)
    return 1 if failures else 0
