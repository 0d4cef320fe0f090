"""Optional extras: with a feature's dependency missing, the command names the extra to install
and exits 2 (a PDF input becomes an error record that names it), never an ImportError traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rouei.extract.core.extras import EXTRAS, MissingExtra, require

FIX = Path(__file__).parent / "fixtures" / "review"
PRED = FIX / "pred.jsonl"

# Runs the rouei command with an import blocker in front of sys.meta_path, so the named
# top-level modules fail to import as they do when their extra is not installed.
_BLOCKED_RUN = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Blocker())
from rouei.extract.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _run_without(modules: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _BLOCKED_RUN, modules, *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_extras_require_names_the_extra():
    assert require("json", "reading JSON").__name__ == "json"
    with pytest.raises(MissingExtra) as exc:
        require("pyarrow_not_installed_here", "Parquet output")
    assert exc.value.code == "E021"
    with pytest.raises(MissingExtra) as exc:
        require("matplotlib.not_a_module_xyz", "--plot")
    assert exc.value.extra == "plot" and "pip install 'rouei[plot]'" in str(exc.value)
    assert set(EXTRAS.values()) == {"parquet", "plot", "dask", "pdf"}


def test_extras_pyproject_declares_each_extra_and_all():
    import tomllib

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert {"parquet", "plot", "dask", "pdf", "all", "dev"} <= set(extras)
    core = " ".join(project["dependencies"])
    for heavy in ("pyarrow", "matplotlib", "dask", "distributed", "pdfminer"):
        assert heavy not in core
    assert "platformdirs" in core


@pytest.mark.parametrize("blocked, args, extra", [
    ("pyarrow", ["export", str(PRED), "-o", "out.parquet"], "parquet"),
    ("pyarrow", ["export", str(PRED), "--format", "facts", "-o", "facts.parquet"], "parquet"),
    ("matplotlib", ["stats", str(PRED), "--plot", "stats.png"], "plot"),
    ("dask,distributed", ["extract", "note.txt", "-o", "o.jsonl", "--engine", "dask", "--no-cache"], "dask"),
])
def test_extras_missing_extra_exits_2_and_names_it(tmp_path, blocked, args, extra):
    (tmp_path / "note.txt").write_text("氏名が漏えいしました。", encoding="utf-8")
    proc = _run_without(blocked, *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"pip install 'rouei[{extra}]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["note.txt"]  # nothing half-written


def test_extras_csv_export_needs_no_extra(tmp_path):
    proc = _run_without("pyarrow,matplotlib,dask,distributed,pdfminer", "export", str(PRED), "-o", "o.csv",
                        cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o.csv").stat().st_size > 0


def test_extras_pdf_input_without_pdfminer_is_an_error_record(tmp_path):
    (tmp_path / "notice.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    proc = _run_without("pdfminer", "extract", "notice.pdf", "-o", "o.jsonl", "--quiet", "--no-cache",
                        cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    rec = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert rec["error"]["kind"] == "missing_extra"
    assert "pip install 'rouei[pdf]'" in rec["error"]["message"]


def test_extras_fetched_pdf_without_pdfminer_is_a_conversion_failure_naming_the_extra(tmp_path):
    code = _BLOCKED_RUN.split("from rouei.extract.cli")[0] + (
        "from rouei.fetch.convert import convert\n"
        "c = convert(b'%PDF-1.4\\n%%EOF\\n', 'application/pdf', 'https://example.jp/a.pdf')\n"
        "print(c.reason, c.error, sep='\\n')\n")
    proc = subprocess.run([sys.executable, "-c", code, "pdfminer"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    reason, error = proc.stdout.splitlines()[:2]
    assert reason == "missing_extra" and "pip install 'rouei[pdf]'" in error
