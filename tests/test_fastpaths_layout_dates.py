"""The fast paths of the layout stage and of the dates field give what the plain code gives:
each rewrite is compared with a plain form of it (kept here) on the seed notices, the holdout
pages, their CRLF and full-width-space variants and edge cases of our own."""

from __future__ import annotations

import dataclasses
import re

from rouei.extract.doc import layout as layout_mod
from rouei.extract.doc import layout_blocks as blocks
from rouei.extract.doc import layout_rules as lr
from rouei.extract.doc.layout import Layout, Line, mark_number
from rouei.extract.doc.text import Normalized

from .test_fastpaths_doc import TEXTS

_MORE = [
    "【経緯】\n【】\n【発生日】\n2024年5月1日\n【 原因 】 設定の誤り\n",
    "\v\f見出し\x1c本文\x1d\x1e\x85次\u2028行\u2029末\r\r\n\n",
    "  \t(1) \t経緯\t\n  (2)\u3000原因\n  ① \n②\n",
    "発生日\n判明日\n\n2024/5/1\n2024/5/2\n発生日\t判明日\n内容\n件数\n",
    "発生日\n件数\n2024年5月1日\n3件\n2024年5月2日\n",
    "時期\n期間\n2024年5月1日~2024年5月2日\n",
    "1.概要\n本市において。\n2.経緯\n(1)5月1日\n職員が確認\n(2)5月2日 警察に相談\n",
    "発覚日:2020年3月10日\n10:30 連絡\nhttps://example.jp/a\n判明日 2024年5月2日\n",
    "ﾄﾞ\n\n\u3000\n\u00a0\n…\n",
]
TEXTS_ALL = TEXTS + _MORE


# -- lines ---------------------------------------------------------------------------------

def _lines_plain(text: str, norm: Normalized, r: lr.LayoutRules) -> list[Line]:
    """The lines as read before the fast path: every line through Line(...)."""
    out: list[Line] = []
    pos = 0
    blank = True
    copy = norm.text
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        words = content.strip()
        if not words:
            pos += len(raw)
            blank = True
            continue
        lead = len(content) - len(content.lstrip())
        s = pos + lead
        e = s + len(words)
        pos += len(raw)
        ns, ne = norm.to_norm(s), norm.to_norm(e)
        ntext = copy[ns:ne].strip()
        ns = copy.find(ntext[:1], ns) if ntext else ns
        style, number, bullet, nbody = layout_mod._marked(r.markers, ntext)  # every marker
        if nbody < len(ntext) and ntext[nbody].isspace():
            nbody = re.compile(r"\s*").match(ntext, nbody).end()
        body_text = ntext[nbody:]
        if style == "lenticular":
            body_text = re.sub(r"】[ \t]*", " ", body_text, count=1).strip()
        body = e if nbody >= len(ntext) else norm.span(ns + nbody, ns + nbody)[0]
        out.append(Line(len(out), s, e, ns, ntext, body, body_text, style, number, bullet, blank,
                        lead))
        blank = False
    return out


def test_lines_match_the_plain_code():
    r = lr.layout_rules()
    for text in TEXTS_ALL:
        norm = Normalized.of(text)
        got = layout_mod._lines(text, norm, r)
        want = _lines_plain(text, norm, r)
        assert got == want
        assert [repr(x) for x in got] == [repr(x) for x in want]
        assert [hash(x) for x in got] == [hash(x) for x in want]
        assert all(type(x) is Line for x in got)


def test_lines_of_a_text_its_own_copy_match_a_separate_copy():
    """A text that normalisation leaves as it is (the copy is the text object itself) takes a
    fast path in _lines; an equal copy held in another string object takes the general one."""
    r = lr.layout_rules()
    own = 0
    for text in TEXTS_ALL + [t.replace("\n", "\r\n") for t in TEXTS_ALL]:
        norm = Normalized.of(text)
        if norm.text is not text or len(text) < 2:  # "" and one character are shared objects
            continue
        own += 1
        other = Normalized(text, "".join(list(text)), range(len(text)), range(1, len(text) + 1))
        assert other.text == text and other.text is not text
        got = layout_mod._lines(text, norm, r)
        assert got == layout_mod._lines(text, other, r)
        assert got == _lines_plain(text, norm, r)
    assert own >= 5  # the fast path was taken


