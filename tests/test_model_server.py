"""The model server of a --jobs run (run.modelserver) and the parent's own pass while it loads
(runner._ParentPass): real worker processes forked from a real server with the real ja_ginza
model, and real notices (the hold-out pages)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from rouei.extract.run import runner
from rouei.extract.run.inputs import iter_inputs
from rouei.extract.run.pipeline import Counters, Pipeline, Settings, process_one

from .conftest import ROOT

HOLDOUT = ROOT / "tests" / "fixtures" / "holdout"

pytestmark = pytest.mark.skipif(not runner.model_server_possible(), reason="no fork server here")


def _docs():
    return list(iter_inputs([str(HOLDOUT)]))


def _inline(settings: Settings) -> tuple[list[dict], Counters]:
    counters = Counters()
    return list(runner.run_inline(settings, _docs(), counters=counters)), counters


def _worker_state() -> dict:
    """Run in a pool worker: what it had before its first document."""
    have = runner._WORKER
    return {"model": have is not None and have.nlp is not None, "ppid": os.getppid(),
            "rules": os.environ.get("ROUEI_RULES"), "pid": os.getpid()}


def _server_pid() -> int | None:
    from multiprocessing import forkserver

    return forkserver._forkserver._forkserver_pid


@pytest.fixture(params=["forked", "spawned"])
def server(request, tmp_path, monkeypatch):
    """A model server started afresh: a fork of this process (run.modelserver.serve_forked),
    or the fresh interpreter multiprocessing starts (the fallback)."""
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    runner.stop_model_server()
    monkeypatch.setattr(runner, "_FORK_SERVER", request.param == "forked")
    assert runner.start_model_server(settings)
    cmdline = Path(f"/proc/{_server_pid()}/cmdline")
    deadline = time.monotonic() + 10  # a spawned one shows its command once it has exec'd
    while b"multiprocessing.forkserver" not in cmdline.read_bytes() and time.monotonic() < deadline:
        if request.param == "forked":
            break
        time.sleep(0.02)
    spawned = b"multiprocessing.forkserver" in cmdline.read_bytes()
    if request.param == "spawned":
        assert spawned
    elif threading.active_count() == 1:
        assert not spawned, "a single-threaded process should fork its server"
    yield settings


@pytest.mark.slow
def test_model_server_workers_start_with_the_model_loaded(server):
    backend = runner._PoolBackend(server, 2)
    try:
        state = backend.ex.submit(_worker_state).result(timeout=300)
    finally:
        backend.close()
    assert state["model"], "the worker had to load the model itself"
    assert state["ppid"] == _server_pid() != os.getpid()


@pytest.mark.slow
def test_model_server_workers_read_the_runs_rules_not_the_servers(server, tmp_path, monkeypatch):
    """The server keeps the environment it started with; each pool passes the run's."""
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    for env in (str(copy), None):
        if env is None:
            monkeypatch.delenv("ROUEI_RULES", raising=False)
        else:
            monkeypatch.setenv("ROUEI_RULES", env)
        backend = runner._PoolBackend(server, 1)
        try:
            state = backend.ex.submit(_worker_state).result(timeout=300)
        finally:
            backend.close()
        assert state["rules"] == env


@pytest.mark.slow
def test_model_server_run_gives_the_records_of_one_process(server):
    """A whole run from the server (the parent's pass while the first worker starts): the
    records of --jobs 1, in input order, and the same counts."""
    inline, counted = _inline(server)
    counters = Counters()
    got = list(runner.run_parallel(server, _docs(), jobs=2, counters=counters))
    assert got == inline
    assert (counters.docs, counters.read_chars) == (counted.docs, counted.read_chars)


