"""The organisation field's fast paths (extract/fields/org.py, org_names.py) against their plain
forms: the same answers on the seeds, the holdout pages and made-up sentences, edge cases included.

The plain forms below are the code the fast paths replaced, kept here as the reference."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import OrgItem
from rouei.extract.fields import org, org_names

ROOT = Path(__file__).parent.parent
TEXTS = sorted((ROOT / "corpus" / "seeds").glob("*.txt")) + \
    sorted((Path(__file__).parent / "fixtures" / "holdout").glob("*.txt"))

# made-up notices: letterheads and signatures, self-references of each kind, a regulator and a
# platform, an alias, a contractor, a site after "|", repeated names, departments, facilities
SENTENCES = [
    "個人情報漏えいに関するお詫び\n株式会社サンプル商事\n当社が運営する通販サイトで不正アクセスが発生しました。",
    "総務省は、テスト通信株式会社(TTC)に対し行政指導を行った。TTCでは通話記録が漏えいした。TTCは謝罪した。",
    "お知らせ | 情報セキュリティニュース株式会社\n個人情報保護委員会は、みどり運輸株式会社に対して勧告を行った。",
    "2024年5月10日\n株式会社みなと製作所\n\n不正アクセスによる個人情報漏えいに関するお詫び\n"
    "このたび、当社のサーバーが不正アクセスを受けました。当社は保守を委託している株式会社クラウドテックと調査を進めています。\n"
    "本件は警視庁及び個人情報保護委員会に報告しております。\n",
    "個人情報の漏えいのおそれについて | 北山町\n当町が管理するシステムで住民情報が閲覧可能な状態でした。\n",
    "市民の個人情報が記載された書類の紛失について\n本市の市民課で申請書12件を紛失しました。\n北山市市民課\n",
    "北山県警察 個人情報漏えいのお知らせとお詫びについて\n本県警察の職員が名簿を紛失しました。\n北山県警察本部\n",
    "四條畷市立子育て総合支援センターにおける個人情報の誤送付について\n同センターで通知を誤送付しました。\n",
    "北海道大病院で患者情報を紛失\n北海道大学病院は、患者の情報を記録したUSBメモリを紛失したと発表した。北海道大病院は謝罪した。",
    "株式会社テスト(以下「当社」)は、当社サーバーへの不正アクセスを確認しました。\n株式会社テスト\n代表取締役 山田太郎\n",
    "当社(株式会社テスト)のサイトで障害\n株式会社テスト 株式会社テスト 株式会社テスト\nテスト(株)",
    "本学の学生情報の流出について\nみなと大学\n本学の教員が学生名簿を誤送信しました。みなと大学病院も同様です。\n",
    "長崎県警察本部の長崎県内の事案\n長崎県 長崎県警察 長崎県\n長崎県警察\n",
    "委託先である株式会社ABCが、当社のお客様情報を漏えいさせました。\n株式会社XYZ\n",
    "ECのミカタ | 株式会社サンプル\n株式会社サンプルの通販サイトで不正アクセス。Google経由でも。\n",
    "",
    "当社",
    "株式会社",
    "北山市\n北山市\n北山市\n",
]

EDGE_NAMES = ["", "株式会社", "株式会社 テスト", "(株)テスト", "テスト・", "-テスト-", "当社", "市区町村", "USBメモリ",
              "総務省", "総務省東海総合通信局", "北山市", "北山市立図書館", "中央区市民課", "中之条町立", "総務局人材育成部",
              "北海道大病院", "北海道大学病院", "X(旧Twitter)", "a", " ", "　テスト　"]


def _texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in TEXTS] + SENTENCES


def _ctx(text: str, title: str | None = None) -> DocContext:
    if title is None:
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return DocContext("t", text, title=title)


# -- plain forms --------------------------------------------------------------------------------

def _plain_core(r, name):
    return re.sub(r"\s+", "", r.legal_words.sub("", name)).strip("・-")


def _plain_valid(r, name):
    c = _plain_core(r, name)
    return bool(c) and not r.not_name.search(c)


def _plain_not_subject(r, key):
    return any(ns in key for ns in r.not_subject)


def _plain_fits(name, self_words, r):
    return any(words.fullmatch(w) and fits.search(name) for words, fits in r.self_kinds for w in self_words)


def _plain_skip_legal(norm, pos):
    m = re.match(r"\s*(?:株式会社|\(株\))", norm[pos:])
    return pos + m.end() if m else pos


def _plain_own_line(r, norm, a, b, edge):
    for ls, le in edge:
        if ls <= a and b <= le:
            rest = r.legal_words.sub("", norm[ls:a] + norm[b:le])
            return len(re.sub(r"\s+", "", rest)) <= r.score["own_line_chars"] and "。" not in rest
    return False


def _plain_forms(ctx, cands, r):
    norm = ctx.norm.text
    canon = org_names.pool(sorted({_plain_core(r, it.name) for it in cands}, key=lambda k: (len(k), k)),
                           int(r.score["pool_chars"]))
    forms: dict[str, set[str]] = {}
    for short, long in canon.items():
        forms.setdefault(long, set()).add(short)
    for it in cands:
        if it.label == "legal":
            pos = _plain_skip_legal(norm, ctx.norm.to_norm(it.end))
            m = r.alias.match(norm[pos:pos + 40])
            key = canon[_plain_core(r, it.name)]
            if m and not r.legal_words.fullmatch(m.group(1)) and m.group(1) != key:
                alias = m.group(1)
                forms[key] |= forms.pop(canon.get(alias, alias), {alias})
                canon.update({k: key for k, v in canon.items() if v == alias or k == alias})
    return canon, forms


@dataclass
class _PlainEvidence:
    ctx: DocContext
    r: org.OrgRules
    self_words: set[str]
    main_title: str
    site: str
    edge: set[tuple[int, int]]
    first_in_title: str | None = None
    only_in_title: bool = False
    outer: dict[str, set[tuple[int, int]]] | None = None

    def spans_of(self, forms):
        norm = self.ctx.norm.text
        spans = {(m.start(), m.end()) for f in forms for m in re.finditer(re.escape(f), norm)}
        return {sp for sp in spans if not self.ctx.skipped(self.ctx.norm.span(*sp)[0])} or spans

    def terms(self, key, forms, names):
        r, norm = self.r, self.ctx.norm.text
        w = r.score
        spans = self.outer[key] if self.outer and key in self.outer else self.spans_of(forms)
        longer = [sp for k, sps in (self.outer or {}).items() if k != key for sp in sps]
        spans = {(a, b) for a, b in spans
                 if not any(x <= a and b <= y and y - x > b - a for x, y in longer)} or spans
        ends = [_plain_skip_legal(norm, b) for _, b in spans]
        before = [re.sub(r"(?:株式会社|\(株\))\s*$", "", norm[max(0, a - 30):a]) for a, _ in spans]
        fits = any(_plain_fits(n, self.self_words, r) for n in names)
        in_title = any(f in self.main_title for f in forms)
        kinds = {
            "legal": any(r.legal_words.search(n) for n in names),
            "title": in_title,
            "title_first": key == self.first_in_title,
            "target": not self.self_words and any(r.target.match(norm[e:e + 80]) for e in ends),
            "third_party": any(r.third_party.search(b) for b in before),
            "self_link": any(r.link_after.match(norm[e:e + 40]) for e in ends)
            or any(r.link_before.search(b) for b in before),
            "own_line": any(_plain_own_line(r, norm, a, b, self.edge) for a, b in spans),
            "self_kind": fits,
            "not_subject": _plain_not_subject(r, key)
            and not (fits or (key == self.first_in_title and self.only_in_title)),
            "publisher": bool(self.site) and any(f in self.site for f in forms) and not in_title and not fits,
        }
        terms = {"mention": min(len({a for a, _ in spans}), int(w["mention_cap"])) * w["mention"]}
        terms.update((k, w[k]) for k, on in kinds.items() if on)
        return terms, len(spans)


def _plain_title_parts(ctx):
    import unicodedata

    title = re.sub(r"\s+", "", unicodedata.normalize("NFKC", ctx.title or ""))
    if "|" in title:
        main, _, site = title.rpartition("|")
        return main, site
    return title, ""


def _plain_decide(ctx, items):
    r = org.org_rules()
    cands = [it for it in items if it.label != "self_ref" and _plain_valid(r, it.name)]
    if not cands:
        return org._Decision(None)
    canon, forms = _plain_forms(ctx, cands, r)
    main_title, site = _plain_title_parts(ctx)
    lines = org._nonblank_lines(ctx.norm.text)
    ev = _PlainEvidence(ctx, r, {it.name for it in items if it.label == "self_ref"}, main_title, site,
                        set(lines[: r.zones["lines"]] + lines[-r.zones["footer_lines"]:]))
    firsts = {k: min(main_title.find(f) for f in fs if f in main_title)
              for k, fs in forms.items() if any(f in main_title for f in fs)}
    ev.first_in_title = min(firsts, key=lambda k: firsts[k], default=None)
    ev.only_in_title = len(firsts) == 1 and bool(r.speaks[0].search(main_title)) \
        and not r.speaks[1].search(main_title)
    ev.outer = {key: ev.spans_of(fs) for key, fs in forms.items()}
    pooled = [(canon[_plain_core(r, it.name)], it.name) for it in cands]
    names = {key: [name for k, name in pooled if k == key] for key in forms}
    terms = {key: ev.terms(key, fs, names[key]) for key, fs in forms.items()}
    scores = {key: (sum(t.values()), n, len(key)) for key, (t, n) in terms.items()}
    best = max(scores, key=lambda k: scores[k])
    kinds = frozenset(terms[best][0])
    parent = org_names.facility_parent(best)
    if parent and not any(f in main_title for f in forms[best]) and \
            not any(_plain_fits(n, ev.self_words, r) for n in names[best]):
        return org._Decision(parent, scores[best][0], kinds)
    return org._Decision(max(names[best], key=len, default=best), scores[best][0], kinds)


# -- the decision -------------------------------------------------------------------------------

def _item_lists(ctx: DocContext) -> list[list[OrgItem]]:
    """The items extract() finds, and variations on them: fewer, reversed, only the first
    kinds, as the pipeline (skipped regions left out) and the NER rounds hand them over."""
    items = org.extract(ctx)
    out = [items, [it for it in items if not ctx.skipped(it.start)], items[::-1], items[: len(items) // 2]]
    out += [[it for it in items if it is not drop] for drop in items[:6]]
    return out


def test_org_decision_equals_the_plain_one_on_documents():
    for text in _texts():
        ctx = _ctx(text)
        for items in _item_lists(ctx):
            assert org._decide(ctx, items) == _plain_decide(ctx, items), text[:40]


@pytest.mark.parametrize("title", ["", "お知らせ | 北山市", "株式会社サンプル 個人情報のお詫び", "|", "北山県警察 お詫び",
                                   "個人情報保護委員会 | 株式会社サンプル", "  北山市 立図書館  "])
def test_org_decision_equals_the_plain_one_under_other_titles(title):
    for text in SENTENCES + [p.read_text(encoding="utf-8") for p in TEXTS[:8]]:
        ctx = _ctx(text, title=title)
        for items in _item_lists(ctx):
            assert org._decide(ctx, items) == _plain_decide(ctx, items), (title, text[:40])


def test_org_decision_with_made_up_candidates():
    """Candidates the patterns would not give (any label, repeated, overlapping, invalid) and
    self-references of each kind: the same decision as the plain form."""
    r = org.org_rules()
    rng = random.Random(14)
    text = "\n".join(SENTENCES[:14])
    ctx = _ctx(text)
    found = org.extract(ctx)
    selves = [w for kind in rules.load("org")["self_kind"] for w in kind["words"].split("|")]
    for _ in range(300):
        items = rng.sample(found, rng.randrange(len(found) + 1))
        for _ in range(rng.randrange(4)):
            name = rng.choice(EDGE_NAMES + [it.name for it in found])
            at = rng.randrange(len(text))
            items.append(OrgItem(text[at:at + 3], at, min(len(text), at + 3), name=name,
                                 label=rng.choice(["legal", "body", "place", "own_line", "Company"])))
        for _ in range(rng.randrange(3)):
            items.append(OrgItem("当社", 0, 2, name=rng.choice(selves), label="self_ref"))
        assert org._decide(ctx, items, r) == _plain_decide(ctx, items), [it.name for it in items]


# -- the helpers --------------------------------------------------------------------------------

def test_org_occurrences_are_those_of_finditer():
    words = ["", "a", "aa", "aaa", "ab", "株式会社", "市", "(株)", ".*", "\\", "テスト", "x"]
    texts = ["", "a", "aaaaaaa", "abababa", "株式会社株式会社株式会社", "北山市北山市", "(株)(株)", ".*.*", "\\\\x"]
    texts += [p.read_text(encoding="utf-8")[:2000] for p in TEXTS[:4]]
    for text in texts:
        for word in words:
            assert org._occurrences(text, word) == [m.span() for m in re.finditer(re.escape(word), text)], \
                (text[:20], word)


def test_org_skip_legal_equals_the_plain_form():
    for norm in ["", "株式会社", " 株式会社X", "\u3000(株)X", "X 株式会社", "(株", "  \n株式会社", "株式会社株式会社"]:
        for pos in range(len(norm) + 2):
            assert org._skip_legal(norm, pos) == _plain_skip_legal(norm, pos), (norm, pos)


def test_org_fits_and_not_subject_equal_the_plain_forms():
    r = org.org_rules()
    kinds = rules.load("org")["self_kind"]
    words = [w for kind in kinds for w in kind["words"].split("|")] + ["", "当", "社"]
    names = EDGE_NAMES + [kind["example"] for kind in kinds] + rules.load("org")["not_subject"]["names"]
    rng = random.Random(3)
    sets = [set(), *({w} for w in words)] + [set(rng.sample(words, 3)) for _ in range(40)]
    for self_words in sets:
        for name in names:
            assert org._fits(name, self_words, r) == _plain_fits(name, self_words, r), (name, self_words)
    for name in names + [n + "X" for n in names] + ["同省の", "県警察", "ECのミカタ社"]:
        assert org._not_subject(r, name) == _plain_not_subject(r, name), name


def test_org_own_line_by_bisect_equals_the_plain_loop():
    r = org.org_rules()
    for text in _texts():
        ctx = _ctx(text)
        norm = ctx.norm.text
        lines = org._nonblank_lines(norm)
        edge = set(lines[: r.zones["lines"]] + lines[-r.zones["footer_lines"]:])
        ev = org._Evidence(ctx, set(), "", "", list(edge), r=r)
        spans = [(a, a + n) for a in range(0, len(norm), 3) for n in (1, 4, 12)]
        spans += [(s, e) for s, e in lines] + [(s + 1, e) for s, e in lines] + [(s, e + 1) for s, e in lines]
        for a, b in spans:
            assert ev.own_line(a, b) == _plain_own_line(r, norm, a, b, edge), (text[:30], a, b)


def test_org_core_and_valid_memos_equal_the_plain_forms():
    r = org.org_rules()
    names = EDGE_NAMES + [f"テスト{i}株式会社" for i in range(org._MEMO_MAX + 10)]
    for _ in range(2):  # met first, then from the memo (which is emptied when full)
        for name in names:
            assert org._core(r, name) == _plain_core(r, name), name
            assert org._is_valid(r, name) == _plain_valid(r, name), name
        assert len(r.cores) <= org._MEMO_MAX and len(r.valid) <= org._MEMO_MAX


def test_org_whole_body_memo_equals_the_plain_form():
    nr = org_names.name_rules()
    names = EDGE_NAMES + ["北山市教育委員会事務局", "中央区役所市民課", "中央区市民課", "北山市立みどり小学校"]
    for _ in range(2):
        for name in names:
            assert org_names.whole_body(name) == org_names._whole_body(nr, name), name


def test_org_pool_folds_as_before():
    keys = ["北海道大病院", "北海道大学病院", "NTT西", "NTT西日本", "教育委員会", "北山市教育委員会", "長崎県", "長崎県警察"]
    nr = org_names.name_rules()
    assert all(org_names._fold(nr, k) == org_names.fold(k) for k in keys)
    assert org_names.pool(keys, 4)["北海道大病院"] == "北海道大学病院"
    assert org_names.pool(keys, 4)["NTT西"] == "NTT西日本"
    assert org_names.pool(keys, 4)["長崎県"] == "長崎県"


def test_org_own_lines_read_once_give_the_items_of_the_plain_loop():
    """A short notice's first and last lines are the same lines; extract() reads each once."""
    r = org.org_rules()
    texts = _texts() + ["株式会社テスト\n", "株式会社テスト\n北山市\n株式会社テスト\n", "北山市\n" * 20, "x\n" * 30]
    for text in texts:
        ctx = _ctx(text)
        lines = org._nonblank_lines(ctx.text)
        got = org._pattern_items(ctx)
        org._add_own_lines(ctx, r, got, lines)
        plain = org._pattern_items(ctx)
        for s, e in lines[: r.zones["lines"]] + lines[-r.zones["footer_lines"]:]:
            m = r.own_line.match(ctx.norm.text[ctx.norm.to_norm(s):ctx.norm.to_norm(e)])
            if m and not any(it.start <= s and e <= it.end for it in plain) and _plain_valid(r, m.group()):
                plain.append(OrgItem(ctx.text[s:e], s, e, name=m.group(), label="own_line"))
        assert got == plain, text[:40]


