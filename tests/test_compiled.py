"""The compiled-regex store (core.compiled) gives the objects re.compile gives, from a fresh
compile or from its file; a damaged or foreign file is ignored. The rule check runs once per
change to the rules when a cache directory holds its stamp, and a broken rule file fails the
same way with or without one."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import subprocess
import sys

import pytest

from rouei.extract.core import compiled, rules, schema
from rouei.extract.core.errors import RoueiError

from .conftest import ROOT
from .test_rules_guard import _rule_regexes

VARIED = [
    (r"(?P<era>令和|平成)?(\d{1,2})年", 0),
    (r"^\s*(?:第)?[一二三]+(?:条|項)$", re.MULTILINE),
    (r"(?i)password|パスワード", 0),
    (r"ID(?![A-Za-z])", re.IGNORECASE),
    (r"(?s)お詫び.*?(?=以上)", 0),
    (r"(?x) (?: a | b )? c  # comment", 0),
    (r"(?<![\d,])(?P<n>[0-9,]+)(?P=n)?(?:名|件)", 0),
    (r"(?>ab|a)c|(?:x++y)", 0),
    (r"", 0),
]


@pytest.fixture
def fresh(monkeypatch):
    """The module as a new process finds it: nothing compiled yet, no store chosen."""
    def reset() -> None:
        monkeypatch.delattr(dataclasses, "exec", raising=False)  # the hook use_store puts there
        monkeypatch.setattr(compiled, "_memo", {})
        monkeypatch.setattr(compiled, "_stores", {})
        monkeypatch.setattr(compiled, "_dir", [None])

    reset()
    return reset


def test_compiled_regex_equals_re_compile_fresh_and_from_the_store(fresh, tmp_path):
    cases = VARIED + [(p, 0) for p in _rule_regexes()]
    compiled.use_store(tmp_path)
    first = [compiled.regex(p, f) for p, f in cases]
    compiled.save()
    assert (tmp_path / compiled.STORE_NAME).exists()
    fresh()  # a later run: every pattern comes from the file
    compiled.use_store(tmp_path)
    again = [compiled.regex(p, f) for p, f in cases]
    assert compiled._stores[tmp_path].dirty is False  # nothing had to compile
    for (p, f), a, b in zip(cases, first, again, strict=True):
        expected = re.compile(p, f)
        assert b == a, p
        # the code differs from re.compile's only where an optional group runs as a choice
        # (what the choice changes nothing in: test_optional_as_choice_finds_what_re_compile_finds)
        assert a == expected or _choices_in(p, f), p
        assert b.groupindex == expected.groupindex and b.groups == expected.groups, p
        assert b.flags == expected.flags, p


def test_compiled_regex_matches_as_re_compile(fresh, tmp_path):
    text = "令和5年4月1日 第一条\n第二項\nPassword 123名 ID\nabc xy お詫び 以上"
    compiled.use_store(tmp_path)
    for p, f in VARIED:
        compiled.regex(p, f)
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    for p, f in VARIED:
        got, want = compiled.regex(p, f), re.compile(p, f)
        assert [(m.span(), m.groups()) for m in got.finditer(text)] == \
            [(m.span(), m.groups()) for m in want.finditer(text)], p


def test_compiled_regex_once_per_process(fresh):
    assert compiled.regex("漏えい|流出") is compiled.regex("漏えい|流出")
    assert compiled.regex("a", re.MULTILINE) is not compiled.regex("a")


def test_compiled_regex_broken_pattern_raises_like_re_compile(fresh, tmp_path):
    compiled.use_store(tmp_path)
    for bad in ("判明(?:した", "(?<=a+)b", "[z-a]"):
        with pytest.raises(re.error) as got:
            compiled.regex(bad)
        with pytest.raises(re.error) as want:
            re.compile(bad)
        assert str(got.value) == str(want.value)
        with pytest.raises(re.error):
            rules.guarded(bad)
    compiled.save()
    assert not (tmp_path / compiled.STORE_NAME).exists()  # nothing compiled, nothing stored


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],  # cut short
    lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:],  # one byte changed
    lambda b: b"not a store",
    lambda b: b"",
])
def test_compiled_store_damaged_file_is_ignored_and_rewritten(fresh, tmp_path, damage):
    compiled.use_store(tmp_path)
    compiled.regex(VARIED[0][0])
    compiled.save()
    path = tmp_path / compiled.STORE_NAME
    path.write_bytes(damage(path.read_bytes()))
    fresh()
    compiled.use_store(tmp_path)
    assert compiled.regex(VARIED[0][0]) == re.compile(VARIED[0][0])
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    compiled.regex(VARIED[0][0])
    assert compiled._stores[tmp_path].dirty is False  # read back from the rewritten file


def test_compiled_store_of_another_interpreter_is_not_read(fresh, tmp_path, monkeypatch):
    compiled.use_store(tmp_path)
    compiled.regex("流出")
    compiled.save()
    fresh()
    monkeypatch.setattr(compiled, "_ENGINE", (*compiled._ENGINE[:1], "3.99.0", *compiled._ENGINE[2:]))
    compiled.use_store(tmp_path)
    assert compiled.regex("流出") == re.compile("流出")
    assert compiled._stores[tmp_path].dirty is True  # compiled again, not read


def test_compiled_store_drops_unused_patterns_that_outweigh_this_runs(fresh, tmp_path):
    compiled.use_store(tmp_path)
    for n in range(6):
        compiled.regex(f"old{n}|" + "x" * 2000)
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    compiled.regex("new")
    compiled.save()
    assert set(compiled._read(tmp_path / compiled.STORE_NAME)) == {("", "new", 0)}
    fresh()
    compiled.use_store(tmp_path)
    compiled.regex("newer|" + "y" * 2000)  # outweighs what it did not use: both stay
    compiled.save()
    assert len(compiled._read(tmp_path / compiled.STORE_NAME)) == 2


def test_compiled_store_keeps_what_another_process_stored_meanwhile(fresh, tmp_path):
    compiled.use_store(tmp_path)
    compiled.regex("parent")
    parent = compiled._stores[compiled._dir[0]]
    fresh()  # a worker, started from the same (empty) store, saves first, with much more
    compiled.use_store(tmp_path)
    for n in range(20):
        compiled.regex(f"worker{n}|" + "x" * 500)
    compiled.save()
    parent.save()
    assert len(compiled._read(tmp_path / compiled.STORE_NAME)) == 21


def test_compiled_store_is_not_written_into_a_missing_directory(fresh, tmp_path):
    gone = tmp_path / "gone"
    compiled.use_store(gone)
    compiled.regex("流出")
    compiled.save()
    assert not gone.exists()


def test_guarded_from_the_store_is_the_guarded_pattern(fresh, tmp_path):
    patterns = [r"(?:令和|平成)?(?P<n>\d+)年", r"(?m)(?:^|、)(?:氏名|住所)", "盗難|窃盗", r"x*"]
    compiled.use_store(tmp_path)
    first = [rules.guarded(p) for p in patterns]
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    again = [rules.guarded(p) for p in patterns]
    assert compiled._stores[tmp_path].dirty is False
    assert again == first and [a.pattern for a in again] == [f.pattern for f in first]
    assert first[0].pattern.startswith("(?=[") and first[1].pattern.startswith("(?m)(?=[")
    assert first[2].pattern == "盗難|窃盗" and first[3].pattern == "x*"


def test_guard_that_does_not_compile_falls_back_to_the_pattern(fresh):
    # a rewrite that breaks the pattern: the pattern itself compiles instead
    got = compiled.regex("(?:a|b)c", rewrite=lambda p, f, tree: p + "(", variant="broken")
    assert got == re.compile("(?:a|b)c")


# -- the rule check's stamp --------------------------------------------------------------------

@pytest.fixture
def rules_copy(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(rules.rules_dir(), dst, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return dst


@pytest.fixture
def checks(monkeypatch):
    """How many times the rule files were really checked."""
    calls: list = []
    real = schema.check_rules

    def counting(root=None):
        calls.append(root)
        return real(root)

    monkeypatch.setattr(schema, "check_rules", counting)
    return calls


def _append(path, text):
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n" + text + "\n")


def test_rules_stamp_checks_once_per_change(rules_copy, tmp_path, checks):
    stamps = tmp_path / "cache"
    schema.validate_rules(rules_copy, stamp_dir=stamps)
    schema.validate_rules(rules_copy, stamp_dir=stamps)
    assert len(checks) == 1 and (stamps / schema.STAMP_NAME).exists()
    _append(rules_copy / "fragments.toml", "# a researcher's edit")
    schema.validate_rules(rules_copy, stamp_dir=stamps)
    schema.validate_rules(rules_copy, stamp_dir=stamps)
    assert len(checks) == 2
    schema.validate_rules(rules_copy)  # no stamp directory: checked every time
    assert len(checks) == 3


def test_rules_stamp_logs_the_same_warnings_again(rules_copy, tmp_path, checks, caplog):
    (rules_copy / "brand_new.toml").write_text('[[heading]]\nregex = "^[0-9]+"\n', encoding="utf-8")
    stamps = tmp_path / "cache"
    logged = []
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="rouei.extract.core.schema"):
            schema.validate_rules(rules_copy, stamp_dir=stamps)
        logged.append([r.getMessage() for r in caplog.records])
    assert len(checks) == 1
    assert logged[0] == logged[1] and any("brand_new.toml has no schema" in m for m in logged[0])


@pytest.mark.parametrize("stamp", ['{"key": "0", "warnings": []}', "{", '["x"]', '{"warnings": 3}'])
def test_rules_stamp_that_does_not_fit_checks_again(rules_copy, tmp_path, checks, stamp):
    stamps = tmp_path / "cache"
    stamps.mkdir()
    (stamps / schema.STAMP_NAME).write_text(stamp, encoding="utf-8")
    schema.validate_rules(rules_copy, stamp_dir=stamps)
    assert len(checks) == 1
    schema.validate_rules(rules_copy, stamp_dir=stamps)
    assert len(checks) == 1  # the stamp was rewritten


def test_rules_stamp_broken_rules_fail_as_without_a_stamp(rules_copy, tmp_path):
    stamps = tmp_path / "cache"
    schema.validate_rules(rules_copy, stamp_dir=stamps)
    before = (stamps / schema.STAMP_NAME).read_text(encoding="utf-8")
    _append(rules_copy / "date_roles.toml", '[[cue]]\nrole = "discovered"\nregex = "判明(?:した"\nexample = "x"')
    with pytest.raises(RoueiError) as stamped:
        schema.validate_rules(rules_copy, stamp_dir=stamps)
    with pytest.raises(RoueiError) as plain:
        schema.validate_rules(rules_copy)
    assert str(stamped.value) == str(plain.value)
    assert stamped.value.code == "E006" and "invalid regex" in str(stamped.value)
    assert (stamps / schema.STAMP_NAME).read_text(encoding="utf-8") == before  # no stamp for them


def test_rules_stamp_extract_refuses_broken_rules_after_a_good_run(rules_copy, tmp_path):
    """``rouei extract`` with a cache: a run stamps the rules; after a rule file breaks, the
    next run fails at start-up with the same error as a run without a cache."""
    doc = tmp_path / "n.txt"
    doc.write_text("2024年1月5日、氏名と住所が流出しました。\n", encoding="utf-8")
    env = {**os.environ, "ROUEI_RULES": str(rules_copy)}

    def extract(out, *extra):
        return subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", str(doc), "-o", str(out),
                               "--quiet", *extra], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)

    cache = tmp_path / "cache"
    good = extract(tmp_path / "good.jsonl", "--cache", str(cache))
    assert good.returncode == 0, good.stderr
    assert (cache / schema.STAMP_NAME).exists() and (cache / compiled.STORE_NAME).exists()
    _append(rules_copy / "causes.toml", '[[cue]]\nclass = "malware"\npatern = "ウイルス"\nexample = "x"')
    out = tmp_path / "out.jsonl"
    stamped = extract(out, "--cache", str(cache))
    plain = extract(out, "--no-cache")
    assert stamped.returncode == plain.returncode == 2
    assert stamped.stderr == plain.stderr
    assert "E006" in stamped.stderr and "'patern'" in stamped.stderr and "Traceback" not in stamped.stderr
    assert not out.exists()


@pytest.mark.slow
def test_compiled_store_is_written_by_the_workers(tmp_path):
    """``--jobs 2``: the workers keep the extractors' regexes in the cache directory too."""
    doc = tmp_path / "n.txt"
    doc.write_text("2024年1月5日、氏名と住所が流出しました。\n", encoding="utf-8")
    cache = tmp_path / "cache"
    proc = subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", str(doc), "-o",
                           str(tmp_path / "out.jsonl"), "--quiet", "--jobs", "2", "--cache", str(cache)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    stored = compiled._read(cache / compiled.STORE_NAME)
    assert any(key[0].startswith("guard") for key in stored)  # the extractors' patterns


