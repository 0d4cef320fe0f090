"""The ``rouei`` command: extract, eval, fetch, review, export, stats, diff.

Each subcommand lives in its own module, which provides ``add_parser(subparsers)`` (declaring
its arguments and ``set_defaults(func=run)``) and ``run(args) -> int`` (the exit code).
Conventions shared by every subcommand live here: usage errors exit 2, a missing input path
is a usage error, and a closed pipe on stdout (``rouei ... | head``) ends the run quietly.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

from rouei import __version__
from rouei.extract.core import startup

# subcommand name -> module that implements it
COMMANDS = {
    "fetch": "rouei.fetch.cli",
    "extract": "rouei.extract.run.command",
    "eval": "rouei.extract.reports.evaluate",
    "review": "rouei.extract.reports.review",
    "export": "rouei.extract.reports.export",
    "stats": "rouei.extract.reports.stats",
    "diff": "rouei.extract.reports.diff",
}

# Argument names that hold input paths, which must exist (a missing one is a usage error).
INPUT_ARGS = ("inputs", "gold", "pred", "old", "new", "corpus")

# The exit code of a run cut short by a closed stdout: 128 + SIGPIPE, as a shell reports a
# process that the signal ended.
EXIT_BROKEN_PIPE = 141


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # usage errors exit 2 per SPEC
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _command(argv: list[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option)."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in COMMANDS else None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. When ``argv`` names a subcommand, only that subcommand's module is
    imported (``rouei eval`` need not load spaCy, nor ``rouei extract`` the fetcher); the
    others stay bare entries; without one (``rouei --help``) all are loaded for their help,
    except for ``rouei --version``, which needs none."""
    parser = _Parser(prog="rouei", description="Structured records from Japanese data-leak notices.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("--version", action="version", version=f"rouei {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    args = sys.argv[1:] if argv is None else argv
    wanted = _command(args)
    bare = wanted is None and "--version" in args
    for name, module in COMMANDS.items():
        if bare or (wanted is not None and name != wanted):
            sub.add_parser(name)
            continue
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:  # a subcommand whose module is not there yet
            logging.getLogger(__name__).debug("subcommand %s unavailable: %s", name, exc)
            continue
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    done: list[argparse.Namespace] = []
    if argv is None:  # the process's own command line (see core.startup)
        startup.own_process()
    try:
        try:
            code = _main(argv, done)
        finally:  # a reader that left early shows here (also after --help), not at exit
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    if argv is None and done and getattr(done[0], "exit_at_once", False) and _alone():
        _exit_at_once(code)
    return code


def _alone() -> bool:
    """No thread but daemons left, which the interpreter's exit would wait for, and no profiler
    or tracer (``python -m cProfile -o out.prof -m rouei.extract.cli ...``, coverage), which
    writes what it gathered after the command returns."""
    import threading

    if sys.getprofile() is not None or sys.gettrace() is not None:
        return False
    return all(t.daemon or t is threading.main_thread() for t in threading.enumerate())


def _exit_at_once(code: int) -> NoReturn:
    """End the process that ran the command (``argv`` None: the ``rouei`` script or ``python -m
    rouei``) without the interpreter's teardown, which frees every object one by one: some
    40 ms after a warm ``rouei extract``, tenths of a second with the model loaded. The exit
    handlers run first (the compiled-regex store is saved, logging flushed), then the output
    streams are flushed. Only a subcommand that leaves nothing running (no worker process, no
    thread) asks for it, by setting ``args.exit_at_once``."""
    atexit._run_exitfuncs()
    from rouei.extract.core.io import flush_std_streams

    flush_std_streams()
    os._exit(code)


def _main(argv: list[str] | None, done: list[argparse.Namespace] | None = None) -> int:
    with startup.imports():  # the subcommand's module and what it imports
        parser = build_parser(argv)
        args = parser.parse_args(argv)
    if done is not None:
        done.append(args)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    missing = _missing_inputs(args)
    if missing:
        _subparser(parser, args.command).print_usage(sys.stderr)
        print(f"rouei {args.command}: error: no such file or directory: {missing}", file=sys.stderr)
        return 2
    return int(args.func(args) or 0)


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            return action.choices[name]
    return parser


def _missing_inputs(args: argparse.Namespace) -> str | None:
    """The first input path named on the command line that does not exist ('-' is stdin)."""
    if args.command == "fetch":  # its sources are URLs as well as paths; fetch reports them
        return None
    for name in INPUT_ARGS:
        value = getattr(args, name, None)
        for path in value if isinstance(value, list) else [value]:
            if path is not None and str(path) != "-" and not Path(path).exists():
                return str(path)
    return None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing what is left at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
