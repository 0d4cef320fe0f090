"""The documentation in the repository: docs/SPEC.md in step with the shared contract, the
example record true to its notice, the README's links, the licence, and the Python examples of
docs/api.md and docs/spacy.md run as written."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SHARED_SPEC = ROOT.parent / "shared" / "SPEC.md"

ITEM_FIELDS = ("dates", "counts", "data_types", "causes")


def _blocks(path: Path, lang: str) -> list[str]:
    """The fenced code blocks of one language in a Markdown file, in order."""
    text = path.read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, flags=re.M | re.S)


def test_docs_spec_equals_the_shared_spec():
    if not SHARED_SPEC.exists():
        pytest.skip("no shared SPEC.md beside this repository")
    assert (DOCS / "SPEC.md").read_text(encoding="utf-8") == SHARED_SPEC.read_text(encoding="utf-8"), (
        "docs/SPEC.md differs from ../shared/SPEC.md: copy the shared file over")


def _spec_example() -> dict:
    (example,) = [b for b in _blocks(DOCS / "SPEC.md", "json") if '"extractor"' in b]
    return json.loads(example)


def _record_example() -> tuple[str, dict]:
    (notice,) = _blocks(DOCS / "record.md", "text")
    records = [json.loads(b) for b in _blocks(DOCS / "record.md", "json") if '"extractor"' in b]
    assert len(records) == 1
    return notice, records[0]


def test_docs_record_example_offsets_point_into_its_notice():
    notice, record = _record_example()
    items = [it for inc in record["incidents"] for f in ITEM_FIELDS for it in inc[f]]
    assert len(items) >= 8
    for it in items:
        assert notice[it["start"]:it["end"]] == it["text"], it


def test_docs_record_example_has_the_spec_keys_and_vocabulary():
    _, record = _record_example()
    spec = _spec_example()
    assert list(record) == list(spec)
    assert set(record["source"]) == set(spec["source"])
    for inc, spec_inc in zip(record["incidents"], spec["incidents"]):
        assert list(inc) == list(spec_inc)
        for f in ITEM_FIELDS:
            assert all(set(it) == set(spec_inc[f][0]) for it in inc[f]), f
    spec_text = (DOCS / "SPEC.md").read_text(encoding="utf-8")
    for inc in record["incidents"]:
        words = [d["role"] for d in inc["dates"]] + [x["category"] for f in ("data_types", "causes")
                                                      for x in inc[f]]
        assert all(f"`{w}`" in spec_text or f"| {w} |" in spec_text for w in words), words


def test_docs_record_error_kinds_come_from_the_error_table():
    from rouei.extract.core.errors import KINDS

    page = (DOCS / "record.md").read_text(encoding="utf-8")
    listed = re.search(r"`kind` is one of (.*?)\(", page, flags=re.S)
    assert listed
    kinds = re.findall(r"`(\w+)`", listed.group(1))
    assert len(kinds) >= 5 and set(kinds) <= set(KINDS.values())


def test_docs_readme_links_resolve_and_show_a_record():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    for page in ("docs/SPEC.md", "docs/record.md", "docs/api.md", "docs/spacy.md", "LICENSE"):
        assert page in links
    for link in links:
        if "://" not in link:
            assert (ROOT / link).exists(), link
    assert "shared folder" not in readme
    (record,) = [json.loads(b) for b in _blocks(ROOT / "README.md", "json")]
    assert record["incidents"][0]["counts"][0]["value"] == 1200


def test_docs_pages_link_to_existing_pages():
    for page in DOCS.glob("*.md"):
        for link in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if "://" not in link:
                assert (page.parent / link).exists(), (page.name, link)


def test_docs_license_is_the_mit_licence_pyproject_names():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 rouei contributors" in text
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("page", ["api.md", "spacy.md"])
def test_docs_python_examples_run(page, capsys):
    """Each page's Python blocks, run in order in one namespace, as a reader would paste them."""
    ns: dict = {}
    blocks = _blocks(DOCS / page, "python")
    assert blocks
    for block in blocks:
        exec(compile(block, f"docs/{page}", "exec"), ns)
    out = capsys.readouterr().out
    if page == "api.md":
        assert "('2024-05-20'" in out and "(1200, '件')" in out
        assert "a ['loss']" in out and "b ['misoperation']" in out
    else:
        labels = {s.label_ for s in ns["doc"].spans["rouei"]}
        assert labels == {"DATE", "COUNT", "DATA_TYPE", "CAUSE"}
        leaked = {s._.rouei["category"]: s._.rouei["leaked"] for s in ns["doc"].spans["rouei"]
                  if s.label_ == "DATA_TYPE"}
        assert leaked == {"name": True, "address": True, "credit_card": False}
        assert ns["record"]["incidents"]
        assert 'class="spans"' in ns["html"] or "span" in ns["html"]