@pytest.mark.slow
@pytest.mark.parametrize("limit", [None, 5])
def test_parent_pass_makes_what_needs_no_parse_and_merges_in_order(tmp_path, limit, monkeypatch):
    """The pass held open (the pool's first worker never reported): the parent makes the
    records of the pages that need no parse and sends the rest, at most PARENT_MAX_DOCS taken;
    the merged records are those of one process, in input order."""
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    inline, counted = _inline(Settings(cache_dir=str(tmp_path / "inline-cache")))
    if limit is not None:
        monkeypatch.setattr(runner, "PARENT_MAX_DOCS", limit)
    passing = runner._ParentPass(settings, threading.Event())
    backend = runner._PoolBackend(settings, 2)
    counters = Counters()
    got = list(passing.merge(runner._run_pool(backend, passing.feed(_docs()), 2, "processes", None, None,
                                              counters), counters))
    assert got == inline
    assert counters.docs == counted.docs and counters.read_chars == counted.read_chars
    made = passing.pipeline.counters.docs
    if limit is None:
        assert 0 < made < len(inline), "the corpus must hold pages of both kinds"
    else:
        assert 0 < made <= limit


def test_parent_pass_pipeline_refuses_to_parse_and_keeps_other_records(pipeline):
    """A page that asks for a parse raises (it goes to a worker); one that does not gets the
    record a pipeline with a model gives it."""
    free = runner._ModelFree(Settings())
    made = sent = 0
    for doc in _docs()[:20]:
        try:
            rec = process_one(free, doc)
        except runner._NeedsModel:
            sent += 1
            continue
        made += 1
        assert rec == process_one(pipeline, doc)
    assert made and sent
    assert free.parse([], keep=False) == []


def test_likely_cold(tmp_path):
    docs = _docs()[:4]
    assert runner.likely_cold(Settings(), docs)  # no cache: every parse is made
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    assert runner.likely_cold(settings, docs)  # an empty cache
    pipeline = Pipeline(settings)
    text = docs[2].read()[0]
    entry = pipeline.cache.path(text)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"")
    assert not runner.likely_cold(settings, docs)  # one of them is cached: a warm run
    assert runner.likely_cold(settings, docs[:2])


def test_model_server_stops_when_the_run_stops_early(tmp_path):
    """A run refused after the server started (a broken rule, say) ends the server at once;
    a later run starts a new one."""
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    assert runner.start_model_server(settings)
    pid = _server_pid()
    assert pid and Path(f"/proc/{pid}").exists()
    runner.stop_model_server()
    assert not Path(f"/proc/{pid}").exists() and not runner._SERVER
    assert runner.start_model_server(settings)
    assert _server_pid() not in (None, pid)