def test_a_line_built_fast_is_a_line():
    args = (3, 10, 20, 10, "(1)経緯", 13, "経緯", "paren", 1, False, True, 2)
    fast, plain = layout_mod._line(*args), Line(*args)
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert dataclasses.astuple(fast) == args
    try:
        fast.start = 0  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a Line must stay frozen")


# -- blocks --------------------------------------------------------------------------------

def _header_cell_plain(ln: Line, r: lr.LayoutRules) -> bool:
    if ln.style is not None:
        return False
    words = lr.clean_label(ln.text)
    return (0 < len(words) <= r.label_line_chars and "。" not in words
            and ":" not in words and lr.label_kind(words, r) is not None
            and not r.tl_date.match(words))


def _tables_plain(lines: list[Line], r: lr.LayoutRules, opening: set[int]) -> list:
    from rouei.extract.doc.layout import Label

    out = []
    i = 0
    while i < len(lines):
        head = []
        j = i
        while j < len(lines) and _header_cell_plain(lines[j], r) and \
                (j == i or not lines[j].blank_before):
            head.append((lines[j], lr.label_kind(lr.clean_label(lines[j].text), r)))
            j += 1
        k = len(head)
        if k < 2 or not any(kind for _, kind in head):
            i += 1
            continue
        cells: list[Line] = []
        while j < len(lines) and len(cells) < 60 * k:
            ln = lines[j]
            if "。" in ln.text and len(ln.text) > r.header_line or _header_cell_plain(ln, r) and \
                    ln.start not in opening and len(cells) % k == 0:
                break
            if cells and ln.blank_before and len(cells) % k == 0 and len(cells) >= k:
                break
            cells.append(ln)
            j += 1
        rows = len(cells) // k
        if rows == 0:
            i += 1
            continue
        for n, cell in enumerate(cells[:rows * k]):
            lab, kind = head[n % k]
            out.append(Label(lr.clean_label(lab.text), kind, lab.start, lab.end,
                             cell.start, cell.end, "table"))
        i = j
    return out


def test_tables_and_header_cells_match_the_plain_code():
    r = lr.layout_rules()
    found = 0
    for text in TEXTS_ALL:
        lay = Layout.of(text)
        opening = {e.date_start for e in lay.timeline}
        for ln in lay.lines:
            assert blocks._header_cell(ln, r) == _header_cell_plain(ln, r)
        got = blocks.tables(lay.lines, r, opening)
        assert got == _tables_plain(lay.lines, r, opening)
        found += len(got)
    assert found > 0


def _full_label_kind_plain(words: str, r: lr.LayoutRules) -> str | None:
    return next((k for k, pat in r.labels if pat.fullmatch(words)), None)


def test_label_and_section_guards_match_the_plain_code():
    r = lr.layout_rules()
    assert r.label_start is not None and r.any_section is not None
    samples = ["", "発生日", "発覚日時", "事案の発覚", "対象期間", "期間", "概要", "本件の概要及び原因",
               "お問い合わせ", "x", "最終更新日", "報告日", "通知日", "2024年5月1日"]
    for text in TEXTS_ALL[:30]:
        for ln in text.splitlines()[:80]:
            samples += [ln, lr.clean_label(ln), ln[:12], lr.clean_label(ln)[:8]]
    for s in samples:
        assert lr.full_label_kind(s, r) == _full_label_kind_plain(s, r)
        assert (r.any_section.search(s) is not None) == any(p.search(s) for _, p in r.sections)
        assert layout_mod.section_kind(s, r) == layout_mod.section_kind(
            s, dataclasses.replace(r, any_section=None))


def _label_lines_plain(lines, r, heads, skip):
    """label_lines as written before lines that cannot open a label were passed over."""
    heading_lines = {h.line.index for h in heads}
    out = []
    for i, ln in enumerate(lines[:-1]):
        if ln.start in skip:
            continue
        words = lr.clean_label(ln.body_text)
        if not words or len(words) > r.label_line_chars:
            continue
        kind = lr.full_label_kind(words, r)
        if kind is None:
            continue
        nxt = lines[i + 1]
        if nxt.index in heading_lines and nxt.style is not None or nxt.start in skip and \
                nxt.start not in blocks._opening_dates(nxt, r):
            continue
        out.append(layout_mod.Label(words, kind, ln.body, ln.end, nxt.start, nxt.end, "line"))
    return out


