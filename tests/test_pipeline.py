"""The pipeline end to end on the real ja_ginza model: records, offsets, inputs and failures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rouei.extract.cli import main
from rouei.extract.doc.text import read_document
from rouei.extract.run.inputs import iter_inputs
from rouei.extract.run.runner import run_inline

from .conftest import CORPUS, ROOT

SEEDS = sorted((CORPUS / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def corpus_records(pipeline):
    from rouei.extract.run.pipeline import process_one

    return {d.doc_id: process_one(pipeline, d) for d in iter_inputs([str(CORPUS / "seeds")])}


def _spans(rec):
    for inc in rec["incidents"]:
        for field in ("dates", "counts", "data_types", "causes"):
            yield from inc[field]


def test_pipeline_offsets_hold_on_the_whole_corpus(corpus_records):
    assert set(corpus_records) == {p.stem for p in SEEDS}
    n = 0
    for path in SEEDS:
        rec = corpus_records[path.stem]
        text, _ = read_document(path)
        for item in _spans(rec):
            assert text[item["start"]:item["end"]] == item["text"], item
            n += 1
    assert n > 200


def test_pipeline_record_shape(corpus_records):
    rec = corpus_records["001_0730914e045ff9db"]
    assert rec["schema_version"] == 1
    assert rec["source"]["path"].endswith("001_0730914e045ff9db.txt")
    assert len(rec["source"]["sha256"]) == 64 and rec["source"]["encoding"] == "utf-8"
    assert rec["extractor"]["model"].startswith("ja_ginza")
    assert len(rec["extractor"]["rules"]) == 64
    inc = rec["incidents"][0]
    assert inc["status"] in ("confirmed", "possible", "none")
    assert {"value", "role", "text", "start", "end"} <= set(inc["dates"][0])
    assert {"value", "unit", "approximate"} <= set(inc["counts"][0])


def test_pipeline_repeated_body_counted_once(corpus_records):
    rec = corpus_records["000_6d3435720e61ba1b"]
    assert len(rec["incidents"]) == 6
    second_copy = read_document(CORPUS / "seeds" / "000_6d3435720e61ba1b.txt")[0].rindex("同省によると")
    assert all(item["start"] < second_copy for item in _spans(rec))


def test_pipeline_archive_page_gives_one_incident_per_post(corpus_records):
    rec = corpus_records["002_6c098f3d40db9f0b"]
    assert len(rec["incidents"]) == 20
    orgs = [inc["organization"] for inc in rec["incidents"]]
    assert orgs[0] == "気仙沼市" and "株式会社ファーストリテイリング" in orgs
    starts = [min((i["start"] for i in _spans({"incidents": [inc]})), default=0) for inc in rec["incidents"]]
    assert starts == sorted(starts)  # incidents in text order


def test_pipeline_flat_mode_is_one_incident(pipeline):
    from rouei.extract.run.pipeline import Pipeline, Settings

    flat = Pipeline(Settings(incidents="flat"), nlp=pipeline.nlp)
    text = (CORPUS / "seeds" / "000_6d3435720e61ba1b.txt").read_text(encoding="utf-8")
    rec = flat.process("000", text)
    assert len(rec["incidents"]) == 1
    assert {d["value"] for d in rec["incidents"][0]["dates"]} >= {"2020-03-10", "2021-07-15"}


def test_pipeline_bad_inputs_become_error_records(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("2024年3月5日、顧客情報1,200件が流出しました。", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    sjis = tmp_path / "sjis.txt"
    sjis.write_bytes("令和6年4月1日、氏名と住所を含む名簿を紛失しました。".encode("cp932"))
    page = tmp_path / "page.html"
    page.write_text("<html><body><nav>メニュー</nav><p>2023年12月1日にメールアドレス300件を誤送信しました。</p></body></html>",
                    encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = main(["extract", str(good), str(empty), str(sjis), str(page), "-o", str(out),
                 "--quiet", "--no-cache"])
    assert code == 1
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in recs] == ["good", "empty", "sjis", "page"]
    by_id = {r["doc_id"]: r for r in recs}
    assert by_id["empty"]["error"]["kind"] == "empty"
    assert by_id["sjis"]["source"]["encoding"] == "cp932"
    assert by_id["sjis"]["incidents"][0]["causes"][0]["category"] == "loss"
    assert by_id["page"]["incidents"][0]["counts"][0]["value"] == 300
    assert "empty" in capsys.readouterr().err


def test_pipeline_usage_errors_exit_2(tmp_path):
    assert main(["extract", str(tmp_path / "nope.xyz"), "-o", str(tmp_path / "o.jsonl")]) == 2
    # a missing path named on the command line is a usage error, found before any work
    good = tmp_path / "good.txt"
    good.write_text("2024年3月5日、顧客情報1,200件が流出しました。", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(good), str(tmp_path / "missing.txt"), "-o", str(out)]) == 2
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:
        main(["extract"])
    assert exc.value.code == 2


def test_pipeline_stdin_through_the_console_script(tmp_path):
    out = tmp_path / "o.jsonl"
    text = "令和五年九月二十六日、当社は約1.2万件の顧客情報が流出したおそれがあると発表しました。"
    proc = subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", "-", "-o", str(out), "--quiet",
                           "--no-cache"], input=text.encode(), capture_output=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    (rec,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    inc = rec["incidents"][0]
    assert rec["doc_id"] == "stdin"
    assert inc["dates"][0]["value"] == "2023-09-26"
    assert inc["counts"][0]["value"] == 12000 and inc["counts"][0]["approximate"] is True
    assert inc["status"] == "possible"


@pytest.mark.slow
def test_pipeline_long_document_over_the_sudachi_limit(pipeline):
    # one "sentence" (no 。) far over 49,149 bytes, holding a negation the parser must read
    filler = "、".join(["顧客の氏名と住所が流出した可能性があります"] * 900)
    text = filler + "、なおクレジットカード情報は含まれておりません\n"
    assert len(text.encode("utf-8")) > 49_149
    rec = pipeline.process("long", text)
    types = {(d["category"], d["leaked"]) for d in rec["incidents"][0]["data_types"]}
    assert ("credit_card", False) in types and ("name", True) in types
    for item in _spans(rec):
        assert text[item["start"]:item["end"]] == item["text"]


def test_pipeline_runs_records_in_input_order(pipeline):
    docs = list(iter_inputs([str(p) for p in SEEDS[:2]]))
    recs = list(run_inline(pipeline.settings, docs))
    assert [r["doc_id"] for r in recs] == [p.stem for p in SEEDS[:2]]


def test_pipeline_bad_manifest_line_is_refused_before_any_output(tmp_path):
    """A manifest line that is not JSON, other than a torn last line (a killed fetch's), is a
    usage error found before any work: nothing is published and no .part is started."""
    corpus = tmp_path / "corpus"
    (corpus / "text").mkdir(parents=True)
    (corpus / "text" / "a.txt").write_text("2024年1月5日、氏名が流出しました。", encoding="utf-8")
    good = json.dumps({"doc_id": "a", "url": None, "text_path": "text/a.txt"})
    (corpus / "manifest.jsonl").write_text(good + "\n{not json\n" + good + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(corpus), "-o", str(out), "--quiet", "--no-cache"]) == 2
    assert not out.exists() and not (tmp_path / "o.jsonl.part").exists()
