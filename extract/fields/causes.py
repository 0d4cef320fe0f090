"""Causes of an incident in the JNSA classes (SPEC section 4).

Cue words come from rules/causes.toml; rules/cause_context.toml says where a cue states the
cause and where it does not: a denial (不正アクセスによるものではありません), a law's name
(不正アクセス禁止法), a countermeasure (ウイルス対策ソフト), a hypothetical, a sentence or section
about prevention (再発防止策). Ambiguous cues (不具合, 見落とし) need a sentence that states a
cause (原因, により, ため) or a section under a cause heading (原因, 経緯).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import CauseItem

log = logging.getLogger(__name__)

CLASSES = ("loss", "misoperation", "unauthorized_access", "mismanagement", "unauthorized_takeout",
           "theft", "insider_fraud", "misconfiguration", "bug_vulnerability", "malware", "misuse",
           "other")


@dataclass(frozen=True)
class Cue:
    category: str
    regex: re.Pattern[str]
    needs_cause: bool
    requires: re.Pattern[str] | None
    not_after: re.Pattern[str] | None
    yields_to: frozenset[str]
    # characters a match must start with (None: not known); a sentence without any is skipped
    firsts: frozenset[str] | None = None


@dataclass(frozen=True)
class CauseRules:
    cues: tuple[Cue, ...]
    suppress: dict[str, frozenset[str]]
    marker: re.Pattern[str]
    after: tuple[re.Pattern[str], ...]
    before: re.Pattern[str]
    sentence: re.Pattern[str]
    headings: tuple[tuple[str, re.Pattern[str]], ...]
    heading_marks: tuple[tuple[re.Pattern[str], int], ...]
    max_chars: int
    bare_chars: int
    section_chars: int
    silent: frozenset[str]
    any_cue: re.Pattern[str] | None = None  # every cue at once: most sentences name no cause


def expand_local(pattern: str, defs: dict[str, str]) -> str:
    """Replace ``{{name}}`` with a definition of the rule file's own [define] table."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: f"(?:{defs[m.group(1)]})" if m.group(1) in defs
                  else m.group(0), pattern)


