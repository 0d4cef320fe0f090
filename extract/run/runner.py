"""Running the pipeline over many documents: in process, on N worker processes, or on Dask.

Every engine streams its input through a bounded window of documents in flight, so memory
stays flat however many documents there are, and yields records in input order. With a
per-document time limit, a document that overruns becomes an error record and the workers are
replaced (a hung regex or parse cannot be interrupted from inside, only killed)."""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout

from rouei.extract.core.io import flush_std_streams
from rouei.extract.run.inputs import InputDoc
from rouei.extract.run.pipeline import (
    Counters,
    Pipeline,
    Settings,
    has_cached_parses,
    process_one,
    process_windows,
)
from rouei.extract.run.record import error_record

log = logging.getLogger(__name__)

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads() -> None:
    """One BLAS thread per process unless the user set otherwise; must run before numpy loads.

    Parallelism is rouei's job (--jobs), not the BLAS library's: OpenBLAS otherwise starts a
    spinning thread per core in every process. Measured on the 2-core machine this project runs
    on, a second thread made a single-process cold run 5-10% faster for 75% more CPU time, and on
    a large shared node every worker would start one thread per core."""
    for var in _THREAD_VARS:
        os.environ.setdefault(var, "1")

# The pipeline of a worker process, built once by the pool initializer (or on first use in a
# Dask worker) so the model loads once per worker, not per document; in the model server (see
# run.modelserver), built once for every worker forked from it.
_WORKER: Pipeline | None = None


def _init_worker(settings: Settings, eager: bool = False) -> None:
    global _WORKER
    _WORKER = _pipeline_for(settings)
    if eager and _WORKER.nlp is None:
        # load the model, and do what a process does on its first notice (the first parse,
        # tables built from the rules), now: a document's time limit pays for neither. (A
        # pipeline with its model already here comes from a server that did both.)
        from rouei.extract.run import modelserver

        _WORKER.model()
        modelserver.warm_up(_WORKER)


def _pipeline_for(settings: Settings) -> Pipeline:
    """The pipeline for ``settings``: this process's own when it has one for them (a worker
    forked from the model server), else a new one, with the model already loaded here when
    it is the same model (a server started by an earlier run of this process, with another
    cache folder: only the settings in ``Settings.key`` and ``matmul`` change the model)."""
    have = _WORKER
    if have is not None and have.settings == settings:
        return have
    fresh = Pipeline(settings)
    if (have is not None and have.nlp is not None and have.settings.key() == settings.key()
            and have.settings.matmul == settings.matmul):
        fresh.nlp = have.nlp
    return fresh


def preload_worker(settings: Settings) -> Pipeline:
    """Build the pipeline for ``settings`` and load its model in this process: the model
    server's preload (run.modelserver), before it forks any worker."""
    global _WORKER
    limit_blas_threads()
    _WORKER = _pipeline_for(settings)
    _WORKER.model()  # its warm-up comes once the server has read the store again
    return _WORKER


def _die_with_parent() -> None:
    """End this worker when the process that started it dies, even by SIGKILL: a worker holds
    a model of ~400 MB and would otherwise live on under init.

    On Linux the kernel sends SIGKILL (prctl PR_SET_PDEATHSIG); elsewhere, and should the
    parent already be gone, a daemon thread polls the parent's pid."""
    parent = os.getppid()
    parent_death_signal()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, name="rouei-parent-watch", daemon=True).start()


def parent_death_signal() -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux only; no thread, so
    a process that forks workers may call it: the model server, whose workers in turn die
    with it)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError) as exc:
            log.debug("prctl unavailable: %s", exc)