@pytest.mark.slow
def test_compiled_store_serves_a_run_with_another_hash_seed(tmp_path):
    """Rule patterns are the same text in every process (no set order in them), so a second
    run, with another hash seed, compiles nothing and leaves the store as it was."""
    doc = tmp_path / "n.txt"
    doc.write_text("株式会社テスト 個人情報の流出について\n2024年1月5日、顧客の氏名と住所、"
                   "電話番号が流出しました。原因は不正アクセスです。対象は120名です。\n", encoding="utf-8")
    cache = tmp_path / "cache"

    def extract(seed: str) -> None:
        proc = subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", str(doc), "-o",
                               str(tmp_path / "out.jsonl"), "--quiet", "--cache", str(cache)], cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stderr

    extract("1")
    before = (cache / compiled.STORE_NAME).read_bytes()
    extract("2")
    assert (cache / compiled.STORE_NAME).read_bytes() == before


def test_kept_values_come_back_from_the_store(fresh, tmp_path):
    made: list[str] = []

    def make(value):
        def run():
            made.append(value)
            return value
        return run

    compiled.use_store(tmp_path)
    assert compiled.kept("test", "a", make({"x": [1, "二", None], "y": frozenset({"z"})})) == \
        {"x": [1, "二", None], "y": frozenset({"z"})}
    assert compiled.kept("test", "b", make(None)) is None
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    assert compiled.kept("test", "a", make("other")) == {"x": [1, "二", None], "y": frozenset({"z"})}
    assert compiled.kept("test", "b", make("other")) is None
    assert len(made) == 2  # made once each, read back from the store after


