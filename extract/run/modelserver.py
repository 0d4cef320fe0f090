"""The model server of a ``--jobs`` run: the process its workers are forked from, with the
model already loaded.

Each worker of a pool used to import spaCy and load ``ja_ginza`` itself: about 1.2 s of CPU
per worker, all of it on the way to the first parse. When a run will parse (its first notices
are not in the parse cache), the runner instead starts multiprocessing's fork server with the
model loaded in it: the server loads the model once, while the parent checks the rules and
works through the notices that need no parse, and every worker is then a fork of a loaded
process (the model's arrays shared until written, which they never are).

The server is itself a fork of the run's process where the standard library's fork server
takes one (``serve_forked``): it then has rouei's modules already, and loads only spaCy and
the model. Otherwise multiprocessing starts it as a fresh interpreter that preloads this
module by name, and what to load comes in the environment (SETTINGS_ENV: the run's pickled
``Settings``), set by ``runner.start_model_server`` for the moment the server starts.
Importing this module anywhere else does nothing."""

from __future__ import annotations

import atexit
import base64
import logging
import os
import pickle
from typing import Any

log = logging.getLogger(__name__)

SETTINGS_ENV = "ROUEI_MODEL_SERVER"


def encode(settings: object) -> str:
    return base64.b64encode(pickle.dumps(settings)).decode("ascii")


def _preload() -> None:
    raw = os.environ.get(SETTINGS_ENV)
    if not raw:
        return
    del os.environ[SETTINGS_ENV]  # the workers forked from here are not servers
    _load(lambda: pickle.loads(base64.b64decode(raw)))
    from rouei.extract.run import runner

    # The server ends when the run's process does (multiprocessing closes its pipe). With the
    # model loaded a full interpreter shutdown takes a few tenths of a second, during which it
    # would keep the run's stdout and stderr open: it leaves at once instead, as workers do.
    atexit.register(runner.quick_exit)


def _load(settings) -> None:
    """The server's set-up: die with the run, then the pipeline for ``settings()`` with its
    model loaded (a failure is told, and each worker loads what it needs itself)."""
    from rouei.extract.run import runner

    # Killed with the run's process (its parent), so a run killed by SIGKILL leaves neither
    # the server nor (each dies with the server) its workers behind. The server would also
    # end once every holder of its pipe from the run had closed it, but the workers hold one.
    runner.parent_death_signal()
    if os.getppid() == 1:
        runner.quick_exit()  # the run died before the signal was asked for
    try:
        pipeline = runner.preload_worker(settings())
    except Exception as exc:  # noqa: BLE001 - then each worker loads the model it needs itself
        log.warning("the model server could not load the model (%s: %s); "
                    "each worker loads its own", type(exc).__name__, exc)
        return
    try:
        from rouei.extract.core import compiled

        compiled.refresh()  # what the run compiled and saved meanwhile (compile_ahead)
        warm_up(pipeline)
    except Exception as exc:  # noqa: BLE001 - then each worker does it on its first notice
        log.debug("warming the model server up failed: %s", exc, exc_info=True)


# A notice the server analyses once before it forks any worker (see warm_up).
SAMPLE = ("個人情報の漏えいに関するお詫び\n"
          "令和6年5月10日\n"
          "株式会社サンプル商事\n"
          "当社が運営する通販サイトのサーバーが第三者による不正アクセスを受け、お客様の氏名、"
          "住所、電話番号、メールアドレスなど最大1,234件が流出した可能性があることが、"
          "2024年4月22日に判明しました。クレジットカード情報は含まれておりません。\n"
          "ご迷惑をおかけしましたことを深くお詫び申し上げます。\n")