def _broken_rules(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    with open(copy / "causes.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[[cue]]\nclass = "malware"\npatern = "ウイルス"\nexample = "x"\n')
    return copy


def test_extract_jobs_refused_for_its_rules_stops_the_server(tmp_path, monkeypatch, capsys):
    """--jobs 2 over notices the cache lacks starts the model server before the rules are
    checked; broken rules end the run (exit 2, nothing written) and the server with it."""
    from rouei.extract.cli import main

    monkeypatch.setenv("ROUEI_RULES", str(_broken_rules(tmp_path)))
    runner.stop_model_server()
    started = []
    real = runner.start_model_server
    monkeypatch.setattr(runner, "start_model_server", lambda s: started.append(s) or real(s))
    out = tmp_path / "out.jsonl"
    code = main(["extract", str(HOLDOUT), "-o", str(out), "--cache", str(tmp_path / "cache"),
                 "--jobs", "2", "--quiet"])
    assert code == 2 and "E006" in capsys.readouterr().err
    assert started, "the server did not start: this test no longer tests its stop"
    assert not runner._SERVER and _server_pid() is None
    assert not out.exists() and not (tmp_path / "out.jsonl.part").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_extract_broken_rules_are_told_before_a_bad_input(tmp_path, monkeypatch, capsys, jobs):
    """The inputs are opened before the rules are checked (to probe the cache), but the rules'
    error still comes first, as it did; with good rules the input's comes."""
    from rouei.extract.cli import main

    argv = ["extract", os.devnull, "-o", str(tmp_path / "out.jsonl"), "--no-cache", "--jobs", jobs,
            "--quiet"]
    assert main(argv) != 0 and "E007" in capsys.readouterr().err  # not a file, folder or '-'
    monkeypatch.setenv("ROUEI_RULES", str(_broken_rules(tmp_path)))
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and "E006" in err and "E007" not in err


def test_extract_head_keeps_an_input_error_for_its_place():
    """The probe reads ahead; an input that breaks after its first documents breaks where the
    run reaches it, and one that breaks at once is told at once."""
    from rouei.extract.core.errors import RoueiError
    from rouei.extract.run.command import _head

    def broken(n: int):
        yield from _docs()[:n]
        raise RoueiError("E007", detail="a torn manifest")

    head, rest = _head(broken(2), 4)
    assert [d.doc_id for d in head] == [d.doc_id for d in _docs()[:2]]
    with pytest.raises(RoueiError, match="E007"):
        next(rest)
    with pytest.raises(RoueiError, match="E007"):
        _head(broken(0), 4)
    head, rest = _head(iter(_docs()[:3]), 4)
    assert len(head) == 3 and next(rest, None) is None


def test_model_server_warm_up_leaves_nothing_behind(pipeline, tmp_path, monkeypatch):
    """The server's warm-up parses and analyses its sample and writes a cache entry, but only
    into a temporary folder it removes: the run's cache and the temporary area are as before."""
    import tempfile

    from rouei.extract.run import modelserver

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    cache = tmp_path / "cache"
    warmed = Pipeline(Settings(cache_dir=str(cache)), nlp=pipeline.nlp)
    before = sorted(p.relative_to(cache) for p in cache.rglob("*")) if cache.exists() else []
    modelserver.warm_up(warmed)
    after = sorted(p.relative_to(cache) for p in cache.rglob("*")) if cache.exists() else []
    assert not [p for p in after if p not in before and p.suffix == ".spacy"]
    assert not list((tmp_path / "tmp").iterdir())
    assert warmed.counters.parsed_chars > 0  # it did parse: that is what it is for


def test_compile_ahead_saves_what_the_extractors_build_on_first_use(tmp_path):
    """The run compiles ahead, and saves, the patterns and tables its extractors build on
    their first notice, beyond those the rule check compiles: the server reads them. (In a
    process of its own: this one has built them long ago.)"""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from rouei.extract.core import compiled\n"
        "from rouei.extract.run import modelserver\n"
        "from rouei.extract.run.command import check_rules\n"
        "from rouei.extract.run.pipeline import Settings\n"
        "cache = sys.argv[1]\n"
        "check_rules(cache); compiled.save()\n"
        "checked = len(compiled._read(compiled._dir[0] / compiled.STORE_NAME))\n"
        "modelserver.compile_ahead(Settings(cache_dir=cache))\n"
        "print(checked, len(compiled._read(compiled._dir[0] / compiled.STORE_NAME)))\n"
    )
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path / "cache")], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    checked, ahead = map(int, res.stdout.split())
    assert ahead > checked > 0, res.stderr


@pytest.mark.slow
def test_a_worker_with_time_limits_warms_up_before_its_first_document(pipeline, tmp_path, monkeypatch):
    """A worker whose documents have time limits (eager) loads the model and analyses the
    sample notice as it starts, so that the first document's limit pays for neither; a lazy
    worker does neither, and a pipeline that has its model already (the server's, which
    warmed up before it forked) is not warmed again."""
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    monkeypatch.setattr(runner, "_WORKER", None)
    runner._init_worker(settings)
    assert runner._WORKER.nlp is None and runner._WORKER.counters.parsed_chars == 0
    monkeypatch.setattr(runner, "_WORKER", None)
    runner._init_worker(settings, eager=True)
    assert runner._WORKER.nlp is not None and runner._WORKER.counters.parsed_chars > 0
    served = Pipeline(settings, nlp=pipeline.nlp)
    monkeypatch.setattr(runner, "_WORKER", served)
    runner._init_worker(settings, eager=True)
    assert runner._WORKER is served and served.counters.parsed_chars == 0
