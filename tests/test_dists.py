"""The quick reading of an installed distribution's version gives what importlib.metadata
gives: for every distribution installed here, and for made-up folders on sys.path (a name
written another way, two candidates, an egg-info, folded or missing headers, a zip)."""

from __future__ import annotations

import importlib.metadata as md
import sys
import zipfile

import pytest

from rouei.extract.core import dists


@pytest.fixture(autouse=True)
def fresh_interpreter_finders(monkeypatch):
    """Distribution finders as a fresh interpreter has them. Importing the importlib_metadata
    backport (dask does, in an earlier test) adds its own finder to sys.meta_path and deletes
    the standard PathFinder's; the quick reading then rightly stands aside, and these tests,
    which compare it with the standard library's answer, would compare nothing."""
    from importlib.machinery import PathFinder

    if getattr(PathFinder, "find_distributions", None) is None:
        monkeypatch.setattr(PathFinder, "find_distributions",
                            staticmethod(md.MetadataPathFinder.find_distributions), raising=False)
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if f is PathFinder or
                                           getattr(f, "find_distributions", None) is None])


def _slow(name: str) -> str | None:
    try:
        return str(md.version(name))
    except md.PackageNotFoundError:
        return None


def test_every_installed_distribution_as_importlib_metadata():
    names = {d.metadata["Name"] for d in md.distributions()}
    assert len(names) > 20
    quick = 0
    for name in sorted(n for n in names if n):
        for spelt in (name, name.upper(), name.replace("-", "_"), name.replace("_", ".")):
            assert dists.installed_version(spelt) == _slow(spelt), spelt
        quick += dists._quick_version(name) is not None
    assert quick > len(names) // 2  # most are read without importlib.metadata
    assert dists.installed_version("ja-ginza") == _slow("ja_ginza")
    assert dists.installed_version("no-such-distribution-here") is None


def _dist(folder, dirname: str, metadata: str | None, kind: str = "METADATA") -> None:
    d = folder / dirname
    d.mkdir(parents=True)
    if metadata is not None:
        (d / kind).write_text(metadata, encoding="utf-8")


@pytest.mark.parametrize("layout", [
    [("Fake_Pkg-1.0.dist-info", "Metadata-Version: 2.1\nName: fake-pkg\nVersion: 1.0\n\nbody\n")],
    [("fake.pkg-2.0.dist-info", "Metadata-Version: 2.1\r\nName: fake.pkg\r\nVersion:\t2.0 \r\n")],
    [("fake_pkg-3.dist-info", "Name: fake\nSummary: a\n  folded summary\nVersion: 3\n")],
    [("fake_pkg-4.dist-info", "Name: fake\nVersion: 4\n  folded version\n")],
    [("fake_pkg-5.dist-info", "Name: fake\n\nVersion: 5\n")],  # after the headers
    [("fake_pkg-6.dist-info", "Name: fake\nversion: 6\nVersion: 7\n")],
    [("fake_pkg-8.dist-info", None)],  # no METADATA
    [("fake_pkg-9.egg-info", "Name: fake\nVersion: 9\n", "PKG-INFO")],
    [("fake_pkg-10.dist-info", "Name: fake\nVersion: 10\n"),
     ("Fake-Pkg-11.dist-info", "Name: fake\nVersion: 11\n")],
    [("fake_pkg-12.dist-info", "Name: fake\nnot a header\nVersion: 12\n")],
    [("other-1.dist-info", "Name: other\nVersion: 1\n")],
])
def test_made_up_layouts_as_importlib_metadata(tmp_path, monkeypatch, layout):
    first, second = tmp_path / "a", tmp_path / "b"
    second.mkdir()
    _dist(second, "fake_pkg-99.dist-info", "Name: fake\nVersion: 99\n")  # found only after
    for dirname, metadata, *kind in layout:
        _dist(first, dirname, metadata, *kind)
    first.mkdir(exist_ok=True)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])
    for name in ("fake-pkg", "Fake.Pkg", "fake_pkg", "other"):
        assert dists.installed_version(name) == _slow(name), (layout, name)


def test_a_zip_on_the_path_goes_to_importlib_metadata(tmp_path, monkeypatch):
    archive = tmp_path / "dists.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped_pkg-1.5.dist-info/METADATA", "Name: zipped-pkg\nVersion: 1.5\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert dists._quick_version("zipped-pkg") is None
    assert dists.installed_version("zipped-pkg") == _slow("zipped-pkg") == "1.5"
