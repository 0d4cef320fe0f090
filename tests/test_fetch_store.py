"""The corpus across runs: conditional requests and 304s, changes, duplicates, stable ids,
merged manifests, URL lists and local folders."""

# ruff: noqa: F811  (pytest fixtures imported from test_fetch_support are redefined as arguments)
from __future__ import annotations

import re

import pytest
from werkzeug import Response

from rouei.extract.cli import main
from rouei.fetch.store import Corpus, CorpusBusy, doc_id_for

from .test_fetch_support import (  # noqa: F401 - fixtures
    FAST,
    NOTICE_BODY,
    html_page,
    http_server,
    manifest,
    requested,
    respond,
    run_fetch,
    server,
    text_of,
)

PAGE = html_page("お詫び", NOTICE_BODY).encode()


def _conditional(etag=None, last_modified=None, body=PAGE):
    seen = []

    def handler(request):
        seen.append(dict(request.headers))
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304)
        if last_modified and request.headers.get("If-Modified-Since") == last_modified:
            return Response(status=304)
        headers = {}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        return respond(body, headers=headers)

    handler.seen = seen
    return handler


@pytest.mark.parametrize("kind", ["etag", "last_modified"])
def test_fetch_store_rerun_sends_conditional_request(server, tmp_path, capsys, kind):
    validators = {"etag": '"v1-abc"'} if kind == "etag" else {"last_modified": "Tue, 05 Mar 2024 01:00:00 GMT"}
    h = _conditional(**validators)
    server.expect_request("/n").respond_with_handler(h)
    url = server.url_for("/n")
    assert run_fetch(capsys, url, "--out", tmp_path, *FAST)[0] == 0
    before = manifest(tmp_path)
    code, out = run_fetch(capsys, url, "--out", tmp_path, *FAST)
    assert code == 0 and "0 fetched" in out and "1 unchanged" in out
    header = "If-None-Match" if kind == "etag" else "If-Modified-Since"
    assert header not in h.seen[0] and header in h.seen[1]
    (after,) = manifest(tmp_path)
    assert after["fetched_at"] == before[0]["fetched_at"] and "checked_at" in after
    assert after[kind] == before[0][kind]


def test_fetch_store_changed_page_replaces_its_entry(server, tmp_path, capsys):
    url = server.url_for("/n")
    server.expect_request("/n").respond_with_response(respond(PAGE))
    run_fetch(capsys, url, "--out", tmp_path, *FAST)
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("")
    server.expect_request("/n").respond_with_response(respond(PAGE.replace("1,234件".encode(), "2,345件".encode())))
    code, out = run_fetch(capsys, url, "--out", tmp_path, *FAST)
    assert "1 fetched" in out
    (entry,) = manifest(tmp_path)
    assert entry["doc_id"] == doc_id_for(url)
    assert "2,345件" in text_of(tmp_path, entry)


def test_fetch_store_identical_bytes_without_validators_are_unchanged(server, tmp_path, capsys):
    server.expect_request("/n").respond_with_response(respond(PAGE))
    run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST)
    code, out = run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST)
    assert "1 unchanged" in out and len(manifest(tmp_path)) == 1


def test_fetch_store_same_content_under_two_urls_stored_once(server, tmp_path, capsys):
    server.expect_request("/a").respond_with_response(respond(PAGE))
    server.expect_request("/b").respond_with_response(respond(PAGE))
    code, out = run_fetch(capsys, server.url_for("/a"), server.url_for("/b"), "--out", tmp_path, *FAST)
    assert code == 0 and "1 fetched" in out and "1 duplicate" in out
    (entry,) = manifest(tmp_path)
    assert entry["url"] == server.url_for("/a") and entry["aliases"] == [server.url_for("/b")]
    assert len(list((tmp_path / "text").iterdir())) == 1
    code, out = run_fetch(capsys, server.url_for("/a"), server.url_for("/b"), "--out", tmp_path, *FAST)
    assert len(manifest(tmp_path)) == 1 and manifest(tmp_path)[0]["aliases"] == [server.url_for("/b")]


def test_fetch_store_failure_keeps_the_good_copy(server, tmp_path, capsys):
    server.expect_request("/n").respond_with_response(respond(PAGE))
    run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST)
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("")
    server.expect_request("/n").respond_with_response(respond("gone", 404))
    code, out = run_fetch(capsys, server.url_for("/n"), "--out", tmp_path, *FAST)
    assert code == 1 and "failed: http_404 1" in out
    (entry,) = manifest(tmp_path)
    assert entry["error"] is None and (tmp_path / entry["text_path"]).exists()


