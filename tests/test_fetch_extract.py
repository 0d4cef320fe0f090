"""End to end: a corpus fetched from a real server goes through ``rouei extract``."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.run.inputs import iter_inputs

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    NOTICE_BODY,
    html_page,
    http_server,
    image_only_pdf,
    japanese_pdf,
    manifest,
    respond,
    run_fetch,
    server,
)

ROUEI = Path(sys.executable).with_name("rouei")


def test_fetch_manifest_read_by_extract_inputs(server, tmp_path, capsys):
    """The manifest contract without the model: extract's reader sees ids, sources and text."""
    server.expect_request("/a.html").respond_with_response(
        respond(html_page("漏えいのお詫び", NOTICE_BODY).encode("euc_jp")))
    server.expect_request("/gone").respond_with_response(respond("", 404))
    run_fetch(capsys, server.url_for("/a.html"), server.url_for("/gone"), "--out", tmp_path, *FAST)
    good, gone = manifest(tmp_path)
    docs = list(iter_inputs([str(tmp_path)]))
    assert [d.doc_id for d in docs] == [good["doc_id"], gone["doc_id"]]
    assert docs[0].source["url"] == server.url_for("/a.html")
    assert docs[0].source["encoding"] == "euc_jp"
    assert (docs[0].title, docs[0].published) == ("漏えいのお詫び", "2024-03-05")
    text, _ = docs[0].read()
    assert text.startswith("お客様情報の漏えいに関するお詫びとお知らせ\n")
    try:
        docs[1].read()
    except RoueiError as exc:
        assert "HTTP 404" in str(exc)
    else:
        raise AssertionError("an error entry must not read as a document")


def test_fetch_corpus_goes_through_extract(server, tmp_path, capsys):
    archive = html_page("ブログ", "".join(
        f"<article><h2>お知らせ{i}</h2><time datetime='2023-0{i}-01'></time>"
        f"<p>2023年{i}月1日、当社従業員が顧客{i}0名分の氏名と電話番号が記載された書類を紛失しました。"
        "警察に遺失届を提出し、現在も捜索を続けております。関係するお客様には個別にご連絡しております。</p>"
        "</article>" for i in range(1, 4)))
    server.expect_request("/sjis.html").respond_with_response(
        respond(html_page("不正アクセスに関するお詫び", NOTICE_BODY).encode("cp932")))
    server.expect_request("/archive").respond_with_response(respond(archive.encode()))
    server.expect_request("/notice.pdf").respond_with_response(respond(
        japanese_pdf([["2024年1月9日", "メール誤送信に関するお詫び",
                       "お客様のメールアドレス250件をBCCではなくTOに入力して送信しました。"]]),
        content_type="application/pdf"))
    server.expect_request("/scan.pdf").respond_with_response(
        respond(image_only_pdf(), content_type="application/pdf"))
    corpus = tmp_path / "corpus"
    urls = [server.url_for(p) for p in ("/sjis.html", "/archive", "/notice.pdf", "/scan.pdf")]
    code, out = run_fetch(capsys, *urls, "--out", corpus, *FAST)
    assert code == 1 and "3 fetched (5 notices)" in out and "pdf_no_text 1" in out
    entries = manifest(corpus)
    assert len(entries) == 6

    out_file = tmp_path / "out.jsonl"
    proc = subprocess.run([str(ROUEI), "extract", str(corpus), "-o", str(out_file), "--quiet",
                           "--no-cache"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr  # 1: the scanned PDF is an error record
    records = [json.loads(ln) for ln in out_file.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in records] == [e["doc_id"] for e in entries]
    for rec, entry in zip(records, entries):
        assert rec["source"]["url"] == entry["url"]
        if entry["error"]:
            assert "no text layer" in rec["error"]["message"]
            continue
        assert "error" not in rec, rec["error"]
        assert rec["title"] == entry["title"]
        assert rec["published"] == entry["published"]
        assert rec["source"]["encoding"] == entry["encoding"]
        assert rec["source"]["sha256"] == entry["sha256"]
    assert {r["source"]["encoding"] for r in records if "error" not in r} <= {"cp932", "utf-8", "pdf"}
    assert entries[-2]["title"] == "メール誤送信に関するお詫び"  # the PDF's title line, not its date
    # the text arrived intact enough for the extractors: every notice names 氏名 or メールアドレス
    found = {dt["category"] for r in records for i in r.get("incidents", []) for dt in i["data_types"]}
    assert {"name", "email_address"} <= found
