"""Parses batched across documents (pipeline.process_windows): every record is the one the
document gets on its own, a bad document stays an error record of its own, the window's
foreseen parses are made in one call, and an interrupted run resumes inside a window."""

from __future__ import annotations

import json
import os

import pytest

from rouei.extract.fields import counts, org
from rouei.extract.run import pipeline as pipeline_mod
from rouei.extract.run.inputs import InputDoc
from rouei.extract.run.pipeline import Pipeline, Settings, process_one, process_windows

NOTICES = [
    # a title without a pattern organisation: its zone is parsed (NER)
    "ベネッセ、顧客情報流出のお詫び\n2024年3月5日、当社の委託先で顧客情報1,200件が流出した可能性があることが判明しました。\n",
    "個人情報の漏えいについて\n令和5年10月2日に、職員が住民の氏名と住所を記載した書類を誤って送付しました。\n"
    "なお、電話番号は含まれておりません。\n山口県岩国市\n",
    "ABCマート 不正アクセスによる情報流出\n2023年12月1日、メールアドレス300件を誤送信しました。原因は設定の誤りです。\n",
    "",  # an empty document: an error record (E003)
    "お知らせ\n2022年4月に受付をした申請書を誤廃棄したことが判明しました。対象は120件です。\n",
    "東京電力 顧客情報の紛失\n2021年6月、氏名、住所は含まれていますが、クレジットカード情報は含まれておりません。\n",
]


def _docs(texts: list[str]) -> list[InputDoc]:
    return [InputDoc(f"d{i}", text=t, source={"path": None, "url": None}) for i, t in enumerate(texts)]


def _alone(pipeline: Pipeline, docs: list[InputDoc]) -> list[dict]:
    return [process_one(pipeline, d) for d in docs]


@pytest.fixture
def small_windows(monkeypatch):
    monkeypatch.setattr(pipeline_mod, "WINDOW_DOCS", 4)


def test_windows_give_the_records_of_documents_alone(pipeline, small_windows):
    docs = _docs(NOTICES * 2)
    assert list(process_windows(pipeline, docs)) == _alone(pipeline, docs)


def test_a_failing_document_leaves_the_others_of_its_window_as_alone(pipeline, monkeypatch):
    docs = _docs(NOTICES[:3] + ["爆発 お知らせ\n2024年1月5日、氏名と住所が流出しました。\n"] + NOTICES[4:])
    real = counts.extract

    def failing(ctx):  # the analysis of one document raises
        if "爆発" in ctx.text:
            raise RuntimeError("boom")
        return real(ctx)

    monkeypatch.setattr(counts, "extract", failing)
    recs = list(process_windows(pipeline, docs))
    assert recs == _alone(pipeline, docs)
    assert [r["doc_id"] for r in recs] == [d.doc_id for d in docs]
    assert "RuntimeError: boom" in recs[3]["error"]["message"]
    assert sum("error" in r for r in recs) == 1


def test_a_window_whose_batch_parse_fails_parses_each_document_alone(pipeline, monkeypatch):
    """A text the model cannot parse fails the window's batch: each document then parses its
    own spans, so only the one holding that text becomes an error record."""
    docs = _docs(NOTICES[:2] + ["爆発、顧客情報流出のお詫び\n2024年1月5日、氏名と住所が流出しました。\n"] + NOTICES[4:])
    real = Pipeline.parse

    def parse(texts, keep, batch_chars=None):
        if any("爆発" in t for t in texts):
            raise RuntimeError("unparsable")
        return real(pipeline, texts, keep, batch_chars)

    monkeypatch.setattr(pipeline, "parse", parse)
    recs = list(process_windows(pipeline, docs))
    assert recs == _alone(pipeline, docs)
    assert [("error" in r) for r in recs] == [False, False, True, False, False]


def test_a_failed_plan_falls_back_to_the_document_alone(pipeline, monkeypatch):
    real = org.extract

    def planning_fails(ctx):  # raises only in the planning pass (no parses)
        if ctx.parse_fn is pipeline_mod.parse_nothing and "ABC" in ctx.text:
            raise RuntimeError("plan")
        return real(ctx)

    monkeypatch.setattr(org, "extract", planning_fails)
    docs = _docs(NOTICES)
    recs = list(process_windows(pipeline, docs))
    assert recs == _alone(pipeline, docs)
    assert "error" not in recs[2]


