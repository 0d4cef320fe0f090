"""The conventions every ``rouei`` subcommand keeps, through the real command line: records on
stdout, a quiet end when the reader of a pipe leaves, ``--version``, exit 2 for a missing
input, and ``rouei eval`` refusing a file that is not gold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import rouei
from rouei.extract.cli import EXIT_BROKEN_PIPE, main

ROOT = Path(__file__).resolve().parent.parent

NOTICE = "2024年3月5日、当社の顧客情報1,200件が不正アクセスにより流出したことが判明しました。"


def _rouei(*args: str) -> list[str]:
    return [sys.executable, "-m", "rouei.extract.cli", *args]


def _record(doc_id: str) -> dict:
    return {"schema_version": 1, "doc_id": doc_id, "source": {"path": None}, "title": None,
            "organization": "株式会社テスト", "published": None,
            "incidents": [{"organization": None, "status": "confirmed", "dates": [], "counts": [],
                           "data_types": [{"category": "name", "leaked": True, "text": "氏名",
                                           "start": 0, "end": 2}], "causes": []}],
            "extractor": {"version": "0.1.0", "rules": "r", "model": "m"}}


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_cli_version():
    proc = subprocess.run(_rouei("--version"), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"rouei {rouei.__version__}"


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("out_args", [[], ["-o", "-"]], ids=["no-o", "dash"])
def test_cli_extract_writes_jsonl_to_stdout(tmp_path, out_args):
    a = tmp_path / "a.txt"
    a.write_text(NOTICE, encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("令和6年4月1日、氏名と住所を含む名簿を紛失しました。", encoding="utf-8")
    proc = subprocess.run(_rouei("extract", str(a), str(b), *out_args, "--no-cache"), cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["doc_id"] for r in records] == ["a", "b"]
    assert records[0]["incidents"][0]["counts"][0]["value"] == 1200
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / "-").exists()  # no file written


def test_cli_extract_resume_needs_a_file(tmp_path, capsys):
    a = tmp_path / "a.txt"
    a.write_text(NOTICE, encoding="utf-8")
    assert main(["extract", str(a), "--resume"]) == 2
    assert "--resume" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("argv, codes", [
    (["extract", "{a}", "--no-cache", "--quiet"], {EXIT_BROKEN_PIPE}),
    (["--help"], {0, EXIT_BROKEN_PIPE}),  # argparse itself drops a failed write of its help
    (["extract", "--help"], {0, EXIT_BROKEN_PIPE}),
], ids=["extract", "help", "extract-help"])
def test_cli_into_a_closed_pipe_exits_quietly(tmp_path, argv, codes):
    """The reader closes its end before the first line: the write fails, and the command ends
    quietly, with nothing but its own lines on stderr (no BrokenPipeError traceback)."""
    a = tmp_path / "a.txt"
    a.write_text(NOTICE, encoding="utf-8")
    proc = subprocess.Popen(_rouei(*[x.format(a=a) for x in argv]), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode in codes
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()


def test_cli_report_into_a_reader_that_leaves_early_exits_quietly(tmp_path):
    """``rouei diff ... | head -n 1``: a large report into a reader that reads one line and
    closes its end. The pipe buffer cannot hold the report, so the writer meets the closed pipe."""
    old = _jsonl(tmp_path / "old.jsonl", [_record(f"doc{i:05d}") for i in range(3000)])
    new = _jsonl(tmp_path / "new.jsonl", [])
    writer = subprocess.Popen(_rouei("diff", str(old), str(new), "--json"), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"],
                              stdin=writer.stdout)
    writer.stdout.close()  # the reader holds the only read end now
    assert reader.wait(timeout=60) == 0
    _, err = writer.communicate(timeout=120)
    assert writer.returncode == EXIT_BROKEN_PIPE
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()


@pytest.mark.parametrize("argv", [
    ["eval", "{missing}", "{pred}"],
    ["eval", "{gold}", "{missing}"],
    ["review", "{missing}", "-o", "{tmp}/r.html"],
    ["review", "{pred}", "--gold", "{missing}", "-o", "{tmp}/r.html"],
    ["export", "{missing}", "--format", "csv", "-o", "{tmp}/x.csv"],
    ["stats", "{missing}"],
    ["diff", "{missing}", "{pred}"],
    ["diff", "{pred}", "{pred}", "--gold", "{missing}"],
    ["extract", "{missing}", "-o", "{tmp}/o.jsonl"],
], ids=lambda a: "-".join(x for x in a if not x.startswith("{")))
def test_cli_missing_input_is_a_usage_error(tmp_path, capsys, argv):
    paths = {"missing": str(tmp_path / "no_such.jsonl"), "tmp": str(tmp_path),
             "pred": str(_jsonl(tmp_path / "pred.jsonl", [_record("a")])),
             "gold": str(_jsonl(tmp_path / "gold.jsonl", [{"doc_id": "a", "incidents": 1}]))}
    assert main([a.format(**paths) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "no such file or directory" in err and "no_such.jsonl" in err
    assert f"usage: rouei {argv[0]}" in err
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "x.csv").exists()


def test_cli_missing_input_through_the_real_command(tmp_path):
    proc = subprocess.run(_rouei("stats", str(tmp_path / "no_such.jsonl")), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no such file or directory" in proc.stderr


@pytest.mark.parametrize("line, why", [
    (_record("a"), "prediction record"),
    ({"schema_version": 1, "doc_id": "a", "error": {"kind": "io", "message": "x"}}, "prediction record"),
    ({"incidents": 1, "dates": []}, "no doc_id"),
    (["a", 1], "not a JSON object"),
])
def test_cli_eval_refuses_a_file_that_is_not_gold(tmp_path, capsys, line, why):
    gold = _jsonl(tmp_path / "gold.jsonl", [{"doc_id": "b", "incidents": 1}, line])
    pred = _jsonl(tmp_path / "pred.jsonl", [_record("a")])
    assert main(["eval", str(gold), str(pred)]) == 2
    out, err = capsys.readouterr()
    assert why in err and "record 2" in err
    assert out == ""  # no scores for a run that was not scored


def test_cli_eval_accepts_the_gold_in_the_repository(tmp_path, capsys):
    empty = tmp_path / "pred.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main(["eval", str(ROOT / "corpus" / "gold.jsonl"), str(empty)]) == 0
    assert capsys.readouterr().out.startswith("field")


# -- ending the process at once after a command that leaves nothing running --------------------

class _Exited(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@pytest.fixture
def fake_command(monkeypatch):
    """A subcommand ``fake`` that returns 3 and asks (or not) to end the process at once; the
    exit handlers and os._exit recorded, not run (this is pytest's process)."""
    import argparse
    import types

    from rouei.extract import cli

    calls: list = []
    ask = {"exit_at_once": True}

    def add_parser(sub: argparse._SubParsersAction) -> None:
        sub.add_parser("fake").set_defaults(func=run)

    def run(args: argparse.Namespace) -> int:
        args.exit_at_once = ask["exit_at_once"]
        return 3

    module = types.ModuleType("rouei_test_fake_command")
    module.add_parser = add_parser  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(cli.COMMANDS, "fake", module.__name__)
    monkeypatch.setattr(cli.atexit, "_run_exitfuncs", lambda: calls.append("handlers"))

    def _exit(code: int) -> None:
        calls.append(("exit", code))
        raise _Exited(code)

    monkeypatch.setattr(cli.os, "_exit", _exit)
    monkeypatch.setattr(sys, "argv", ["rouei", "fake"])
    # main() without argv takes this process for the command's own: its start-up would be
    # frozen (core.startup), pytest's objects with it
    monkeypatch.setattr(cli.startup, "own_process", lambda: None)
    return calls, ask


def test_command_that_leaves_nothing_running_ends_the_process_at_once(fake_command, monkeypatch):
    calls, _ = fake_command
    monkeypatch.setattr(sys, "gettrace", lambda: None)  # as without a coverage tracer
    with pytest.raises(_Exited) as exited:
        main()  # as the rouei script calls it
    assert exited.value.code == 3 and calls == ["handlers", ("exit", 3)]


def test_command_ends_as_usual_when_called_in_process_or_not_asked(fake_command):
    calls, ask = fake_command
    assert main(["fake"]) == 3 and calls == []  # a caller in this process gets the code back
    ask["exit_at_once"] = False
    assert main() == 3 and calls == []


def test_command_ends_as_usual_under_a_profiler(fake_command):
    import cProfile

    calls, _ = fake_command
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        code = main()  # the profiler writes its file once the command returns
    finally:
        profiler.disable()
    assert code == 3 and calls == []


def test_command_ends_as_usual_while_another_thread_runs(fake_command):
    import threading

    calls, _ = fake_command
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert main() == 3 and calls == []  # the interpreter's exit waits for the thread
    finally:
        stop.set()
        worker.join()


def test_extract_ends_at_once_with_its_code_its_records_and_its_exit_handlers_run(tmp_path):
    """A real inline run ended at once: exit 1 for an error record, the record written, and the
    compiled-regex store (saved by an exit handler) on disk."""
    doc = tmp_path / "n.txt"
    doc.write_text(NOTICE, encoding="utf-8")
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache"
    proc = subprocess.run(_rouei("extract", str(doc), "-o", str(out), "--cache", str(cache),
                                 "--max-chars", "5", "--quiet"),
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "E013" in proc.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["error"]["kind"] for r in records] == ["too_long"]
    from rouei.extract.core import compiled

    assert len(compiled._read(cache / compiled.STORE_NAME)) > 300