def test_fetch_store_split_page_that_shrinks_drops_old_parts(server, tmp_path, capsys):
    def archive(n):
        return html_page("ブログ", "".join(
            f"<article><h2>投稿{i}</h2><time datetime='2024-01-0{i}'></time>"
            f"<p>{'本文の段落です。' * 15}{i}</p></article>" for i in range(1, n + 1))).encode()

    server.expect_request("/blog").respond_with_response(respond(archive(3)))
    run_fetch(capsys, server.url_for("/blog"), "--out", tmp_path, *FAST)
    assert len(manifest(tmp_path)) == 3
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("")
    server.expect_request("/blog").respond_with_response(respond(archive(2)))
    code, out = run_fetch(capsys, server.url_for("/blog"), "--out", tmp_path, *FAST)
    assert "1 fetched (2 notices)" in out
    assert [e["part"] for e in manifest(tmp_path)] == [1, 2]
    assert len(list((tmp_path / "text").iterdir())) == 2


def test_fetch_store_manifest_merges_runs_and_urls_file(server, tmp_path, capsys):
    for n in (1, 2, 3):
        server.expect_request(f"/{n}").respond_with_response(respond(html_page("お詫び", f"<p>第{n}報</p>" + NOTICE_BODY).encode()))
    corpus = tmp_path / "corpus"
    run_fetch(capsys, server.url_for("/1"), "--out", corpus, *FAST)
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# notices to fetch\n\n{server.url_for('/2')}\n{server.url_for('/3')}  # the second report\n"
                       f"{server.url_for('/1')}#same-page\n", encoding="utf-8")
    code, out = run_fetch(capsys, f"@{listing}", "--out", corpus, *FAST)
    assert code == 0 and "2 fetched" in out and "1 unchanged" in out
    assert [e["url"] for e in manifest(corpus)] == [server.url_for(f"/{n}") for n in (1, 2, 3)]
    assert not list(corpus.glob("*.tmp")) and not list(corpus.glob(".manifest*"))


def test_fetch_store_doc_ids_are_stable_hashes():
    a = doc_id_for("HTTP://Example.JP:80/news/お知らせ?id=1#top")
    assert a == doc_id_for("http://example.jp/news/お知らせ?id=1")
    assert re.fullmatch(r"[0-9a-f]{16}", a)
    assert a != doc_id_for("http://example.jp/news/お知らせ?id=2")
    assert a == doc_id_for("http://example.jp/news/%e3%81%8a%e7%9f%a5%e3%82%89%e3%81%9b?id=1")


def test_fetch_store_corpus_is_locked_while_in_use(tmp_path):
    with Corpus(tmp_path):
        with pytest.raises(CorpusBusy):
            Corpus(tmp_path)
    with Corpus(tmp_path):  # released on close
        pass


def test_fetch_store_hand_edited_manifest_is_kept_or_refused(server, tmp_path, capsys):
    server.expect_request("/n").respond_with_response(respond(PAGE))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    hand = '{"doc_id": "memo", "title": "added by hand", "text_path": "text/memo.txt", "error": null}'
    (corpus / "manifest.jsonl").write_text(f'{hand}\n[1, 2]\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["fetch", server.url_for("/n"), "--out", str(corpus), *FAST]) == 2
    assert "manifest.jsonl:2: not a manifest entry" in capsys.readouterr().err
    assert requested(server, "/n") == 0  # refused before any request, the line not dropped
    # an entry without a URL is kept; a torn last line (not written by rouei) is dropped
    (corpus / "manifest.jsonl").write_text(f'{hand}\n{{"doc_id": "half', encoding="utf-8")
    code, out = run_fetch(capsys, server.url_for("/n"), "--out", corpus, *FAST)
    assert code == 0 and "1 fetched" in out
    assert [e["doc_id"] for e in manifest(corpus)] == ["memo", doc_id_for(server.url_for("/n"))]


def test_fetch_store_local_folder(tmp_path, capsys):
    src = tmp_path / "notices"
    (src / "sub").mkdir(parents=True)
    (src / "a.html").write_bytes(html_page("A社のお詫び", NOTICE_BODY).encode("euc_jp"))
    (src / "sub" / "b.txt").write_text("B市からのお知らせ\n令和5年12月1日\n書類を誤送付しました。\n",
                                       encoding="utf-8")
    (src / "notes.docx").write_bytes(b"PK\x03\x04")  # ignored inside a folder
    corpus = tmp_path / "corpus"
    code, out = run_fetch(capsys, src, "--out", corpus, "--quiet")
    assert code == 0 and "2 fetched" in out
    by_name = {e["url"].rsplit("/", 1)[1]: e for e in manifest(corpus)}
    assert by_name["a.html"]["title"] == "A社のお詫び" and by_name["a.html"]["encoding"] == "euc_jp"
    assert by_name["b.txt"]["title"] == "B市からのお知らせ"
    assert by_name["b.txt"]["published"] == "2023-12-01"
    code, out = run_fetch(capsys, src, "--out", corpus, "--quiet")
    assert "2 unchanged" in out