def test_a_window_parses_its_documents_in_one_batch(nlp):
    """The spans the documents of a window will ask for (organisation zones, negation
    windows) are parsed in one call, with texts of several documents; what else they ask for
    (a date's predicate) is parsed as they ask, and the counters are those of the documents
    parsed one by one."""
    docs = _docs([t for t in NOTICES if t])
    alone = Pipeline(Settings(), nlp=nlp)
    expected = _alone(alone, docs)
    batched = Pipeline(Settings(), nlp=nlp)
    calls: list[list[str]] = []
    real = batched.parse

    def counting(texts, keep, batch_chars=None):
        calls.append(list(texts))
        return real(texts, keep, batch_chars)

    batched.parse = counting  # type: ignore[method-assign]
    assert list(process_windows(batched, docs)) == expected
    owners = {d.doc_id for d in docs for t in calls[0] if t in (d.text or "")}
    assert len(owners) >= 4, calls
    # later calls: only the date parse of the notice whose date opens a relative clause
    assert [len(c) for c in calls[1:]] == [1] and calls[1][0].startswith("2022年4月に受付をした"), calls
    assert batched.counters.parsed_chars == alone.counters.parsed_chars
    assert batched.counters.docs == alone.counters.docs == len(docs)
    assert batched.counters.read_chars == alone.counters.read_chars


def test_windows_save_each_documents_parses_in_the_cache(nlp, tmp_path):
    docs = _docs([t for t in NOTICES if t])
    cold = Pipeline(Settings(cache_dir=str(tmp_path)), nlp=nlp)
    first = list(process_windows(cold, docs))
    warm = Pipeline(Settings(cache_dir=str(tmp_path)), nlp=nlp)
    assert list(process_windows(warm, docs)) == first
    assert warm.counters.parsed_chars == 0
    assert warm.cache is not None and warm.cache.hits == len(docs)


