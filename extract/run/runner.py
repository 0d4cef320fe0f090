"""Running the pipeline over many documents: in process, on N worker processes, or on Dask.

Every engine streams its input through a bounded window of documents in flight, so memory
stays flat however many documents there are, and yields records in input order. With a
per-document time limit, a document that overruns becomes an error record and the workers are
replaced (a hung regex or parse cannot be interrupted from inside, only killed)."""

from __future__ import annotations

import atexit
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout

from rouei.extract.run.inputs import InputDoc
from rouei.extract.run.pipeline import Counters, Pipeline, Settings, process_one
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
# Dask worker) so the model loads once per worker, not per document.
_WORKER: Pipeline | None = None


def _init_worker(settings: Settings, eager: bool = False) -> None:
    global _WORKER
    _WORKER = Pipeline(settings)
    if eager:  # load the model now, so a document's time limit does not pay for it
        _WORKER.model()


def _init_pool_worker(settings: Settings, eager: bool = False) -> None:
    """Initializer of a pool worker process: its pipeline, and a quick exit.

    A spawned worker ends with a full interpreter shutdown, which with spaCy and the model
    loaded takes a few tenths of a second that the parent spends waiting for it. By then the
    pool has had every result and the parse cache entries are on disk, so the worker leaves
    at once instead, after flushing its output streams."""
    _init_worker(settings, eager)
    atexit.register(_quick_exit)  # only once the worker is up: a failed start exits as usual


def _quick_exit() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


def _ready(settings: Settings) -> bool:
    """A task that returns once this worker's pipeline (and model) is loaded."""
    if _WORKER is None:
        _init_worker(settings, eager=True)
    time.sleep(0.2)  # hold the worker so the next ping goes to another one
    return True


def _work(settings: Settings, doc: InputDoc) -> tuple[dict, Counters]:
    """The record of one document and what the worker did for it."""
    global _WORKER
    if _WORKER is None or _WORKER.settings != settings:
        _WORKER = Pipeline(settings)
    before = _WORKER.counters.copy()
    rec = process_one(_WORKER, doc)
    return rec, _WORKER.counters.since(before)


def run_inline(settings: Settings, docs: Iterable[InputDoc],
               counters: Counters | None = None) -> Iterator[dict]:
    """Records in input order from this process; ``counters`` (if given) sums the work done."""
    limit_blas_threads()
    pipeline = Pipeline(settings)
    for doc in docs:
        before = pipeline.counters.copy()
        rec = process_one(pipeline, doc)
        if counters is not None:
            counters.add(pipeline.counters.since(before))
        yield rec


class _PoolBackend:
    def __init__(self, settings: Settings, jobs: int, eager: bool = False) -> None:
        self.settings, self.jobs, self.eager = settings, jobs, eager
        self._start()

    def _start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        limit_blas_threads()  # inherited by the workers: N workers on N cores
        self.ex = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=_init_pool_worker, initargs=(self.settings, self.eager))

    def wait_ready(self) -> None:
        for f in [self.ex.submit(_ready, self.settings) for _ in range(self.jobs)]:
            f.result()

    def submit(self, doc: InputDoc):
        return self.ex.submit(_work, self.settings, doc)

    @staticmethod
    def result(handle, timeout: float | None) -> tuple[dict, Counters]:
        return handle.result(timeout=timeout)

    def reset(self) -> None:
        """Kill every worker (one may be stuck) and start fresh ones."""
        for proc in list(getattr(self.ex, "_processes", {}).values()):
            proc.kill()
        self.ex.shutdown(wait=False, cancel_futures=True)
        self._start()
        if self.eager:
            self.wait_ready()

    def close(self) -> None:
        self.ex.shutdown(wait=True, cancel_futures=True)


class _DaskBackend:
    def __init__(self, settings: Settings, jobs: int, scheduler: str | None) -> None:
        from distributed import Client, LocalCluster

        self.settings = settings
        if scheduler:
            self.cluster = None
            self.client = Client(scheduler)
        else:
            limit_blas_threads()
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)

    def submit(self, doc: InputDoc):
        return self.client.submit(_work, self.settings, doc, pure=False)


    @staticmethod
    def result(handle, timeout: float | None) -> tuple[dict, Counters]:
        return handle.result(timeout=timeout)

    def wait_ready(self) -> None:
        self.client.run(_init_worker, self.settings, True)

    def reset(self) -> None:
        self.client.restart()
        self.wait_ready()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def run_parallel(settings: Settings, docs: Iterable[InputDoc], jobs: int = 2,
                 engine: str = "processes", scheduler: str | None = None,
                 doc_timeout: float | None = None, window: int | None = None,
                 counters: Counters | None = None) -> Iterator[dict]:
    """Records in input order from a pool of workers, at most ``window`` documents in flight;
    ``counters`` (if given) sums the work the workers report."""
    from concurrent.futures.process import BrokenProcessPool  # loads multiprocessing

    backend = (_DaskBackend(settings, jobs, scheduler) if engine == "dask"
               else _PoolBackend(settings, jobs, eager=doc_timeout is not None))
    if doc_timeout is not None:
        backend.wait_ready()  # time limits count from a loaded worker, not from start-up
    window = window or max(4, 4 * jobs)
    inflight: deque[tuple[InputDoc, object, float]] = deque()
    it = iter(docs)
    last_done = time.monotonic()
    try:
        while True:
            while len(inflight) < window:
                doc = next(it, None)
                if doc is None:
                    break
                inflight.append((doc, backend.submit(doc), time.monotonic()))
            if not inflight:
                return
            doc, handle, submitted = inflight.popleft()
            try:
                limit = None
                if doc_timeout is not None:
                    # In FIFO order the head document started no earlier than it was submitted
                    # nor than the previous result came back; count its time from the later.
                    began = max(submitted, last_done)
                    limit = max(doc_timeout - (time.monotonic() - began), 0.0)
                rec, done = backend.result(handle, limit)
                if counters is not None:
                    counters.add(done)
                yield rec
                last_done = time.monotonic()
            except (FutureTimeout, TimeoutError):
                yield error_record(doc.doc_id, "timeout",
                                   f"[E005] Document timed out after {doc_timeout:g} s", doc.source)
                _restart(backend, inflight)
                last_done = time.monotonic()
            except BrokenProcessPool as exc:
                yield error_record(doc.doc_id, "worker", f"[E010] Worker process died: {exc}", doc.source)
                _restart(backend, inflight)
                last_done = time.monotonic()
    finally:
        backend.close()


def _restart(backend, inflight: deque) -> None:
    """Replace the workers and resubmit the documents that were in flight with the lost one."""
    backend.reset()
    pending = list(inflight)
    inflight.clear()
    for doc, _, _ in pending:
        inflight.append((doc, backend.submit(doc), time.monotonic()))


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)))