def _plain_firsts(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The pattern's possible first characters when they are all plain characters."""
    firsts = rules.first_chars(regex.pattern)
    return firsts if firsts is not None and all(len(ch) == 1 for ch in firsts) else None


def _cue(c: dict, defs: dict[str, str]) -> Cue:
    regex = rules.compile_pattern(expand_local(c["pattern"], defs))
    return Cue(c["class"], regex, c.get("needs") == "cause",
               rules.compile_pattern(expand_local(c["requires"], defs)) if c.get("requires") else None,
               rules.compile_pattern(c["not_after"]) if c.get("not_after") else None,
               frozenset(c.get("yields_to", ())), _plain_firsts(regex))


def _union(entries: list[dict]) -> re.Pattern[str]:
    return rules.compile_pattern("|".join(f"(?:{e['pattern']})" for e in entries))


@cache
def _compiled(_stamp: str) -> CauseRules:
    lex = rules.load("causes")
    cx = rules.load("cause_context")
    defs = lex.get("define", {})
    unknown = {c["class"] for c in lex["cue"]} - set(CLASSES)
    if unknown:
        log.warning("rules/causes.toml: unknown classes %s", sorted(unknown))
    cues = tuple(_cue(c, defs) for c in lex["cue"])
    suppress = {k: frozenset(v.get("suppresses", ())) for k, v in lex.get("class", {}).items()}
    shape = cx["heading_shape"]
    any_cue = rules.union([c.regex for c in cues])
    return CauseRules(
        cues=cues, suppress=suppress,
        marker=_union(cx["marker"]),
        after=tuple(rules.compile_pattern(e["pattern"]) for e in cx["after"]),
        before=rules.compile_pattern("|".join(f"(?:{e['pattern']})" for e in cx["before"])),
        sentence=_union(cx["sentence"]),
        headings=tuple((h["kind"], rules.compile_pattern(h["pattern"])) for h in cx["heading"]),
        heading_marks=tuple((rules.compile_pattern(m["pattern"]), m["level"]) for m in cx["heading_mark"]),
        max_chars=shape["max_chars"], bare_chars=shape["bare_chars"],
        section_chars=shape["section_chars"], silent=frozenset(shape["silent"]), any_cue=any_cue)


def cause_rules() -> CauseRules:
    """The compiled rules as the files are now."""
    return _compiled(rules.rules_hash_cached())


# -- sections --------------------------------------------------------------------------------

def _heading_level(line: str, r: CauseRules) -> tuple[int, bool] | None:
    """(rank, bare) of a heading-shaped line: rank 0 is highest (【…】, ■, a bare short line),
    then 1., (1), ①, ・; bare is True for a short line without a mark. None: not a heading."""
    if "。" in line.rstrip("。"):
        return None
    if len(line) <= r.max_chars:
        for pat, level in r.heading_marks:
            if pat.match(line):
                return level, False
    if line.startswith("【"):
        return 0, False
    if len(line) <= r.bare_chars and not line.endswith("。"):
        return 0, True
    return None


def sections(norm: str, r: CauseRules | None = None) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the parts of the normalised text under a kind of heading.

    A section opens at a heading-shaped line whose words name its kind (2. 原因, 【再発防止策】)
    and ends at the next heading that names a kind or ranks as high (3. お問い合わせ after
    2. 再発防止策, but not (1) under it); never longer than ``section_chars``. A bare short line
    only counts when it names a kind: in a list of article titles or items most lines are short."""
    r = r or cause_rules()
    out: list[tuple[int, int, str]] = []
    open_: tuple[int, str, int] | None = None  # (start, kind, level)
    pos = 0
    for raw in norm.splitlines(keepends=True):
        line = raw.strip()
        start, pos = pos, pos + len(raw)
        shape = _heading_level(line, r) if line else None
        if shape is None:
            continue
        level, bare = shape
        kind = next((k for k, pat in r.headings if pat.search(line)), None)
        if bare and not kind:
            continue
        if open_ and (kind or level <= open_[2]):
            out.append((open_[0], min(start, open_[0] + r.section_chars), open_[1]))
            open_ = None
        if kind:
            open_ = (start, kind, level)
    if open_:
        out.append((open_[0], min(len(norm), open_[0] + r.section_chars), open_[1]))
    return out


def _section_kind(secs: list[tuple[int, int, str]], pos: int) -> str | None:
    for s, e, kind in secs:
        if s <= pos < e:
            return kind
    return None


# -- cues ------------------------------------------------------------------------------------

def _excluded(sent: str, m: re.Match[str], r: CauseRules) -> bool:
    """The cue at ``m`` is denied, names a law or a measure, or is hypothetical."""
    if any(p.match(sent, m.end()) for p in r.after):
        return True
    return bool(r.before.search(sent[:m.start()]))


def sentence_causes(sent: str, r: CauseRules, stated: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, category) of the causes a sentence states, offsets within ``sent``.

    ``stated``: the sentence sits under a cause heading, so ambiguous cues count."""
    if (r.any_cue is not None and not r.any_cue.search(sent)) or r.sentence.search(sent):
        return []
    stated = stated or bool(r.marker.search(sent))
    chars = set(sent)
    hits: list[tuple[int, int, Cue]] = []
    for cue in r.cues:
        if cue.firsts is not None and cue.firsts.isdisjoint(chars):
            continue
        if (cue.needs_cause and not stated) or (cue.requires and not cue.requires.search(sent)):
            continue
        hits.extend((m.start(), m.end(), cue) for m in cue.regex.finditer(sent)
                    if m.end() > m.start() and not _excluded(sent, m, r)
                    and not (cue.not_after and cue.not_after.match(sent, m.end())))
    found = {cue.category for _, _, cue in hits}
    hits = [h for h in hits if not h[2].yields_to & found]
    out: list[tuple[int, int, str]] = []
    for s, e, cue in sorted(hits, key=lambda h: (h[0], -h[1])):
        # a cue inside a longer cue of the same class is the same statement
        if any(c == cue.category and ps <= s and e <= pe for ps, pe, c in out):
            continue
        out.append((s, e, cue.category))
    return out


def find_causes(norm: str, sents: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, category) in the normalised text for the given sentence spans, in order."""
    r = cause_rules()
    secs = sections(norm, r)
    out = []
    for ss, se in sents:
        kind = _section_kind(secs, ss)
        if kind in r.silent:
            continue
        out.extend((ss + s, ss + e, c) for s, e, c in sentence_causes(norm[ss:se], r, kind == "cause"))
    return sorted(out)


def extract(ctx: DocContext) -> list[CauseItem]:
    """Every stated cause in the document, in text order (incidents are the pipeline's)."""
    nsents = [(ctx.norm.to_norm(s), ctx.norm.to_norm(e)) for s, e in ctx.sentences]
    items = []
    for ns, ne, cat in find_causes(ctx.norm.text, nsents):
        s, e, text = ctx.span_of_norm(ns, ne)
        items.append(CauseItem(text, s, e, category=cat))
    return items


def resolve(items: list[CauseItem]) -> list[CauseItem]:
    """Drop the classes that another class stated for the same incident suppresses
    (insider_fraud suppresses unauthorized_takeout: JNSA counts a malicious takeout once)."""
    suppress = cause_rules().suppress
    present = {it.category for it in items}
    dropped: set[str] = set()
    for cat in present:
        dropped |= suppress.get(cat, frozenset())
    return [it for it in items if it.category not in dropped]