def test_org_to_norm_clamp_equals_the_bisect():
    texts = ["", "a", "株式会社テスト", "ＡＢＣ株式会社（テスト）", "…と…", "ﾃﾞｰﾀ", "ｶﾞ①㈱テスト", "\u3000北山市\u3000"]
    texts += [p.read_text(encoding="utf-8")[:3000] for p in TEXTS[:6]]
    clamped = 0
    for text in texts:
        ctx = _ctx(text)
        fast = org._to_norm(ctx)
        clamped += fast is not ctx.norm.to_norm
        for pos in range(-3, len(text) + 4):
            assert fast(pos) == ctx.norm.to_norm(pos), (text[:20], pos)
    assert clamped  # the clamp ran on some


def test_org_gate_skips_only_texts_without_a_match():
    """A plain finder (no runs) first looks for a word every match holds: a text without one
    has no match, a text with one is searched as before."""
    plain = [(label, f) for label, f in org.org_rules().finders if f.runs is None]
    assert plain and all(f.gate is not None for _, f in plain)
    rng = random.Random(9)
    pieces = ["総務省", "総務", "省", "株式会社", "(株)", "テスト", "、", " ", "\n", "北海道", "総合通信局", "医療法人",
              "社団", "デジタル庁", "国交省", "x", "ー", "の"]
    texts = [_ctx(p.read_text(encoding="utf-8")).norm.text for p in TEXTS]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12))) for _ in range(3000)]
    for _, f in plain:
        for text in texts:
            a = rng.randrange(len(text) + 1)
            for start, end in ((0, len(text)), (a, rng.randrange(a, len(text) + 1))):
                assert [(m.span(), m.groups()) for m in f.finditer(text, start, end)] == \
                    [(m.span(), m.groups()) for m in f.pattern.finditer(text, start, end)], (text[:30], start, end)
    assert org._gate("(?:a|b)?") is None  # may match the empty string: no word is known


