"""Rule files are checked against rules/schema.toml at start-up: a broken file names its file,
entry and key; a file without a schema only warns."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from rouei.extract.core import rules
from rouei.extract.core.errors import RoueiError
from rouei.extract.core.schema import check_rules, validate_rules

from .conftest import ROOT


@pytest.fixture
def rules_copy(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(rules.rules_dir(), dst, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return dst


def _append(path, text):
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n" + text + "\n")


def test_rules_schema_shipped_rules_are_valid():
    errors, _ = check_rules()  # files and sections still without a schema only warn
    assert errors == []


@pytest.mark.parametrize("file, addition, expect", [
    ("causes.toml", '[[cue]]\nclass = "malware"\npatern = "ウイルス"\nexample = "ウイルスに感染"',
     ["causes.toml", "[[cue]] #", "unknown key 'patern'", "did you mean 'pattern'"]),
    ("causes.toml", '[[cue]]\nclass = "malwear"\npattern = "ウイルス"\nexample = "ウイルスに感染"',
     ["causes.toml", "key 'class'", "unknown cause 'malwear'"]),
    ("date_roles.toml", '[[cue]]\nrole = "discovered"\nregex = "判明(?:した"\nexample = "判明した"',
     ["date_roles.toml", "[[cue]] #", "key 'regex'", "invalid regex"]),
    ("date_roles.toml", '[[cue]]\nrole = "found"\nregex = "判明"\nexample = "判明した"',
     ["unknown role 'found'"]),
    ("counters.toml", '[[counter]]\nunit = "枚"\nnot_after = "^{{no_such_fragment}}"\nexample = "3枚"',
     ["counters.toml", "[[counter]] #", "(枚)", "unknown fragment {{no_such_fragment}}"]),
    ("negation.toml", '[[case]]\nexample = "住所は含まれません"\nleaked = []\nnot_leaked = ["adress"]',
     ["negation.toml", "key 'not_leaked'", "unknown datatype 'adress'"]),
    ("eras.toml", '[[era]]\nname = "大正"\nexample = "大正3年"',
     ["eras.toml", "(大正)", "missing key 'start'"]),
    ("veris.toml", '[data.passwrd]\nvariety = "Credentials"',
     ["veris.toml [data.passwrd]", "unknown datatype 'passwrd'"]),
])
def test_rules_schema_names_file_entry_and_key(rules_copy, file, addition, expect):
    _append(rules_copy / file, addition)
    errors, _ = check_rules(rules_copy)
    assert errors, "the broken entry was not reported"
    for part in expect:
        assert part in errors[0]
    with pytest.raises(RoueiError) as err:
        validate_rules(rules_copy)
    assert err.value.code == "E006"


def test_rules_schema_bad_toml_is_an_error(rules_copy):
    _append(rules_copy / "status.toml", "[[cue]\nstatus = ")
    errors, _ = check_rules(rules_copy)
    assert any(e.startswith("status.toml: not valid TOML") for e in errors)


def test_rules_schema_new_file_without_schema_only_warns(rules_copy):
    (rules_copy / "brand_new.toml").write_text(
        '[[heading]]\nregex = "^[0-9]+\\\\."\nnew_key = 3\nexample = "1. 概要"\n', encoding="utf-8")
    errors, warnings = check_rules(rules_copy)
    assert errors == []
    assert any("brand_new.toml has no schema" in w for w in warnings)


def test_rules_schema_new_file_without_schema_still_compiles_patterns(rules_copy):
    (rules_copy / "brand_new.toml").write_text('[label]\npattern = "発生日(?:"\n', encoding="utf-8")
    errors, _ = check_rules(rules_copy)
    assert len(errors) == 1 and "brand_new.toml" in errors[0] and "invalid regex" in errors[0]


def test_rules_schema_new_section_of_known_file_warns(rules_copy):
    _append(rules_copy / "status.toml", '[hedge]\nregex = "かもしれ"\nexample = "漏れたかもしれない"')
    errors, warnings = check_rules(rules_copy)
    assert errors == []
    assert any("status.toml [hedge]" in w for w in warnings)


def test_rules_schema_a_new_key_is_one_word_in_the_schema(rules_copy):
    _append(rules_copy / "counters.toml", '[[counter]]\nunit = "枚"\nmax_value = 100\nexample = "3枚"')
    assert len(check_rules(rules_copy)[0]) == 1
    schema = (rules_copy / "schema.toml").read_text(encoding="utf-8")
    schema = schema.replace('"requires_after", "tight"]', '"requires_after", "tight", "max_value"]', 1)
    (rules_copy / "schema.toml").write_text(schema, encoding="utf-8")
    assert check_rules(rules_copy)[0] == []


def test_rules_schema_extract_refuses_broken_rules_and_writes_nothing(rules_copy, tmp_path):
    _append(rules_copy / "causes.toml", '[[cue]]\nclass = "malware"\npatern = "ウイルス"\nexample = "x"')
    doc = tmp_path / "n.txt"
    doc.write_text("2024年1月5日、氏名と住所が流出しました。\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text('{"doc_id": "earlier"}\n', encoding="utf-8")
    env = {**__import__("os").environ, "ROUEI_RULES": str(rules_copy)}
    proc = subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", str(doc), "-o", str(out),
                           "--quiet", "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert "E006" in proc.stderr and "causes.toml" in proc.stderr and "'patern'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.read_text(encoding="utf-8") == '{"doc_id": "earlier"}\n'
    assert not (tmp_path / "out.jsonl.part").exists()


def _drop_section(path, section):
    """``path`` without the table ``[section]`` (up to the next table header)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n[{section}]\n") + 1
    nxt = text.find("\n[", start)
    path.write_text(text[:start] + (text[nxt + 1:] if nxt != -1 else ""), encoding="utf-8")


