"""``rouei extract`` for reports: the parse cache in the user's cache directory (not the
working folder), ``--keep-text`` storing the analysed text, and absolute source paths."""

from __future__ import annotations

import json
from pathlib import Path

from rouei.extract.cli import main
from rouei.extract.run.command import cache_dir

# a letterhead with no legal form: the patterns leave the author open, so the title is parsed
# and the parse cache gets an entry (a notice the patterns decide is not parsed at all)
NOTICE = ("個人情報漏えいに関するお詫び\n"
          "2024年3月1日\nみどり商会\n"
          "当社は2024年2月20日、委託先サーバーへの不正アクセスにより、お客様の氏名及び"
          "メールアドレス約1,200件が流出した可能性があることを確認しました。\n")


def test_extract_cache_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ROUEI_CACHE", raising=False)
    assert Path(cache_dir(None)) == tmp_path / "xdg" / "rouei"
    monkeypatch.setenv("ROUEI_CACHE", str(tmp_path / "env"))
    assert cache_dir(None) == str(tmp_path / "env")
    assert cache_dir(str(tmp_path / "flag")) == str(tmp_path / "flag")


def test_extract_cache_follows_the_user_not_the_folder_and_keep_text(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ROUEI_CACHE", raising=False)
    (tmp_path / "notices").mkdir()
    src = tmp_path / "notices" / "midori.txt"
    src.write_text(NOTICE, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["extract", "../notices/midori.txt", "-o", "out.jsonl", "--quiet", "--keep-text"]) == 0
    assert not (work / ".rouei-cache").exists()
    assert any(p.is_file() for p in (tmp_path / "xdg" / "rouei").rglob("*"))
    rec = json.loads((work / "out.jsonl").read_text(encoding="utf-8"))
    assert rec["text"] == NOTICE
    assert Path(rec["source"]["path"]).is_absolute() and Path(rec["source"]["path"]) == src
    counts = [c for inc in rec["incidents"] for c in inc["counts"]]
    assert counts and all(rec["text"][c["start"]:c["end"]] == c["text"] for c in counts)
    # without --keep-text the record has no text; ROUEI_CACHE moves the cache
    monkeypatch.setenv("ROUEI_CACHE", str(tmp_path / "elsewhere"))
    assert main(["extract", str(src), "-o", "plain.jsonl", "--quiet"]) == 0
    plain = json.loads((work / "plain.jsonl").read_text(encoding="utf-8"))
    assert "text" not in plain and plain["incidents"] == rec["incidents"]
    assert any(p.is_file() for p in (tmp_path / "elsewhere").rglob("*"))