def test_kept_value_marshal_cannot_write_is_made_every_time(fresh, tmp_path):
    import datetime

    compiled.use_store(tmp_path)
    day = datetime.date(2024, 5, 1)
    assert compiled.kept("test", "d", lambda: {"start": day}) == {"start": day}
    assert compiled._stores[tmp_path].dirty is False


def _some_classes():
    """Dataclasses of the kinds rouei defines: frozen and not, defaults, a factory, a field
    left out of repr and compare, a ClassVar."""
    from typing import ClassVar

    @dataclasses.dataclass(frozen=True)
    class Span:
        """A frozen class: __setattr__, __delattr__ and __hash__ generated too."""
        start: int
        end: int = 0
        label: str = "x"

    @dataclasses.dataclass
    class Bag:
        """A plain class with a factory, a field out of repr and compare, a ClassVar."""
        name: str
        items: list[int] = dataclasses.field(default_factory=list)
        note: str = dataclasses.field(default="", repr=False, compare=False)
        KIND: ClassVar[str] = "bag"

    return Span, Bag


def _exercise(Span, Bag) -> list:
    """What the classes do, as plain values."""
    a, b = Span(1, 2), Span(1, 2, "y")
    bag = Bag("n", note="hidden")
    bag.items.append(3)
    try:
        a.start = 5  # type: ignore[misc]
        frozen = False
    except dataclasses.FrozenInstanceError:
        frozen = True
    return [repr(a), repr(b), a == Span(1, 2), a == b, hash(a) == hash(Span(1, 2)), frozen,
            repr(bag), bag == Bag("n", [3]), Bag("m").items, Bag.KIND,
            [f.name for f in dataclasses.fields(Bag)], Span.__match_args__,
            {k: str(v) for k, v in Span.__init__.__annotations__.items()},
            {k: str(v) for k, v in Bag.__init__.__annotations__.items()}]


def test_dataclass_code_from_the_store_is_what_exec_compiles(fresh, tmp_path):
    """With a store, the methods ``@dataclass`` generates are compiled once and kept; a later
    process runs the kept code: the same code objects and the same classes as without a
    store."""
    plain = _some_classes()  # no store: dataclasses compiles its texts as always
    compiled.use_store(tmp_path)
    first = _some_classes()
    assert compiled._stores[tmp_path].dirty  # the texts were compiled and kept
    kept = [k for k in compiled._stores[tmp_path].entries if k[0] == "kept" and k[1].startswith("exec")]
    assert len(kept) >= 8  # Span: 6 methods; Bag: 3 (some texts may repeat)
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    again = _some_classes()
    assert compiled._stores[tmp_path].dirty is False  # every text came from the store
    assert set(kept) <= compiled._stores[tmp_path].used
    for made in (first, again):
        assert _exercise(*made) == _exercise(*plain)
        for cls, base in zip(made, plain, strict=True):
            for name in ("__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__"):
                ours, theirs = cls.__dict__.get(name), base.__dict__.get(name)
                assert (ours is None) == (theirs is None), name
                if ours is not None and hasattr(ours, "__code__"):
                    assert ours.__code__ == theirs.__code__, name
                    assert ours.__code__.co_filename == theirs.__code__.co_filename