def _init_pool_worker(settings: Settings, eager: bool = False, forked: bool = False,
                      rules_env: str | None = None) -> None:
    """Initializer of a pool worker process: death with the parent, its pipeline, a quick exit.

    A spawned worker ends with a full interpreter shutdown, which with spaCy and the model
    loaded takes a few tenths of a second that the parent spends waiting for it. By then the
    pool has had every result and the parse cache entries are on disk, so the worker leaves
    at once instead, after flushing its output streams.

    A ``forked`` worker first drops what it inherited that a spawned one would not have: the
    parent's SIGTERM handler (the command's, which ends a run) and its logging set-up (a
    spawned worker logs warnings only, bare).

    ``rules_env`` is the run's ROUEI_RULES (None: unset): a worker forked from a model server
    started earlier would otherwise see the rules of the moment the server started."""
    if forked:
        forget_parent()
    if rules_env is None:
        os.environ.pop("ROUEI_RULES", None)
    else:
        os.environ["ROUEI_RULES"] = rules_env
    _die_with_parent()
    _init_worker(settings, eager)
    atexit.register(quick_exit)  # only once the worker is up: a failed start exits as usual


def forget_parent() -> None:
    """In a process forked from the command: drop what a spawned process would not have, the
    command's SIGTERM handler (which ends a run) and its logging set-up (a spawned process
    logs warnings only, bare)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def quick_exit() -> None:
    """Leave the process now, its output streams flushed, without the interpreter's teardown."""
    flush_std_streams()
    os._exit(0)


def _ready(settings: Settings) -> bool:
    """A task that returns once this worker's pipeline (and model) is loaded."""
    if _WORKER is None:
        _init_worker(settings, eager=True)
    time.sleep(0.2)  # hold the worker so the next ping goes to another one
    return True


def _work(settings: Settings, docs: list[InputDoc]) -> tuple[list[dict], Counters]:
    """The records of a window of documents and what the worker did for them."""
    global _WORKER
    if _WORKER is None or _WORKER.settings != settings:
        _WORKER = _pipeline_for(settings)
    before = _WORKER.counters.copy()
    if len(docs) == 1:
        recs = [process_one(_WORKER, docs[0])]
    else:
        recs = list(process_windows(_WORKER, docs))
    return recs, _WORKER.counters.since(before)


def run_inline(settings: Settings, docs: Iterable[InputDoc],
               counters: Counters | None = None) -> Iterator[dict]:
    """Records in input order from this process; ``counters`` (if given) sums the work done."""
    limit_blas_threads()
    pipeline = Pipeline(settings)
    before = pipeline.counters.copy()
    for rec in process_windows(pipeline, docs):
        if counters is not None:
            counters.add(pipeline.counters.since(before))
            before = pipeline.counters.copy()
        yield rec


# Modules whose native libraries may run threads of their own or hold much memory (BLAS
# pools, the model): a process that loaded one is not forked.
_NO_FORK_AFTER = ("numpy", "spacy", "thinc", "torch", "sudachipy")

# The model server this process started (start_model_server): the settings it loaded.
_SERVER: list[Settings] = []
# Whether the server may be a fork of this process (run.modelserver.serve_forked) rather than
# the fresh interpreter multiprocessing starts; tests turn it off to exercise that one.
_FORK_SERVER = True


def model_server_possible() -> bool:
    """Whether this platform can run a model server (multiprocessing's fork server: Unix)."""
    import multiprocessing

    return (sys.platform.startswith("linux")
            and "forkserver" in multiprocessing.get_all_start_methods())


def start_model_server(settings: Settings) -> bool:
    """Start loading the model for the workers of a coming pool in a process of its own (see
    run.modelserver), and return at once: True when the pool's workers will be forked from it.

    It is multiprocessing's fork server with the model loaded in it (run.modelserver: a fork
    of this process where it can be, else a fresh interpreter that preloads it): one per
    process (a later pool forks from the same server, and takes its model when it asks for
    the same one). The workers' BLAS threads are limited before it starts, as for any pool."""
    if not model_server_possible():
        return False
    import multiprocessing
    from multiprocessing import forkserver

    from rouei.extract.run import modelserver

    limit_blas_threads()
    if not (_FORK_SERVER and modelserver.serve_forked(settings)):
        multiprocessing.get_context("forkserver").set_forkserver_preload(["rouei.extract.run.modelserver"])
        os.environ[modelserver.SETTINGS_ENV] = modelserver.encode(settings)
        try:
            forkserver.ensure_running()  # a server already running keeps the model it has
        finally:
            os.environ.pop(modelserver.SETTINGS_ENV, None)
    _SERVER[:] = [settings]
    return True