def test_rules_schema_a_section_the_extractors_read_must_be_there(rules_copy):
    """A copy of rules/ from before a section was added fails the check, naming file and
    section, instead of every document failing alone with a bare KeyError."""
    _drop_section(rules_copy / "org.toml", "scan")
    errors, _ = check_rules(rules_copy)
    assert errors == [e for e in errors if "org.toml has no [scan] section" in e] and len(errors) == 1
    with pytest.raises(RoueiError) as err:
        validate_rules(rules_copy)
    assert err.value.code == "E006" and "[scan]" in str(err.value)


def test_rules_schema_an_optional_section_may_be_left_out(rules_copy):
    import tomllib

    from rouei.extract.core import schema as schema_mod

    schema = tomllib.loads((rules_copy / "schema.toml").read_text(encoding="utf-8"))
    assert schema["incidents"]["numbered_heading"]["optional"] is True
    # the schema's optional sections are absent from the shipped files and the check passes
    assert check_rules(rules_copy)[0] == []
    # without the mark, the same absence is an error
    del schema["incidents"]["numbered_heading"]["optional"]
    files = {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in rules_copy.glob("*.toml")}
    report = schema_mod._Report()
    schema_mod._missing(files, schema, report, set(files))
    assert len(report.errors) == 1 and "incidents.toml has no [numbered_heading]" in report.errors[0]


def test_rules_schema_a_missing_rule_file_is_named_once(rules_copy):
    (rules_copy / "status.toml").unlink()
    errors = check_rules(rules_copy)[0]
    assert len(errors) == 1 and errors[0].startswith("status.toml is missing")
    # a file that is there but not valid TOML is reported as such, not also as missing
    (rules_copy / "status.toml").write_text("[[cue]\n", encoding="utf-8")
    errors = check_rules(rules_copy)[0]
    assert len(errors) == 1 and "not valid TOML" in errors[0]


def test_rules_schema_an_old_copy_with_its_old_schema_is_still_told_what_it_lacks(rules_copy):
    """A copy taken before a section was added carries a schema.toml without it too: the
    sections this version reads come from the shipped schema."""
    _drop_section(rules_copy / "org.toml", "scan")
    _drop_section(rules_copy / "schema.toml", "org.scan")
    errors = check_rules(rules_copy)[0]
    assert len(errors) == 1 and "org.toml has no [scan] section" in errors[0]


def test_rules_schema_stamp_follows_the_shipped_schema(rules_copy, tmp_path, monkeypatch):
    """A stamp of a copy that passed does not outlive a shipped schema that now asks for more."""
    from rouei.extract.core import schema as schema_mod

    before = schema_mod._stamp_key(rules_copy)
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "schema.toml").write_bytes((rules.rules_dir() / "schema.toml").read_bytes() + b"\n# newer\n")
    real = rules._rules_dir
    monkeypatch.setattr(rules, "_rules_dir", lambda env: shipped if env is None else real(env))
    assert schema_mod._stamp_key(rules_copy) != before
