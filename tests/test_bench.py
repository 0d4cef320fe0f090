"""The benchmark's corpora (extract.bench_corpus): distinct notices, enough of them, and no
third-party text in the repository."""

from __future__ import annotations

import random
import re

import pytest

from rouei.extract import bench_corpus
from rouei.extract.bench_corpus import (
    OWN_DOCS,
    build_corpus,
    build_real_corpus,
    perturb,
    real_sources,
)


def test_real_corpus_has_500_distinct_notices_unlike_their_sources(tmp_path):
    files, chars = build_real_corpus(tmp_path / "real", count=500)
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert len(files) == 500 and chars == sum(map(len, texts))
    assert len(set(texts)) == 500
    sources = {p.read_text(encoding="utf-8") for p in real_sources()}
    assert not sources & set(texts)
    assert all(f.parent == tmp_path / "real" for f in files)


def test_own_notices_make_the_corpus_when_no_dev_notices(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_corpus, "DEV_DOCS", tmp_path / "absent")
    assert real_sources() == sorted(OWN_DOCS.glob("*.txt"))
    files, _ = build_real_corpus(tmp_path / "real", count=510)
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert len(set(texts)) == 510
    # each copy keeps the shape of its source: as many lines
    own = [p.read_text(encoding="utf-8") for p in sorted(OWN_DOCS.glob("*.txt"))]
    for i, text in enumerate(texts[:len(own)]):
        assert text.count("\n") == own[i].count("\n")


def test_a_notice_with_nothing_to_perturb_is_still_repeated_distinctly(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "plain.txt").write_text("市役所から書類をなくしたとの連絡がありました。\n", encoding="utf-8")
    files, _ = build_real_corpus(tmp_path / "real", count=12, source=src)
    assert len({f.read_text(encoding="utf-8") for f in files}) == 12


def test_perturb_changes_company_names_and_numbers_but_not_their_shape():
    text = "2024年5月17日、株式会社テスト技研は顧客1,284件の情報が漏えいしたと発表した。当社はアルファ電算株式会社に委託していた。"
    out = perturb(text, random.Random(3))
    assert out != text
    assert "テスト技研" not in out and "アルファ電算" not in out
    assert re.fullmatch(r"202\d年\d月\d\d日、株式会社\S+は顧客\d,\d{3}件の情報が漏えいしたと発表した。"
                        r"当社は\S+株式会社に委託していた。", out)


def test_perturb_leaves_hiragana_around_a_company_word_alone():
    text = "委託先の株式会社においてデータを削除した。"
    assert perturb(text, random.Random(1)) == text


def test_seed_corpus_reaches_the_size_asked(tmp_path):
    files, chars = build_corpus(tmp_path / "seeds", 50_000)
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert sum(len(t.encode("utf-8")) for t in texts) >= 50_000
    assert len(set(texts)) == len(texts)


def test_no_dev_notice_text_is_committed():
    """The benchmark's own notices are written for it: no 20-character run of a dev notice."""
    dev = bench_corpus.DEV_DOCS
    if not dev.is_dir():
        pytest.skip("dev notices not present")
    runs = set()
    for p in dev.glob("*.txt"):
        for line in p.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            runs.update(line[i:i + 20] for i in range(0, max(len(line) - 19, 0)))
    ours = list(OWN_DOCS.glob("*.txt"))
    assert ours
    for p in ours:
        text = p.read_text(encoding="utf-8")
        hits = [text[i:i + 20] for i in range(len(text) - 19) if text[i:i + 20] in runs]
        assert not hits, f"{p.name} shares text with a dev notice: {hits[:3]}"


def test_peak_memory_counts_the_processes_of_the_tree():
    """Each sample says how many processes the tree had: the stream check compares memory
    only from the first sample with all of them there."""
    import subprocess
    import sys

    from rouei.extract import bench

    code = ("import subprocess, sys, time\n"
            "time.sleep(0.5)\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1.0)'])\n"
            "child.wait()\n")
    proc = subprocess.Popen([sys.executable, "-c", code])
    mem = bench.PeakMemory(proc.pid, interval=0.05)
    proc.wait()
    mem.stop()
    assert len(mem.counts) == len(mem.samples) > 5
    assert mem.counts[0] == 1 and max(mem.counts) == 2


def test_bare_samples_are_disjoint_and_about_the_size_asked():
    """Each round of the bench times bare ja_ginza on a sample of its own."""
    from rouei.extract import bench

    units = [f"{i}番目の段落です。" * 3 for i in range(400)]
    samples = bench.bare_samples(units, 500, 3)
    assert len(samples) == 3
    seen = [u for s in samples for u in s]
    assert len(seen) == len(set(seen))  # no paragraph in two samples
    assert all(500 <= sum(map(len, s)) < 500 + 40 for s in samples)
    # too little text: what there is, as a last, shorter sample
    assert sum(map(len, bench.bare_samples(units[:5], 10_000, 3)[0])) == sum(map(len, units[:5]))


def test_ratios_pair_each_rate_with_the_base_of_its_own_round():
    """A host twice as fast in round 2 doubles both the run and the base: the ratio holds,
    where one of medians over medians would move with the drift."""
    from rouei.extract import bench

    assert bench.paired([100.0, 200.0, 150.0], [1.0, 2.0, 1.5]) == [100.0, 100.0, 100.0]
    with pytest.raises(ValueError):
        bench.paired([1.0, 2.0], [1.0])
