"""Every example in the dates rule files does what its entry says (one test per file)."""

from __future__ import annotations

import re

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.fields import dates


def _extract(text: str):
    ctx = DocContext("t", text)
    items = dates.extract(ctx)
    for it in items:
        assert ctx.text[it.start:it.end] == it.text
    return items


def _strip(regex: str) -> str:
    return regex.removeprefix("^")


def test_rules_dates_eras():
    eras = rules.load("eras")["era"]
    frag = rules.fragments()
    assert set(frag["date_era"].split("|")) == {e["name"] for e in eras}
    assert set(frag["date_era_abbr"].strip("[]")) == {e["abbr"] for e in eras}
    for era in eras:
        values = [d.value for d in _extract(era["example"])]
        assert era["value"] in values, (era["name"], values)


def test_rules_dates_fragments():
    for name, entry in rules.load("fragments").items():
        if name.startswith("date_"):
            assert re.fullmatch(rules.expand(entry["regex"]), entry["example"]), name


def test_rules_dates_patterns():
    pats = rules.load("date_patterns")
    for p in pats["pattern"]:
        assert rules.compile_pattern(p["regex"]).search(p["example"]), p["name"]
        values = [d.value for d in _extract(p["example"])]
        assert p["value"] in values, (p["name"], values)
    for key in ("qualifier", "weekday", "clock", "continuation", "range", "range_day_end"):
        entry = pats[key]
        assert re.fullmatch(rules.expand(_strip(entry["regex"]).rstrip("$")), entry["example"]), key
    hy = pats["header_year"]
    assert hy["value"] in [d.value for d in _extract(hy["example"])]
    fy = pats["fiscal_year"]
    assert rules.compile_pattern(fy["regex"]).search(fy["example"])
    assert fy["value"] in [d.value for d in _extract(fy["example"])]


def test_rules_dates_exclusions():
    excl = rules.load("date_exclusions")
    for ex in excl["exclude"]:
        text, match = ex["example"], ex["match"]
        pos = text.index(match)
        if "after" in ex:
            assert rules.compile_pattern(ex["after"]).search(text[pos + len(match):]), ex["name"]
        if "before" in ex:
            assert rules.compile_pattern(ex["before"]).search(text[:pos]), ex["name"]
        if "around" in ex:
            hits = [m.span() for m in rules.compile_pattern(ex["around"]).finditer(text)]
            assert any(s <= pos and pos + len(match) <= e for s, e in hits), ex["name"]
        assert match not in [d.text for d in _extract(text)], ex["name"]
    url = excl["url_date"]
    assert rules.compile_pattern(url["regex"]).search(url["example"])
    text = f"1月24日付で発表しました。\n{url['example']}"
    assert [d.value for d in _extract(text)] == [url["value"]]


def test_rules_dates_roles():
    r = rules.load("date_roles")
    for cue in r["cue"]:
        assert rules.compile_pattern(cue["regex"]).search(cue["example"]), cue["regex"]
        items = _extract(cue["example"])
        assert items and items[0].role == cue["role"], (cue["example"], items)
    for nc in r["non_cue"]:
        assert rules.compile_pattern(nc["regex"]).search(nc["example"])
    for key in ("negation", "authority", "audience", "time_word", "notice_title"):
        assert rules.compile_pattern(r[key]["regex"]).search(r[key]["example"]), key
    # date labels live in rules/layout.toml: each kind that is a role labels its date
    for lab in rules.load("layout")["label"]:
        if lab["kind"] != "period":
            items = _extract(f"{lab['example']}:2024年5月1日")
            assert items and items[0].role == lab["kind"], (lab["example"], items)
    assert _extract(r["bound"]["example"])[0].role == "period_end"
    assert _extract(r["header"]["example"])[0].role == "announced"
    section = _extract(r["section"]["example"] + "\n2024年5月1日、職員が書類を持ち帰った。")
    assert section[0].role == r["section"]["roles"]["overview"]
    remedy = _extract(r["remedy_section"]["example"] + "\n令和6年4月1日から新たな手順で運用します。")
    assert remedy[0].role == "other"


def test_rules_dates_roles_layout_entries():
    r = rules.load("date_roles")
    text = "お知らせ\n\n経緯は次のとおりです。\n" + r["timeline"]["example"] + "\n"
    assert _extract(text)[0].role == "occurred"  # 発生 ranks before a report to a manager
    rel = r["relative_clause"]
    assert rules.compile_pattern(rel["regex"]).search(rel["example"])
    conc = r["concessive"]
    assert rules.compile_pattern(conc["regex"]).search(conc["example"])
    assert _extract(conc["example"])[0].role == "announced"
    first = _extract("お知らせ\n\n経緯\n令和4年9月28日、職員が事務処理をした。\n")
    assert first[0].role == r["section"]["first"]["timeline"]

