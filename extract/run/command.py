"""``rouei extract INPUT... -o OUT.jsonl``."""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rouei.extract.core.errors import RoueiError
from rouei.extract.core.extras import MissingExtra, require
from rouei.extract.run.inputs import InputDoc, iter_inputs
from rouei.extract.run.output import RecordWriter, check_output

# The default cap on a document's length (characters after conversion to text). The longest
# real notices are a few tens of thousands of characters; a file far above this is a dump or
# a mistake, and one of 20 MB took six minutes and 2.3 GB.
MAX_CHARS = 2_000_000

if TYPE_CHECKING:
    from rouei.extract.run.pipeline import Counters

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract records from notices into JSONL")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files (.txt .html .pdf), folders, a fetch corpus directory, or '-' for stdin")
    p.add_argument("-o", "--output", type=Path, metavar="OUT.jsonl",
                   help="the JSONL file to write; '-' or none writes the records to stdout")
    p.add_argument("--incidents", choices=("split", "flat"), default="split",
                   help="one incident per incident (split, default) or one per document (flat)")
    p.add_argument("--resume", action="store_true",
                   help="keep the complete records of an interrupted run and do the rest")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="worker processes (a run that parses loads the model once, in a process the workers are forked from, where the platform can; default 1)")
    p.add_argument("--engine", choices=("processes", "dask"), default="processes",
                   help="where the workers run: local processes, or Dask distributed")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: a running scheduler (tcp://host:8786); default a LocalCluster")
    p.add_argument("--doc-timeout", type=float, metavar="SECONDS",
                   help="a document taking longer becomes an error record (runs in a worker)")
    p.add_argument("--cache", metavar="DIR",
                   help="parse cache directory (default $ROUEI_CACHE, else the user cache "
                        "directory, e.g. ~/.cache/rouei)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the parse cache")
    p.add_argument("--max-chars", type=int, default=MAX_CHARS, metavar="N",
                   help=f"a longer document becomes an error record (default {MAX_CHARS:,})")
    p.add_argument("--keep-text", action="store_true",
                   help='store the analysed text in each record under "text" (for review and export)')
    p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                   help="more log output, and at the end the characters read and parsed and "
                        "where the time went (start-up, model load, parsing, the rest)")
    p.set_defaults(func=run)


class _StdoutWriter:
    """Records as JSONL lines on stdout, one flushed line each (``-o -`` or no ``-o``): no
    ``.part`` file and no rename, so a reader downstream sees each record as it is made."""

    done: frozenset[str] = frozenset()

    def write(self, rec: dict) -> None:
        sys.stdout.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        sys.stdout.flush()

    def close(self, finished: bool = True) -> None:
        pass

    def __enter__(self) -> _StdoutWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _writer(output: Path | None, resume: bool) -> RecordWriter | _StdoutWriter:
    if output is None or str(output) == "-":
        return _StdoutWriter()
    return RecordWriter(output, resume=resume)


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

    # no monitor thread: a parent with a second thread spawns its workers rather than forking
    # them (run/runner.py), and the bar is updated once per record anyway
    tqdm.monitor_interval = 0
    return tqdm(unit="doc", file=sys.stderr, delay=2)


def cache_dir(given: str | None) -> str:
    """--cache, else $ROUEI_CACHE, else the platform's user cache directory: the same cache
    whichever folder the command runs in."""
    if given:
        return given
    if os.environ.get("ROUEI_CACHE"):
        return os.environ["ROUEI_CACHE"]
    from platformdirs import user_cache_dir

    return user_cache_dir("rouei", appauthor=False)


