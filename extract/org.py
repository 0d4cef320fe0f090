"""Organisations: the notice's own (the record's ``organization``) and each incident's.

Candidates come from legal-form patterns (株式会社X, X(株)) over the whole text and from
GiNZA's named entities in the first lines and in each incident's title. The notice's own
organisation is the candidate with the most weight: a legal form, a place in the title, the
target of "…に対し" (the body a regulator acts on), and how often it is mentioned. Regulators
and the site that publishes the text (after "|" in a title) are not candidates."""

from __future__ import annotations

import re
from functools import cache

from . import rules
from .context import DocContext
from .items import OrgItem

_LEGAL = re.compile(r"株式会社|有限会社|合同会社|\(株\)|一般社団法人|一般財団法人|公益社団法人|公益財団法人|"
                    r"独立行政法人|国立研究開発法人|社会福祉法人|医療法人|学校法人")


@cache
def _compiled(_stamp: str) -> dict:
    cfg = rules.load("org")
    return {
        "legal": [re.compile(cfg["legal_prefix"]["regex"]), re.compile(cfg["legal_suffix"]["regex"])],
        "target": re.compile(cfg["target"]["regex"]),
        "labels": frozenset(cfg["ner"]["labels"]),
        "lines": cfg["ner"]["lines"],
        "lead": cfg["ner"]["lead_sentences"],
        "alias": re.compile(cfg["alias"]["regex"]),
        "place": re.compile(cfg["place"]["regex"]),
        "not_subject": tuple(cfg["not_subject"]["names"]),
    }


def _cfg() -> dict:
    return _compiled(rules.rules_hash_cached())


def core(name: str) -> str:
    """A name without legal form or white space: the key candidates are compared by."""
    return re.sub(r"\s+", "", _LEGAL.sub("", name)).strip("・-")


def _lines(text: str, start: int = 0, limit: int | None = None) -> list[tuple[int, int]]:
    out = []
    pos = start
    for ln in text[start:].splitlines(keepends=True):
        body = ln.rstrip("\r\n")
        if body.strip():
            lead = len(body) - len(body.lstrip())
            out.append((pos + lead, pos + len(body.rstrip())))
            if limit and len(out) >= limit:
                break
        pos += len(ln)
    return out


def _ner(ctx: DocContext, spans: list[tuple[int, int]]) -> list[OrgItem]:
    spans = [(s, min(e, s + 160)) for s, e in spans]
    ctx.prefetch(spans)
    out = []
    for s, e in spans:
        doc = ctx.parse(s, e)
        if doc is None:
            continue
        for ent in doc.ents:
            if ent.label_ in _cfg()["labels"] and len(ent.text) >= 2:
                a, b = s + ent.start_char, s + ent.end_char
                out.append(OrgItem(ctx.text[a:b], a, b, name=ent.text, label=ent.label_))
        ns, ne = ctx.norm.to_norm(s), ctx.norm.to_norm(e)
        for m in _cfg()["place"].finditer(ctx.norm.text, ns, ne):
            a, b, text = ctx.span_of_norm(m.start(), m.end())
            out.append(OrgItem(text, a, b, name=m.group(), label="place"))
    return out


def extract(ctx: DocContext) -> list[OrgItem]:
    items = []
    for pat in _cfg()["legal"]:
        for m in pat.finditer(ctx.norm.text):
            s, e, text = ctx.span_of_norm(m.start(), m.end())
            name = ctx.norm.text[m.start():m.end()].strip()
            if core(name):
                items.append(OrgItem(text, s, e, name=name, label="legal"))
    lead = [sp for sp in ctx.sentences if sp[1] - sp[0] >= 40][: _cfg()["lead"]]
    items.extend(_ner(ctx, sorted(set(_lines(ctx.text, limit=_cfg()["lines"]) + lead))))
    return sorted(items, key=lambda i: (i.start, i.end))


def _excluded(ctx: DocContext, name: str) -> bool:
    c = core(name)
    if not c or any(ns in c for ns in _cfg()["not_subject"]):
        return True
    title = ctx.title or ""
    if "|" in title and c in title.split("|", 1)[1]:
        return True  # the site that publishes the page
    return False


def document_org(ctx: DocContext, items: list[OrgItem]) -> str | None:
    """The organisation the notice is about (None when no candidate survives)."""
    cands = [it for it in items if not _excluded(ctx, it.name)]
    if not cands:
        return None
    norm = ctx.norm.text
    title_core = re.sub(r"\s+", "", (ctx.title or "").split("|", 1)[0])
    keys = sorted({core(it.name) for it in cands}, key=len)
    # an abbreviation (NTT西) pools into the longer name it starts (NTT西日本)
    canon = {k: next((long for long in reversed(keys) if long.startswith(k)), k) for k in keys}
    # NAME(ALIAS): the alias pools into the name
    for it in cands:
        if it.label == "legal":
            m = _cfg()["alias"].match(norm[ctx.norm.to_norm(it.end):])
            if m and m.group(1) in canon:
                canon[m.group(1)] = canon[core(it.name)]
    score: dict[str, float] = {}
    display: dict[str, str] = {}
    target = _cfg()["target"]
    for it in cands:
        k = canon[core(it.name)]
        score.setdefault(k, 0.0)
        if len(it.name) > len(display.get(k, "")) and core(it.name) == k:
            display[k] = it.name
    for k in score:
        mentions = [m.end() for short, long in canon.items() if long == k
                    for m in re.finditer(re.escape(short), norm)]
        score[k] += len(set(mentions))
        if any(_LEGAL.search(it.name) for it in cands if canon[core(it.name)] == k):
            score[k] += 2
        if k in title_core:
            score[k] += 2
        if any(target.match(norm[end:end + 60]) or target.match(_skip_legal(norm, end)) for end in mentions):
            score[k] += 3
    best = max(score, key=lambda k: (score[k], len(k)))
    return display.get(best) or best


def _skip_legal(norm: str, end: int) -> str:
    m = re.match(r"\s*(?:株式会社|\(株\))", norm[end:])
    return norm[end + m.end():end + m.end() + 60] if m else ""


def incident_org(ctx: DocContext, items: list[OrgItem], start: int, end: int) -> str | None:
    """The organisation named first on an incident's first line (an archive post's title)."""
    lines = _lines(ctx.text, start, limit=1)
    if not lines or lines[0][0] >= end:
        return None
    ls, le = lines[0]
    found = [it for it in items if ls <= it.start < le]
    found += [it for it in _ner(ctx, [(ls, le)])]
    found = [it for it in found if not _excluded(ctx, it.name)]
    if not found:
        return None
    first = min(found, key=lambda it: (it.start, it.label != "legal", -len(it.name)))
    return first.name