def test_dataclass_hook_without_a_store_is_exec(fresh, tmp_path):
    """Once a store was chosen and dropped again, ``@dataclass`` compiles as always, and a
    code object or a text handed to the hook runs as ``exec`` runs it."""
    compiled.use_store(tmp_path)
    compiled.use_store(None)
    assert _exercise(*_some_classes()) == _exercise(*_some_classes())
    assert compiled._stores == {}  # nothing opened
    space: dict = {}
    compiled._exec("x = 1", space)
    compiled._exec(compile("y = x + 1", "<string>", "exec"), space)
    local: dict = {}
    compiled._exec("z = y * 2", space, local)
    assert (space["x"], space["y"], local) == (1, 2, {"z": 4})


def test_rule_files_and_first_chars_from_the_store_are_as_parsed(fresh, tmp_path, monkeypatch):
    import tomllib

    compiled.use_store(tmp_path)
    monkeypatch.setattr(rules, "_load", rules._load.__wrapped__)  # no per-process cache
    names = [p.stem for p in sorted(rules.rules_dir().glob("*.toml"))]
    firsts = [r"(?:令和|平成)?\d+年", r"x*", r"(?<!見)落とし"]
    first = [rules.load(n) for n in names], [rules.first_chars(p) for p in firsts]
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    again = [rules.load(n) for n in names], [rules.first_chars(p) for p in firsts]
    assert compiled._stores[tmp_path].dirty is False
    assert again == first
    for n, data in zip(names, again[0], strict=True):
        with open(rules.rules_dir() / f"{n}.toml", "rb") as fh:
            assert data == tomllib.load(fh), n
    assert again[1] == [frozenset({"令", "平", "\\d"}), None, frozenset({"落"})]


# -- the check's objects are the extractors', and the store's writes ---------------------------

def test_rule_check_compiles_what_the_extractors_then_use(fresh, tmp_path, monkeypatch):
    """After the rule check, reading a notice compiles few patterns of its own: the check made
    the guarded objects the extractors ask for (a plain request of a pattern the guard leaves
    alone gets the same object)."""
    from rouei.extract.run.pipeline import Pipeline, Settings

    compiled.use_store(tmp_path)
    made: list[tuple] = []
    real = compiled._compile

    def counting(key, rewrite):
        made.append(key)
        return real(key, rewrite)

    monkeypatch.setattr(compiled, "_compile", counting)
    schema.validate_rules()
    checked = len(made)
    Pipeline(Settings()).process("n", "株式会社テスト 個人情報の流出について\n2024年1月5日、顧客の氏名と"
                                      "住所が流出しました。原因は不正アクセスです。対象は120名です。\n")
    assert checked > 300 and len(made) - checked < checked // 4
    plain = next(p for (v, p, f) in made if v and rules.guarded(p).pattern == p)
    assert compiled.regex(plain) is rules.guarded(plain) == re.compile(plain)


def test_guarded_pattern_the_guard_leaves_alone_serves_a_plain_run_from_the_store(fresh, tmp_path):
    compiled.use_store(tmp_path)
    left, changed = "盗難|窃盗", r"(?P<era>令和|平成)?(?P<n>\d+)年"
    rules.guarded(left), rules.guarded(changed)
    compiled.save()
    fresh()  # a run that asks for them plain: the first comes from the store
    compiled.use_store(tmp_path)
    assert compiled.regex(left) == re.compile(left)
    assert compiled._stores[tmp_path].dirty is False
    assert compiled.regex(changed) == re.compile(changed)
    assert compiled._stores[tmp_path].dirty is True


@pytest.mark.parametrize("other_wrote", [False, True])
def test_store_saved_without_reading_an_unchanged_file_again(fresh, tmp_path, monkeypatch, other_wrote):
    """A store file still as it was read is not read again at save; what is written is what the
    re-reading path writes (and a file another process rewrote is read again and merged)."""
    def run(identity_known: bool) -> dict:
        fresh()
        shutil.rmtree(tmp_path / "s", ignore_errors=True)
        (tmp_path / "s").mkdir()
        compiled.use_store(tmp_path / "s")
        for n in range(5):
            compiled.regex(f"first{n}|" + "x" * 300)
        compiled.save()
        fresh()
        compiled.use_store(tmp_path / "s")
        compiled.regex("first0|" + "x" * 300)
        compiled.regex("second")
        store = compiled._stores[compiled._dir[0]]
        if not identity_known:
            store.read_as = None  # as if the file could not be told apart: read again
        if other_wrote:
            other = dict(compiled._read(store.path))
            other[("", "other", 0)] = compiled._code("other", 0)
            payload = compiled.marshal.dumps((compiled._ENGINE, other))
            store.path.write_bytes(compiled._frame(payload))
        reads: list = []
        monkeypatch.setattr(compiled, "_read", lambda p: reads.append(p) or compiled._read_file(p)[0])
        compiled.save()
        monkeypatch.undo()
        return {"read again": bool(reads), "entries": compiled._read(tmp_path / "s" / compiled.STORE_NAME)}

    quick, plain = run(True), run(False)
    assert quick["entries"] == plain["entries"] and plain["read again"]
    assert quick["read again"] is other_wrote
    assert (("", "other", 0) in quick["entries"]) is other_wrote


def test_atomic_output_not_durable_skips_only_the_wait_for_the_disk(tmp_path, monkeypatch):
    from rouei.extract.core.io import atomic_output

    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    target = tmp_path / "f.bin"
    with atomic_output(target, "wb", durable=False) as fh:
        fh.write(b"cache")
    assert target.read_bytes() == b"cache" and not synced
    with atomic_output(target, "wb") as fh:
        fh.write(b"record")
    assert target.read_bytes() == b"record" and synced
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]  # no temp file left