def test_resume_inside_a_window_has_no_duplicates_nor_gaps(nlp, tmp_path, monkeypatch):
    """A run stopped after 3 records of a window of 4 resumes with the fourth."""
    from rouei.extract.cli import main
    from rouei.extract.nlp import model
    from rouei.extract.run import output

    monkeypatch.setattr(model, "load_model", lambda *a, **k: nlp)
    monkeypatch.setattr(pipeline_mod, "WINDOW_DOCS", 4)
    src = tmp_path / "docs"
    src.mkdir()
    for i, text in enumerate([t for t in NOTICES if t] * 2):
        (src / f"n{i:02d}.txt").write_text(text, encoding="utf-8")
    ref = tmp_path / "ref.jsonl"
    assert main(["extract", str(src), "-o", str(ref), "--quiet", "--no-cache"]) == 0

    out = tmp_path / "out.jsonl"
    real_write = output.RecordWriter.write
    written = []

    def write_then_stop(self, rec):
        if len(written) == 3:
            raise KeyboardInterrupt
        written.append(rec["doc_id"])
        real_write(self, rec)

    monkeypatch.setattr(output.RecordWriter, "write", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        main(["extract", str(src), "-o", str(out), "--quiet", "--no-cache"])
    assert not out.exists() and len(output.part_path(out).read_text().splitlines()) == 3
    monkeypatch.setattr(output.RecordWriter, "write", real_write)
    assert main(["extract", str(src), "-o", str(out), "--quiet", "--no-cache", "--resume"]) == 0

    def ids(path):
        return [json.loads(line)["doc_id"] for line in path.read_text(encoding="utf-8").splitlines()]

    def masked(path):
        recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for r in recs:
            r["extractor"].pop("version", None)
        return recs

    assert ids(out) == ids(ref) == sorted(ids(ref))
    assert masked(out) == masked(ref)


class _Killer(InputDoc):
    """A document whose reading ends the process that reads it (a worker's hard crash)."""

    def read(self, max_bytes=None):
        if self.doc_id == "killer":
            os._exit(3)
        return super().read(max_bytes)


@pytest.mark.slow
def test_a_worker_killed_by_one_document_of_a_window_costs_only_its_record(pipeline):
    from rouei.extract.run.runner import run_parallel

    texts = [t for t in NOTICES if t]
    docs = [_Killer(f"d{i}", text=t, source={"path": None, "url": None}) for i, t in enumerate(texts)]
    docs.insert(2, _Killer("killer", text="x", source={"path": None, "url": None}))
    recs = list(run_parallel(Settings(), iter(docs), jobs=2))
    assert [r["doc_id"] for r in recs] == [d.doc_id for d in docs]
    assert recs[2]["error"]["kind"] == "worker"
    others = [d for d in docs if d.doc_id != "killer"]
    assert recs[:2] + recs[3:] == _alone(pipeline, others)


def test_pool_tasks_end_at_a_count_or_a_size(tmp_path):
    """A worker's task holds up to TASK_DOCS documents, fewer when their files reach
    TASK_BYTES (long notices), and always at least one; the documents keep their order."""
    from rouei.extract.run.inputs import InputDoc
    from rouei.extract.run.runner import _take

    short = [InputDoc(f"s{i}", text="あ" * 200) for i in range(30)]  # 600 bytes each
    it = iter(short)
    assert [d.doc_id for d in _take(it, 24, 48_000)] == [f"s{i}" for i in range(24)]
    assert [d.doc_id for d in _take(it, 24, 48_000)] == [f"s{i}" for i in range(24, 30)]
    assert _take(it, 24, 48_000) == []
    files = []
    for i in range(5):
        path = tmp_path / f"long{i}.txt"
        path.write_text("い" * 6_000, encoding="utf-8")  # 18,000 bytes
        files.append(InputDoc(path.stem, path=path))
    it = iter(files + [InputDoc("gone", path=tmp_path / "missing.txt")])
    assert [len(_take(it, 24, 48_000)) for _ in range(3)] == [3, 3, 0]
    huge = InputDoc("huge", data=b"x" * 100_000)
    assert [d.doc_id for d in _take(iter([huge, *short[:2]]), 24, 48_000)] == ["huge"]


def test_pool_tasks_shrink_at_the_end_and_keep_the_input_whole():
    """Tasks are _take's until the end of the input is read; then each takes a share of what
    is left, no less than a quarter of a full task, so the workers finish together. Every
    document comes once, in input order, and nothing is read more than the look-ahead."""
    from rouei.extract.run import runner
    from rouei.extract.run.inputs import InputDoc

    short = [InputDoc(f"s{i}", text="あ" * 200) for i in range(500)]  # 600 bytes each
    sizes = [len(t) for t in runner._tasks(iter(short), 24, 48_000, 2)]
    assert sum(sizes) == 500
    # the end is read once fewer than 96 (2 tasks per worker) are left: 92, after 17 tasks
    assert sizes == [24] * 17 + [23, 18, 13, 10, 7, 6, 6, 6, 3]
    tasks = list(runner._tasks(iter(short), 24, 48_000, 2))
    assert [d.doc_id for t in tasks for d in t] == [d.doc_id for d in short]
    # long notices: three to a task, then one at a time
    long = [InputDoc(f"l{i}", text="い" * 6_000) for i in range(40)]  # 18,000 bytes each
    sizes = [len(t) for t in runner._tasks(iter(long), 24, 48_000, 2)]
    assert sum(sizes) == 40 and sizes[:3] == [3, 3, 3] and sizes[-3:] == [1, 1, 1]
    # one document per task (a time limit) is left as it is
    assert [len(t) for t in runner._tasks(iter(short[:7]), 1, 48_000, 2)] == [1] * 7

    read = []

    def counted():
        for d in short:
            read.append(d.doc_id)
            yield d

    tasks_it = runner._tasks(counted(), 24, 48_000, 2)
    next(tasks_it)
    assert len(read) == runner.TAIL_AHEAD * 2 * 24


@pytest.mark.slow
def test_two_workers_give_the_records_of_one_process(pipeline):
    """--jobs 2 (tasks of every size, the smaller ones at the end) gives the records of
    --jobs 1, in input order."""
    from rouei.extract.run.runner import run_inline, run_parallel

    docs = _docs(NOTICES * 9)
    one = list(run_inline(Settings(), iter(docs)))
    two = list(run_parallel(Settings(), iter(docs), jobs=2))
    assert two == one


# notices whose organisation the patterns settle and that hold no clause for the parser:
# they ask for no parse, so a cold run leaves no cache entry for them
NO_PARSE = "株式会社サンプル{i}商事\n個人情報漏えいのお詫び\n2024年1月{i}日、当社で顧客の氏名が流出しました。\n"


@pytest.mark.parametrize("ahead,planned", [(pipeline_mod.PLAN_AHEAD, 0), (1, 3)])
def test_warm_run_whose_first_notices_ask_no_parse_plans_none(nlp, tmp_path, monkeypatch,
                                                                ahead, planned):
    """Whether a notice without a cache entry is planned depends on how warm the cache is;
    the lookups of the notices ahead tell (with one at a time, the first three are planned)."""
    docs = _docs([NO_PARSE.format(i=i) for i in (5, 6, 7)] + [t for t in NOTICES if t])
    cold = Pipeline(Settings(cache_dir=str(tmp_path)), nlp=nlp)
    first = list(process_windows(cold, docs))
    assert len(list(tmp_path.rglob("*.spacy"))) == len(docs) - 3
    monkeypatch.setattr(pipeline_mod, "PLAN_AHEAD", ahead)
    plans = []
    real_plan = Pipeline.plan
    monkeypatch.setattr(Pipeline, "plan", lambda self, ctx: plans.append(ctx.doc_id) or real_plan(self, ctx))
    warm = Pipeline(Settings(cache_dir=str(tmp_path)), nlp=nlp)
    assert list(process_windows(warm, docs)) == first
    assert len(plans) == planned