def _headings_plain(lines, r, skip):
    """_headings as written before long lines were passed over unsearched."""
    shaped = []
    for ln in lines:
        if ln.start in skip or ln.body in skip:
            continue
        words = ln.body_text
        if not words or "。" in words or r.not_heading.search(words):
            continue
        kind = layout_mod.section_kind(words, r)
        if ln.style is None or ln.bullet:
            if kind is not None and len(words) <= r.bare_chars and layout_mod._ends_with_kind(words, r):
                shaped.append((ln, kind))
        elif len(words) <= r.max_chars:
            shaped.append((ln, kind))
    return layout_mod._ranked(lines, shaped)  # the step after, which the change left alone


def test_label_lines_and_headings_passing_lines_over_match_the_plain_code():
    r = lr.layout_rules()
    # a label behind brackets or spaces (which clean_label drops) may still open a label
    samples = ["", " ", "【発生日】", "\u3000発覚日", "「判明日」", " \t(発生日時)", "《発覚日》", "[報告日]",
               "発生日", "x発生日", "事案の発覚", "概要", "2024年5月1日"]
    for text in TEXTS_ALL:
        samples += [ln.body_text for ln in Layout.of(text).lines]
    opened = 0
    for s in samples:
        kind = lr.full_label_kind(lr.clean_label(s), r)
        assert kind is None or lr.may_open_label(s, r), s
        opened += kind is not None
    assert opened > 5
    texts = TEXTS_ALL + ["【発生日】\n2024年5月1日\n 判明日 \n2024年5月2日\n「発覚日」\n5月3日\n"
                         + "\n".join(f"{'(' * k}概要{')' * k}\n本文" for k in range(3)),
                         "・概要\n・" + "概" * 19 + "要\n" + "概" * 21 + "要\n(1)" + "経緯" * 20 + "\n本文\n"]
    for text in texts:
        lay = Layout.of(text)
        opening = {e.date_start for e in lay.timeline}
        tables = blocks.tables(lay.lines, r, opening)
        inline = blocks.labels(lay.lines, r, Normalized.of(text), opening)
        skip = opening | {lab.start for lab in inline + tables} | {t.value_start for t in tables}
        skip |= {ln.start for ln in lay.header.lines} if lay.header else set()
        heads = layout_mod._headings(lay.lines, r, skip)
        assert heads == _headings_plain(lay.lines, r, skip)
        assert blocks.label_lines(lay.lines, r, heads, skip) == _label_lines_plain(lay.lines, r, heads, skip)


def test_section_kind_tried_where_the_union_matches_is_the_first_named():
    # section_kind tries each kind only where the union of kinds first matches: the same
    # answer as searching each kind, on headings that name two kinds (either order), a kind
    # inside a longer word, and every line of the test texts
    r = lr.layout_rules()
    plain = dataclasses.replace(r, any_section=None)
    kinds = ["概要", "経緯", "原因", "対象者数", "再発防止策", "お問い合わせ", "今後の対応", "漏えいした情報"]
    samples = [a + sep + b for a in kinds for b in kinds for sep in ("", "及び", "と", "・", "(", " ")]
    samples += ["本件の" + k for k in kinds] + [k + "について" for k in kinds]
    for text in TEXTS_ALL:
        samples += text.splitlines()
    named = 0
    for s in samples:
        got = layout_mod.section_kind(s, r)
        assert got == layout_mod.section_kind(s, plain)
        named += got is not None
    assert named > 50


def test_layout_with_and_without_the_guards(monkeypatch):
    r = lr.layout_rules()
    fast = [repr(Layout.of(t)) for t in TEXTS_ALL]
    plain = dataclasses.replace(r, marker_start=None, tl_start=None, label_start=None,
                                any_section=None)
    monkeypatch.setattr(layout_mod, "layout_rules", lambda: plain)
    assert [repr(Layout.of(t)) for t in TEXTS_ALL] == fast


# -- sections by position ------------------------------------------------------------------

