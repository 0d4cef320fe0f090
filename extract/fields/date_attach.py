"""The predicate a date attaches to, read from GiNZA's dependency parse.

Cue windows read a date bound by a particle ("…に") with the first cue after it, which goes
wrong when a relative clause stands between them: in 「2021年3月に受付をした申請書を誤廃棄
したことが判明」 the date belongs to 受付をした, a clause that only says which records (the
date is "other"), not to 判明. Only such sentences are parsed (date_roles decides which): the
parse gives the date's head; a head inside a relative clause (acl) with no cue of its own
makes the date "other", and a head whose phrase holds a cue gives that cue's role.
"""

from __future__ import annotations

from collections.abc import Callable

from rouei.extract.doc.context import DocContext
from rouei.extract.doc.parsed import ParsedDoc, Token, bunsetu_end

# (norm start, norm end) → [(position, role)] of the live cues there (date_roles.cues_in)
CueFn = Callable[[int, int], list[tuple[int, str]]]


def attached_role(ctx: DocContext, start: int, end: int, cues: CueFn) -> str | None:
    """The role of the predicate the date at analysed ``start:end`` attaches to; "other" for
    a date that dates a noun through a relative clause without a cue; None when the parse
    is missing or says nothing the cue rules do not."""
    ss, se = ctx.sentence_at(start)
    if not ss <= start < end <= se:
        return None
    doc = ctx.parse(ss, se)
    if doc is None:
        return None
    span = doc.char_span(start - ss, end - ss)
    if span is None or not len(span):
        return None
    date = span.root
    head = date.head
    while head.i != date.i and span.start <= head.i < span.end:
        head = head.head
    if head.i == date.i:
        return None
    a, b = _phrase(doc, head)
    ns = ctx.norm.to_norm(ss + doc.idx[a])
    ne = ctx.norm.to_norm(ss + (doc.idx[b] if b < len(doc) else len(doc.text)))
    found = cues(ns, ne)
    if found:
        return found[-1][1]
    return "other" if head.dep_ == "acl" else None


def _phrase(doc: ParsedDoc, head: Token) -> tuple[int, int]:
    """Token range of the head's bunsetu and of the object bunsetu right before it
    (受付を|した, 説明を|行う): the predicate with the noun that carries its meaning."""
    bi = doc.bunsetu
    a = head.i
    while a > 0 and bi[a] != "B":
        a -= 1
    b = bunsetu_end(head)
    for child in head.children:
        if child.dep_ in ("obj", "compound") and child.i < a:
            c = child.i
            while c > 0 and bi[c] != "B":
                c -= 1
            a = min(a, c)
    return a, b
