"""Every example in rules/layout.toml does what its entry says."""

from __future__ import annotations

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.layout_rules import label_kind, layout_rules


def _layout(text: str):
    return DocContext("t", text).layout


def test_rules_layout_markers():
    r = layout_rules()
    for entry, mk in zip(rules.load("layout")["marker"], r.markers, strict=True):
        m = mk.regex.match(entry["example"])
        assert m and m.end() == len(entry["example"]), entry["style"]
        # the first marker that matches is the entry's own (the order of the file matters)
        first = next(x for x in r.markers if x.regex.match(entry["example"] + " 経緯"))
        assert first.style == entry["style"]


def test_rules_layout_sections():
    for entry in rules.load("layout")["section"]:
        text = f"お知らせ\n\n本文です。\n{entry['example']}\n内容が続きます。\n"
        heads = _layout(text).headings
        assert [h.kind for h in heads] == [entry["kind"]], (entry["kind"], heads)


def test_rules_layout_heading_example():
    ex = rules.load("layout")["heading"]["example"]
    heads = _layout(f"お知らせ\n\n本文です。\n{ex}\n内容です。\n").headings
    assert [h.line.text for h in heads] == [ex]


def test_rules_layout_labels():
    for entry in rules.load("layout")["label"]:
        assert label_kind(entry["example"]) == entry["kind"], entry["example"]
        text = f"お知らせ\n\n{entry['example']}:2024年5月1日\n"
        labs = _layout(text).labels
        assert [(lab.text, lab.kind) for lab in labs] == [(entry["example"], entry["kind"])]


def test_rules_layout_label_line_example():
    ex = rules.load("layout")["label_line"]["example"]
    labs = _layout(f"お知らせ\n\n{ex}\n").labels
    assert labs and labs[0].kind == "discovered"


def test_rules_layout_timeline_example():
    ex = rules.load("layout")["timeline"]["example"]
    text = f"お知らせ\n\n経緯は次のとおりです。\n{ex}\n"
    entries = _layout(text).timeline
    assert len(entries) == 1 and text[entries[0].event_start:entries[0].event_end] == "委託先から報告"


def test_rules_layout_header_example():
    ex = rules.load("layout")["header"]["example"]
    assert layout_rules().posting.search(ex)
    text = f"{ex}\n\n個人情報の紛失について\n書類を紛失しました。\n"
    lay = _layout(text)
    assert lay.in_header(text.index("2024"))


def test_rules_layout_signoff_example():
    ex = rules.load("layout")["signoff"]["example"]
    text = f"お知らせ\n\n書類を紛失しました。お詫び申し上げます。\n\n{ex}\n"
    lay = _layout(text)
    assert lay.signoff is not None and text[lay.signoff.start:lay.signoff.end] == ex
