"""Status of an incident: confirmed, possible (可能性, おそれ) or none (漏えいは確認されておりません).

``extract`` finds the evidence (rules/status.toml); the incident builder hands the evidence of
one incident to ``decide``. A denial of secondary damage (二次被害は確認されておりません) is not
evidence of "none": the none cues need the leak itself as what is denied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import StatusItem
from rouei.extract.fields.causes import expand_local, norm_spans
from rouei.extract.fields.cue_index import CueIndex

STATUSES = ("confirmed", "possible", "none")


@dataclass(frozen=True)
class StatusRules:
    """rules/status.toml compiled: the status cues, their order and the default."""
    cues: tuple[tuple[str, re.Pattern[str]], ...]
    after: tuple[tuple[frozenset[str], re.Pattern[str]], ...]
    order: tuple[str, ...]
    default: str
    any_cue: re.Pattern[str] | None = None  # one pass that rules out most sentences
    # the cues a sentence can match, from their literal factors: a document's sentences are
    # ruled out with one search of its text (None: every sentence is tried)
    index: CueIndex | None = None


@cache
def _compiled(_stamp: str) -> StatusRules:
    cfg = rules.load("status")
    defs = cfg.get("define", {})
    # definitions may use each other ({{status_adverb}} inside a longer one)
    defs = {k: expand_local(v, defs) for k, v in defs.items()}
    cues = tuple((c["status"], rules.compile_pattern(expand_local(c["pattern"], defs))) for c in cfg["cue"])
    after = tuple((frozenset(a.get("applies_to", STATUSES)), rules.compile_pattern(expand_local(a["pattern"], defs)))
                  for a in cfg.get("after", []))
    dec = cfg["decide"]
    return StatusRules(cues, after, tuple(dec["order"]), dec["default"],
                       rules.union([pat for _, pat in cues]), CueIndex.of([pat for _, pat in cues]))


def status_rules() -> StatusRules:
    return _compiled(rules.rules_hash_cached())


def find_status(sent: str, r: StatusRules | None = None) -> list[tuple[int, int, str]]:
    """(start, end, status) evidence within one normalised sentence."""
    r = r or status_rules()
    if r.any_cue is not None and not r.any_cue.search(sent):
        return []
    out = []
    for status, pat in r.cues:
        for m in pat.finditer(sent):
            if any(status in applies and p.match(sent, m.end()) for applies, p in r.after):
                continue
            out.append((m.start(), m.end(), status))
    return sorted(out)


def extract(ctx: DocContext) -> list[StatusItem]:
    """Every statement of a leak, a possible leak or no leak, in text order."""
    r = status_rules()
    text = ctx.norm.text
    spans = norm_spans(ctx)
    index = r.index
    items = []
    for ns, ne in spans:
        if index is not None and not index.any_in(text, ns, ne):
            continue  # no cue word in the sentence: no cue can match
        for a, b, status in find_status(text[ns:ne], r):
            start, end, found = ctx.span_of_norm(ns + a, ns + b)
            items.append(StatusItem(found, start, end, status=status))
    return items


def decide(items: list[StatusItem]) -> str:
    """The status of one incident from its evidence: the first status of the rules' order that
    is stated (confirmed, then possible, then none), else the default (confirmed)."""
    r = status_rules()
    found = {it.status for it in items}
    return next((s for s in r.order if s in found), r.default)
