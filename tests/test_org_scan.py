"""The organisation patterns' narrowed search (rules/org.toml [scan], org.Finder): the same
matches and groups as the plain pattern's finditer, over whole texts and over parts of them."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.fields import org

ROOT = Path(__file__).parent.parent
TEXTS = sorted((ROOT / "corpus" / "seeds").glob("*.txt")) + \
    sorted((Path(__file__).parent / "fixtures" / "holdout").glob("*.txt"))

EDGES = [
    "", "市", "北山市", "北山市長", "北山市長 山田太郎", "北山市長\n山田太郎", "北山市長。", "北山町立の学校",
    "北山市立みどり小学校", "北山県知事", "同市", "みなと市", " みなと市", "、さいたま市は", "東京都港区",
    "山口県岩国市の", "株式会社", "X株式会社", "みどり運輸株式会社", "、みどり運輸株式会社", "BANDAI SPIRITS株式会社",
    "ABC (株)", "テスト(株)は", "テスト(株", "群馬大学", "群馬大学院", "群馬大学病院", "北海道大病院", "長崎県警察本部",
    "警視庁", "みどり総合病院", "さくら信用金庫", "北山市教育委員会", "当院", "同大学", "株式会社サンプル及び",
    "株式会社A及びB株式会社", "総務省は、みどり運輸株式会社に対し", "新宿区役所", "大学", "学園大学", "大学大学",
]

# pieces the random texts are made of: suffix words, characters in and out of the classes,
# line breaks and spaces at run ends
PIECES = ["株式会社", "有限会社", "合同会社", "(株)", "(", ")", "大学", "院", "病院", "学園", "信用金庫", "協会",
          "市", "区", "町", "村", "県", "都", "府", "道", "東京都", "北海道", "長", "立の", "立", "知事", "警察",
          "本部", "警視庁", "センター", "こども園", "小学校", "教育委員会", "同", "本", "新", "みどり", "さくら",
          "の", "は", "テスト", "ー", "・", "ABC", "x", "1", "&", "-", ".", " ", "　", "\n", "、", "。", "「",
          "」", ":", "山口", "北山", "群馬"]

SCANNED = [(label, f) for label, f in org.org_rules().finders if f.runs is not None]


def _plain(f: org.Finder, text: str, start: int, end: int) -> list:
    return [(m.span(), m.groups(), m.groupdict()) for m in f.pattern.finditer(text, start, end)]


def _scanned(f: org.Finder, text: str, start: int, end: int) -> list:
    return [(m.span(), m.groups(), m.groupdict()) for m in f.finditer(text, start, end)]


def _norm(text: str) -> str:
    return DocContext("t", text).norm.text


def test_org_scan_covers_the_slow_patterns():
    assert {label for label, _ in SCANNED} == {"legal", "body", "place"}
    assert len(SCANNED) == 3


@pytest.mark.parametrize("label,f", SCANNED, ids=[label for label, _ in SCANNED])
def test_org_scan_same_matches_on_documents(label, f):
    assert TEXTS
    for path in TEXTS:
        norm = _norm(path.read_text(encoding="utf-8"))
        assert _scanned(f, norm, 0, len(norm)) == _plain(f, norm, 0, len(norm)), path.name
        # incident_org asks for single lines; and arbitrary cuts fall inside runs
        for m in re.finditer(r"[^\n]+", norm):
            assert _scanned(f, norm, *m.span()) == _plain(f, norm, *m.span()), (path.name, m.span())
        rng = random.Random(path.name)
        for _ in range(20):
            a = rng.randrange(len(norm) + 1)
            b = rng.randrange(a, len(norm) + 1)
            assert _scanned(f, norm, a, b) == _plain(f, norm, a, b), (path.name, a, b)


@pytest.mark.parametrize("label,f", SCANNED, ids=[label for label, _ in SCANNED])
def test_org_scan_same_matches_on_edge_cases(label, f):
    for text in EDGES:
        norm = _norm(text)
        for a in range(len(norm) + 1):
            for b in range(a, len(norm) + 1):
                assert _scanned(f, norm, a, b) == _plain(f, norm, a, b), (text, a, b)


@pytest.mark.parametrize("label,f", SCANNED, ids=[label for label, _ in SCANNED])
def test_org_scan_same_matches_on_random_texts(label, f):
    rng = random.Random(14)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 25)))
        for norm in (text, _norm(text)):
            assert _scanned(f, norm, 0, len(norm)) == _plain(f, norm, 0, len(norm)), norm
            a = rng.randrange(len(norm) + 1)
            b = rng.randrange(a, len(norm) + 1)
            assert _scanned(f, norm, a, b) == _plain(f, norm, a, b), (norm, a, b)


KEYS = {"legal": "legal_suffix", "body": "body", "place": "place"}


@pytest.mark.parametrize("label,f", SCANNED, ids=[label for label, _ in SCANNED])
def test_org_scan_needs_words_are_made_of_run_characters(label, f):
    # a `needs` word found inside a run lies wholly in it: each of its characters is in `chars`
    assert f.runs is not None and f.needs is not None
    raw = rules.load("org")[KEYS[label]]["needs"].replace("\\", "")
    for text in re.split(r"[|\[\]]", raw) + PIECES + EDGES:
        for m in f.needs.finditer(text):
            assert all(f.runs.fullmatch(ch) for ch in m.group()), (label, m.group())


def _lookaheads_within(items, peek: int) -> None:
    """Every lookahead in the parsed pattern reads at most peek - 1 characters (a ``$`` in it
    reads one more)."""
    for op, av in items:
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT"):
            direction, sub = av
            if direction == 1:
                assert sub.getwidth()[1] + 1 <= peek
            _lookaheads_within(sub, peek)
        elif name == "BRANCH":
            for branch in av[1]:
                _lookaheads_within(branch, peek)
        elif name == "SUBPATTERN":
            _lookaheads_within(av[-1], peek)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _lookaheads_within(av[2], peek)


def test_org_scan_lookaheads_read_within_peek():
    # a run is searched up to `peek` characters past its end: a lookahead at the end of a match
    # must read no further than that to read what it reads in the whole text
    from re import _parser  # type: ignore[attr-defined]

    peek = int(rules.load("org")["scan"]["peek"])
    for _, f in SCANNED:
        _lookaheads_within(_parser.parse(f.pattern.pattern), peek)


def test_org_scan_falls_back_when_needs_does_not_cover_the_regex(caplog):
    """A suffix added to the regex but not to `needs` (or made of characters outside `chars`)
    would lose its matches in the narrowed search: the finder then searches plainly, and says
    so once at load."""
    entry = {"regex": "[一-龥]{1,6}?(?:大学|学院)", "chars": "[一-龥]", "needs": "大学"}
    with caplog.at_level("WARNING"):
        f = org._finder(entry, 8)
    assert f.runs is None and "do not cover" in caplog.text
    assert [m.group() for m in f.finditer("北山学院", 0, 4)] == ["北山学院"]
    covered = org._finder({**entry, "needs": "大学|学院"}, 8)
    assert covered.runs is not None
    outside = org._finder({"regex": "[一-龥]{1,6}?(?:大学|カレッジ)", "chars": "[一-龥]", "needs": "大学|カレッジ"}, 8)
    assert outside.runs is None


def _runs(f: org.Finder, text: str, start: int, end: int, fast: bool) -> list:
    hits = [m.start() for m in f.needs.finditer(text, start, end)] if f.needs else []
    if not hits:
        return []
    return list((f._runs_at if fast else f._runs_with)(text, start, end, hits))


@pytest.mark.parametrize("label,f", SCANNED, ids=[label for label, _ in SCANNED])
def test_org_scan_runs_read_from_the_hits_are_those_read_in_order(label, f):
    """The runs that hold a hit, found from the hits (forwards in the text, backwards in its
    reversed copy): the runs a pass over every run finds, for whole texts, lines, cuts and
    random texts."""
    assert f.one_char
    rng = random.Random(label)
    texts = [_norm(p.read_text(encoding="utf-8")) for p in TEXTS] + [_norm(t) for t in EDGES]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 25))) for _ in range(2000)]
    for norm in texts:
        cuts = [(0, len(norm))] + [m.span() for m in re.finditer(r"[^\n]+", norm)][:50]
        for _ in range(10):
            a = rng.randrange(len(norm) + 1)
            cuts.append((a, rng.randrange(a, len(norm) + 1)))
        for a, b in cuts:
            assert _runs(f, norm, a, b, True) == _runs(f, norm, a, b, False), (norm[:30], a, b)


def test_org_scan_reads_runs_backwards_only_for_a_single_class():
    assert org._single_class("[ぁ-んァ-ヶー一-龥]") and org._single_class("x") and org._single_class("[ ()]")
    assert not org._single_class("[a-z]|xy") and not org._single_class("[a-z][0-9]") and not org._single_class("(")
    assert org._single_class("(?:[a-z])")  # the parser reads a group of one class as the class
    two = org._finder({"regex": "[a-z]{1,6}?(?:xy|大学)", "chars": "[a-z]|xy|大学", "needs": "xy|大学"}, 8)
    assert two.runs is not None and not two.one_char
    assert [m.group() for m in two.finditer("abc大学 xy", 0, 9)] == \
        [m.group() for m in two.pattern.finditer("abc大学 xy", 0, 9)]


def test_org_scan_literal_words_read_from_needs():
    assert org._literal_words("株式会社|有限会社|\\(株\\)") == ("株式会社", "有限会社", "(株)")
    assert org._literal_words("[市区町村県都道府]") == tuple("市区町村県都道府")
    assert org._literal_words("大学") == ("大学",)
    assert org._literal_words("ab|cd|ab") == ("ab", "cd")
    # anything but literal words, a case-blind word, or too many words: the regex searches
    for pattern in ("[a-z]", "[^市]", "a+|b", "a(b)|c", "(?i)ab", "ab|(?i:c)", ".", "a|b|c|d|e|f|g|h|i", "(", ""):
        assert org._literal_words(pattern) is None, pattern
    words = {label: f.words for label, f in SCANNED}
    assert words["legal"] is not None and words["place"] is not None


@pytest.mark.parametrize("label,f", SCANNED, ids=[label for label, _ in SCANNED])
def test_org_scan_hits_by_words_hold_the_regex_hits(label, f):
    """The hits found with str.find: every start of a ``needs`` match, in order (and where two
    words overlap, the later one too); the runs they seed and the matches are the regex hits'."""
    assert f.needs is not None
    plain = org.Finder(f.pattern, f.runs, f.needs, f.peek, f.one_char)  # hits from the regex
    rng = random.Random(label + " words")
    texts = [_norm(p.read_text(encoding="utf-8")) for p in TEXTS[:20]] + [_norm(t) for t in EDGES]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 25))) for _ in range(2000)]
    texts += ["株式会社株式会社", "市市区", "(株)(株)", "(株株)"]
    for norm in texts:
        for a, b in [(0, len(norm))] + [(rng.randrange(len(norm) + 1), len(norm)) for _ in range(3)]:
            b = rng.randrange(a, b + 1) if b > a else b
            got, want = f._hits(norm, a, b), plain._hits(norm, a, b)
            assert got == sorted(got) and set(want) <= set(got), (norm[:30], a, b)
            assert all(any(norm.startswith(w, h) and h + len(w) <= b for w in f.words or (norm[h],)) for h in got)
            assert _scanned(f, norm, a, b) == _scanned(plain, norm, a, b) == _plain(f, norm, a, b), (norm[:30], a, b)


