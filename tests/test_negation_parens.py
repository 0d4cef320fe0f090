"""negation._paren_spans, which jumps from bracket to bracket with a regex, pairs the brackets
exactly as a walk over every character does."""

from __future__ import annotations

import random

from rouei.extract.fields import negation

from .conftest import CORPUS


def _walk(text: str) -> list[tuple[int, int]]:
    spans, stack = [], []
    for i, ch in enumerate(text):
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            spans.append((stack.pop(), i + 1))
    return spans


def test_paren_spans_same_as_walk():
    rng = random.Random(5)
    texts = ["", "()", ")(", "（氏名(住所)）", "((()", "))((", "a(b（c)d）e", "氏名（住所や電話番号はありません。）"]
    texts += ["".join(rng.choice("()（）ab 。\n") for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    texts += [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "seeds").glob("*.txt"))]
    for text in texts:
        assert negation._paren_spans(text) == _walk(text), text
