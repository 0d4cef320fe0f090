"""Status of an incident: confirmed, possible (可能性, おそれ) or none (漏えいは確認されておりません)."""

from __future__ import annotations

import re
from functools import cache

from . import rules
from .context import DocContext
from .items import StatusItem

STATUSES = ("confirmed", "possible", "none")


@cache
def _compiled(_stamp: str) -> list[tuple[str, re.Pattern[str]]]:
    cfg = rules.load("status")
    return [(s, re.compile(cfg[s]["regex"])) for s in STATUSES]


def extract(ctx: DocContext) -> list[StatusItem]:
    items = []
    for status, pat in _compiled(rules.rules_hash_cached()):
        for m in pat.finditer(ctx.norm.text):
            s, e, text = ctx.span_of_norm(m.start(), m.end())
            items.append(StatusItem(text, s, e, status=status))
    return sorted(items, key=lambda i: i.start)


def decide(items: list[StatusItem]) -> str:
    """confirmed if stated, else possible if stated, else none if stated, else confirmed."""
    found = {it.status for it in items}
    for status in STATUSES:
        if status in found:
            return status
    return "confirmed"
