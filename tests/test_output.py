"""The output writer: atomic finish, resume after a kill, no torn lines."""

from __future__ import annotations

import json

from rouei.extract.run.output import RecordWriter, lock_path, part_path


def _rec(i):
    return {"schema_version": 1, "doc_id": f"d{i}", "incidents": []}


def test_output_finishes_by_rename(tmp_path):
    out = tmp_path / "o.jsonl"
    with RecordWriter(out) as w:
        w.write(_rec(1))
        assert not out.exists() and part_path(out).exists()
    assert out.exists() and not part_path(out).exists()
    assert [json.loads(x)["doc_id"] for x in out.read_text().splitlines()] == ["d1"]


def test_output_exception_keeps_part_for_resume(tmp_path):
    out = tmp_path / "o.jsonl"
    try:
        with RecordWriter(out) as w:
            w.write(_rec(1))
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert not out.exists() and part_path(out).exists()


def test_output_resume_drops_torn_line_and_skips_done(tmp_path):
    out = tmp_path / "o.jsonl"
    part = part_path(out)
    part.write_text(json.dumps(_rec(1)) + "\n" + json.dumps(_rec(2)) + "\n" + '{"schema_version": 1, "doc_')
    w = RecordWriter(out, resume=True)
    assert w.done == {"d1", "d2"}
    w.write(_rec(3))
    w.close()
    lines = out.read_text().splitlines()
    assert [json.loads(x)["doc_id"] for x in lines] == ["d1", "d2", "d3"]


def test_output_without_resume_starts_over(tmp_path):
    out = tmp_path / "o.jsonl"
    part_path(out).write_text(json.dumps(_rec(1)) + "\n")
    with RecordWriter(out) as w:
        assert w.done == set()
        w.write(_rec(2))
    assert [json.loads(x)["doc_id"] for x in out.read_text().splitlines()] == ["d2"]


def test_output_resume_from_finished_file_appends_new_docs(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_text(json.dumps(_rec(1)) + "\n")
    with RecordWriter(out, resume=True) as w:
        assert w.done == {"d1"}
        w.write(_rec(2))
    assert [json.loads(x)["doc_id"] for x in out.read_text().splitlines()] == ["d1", "d2"]


def test_output_close_unfinished_then_exit_keeps_part(tmp_path):
    out = tmp_path / "o.jsonl"
    with RecordWriter(out) as w:
        w.write(_rec(1))
        w.close(finished=False)  # the run stopped on an error: nothing is published
    assert not out.exists() and part_path(out).exists()


def test_output_second_writer_on_same_output_is_refused(tmp_path):
    import pytest

    from rouei.extract.core.errors import RoueiError

    out = tmp_path / "o.jsonl"
    with RecordWriter(out) as w:
        w.write(_rec(1))
        with pytest.raises(RoueiError) as err:
            RecordWriter(out)
        assert err.value.code == "E014" and str(out) in str(err.value)
        w.write(_rec(2))  # the first run's file is untouched by the refused one
    assert [json.loads(x)["doc_id"] for x in out.read_text().splitlines()] == ["d1", "d2"]
    assert not lock_path(out).exists()
    with RecordWriter(out, resume=True) as w:  # released: the next run may go
        assert w.done == {"d1", "d2"}


def test_output_lock_is_released_when_closing_fails(tmp_path):
    out = tmp_path / "o.jsonl"
    w = RecordWriter(out)
    w.write(_rec(1))
    out.mkdir()  # os.replace onto a directory fails
    try:
        w.close()
    except OSError:
        pass
    RecordWriter(tmp_path / "o.jsonl", resume=True).close(finished=False)


def test_output_check_rejects_bad_paths(tmp_path):
    import pytest

    from rouei.extract.core.errors import RoueiError
    from rouei.extract.run.output import check_output

    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    for bad in (tmp_path / "adir", tmp_path / "afile" / "o.jsonl", tmp_path / "afile" / "sub" / "o.jsonl"):
        with pytest.raises(RoueiError) as err:
            check_output(bad)
        assert err.value.code == "E012"
    check_output(tmp_path / "new" / "o.jsonl")  # a folder that can be made is fine
    assert (tmp_path / "new").is_dir()


def test_output_lines_are_what_json_dumps_writes(tmp_path):
    """Each line is json.dumps of the record with the options records are written with (one
    encoder serves them all), whatever the values: Japanese, escapes, control characters,
    numbers, nesting, empty containers, the same list twice."""
    shared = [{"value": 1, "unit": "件"}]
    recs = [
        {"schema_version": 1, "doc_id": "d0", "title": "個人情報の漏えい「お詫び」\u3000(第2報)",
         "source": {"path": "/a b/\"q\"\\x.txt", "sha256": "ab" * 32, "url": None},
         "incidents": [{"counts": shared, "again": shared, "dates": [], "causes": {}}]},
        {"schema_version": 1, "doc_id": "d1", "text": "tab\there\nline\r\x00\x1f\u2028 😀",
         "score": 0.1 + 0.2, "big": 10 ** 20, "neg": -3, "flag": True, "none": None,
         "nested": [[[]], {"": {"k": [1.5e-7, float("1e300")]}}]},
    ]
    out = tmp_path / "o.jsonl"
    with RecordWriter(out) as w:
        for rec in recs:
            w.write(rec)
    want = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in recs)
    assert out.read_text(encoding="utf-8") == want