class _Terminated(BaseException):
    """SIGTERM arrived: stop, keep OUT.jsonl.part for --resume, take the workers down. A
    BaseException, so that no per-document handler turns it into an error record."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def _fail(exc: Exception) -> int:
    print(f"rouei extract: {exc}", file=sys.stderr)
    return 2


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
        log.info("time %.2f s: start-up and imports %.2f s; model load %.2f s (summed over the "
                 "processes that loaded it: the model server, or each worker), parsing %.2f s "
                 "(summed over the workers)", total, startup, model, parse)
    else:
        log.info("time %.2f s: start-up and imports %.2f s, model load %.2f s, parsing %.2f s, "
                 "rules and the rest %.2f s", total, startup, model, parse,
                 total - startup - model - parse)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from rouei.extract.core import compiled, startup

    with startup.imports():  # no garbage collection while the pipeline loads (core.startup)
        # the compiled-regex store first: the pipeline's modules compile their patterns through
        # it as they load (check_rules below names the same directory)
        compiled.use_store(None if args.no_cache else cache_dir(args.cache))
        from rouei.extract.run.pipeline import Settings, usable_cache

    imported = time.perf_counter()

    if (args.jobs < 1 or (args.doc_timeout is not None and args.doc_timeout <= 0)
            or args.max_chars < 1):
        print("rouei extract: --jobs, --doc-timeout and --max-chars must be positive", file=sys.stderr)
        return 2
    if args.engine == "dask":
        try:
            require("distributed", "--engine dask")
        except MissingExtra as exc:
            print(f"rouei extract: {exc}", file=sys.stderr)
            return 2
    if args.resume and (args.output is None or str(args.output) == "-"):
        print("rouei extract: --resume needs an output file (-o OUT.jsonl), not stdout", file=sys.stderr)
        return 2
    to_stdout = args.output is None or str(args.output) == "-"
    cache = None if args.no_cache else usable_cache(cache_dir(args.cache))
    settings = Settings(incidents=args.incidents, max_chars=args.max_chars, keep_text=args.keep_text,
                        cache_dir=os.path.abspath(cache) if cache else None)
    server = False
    try:
        # The inputs are opened first, but an error in them is told after the rules' and the
        # output's, as before: the first notices only tell whether a pool's workers will need
        # the model, which then starts loading while the rules are checked (see
        # run.modelserver).
        head: list = []
        try:
            docs = iter_inputs(args.inputs)
            head, docs = _head(docs, PROBE_DOCS if _pooled(args) else 1)
        except RoueiError as exc:
            input_error: RoueiError | None = exc
        else:
            input_error = None
            if _pooled(args) and head:
                from rouei.extract.run import runner

                if runner.likely_cold(settings, head):
                    server = runner.start_model_server(settings)
        check_rules(None if args.no_cache else cache_dir(args.cache))
        if server:
            from rouei.extract.run import modelserver

            # the patterns just checked and those the extractors add on first use, saved for
            # the model server's warm-up
            modelserver.compile_ahead(settings)
        if not to_stdout:
            check_output(args.output)
        if input_error is not None:
            raise input_error  # surface usage errors (a missing input) before any work
    except RoueiError as exc:
        _stop_server(server)
        return _fail(exc)
    try:
        writer = _writer(args.output, args.resume)
    except RoueiError as exc:
        _stop_server(server)
        return _fail(exc)
    except OSError as exc:
        _stop_server(server)
        return _fail(RoueiError("E012", detail=f"{args.output}: {exc.strerror or exc}"))
    old = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _extract(args, settings, writer, head, docs, started, imported)
    except _Terminated:
        writer.close(finished=False)
        print("rouei extract: terminated; --resume finishes the run", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, old)


def check_rules(cache: str | None = None) -> None:
    """Every rule file against rules/schema.toml, once, before anything is written. With the
    cache directory, the rules are checked once per change to them (a stamp there), and the
    compiled patterns are kept there for the next run (core.compiled)."""
    from rouei.extract.core import compiled
    from rouei.extract.core.schema import validate_rules

    compiled.use_store(cache)
    validate_rules(stamp_dir=cache)


# The first documents a pooled run looks up in the parse cache before the rules are checked:
# when none has an entry, the run will parse, and a model server starts (see run.modelserver).
PROBE_DOCS = 4


def _pooled(args: argparse.Namespace) -> bool:
    """Whether the run's documents go to a pool of worker processes of this machine."""
    return args.engine == "processes" and args.jobs > 1


def _head(docs: Iterator[InputDoc], n: int) -> tuple[list[InputDoc], Iterator[InputDoc]]:
    """The first ``n`` documents (fewer when the input is shorter) and the rest. An input
    that breaks after the first (a bad manifest line) breaks where the run reaches it."""
    head: list[InputDoc] = []
    for _ in range(n):
        try:
            doc = next(docs, None)
        except RoueiError as exc:
            if not head:
                raise
            return head, _raising(exc)
        if doc is None:
            break
        head.append(doc)
    return head, docs


def _raising(exc: Exception) -> Iterator[InputDoc]:
    raise exc
    yield  # a generator: raises when iterated, not when made


def _stop_server(started: bool) -> None:
    if started:
        from rouei.extract.run import runner

        runner.stop_model_server()


def _extract(args, settings, writer: RecordWriter | _StdoutWriter, head: list, docs,
             started: float, imported: float) -> int:
    from rouei.extract.run.pipeline import Counters
    from rouei.extract.run.runner import run_inline, run_parallel

    failures = 0
    counters = Counters()

    def todo():
        for d in itertools.chain(head, docs):
            if d.doc_id not in writer.done:
                yield d

    parallel = not (args.jobs == 1 and args.engine == "processes" and args.doc_timeout is None)
    # an inline run leaves no worker or thread behind, nor does a process pool once closed
    # (its workers have left; a model server dies with this process): the command may end the
    # process at once (cli._exit_at_once, which also checks that no thread is left), without
    # the interpreter's teardown. A Dask cluster is left to shut down as it does.
    args.exit_at_once = args.engine == "processes"
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
        writer.close(finished=False)  # keep OUT.jsonl.part for --resume, publish nothing
        return _fail(exc)
    except OSError as exc:  # a full disk, the output folder gone
        if isinstance(writer, _StdoutWriter):
            raise  # a closed pipe: the command's guard ends the run quietly
        _close_quietly(writer)
        print(f"rouei extract: {RoueiError('E012', detail=f'{writer.part}: {exc.strerror or exc}')}",
              file=sys.stderr)
        return 1
    except BaseException:
        _close_quietly(writer)
        raise
    finally:
        close = getattr(records, "close", None)
        if close:
            close()  # the workers go now, also when the loop stopped early
        bar.close()
    try:
        writer.close()
    except OSError as exc:
        print(f"rouei extract: {RoueiError('E012', detail=f'{args.output}: {exc.strerror or exc}')}",
              file=sys.stderr)
        return 1
    if log.isEnabledFor(logging.INFO):
        _report(counters, started, imported, parallel)
    return 1 if failures else 0


def _close_quietly(writer: RecordWriter | _StdoutWriter) -> None:
    try:
        writer.close(finished=False)
    except OSError as exc:
        log.warning("cannot close %s: %s", getattr(writer, "part", "stdout"), exc)