def test_org_lines_split_as_the_line_regex_finds_them():
    """_split_lines (str.splitlines and strip) gives the spans _LINE's search gives, for every
    line break splitlines knows, white space of all kinds, and any part of the text."""
    breaks = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
    spaces = [" ", "\t", "\u3000", "\xa0", "\u2003", "\u200b", "\ufeff"]
    words = ["株式会社サンプル", "a", "北山市", "。", "x y", "ー", "(株)"]
    rng = random.Random(8)
    texts = [p.read_text(encoding="utf-8") for p in TEXTS[:30]] + ["", " ", "\n", "a", " a \n\n b\r\n"]
    texts += ["".join(rng.choice(breaks + spaces + words) for _ in range(rng.randrange(1, 30))) for _ in range(3000)]
    for text in texts:
        cuts = [(0, len(text))] + [(a, rng.randrange(a, len(text) + 1)) for a in
                                   (rng.randrange(len(text) + 1) for _ in range(3))]
        for a, b in cuts:
            assert org._split_lines(text, a, b) == tuple(m.span() for m in org._LINE.finditer(text, a, b)), \
                (text, a, b)


def test_org_led_finditer_finds_what_finditer_finds():
    """Matches tried only where a first character stands (self_ref, seat): the matches and
    groups of the pattern's finditer, over documents, lines, cuts and random texts; and the
    engine's search where the first characters are many, unknown or a match may be empty."""
    r = org.org_rules()
    assert r.self_ref_firsts == "弊当本" and r.seat_firsts == "(「"
    assert org._few_firsts("a*") is None and org._few_firsts("[a-z]x") is None
    assert org._few_firsts("(?=a)") is None and org._few_firsts("a|b|c|d|e") is None
    assert org._few_firsts("(?i)ab") is None and org._few_firsts("ab|c") == "ac"
    pats = [(r.self_ref, r.self_ref_firsts), (r.seat, r.seat_firsts),
            (re.compile("ab|a|b(?=c)"), "ab"), (re.compile("(?<=x)a+"), "a"), (re.compile("a*"), None)]
    pieces = PIECES + ["当社", "弊社", "本市", "当", "本", "弊", "当社員", "「北山病院」(北山市)は", "(北山市)が",
                       "「", "」", "(", ")", "ab", "a", "b", "c", "x", "当グループ"]
    rng = random.Random(8)
    texts = [_norm(p.read_text(encoding="utf-8")) for p in TEXTS[:20]] + [_norm(t) for t in EDGES]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 25))) for _ in range(2000)]
    for pat, firsts in pats:
        for norm in texts:
            cuts = [(0, len(norm))] + [(a, rng.randrange(a, len(norm) + 1)) for a in
                                       (rng.randrange(len(norm) + 1) for _ in range(3))]
            for a, b in cuts:
                got = [(m.span(), m.groups()) for m in org._led_finditer(pat, firsts, norm, a, b)]
                assert got == [(m.span(), m.groups()) for m in pat.finditer(norm, a, b)], (pat.pattern[:20], norm[:30], a, b)
