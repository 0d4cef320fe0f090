"""Finding inputs: every file keeps a record of its own (stems that collide take their relative
path), and broken symlinks in a folder become error records instead of vanishing."""

from __future__ import annotations

import os

import pytest

from rouei.extract.run.inputs import iter_inputs
from rouei.extract.run.pipeline import Pipeline, Settings, process_one

NOTE = "2024年1月5日、氏名と住所が流出しました。\n"


def _ids(inputs):
    return [d.doc_id for d in iter_inputs([str(x) for x in inputs])]


def test_inputs_unique_stems_stay_stems(tmp_path):
    (tmp_path / "a.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "b.html").write_text(f"<p>{NOTE}</p>", encoding="utf-8")
    assert _ids([tmp_path]) == ["a", "b"]


def test_inputs_same_stem_in_two_folders_gets_relative_paths(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "index.html").write_text(f"<p>{NOTE}</p>", encoding="utf-8")
    (tmp_path / "other.txt").write_text(NOTE, encoding="utf-8")
    first = _ids([tmp_path])
    assert first == ["a/index.html", "b/index.html", "other"]
    assert _ids([tmp_path]) == first  # stable across runs


def test_inputs_same_stem_different_suffix_in_one_folder(tmp_path):
    (tmp_path / "x.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "x.html").write_text(f"<p>{NOTE}</p>", encoding="utf-8")
    assert _ids([tmp_path]) == ["x.html", "x.txt"]


def test_inputs_same_stem_across_file_arguments(tmp_path, monkeypatch):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "index.html").write_text(f"<p>{NOTE}</p>", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert _ids(["a/index.html", "b/index.html"]) == ["a/index.html", "b/index.html"]
    # and across a folder argument and a file argument
    assert _ids(["a", "b/index.html"]) == ["index.html", "b/index.html"]


def test_inputs_same_file_twice_is_not_dropped(tmp_path):
    (tmp_path / "x.txt").write_text(NOTE, encoding="utf-8")
    ids = _ids([tmp_path / "x.txt", tmp_path / "x.txt"])
    assert len(ids) == 2 and len(set(ids)) == 2


def _light_pipeline() -> Pipeline:
    return Pipeline(Settings())  # the model loads on the first parse; errors come before it


@pytest.mark.parametrize("make_link", [
    lambda d: os.symlink("nowhere.txt", d / "gone.txt"),  # dangling
    lambda d: os.symlink("loop", d / "loop"),  # a link to itself
    lambda d: os.symlink(".", d / "again"),  # a folder link back into the walk
], ids=["dangling", "self_loop", "folder_loop"])
def test_inputs_broken_symlink_becomes_error_record(tmp_path, make_link):
    (tmp_path / "good.txt").write_text(NOTE, encoding="utf-8")
    make_link(tmp_path)
    docs = list(iter_inputs([str(tmp_path)]))
    assert [d.doc_id for d in docs if d.error is None] == ["good"]
    broken = [d for d in docs if d.error is not None]
    assert len(broken) == 1
    rec = process_one(_light_pipeline(), broken[0])
    assert rec["error"]["kind"] == "io"
    assert "symlink" in rec["error"]["message"]


def test_inputs_symlinked_folder_is_followed_once(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "n1.txt").write_text(NOTE, encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(real, root / "linked")
    docs = list(iter_inputs([str(root)]))
    assert [(d.doc_id, d.error) for d in docs] == [("n1", None)]


def test_inputs_dangling_symlink_named_on_command_line(tmp_path):
    os.symlink(tmp_path / "missing.txt", tmp_path / "link.txt")
    (doc,) = iter_inputs([str(tmp_path / "link.txt")])
    assert process_one(_light_pipeline(), doc)["error"]["kind"] == "io"


def test_inputs_max_chars_refuses_long_text_before_parsing(tmp_path):
    (tmp_path / "long.txt").write_text(NOTE * 40, encoding="utf-8")
    (doc,) = iter_inputs([str(tmp_path / "long.txt")])
    pipe = Pipeline(Settings(max_chars=len(NOTE) * 10))
    rec = process_one(pipe, doc)
    assert rec["error"]["kind"] == "too_long"
    assert "E013" in rec["error"]["message"]
    assert pipe.nlp is None and pipe.parsed_chars == 0


def test_inputs_max_chars_refuses_huge_file_unread(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(10_000_000)  # sparse: 10 MB that nobody should read
    (doc,) = iter_inputs([str(big)])

    def no_read(*a, **k):
        raise AssertionError("the file was read")

    monkeypatch.setattr("rouei.extract.run.inputs.read_document", no_read)
    rec = process_one(Pipeline(Settings(max_chars=1000)), doc)
    assert rec["error"]["kind"] == "too_long"


def test_inputs_manifest_left_by_a_killed_fetch_reads_as_its_live_entries(tmp_path):
    """fetch appends manifest lines as it stores notices; after a kill the log can hold a later
    version of an entry, a removal and a torn last line. extract reads what the log means."""
    import json

    corpus = tmp_path / "corpus"
    (corpus / "text").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (corpus / "text" / f"{name}.txt").write_text(f"{name}の本文", encoding="utf-8")
    lines = [
        {"doc_id": "a", "url": "https://x.jp/a", "text_path": "text/a.txt", "title": "old"},
        {"doc_id": "b", "url": "https://x.jp/b", "text_path": "text/b.txt"},
        {"doc_id": "c", "url": "https://x.jp/c", "text_path": "text/c.txt"},
        {"doc_id": "a", "url": "https://x.jp/a", "text_path": "text/a.txt", "title": "new"},
        {"doc_id": "b", "removed": True},
    ]
    body = "".join(json.dumps(x) + "\n" for x in lines) + '{"doc_id": "d", "url": "https://x'
    (corpus / "manifest.jsonl").write_text(body, encoding="utf-8")
    docs = list(iter_inputs([str(corpus)]))
    assert [(d.doc_id, d.title) for d in docs] == [("a", "new"), ("c", None)]


def test_inputs_manifest_with_a_bad_line_inside_is_a_usage_error(tmp_path):
    from rouei.extract.core.errors import RoueiError

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.jsonl").write_text('{"doc_id": "a"}\nnot json\n{"doc_id": "b"}\n', encoding="utf-8")
    with pytest.raises(RoueiError) as exc:
        list(iter_inputs([str(corpus)]))
    assert "manifest.jsonl:2" in str(exc.value)