def test_org_not_inside_equals_the_plain_filter():
    """Mentions inside a longer candidate's mention, found by bisect for long lists: the plain
    filter's answer, for short and long lists, with equal, nested, touching and repeated spans."""
    rng = random.Random(21)
    for _ in range(400):
        n = rng.choice([1, 3, 10, 40, 120])
        spans = {(a, a + rng.randrange(0, 6)) for a in (rng.randrange(60) for _ in range(n))}
        longer = [(a, a + rng.randrange(0, 12)) for a in (rng.randrange(60) for _ in range(rng.choice([0, 2, 20, 90])))]
        longer += rng.sample(sorted(spans), min(2, len(spans)))  # the same span under another key
        plain = {(a, b) for a, b in spans if not any(x <= a and b <= y and y - x > b - a for x, y in longer)}
        assert org._not_inside(spans, longer) == plain


def _plain_zones(ctx, found):
    z = org.org_rules().zones
    budget = z["found_budget_chars"] if found else z["budget_chars"]
    lines = org._nonblank_lines(ctx.text)
    lead = [sp for sp in ctx.sentences if sp[1] - sp[0] >= 40][: z["lead_sentences"]]
    ordered = lines[:1] + lead[:1] + lines[1: z["lines"]] + lead[1:] + lines[-z["footer_lines"]:]
    out: list[tuple[int, int]] = []
    used = 0
    for s, e in ordered:
        e = min(e, s + z["max_chars"])
        if (s, e) in out or any(a <= s and e <= b for a, b in out):
            continue
        if used + (e - s) > budget and out:
            continue
        out.append((s, e))
        used += e - s
    return sorted(out)


def test_org_zones_equal_the_plain_form():
    for text in _texts() + ["x" * 500, ("長い一文です。" * 10 + "\n") * 30]:
        ctx = _ctx(text)
        for found in (False, True):
            assert org._zones(ctx, found) == _plain_zones(ctx, found), text[:30]
