"""Extraction on Dask workers that run elsewhere: tasks carry absolute paths, the cache folder,
ROUEI_RULES and the rules hash; a time-out cancels its own task only. And a record names the
rules that made it, also when they are edited under a long-lived process."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from rouei.extract.core import rules
from rouei.extract.run.inputs import iter_inputs
from rouei.extract.run.pipeline import Pipeline, Settings

NOTE = "株式会社テスト{i}商事 お知らせ\n2024年1月{d}日、当社の委託先で顧客情報{n}件が流出しました。住所は含まれておりません。\n"


def _rules_copy(dst):
    shutil.copytree(rules.rules_dir(), dst, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    with open(dst / "status.toml", "a", encoding="utf-8") as fh:
        fh.write("\n# a researcher's edit\n")
    return dst


def test_dask_engine_edited_rules_change_the_records_hash(nlp, tmp_path, monkeypatch):
    copy = _rules_copy(tmp_path / "rules")
    monkeypatch.setenv("ROUEI_RULES", str(copy))
    monkeypatch.setattr(rules, "RECHECK_SECONDS", 0.0)
    pipe = Pipeline(Settings(), nlp=nlp)
    text = NOTE.format(i=1, d=5, n=120)
    before = pipe.process("d", text)["extractor"]["rules"]
    assert before == rules.rules_hash()
    with open(copy / "counters.toml", "a", encoding="utf-8") as fh:
        fh.write("\n# edited while the process runs\n")
    os.utime(copy / "counters.toml", ns=(time.time_ns() + 10**9,) * 2)
    after = pipe.process("d", text)["extractor"]["rules"]
    assert after != before and after == rules.rules_hash()



def test_rules_pinned_one_version_for_a_document(tmp_path, monkeypatch):
    """Inside rules.pinned() an edit to rules/ is not seen (one document, one rules version);
    after the block the next call sees it."""
    copy = _rules_copy(tmp_path / "rules")
    monkeypatch.setenv("ROUEI_RULES", str(copy))
    monkeypatch.setattr(rules, "RECHECK_SECONDS", 0.0)
    before = rules.rules_hash_cached()
    with rules.pinned() as digest:
        assert digest == before
        with open(copy / "counters.toml", "a", encoding="utf-8") as fh:
            fh.write("\n# edited in the middle of a document\n")
        os.utime(copy / "counters.toml", ns=(time.time_ns() + 10**9,) * 2)
        monkeypatch.setenv("ROUEI_RULES", str(copy) + "/")  # even a new setting waits
        assert rules.rules_hash_cached() == before
        with rules.pinned() as inner:  # nested blocks keep the outer answer
            assert inner == before
        assert rules.rules_hash_cached() == before
    after = rules.rules_hash_cached()
    assert after != before and after == rules.rules_hash()

@pytest.mark.slow
def test_dask_engine_workers_elsewhere_get_paths_cache_and_rules(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from rouei.extract.run.runner import run_parallel

    elsewhere = tmp_path / "worker_cwd"
    elsewhere.mkdir()
    here = tmp_path / "client_cwd"
    (here / "docs").mkdir(parents=True)
    for i in range(3):
        (here / "docs" / f"n{i}.txt").write_text(NOTE.format(i=i, d=5 + i, n=100 + i), encoding="utf-8")
    heavy = "\n".join(f"{k}件目:氏名、住所は含まれていますが、クレジットカード情報は含まれておりません。"
                      for k in range(4000))
    (here / "docs" / "n9_heavy.txt").write_text(heavy, encoding="utf-8")
    copy = _rules_copy(tmp_path / "rules")

    monkeypatch.chdir(elsewhere)  # the workers start in another folder, without ROUEI_RULES
    monkeypatch.delenv("ROUEI_RULES", raising=False)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    try:
        client = distributed.Client(cluster)
        monkeypatch.chdir(here)
        monkeypatch.setenv("ROUEI_RULES", str(copy))
        pids = client.run(os.getpid)
        docs = list(iter_inputs(["docs"]))  # relative paths, as a user types them
        recs = list(run_parallel(Settings(cache_dir="cache"), docs, jobs=2, engine="dask",
                                 scheduler=cluster.scheduler_address, doc_timeout=15))
        assert [r["doc_id"] for r in recs] == ["n0", "n1", "n2", "n9_heavy"]
        for r in recs[:3]:
            assert "error" not in r, r
            assert r["extractor"]["rules"] == rules.rules_hash()  # the client's ROUEI_RULES
        assert recs[3]["error"]["kind"] == "timeout"
        assert list((here / "cache").rglob("*.spacy")), "the cache is the client's folder"
        assert not (elsewhere / "cache").exists()
        assert client.run(os.getpid) == pids, "a time-out restarted workers of a shared cluster"
        client.close()
    finally:
        cluster.close()
