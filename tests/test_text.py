"""Reading and normalising notices: encodings, HTML, the offset map, segmentation, repeats."""

from __future__ import annotations

import pytest

from rouei.extract.doc.text import (
    Normalized,
    decode_bytes,
    html_to_text,
    repeated_regions,
    sentences,
)
from rouei.extract.nlp.model import split_for_sudachi

SAMPLE = "令和５年９⽉２６⽇、お客様情報　約１，２００件が流出した可能性があります。"


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc_jp", "iso2022_jp", "utf-8-sig"])
def test_text_decode_bytes_japanese_encodings(encoding):
    text, used = decode_bytes("個人情報の漏えいに関するお詫びとお知らせ。".encode(encoding))
    assert text == "個人情報の漏えいに関するお詫びとお知らせ。"
    assert used == encoding


def test_text_normalized_folds_fullwidth_and_kangxi():
    n = Normalized.of(SAMPLE)
    assert "令和5年9月26日" in n.text  # ⽉ (U+2F49) and ⽇ (U+2F47) fold to 月 日
    assert "約1,200件" in n.text
    assert " " in n.text  # the ideographic space


def test_text_normalized_span_maps_back_to_original():
    n = Normalized.of(SAMPLE)
    i = n.text.index("1,200件")
    s, e = n.span(i, i + len("1,200件"))
    assert SAMPLE[s:e] == "１，２００件"
    j = n.text.index("9月26日")
    s, e = n.span(j, j + len("9月26日"))
    assert SAMPLE[s:e] == "９⽉２６⽇"


def test_text_normalized_keeps_circled_numbers_and_expansions():
    n = Normalized.of("①氏名 ②住所 ㈱テスト")
    assert n.text.startswith("①氏名 ②住所")
    k = n.text.index("(株)")
    assert n.span(k, k + 3) == (8, 9)  # three copy chars come from the one ㈱


@pytest.mark.parametrize("wave", ["〜", "～", "~"])
def test_text_normalized_wave_dashes_are_tilde(wave):
    assert Normalized.of(f"4月{wave}6月").text == "4月~6月"


def test_text_to_norm_round_trip():
    n = Normalized.of(SAMPLE)
    for pos in range(len(SAMPLE)):
        k = n.to_norm(pos)
        assert n.starts[k] == pos


def test_text_html_to_text_drops_chrome_keeps_blocks():
    html = ("<html><head><title>お詫び</title><style>p{}</style></head><body><nav>メニュー</nav>"
            "<h1>個人情報漏えいについて</h1><p>氏名<br>住所</p><script>x()</script>"
            "<footer>Copyright</footer></body></html>")
    text = html_to_text(html)
    assert "メニュー" not in text and "Copyright" not in text and "x()" not in text
    assert "個人情報漏えいについて\n" in text
    assert "氏名\n住所" in text


def test_text_sentences_split_on_maru_and_lines():
    text = "一文目です。二文目です!\n見出し\n\n三文目"
    spans = sentences(text)
    assert [text[s:e] for s, e in spans] == ["一文目です。", "二文目です!", "見出し", "三文目"]


def test_text_repeated_regions_marks_a_pasted_second_copy():
    body = "\n".join(f"{i}行目の本文で、ここには十分な長さの文章が入っています。" for i in range(5))
    text = "見出し\n" + body + "\n" + body + "\n末尾"
    regions = repeated_regions(text)
    assert len(regions) == 1
    s, e = regions[0]
    assert text[s:e] == body
    assert s > text.index(body)


def test_text_repeated_regions_ignores_single_repeated_lines():
    text = "1.事案A\n原因:ソフトウェア不良\n2.事案B\n原因:ソフトウェア不良\n3.事案C\n原因:ソフトウェア不良\n"
    assert repeated_regions(text) == []


def test_text_split_for_sudachi_respects_byte_limit_and_covers_text():
    para = "個人情報の漏えいについてお知らせします。" * 300
    text = "\n\n".join([para] * 5)
    pieces = split_for_sudachi(text, limit=20_000)
    assert len(pieces) > 1
    assert "".join(text[s:e] for s, e in pieces) == text
    assert all(len(text[s:e].encode()) <= 20_000 for s, e in pieces)


def test_text_split_for_sudachi_without_separators_cuts_by_characters():
    text = "あ" * 10_000
    pieces = split_for_sudachi(text, limit=3_000)
    assert "".join(text[s:e] for s, e in pieces) == text
    assert all(len(text[s:e].encode()) <= 3_000 for s, e in pieces)


def test_text_normalized_joins_halfwidth_voiced_marks():
    n = Normalized.of("ﾒｰﾙｱﾄﾞﾚｽ")
    assert n.text == "メールアドレス"
    i = n.text.index("ド")
    assert n.span(i, i + 1) == (4, 6)  # ﾄ and ﾞ


def test_text_sentences_keep_bracketed_remarks_inside():
    text = "氏名(住所はありません。)、診療科です。次の文。"
    assert [text[s:e] for s, e in sentences(text)] == ["氏名(住所はありません。)、診療科です。", "次の文。"]
