"""Cutting notices into incidents (extract/fields/incidents.py), on the real model."""

from __future__ import annotations

import pytest

from rouei.extract.fields.incidents import list_number


@pytest.mark.parametrize("mark,expected", [
    ("1", 1), ("12", 12), ("１２", 12), ("①", 1), ("⑳", 20), ("㉑", 21), ("❸", 3), ("➀", 1),
    ("➋", 2), ("Ⅳ", 4),
])
def test_incidents_list_number_reads_every_numbering_character(mark, expected):
    assert list_number(mark) == expected


@pytest.mark.parametrize("mark", ["½", "a", "", "①②"])
def test_incidents_list_number_not_a_number(mark):
    assert list_number(mark) is None


@pytest.mark.parametrize("mark", ["①", "❶", "➀", "⑴", "⒈", "㉑"])
def test_incidents_circled_numbers_do_not_fail_the_notice(pipeline, mark):
    # a line that opens with a numbering character once made the whole notice an error record
    text = (f"テスト商事株式会社\n個人情報の漏えいについて\n\n{mark}顧客情報の漏えい\n"
            "2024年1月5日、顧客120名の氏名が記載された名簿を紛失したことが判明しました。\n"
            f"{mark}今後の対応\nお客様にはお詫びのご連絡をしております。\n")
    rec = pipeline.process("t", text)
    assert "error" not in rec
    assert len(rec["incidents"]) == 1
    assert rec["incidents"][0]["causes"][0]["category"] == "loss"
