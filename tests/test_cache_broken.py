"""A parse cache that cannot be written degrades to no cache with one warning; the records
stand (they used to become E004 error records although extraction succeeded)."""

from __future__ import annotations

import logging

from rouei.extract.run.pipeline import Pipeline, Settings, usable_cache

TEXTS = [
    "株式会社テスト商事\n2024年1月5日、当社の委託先で顧客情報120件が流出しました。住所は含まれておりません。",
    "株式会社サンプル\n2023年12月1日、メールアドレス300件を誤送信しました。氏名は含まれていません。",
]


def test_cache_file_in_the_way_degrades_with_one_warning(nlp, tmp_path, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    pipe = Pipeline(Settings(cache_dir=str(blocker / "sub")), nlp=nlp)
    reference = Pipeline(Settings(), nlp=nlp)
    with caplog.at_level(logging.WARNING):
        recs = [pipe.process(f"d{i}", t) for i, t in enumerate(TEXTS)]
    assert all("error" not in r for r in recs)
    assert [r["incidents"] for r in recs] == [reference.process(f"d{i}", t)["incidents"]
                                              for i, t in enumerate(TEXTS)]
    warnings = [r for r in caplog.records if "parse cache" in r.getMessage()]
    assert len(warnings) == 1
    assert pipe.cache is None


def test_cache_probe_refuses_unwritable_folder(tmp_path, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        assert usable_cache(str(blocker)) is None
        assert usable_cache(str(blocker / "below")) is None
    assert sum("parse cache" in r.getMessage() for r in caplog.records) == 2
    assert usable_cache(str(tmp_path / "fine")) == str(tmp_path / "fine")