def stop_model_server() -> None:
    """End the model server now (a run that stops before its pool starts), rather than once
    this process ends: it would go on loading the model for nobody until then."""
    if not _SERVER:
        return
    from multiprocessing import forkserver

    server = forkserver._forkserver
    pid = getattr(server, "_forkserver_pid", None)
    # ForkServer._stop closes the server's pipe and reaps it, so that a later pool of this
    # process starts a new one; it is private (the standard library's tests use it), so
    # should it be gone, the server (killed all the same) is restarted on demand anyway.
    stop = getattr(server, "_stop", None)
    try:
        if pid:
            os.kill(pid, signal.SIGKILL)
        if stop is not None:
            stop()
    except OSError as exc:
        log.debug("stopping the model server: %s", exc)
    _SERVER.clear()


def _pool_context():
    """How pool workers start. From the model server when this process started one (each
    worker a fork of a process with the model loaded). Else a spawned worker is a fresh
    interpreter that imports rouei again (~0.2 s here, 0.5 s of CPU on a busy machine, per
    worker, before its first document). So workers are forked from this process when that is
    safe: on Linux, from a process with one thread (forking copies only the calling thread,
    and a lock another thread held stays locked) that has loaded none of _NO_FORK_AFTER (the
    command line has not: the workers import spaCy and load the model themselves). Otherwise
    they are spawned."""
    import multiprocessing
    import threading

    if _SERVER:
        return multiprocessing.get_context("forkserver")
    if (sys.platform.startswith("linux") and threading.active_count() == 1
            and not any(name in sys.modules for name in _NO_FORK_AFTER)
            and "fork" in multiprocessing.get_all_start_methods()):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _PoolBackend:
    def __init__(self, settings: Settings, jobs: int, eager: bool = False) -> None:
        self.settings, self.jobs, self.eager = settings, jobs, eager
        self._start()

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor

        limit_blas_threads()  # inherited by the workers: N workers on N cores
        context = _pool_context()
        forked = context.get_start_method() == "fork"
        if forked:
            flush_std_streams()  # else a worker writes their buffers again
        env = os.environ.get("ROUEI_RULES")
        self.ex = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_pool_worker,
                                      initargs=(self.settings, self.eager, forked,
                                                os.path.abspath(env) if env else None))

    def _kill(self) -> None:
        for proc in list((getattr(self.ex, "_processes", None) or {}).values()):
            proc.kill()

    def wait_ready(self) -> None:
        for f in [self.ex.submit(_ready, self.settings) for _ in range(self.jobs)]:
            f.result()

    def submit(self, docs: list[InputDoc]):
        return self.ex.submit(_work, self.settings, docs)

    @staticmethod
    def result(handle, timeout: float | None) -> tuple[list[dict], Counters]:
        return handle.result(timeout=timeout)

    def reset(self) -> None:
        """Kill every worker (one may be stuck) and start fresh ones."""
        self._kill()
        self.ex.shutdown(wait=False, cancel_futures=True)
        self._start()
        if self.eager:
            self.wait_ready()

    def timed_out(self, handle) -> bool:
        """A stuck worker cannot be told apart from the others: replace them all."""
        self.reset()
        return True

    def close(self, abort: bool = False) -> None:
        if abort:  # interrupted: do not wait for the documents in progress
            self._kill()
        self.ex.shutdown(wait=True, cancel_futures=True)


def _warm(settings: Settings) -> bool:
    """A Dask worker's pipeline for ``settings``, built (model loaded) only if it has none."""
    if _WORKER is None or _WORKER.settings != settings:
        _init_worker(settings, eager=True)
    return True