def test_section_and_kind_at_match_the_plain_scan():
    seen = 0
    for text in TEXTS_ALL:
        lay = Layout.of(text)
        seen += len(lay.all_sections) > 2
        points = {0, len(text), len(text) + 5, -1}
        for s in lay.all_sections:
            points |= {s.start - 1, s.start, s.start + 1, s.end - 1, s.end, s.end + 1, s.body}
        for p in sorted(points):
            assert lay.section_at(p) is lay._section_at(p)
            assert lay.kind_at(p) == lay._kind_at(p)
    assert seen > 3


# -- dates ---------------------------------------------------------------------------------

_DATE_SENTENCES = [
    "2024年2月29日、2023年2月29日、1900年2月29日、2000年2月29日、令和6年4月31日、5月31日",
    "更新(2022/04/06)\n掲載(2022/04/06 更新)\n(2022/04/06)x\n(令和6年5月1日)",
    "(2024年5月1日)", "2024年5月1日", "第12345号 2024年5月1日 法律第57号(平成15年5月30日)",
    "https://example.jp/2024/05/01/ 2024年5月1日 v2024.5.1 R6.5.1 H30から",
    "十二月三十一日 二〇二四年一月一日 令和元年 令和 六年 五月 一日 同3日 翌4日",
]


def test_date_fast_paths_match_the_plain_forms(monkeypatch):
    import calendar

    from rouei.extract.fields import dates

    texts = [Normalized.of(t).text for t in TEXTS_ALL + _DATE_SENTENCES]
    r = dates._rules()
    # _num: digits read without removing spaces first
    for s in ["1", "01", "31", "2024", "元", "十二", "二〇二四", " 3", "1 2", "十十", "", "x", "３"]:
        plain = 1 if re.sub(r"\s", "", s) == "元" else None
        t = re.sub(r"\s", "", s)
        if plain is None:
            if t.isdigit():
                plain = int(t)
            else:
                try:
                    plain = dates.kanji_to_int(t)
                except ValueError:
                    plain = None
        assert dates._num(s) == plain
    # _valid: the days of a month without calendar.monthrange
    from rouei.extract.doc.items import Mention
    for year in (1900, 2000, 2023, 2024, 0, 10000):
        for month in range(1, 13):
            for day in (28, 29, 30, 31):
                mn = Mention(0, 1, "x", year=year, month=month, day=day)
                assert dates._valid(mn) == (day <= calendar.monthrange(year, month)[1])
    # the exclusions that apply, and the live patterns, as the plain loops find them
    for text in texts:
        present = frozenset(c for c in r.need_chars if c in text)
        dead = {k for k, needs in enumerate(r.needs) for need in needs if need.isdisjoint(present)}
        assert dates._live(r, present) == [k for k in range(len(r.patterns)) if k not in dead]
        for mn in dates.find_mentions(text):
            prec = dates._precision(mn)
            want = tuple(ex for ex in r.excludes if not (ex["applies"] and prec not in ex["applies"])
                         and not (ex["patterns"] and mn.pattern not in ex["patterns"]))
            assert dates._excludes_for(r, mn.pattern, prec) == want
            stamp = bool(re.search(r"\($", text[max(0, mn.ns - 1):mn.ns])) and \
                bool(dates._STAMP_AFTER.match(text, mn.ne))
            assert mn.stamp == stamp


def test_find_mentions_with_fresh_memos(monkeypatch):
    from rouei.extract.fields import dates

    texts = [Normalized.of(t).text for t in TEXTS_ALL + _DATE_SENTENCES]
    fast = [repr(dates.find_mentions(t)) for t in texts]
    fresh = dataclasses.replace(dates._rules())
    assert not fresh.lives and not fresh.excludes_for
    monkeypatch.setattr(dates, "_rules", lambda: fresh)
    assert [repr(dates.find_mentions(t)) for t in texts] == fast


def test_inline_labels_need_a_separator_character():
    r = lr.layout_rules()
    assert r.sep_needs
    samples = []
    for text in TEXTS_ALL:
        samples += Normalized.of(text).text.splitlines()
    samples += ["発覚日:2020年3月10日", "発生日時 2024年5月1日", "発生日\t2024年", "発覚日", "a:b", ":", " "]
    for s in samples:
        for off in (0, 1, 3):
            if r.label_sep.match(s, off):
                assert blocks._may_hold(s, r.sep_needs)
    plain = dataclasses.replace(r, sep_needs=())
    for text in TEXTS_ALL:
        lay = Layout.of(text)
        opening = {e.date_start for e in lay.timeline}
        norm = Normalized.of(text)
        assert blocks.labels(lay.lines, r, norm, opening) == \
            blocks.labels(lay.lines, plain, norm, opening)


