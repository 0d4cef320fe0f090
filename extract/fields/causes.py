"""Causes of an incident in the JNSA classes (SPEC section 4).

Cue words come from rules/causes.toml; rules/cause_context.toml says where a cue states the
cause and where it does not: a denial (不正アクセスによるものではありません), a law's name
(不正アクセス禁止法), a countermeasure (ウイルス対策ソフト), a hypothetical, a sentence or section
about prevention (再発防止策). Ambiguous cues (不具合, 見落とし) need a sentence that states a
cause (原因, により, ため) or a layout section of a kind that states one (原因, 経緯, 概要; the
section kinds come from extract/doc/layout.py, the ones that count from cause_context.toml).
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import CauseItem
from rouei.extract.fields.cue_index import CueIndex

log = logging.getLogger(__name__)

CLASSES = ("loss", "misoperation", "unauthorized_access", "mismanagement", "unauthorized_takeout",
           "theft", "insider_fraud", "misconfiguration", "bug_vulnerability", "malware", "misuse",
           "other")


@dataclass(frozen=True)
class Cue:
    """A cause cue of rules/causes.toml: its category, pattern and the conditions on its context."""
    category: str
    regex: re.Pattern[str]
    needs_cause: bool
    requires: re.Pattern[str] | None
    not_after: re.Pattern[str] | None
    yields_to: frozenset[str]
    # the cue is dropped when one of these classes is stated anywhere in the same incident
    # (インターネット上で閲覧可能な状態 after a ransomware attack is where the data ended up)
    yields_in_incident: frozenset[str] = frozenset()
    # characters a match must start with (None: not known); a sentence without any is skipped
    firsts: frozenset[str] | None = None


@dataclass(frozen=True)
class CauseRules:
    """rules/causes.toml and rules/cause_context.toml compiled."""
    cues: tuple[Cue, ...]
    suppress: dict[str, frozenset[str]]
    marker: re.Pattern[str]
    after: tuple[re.Pattern[str], ...]
    before: re.Pattern[str]
    sentence: re.Pattern[str]
    stated_sections: frozenset[str]  # layout section kinds under which a cue states a cause
    silent_sections: frozenset[str]  # layout section kinds in which no cause is taken
    # the cues a sentence can match, from their literal factors: most sentences name no cause
    index: CueIndex | None = None
    # the ``after`` patterns as one: it matches at a place where any of them does (None: they
    # cannot be joined, each is tried in turn)
    after_any: re.Pattern[str] | None = None


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
               frozenset(c.get("yields_to", ())), frozenset(c.get("yields_in_incident", ())),
               _plain_firsts(regex))


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
    secs = cx["sections"]
    after = tuple(rules.compile_pattern(e["pattern"]) for e in cx["after"])
    return CauseRules(
        cues=cues, suppress=suppress,
        marker=_union(cx["marker"]),
        after=after,
        before=rules.compile_pattern("|".join(f"(?:{e['pattern']})" for e in cx["before"])),
        sentence=_union(cx["sentence"]),
        stated_sections=frozenset(secs["stated"]), silent_sections=frozenset(secs["silent"]),
        index=CueIndex.of([c.regex for c in cues]), after_any=rules.union(list(after)))


def cause_rules() -> CauseRules:
    """The compiled rules as the files are now."""
    return _compiled(rules.rules_hash_cached())


# -- sections ------------------------------------------------------------------------------

def section_use(ctx: DocContext, pos: int, r: CauseRules | None = None) -> str | None:
    """How the layout section holding ``pos`` bears on causes: "stated" (a cause, timeline or
    overview section: ambiguous cues count), "silent" (countermeasures, contact, related
    articles: no cause is taken) or None. A heading line itself is "heading": it names a topic
    (2.紛失した資料), the sentences under it state the cause."""
    return _SectionUses(ctx, r or cause_rules()).at(pos)


class _SectionUses:
    """section_use for the places of one document, with what it reads of the layout (the
    heading lines, where chrome sections and post titles start) gathered once."""

    def __init__(self, ctx: DocContext, r: CauseRules) -> None:
        self.layout = lay = ctx.layout
        self.r = r
        self.heads = {h.line.index for h in lay.headings}
        self.chrome = sorted(sec.start for sec in lay.sections("chrome"))
        self.titles = sorted(t.start for t in lay.titles)

    def at(self, pos: int) -> str | None:
        lay = self.layout
        line = lay.line_at(pos)
        if line is not None and line.index in self.heads:
            return "heading"
        # a list of related articles runs to the next post title: its short lines read as
        # headings. Of the chrome sections that start at or before pos, the last one has the
        # fewest titles between it and pos: when a title lies there, it does for every one.
        i = bisect_right(self.chrome, pos)
        if i and bisect_right(self.titles, self.chrome[i - 1]) == bisect_right(self.titles, pos):
            return "silent"  # no title starts in (chrome start, pos]
        kind = lay.kind_at(pos)
        if kind in self.r.stated_sections:
            return "stated"
        if kind in self.r.silent_sections:
            return "silent"
        return None


# -- cues ------------------------------------------------------------------------------------

def _excluded(sent: str, m: re.Match[str], r: CauseRules) -> bool:
    """The cue at ``m`` is denied, names a law or a measure, or is hypothetical."""
    if r.after_any is not None:
        if r.after_any.match(sent, m.end()):
            return True
    elif any(p.match(sent, m.end()) for p in r.after):
        return True
    return bool(r.before.search(sent[:m.start()]))


def _before_advice(sent: str, r: CauseRules) -> str:
    """The sentence up to the clause that turns to prevention or advice. A sentence that opens
    with a stated cause may go on to the measures (リスト型攻撃により…不正使用されたとみられており、
    …対策の強化に努めてまいります): the clauses before keep their cause when they hold a cause
    marker. Otherwise the whole sentence is about prevention: ""."""
    m = r.sentence.search(sent)
    if m is None:
        return sent
    cut = sent.rfind("、", 0, m.start())
    head = sent[:cut] if cut > 0 else ""
    return head if head and r.marker.search(head) else ""


def sentence_causes(sent: str, r: CauseRules, stated: bool = False,
                    cues: Sequence[Cue] | None = None) -> list[tuple[int, int, str, frozenset[str]]]:
    """(start, end, category, yields_in_incident) of the causes a sentence states, offsets
    within ``sent``.

    ``stated``: the sentence sits under a cause heading, so ambiguous cues count.
    ``cues``: the cues that can match ``sent``, in rule order (default: the index's answer)."""
    if cues is None:
        cues = r.cues if r.index is None else [r.cues[i] for i in r.index.cues_in(sent)]
    return _stated_causes(sent, r, stated, cues, [c for c in cues if c.regex.search(sent)])


def _stated_causes(sent: str, r: CauseRules, stated: bool, cues: Sequence[Cue],
                   matched: list[Cue]) -> list[tuple[int, int, str, frozenset[str]]]:
    """sentence_causes, given the cues that match the whole sentence somewhere (``matched``;
    none: the sentence names no cause)."""
    if not matched:
        return []
    whole = sent
    sent = _before_advice(sent, r)
    if not sent:
        return []
    # on the uncut sentence only the cues that matched it can match; a cut sentence ends
    # elsewhere (a lookahead at its end sees other text), so every cue runs on it
    if len(sent) == len(whole):
        cues = matched
    stated = stated or bool(r.marker.search(sent))
    chars = set(sent)
    hits: list[tuple[int, int, Cue]] = []
    for cue in cues:
        if cue.firsts is not None and cue.firsts.isdisjoint(chars):
            continue
        if (cue.needs_cause and not stated) or (cue.requires and not cue.requires.search(sent)):
            continue
        hits.extend((m.start(), m.end(), cue) for m in cue.regex.finditer(sent)
                    if m.end() > m.start() and not _excluded(sent, m, r)
                    and not (cue.not_after and cue.not_after.match(sent, m.end())))
    found = {cue.category for _, _, cue in hits}
    hits = [h for h in hits if not h[2].yields_to & found]
    out: list[tuple[int, int, str, frozenset[str]]] = []
    for s, e, cue in sorted(hits, key=lambda h: (h[0], -h[1])):
        # a cue inside a longer cue of the same class is the same statement
        if any(c == cue.category and ps <= s and e <= pe for ps, pe, c, _ in out):
            continue
        out.append((s, e, cue.category, cue.yields_in_incident))
    return out


def norm_spans(ctx: DocContext) -> list[tuple[int, int]]:
    """The document's sentences as spans of the normalised copy (made once per document:
    causes, status and the notice test all ask)."""
    return ctx.norm_sentences


def find_causes(ctx: DocContext) -> list[tuple[int, int, str, frozenset[str]]]:
    """(start, end, category, yields_in_incident) in the normalised text, in text order."""
    r = cause_rules()
    norm = ctx.norm.text
    spans = norm_spans(ctx)
    # the cues each sentence can match, from one search of the text for their cue words
    per_sentence: list[list[int]] = (r.index.per_span(norm, spans) if r.index is not None
                                     else [list(range(len(r.cues)))] * len(spans))
    out: list[tuple[int, int, str, frozenset[str]]] = []
    uses: _SectionUses | None = None  # read from the layout when a cue first matches
    for (s, _), (ns, ne), which in zip(ctx.sentences, spans, per_sentence):
        if not which:
            continue  # no cue can match: nothing to find, whatever the section
        sent = norm[ns:ne]
        cues = [r.cues[i] for i in which]
        matched = [c for c in cues if c.regex.search(sent)]
        if not matched:
            continue  # the same
        uses = uses or _SectionUses(ctx, r)
        use = uses.at(s)
        if use in ("silent", "heading"):
            continue
        out.extend((ns + a, ns + b, c, y) for a, b, c, y in _stated_causes(sent, r, use == "stated", cues, matched))
    return sorted(out)


def extract(ctx: DocContext) -> list[CauseItem]:
    """Every stated cause in the document, in text order (incidents are the pipeline's)."""
    items = []
    for ns, ne, cat, yields in find_causes(ctx):
        s, e, text = ctx.span_of_norm(ns, ne)
        items.append(CauseItem(text, s, e, category=cat, yields=yields))
    return items


def resolve(items: list[CauseItem]) -> list[CauseItem]:
    """Drop the classes that another class stated for the same incident suppresses
    (insider_fraud suppresses unauthorized_takeout: JNSA counts a malicious takeout once), and
    the cues that yield to a class stated anywhere in the incident."""
    suppress = cause_rules().suppress
    present = {it.category for it in items}
    dropped: set[str] = set()
    for cat in present:
        dropped |= suppress.get(cat, frozenset())
    kept = [it for it in items if it.category not in dropped]
    return [it for it in kept if not it.yields & (present - {it.category})]
