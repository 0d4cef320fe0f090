"""rouei as users install it: a wheel in a fresh venv, run from another directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from rouei.extract.core import rules

from .conftest import ROOT

NOTICE = "令和6年3月10日、職員がUSBメモリを紛失しました。児童32名の氏名と住所が記録されていました。\n"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (whl,) = out.glob("rouei-*.whl")
    return whl


def test_package_wheel_holds_one_import_package_with_its_rules(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert tops == {"rouei"}  # no top-level `extract` or `fetch` to shadow or be shadowed
    for f in sorted((ROOT / "rules").glob("*.toml")):
        assert f"rouei/rules/{f.name}" in names
    assert "rouei/py.typed" in names
    assert "rouei/extract/reports/review_assets/template.html" in names
    meta = next(n for n in names if n.endswith("entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(meta).decode()
    assert "[spacy_factories]" in entry_points and "rouei.extract.component:make_rouei" in entry_points
    assert "rouei = rouei.extract.cli:main" in entry_points


@pytest.mark.slow
def test_package_wheel_installed_in_a_fresh_venv_extracts_from_another_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    vpy = venv / "bin" / "python"
    # the dependencies come from this environment (a .pth line); rouei itself only from the wheel
    site = subprocess.run([str(vpy), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(vpy), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                   check=True, timeout=300, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "extract").mkdir()  # a user's own folder named like the card's: must not shadow rouei
    (work / "extract" / "__init__.py").write_text("raise ImportError('shadowed')\n")
    (work / "notice.txt").write_text(NOTICE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("ROUEI_RULES", "PYTHONPATH")}
    proc = subprocess.run([str(venv / "bin" / "rouei"), "extract", "notice.txt", "-o", "out.jsonl",
                           "--quiet", "--no-cache"], cwd=work, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    (rec,) = [json.loads(line) for line in (work / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rec["doc_id"] == "notice"
    assert [c["category"] for c in rec["incidents"][0]["causes"]] == ["loss"]
    assert rec["extractor"]["rules"] == rules.rules_hash()  # the shipped rules, read from the wheel
    where = subprocess.run([str(vpy), "-c", "import rouei.rules, rouei; print(rouei.rules.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv))