def _enclosing_bracket_plain(norm: str, ns: int, ne: int) -> tuple[int, int] | None:
    from rouei.extract.fields import date_roles
    from rouei.extract.fields.date_cues import line_bounds

    ls, _ = line_bounds(norm, ns)
    depth = 0
    for i in range(ns - 1, max(ls - 1, ns - 60), -1):
        ch = norm[i]
        if ch in date_roles._CLOSE:
            depth += 1
        elif ch in date_roles._OPEN:
            if depth == 0:
                close = date_roles._find_close(norm, ne, min(len(norm), ne + 80))
                return (i + 1, close) if close is not None else None
            depth -= 1
    return None


def test_enclosing_bracket_matches_the_plain_walk():
    from rouei.extract.fields import date_roles, dates

    texts = [Normalized.of(t).text for t in TEXTS_ALL + _DATE_SENTENCES] + [
        "(" + "あ" * 58 + "2024年5月1日)", "(" + "あ" * 59 + "2024年5月1日)", "(" + "あ" * 60 + "2024年5月1日)",
        "【(2024年5月1日)】", "(a)2024年5月1日)", "「(」2024年5月1日", "\n(2024年5月1日\n)"]
    seen = 0
    for text in texts:
        for mn in dates.find_mentions(text):
            got = date_roles._enclosing_bracket(text, mn.ns, mn.ne)
            assert got == _enclosing_bracket_plain(text, mn.ns, mn.ne)
            seen += got is not None
    assert seen > 5


def test_mark_numbers_remembered_as_worked_out():
    marks = ["3", "12", "③", "➉", "ア", "イ", "ン", "二十", "一", "十十", "", "x", "a1", "三", "3", "イ"]
    assert [mark_number(m) for m in marks] == [layout_mod._mark_number(m) for m in marks]
    assert [mark_number(m) for m in marks] == [3, 12, 3, 10, 1, 2, 46, 20, 1, 20, None, None,
                                               None, 3, 3, 2]


def _timeline_plain(lines: list[Line], r: lr.LayoutRules, norm: Normalized, boxed) -> list:
    """timeline() as first written: each line's body offset through _body_offset."""
    from rouei.extract.doc.layout import Entry

    out = []
    for i, ln in enumerate(lines):
        off = blocks._body_offset(ln)
        if off is None or boxed(ln):
            continue
        d = r.tl_date.match(ln.text, off)
        if not d:
            continue
        after = r.tl_decor.match(ln.text, d.end()).end()
        sep = r.tl_sep.match(ln.text, after)
        if not sep:
            continue
        ds, de = blocks._span(norm, ln, d.start(), d.end())
        if sep.end() < len(ln.text) and ln.text[sep.end():].strip(" \t)"):
            es, ee = blocks._span(norm, ln, sep.end(), len(ln.text))
            for more in lines[i + 1:]:
                if more.indent < ln.indent + 2 or more.style is not None or boxed(more) \
                        or r.tl_date.match(more.text):
                    break
                ee = more.end
            out.append(Entry(ds, de, es, ee, True))
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is None or boxed(nxt):
            continue
        noff = blocks._body_offset(nxt)
        if noff is not None and r.tl_date.match(nxt.text, noff):
            continue
        out.append(Entry(ds, de, nxt.body, nxt.end, False))
    return out


def test_timeline_matches_the_plain_code():
    r = lr.layout_rules()
    found = 0
    for text in TEXTS_ALL:
        lay = Layout.of(text)
        norm = Normalized.of(text)
        for ln in lay.lines:
            off = blocks._body_offset(ln)
            assert off is None or ln.text[off:] == ln.body_text
        got = blocks.timeline(lay.lines, r, norm, lay._boxed)
        assert got == _timeline_plain(lay.lines, r, norm, lay._boxed)
        found += len(got)
    assert found > 10
