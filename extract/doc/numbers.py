"""Japanese numerals: arabic with commas, kanji (三十二万五千, 二〇二四), 万/億 with decimals."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9, "壱": 1, "弐": 2, "参": 3}
_SMALL = {"十": 10, "百": 100, "千": 1000, "拾": 10}
_LARGE = {"万": 10_000, "億": 100_000_000, "兆": 1_000_000_000_000}

KANJI_DIGITS = "〇零一二三四五六七八九壱弐参"
KANJI_NUMERAL_CHARS = KANJI_DIGITS + "十百千拾万億兆"


def kanji_to_int(s: str) -> int:
    """三十二万五千 → 325000, 二〇二四 → 2024, 十 → 10. Raises ValueError on other input."""
    if not s:
        raise ValueError("empty numeral")
    if all(c in _DIGITS for c in s):  # positional: 二〇二四
        return int("".join(str(_DIGITS[c]) for c in s))
    total = 0
    section = 0  # below 万
    digit: int | None = None
    for c in s:
        if c in _DIGITS:
            digit = (digit or 0) * 10 + _DIGITS[c] if digit is not None else _DIGITS[c]
        elif c in _SMALL:
            section += (digit if digit is not None else 1) * _SMALL[c]
            digit = None
        elif c in _LARGE:
            section += digit or 0
            total += (section or 1) * _LARGE[c]
            section = 0
            digit = None
        else:
            raise ValueError(f"not a kanji numeral: {s!r}")
    return total + section + (digit or 0)


def parse_number(s: str) -> int:
    """An integer from any numeral notation: 3,427 / 1.2万 / 約三十二万五千 (no prefix) / 928万.

    Decimals are allowed only before 万/億/兆 (0.5万 → 5000). Raises ValueError otherwise."""
    s = s.replace(",", "").replace("，", "").replace(" ", "")
    if not s:
        raise ValueError("empty number")
    if re.fullmatch(r"\d+", s):
        return int(s)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([万億兆])(.*)", s)
    if m:
        try:
            head = Decimal(m.group(1)) * _LARGE[m.group(2)]
        except InvalidOperation as exc:
            raise ValueError(s) from exc
        rest = m.group(3)
        tail = parse_number(rest) if rest else 0
        if head != head.to_integral_value():
            raise ValueError(f"fractional count: {s!r}")
        return int(head) + tail
    if all(c in KANJI_NUMERAL_CHARS or c.isdigit() for c in s):
        # Mixed forms such as 3万2千 or 12万.
        if all(c in KANJI_NUMERAL_CHARS for c in s):
            return kanji_to_int(s)
        return _mixed(s)
    raise ValueError(f"not a number: {s!r}")


def _mixed(s: str) -> int:
    """3万2千 / 1億2000万 / 12345万: arabic digit runs combined with kanji multipliers."""
    total = 0
    for part, big in re.findall(r"([^万億兆]*)([万億兆]?)", s):
        if not part and not big:
            continue
        value = _small_mixed(part) if part else 1
        total += value * (_LARGE[big] if big else 1)
    return total


def _small_mixed(part: str) -> int:
    """A group below 万: 2000, 2千, 千二百, 3百4十."""
    if part.isdigit():
        return int(part)
    total = 0
    digit: int | None = None
    for tok in re.findall(r"\d+|.", part):
        if tok.isdigit():
            digit = int(tok)
        elif tok in _DIGITS:
            digit = _DIGITS[tok]
        elif tok in _SMALL:
            total += (digit if digit is not None else 1) * _SMALL[tok]
            digit = None
        else:
            raise ValueError(f"not a number: {part!r}")
    return total + (digit or 0)
