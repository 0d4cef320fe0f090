"""The output writer: atomic finish, resume after a kill, no torn lines."""

from __future__ import annotations

import json

from rouei.extract.run.output import RecordWriter, part_path


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
