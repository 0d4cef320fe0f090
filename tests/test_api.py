"""The Python API (docs/api.md): rouei.extract_text and rouei.Extractor, on the real model."""

from __future__ import annotations

import subprocess
import sys

import pytest

import rouei
from rouei.extract.api import Extractor

NOTICE = ("2024年5月1日、当社のサーバーが不正アクセスを受け、顧客約1,200名の氏名とメールアドレスが"
          "流出した可能性があることが判明しました。なお、クレジットカード情報は含まれておりません。")
OTHER = "令和6年3月10日、職員がUSBメモリを紛失し、児童32名の氏名と住所が記録されていました。"


@pytest.fixture(scope="module")
def extractor(nlp):
    return Extractor(nlp=nlp)


def _offsets_hold(record: dict, text: str) -> None:
    for inc in record["incidents"]:
        for key in ("dates", "counts", "data_types", "causes"):
            for item in inc[key]:
                assert text[item["start"]:item["end"]] == item["text"]


def test_api_extract_gives_a_spec_record(extractor):
    rec = extractor.extract(NOTICE, doc_id="n1", published="2024-05-02")
    assert rec["schema_version"] == 1 and rec["doc_id"] == "n1" and rec["published"] == "2024-05-02"
    (inc,) = rec["incidents"]
    assert {"value": "2024-05-01", "role": "discovered"}.items() <= inc["dates"][0].items()
    assert [(c["value"], c["unit"]) for c in inc["counts"]] == [(1200, "名")]
    leaked = {d["category"] for d in inc["data_types"] if d["leaked"]}
    assert leaked == {"name", "email_address"}
    assert [c["category"] for c in inc["causes"]] == ["unauthorized_access"]
    assert rec["extractor"]["version"] == rouei.__version__
    _offsets_hold(rec, NOTICE)


def test_api_extract_text_uses_a_default_extractor(monkeypatch, nlp):
    from rouei.extract import api

    api._default.cache_clear()
    monkeypatch.setattr(api, "Extractor", lambda: Extractor(nlp=nlp))  # share the loaded model
    rec = rouei.extract_text(OTHER, doc_id="x")
    assert rec["doc_id"] == "x"
    assert [c["category"] for c in rec["incidents"][0]["causes"]] == ["loss"]
    assert api._default() is api._default()  # one extractor for every call
    api._default.cache_clear()


def test_api_empty_text_raises_a_rouei_error(extractor):
    with pytest.raises(rouei.RoueiError) as exc:
        extractor.extract("   \n")
    assert exc.value.kind


def test_api_pipe_keeps_order_and_turns_bad_texts_into_error_records(extractor):
    recs = list(extractor.pipe([NOTICE, "  ", OTHER]))
    assert [r["doc_id"] for r in recs] == ["text-0", "text-1", "text-2"]
    assert "error" in recs[1] and "error" not in recs[0] and "error" not in recs[2]
    assert recs[0]["incidents"] == extractor.extract(NOTICE)["incidents"]


def test_api_pipe_as_tuples_takes_context(extractor):
    (rec,) = extractor.pipe([(OTHER, {"doc_id": "city-1", "published": "2024-03-12"})], as_tuples=True)
    assert rec["doc_id"] == "city-1" and rec["published"] == "2024-03-12"
    with pytest.raises(ValueError):
        list(extractor.pipe([(OTHER, {"url": "x"})], as_tuples=True))


def test_api_rejects_bad_arguments(extractor):
    with pytest.raises(ValueError):
        Extractor(incidents="many")
    with pytest.raises(TypeError):
        extractor.extract(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        list(extractor.pipe([NOTICE], n_process=0))


@pytest.mark.slow
def test_api_pipe_with_two_processes_matches_one(extractor, tmp_path):
    texts = [NOTICE, OTHER, NOTICE.replace("1,200", "3,400")]
    parallel = Extractor(cache_dir=tmp_path / "cache")
    many = list(parallel.pipe(texts, n_process=2))
    one = list(extractor.pipe(texts))
    assert [r["incidents"] for r in many] == [r["incidents"] for r in one]
    assert any((tmp_path / "cache").iterdir())  # the workers used the cache directory


def test_api_import_is_cheap():
    """import rouei loads neither spaCy nor the pipeline until something is extracted."""
    code = "import sys, rouei; rouei.__version__; print('spacy' in sys.modules, 'rouei.extract.run.pipeline' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_api_public_names_are_typed():
    import importlib.resources

    assert (importlib.resources.files("rouei") / "py.typed").is_file()
    assert set(rouei.__all__) >= {"Extractor", "extract_text", "RoueiError", "__version__"}
    assert Extractor.extract.__annotations__["return"]
