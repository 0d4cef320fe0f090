"""Japanese numerals to integers."""

import pytest

from rouei.extract.doc.numbers import kanji_to_int, parse_number


@pytest.mark.parametrize("text,value", [
    ("三十二万五千", 325_000), ("二〇二四", 2024), ("十", 10), ("二十六", 26), ("千二百三十四", 1234),
    ("四百万", 4_000_000), ("一億二千万", 120_000_000),
])
def test_numbers_kanji(text, value):
    assert kanji_to_int(text) == value


@pytest.mark.parametrize("text,value", [
    ("3,427", 3427), ("48651", 48651), ("1.2万", 12_000), ("0.5万", 5000), ("928万", 9_280_000),
    ("3万2千", 32_000), ("1億2000万", 120_000_000), ("12345万", 123_450_000), ("756万", 7_560_000),
])
def test_numbers_parse(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "1.25", "abc", "1.23456万", "3人"])
def test_numbers_parse_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)
