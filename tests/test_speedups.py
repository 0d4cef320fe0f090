"""Every speed-up leaves the output unchanged: numpy matmul, the numpy NER decoder, the parse
cache, worker processes.

Records are compared line by line after sorting, as JSON text (byte for byte)."""

from __future__ import annotations

import json
import os

import pytest

from rouei.extract.nlp.cache import ParseCache
from rouei.extract.run.inputs import iter_inputs
from rouei.extract.run.pipeline import Pipeline, Settings
from rouei.extract.run.runner import run_inline, run_parallel

from .conftest import CORPUS, ROOT
from .parse_compare import assert_same_parses

SEEDS = [str(CORPUS / "seeds")]


def _lines(records) -> list[str]:
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """Seed records with no speed-up: blis, spaCy's NER decoder, no cache, in process."""
    return _lines(run_inline(Settings(matmul=False, fast_ner=False), iter_inputs(SEEDS)))


@pytest.mark.slow
def test_speedups_matmul_ops_same_output(baseline):
    assert _lines(run_inline(Settings(matmul=True, fast_ner=False), iter_inputs(SEEDS))) == baseline


@pytest.mark.slow
def test_speedups_fast_ner_same_output(baseline):
    assert _lines(run_inline(Settings(matmul=False, fast_ner=True), iter_inputs(SEEDS))) == baseline


@pytest.mark.slow
def test_speedups_cache_cold_and_warm_same_output(baseline, tmp_path):
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    cold = Pipeline(settings)
    from rouei.extract.run.pipeline import process_one

    cold_recs = [process_one(cold, d) for d in iter_inputs(SEEDS)]
    assert cold.cache.misses == 5 and cold.parsed_chars > 0
    warm = Pipeline(settings)
    warm_recs = [process_one(warm, d) for d in iter_inputs(SEEDS)]
    # a notice whose rules need no parse (its organisation found by the patterns) has no entry
    assert warm.cache.hits + warm.cache.misses == 5 and warm.cache.hits >= 3
    assert warm.parsed_chars == 0
    assert warm.nlp is None  # every parse came from the cache: the model never loaded
    assert _lines(cold_recs) == _lines(warm_recs) == baseline


@pytest.mark.slow
def test_speedups_two_workers_same_output_in_input_order(baseline):
    docs = list(iter_inputs(SEEDS))
    recs = list(run_parallel(Settings(), iter(docs), jobs=2))
    assert [r["doc_id"] for r in recs] == [d.doc_id for d in docs]
    assert _lines(recs) == baseline


@pytest.mark.slow
def test_speedups_dask_engine_same_output(baseline):
    docs = list(iter_inputs(SEEDS))
    recs = list(run_parallel(Settings(), iter(docs), jobs=2, engine="dask"))
    assert [r["doc_id"] for r in recs] == [d.doc_id for d in docs]
    assert _lines(recs) == baseline


def test_speedups_cache_key_changes_with_model_and_settings(tmp_path):
    a = ParseCache(tmp_path, "ja_ginza 5.3.0", "ja_ginza|exclude=")
    b = ParseCache(tmp_path, "ja_ginza 5.4.0", "ja_ginza|exclude=")
    c = ParseCache(tmp_path, "ja_ginza 5.3.0", "ja_ginza|exclude=ner")
    assert len({a.key("本文"), b.key("本文"), c.key("本文")}) == 3
    assert a.key("本文") != a.key("本文。")


def test_speedups_corrupt_cache_entry_is_reparsed(nlp, tmp_path):
    from rouei.extract.nlp.model import parse_for_rules

    text = "なお、クレジットカード情報は含まれておりません。"
    cache = ParseCache(tmp_path, "m", "s")
    cache.save(text, {(0, len(text)): parse_for_rules(nlp, [text])[0]})
    assert cache.load(text)
    cache.path(text).write_bytes(b"not a docbin")
    assert cache.load(text) == {}
    assert cache.corrupt == 1 and not cache.path(text).exists()


def test_speedups_cache_entries_written_atomically(nlp, tmp_path):
    from rouei.extract.nlp.model import parse_for_rules

    text = "氏名が流出しました。"
    cache = ParseCache(tmp_path, "m", "s")
    cache.save(text, {(0, len(text)): parse_for_rules(nlp, [text])[0]})
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [cache.path(text)]  # the entry, and no temp file left beside it
    (got,) = cache.load(text).values()
    assert [t.dep_ for t in got] == [t.dep_ for t in nlp(text)]


