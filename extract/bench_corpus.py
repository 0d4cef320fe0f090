"""The corpora ``make bench`` times rouei on, written to a scratch folder for one run.

- ``seeds``: the seed notices of corpus/seeds (about 6,000 characters each), rewritten until
  the corpus holds ``min_bytes`` of text.
- ``real``: short notices like the ones rouei meets most (a few hundred characters: a title
  line with the date, a lead, a few paragraphs). The sources are the dev notices
  (../shared/corpus/dev/docs) when that folder is there, else the notices written for the
  benchmark in corpus/bench/. Each is repeated with other organisation names and other
  numbers until there are ``count`` notices.

Every notice written is different from every other, so the parse cache cannot short-cut a
cold run. Only the scratch copies hold the perturbed text; nothing from the sources is
written into the repository.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds"
DEV_DOCS = ROOT.parent / "shared" / "corpus" / "dev" / "docs"
OWN_DOCS = ROOT / "corpus" / "bench"

_ORGS = ["株式会社サンプル商事", "みどり運輸株式会社", "テスト電機株式会社", "青空市", "北川町", "東都大学",
         "ひかり通信株式会社", "さくら生命保険株式会社", "港南病院", "ABCマート株式会社"]

# organisation names for the real corpus: a stem and a trade, 10 x 10
_STEMS = ["みなと", "あおば", "ひので", "さくら", "北斗", "東和", "中央", "大和", "若葉", "光陽"]
_TRADES = ["システム", "商事", "物流", "電機", "フーズ", "ホールディングス", "工業", "サービス", "不動産", "製薬"]
# a company name next to 株式会社 / 有限会社 (before or after it): katakana, kanji, latin letters
# (hiragana is left alone: there it is more often the sentence around the name)
_NAME = r"[\u30A1-\u30FA\u30FC\u4E00-\u9FFF々A-Za-zＡ-Ｚａ-ｚ]{2,10}"
_COMPANY = re.compile(rf"(?P<pre>株式会社|有限会社)(?P<a>{_NAME})|(?P<b>{_NAME})(?P<post>株式会社|有限会社)")
_NUMBER = re.compile(r"\d+")


def build_corpus(dest: Path, min_bytes: int, seed: int = 7) -> tuple[list[Path], int]:
    """Variants of the seed notices until ``min_bytes`` of UTF-8 text; returns files, chars."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    dest.mkdir(parents=True, exist_ok=True)
    files, size, chars, i = [], 0, 0, 0
    while size < min_bytes:
        base = texts[i % len(texts)]
        text = re.sub(r"\d", lambda m: str(rng.randrange(10)) if rng.random() < 0.5 else m.group(), base)
        text = text.replace("株式会社", rng.choice(_ORGS)[:4] + "株式会社", 1)
        text = f"{rng.choice(_ORGS)} 個人情報の取扱いに関するお知らせ(第{i}報)\n" + text
        path = dest / f"bench_{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
        size += len(text.encode("utf-8"))
        chars += len(text)
        i += 1
    return files, chars


def real_sources(source: Path | None = None) -> list[Path]:
    """The notices the real corpus is made from: ``source``, else the dev notices when they
    are there, else the benchmark's own notices."""
    for folder in (source, DEV_DOCS, OWN_DOCS):
        if folder is not None and folder.is_dir():
            found = sorted(folder.glob("*.txt"))
            if found:
                return found
    raise FileNotFoundError("no source notices for the real-notice corpus")


def perturb(text: str, rng: random.Random) -> str:
    """``text`` with other company names and other numbers, of the same shape: a number of
    one or two digits (a month, a day, an hour) becomes another of as many digits that still
    reads as one; one of four (a year) changes its last digit; others keep their first digit
    (three digits) or first two (longer)."""
    def number(m: re.Match[str]) -> str:
        s = m.group()
        if len(s) == 1:
            return str(rng.randrange(1, 10))
        if len(s) == 2:
            return str(rng.randrange(10, 29)) if s[0] != "0" else f"0{rng.randrange(1, 10)}"
        keep = {3: 1, 4: 3}.get(len(s), 2)
        return s[:keep] + "".join(str(rng.randrange(10)) for _ in s[keep:])

    names: dict[str, str] = {}  # one notice names its company the same way throughout

    def company(m: re.Match[str]) -> str:
        old = m.group("a") if m.group("pre") else m.group("b")
        if not old:
            return m.group()
        new = names.setdefault(old, rng.choice(_STEMS) + rng.choice(_TRADES))
        return m.group("pre") + new if m.group("pre") else new + m.group("post")

    return _NUMBER.sub(number, _COMPANY.sub(company, text))


def build_real_corpus(dest: Path, count: int = 500, source: Path | None = None,
                      seed: int = 11) -> tuple[list[Path], int]:
    """``count`` distinct perturbed copies of the real-notice sources; returns files, chars."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in real_sources(source)]
    dest.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set(texts)
    files, chars = [], 0
    for i in range(count):
        base = texts[i % len(texts)]
        text = perturb(base, rng)
        tries = 0
        while text in seen and tries < 20:
            text, tries = perturb(base, rng), tries + 1
        if text in seen:  # a notice with no number and no company name: mark the copy
            text = f"{text.rstrip()}\n\n(管理番号 {i:05d})\n"
        seen.add(text)
        path = dest / f"real_{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
        chars += len(text)
    return files, chars
