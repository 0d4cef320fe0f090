"""``rouei review``: the page's data from records and texts, and the page itself in a real Chromium."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from rouei.extract.cli import main
from rouei.extract.reports.records import read_records
from rouei.extract.reports.review import (
    build_page,
    corpus_paths,
    find_text,
    notice_spans,
    unpack_data,
)

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).parent / "fixtures" / "review"
PRED, GOLD, CORPUS = FIX / "pred.jsonl", FIX / "gold.jsonl", FIX / "corpus"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _records() -> dict[str, dict]:
    return {r["doc_id"]: r for r in read_records(PRED)}


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _notices(page_notices: list[dict]) -> dict[str, dict]:
    return {n["id"]: n for n in page_notices}


# ---------------------------------------------------------------------------------------
# Texts and the page's data (no browser)


def test_review_corpus_paths_manifest_and_plain_dir(tmp_path):
    plain = tmp_path / "plain" / "2024"
    plain.mkdir(parents=True)
    (plain / "a1.txt").write_text("本文", encoding="utf-8")
    (plain / "a1.html").write_text("<p>本文</p>", encoding="utf-8")
    (plain / "b2.html").write_text("<p>別</p>", encoding="utf-8")
    assert corpus_paths(tmp_path / "plain") == {"a1": plain / "a1.txt", "b2": plain / "b2.html"}
    fetched = tmp_path / "fetched"
    (fetched / "text").mkdir(parents=True)
    _write_jsonl(fetched / "manifest.jsonl", [{"doc_id": "x_01", "text_path": "text/x_01.txt"},
                                              {"doc_id": "x_02", "error": "HTTP 404"}])
    assert corpus_paths(fetched) == {"x_01": fetched / "text" / "x_01.txt"}


def test_review_find_text_from_source_path_relative_to_the_prediction(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # source.path "corpus/..." is not relative to here
    rec = _records()["rv_mail_bcc"]
    text, problem = find_text(rec, None, FIX)
    assert problem is None and text == (CORPUS / "rv_mail_bcc.txt").read_text(encoding="utf-8")
    text2, _ = find_text(rec, None, FIX / "corpus")  # out/pred.jsonl beside corpus/: found one level up
    assert text2 == text
    text, problem = find_text({"doc_id": "nowhere", "source": {"path": "corpus/nowhere.txt"}}, None, FIX)
    assert text is None and "cannot read" in problem
    text, problem = find_text(rec, {}, FIX)
    assert text is None and "not found in the corpus" in problem


def test_review_html_text_comes_from_read_document(tmp_path):
    (tmp_path / "h1.html").write_text("<html><body><p>氏名が漏えいしました</p><script>x()</script></body></html>",
                                      encoding="utf-8")
    text, problem = find_text({"doc_id": "h1"}, corpus_paths(tmp_path), tmp_path)
    assert problem is None and text.strip() == "氏名が漏えいしました"


def test_review_spans_values_roles_and_shared_spans():
    rec = _records()["rv_city_two"]
    text = (CORPUS / "rv_city_two.txt").read_text(encoding="utf-8")
    spans = notice_spans(rec, text, None)
    for s in spans:
        assert text[s["s"]:s["e"]] == s["t"] and "bad" not in s
    announced = [s for s in spans if s["f"] == "dates" and s["r"] == "announced"]
    assert len(announced) == 1 and announced[0]["i"] == [1, 2]  # one span, both incidents
    theft = next(s for s in spans if s["f"] == "causes" and s["v"] == "theft")
    assert theft["t"] == "車上荒らし" and theft["i"] == [2]
    assert [s["s"] for s in spans] == sorted(s["s"] for s in spans)


def test_review_spans_flag_offsets_that_do_not_match():
    rec = json.loads(json.dumps(_records()["rv_mail_bcc"]))
    text = (CORPUS / "rv_mail_bcc.txt").read_text(encoding="utf-8")
    inc = rec["incidents"][0]
    inc["counts"][0]["start"] += 2
    inc["counts"][0]["end"] += 2
    inc["causes"][0]["start"], inc["causes"][0]["end"] = len(text) + 5, len(text) + 9
    spans = notice_spans(rec, text, None)
    bad = {s["f"]: s["bad"] for s in spans if "bad" in s}
    assert set(bad) == {"counts", "causes"}
    assert "248件" in bad["counts"] and text[inc["counts"][0]["start"]:inc["counts"][0]["end"]] in bad["counts"]
    assert "outside the text" in bad["causes"]


def test_review_gold_marks_per_span_and_per_field():
    _, notices = build_page(PRED, GOLD)
    by = _notices(notices)
    shop = by["rv_shop_access"]
    marks = {(s["f"], s["v"]): s["g"] for s in shop["spans"]}
    assert marks[("dates", "2023-09-15")] == "extra"
    assert marks[("dates", "2023-09-12")] == "correct"
    assert marks[("data_types", "credit_card")] == "correct"
    assert shop["gold"]["data_types_leaked"] == {"status": "missed", "missed": ["billing"], "extra": []}
    assert shop["gold"]["dates"]["status"] == "extra"
    assert by["rv_insider"]["gold"]["causes"]["missed"] == ["unauthorized_takeout"]
    assert all(g["status"] == "correct" for g in by["rv_city_two"]["gold"].values())
    absent = by["rv_absent"]  # in gold, not predicted: shown as missing
    assert absent["missing"] and absent["gold"]["incidents"]["status"] == "wrong"
    assert by["rv_broken"]["error"]["kind"] == "decode"


def test_review_wrong_role_is_marked_role(tmp_path):
    rec = json.loads(json.dumps(_records()["rv_mail_bcc"]))
    rec["incidents"][0]["dates"][2]["role"] = "occurred"  # 5月18日 was the discovery
    pred = _write_jsonl(tmp_path / "p.jsonl", [rec])
    _, notices = build_page(pred, GOLD, CORPUS)
    spans = {s["v"]: s["g"] for s in notices[0]["spans"] if s["f"] == "dates"}
    assert spans == {"2024-05-20": "correct", "2024-05-17": "correct", "2024-05-18": "role"}


def test_review_page_is_self_contained_and_escapes_text(tmp_path):
    (tmp_path / "corpus").mkdir()
    text = "氏名が漏えい</script><script>document.title='pwned'</script>{{JS}}\n"
    (tmp_path / "corpus" / "evil.txt").write_text(text, encoding="utf-8")
    rec = {"schema_version": 1, "doc_id": "evil", "source": {"path": None, "url": "javascript:alert(1)"},
           "title": "<b>t</b>", "organization": None, "published": None, "incidents": [
               {"organization": None, "status": "confirmed", "dates": [], "counts": [], "causes": [],
                "data_types": [{"category": "name", "leaked": True, "text": "氏名", "start": 0, "end": 2}]}]}
    pred = _write_jsonl(tmp_path / "p.jsonl", [rec])
    page, _ = build_page(pred, None, tmp_path / "corpus")
    assert "</script><script>document" not in page
    assert page.count("</script>") == 3  # the data, the texts and the code, nothing from the text
    assert not re.search(r"<(?:link|img|iframe)\b|\bsrc\s*=|@import|url\(", page, re.I)
    assert unpack_data(page)["notices"][0]["text"] == text


def test_review_cli_exit_codes(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["review", str(PRED), "--gold", str(GOLD), "--corpus", str(CORPUS), "-o", str(out)]) == 0
    assert "6 notice(s)" in capsys.readouterr().out and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["review", str(tmp_path / "none.jsonl"), "-o", str(out)]) == 2  # a missing input is a usage error
    assert main(["review", str(PRED), "--corpus", str(tmp_path / "nodir"), "-o", str(out)]) == 2


def test_review_where_and_sample_choose_a_subset_with_its_gold(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["review", str(PRED), "--gold", str(GOLD), "--corpus", str(CORPUS), "--where", "cause=theft",
                 "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    data = unpack_data(page)
    assert [n["id"] for n in data["notices"]] == ["rv_city_two"]  # no gold-only notice in a subset
    assert data["notices"][0]["gold"]["causes"]["status"] == "correct"
    assert "of 5 records: cause=theft" in page
    build = lambda *a, **kw: [n["id"] for n in build_page(PRED, None, CORPUS, *a, **kw)[1]]  # noqa: E731
    assert build(where=[("data_type", "name")]) == ["rv_shop_access", "rv_city_two", "rv_insider"]
    assert build(where=[("status", "possible"), ("data_type", "name")]) == ["rv_shop_access", "rv_city_two"]
    assert build(where=[("error", "true")]) == ["rv_broken"]
    assert build(where=[("doc_id", "rv_*s*"), ("incidents", "1")]) == ["rv_shop_access", "rv_insider"]
    assert build(where=[("year", "2019")]) == ["rv_insider"]
    assert build(where=[("not_leaked", "credit_card")]) == ["rv_mail_bcc", "rv_shop_access"]
    assert build(where=[("organization", "みどり")]) == ["rv_city_two"]
    sample = build(sample=3, seed=1)
    ids = [r["doc_id"] for r in read_records(PRED)]
    assert len(sample) == 3 and sample == [i for i in ids if i in sample]  # kept in file order
    assert build(sample=3, seed=1) == sample
    assert build(sample=50) == ids
    capsys.readouterr()
    for bad in (["--where", "colour=red"], ["--where", "error=maybe"], ["--where", "cause"],
                ["--where", "incidents=two"], ["--sample", "0"]):
        assert main(["review", str(PRED), *bad, "-o", str(tmp_path / "bad.html")]) == 2, bad
    assert "FIELD one of doc_id" in capsys.readouterr().err
    assert not (tmp_path / "bad.html").exists()


def test_review_leaves_out_non_notices_unless_asked(tmp_path, capsys):
    recs = [json.loads(json.dumps(r)) for r in read_records(PRED)]
    recs[1]["leak_notice"] = False
    pred = _write_jsonl(tmp_path / "p.jsonl", recs)
    out = tmp_path / "r.html"
    assert main(["review", str(pred), "--gold", str(GOLD), "--corpus", str(CORPUS), "-o", str(out)]) == 0
    ids = [n["id"] for n in unpack_data(out.read_text(encoding="utf-8"))["notices"]]
    assert "rv_shop_access" not in ids and "rv_absent" in ids  # gold-only notices still shown
    assert "1 record(s) with leak_notice false left out" in capsys.readouterr().err
    assert main(["review", str(pred), "--corpus", str(CORPUS), "--include-non-notices", "-o", str(out)]) == 0
    assert "rv_shop_access" in [n["id"] for n in unpack_data(out.read_text(encoding="utf-8"))["notices"]]


def test_review_text_kept_in_the_record_or_found_by_absolute_path(tmp_path, monkeypatch):
    recs = {r["doc_id"]: json.loads(json.dumps(r)) for r in read_records(PRED)}
    kept = recs["rv_mail_bcc"]
    kept["text"] = (CORPUS / "rv_mail_bcc.txt").read_text(encoding="utf-8")
    kept["source"]["path"] = None  # as for a notice read from stdin
    (tmp_path / "texts").mkdir()
    shutil.copy(CORPUS / "rv_insider.txt", tmp_path / "texts" / "rv_insider.txt")
    moved = recs["rv_insider"]
    moved["source"]["path"] = str(tmp_path / "texts" / "rv_insider.txt")
    (tmp_path / "runs").mkdir()
    pred = _write_jsonl(tmp_path / "runs" / "p.jsonl", [kept, moved])
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    page, notices = build_page(Path("../runs/p.jsonl"))
    by_id = _notices(notices)
    assert by_id["rv_mail_bcc"]["text"] == kept["text"]
    assert by_id["rv_insider"]["text"] == (CORPUS / "rv_insider.txt").read_text(encoding="utf-8")
    assert not [s for n in notices for s in n["spans"] if s.get("bad")]
    assert unpack_data(page)["notices"][0]["text"] == kept["text"]
    assert pred.exists()


# ---------------------------------------------------------------------------------------
# The page in a real headless Chromium


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    """A page opened from disk, with its console errors and every request it made."""

    def __init__(self, browser, path: Path, anchor: str = ""):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.set_default_timeout(5_000)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url + anchor)
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)

    def visible_ids(self) -> list[str]:
        return self.page.eval_on_selector_all("#items li:not([hidden])", "els => els.map(e => e.dataset.doc)")

    def selected(self) -> str:
        return self.page.get_attribute("#items li[aria-selected=true]", "data-doc")


@pytest.fixture(scope="module")
def review_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review") / "review.html"
    assert main(["review", str(PRED), "--gold", str(GOLD), "-o", str(out)]) == 0
    return out


@pytest.mark.browser
def test_review_browser_loads_offline_without_errors_and_shows_spans(browser, review_html):
    o = Opened(browser, review_html, "#rv_shop_access")
    page = o.page
    assert o.selected() == "rv_shop_access"
    count = page.locator("#text mark[data-f=counts]")
    assert count.count() == 1
    assert count.inner_text() == "約12万件"
    assert (count.get_attribute("data-v"), count.get_attribute("data-r")) == ("約 120000", "件")
    notleaked = page.locator("#text mark.nl")
    assert notleaked.count() == 1 and notleaked.inner_text() == "クレジットカード情報"
    assert notleaked.get_attribute("data-r") == "not leaked"
    dates = page.eval_on_selector_all("#text mark[data-f=dates]", "els => els.map(e => [e.textContent, e.dataset.v, e.dataset.r])")
    assert ["2023年9月15日", "2023-09-15", "reported"] in dates and len(dates) == 5
    assert "g-extra" in page.get_attribute("#text mark[data-v='2023-09-15']", "class")
    causes = page.eval_on_selector_all("#text mark[data-f=causes]", "els => els.map(e => e.dataset.v)")
    assert causes == ["unauthorized_access", "malware"]
    # focus a span: its value, role and incident appear
    count.focus()
    tip = page.locator("#tip")
    assert tip.is_visible()
    assert "120000" in tip.inner_text() and "件" in tip.inner_text() and "incident 1" in tip.inner_text()
    page.locator("#text mark[data-f=causes]").first.hover()
    assert "unauthorized_access" in tip.inner_text()
    # the per-field gold marks and the scores of rouei eval
    assert page.get_attribute("#doc td[data-field=data_types_leaked]", "data-status") == "missed"
    assert page.locator("table.scores tr[data-field=causes] td").first.inner_text() == "1.000"
    assert o.errors == []
    assert o.requests and all(r.startswith(o.url) for r in o.requests)  # nothing but the file itself
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)
    assert (ARTIFACTS / "review.png").stat().st_size > 10_000
    page.close()


@pytest.mark.browser
def test_review_browser_every_span_of_a_notice_is_highlighted_with_its_text(browser, review_html):
    o = Opened(browser, review_html, "#rv_city_two")
    notice = next(n for n in build_page(PRED, GOLD)[1] if n["id"] == "rv_city_two")
    texts = o.page.evaluate("""() => {
        const out = {};
        for (const m of document.querySelectorAll('#text mark')) for (const k of m.dataset.k.split(' '))
            out[k] = (out[k] || '') + m.textContent;
        return out; }""")
    assert {int(k): v for k, v in texts.items()} == {k: s["t"] for k, s in enumerate(notice["spans"])}
    shared = o.page.locator("#text mark[data-v='2024-02-09']")
    assert shared.get_attribute("data-inc") == "1,2"  # the incident each span belongs to
    assert o.page.locator("table.incidents tr[data-incident]").count() == 2
    assert o.errors == []
    o.page.close()


@pytest.mark.browser
def test_review_browser_filters_and_keys(browser, review_html):
    o = Opened(browser, review_html)
    page = o.page
    all_ids = ["rv_mail_bcc", "rv_shop_access", "rv_city_two", "rv_insider", "rv_broken", "rv_absent"]
    assert o.visible_ids() == all_ids and o.selected() == "rv_mail_bcc"
    page.select_option("#f-cause", "theft")
    assert o.visible_ids() == ["rv_city_two"] and o.selected() == "rv_city_two"
    page.select_option("#f-cause", "")
    page.select_option("#f-status", "error")
    assert o.visible_ids() == ["rv_broken"]
    assert "decode" in page.inner_text("#doc .errorbox")
    page.select_option("#f-status", "")
    page.select_option("#f-gold", "missed")
    assert o.visible_ids() == ["rv_shop_access", "rv_insider", "rv_absent"]
    page.select_option("#f-gold", "extra")
    assert o.visible_ids() == ["rv_shop_access"]
    page.select_option("#f-gold", "")
    # fields: unchecking dates removes their highlights from the text
    page.click("#item-0")
    assert page.locator("#text mark[data-f~=dates]").count() == 3
    page.uncheck("input[name=field][value=dates]")
    assert page.locator("#text mark[data-f~=dates]").count() == 0
    assert page.locator("#text mark[data-f~=counts]").count() == 1
    page.check("input[name=field][value=dates]")
    page.fill("#f-search", "みどり")
    assert o.visible_ids() == ["rv_city_two"]
    page.fill("#f-search", "")
    # keys: j / ArrowDown forward, k / ArrowUp back, the hash follows
    page.locator("#doc h2").click()
    page.click("#item-0")
    page.keyboard.press("j")
    assert o.selected() == "rv_shop_access"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert o.selected() == "rv_insider" and page.evaluate("location.hash") == "#rv_insider"
    page.keyboard.press("k")
    assert o.selected() == "rv_city_two"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "f-search"
    page.keyboard.press("j")  # in the search box a key is typed, not a move
    assert page.input_value("#f-search") == "j" and o.visible_ids() == []
    assert "No notice matches" in page.inner_text("#doc")
    assert o.errors == []
    page.close()


@pytest.mark.browser
def test_review_browser_shows_offset_mismatches(browser, tmp_path):
    recs = [json.loads(json.dumps(r)) for r in read_records(PRED)]
    recs[0]["incidents"][0]["counts"][0]["start"] += 3
    recs[0]["incidents"][0]["counts"][0]["end"] += 3
    pred = _write_jsonl(tmp_path / "p.jsonl", recs)
    out = tmp_path / "r.html"
    assert main(["review", str(pred), "--corpus", str(CORPUS), "-o", str(out)]) == 0
    o = Opened(browser, out, "#rv_mail_bcc")
    assert o.page.locator("#text mark.bad").count() == 1
    assert "248件" in o.page.inner_text("#mismatches")
    assert "do not match" in o.page.inner_text(".summary")
    assert o.errors == []
    o.page.close()


_FILLER = ["当社は再発防止策として、情報の取扱いに関する研修を{n}回実施いたします。",
           "第{n}項　委託先{k}社に対し、管理状況の点検を求めました。",
           "{y}年{m}月{d}日までに、対象となる{n}名のお客様へ書面でご連絡いたします。",
           "お問い合わせ窓口（受付時間{h}時～{h2}時）を設置しました。",
           "調査の結果、{k}台のサーバーで不審な通信を確認しております。",
           "関係機関と連携し、被害の拡大防止に努めてまいります（管理番号{n}-{k}）。"]


def _bulk_corpus(root: Path, n_docs: int) -> tuple[Path, Path, int]:
    """n_docs notices of about 4,000 characters each, varied like real ones (numbers, dates,
    sentence order), with records copied from the fixture; returns (pred, corpus, text bytes)."""
    import random

    rnd = random.Random(7)
    corpus = root / "corpus"
    corpus.mkdir()
    base = list(read_records(PRED))[:4]
    heads = [(CORPUS / f"{r['doc_id']}.txt").read_text(encoding="utf-8") for r in base]
    records, size = [], 0
    for k in range(n_docs):
        lines = [rnd.choice(_FILLER).format(n=rnd.randint(1, 99999), k=rnd.randint(2, 40),
                                            y=rnd.randint(2015, 2025), m=rnd.randint(1, 12),
                                            d=rnd.randint(1, 28), h=rnd.randint(8, 10), h2=rnd.randint(17, 20))
                 for _ in range(110)]
        text = heads[k % 4] + "\n".join(lines)
        doc_id = f"bulk_{k:04d}"
        (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
        rec = json.loads(json.dumps(base[k % 4]))
        rec["doc_id"] = doc_id
        records.append(rec)
    return _write_jsonl(root / "p.jsonl", records), corpus, size


@pytest.mark.browser
def test_review_browser_five_thousand_notices_open_within_five_seconds(browser, tmp_path):
    """5,000 notices of about 4,000 characters: the texts are embedded once, gzipped, and
    the page is ready in a real Chromium within 5 s."""
    pred, corpus, text_bytes = _bulk_corpus(tmp_path, 5000)
    out = tmp_path / "r.html"
    t0 = time.perf_counter()
    assert main(["review", str(pred), "--corpus", str(corpus), "-o", str(out)]) == 0
    built = time.perf_counter() - t0
    size = out.stat().st_size
    assert size < text_bytes / 2, f"page {size:,} B for {text_bytes:,} B of text: not compressed"
    t0 = time.perf_counter()
    o = Opened(browser, out)
    loaded = time.perf_counter() - t0
    print(f"5,000 notices ({text_bytes / 1e6:.0f} MB of text): page of {size / 1e6:.1f} MB built in "
          f"{built:.1f}s, ready in the browser in {loaded:.1f}s")
    assert loaded < 5.0, f"page took {loaded:.1f}s to become ready"
    assert o.page.inner_text("#shown") == "5000 of 5000 notices shown"
    rows = o.visible_ids()
    assert 10 < len(rows) < 100 and rows == [f"bulk_{k:04d}" for k in range(len(rows))]  # the rows in view
    o.page.select_option("#f-cause", "insider_fraud")
    assert o.page.inner_text("#shown") == "1250 of 5000 notices shown"
    assert o.visible_ids()[:3] == ["bulk_0003", "bulk_0007", "bulk_0011"]
    o.page.keyboard.press("j")
    assert o.selected() == "bulk_0007"
    for _ in range(60):  # far down the list: the selected row is drawn and in view
        o.page.keyboard.press("j")
    assert o.selected() == "bulk_0247"
    box = o.page.locator("#items li[aria-selected=true]").bounding_box()
    frame = o.page.locator("#list").bounding_box()
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    o.page.keyboard.press("k")
    assert o.selected() == "bulk_0243"
    shown = o.page.inner_text("#text")
    assert shown == (corpus / "bulk_0243.txt").read_text(encoding="utf-8").rstrip("\n")[:len(shown)]
    assert o.page.locator("#text mark[data-f=causes]").count() >= 1
    # scrolling the list draws the rows that come into view
    o.page.eval_on_selector("#list", "e => { e.scrollTop = e.scrollHeight / 2; }")
    # wait until the rows drawn are those of the middle (scrolling may be animated)
    o.page.wait_for_function(
        "() => { const li = document.querySelector('#items li[data-doc]');"
        " return li && Number(li.dataset.doc.slice(5)) > 2000; }")
    drawn = [int(d[5:]) for d in o.visible_ids()]
    assert drawn == list(range(drawn[0], drawn[0] + 4 * len(drawn), 4)) and 2000 < drawn[0] < 2600
    assert o.errors == []
    o.page.close()
    shutil.rmtree(corpus)
