"""Organisation names as a notice's author: whole bodies, not their parts (extract/fields/org.py).

A candidate name can be a department (総務局, 中央区市民課), a name cut short before the thing
it qualifies (中之条町立 of 中之条町立の学校), an abbreviation of another candidate (北海道大病院
for 北海道大学病院), or a municipal facility that speaks for its municipality. The words are
rules/org.toml [department], [truncated], [[abbreviation]] and [facility].
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from rouei.extract.core import compiled, rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import OrgItem


@dataclass(frozen=True)
class NameRules:
    """The patterns that judge an organisation name: departments, cut names, whole bodies."""
    department: re.Pattern[str]
    not_department: re.Pattern[str]
    truncated: re.Pattern[str]
    bodies: tuple[re.Pattern[str], ...]  # place, body, government: a whole name (fullmatch)
    abbreviations: tuple[tuple[str, str], ...]  # (short, long)
    facility: re.Pattern[str]
    # whole_body of the names met so far with these rules: a document asks about its
    # candidates each time it gathers them
    wholes: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)


_MEMO_MAX = 4096  # names kept in ``wholes``: a long stream of notices keeps meeting new ones


@cache
def _compiled(_stamp: str) -> NameRules:
    cfg = rules.load("org")
    dep = cfg["department"]
    return NameRules(
        department=rules.compile_pattern(dep["regex"]),
        not_department=rules.compile_pattern(dep["not"]),
        truncated=rules.compile_pattern(cfg["truncated"]["regex"]),
        bodies=tuple(rules.compile_pattern(cfg[k]["regex"]) for k in ("place", "body", "government")),
        abbreviations=tuple((a["short"], a["long"]) for a in cfg["abbreviation"]),
        facility=rules.compile_pattern(cfg["facility"]["regex"]))


def name_rules() -> NameRules:
    return _compiled(rules.rules_hash_cached())


def whole_body(name: str) -> str | None:
    """The name of the body a candidate stands for: the name itself, its body when it names a
    department (中央区市民課 → 中央区) or is cut short (中之条町立 → 中之条町), or None for a
    department of no named body (総務局人材育成部)."""
    r = name_rules()
    if name in r.wholes:
        return r.wholes[name]
    if len(r.wholes) >= _MEMO_MAX:
        r.wholes.clear()
    body = r.wholes[name] = _whole_body(r, name)
    return body


def _whole_body(r: NameRules, name: str) -> str | None:
    m = r.truncated.search(name)
    if m:
        name = name[:m.start()] + m.group("keep")
    if not r.department.search(name) or r.not_department.search(name):
        return name
    heads = [name[:end] for end in range(2, len(name))]
    # the longest named body it starts with (北山市教育委員会 of …事務局), else the shortest
    # place (中央区 of 中央区役所市民課, not 中央区市 of 中央区市民課)
    for head in reversed(heads):
        if any(p.fullmatch(head) for p in r.bodies[1:]) and not r.department.search(head):
            return head
    return next((head for head in heads if r.bodies[0].fullmatch(head)), None)


def fold(key: str) -> str:
    """A key with its abbreviations written out (北海道大病院 → 北海道大学病院), so that two
    spellings of one name pool together."""
    return _fold(name_rules(), key)


def _fold(r: NameRules, key: str) -> str:
    for short, long in r.abbreviations:
        if short in key and long not in key:
            key = key.replace(short, long)
    return key


def facility_parent(name: str) -> str | None:
    """The municipality that runs a facility named X市立Y (四條畷市立子育て総合支援センター →
    四條畷市), or None."""
    m = name_rules().facility.match(name)
    return m.group("parent") if m else None


def whole_item(ctx: DocContext, it: OrgItem, valid: Callable[[str], bool]) -> OrgItem | None:
    """The item cut back to the body it names (中央区市民課 → 中央区), or None for a department
    of no named body (総務局) or a name that ``valid`` refuses."""
    name = whole_body(it.name)
    if name == it.name:
        return it
    if name is None or not valid(name):
        return None
    ns = ctx.norm.to_norm(it.start)
    at = ctx.norm.text.find(name, ns, ctx.norm.to_norm(it.end) + 1)
    if at < 0:
        return OrgItem(it.text, it.start, it.end, name=name, label=it.label)
    s, e, text = ctx.span_of_norm(at, at + len(name))
    return OrgItem(text, s, e, name=name, label=it.label)


def pool(keys: list[str], extra: int) -> dict[str, str]:
    """Pool a short form into the one slightly longer name it starts or ends (NTT西 → NTT西日本,
    教育委員会 → 北山市教育委員会), and an abbreviation into its long spelling (北海道大病院 →
    北海道大学病院). A municipality stays itself (長崎県 is not 長崎県警察)."""
    canon = {}
    r = name_rules()
    folded = {k: _fold(r, k) for k in keys}
    for k in keys:
        same = {o for o in keys if o != k and folded[o] == folded[k] and len(o) > len(k)}
        if same:
            canon[k] = max(sorted(same), key=len)
            continue
        if _PLACE_KEY.search(k):
            canon[k] = k
            continue
        longer = {o for o in keys if o != k and (o.startswith(k) or o.endswith(k)) and len(o) - len(k) <= extra}
        canon[k] = next(iter(longer)) if len(longer) == 1 else k
    return canon


_PLACE_KEY = compiled.regex(r"(?:市|区|町|村|県|都|府|北海道)$")
