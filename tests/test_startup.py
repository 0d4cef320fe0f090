"""Start-up: commands that parse nothing do not import spaCy; ``rouei extract -v`` reports the
characters read and parsed, and where its time went. No timings are asserted."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from rouei import __version__

from .conftest import ROOT

HEAVY = ("spacy", "thinc", "ginza", "sudachipy", "numpy", "torch", "bs4", "dask", "distributed")
NOTICE = (
    "株式会社テスト精機 個人情報の流出に関するお知らせ 2025年4月2日\n\n"
    "当社は2025年3月28日、業務用パソコンがマルウェアに感染し、お客様の氏名と電話番号が"
    "外部に流出した可能性があることを確認しました。対象は412名です。\n"
    "クレジットカード情報は含まれておりません。\n"
)
_READ = re.compile(r"(\d+) notices, ([\d,]+) characters read, ([\d,]+) parsed \(([\d.]+)%\)")
_TIME = re.compile(r"time [\d.]+ s: start-up and imports [\d.]+ s, model load [\d.]+ s, "
                   r"parsing [\d.]+ s, rules and the rest -?[\d.]+ s")


def _modules_after(argv: list[str]) -> tuple[list[str], str]:
    """Run the rouei command line in a fresh interpreter; the heavy packages it imported and
    what it printed."""
    code = (
        "import io, json, sys, contextlib\n"
        "from rouei.extract import cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        cli.main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps([heavy, out.getvalue()]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    heavy, printed = json.loads(res.stdout.splitlines()[-1])
    return heavy, printed


def _extract(args: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_version_prints_the_version_and_imports_nothing_heavy():
    heavy, printed = _modules_after(["--version"])
    assert printed.strip() == f"rouei {__version__}"
    assert heavy == []


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """One notice extracted twice with -v through the command line: cold, then warm."""
    tmp = tmp_path_factory.mktemp("startup")
    (tmp / "notice.txt").write_text(NOTICE, encoding="utf-8")
    args = [str(tmp / "notice.txt"), "-o", str(tmp / "out.jsonl"), "--quiet", "--cache", str(tmp / "cache")]
    cold = _extract([*args, "-v"], tmp)
    warm = _extract([*args, "--verbose"], tmp)
    quiet = _extract(args, tmp)
    return tmp, cold, warm, quiet


def test_extract_verbose_reports_characters_read_and_parsed(extracted):
    _, cold, warm, _ = extracted
    assert cold.returncode == 0, cold.stderr
    m = _READ.search(cold.stderr)
    assert m, cold.stderr
    docs, read, parsed, share = int(m[1]), int(m[2].replace(",", "")), int(m[3].replace(",", "")), float(m[4])
    assert docs == 1 and read == len(NOTICE)
    assert parsed > 0  # spans may overlap (an organisation lead and its sentences): no upper bound
    assert share == pytest.approx(100 * parsed / read, abs=0.05)
    assert _TIME.search(cold.stderr), cold.stderr
    # warm: every parse comes from the cache
    m = _READ.search(warm.stderr)
    assert m and int(m[2].replace(",", "")) == read and m[3] == "0", warm.stderr


def test_extract_without_verbose_reports_nothing(extracted):
    _, _, _, quiet = extracted
    assert quiet.returncode == 0
    assert not _READ.search(quiet.stderr) and not _TIME.search(quiet.stderr)


def test_eval_imports_no_spacy(extracted):
    tmp, *_ = extracted
    gold = tmp / "gold.jsonl"
    gold.write_text(json.dumps({"doc_id": "notice", "incidents": 1, "organization": "株式会社テスト精機",
                                "dates": [], "counts": [{"value": 412, "unit": "名"}],
                                "data_types": {"leaked": [], "not_leaked": []}, "causes": []},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    heavy, printed = _modules_after(["eval", str(gold), str(tmp / "out.jsonl")])
    assert "counts" in printed
    assert not {"spacy", "thinc", "ginza", "sudachipy", "numpy"} & set(heavy)


def test_spacy_import_leaves_its_command_line_importable():
    """spaCy is imported without spacy.cli, which still imports (and spacy.info works)."""
    code = (
        "import sys\n"
        "from rouei.extract.nlp.model import import_spacy\n"
        "spacy = import_spacy()\n"
        "assert 'spacy.cli' not in sys.modules and 'spacy.cli.info' not in sys.modules\n"
        "import spacy.cli\n"
        "assert callable(spacy.cli.setup_cli)\n"
        "assert 'spacy_version' in spacy.info()\n"
        "print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.stdout.strip() == "ok", res.stderr


@pytest.mark.slow
def test_extract_verbose_sums_the_workers_counts(extracted):
    """With --jobs 2 the workers' counts come back to the summary: the same characters read
    and parsed as the run in one process (no cache, so every span is parsed)."""
    tmp, cold, *_ = extracted
    folder = tmp / "two"
    folder.mkdir()
    for i in range(3):
        (folder / f"n{i}.txt").write_text(NOTICE.replace("412", str(412 + i)), encoding="utf-8")
    runs = [_extract([str(folder), "-o", str(tmp / f"two{j}.jsonl"), "--quiet", "--no-cache", "-v", *extra],
                     tmp) for j, extra in enumerate(([], ["--jobs", "2"]))]
    found = [_READ.search(r.stderr) for r in runs]
    assert all(found), [r.stderr for r in runs]
    inline, pooled = ([m[1], m[2], m[3]] for m in found)
    assert inline == pooled and inline[0] == "3"
    loaded = re.search(r"model load ([0-9.]+) s \(summed over the processes that loaded it", runs[1].stderr)
    assert loaded and float(loaded[1]) > 0, runs[1].stderr  # loaded once, in the model server


# -- the start-up without the garbage collector (core.startup) ---------------------------------

@pytest.fixture
def own(monkeypatch):
    """This test process as if it were a command's own (restored after, frozen objects too)."""
    import gc

    from rouei.extract.core import startup

    monkeypatch.setattr(startup, "_own", [True])
    frozen = gc.get_freeze_count()
    yield startup
    if gc.get_freeze_count() != frozen:
        gc.unfreeze()
    gc.enable()


