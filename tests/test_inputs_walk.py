"""Walking an input folder with os.scandir finds what the plain pathlib walk finds: the same
files in the same order with the same relative paths, and the same broken links and loops."""

from __future__ import annotations

import os
from pathlib import Path

from rouei.extract.run import inputs
from rouei.extract.run.inputs import SUFFIXES, _broken_link, _Found, _rel


def _walk_plain(root: Path) -> list[_Found]:
    found: list[_Found] = []
    active: set[tuple[int, int]] = set()

    def visit(folder: Path) -> None:
        st = folder.stat()
        key = (st.st_dev, st.st_ino)
        active.add(key)
        try:
            entries = sorted(folder.iterdir())
        except OSError as exc:
            found.append(_Found(folder, _rel(folder, root), f"{folder}: {exc.strerror or exc}"))
            active.discard(key)
            return
        for p in entries:
            suffix = p.suffix.lower()
            if p.is_symlink():
                why = _broken_link(p)
                if why:
                    if suffix in SUFFIXES or not suffix:
                        found.append(_Found(p, _rel(p, root), why))
                    continue
            if p.is_dir():
                sub = p.stat()
                if (sub.st_dev, sub.st_ino) in active:
                    found.append(_Found(p, _rel(p, root), f"{p}: symlink loop"))
                else:
                    visit(p)
            elif p.is_file() and suffix in SUFFIXES:
                found.append(_Found(p, _rel(p, root)))
        active.discard(key)

    visit(root)
    return found


def test_walk_finds_what_the_plain_walk_finds(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    for rel in ["a.txt", "B.TXT", "c.Html", "d.pdf", "e.md", "noext", ".hidden.txt", "z 1.txt",
                "sub/a.txt", "sub/deeper/x.htm", "sub/deeper/y.xhtml", "Sub2/a.txt", "あ/い.txt",
                "dots.v1.txt", "sub/empty/.keep"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("本文", encoding="utf-8")
    (root / "dir.txt").mkdir()  # a folder named like a document
    (root / "dir.txt" / "in.txt").write_text("x", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("x", encoding="utf-8")
    os.symlink(outside, root / "linked")  # a symlinked folder, followed
    os.symlink(root / "sub", root / "sub" / "deeper" / "back")  # a loop
    os.symlink(root / "a.txt", root / "alias.txt")  # a link to a file
    os.symlink(tmp_path / "missing.txt", root / "dangling.txt")
    os.symlink(tmp_path / "missing", root / "dangling_dir")
    os.symlink(tmp_path / "missing.md", root / "dangling.md")  # not reported: no document name
    os.symlink(root / "self", root / "self")  # a link to itself
    locked = root / "locked"
    locked.mkdir()
    real_scandir, real_iterdir = os.scandir, Path.iterdir

    def refuse(fn):
        def wrapped(path, *a):
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied")
            return fn(path, *a)
        return wrapped

    monkeypatch.setattr(inputs.os, "scandir", refuse(real_scandir))
    monkeypatch.setattr(Path, "iterdir", refuse(real_iterdir))
    for start in (root, root / "sub", Path(os.path.relpath(root))):
        got, want = inputs._walk(start), _walk_plain(start)
        assert [(f.path, f.rel, f.error) for f in got] == [(f.path, f.rel, f.error) for f in want]
    rels = [f.rel for f in inputs._walk(root)]
    assert "linked/o.txt" in rels and "dir.txt/in.txt" in rels and "locked" in rels
    assert any(f.error and "loop" in f.error for f in inputs._walk(root))