def test_pattern_answers_kept_in_the_store_equal_fresh_ones(fresh, tmp_path):
    """required_factors and needed_chars come from the store in a later run, and answer as
    reading the pattern's parse does."""
    from rouei.extract.doc.layout_rules import _needed_in, needed_chars
    from rouei.extract.fields.cue_index import _required_factors, required_factors

    cases = [(p, f) for p, f in VARIED if not f & re.IGNORECASE and "(?i)" not in p]
    cases += [(p, 0) for p in _rule_regexes()]
    compiled.use_store(tmp_path)
    first = [(required_factors(p, f), needed_chars(re.compile(p, f))) for p, f in cases]
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    again = [(required_factors(p, f), needed_chars(re.compile(p, f))) for p, f in cases]
    assert compiled._stores[tmp_path].dirty is False  # every answer came from the file
    plain = [(_required_factors(p, f),
              () if re.compile(p, f).flags & re.IGNORECASE  # (?i) inside the pattern
              else tuple(_needed_in(list(re._parser.parse(p, f)))))  # type: ignore[attr-defined]
             for p, f in cases]
    assert first == again == plain
    assert sum(1 for r, _ in plain if r) > 20  # the rules do have answers


def _made_then_kept(fresh, tmp_path, make):
    """``make()`` in a run with the store in ``tmp_path``, then again in a fresh process state
    reading that store: (first, again), the second made from what the file kept (the store
    gains nothing)."""
    compiled.use_store(tmp_path)
    first = make()
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    again = make()
    assert compiled._stores[tmp_path].dirty is False  # it came from the file
    return first, again


def test_lexicon_trie_pattern_from_the_store_equals_a_fresh_build(fresh, tmp_path):
    """The data-type lexicon's trie pattern comes from the store in a later run, as building it
    gives it; other terms (and a lexicon the trie cannot take) are built for themselves."""
    from rouei.extract.fields import datatype_rules as D

    lexicons = [D.terms(rules.load("datatypes")), ["氏名", "住所", "ID", "IDカード"],
                ["患者 ID", "患者"]]  # the last one keeps the plain form (white space inside)
    first, again = _made_then_kept(fresh, tmp_path, lambda: [D.lexicon_regex(t) for t in lexicons])
    fresh()  # no store: built in this process
    built = [D.lexicon_regex(t) for t in lexicons]
    assert first == again == built
    assert [D.trie_pattern(t) for t in lexicons[:2]] == [p.pattern for p in built[:2]]
    assert D.trie_pattern(lexicons[2]) is None and built[2] == D.plain_lexicon(lexicons[2])


def test_script_blocks_from_the_store_count_as_fresh_ones(fresh, tmp_path):
    """The notice test's per-block script tables come from the store in a later run, equal to
    reading the block again, and the counts made with them are the plain counts."""
    from rouei.extract.fields import notice

    # a slice of every block of the BMP but the surrogates', with kana, kanji, letters and marks
    texts = ["".join(chr(b << 8 | low) for low in range(0, 256, 5)) for b in range(256)
             if not 0xD8 <= b < 0xE0]
    texts += ["漏えいのお知らせ:顧客の氏名、ﾒｰﾙｱﾄﾞﾚｽ", "Ab1 ＡＢ１ ａ", ""]

    def plain(text: str) -> tuple[int, int, int]:
        kinds = [notice.script_of(ch) for ch in text]
        return sum(k != "" for k in kinds), kinds.count("kana"), kinds.count("kanji")

    def count_all() -> list:
        blocks = notice._BlockCounts()
        return [blocks.counts(t) for t in texts]

    first, again = _made_then_kept(fresh, tmp_path, count_all)  # every block from the file
    assert first == again == [plain(t) for t in texts]
    variant = compiled.variant("script blocks", notice.__file__)
    stored = {int(k[2].split()[0]): v for k, v in compiled._stores[tmp_path].entries.items()
              if k[:2] == ("kept", variant)}
    assert len(stored) == 256 - 8
    for block, value in stored.items():
        assert value == notice._BlockCounts.kinds(block), hex(block)


def test_cue_index_from_the_store_equals_a_fresh_build(fresh, tmp_path, monkeypatch):
    """A cue index's parts come from the store in a later run, equal to building them; a list
    with no known factors and an empty list keep their forms."""
    from rouei.extract.fields.cue_index import CueIndex

    lists = [[re.compile(p, f) for p, f in VARIED] + [re.compile(p) for p in _rule_regexes()],
             [re.compile(p) for p in (r"紛失|盗難", r"誤って[^。]{0,12}?送信", r"ウイルス")],
             [re.compile(r".*"), re.compile(r"(?i)abc")], []]
    first, again = _made_then_kept(fresh, tmp_path, lambda: [CueIndex.of(ps) for ps in lists])
    fresh()
    monkeypatch.setattr(compiled, "kept", lambda kind, key, make: make())  # built here
    built = [CueIndex.of(ps) for ps in lists]
    assert first == again == built
    assert built[0].finder is not None and len(built[0].by_factor) > 50
    assert built[2] == CueIndex({}, (0, 1)) and built[3] == CueIndex({}, ())


@pytest.mark.parametrize("used", [0, 1, 3, 5, 6])
def test_store_saved_as_read_keeps_what_the_reading_path_keeps(fresh, tmp_path, used):
    """Saving a file still as it was read (one dump, weights from the size read) keeps the
    same entries as reading the file again and weighing both dumps: the unused entries stay
    while they weigh no more than the used and new ones."""
    def run(identity_known: bool) -> set:
        fresh()
        shutil.rmtree(tmp_path / "s", ignore_errors=True)
        (tmp_path / "s").mkdir()
        compiled.use_store(tmp_path / "s")
        for n in range(6):
            compiled.regex(f"old{n}|" + "x" * (300 + 100 * n))
        compiled.kept("test", "old", lambda: "v" * 500)
        compiled.save()
        fresh()
        compiled.use_store(tmp_path / "s")
        for n in range(used):
            compiled.regex(f"old{n}|" + "x" * (300 + 100 * n))
        compiled.regex("new|" + "y" * 700)
        store = compiled._stores[compiled._dir[0]]
        if not identity_known:
            store.read_as = None
        compiled.save()
        return set(compiled._read(tmp_path / "s" / compiled.STORE_NAME))

    quick, plain = run(True), run(False)
    assert quick == plain and ("", "new|" + "y" * 700, 0) in quick
    assert len(quick) == (8 if used >= 5 else used + 1)  # all kept, or this run's alone


