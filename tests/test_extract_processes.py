"""Killing ``rouei extract --jobs N`` takes its workers (and multiprocessing's resource tracker)
with it: none is left running under init. Real processes, killed by pid."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

LINES = [
    "{y}年{m}月{d}日、当社の委託先で顧客情報{n:,}件が流出した可能性があることが判明しました。",
    "漏えいした情報は氏名、住所、電話番号ですが、クレジットカード情報は含まれておりません。",
]


def _corpus(root: Path, n: int) -> Path:
    src = root / "docs"
    src.mkdir()
    for i in range(n):
        body = "\n".join(s.format(y=2015 + i % 9, m=1 + i % 12, d=1 + i % 27, n=100 + i) for s in LINES * 4)
        (src / f"n{i:03d}.txt").write_text(f"株式会社テスト{i}商事 お知らせ\n{body}\n", encoding="utf-8")
    return src


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid``."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry))
    return found


def _descendants(pid: int) -> set[int]:
    """Live processes under ``pid``: its children, theirs, and so on (a model server's
    workers are the run's grandchildren)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        kids = _children(todo.pop())
        todo.extend(kids - found)
        found |= kids
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, only not yet reaped


def _start(tmp_path: Path, jobs: int):
    src = _corpus(tmp_path, 80)
    out = tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    proc = subprocess.Popen([sys.executable, "-m", "rouei.extract.cli", "extract", str(src), "-o", str(out),
                             "--quiet", "--no-cache", "--jobs", str(jobs)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if part.exists() and part.read_text(encoding="utf-8").count("\n") >= 1:
            break  # the workers are up and working
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    kids = _descendants(proc.pid)
    # the workers (forked by the model server, or by the run), the resource tracker
    assert len(kids) >= 3, kids
    return proc, kids, out, part


def _wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {p for p in pids if _alive(p)}
        if not left:
            return set()
        time.sleep(0.1)
    return {p for p in pids if _alive(p)}


def _cleanup(pids: set[int]) -> None:
    for p in pids:
        if _alive(p):
            os.kill(p, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_extract_processes_workers_die_with_the_parent(tmp_path, sig):
    proc, kids, out, part = _start(tmp_path, jobs=2)
    try:
        os.kill(proc.pid, sig)
        code = proc.wait(timeout=60)
        left = _wait_gone(kids, 20)
        assert not left, f"left running after {sig.name}: {left}"
    finally:
        _cleanup(kids)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr
    assert not out.exists()
    for line in part.read_text(encoding="utf-8").splitlines()[:-1]:
        json.loads(line)
    if sig == signal.SIGTERM:
        assert code == 128 + signal.SIGTERM
        assert "--resume" in stderr
        assert not (tmp_path / "out.jsonl.lock").exists()


def test_extract_processes_sigterm_in_process_run_keeps_part_only(tmp_path):
    src = _corpus(tmp_path, 80)
    out = tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    proc = subprocess.Popen([sys.executable, "-m", "rouei.extract.cli", "extract", str(src), "-o", str(out),
                             "--quiet", "--no-cache"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if part.exists() and part.read_text(encoding="utf-8").count("\n") >= 1:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not out.exists()
    recs = [json.loads(x) for x in part.read_text(encoding="utf-8").splitlines()]
    assert recs and all("error" not in r for r in recs), "the signal became an error record"


def test_extract_processes_pool_forks_only_when_safe(monkeypatch):
    """Workers are forked from a lean single-threaded process on Linux (rouei's modules come
    with them), spawned from one that loaded a native library or runs another thread."""
    import threading

    from rouei.extract.run import runner

    monkeypatch.setattr(runner, "_SERVER", [])  # no model server started by another test
    for name in runner._NO_FORK_AFTER:
        monkeypatch.delitem(sys.modules, name, raising=False)
    lean = "fork" if sys.platform.startswith("linux") else "spawn"
    with monkeypatch.context() as m:  # threads other tests left (a test server's) aside
        m.setattr(threading, "active_count", lambda: 1)
        assert runner._pool_context().get_start_method() == lean
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert runner._pool_context().get_start_method() == "spawn"
    finally:
        stop.set()
        other.join()
    monkeypatch.setitem(sys.modules, "numpy", object())
    assert runner._pool_context().get_start_method() == "spawn"


@pytest.mark.slow
def test_extract_processes_forked_workers_give_the_records_of_one_process(tmp_path):
    """The command line forks its workers: their records are those of --jobs 1, and they log
    as spawned ones did (no INFO lines of theirs under -v, only the run's summary)."""
    src = _corpus(tmp_path, 30)
    outs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.jsonl"
        res = subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", str(src), "-o", str(out),
                              "--cache", str(tmp_path / f"cache{jobs}"), "--quiet", "-v", "--jobs", str(jobs)],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr
        outs[jobs] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        if jobs == 2:
            assert [ln for ln in res.stderr.splitlines() if ln.startswith("INFO")] == [
                ln for ln in res.stderr.splitlines() if ln.startswith("INFO rouei.extract.run.command")]
    assert outs[2] == outs[1]


def test_progress_bar_starts_no_thread():
    """The bar leaves the parent with one thread, so that --jobs can fork its workers."""
    import threading

    from rouei.extract.run import command

    before = threading.active_count()
    bar = command._bar(False)
    try:
        bar.update(1)
        assert threading.active_count() == before
    finally:
        bar.close()
