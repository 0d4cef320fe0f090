"""``rouei extract`` against odd inputs, bad output paths and shared runs: no traceback, no
lost notice, a clear message and the documented exit code. These run the real CLI."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT

NOTE = "株式会社テスト商事 お知らせ\n2024年1月5日、当社の委託先で顧客情報{n}件が流出しました。\n"


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "rouei.extract.cli", "extract", *args, "--quiet", "--no-cache"]


def _run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(*args), cwd=ROOT, capture_output=True, text=True, timeout=300, **kw)


def _docs(root: Path) -> Path:
    src = root / "docs"
    for sub in ("a", "b"):
        (src / sub).mkdir(parents=True)
        (src / sub / "index.html").write_text(f"<p>{NOTE.format(n=100 if sub == 'a' else 200)}</p>",
                                              encoding="utf-8")
    (src / "x.txt").write_text(NOTE.format(n=300), encoding="utf-8")
    (src / "x.html").write_text(f"<p>{NOTE.format(n=400)}</p>", encoding="utf-8")
    os.symlink("missing.txt", src / "dangling.txt")
    os.symlink("loop", src / "loop")
    return src


@pytest.mark.parametrize("bad", ["dir", "under_file"])
def test_extract_cli_bad_output_path_exits_2_before_work(tmp_path, bad):
    doc = tmp_path / "n.txt"
    doc.write_text(NOTE.format(n=1), encoding="utf-8")
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "adir" if bad == "dir" else tmp_path / "afile" / "out.jsonl"
    proc = _run(str(doc), "-o", str(out))
    assert proc.returncode == 2
    assert "[E012] Cannot write the output file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_extract_cli_second_run_on_same_output_is_refused(tmp_path):
    out = tmp_path / "out.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from rouei.extract.run.output import RecordWriter
        w = RecordWriter(Path({str(out)!r}))
        w.write({{"doc_id": "first"}})
        print("locked", flush=True)
        sys.stdin.readline()
        w.close()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        doc = tmp_path / "n.txt"
        doc.write_text(NOTE.format(n=1), encoding="utf-8")
        proc = _run(str(doc), "-o", str(out))
        assert proc.returncode == 2
        assert "E014" in proc.stderr and "another rouei extract" in proc.stderr
        assert "Traceback" not in proc.stderr
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert [json.loads(x)["doc_id"] for x in out.read_text().splitlines()] == ["first"]


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_extract_cli_every_input_gets_a_record(tmp_path, jobs):
    src = _docs(tmp_path)
    out = tmp_path / "out.jsonl"
    proc = _run(str(src), "-o", str(out), "--jobs", jobs)
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    ids = [r["doc_id"] for r in recs]
    assert ids == ["a/index.html", "b/index.html", "dangling", "loop", "x.html", "x.txt"]
    counts = {r["doc_id"]: r["incidents"][0]["counts"][0]["value"] for r in recs if "error" not in r}
    assert counts == {"a/index.html": 100, "b/index.html": 200, "x.html": 400, "x.txt": 300}
    errors = {r["doc_id"]: r["error"]["message"] for r in recs if "error" in r}
    assert "dangling symlink" in errors["dangling"] and "symlink loop" in errors["loop"]
    assert proc.returncode == 1  # two inputs failed, each said so
    assert "dangling" in proc.stderr and "loop" in proc.stderr


@pytest.mark.slow
def test_extract_cli_full_disk_is_an_error_not_a_traceback(tmp_path):
    src = tmp_path / "docs"
    src.mkdir()
    for i in range(6):
        (src / f"n{i}.txt").write_text(NOTE.format(n=100 + i), encoding="utf-8")
    out = tmp_path / "out.jsonl"

    def small_files():  # a disk that fills after 3 kB of output (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))

    proc = subprocess.run(_cmd(str(src), "-o", str(out)), cwd=ROOT, capture_output=True, text=True,
                          timeout=300, preexec_fn=small_files)
    assert proc.returncode == 1
    assert "[E012] Cannot write the output file" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    part = tmp_path / "out.jsonl.part"
    complete = part.read_bytes().split(b"\n")[:-1]
    assert complete, "the records written before the disk filled are kept for --resume"
    for line in complete:
        json.loads(line)
    assert not (tmp_path / "out.jsonl.lock").exists()


@pytest.mark.slow
def test_extract_cli_unwritable_cache_warns_once_and_extracts(tmp_path):
    src = tmp_path / "docs"
    src.mkdir()
    for i in range(3):
        (src / f"n{i}.txt").write_text(NOTE.format(n=100 + i), encoding="utf-8")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", str(src), "-o", str(out),
                           "--quiet", "--jobs", "2", "--cache", str(blocker)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["incidents"][0]["counts"][0]["value"] for r in recs] == [100, 101, 102]
    assert proc.stderr.count("parse cache") == 1