@pytest.mark.slow
def test_speedups_model_without_string_table_parses_the_same(nlp):
    """load_model skips the model's string table; a model loaded with it parses the same."""
    import spacy

    from rouei.extract.nlp.model import pipe

    full = spacy.load("ja_ginza", exclude=["compound_splitter"])
    assert len(nlp.vocab.strings) < len(full.vocab.strings) // 2  # the table was not loaded
    texts = [ln for p in sorted((CORPUS / "seeds").glob("*.txt"))
             for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()][:200]
    ours, theirs = pipe(nlp, texts), list(full.pipe(texts))
    assert_same_parses(ours, theirs)
    assert [[t.lemma_ for t in d] for d in ours] == [[t.lemma_ for t in d] for d in theirs]


def test_speedups_one_blas_thread_per_process_unless_the_user_sets_it():
    """run_inline (like the worker pools) keeps OpenBLAS to one thread: no spinning helper
    threads appear when numpy loads; a user's own setting is respected."""
    import subprocess
    import sys

    code = ("import os\n"
            "from rouei.extract.run.runner import run_inline\n"
            "from rouei.extract.run.pipeline import Settings\n"
            "list(run_inline(Settings(), iter(())))\n"
            "import numpy\n"
            "numpy.ones((64, 64)) @ numpy.ones((64, 64))\n"
            "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))\n")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "2"


def test_speedups_pool_worker_skips_interpreter_shutdown_but_not_its_output(tmp_path):
    """A pool worker leaves by os._exit once the pool is done with it: exit hooks registered
    before it started (standing for the interpreter's own shutdown work) never run, and what
    it printed still comes out."""
    import subprocess
    import sys

    code = ("import atexit, multiprocessing, pathlib\n"
            "from concurrent.futures import ProcessPoolExecutor\n"
            "from rouei.extract.run.pipeline import Settings\n"
            "from rouei.extract.run.runner import _init_pool_worker\n"
            "def init(settings):\n"
            "    atexit.register(pathlib.Path('finalized').write_text, 'yes')\n"
            "    _init_pool_worker(settings)\n"
            "if __name__ == '__main__':\n"
            "    ex = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('spawn'),\n"
            "                             initializer=init, initargs=(Settings(),))\n"
            "    ex.submit(print, 'written-by-the-worker', end='').result()\n"
            "    ex.shutdown(wait=True)\n"
            "    print(' parent-done')\n")
    (tmp_path / "pool.py").write_text(code, encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "pool.py"], cwd=tmp_path, capture_output=True, text=True,
                         env=env, check=True)
    assert out.stdout == "written-by-the-worker parent-done\n"
    assert not (tmp_path / "finalized").exists()


def test_speedups_model_id_reads_the_meta_once_per_pipeline():
    """spaCy rebuilds Language.meta (every component's labels) on each read: the model id a
    record names is read once per loaded pipeline, and is what the meta says."""
    from rouei.extract.nlp.model import model_id

    class Pipe:
        reads = 0

        def __init__(self, version: str) -> None:
            self.version = version

        @property
        def meta(self) -> dict:
            type(self).reads += 1
            return {"lang": "ja", "name": "ginza", "version": self.version}

    a, b = Pipe("5.2.0"), Pipe("5.3.0")
    assert [model_id(a) for _ in range(5)] == ["ja_ginza 5.2.0"] * 5
    assert model_id(b) == "ja_ginza 5.3.0"  # another pipeline is read for itself
    assert Pipe.reads == 2


def test_speedups_model_id_of_a_loaded_model_is_its_package(nlp):
    from rouei.extract.nlp.model import model_id
    from rouei.extract.run.pipeline import _package_model_id

    assert model_id(nlp) == model_id(nlp) == _package_model_id("ja_ginza")


def test_speedups_cache_entry_mode_follows_the_umask_and_torn_entries_reparse(nlp, tmp_path):
    """Entries are not synced to disk: a crash may leave one empty or cut short, and the next
    read re-parses it. A written entry gets the usual file mode (not mkstemp's 0600)."""
    from rouei.extract.nlp.model import parse_for_rules

    text = "なお、クレジットカード情報は含まれておりません。"
    cache = ParseCache(tmp_path, "m", "s")
    parsed = parse_for_rules(nlp, [text])[0]
    cache.save(text, {(0, len(text)): parsed})
    mask = os.umask(0)
    os.umask(mask)
    assert cache.path(text).stat().st_mode & 0o777 == 0o666 & ~mask
    whole = cache.path(text).read_bytes()
    for torn in (b"", whole[: len(whole) // 2]):
        cache.path(text).write_bytes(torn)
        assert cache.load(text) == {}
        assert not cache.path(text).exists()
        cache.save(text, {(0, len(text)): parse_for_rules(nlp, [text])[0]})
        (got,) = cache.load(text).values()
        assert got.to_payload() == parsed.to_payload()