def test_startup_imports_run_without_the_collector_and_are_frozen_after(own):
    import gc

    before = gc.get_freeze_count()
    with own.imports():
        assert not gc.isenabled()
        made = [{"n": i} for i in range(100)]
        with own.imports():  # a block inside another: the outer one decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)
    with pytest.raises(ValueError), own.imports():  # a failing import: the collector comes back
        raise ValueError("broken module")
    assert gc.isenabled()
    gc.disable()  # switched off by the caller: left as the caller set it
    try:
        frozen = gc.get_freeze_count()
        with own.imports():
            pass
        assert not gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.enable()


def test_startup_imports_change_nothing_outside_a_commands_own_process():
    """Called in process (tests, the API, a notebook), the command line neither stops the
    collector nor freezes what the caller holds."""
    import gc

    from rouei.extract import cli
    from rouei.extract.core import startup

    assert startup._own == [False]  # pytest's process: main() was only called with argv
    frozen = gc.get_freeze_count()
    with startup.imports():
        assert gc.isenabled()
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_startup_of_the_command_line_is_frozen_and_the_collector_back_on():
    """``rouei`` itself (main() without argv) freezes its start-up and collects as usual after."""
    code = (
        "import gc, sys\n"
        "from rouei.extract import cli\n"
        "sys.argv = ['rouei', 'eval', '--help']\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 1000, file=sys.stderr)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.stderr.strip().splitlines()[-1] == "True True", res.stderr


def test_shipped_rules_folder_found_without_importing_it():
    """The rules shipped with the package are the folder importlib.resources names, found
    without importing rouei.rules (nor zipfile, which importlib.resources brings)."""
    code = (
        "import sys\n"
        "from rouei.extract.core import rules\n"
        "found = rules._rules_dir(None)\n"
        "loaded = sorted(m for m in ('rouei.rules', 'zipfile', 'importlib.resources') if m in sys.modules)\n"
        "from importlib import resources\n"
        "from pathlib import Path\n"
        "print(found == Path(str(resources.files('rouei.rules'))), found.is_dir(), loaded)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.stdout.strip() == "True True []", res.stderr