def _dask_work(settings: Settings, rules_env: str | None, rules_sha: str,
               docs: list[InputDoc]) -> tuple[list[dict], Counters]:
    """A window of documents on a Dask worker, with the client's rule files (ROUEI_RULES) for
    the time of the task. A worker whose rules differ from the client's says so in the log;
    the record's ``extractor.rules`` names the rules that made it."""
    old = os.environ.get("ROUEI_RULES")
    if rules_env:
        os.environ["ROUEI_RULES"] = rules_env
    try:
        recs, done = _work(settings, docs)
    finally:
        if rules_env:
            if old is None:
                os.environ.pop("ROUEI_RULES", None)
            else:
                os.environ["ROUEI_RULES"] = old
    for rec in recs:
        used = rec.get("extractor", {}).get("rules")
        if used and used != rules_sha:
            log.warning("%s: the worker's rules (%s) differ from the client's (%s)",
                        rec.get("doc_id"), used[:12], rules_sha[:12])
    return recs, done


class _DaskBackend:
    """Tasks carry everything a worker needs, resolved on the client: absolute input paths,
    the absolute cache folder, ROUEI_RULES and the rules hash. A worker of a shared scheduler
    may run in any folder, started long before this run."""

    def __init__(self, settings: Settings, jobs: int, scheduler: str | None) -> None:
        from distributed import Client, LocalCluster

        from rouei.extract.core import rules

        if settings.cache_dir:
            settings = dataclasses.replace(settings, cache_dir=os.path.abspath(settings.cache_dir))
        self.settings = settings
        env = os.environ.get("ROUEI_RULES")
        self.rules_env = os.path.abspath(env) if env else None
        self.rules_sha = rules.rules_hash()
        if scheduler:
            self.cluster = None
            self.client = Client(scheduler)
        else:
            limit_blas_threads()
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)

    def submit(self, docs: list[InputDoc]):
        docs = [dataclasses.replace(doc, path=doc.path.absolute())
                if doc.path is not None and not doc.path.is_absolute() else doc for doc in docs]
        return self.client.submit(_dask_work, self.settings, self.rules_env, self.rules_sha, docs,
                                  pure=False)

    @staticmethod
    def result(handle, timeout: float | None) -> tuple[list[dict], Counters]:
        return handle.result(timeout=timeout)

    def wait_ready(self) -> None:
        self.client.run(_warm, self.settings)

    def timed_out(self, handle) -> bool:
        """Cancel the task that overran, and no other. On a LocalCluster of this run the worker
        that holds it is restarted too (a stuck regex is only stopped by ending its process);
        on a shared scheduler the other clients' workers are left alone. False: the other
        documents in flight need not be resubmitted."""
        worker = None
        if self.cluster is not None:
            busy = self.client.processing()
            worker = next((w for w, keys in busy.items() if handle.key in keys), None)
        handle.cancel()
        if worker is not None:
            try:
                self.client.restart_workers([worker])
            except Exception as exc:  # noqa: BLE001 - the task is cancelled all the same
                log.warning("cannot restart Dask worker %s: %s", worker, exc)
            self.wait_ready()
        return False

    def close(self, abort: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


# Documents a worker takes at once (their parses are batched, see pipeline.process_windows):
# enough for the batch to pay, few enough that the workers share the end of a run. A task
# also ends once its files reach TASK_BYTES: 24 short notices are ~40 kB, while 24 notices of
# 6,000 characters would make so few tasks that one worker is left with the last alone (63 such
# notices made 3 tasks for 2 workers); long notices batch their own sentences anyway.
TASK_DOCS = 24
TASK_BYTES = 48_000


# At the end of the input, tasks shrink so that the workers finish together instead of one
# waiting for the other's last task (24 short notices are ~0.4 s of a cold worker's time, a
# task of three 6,000-character notices several seconds): once the rest of the input is known
# (read ahead, TAIL_AHEAD tasks' worth per worker), a task takes a 1/(2 x workers) share of
# what is left, and no less than a 1/TAIL_FLOOR of a full task (their parses batch less).
TAIL_AHEAD = 2
TAIL_FLOOR = 4


def _tasks(docs: Iterable[InputDoc], task_docs: int, max_bytes: int,
           workers: int) -> Iterator[list[InputDoc]]:
    """The input in order, in tasks cut by ``_take``, smaller at the end (see TAIL_AHEAD).
    Reads at most TAIL_AHEAD x ``workers`` tasks' documents ahead."""
    it = iter(docs)
    ahead: deque[InputDoc] = deque()
    horizon = TAIL_AHEAD * workers * task_docs
    ended = False

    def pending() -> Iterator[InputDoc]:
        while ahead:
            yield ahead.popleft()

    while True:
        while not ended and len(ahead) < horizon:
            doc = next(it, None)
            if doc is None:
                ended = True
            else:
                ahead.append(doc)
        if not ahead:
            return
        n, size = task_docs, max_bytes
        if ended and task_docs > 1:
            parts = 2 * workers
            n = max(min(task_docs, -(-len(ahead) // parts)), -(-task_docs // TAIL_FLOOR))
            left = sum(d.size_hint() for d in ahead)
            size = max(min(max_bytes, -(-left // parts)), max_bytes // TAIL_FLOOR)
        yield _take(pending(), n, size)


def _take(it: Iterator[InputDoc], docs: int, max_bytes: int) -> list[InputDoc]:
    """The next task: up to ``docs`` documents, ending at the first that brings the bytes to
    ``max_bytes`` (one document at least, however large)."""
    task: list[InputDoc] = []
    size = 0
    for doc in it:
        task.append(doc)
        size += doc.size_hint()
        if len(task) >= docs or size >= max_bytes:
            break
    return task


def likely_cold(settings: Settings, docs: list[InputDoc]) -> bool:
    """Whether a run that starts with ``docs`` will parse: it has no parse cache, or none of
    them has an entry there. (In a warm run about half the notices have one: those that ask
    for a parse; four without one is then a 1-in-20 chance.)"""
    if not settings.cache_dir:
        return True
    try:
        pipeline = Pipeline(settings)
    except Exception:  # noqa: BLE001 - the rules check, which comes next, tells what is wrong
        log.debug("cannot probe the parse cache", exc_info=True)
        return False
    return not any(has_cached_parses(pipeline, doc) for doc in docs)


def run_parallel(settings: Settings, docs: Iterable[InputDoc], jobs: int = 2,
                 engine: str = "processes", scheduler: str | None = None,
                 doc_timeout: float | None = None, window: int | None = None,
                 counters: Counters | None = None) -> Iterator[dict]:
    """Records in input order from a pool of workers, at most ``window`` tasks in flight;
    ``counters`` (if given) sums the work the workers report.

    A task is a window of up to TASK_DOCS documents, or one document with a time limit
    (``doc_timeout`` is per document, and a window that overran could not say whose fault it
    was). A window whose worker died is run again one document per task, so that only the
    document that kills a worker gets the error record.

    When the workers come from a model server that is still loading the model, this process
    meanwhile makes the records of the documents that need no parse itself (``_ParentPass``;
    not with a time limit, which only a worker's death can enforce)."""
    backend = (_DaskBackend(settings, jobs, scheduler) if engine == "dask"
               else _PoolBackend(settings, jobs, eager=doc_timeout is not None))
    if engine != "dask" and doc_timeout is None and _SERVER and isinstance(backend, _PoolBackend):
        parent = _ParentPass.for_pool(settings, backend)
        yield from parent.merge(_run_pool(backend, parent.feed(docs), jobs, engine, doc_timeout,
                                          window, counters), counters)
    else:
        yield from _run_pool(backend, docs, jobs, engine, doc_timeout, window, counters)


def _run_pool(backend, docs: Iterable[InputDoc], jobs: int, engine: str,
              doc_timeout: float | None, window: int | None,
              counters: Counters | None) -> Iterator[dict]:
    """run_parallel's records from ``backend`` (see there), which this closes at the end."""
    from concurrent.futures.process import BrokenProcessPool  # loads multiprocessing

    finished = False
    task_docs = 1 if doc_timeout is not None else TASK_DOCS
    try:
        if doc_timeout is not None:
            backend.wait_ready()  # time limits count from a loaded worker, not from start-up
        window = window or (max(4, 4 * jobs) if task_docs == 1 else 2 * jobs)
        inflight: deque[tuple[list[InputDoc], object, float]] = deque()
        tasks = _tasks(docs, task_docs, TASK_BYTES, jobs)
        last_done = time.monotonic()
        while True:
            while len(inflight) < window:
                task = next(tasks, None)
                if not task:
                    break
                inflight.append((task, backend.submit(task), time.monotonic()))
            if not inflight:
                finished = True
                return
            task, handle, submitted = inflight.popleft()
            try:
                limit = None
                if doc_timeout is not None:
                    # In FIFO order the head document started no earlier than it was submitted
                    # nor than the previous result came back; count its time from the later.
                    began = max(submitted, last_done)
                    limit = max(doc_timeout - (time.monotonic() - began), 0.0)
                recs, done = backend.result(handle, limit)
                if counters is not None:
                    counters.add(done)
                yield from recs
                last_done = time.monotonic()
            except (FutureTimeout, TimeoutError):
                doc = task[0]  # a task with a time limit holds one document
                yield error_record(doc.doc_id, "timeout",
                                   f"[E005] Document timed out after {doc_timeout:g} s", doc.source)
                if backend.timed_out(handle):
                    _resubmit(backend, inflight)
                last_done = time.monotonic()
            except BrokenProcessPool as exc:
                assert isinstance(backend, _PoolBackend)  # only a process pool breaks so
                backend.reset()
                if len(task) > 1:
                    _resubmit(backend, inflight, split=task)
                else:
                    # the pool breaks for every task in it: run this one alone to tell
                    yield from _alone(backend, task[0], doc_timeout, counters, exc)
                    _resubmit(backend, inflight)
                last_done = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - a Dask worker lost (KilledWorker), a task cancelled
                if engine != "dask":
                    raise
                if len(task) > 1:
                    _resubmit(backend, inflight, split=task, again=False)
                else:
                    yield error_record(task[0].doc_id, "worker",
                                       f"[E010] Worker process died: {type(exc).__name__}: {exc}",
                                       task[0].source)
                last_done = time.monotonic()
    finally:
        backend.close(abort=not finished)


# The most documents the parent's own pass takes (see _ParentPass) before it hands the rest to
# the workers, however far the model server is: its records wait in memory until the workers'
# first ones come back.
PARENT_MAX_DOCS = 1_000


class _NeedsModel(BaseException):
    """A document of the parent's pass asks for a parse, so it goes to the workers. Not an
    Exception: no handler on the way (one bad notice becomes an error record) may catch it."""


class _ModelFree(Pipeline):
    """The parent's pipeline: the same analysis, with no model to parse with."""

    def model(self):
        raise _NeedsModel

    def parse(self, texts: list[str], keep: bool, batch_chars: int | None = None) -> list:
        if texts:
            raise _NeedsModel
        return []


def _started() -> float:
    """Run by a pool's first worker: the seconds its pipeline spent loading the model before
    it started (in the model server it was forked from), for the run's counters."""
    return _WORKER.counters.model_seconds if _WORKER is not None else 0.0


class _ParentPass:
    """The documents this process analyses itself while the model server loads the model.

    A pool forked from a model server has no worker until the server has loaded the model
    (about 1.2 s of one core), and the other core would idle meanwhile. So the parent takes
    the documents in order and makes the record of each that needs no parse (about half of
    short real notices; every one whose parses a warm cache holds); a document that asks for
    one goes to the workers, re-analysed there from the start. Once the first worker is up
    (a thread waits for it) or PARENT_MAX_DOCS are taken, every further document goes to the
    workers. The records of both come out in input order (``merge``)."""

    def __init__(self, settings: Settings, ready: threading.Event) -> None:
        self.pipeline = _ModelFree(settings)
        # per document taken, in input order: its record (made here) or None (sent on)
        self.order: deque[dict | None] = deque()
        self.ready = ready  # set once the pool has a worker
        self.server_seconds = 0.0  # the model server's load, which no task counts

    @classmethod
    def for_pool(cls, settings: Settings, backend: _PoolBackend) -> _ParentPass:
        """A pass that ends once ``backend`` has its first worker (a thread starts it)."""
        ready = threading.Event()
        passing = cls(settings, ready)

        def wait_worker() -> None:
            try:
                # the first worker starts once the server has the model
                passing.server_seconds = backend.ex.submit(_started).result()
                log.debug("the first worker is up; this process has taken %d documents",
                          len(passing.order))
            except BaseException as exc:  # noqa: BLE001 - the pool's own handling tells the run
                log.debug("the first worker did not start: %s", exc)
            finally:
                ready.set()

        threading.Thread(target=wait_worker, name="rouei-pool-start", daemon=True).start()
        return passing

    def feed(self, docs: Iterable[InputDoc]) -> Iterator[InputDoc]:
        """The documents for the workers, in input order: those this process could not do."""
        it = iter(docs)
        sent: list[InputDoc] = []
        for doc in it:
            if self.ready.is_set() or len(self.order) >= PARENT_MAX_DOCS:
                self.order.append(None)
                sent.append(doc)
                break
            rec = self._record(doc)
            self.order.append(rec)
            if rec is None:
                sent.append(doc)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("while the model server loaded the model, this process made %d of the "
                      "first %d records", sum(rec is not None for rec in self.order),
                      len(self.order))
        yield from sent
        for doc in it:
            self.order.append(None)
            yield doc

    def _record(self, doc: InputDoc) -> dict | None:
        before = self.pipeline.counters.copy()
        try:
            return process_one(self.pipeline, doc)
        except _NeedsModel:
            self.pipeline.counters = before  # the worker that parses it counts it
            return None

    def merge(self, records: Iterator[dict], counters: Counters | None) -> Iterator[dict]:
        """Every record in input order: this process's, and ``records`` (the workers')."""
        order = self.order
        try:
            for rec in records:
                while order and order[0] is not None:
                    yield order.popleft()  # type: ignore[misc]
                sent = order.popleft()  # the place of the document ``rec`` is the record of
                assert sent is None
                yield rec
            while order:
                left = order.popleft()
                assert left is not None
                yield left
        finally:
            close = getattr(records, "close", None)
            if close is not None:
                close()  # the pool goes now, also when the run stopped early
            if counters is not None:
                counters.add(self.pipeline.counters)
                counters.model_seconds += self.server_seconds


def _alone(backend: _PoolBackend, doc: InputDoc, doc_timeout: float | None,
           counters: Counters | None, exc: Exception) -> Iterator[dict]:
    """The record of a document that was in a pool when a worker died, run again alone on the
    fresh pool: an error record only if it ends that worker too (or overruns its limit)."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        recs, done = backend.result(backend.submit([doc]), doc_timeout)
    except BrokenProcessPool as again:
        backend.reset()
        yield error_record(doc.doc_id, "worker", f"[E010] Worker process died: {again or exc}", doc.source)
        return
    except (FutureTimeout, TimeoutError):
        backend.reset()
        yield error_record(doc.doc_id, "timeout",
                           f"[E005] Document timed out after {doc_timeout:g} s", doc.source)
        return
    if counters is not None:
        counters.add(done)
    yield from recs


def _resubmit(backend, inflight: deque, split: list[InputDoc] | None = None,
              again: bool = True) -> None:
    """Put a lost window's documents (``split``) in front of the tasks in flight, one per
    task, and submit again the tasks that were in flight with it (``again``: their workers
    are new)."""
    pending = [([doc], None, 0.0) for doc in split or []]
    if again:
        pending += list(inflight)
        inflight.clear()
    for task, _, _ in reversed(pending):
        inflight.appendleft((task, backend.submit(task), time.monotonic()))


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)))