def compile_ahead(settings) -> None:
    """In the run's process, while the server loads the model: build what the extractors
    build on their first notice (several hundred patterns the rule check does not compile,
    some 0.45 s, and tables kept in the compiled store), by analysing SAMPLE without parses,
    and save the store. The server's warm-up (``warm_up``) then reads them from the store
    instead of compiling them itself, on its way to its first worker; the run's process,
    which would compile them on its first notice anyway, loses nothing."""
    from rouei.extract.core import compiled
    from rouei.extract.doc.context import DocContext
    from rouei.extract.run.pipeline import Pipeline, parse_nothing

    Pipeline(settings).analyse(DocContext("warm-up", SAMPLE, parse_fn=parse_nothing))
    compiled.save()


def warm_up(pipeline) -> None:
    """Do once, here, what every process does on its first notice: the first parse, the
    first write of a parse-cache entry (spaCy's serialiser looks up its msgpack extensions),
    and the extractors' first run (tables built from the rules on first use). Measured on
    short real notices, a worker forked without it spent ~0.45 s of CPU more on its first
    task than on the next. Nothing is written where the run can see it: the entry goes to a
    temporary folder, and the record is dropped."""
    import tempfile
    from pathlib import Path

    from rouei.extract.doc.context import DocContext
    from rouei.extract.nlp.cache import ParseCache

    ctx = DocContext("warm-up", SAMPLE, parse_fn=lambda texts: pipeline.parse(texts, keep=True))
    pipeline.analyse(ctx)
    with tempfile.TemporaryDirectory(prefix="rouei-warm-up-") as tmp:
        ParseCache(Path(tmp), pipeline.model_id, pipeline.settings.key()).save(SAMPLE, ctx.parses)


def serve_forked(settings: object) -> bool:
    """Start the fork server as a fork of this process, with the model for ``settings``
    loaded in it: False (nothing started) when this interpreter's fork server is not the
    one this was written against, or this process may not fork (it runs other threads).

    This does what ``ForkServer.ensure_running`` does (a listening socket, the pipe whose
    closing ends the server, the server's loop in ``forkserver.main``) except that the server
    is forked rather than spawned: rouei's imports (~0.2 s) are not made again, and the
    server starts at once. The standard library's own start stays the fallback."""
    import socket
    import threading
    from multiprocessing import connection, forkserver, resource_tracker

    from rouei.extract.core.io import flush_std_streams

    # the private parts of the fork server this relies on (typeshed has no stubs for them)
    server: Any = forkserver._forkserver
    mp_connection: Any = connection
    code = forkserver.main.__code__
    if (code.co_varnames[:code.co_argcount]
            != ("listener_fd", "alive_r", "preload", "main_path", "sys_path")
            or code.co_kwonlyargcount
            or not all(hasattr(server, name) for name in
                       ("_lock", "_forkserver_address", "_forkserver_alive_fd", "_forkserver_pid"))
            or threading.active_count() != 1):
        return False
    with server._lock:
        if server._forkserver_pid is not None:
            return False  # one is running (or was): the standard start checks and restarts it
        resource_tracker.ensure_running()
        listener = socket.socket(socket.AF_UNIX)
        address = mp_connection.arbitrary_address("AF_UNIX")
        listener.bind(address)
        os.chmod(address, 0o600)
        listener.listen()
        alive_r, alive_w = os.pipe()
        flush_std_streams()  # else the server writes their buffers again
        pid = os.fork()
        if pid == 0:  # the server: it never returns into the run's code
            code_out = 1
            try:
                os.close(alive_w)
                from rouei.extract.run import runner

                runner.forget_parent()  # the server and its workers log as spawned ones
                _load(lambda: settings)
                forkserver.main(listener.fileno(), alive_r, [])
                code_out = 0
            except SystemExit as exc:  # the run closed its pipe: the server's normal end
                code_out = exc.code if isinstance(exc.code, int) else 0
            finally:
                flush_std_streams()
                os._exit(code_out)
        os.close(alive_r)
        listener.close()
        server._forkserver_address = address
        server._forkserver_alive_fd = alive_w
        server._forkserver_pid = pid
    return True


_preload()
