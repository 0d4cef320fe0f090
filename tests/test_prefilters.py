"""Prefilters (a union of all cues searched once per sentence; a cue's possible first
characters against the sentence's) only skip work that would find nothing: the evidence found
is the same with and without them."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from rouei.extract.doc.context import DocContext
from rouei.extract.doc.text import Normalized, sentences
from rouei.extract.fields import causes, notice, status
from rouei.extract.fields.cue_index import CueIndex, required_factors, trie_pattern

from .conftest import CORPUS, ROOT

# every cue on every sentence, no index, no union, the plain section test: the one oracle
from .test_fastpaths_fields import _plain_find_causes

HOLDOUT = ROOT / "tests" / "fixtures" / "holdout"


def _texts() -> list[str]:
    """The seeds and the holdout pages, normalised, and texts at the edges of the rules."""
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + sorted(HOLDOUT.glob("*.txt"))
    out = [Normalized.of(p.read_text(encoding="utf-8")).text for p in paths]
    return out + ["", "。", "123 ①②〇", "ー・゛゠ヽゞ", "Unauthorized access", "本公司服务器遭到访问",
                  "𠮷野家の顧客情報", "ｶﾀｶﾅとﾋﾗｶﾞﾅ", "ＡＢＣ漢字かな", "\ufa6e\u3400\U00020000", "_x_", "kjl kana ｋ漢"]


def _sentences() -> list[str]:
    out = []
    for path in sorted((CORPUS / "seeds").glob("*.txt")):
        norm = Normalized.of(path.read_text(encoding="utf-8")).text
        out += [norm[s:e] for s, e in sentences(norm)]
    out += ["不正アクセスによる流出の可能性はありません。", "誤送信が判明しました。", "特になし"]
    return out


def test_status_prefilter_keeps_every_cue_match():
    r = status.status_rules()
    assert r.any_cue is not None
    plain = dataclasses.replace(r, any_cue=None)
    sents = _sentences()
    with_filter = [status.find_status(s, r) for s in sents]
    assert with_filter == [status.find_status(s, plain) for s in sents]
    assert sum(map(len, with_filter)) > 10
    assert sum(1 for s in sents if not r.any_cue.search(s)) > len(sents) // 2  # it does skip


def test_cause_prefilter_keeps_every_cue_match():
    r = causes.cause_rules()
    assert r.index is not None
    assert all(c.firsts for c in r.cues)  # each cue can be skipped by its first characters
    plain = dataclasses.replace(r, index=None, cues=tuple(dataclasses.replace(c, firsts=None) for c in r.cues))
    sents = _sentences()
    with_filter = [causes.sentence_causes(s, r) for s in sents]
    assert with_filter == [causes.sentence_causes(s, plain) for s in sents]
    assert sum(map(len, with_filter)) > 5


def test_find_causes_with_one_search_per_document_is_the_plain_one():
    texts = _texts() + ["原因\nサーバーへの不正アクセスにより流出しました。\n再発防止策\n誤送信を防止します。",
                        "万一、紛失した場合は、ご連絡ください。誤って送信したメールを削除しました",
                        "不正アクセス不正アクセス、不具合。", "紛失\n\n紛失"]
    found = 0
    for text in texts:
        if not text.strip():
            continue
        ctx = DocContext("t", text)
        got = causes.find_causes(ctx)
        assert got == _plain_find_causes(ctx), text[:40]
        found += len(got)
    assert found > 50


def test_cue_index_names_every_cue_that_matches():
    """A cue that matches a sentence is among the cues the index names for it, whether the
    index tests the sentence alone or finds its factors in the whole text."""
    for pats in ([c.regex for c in causes.cause_rules().cues],):
        index = CueIndex.of(pats)
        for text in _texts():
            spans = sentences(text)
            per_span = index.per_span(text, spans)
            for (s, e), named in zip(spans, per_span):
                sent = text[s:e]
                assert named == index.cues_in(sent)
                for i, pat in enumerate(pats):
                    if pat.search(sent):
                        assert i in named, (pat.pattern, sent)


def test_required_factors_are_in_every_match():
    cases = {
        "紛失": {"紛失"}, "置き?忘れ": {"忘れ"}, "不具合|バグ": {"不具合", "バグ"},
        "(?:宛先|宛名)を(?:誤|間違)": {"宛"}, "(?:宛先|名簿)を": {"宛先", "名簿"}, "[映写]り込": {"り込"},
        "(?<!見)落とし": {"落とし"}, "a*": None, "(?i)abc": None, ".+": None, "(?:ab)?c": {"c"},
        "x(?:ab)+": {"ab"}, "(?:漏え?い|漏洩)": {"漏"},
    }
    for pattern, want in cases.items():
        got = required_factors(pattern)
        assert (None if got is None else set(got)) == want, pattern
    for cue in causes.cause_rules().cues:
        factors = required_factors(cue.regex.pattern)
        assert factors, cue.regex.pattern
        for text in _texts():
            for m in cue.regex.finditer(text):
                assert any(f in m.group() for f in factors), (cue.regex.pattern, m.group())


def test_trie_pattern_matches_the_longest_word_at_a_position():
    words = ["不正", "不正アクセス", "不具合", "アクセス", "ア", "誤", "誤って"]
    trie = re.compile(trie_pattern(words))
    for text in ["不正アクセス", "不正ア", "不具", "誤って", "誤る", "アクセ", "ア"]:
        for pos in range(len(text)):
            longest = max((w for w in words if text.startswith(w, pos)), key=len, default=None)
            m = trie.match(text, pos)
            assert (m.group() if m else None) == longest, (text, pos)


def test_a_large_trie_pattern_grouped_matches_and_finds_what_the_plain_one_does():
    # more first characters than cue_index._GROUP_MIN: the top level is cut into groups, each
    # behind a lookahead on its first characters; the words share prefixes and first characters
    import random

    from rouei.extract.fields import cue_index

    rng = random.Random(14)
    alphabet = "不正アクセス誤送信紛失盗難流出漏洩ウイルス攻撃設定ミス脆弱性の、。ABCxyz-" + "".join(
        chr(0x4E00 + 37 * i) for i in range(90))
    words = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5))) for _ in range(400)})
    assert len({w[0] for w in words}) >= cue_index._GROUP_MIN
    grouped = re.compile(trie_pattern(words))
    assert grouped.pattern.startswith("(?=[")
    plain = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    for text in [*texts, "", "。", *words]:
        assert grouped.findall(text) == plain.findall(text), text
        for pos in range(len(text) + 1):
            m, p = grouped.match(text, pos), plain.match(text, pos)
            assert (m and m.group()) == (p and p.group()), (text, pos)
            assert bool(grouped.search(text, pos, len(text) - 1)) == bool(plain.search(text, pos, len(text) - 1))
    # fewer first characters: the plain trie, as before
    small = [w for w in words if w[0] in "不正アクセス"]
    assert not trie_pattern(small).startswith("(?=[")


def _plain_japanese_share(text: str) -> tuple[float, float]:
    """japanese_share as a loop over every character (the form the counted one replaces)."""
    letters = kanji = kana = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        name = unicodedata.name(ch, "")
        if name.startswith(("HIRAGANA", "KATAKANA")):
            kana += 1
        elif name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")):
            kanji += 1
    if not letters:
        return 0.0, 0.0
    return (kanji + kana) / letters, kana / letters


def test_japanese_share_counted_per_distinct_character_is_the_plain_share():
    texts = _texts()
    assert len(texts) > 60
    for text in texts:
        assert notice.japanese_share(text) == _plain_japanese_share(text), text[:40]
