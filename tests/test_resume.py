"""Killed runs resume without duplicates or gaps; a document over its time limit becomes an
error record while the batch goes on. These run the real CLI in subprocesses."""

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

SENTENCES = [
    "{y}年{m}月{d}日、当社の委託先で顧客情報{n:,}件が流出した可能性があることが判明しました。",
    "漏えいした情報は氏名、住所、電話番号ですが、クレジットカード情報は含まれておりません。",
    "原因は委託先従業員による誤送信です。なお、マイナンバーや口座情報は含まれていません。",
]


def _corpus(root: Path, n: int) -> Path:
    src = root / "docs"
    src.mkdir()
    for i in range(n):
        body = "\n".join(s.format(y=2015 + i % 9, m=1 + i % 12, d=1 + i % 27, n=100 + 37 * i)
                         for s in SENTENCES * (1 + i % 3))
        (src / f"n{i:03d}.txt").write_text(f"株式会社テスト{i}商事 お知らせ\n{body}\n", encoding="utf-8")
    return src


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "rouei.extract.cli", "extract", *args, "--quiet", "--no-cache"]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def corpus_and_reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume")
    src = _corpus(root, 14)
    ref = root / "ref.jsonl"
    subprocess.run(_cmd(str(src), "-o", str(ref)), cwd=ROOT, check=True, timeout=300)
    return src, _lines(ref)


@pytest.mark.parametrize("kill_after", [0, 2, 9])
def test_resume_after_sigkill_equals_an_uninterrupted_run(corpus_and_reference, tmp_path, kill_after):
    src, reference = corpus_and_reference
    out = tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    proc = subprocess.Popen(_cmd(str(src), "-o", str(out)), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        n = len(_lines(part)) if part.exists() else 0
        if n >= kill_after and (kill_after or part.exists()):
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists(), "a killed run must not publish OUT.jsonl"
    if part.exists():
        for line in _lines(part)[:-1]:
            json.loads(line)  # every complete line is a whole record
    subprocess.run(_cmd(str(src), "-o", str(out), "--resume"), cwd=ROOT, check=True, timeout=300)
    got = _lines(out)
    ids = [json.loads(x)["doc_id"] for x in got]
    assert len(ids) == len(set(ids)), "duplicates after resume"
    assert sorted(got) == sorted(reference)
    assert ids == [json.loads(x)["doc_id"] for x in reference]  # input order kept
    assert not part.exists()


def test_resume_doc_timeout_makes_an_error_record_and_goes_on(tmp_path):
    src = tmp_path / "docs"
    src.mkdir()
    (src / "a_small.txt").write_text("2024年1月5日、氏名と住所が流出しました。\n", encoding="utf-8")
    # hundreds of sentences that each need the parser: far over a 1-second limit
    heavy = "\n".join(f"{i}件目:氏名、住所は含まれていますが、クレジットカード情報は含まれておりません。"
                      for i in range(600))
    (src / "b_heavy.txt").write_text(heavy, encoding="utf-8")
    (src / "c_small.txt").write_text("2023年12月1日、メールアドレス300件を誤送信しました。\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(_cmd(str(src), "-o", str(out), "--doc-timeout", "1"), cwd=ROOT,
                          capture_output=True, timeout=300)
    assert proc.returncode == 1
    recs = [json.loads(x) for x in _lines(out)]
    assert [r["doc_id"] for r in recs] == ["a_small", "b_heavy", "c_small"]
    assert recs[1]["error"]["kind"] == "timeout"
    assert "incidents" in recs[0] and "incidents" in recs[2]
    assert recs[2]["incidents"][0]["counts"][0]["value"] == 300
    assert b"b_heavy" in proc.stderr