@pytest.mark.slow
def test_extract_compiles_its_modules_patterns_through_the_store(tmp_path):
    """``rouei extract`` opens the store before the pipeline's modules load: their own patterns
    (date_roles, layout, org ...) are kept there, and read from there by the next run."""
    from rouei.extract.fields import date_roles, org

    doc = tmp_path / "n.txt"
    doc.write_text("2024年1月5日、氏名と住所が流出しました。\n", encoding="utf-8")
    cache = tmp_path / "cache"
    proc = subprocess.run([sys.executable, "-m", "rouei.extract.cli", "extract", str(doc), "-o",
                           str(tmp_path / "out.jsonl"), "--quiet", "--cache", str(cache)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    stored = compiled._read(cache / compiled.STORE_NAME)
    for pat in (date_roles._NP_END, date_roles._CLAUSE_END, org._TITLE_PREFIX):
        assert ("", pat.pattern, 0) in stored, pat.pattern


def test_fragments_follow_an_edit_of_their_file(rules_copy, monkeypatch):
    """rules.fragments() gives one dict while fragments.toml is unchanged, and the new
    fragments once it changed; rules.expand reads them."""
    monkeypatch.setenv("ROUEI_RULES", str(rules_copy))
    first = rules.fragments()
    assert rules.fragments() is first and first
    name = sorted(first)[0]
    path = rules_copy / "fragments.toml"
    path.write_text(path.read_text(encoding="utf-8") + f'\n[{name}_s5]\nregex = "x{{{{{name}}}}}"\n',
                    encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    again = rules.fragments()
    assert again is not first and again[f"{name}_s5"] == f"x{{{{{name}}}}}"
    assert {k: v for k, v in again.items() if k != f"{name}_s5"} == first
    assert rules.expand(f"a{{{{{name}_s5}}}}") == f"a(?:x(?:{rules.expand(first[name])}))"


def test_fragments_read_once_per_pinned_block(rules_copy, monkeypatch):
    """Inside a `pinned` block fragments.toml is looked at once, whatever the number of
    expansions; the next block, under the digest of an edited file, reads the edit."""
    monkeypatch.setenv("ROUEI_RULES", str(rules_copy))
    monkeypatch.setattr(rules, "_fragments", [None, {}, None])
    monkeypatch.setattr(rules, "_hot", [])
    looked: list[str] = []
    load = rules.load
    monkeypatch.setattr(rules, "load", lambda name: looked.append(name) or load(name))
    plain = rules.fragments()
    name = sorted(plain)[0]
    with rules.pinned():
        first = rules.fragments()
        expanded = [rules.expand(f"a{{{{{name}}}}}") for _ in range(5)]
        assert rules.fragments() is first
    assert first == plain and len(set(expanded)) == 1
    assert looked == ["fragments", "fragments"]  # once outside a block, once in it
    path = rules_copy / "fragments.toml"
    path.write_text(path.read_text(encoding="utf-8") + f'\n[{name}_p6]\nregex = "y"\n',
                    encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    monkeypatch.setattr(rules, "_hot", [])  # the digest is looked at again (as after 2 s)
    with rules.pinned():
        assert rules.fragments()[f"{name}_p6"] == "y"
        assert rules.expand(f"{{{{{name}_p6}}}}") == "(?:y)"


def _frames_of(path) -> int:
    data, n, pos = path.read_bytes(), 0, 0
    while pos < len(data):
        pos += compiled._HEAD + int.from_bytes(data[pos + 16:pos + compiled._HEAD], "little")
        n += 1
    return n


def test_store_appends_a_runs_few_new_entries_and_rewrites_once_they_grow(fresh, tmp_path):
    """A run that adds little to a store it used appends a frame (the file read stays as it
    was, in front); later runs read every frame; once the appended frames outweigh a quarter
    of the first, the file is written again whole, as one frame."""
    base = [(f"base{n}|" + "x" * 400, 0) for n in range(20)]
    compiled.use_store(tmp_path)
    for p, f in base:
        compiled.regex(p, f)
    compiled.save()
    path = tmp_path / compiled.STORE_NAME
    first = path.read_bytes()
    for run in range(1, 40):
        fresh()
        compiled.use_store(tmp_path)
        for p, f in base:
            compiled.regex(p, f)
        compiled.kept("test", f"edit {run}", lambda: "v" * 2000)  # a rules edit: one new parse
        compiled.save()
        if _frames_of(path) == 1:
            break
        assert path.read_bytes().startswith(first) and _frames_of(path) == run + 1
    else:
        raise AssertionError("the appended frames never led to a rewrite")
    assert 3 <= run < 39  # a few appends, then one frame again
    fresh()
    compiled.use_store(tmp_path)
    assert [compiled.regex(p, f) for p, f in base] == [re.compile(p, f) for p, f in base]
    assert compiled.kept("test", f"edit {run}", lambda: "made") == "v" * 2000
    assert compiled._stores[tmp_path].dirty is False


def test_store_torn_append_keeps_the_frames_before_it_and_is_rewritten(fresh, tmp_path):
    compiled.use_store(tmp_path)
    for n in range(10):
        compiled.regex(f"base{n}|" + "x" * 400)
    compiled.save()
    fresh()
    compiled.use_store(tmp_path)
    for n in range(10):
        compiled.regex(f"base{n}|" + "x" * 400)
    compiled.regex("added")
    compiled.save()
    path = tmp_path / compiled.STORE_NAME
    assert _frames_of(path) == 2
    path.write_bytes(path.read_bytes()[:-3])  # the append cut short
    fresh()
    compiled.use_store(tmp_path)
    store = compiled._store()
    assert store is not None and len(store.entries) == 10 and not store.sound  # the first frame counts
    compiled.regex("added")  # compiled again
    for n in range(10):
        compiled.regex(f"base{n}|" + "x" * 400)
    compiled.save()
    assert _frames_of(path) == 1 and len(compiled._read(path)) == 11  # written whole again


def test_store_appends_of_two_processes_are_both_kept(fresh, tmp_path):
    compiled.use_store(tmp_path)
    for n in range(10):
        compiled.regex(f"base{n}|" + "x" * 400)
    compiled.save()
    stores = []
    for name in ("one", "two"):  # two runs read the same file, then each stores its own
        fresh()
        compiled.use_store(tmp_path)
        for n in range(10):
            compiled.regex(f"base{n}|" + "x" * 400)
        compiled.regex(name)
        stores.append(compiled._stores[tmp_path])
    for store in stores:
        store.save()  # the second finds the file changed: reads it again and merges
    assert {("", "one", 0), ("", "two", 0)} <= set(compiled._read(tmp_path / compiled.STORE_NAME))


# -- a pattern led by a lookahead on one class skips to it (compiled._led_skip) -----------------

LED_TEXTS = [
    "", "a", "ab", "ba\nab", "令和5年4月1日 第一条\n第二項\nPassword 123名 ID\nabc xy お詫び 以上",
    "約1,200名の個人情報が流出した可能性があります。当社は2024年5月10日に判明しました。",
    "x" * 50 + "ab" + "y" * 50 + "\n(株)テスト 当社 弊社 本市",
    # digits of other scripts and planes, which \\d matches (the skip spells \\d out)
    "٣ 名 १२件 ３月 𝟑名 ௫年 2024年٥月 𝟐𝟎𝟐𝟒年",
]


def _led_cases() -> list[tuple[str, int]]:
    cases = [(r"(?=[ab])(?:a+|ba)", 0), (r"(?=[\d〇一])(?P<n>[\d〇一]+)(?:名|件|年)?", 0),
             (r"(?m)(?=[^\s])(?:^\S+$)", 0), (r"(?=[12])(?<![\d,])(?P<y>20\d\d)年", 0),
             (r"(?=[ab])b?", 0), (r"(?=[ab])", 0), (r"(?i)(?=[ab])(?:ab)", 0), (r"(?=[ab])a", re.I)]
    cases += [(rules.guarded(p).pattern, 0) for p in _rule_regexes()]
    return cases


def _uses(pat: re.Pattern[str], text: str) -> list:
    n = len(text)
    out: list = [[(m.span(), m.groups()) for m in pat.finditer(text)], pat.findall(text),
                 pat.sub("#", text), pat.split(text)]
    for pos, end in [(0, n), (1, n), (0, max(0, n - 1)), (n // 2, n), (2, 3), (n, n)]:
        m = pat.search(text, pos, end)
        out.append(None if m is None else (m.span(), m.groups()))
        out.append([(m.span(), m.groups()) for m in pat.finditer(text, pos, end)])
        for f in (pat.match, pat.fullmatch):
            m = f(text, pos, end)
            out.append(None if m is None else (m.span(), m.groups()))
    return out


def test_led_pattern_finds_what_re_compile_finds(fresh, tmp_path):
    texts = LED_TEXTS + [p.read_text(encoding="utf-8")[:3000] for p in sorted((ROOT / "corpus" / "seeds").glob("*.txt"))][:6]
    compiled.use_store(tmp_path)
    skipped = 0
    for p, f in _led_cases():
        got, want = compiled.regex(p, f), re.compile(p, f)
        skipped += got != want and not _choices_in(p, f)  # the skip was put in
        for text in texts:
            assert _uses(got, text) == _uses(want, text), (p[:60], text[:30])
    assert skipped >= 20


def test_led_skip_only_where_the_engine_can_take_it(fresh):
    def code(p: str, f: int = 0) -> list[int]:
        tree = compiled._parser.parse(p, f)
        return compiled._led_skip(compiled._compiler._code(tree, f), tree, f)

    def plain(p: str, f: int = 0) -> list[int]:
        return compiled._compiler._code(compiled._parser.parse(p, f), f)

    assert code(r"(?=[ab])(?:a+|ba)") != plain(r"(?=[ab])(?:a+|ba)")
    for p, f in [(r"(?=[ab])", 0), (r"(?=[ab])b?", 0), (r"(?i)(?=[ab])ab", 0), (r"(?=[ab])ab", re.I),
                 (r"(?!a)b", 0), (r"(?<=[ab])c", 0), (r"(?=ab)a", 0), (r"[ab]c", 0), (r"abc", 0)]:
        assert code(p, f) == plain(p, f), p


def test_led_skip_spells_digits_as_a_superset_of_the_class():
    """The skip tests \\d as the basic plane's digits plus every character beyond it: every
    character the class matches passes it, and of the basic plane nothing else does."""
    for klass in (r"[\d]", r"[\d一二三〇]", r"[a-c\d\s]"):
        tree = compiled._parser.parse(klass, 0)
        (op, items), = list(tree)
        spelled = compiled._parser.SubPattern(tree.state, [(op, compiled._digits_spelled(items))])
        wide = compiled._sre.compile("", 0, compiled._compiler._code(spelled, 0), 0, {}, ())
        plain = re.compile(klass)
        for code in [*range(0x10000), 0x1D7CE, 0x104A0, 0x1F600, 0x10FFFF]:
            ch = chr(code)
            if plain.match(ch):
                assert wide.match(ch), (klass, hex(code))
            elif code < 0x10000:
                assert not wide.match(ch), (klass, hex(code))
    assert compiled._digits_spelled([(compiled._constants.LITERAL, ord("a"))]) == \
        [(compiled._constants.LITERAL, ord("a"))]  # no \\d: the class as it was


def test_store_refresh_takes_in_what_another_process_saved_since(fresh, tmp_path):
    """A process that read the store before another saved more (the model server, forked
    before its run compiled ahead) finds the new patterns after refresh(), compiling none of
    them, and a later save keeps both processes' entries."""
    compiled.use_store(tmp_path)
    compiled.regex("server-own")
    server = compiled._stores[compiled._dir[0]]
    server_memo = compiled._memo
    fresh()  # the run: the same store, more patterns, saved
    compiled.use_store(tmp_path)
    others = [compiled.regex(f"run{n}[a-z]+") for n in range(5)]
    compiled.save()
    compiled._memo, compiled._stores = server_memo, {tmp_path: server}  # back in the server
    assert ("run0[a-z]+" not in str(server.entries))
    compiled.refresh()
    again = [compiled.regex(f"run{n}[a-z]+") for n in range(5)]
    assert again == others
    taken = [k for k in server.entries if "run" in str(k)]
    assert len(taken) >= 5 and all(k in server.loaded for k in taken)  # read, not compiled
    compiled.regex("server-later")
    server.save()
    stored = compiled._read(tmp_path / compiled.STORE_NAME)
    assert len(stored) >= 7


# -- (?:X)? runs as (?:X|) (compiled._optional_as_choice) ----------------------------------------

def _choices_in(pattern: str, flags: int) -> bool:
    """Whether _optional_as_choice changes the code of ``pattern``."""
    tree = compiled._parser.parse(pattern, flags)
    before = compiled._compiler._code(tree, flags)
    compiled._optional_as_choice(tree.data)
    return compiled._compiler._code(tree, flags) != before


CHOICE_CASES = [
    (r"a(?:bc)?d", 0), (r"(?:x(?:yz)?w)?q", 0), (r"(?:ab|a)?b", 0), (r"(?:a|ab)?b", 0),
    (r"(?:a*)?b", 0), (r"(?:)?a", 0), (r"(?:\d{4}[/.])?\d{1,2}月", 0), (r"(?i:ab)?c", 0),
    (r"(?m)(?:^\s*)?x$", 0), (r"(?=(?:ab)?c)\w+", 0), (r"(?!(?:ab)?c)\w", 0),
    (r"(?>(?:ab)?)abc", 0), (r"(?:[\d,]+(?:万|千)?)?(?:名|件)", 0), (r"(?:令和|平成)?元?年", 0),
    (r"(?:ab)?(?:ab)?(?:ab)?ab", 0), (r"(?:a(?:b(?:c)?)?)?$", 0), (r"(?s)(?:.\n)?.", 0),
]


def test_optional_as_choice_finds_what_re_compile_finds(fresh, tmp_path):
    texts = LED_TEXTS + [
        "abcd ad abd xyzwq xwq q abab ababab ab b aab 2024/5月 5月 12月 令和元年 平成年 年",
        "1,200万名 3件 名 ABc aBC abc\n  x\nx ab\n\nabc",
        # dates with spaces, line breaks and slashes in each place (the date fragments)
        "令和 6 年 5 月 1 日 令和6年/5月/1日 令和6年 /\n 5月\n/1日 2024 年\n 5 月 \t1\n日",
        "2024年(令和6年)\n5月10日 21 年\n10 月 同年 4 月\n1 日 同 3 月 17 日、同\n12日 同月 \n26日",
        "10月 13、\n16 及び 27 日 5 \n月 \n\n1日 H29年 4 月 1 日 西暦 \n2021年7月 令和6年\n\n5月1日",
    ] + [p.read_text(encoding="utf-8")[:3000] for p in sorted((ROOT / "corpus" / "seeds").glob("*.txt"))][:6]
    cases = CHOICE_CASES + [(p, 0) for p in _rule_regexes()] + [
        (rules.guarded(p).pattern, 0) for p in _rule_regexes()]
    compiled.use_store(tmp_path)
    rewritten = 0
    for p, f in cases:
        got, want = compiled.regex(p, f), re.compile(p, f)
        rewritten += _choices_in(p, f)
        assert got.groupindex == want.groupindex and got.groups == want.groups, p
        for text in texts:
            assert _uses(got, text) == _uses(want, text), (p[:60], text[:30])
    assert rewritten >= 150  # the rules use it: most date, count and org patterns


def test_optional_as_choice_only_outside_groups_and_single_tests(fresh):
    def tree_after(p: str, f: int = 0):
        tree = compiled._parser.parse(p, f)
        compiled._optional_as_choice(tree.data)
        return tree

    def ops(items) -> list:
        out = []
        for op, av in items:
            out.append(op)
            for part in compiled._parts(op, av):
                out += ops(part.data)
        return out

    # greedy optional groups of more than one test: no repeat is left, at any depth
    for p in (r"a(?:bc)?d", r"(?:x(?:yz)?w)?q", r"(?=(?:ab)?c)", r"(?i:(?:ab)?c)", r"(?>(?:ab)?)"):
        assert compiled._constants.MAX_REPEAT not in ops(tree_after(p).data), p
        assert _choices_in(p, 0), p
    # left as they are: a capturing group inside, a group reference, one test, lazy,
    # possessive, other counts
    for p in (r"(?:(a)b)?c", r"(a)(?:b\1)?c", r"(?P<x>a)(?:b(?P=x))?c",
              r"(?:a)?b", r"[ab]?c", r"\d?x", r"(?:ab)??c", r"(?:ab)?+c", r"(?:ab){0,2}c",
              r"(?:ab)*c", r"(?:ab){1}c", r"(?P<y>ab)?c", r"(?:(?=(a))b)?c", r"(a)?(?(1)b|c)"):
        assert not _choices_in(p, 0), p
