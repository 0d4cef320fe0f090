"""Roles of dates: what happened on a date, read from cue words in the date's clause.

The cue lists are data (rules/date_roles.toml). The clause is found without a parse, from
the way Japanese attaches a date to its predicate:
- "2024年1月、…を確認し、…遮断しました": a date set off by a comma opens the sentence and
  goes with its final predicate, so the LAST cue of the sentence counts;
- "…が2024年1月24日に判明した", "…に発生した": a date bound by a particle goes with the
  next predicate, so the FIRST cue up to the end of the clause counts;
- "2023年1月の発覚", "12月27日付の依頼": a date before の qualifies the next noun only;
- "(2024/2/14更新)": a date in brackets takes a cue from inside the brackets only.
The notice's layout (extract/doc/layout.py) comes first: a label gives the role of its value
(発覚日:…), a timeline entry the role of its event, a header or sign-off date is when the
notice was announced. Then ranges and lone bounds (以降, までに); a date with no cue inside a
概要 (summary) section is when the incident occurred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rouei.extract.core import rules
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import Mention

# The end of a clause inside a sentence: a comma after a verb's continuative form
# (実施し、 / 受けたため、 / 行ったところ、), but not after the compound particles
# に対し、 に関し、 を通じ、 について、 において、 により、 として、.
_CLAUSE_END = re.compile(
    r"(?<!に対)(?<!に関)(?<!に際)(?<!を通)(?<!につ)(?<!にお)(?<!とし)(?<!によ)(?<!にて)"
    r"(?<!に伴)(?<!に従)(?:[しりきけえめてでいずく]|ため|ところ|おり|あり|なり)[、,]"
)
_SENT_END = re.compile(r"[。!?]|\n")
_NONSPACE = re.compile(r"\S")
_NP_END = re.compile(r"[をがはにで、。\n]")  # the end of the noun phrase a date+の qualifies
_LABEL_END = re.compile(r"(?:日|日時|時期)[:\s]*$")  # 発生日 / 発覚日時: / 発生時期
_LABEL_SPLIT = re.compile(r"[\s、。,]")
# a date that opens its sentence: "2024年1月、" / "2024年1月10日には、" / "5月8日 教員が…"
_OPENS = re.compile(r"(?:[ \t]+\S|(?:に|で|には|にも|時点で|中に|までに)?[、,])")
_OPENS_SOON = re.compile(r"[^、。\n]{0,12}[、,]")
_OPEN = "([【「『〔"
_CLOSE = ")]】」』〕"
_NUMBERING = re.compile(r"^[\s■●◆◇□・※-]*(?:\d{1,2}[.)\s]|\(\d{1,2}\)|[①-⑳])?[\s.]*$")
ROLES = ("occurred", "discovered", "announced", "reported", "notified")


@dataclass(frozen=True)
class _Cue:
    role: str
    regex: re.Pattern[str]
    needs: str | None


@dataclass(frozen=True)
class _RoleRules:
    cues: tuple[_Cue, ...]
    non_cue: tuple[re.Pattern[str], ...]
    labels: tuple[tuple[str, re.Pattern[str]], ...]
    negation: re.Pattern[str]
    authority: re.Pattern[str]
    audience: re.Pattern[str]
    section_roles: dict[str, str]  # section kind → the role of a date with no cue in it
    remedy: frozenset[str]  # section kinds where a bound starts or ends a step, not a period
    time_word: re.Pattern[str]
    weekday: re.Pattern[str]
    notice_title: re.Pattern[str]
    bound_start: re.Pattern[str]
    bound_end: re.Pattern[str]
    deadline: re.Pattern[str]
    header_min: int
    posting: re.Pattern[str]
    short_event: int
    as_of: re.Pattern[str]
    skip_after: re.Pattern[str]


def _at(regex: str) -> re.Pattern[str]:
    """A rule anchored with ^ compiled for ``pattern.match(text, pos)``."""
    return rules.compile_pattern(regex.removeprefix("^"))


@cache
def _rr() -> _RoleRules:
    """The role rules, compiled once per process."""
    r = rules.load("date_roles")
    p = rules.load("date_patterns")
    cp = rules.compile_pattern
    return _RoleRules(
        cues=tuple(_Cue(c["role"], cp(c["regex"]), c.get("needs")) for c in r["cue"]),
        non_cue=tuple(cp(c["regex"]) for c in r.get("non_cue", [])),
        labels=tuple((lab["role"], cp(lab["regex"])) for lab in r["label"]),
        negation=_at(r["negation"]["regex"]),
        authority=cp(r["authority"]["regex"]),
        audience=cp(r["audience"]["regex"]),
        section_roles=dict(r["section"]["roles"]),
        remedy=frozenset(r["remedy_section"]["kinds"]),
        time_word=cp(r["time_word"]["regex"]),
        weekday=_at(p["weekday"]["regex"]),
        notice_title=cp(r["notice_title"]["regex"]),
        bound_start=_at(r["bound"]["start"]),
        bound_end=_at(r["bound"]["end"]),
        deadline=cp(r["bound"]["deadline"]),
        header_min=int(r["header"]["min_prefix"]),
        posting=cp(rules.load("layout")["header"]["posting"]),
        short_event=int(r["timeline"]["short_event"]),
        as_of=cp("時点|現在"),
        # after a date and before its clause: weekday, clock time, 頃, 時点, 付(け)
        skip_after=cp(
            "(?:" + p["weekday"]["regex"].lstrip("^") + "|" + p["clock"]["regex"].lstrip("^")
            + r"|[ \t]*(?:頃|ごろ|時点|現在|付け?|の間|の期間))*"
        ),
    )


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, len(text) if e < 0 else e


def _sentence_end(text: str, pos: int) -> int:
    m = _SENT_END.search(text, pos)
    return m.end() if m else len(text)


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(c, 0, pos) for c in "。!?\n") + 1


def cues_in(norm: str, start: int, end: int, sent: tuple[int, int]) -> list[tuple[int, str]]:
    """(position, role) of every live cue in norm[start:end], in order; conditions
    (an authority, the affected people) are checked on the whole sentence ``sent``."""
    rr = _rr()
    scope = norm[start:end]
    sentence = norm[sent[0]:sent[1]]
    masked = [False] * len(scope)
    for pat in rr.non_cue:
        for m in pat.finditer(scope):
            for i in range(m.start(), m.end()):
                masked[i] = True
    found: dict[int, tuple[int, str]] = {}
    for cue in rr.cues:
        if cue.needs == "authority" and not rr.authority.search(sentence):
            continue
        if cue.needs == "audience" and not rr.audience.search(sentence):
            continue
        for m in cue.regex.finditer(scope):
            if masked[m.start()] or rr.negation.match(scope, m.end()):
                continue
            length = m.end() - m.start()
            old = found.get(m.start())
            if old is None or length > old[0]:
                found[m.start()] = (length, cue.role)
    return [(start + p, role) for p, (_, role) in sorted(found.items())]


def _enclosing_bracket(norm: str, ns: int, ne: int) -> tuple[int, int] | None:
    """The bracket pair around a date on its line, as (inside start, inside end)."""
    ls, le = _line_bounds(norm, ns)
    depth = 0
    for i in range(ns - 1, max(ls - 1, ns - 60), -1):
        ch = norm[i]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
            if depth == 0:
                close = _find_close(norm, ne, min(len(norm), ne + 80))
                return (i + 1, close) if close is not None else None
            depth -= 1
    return None


def _find_close(norm: str, start: int, limit: int) -> int | None:
    depth = 0
    for i in range(start, limit):
        ch = norm[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return i
            depth -= 1
    return None


def _section_default(ctx: DocContext, pos: int) -> str:
    """The role a date without a cue takes from its section's kind (概要 → occurred)."""
    kind = ctx.layout.kind_at(ctx.norm.span(pos, pos)[0])
    return _rr().section_roles.get(kind or "", "other")


def _in_remedy(ctx: DocContext, pos: int) -> bool:
    return (ctx.layout.kind_at(ctx.norm.span(pos, pos)[0]) or "") in _rr().remedy


_VALUE_LEAD = " \t([【「『〔・"


def _layout_role(ctx: DocContext, mn: Mention) -> str | None:
    """The role the notice's layout gives a date: a label's (発覚日:…, 1 判明日時 ⏎ …), the
    event's of a timeline entry, announced for the header's posting date and the sign-off's."""
    lay = ctx.layout
    s, e, _ = ctx.span_of_norm(mn.ns, mn.ne)
    lab = lay.label_at(s)
    if lab is not None and lab.kind in ROLES and not ctx.text[lab.value_start:s].strip(_VALUE_LEAD):
        return lab.kind
    line = lay.line_at(s)
    if line is not None and (lay.in_signoff(s) or lay.in_header(s)) and _stamp(ctx, line, mn):
        return "announced"
    entry = lay.entry_at(s)
    if entry is not None:
        return _event_role(ctx, entry)
    return None


def _stamp(ctx: DocContext, line, mn: Mention) -> bool:
    """Whether a header or sign-off date is the notice's own: alone on its line, closing it
    (a title's trailing date, "(2024年5月15日)"), or after a posting word (記者資料提供, 更新日)."""
    rr = _rr()
    norm = ctx.norm.text
    ls, le = line.ns, line.ns + len(line.text)
    after = rr.skip_after.match(norm, mn.ne).end()
    prefix = norm[ls:mn.ns]
    if rr.posting.search(prefix) and "。" not in prefix:
        return True
    if norm[after:le].strip(" \t)]】") or rr.as_of.search(norm[mn.ne:after]):
        return False  # …約1,200件 5月10日時点 dates a figure
    # alone, or after a title and a space or bracket (not a run-together cell: 発生日2024年…)
    return not prefix or prefix[-1] in " \t(【["


def _event_role(ctx: DocContext, entry) -> str:
    """A timeline entry takes the role of its event: 委託先から報告 → discovered, 警察に相談 →
    reported, 調査を開始 → other. A short event (事案発生、管理職へ報告) is read from its first
    cue; a sentence from its main predicate, its last cue."""
    norm = ctx.norm.text
    ns, ne = ctx.norm.to_norm(entry.event_start), ctx.norm.to_norm(entry.event_end)
    end = min(ne, _sentence_end(norm, ns))
    cues = cues_in(norm, ns, end, (ns, end))
    if not cues:
        return _section_default(ctx, ns)
    sentence_like = norm[end - 1:end] == "。" or end - ns > _rr().short_event
    return cues[-1][1] if sentence_like else cues[0][1]


def _role(ctx: DocContext, ms: list[Mention], i: int) -> str:
    rr = _rr()
    norm = ctx.norm.text
    mn = ms[i]
    if mn.period:
        return mn.period
    role = _layout_role(ctx, mn)
    if role:
        return role
    ls, le = _line_bounds(norm, mn.ns)
    prefix = norm[ls:mn.ns]
    label = prefix.strip()
    # a label right before the date: 発覚日:2020年3月10日 / 発生日時 2024年5月1日 (NFKC: ： is :)
    # / 発生日2024年5月1日 (table cells that HTML-to-text ran together)
    for role, pat in rr.labels:
        if pat.search(label[-8:]) and _LABEL_END.search(label):
            return role
    if label.endswith(":") or (0 < len(label) <= 12 and prefix.endswith((" ", "\t"))):
        last = _LABEL_SPLIT.split(label.rstrip(":"))[-1]
        for role, pat in rr.labels:
            if pat.search(last):
                return role
        cues = cues_in(norm, ls + prefix.rfind(last), mn.ns, (ls, le))
        if cues:
            return cues[-1][1]
    after = rr.skip_after.match(norm, mn.ne).end()
    rest = norm[after:le]
    # a title line that ends in its date (a weekday aside) → the date it was announced;
    # not "…約1,200件 2024年5月10日時点", which dates a figure
    wd = rr.weekday.match(norm, mn.ne)
    if not norm[wd.end() if wd else mn.ne:le].strip(" \t)]】") and \
            len(label) >= rr.header_min and prefix[-1:] in (" ", "\t"):
        return "announced"
    # a date in brackets: a cue inside them, or nothing
    br = _enclosing_bracket(norm, mn.ns, mn.ne)
    if br is not None and not _NUMBERING.match(prefix):
        cues = cues_in(norm, mn.ne, br[1], (ls, le))
        if cues:
            return cues[0][1]
        # "…に関するお詫び(2024年5月10日)": a title line closed by its bracketed date
        tail = norm[br[1] + 1:le].strip()
        head = norm[ls:br[0] - 1].strip()
        alone = not norm[br[0]:mn.ns].strip() and not norm[after:br[1]].strip()
        return "announced" if alone and not tail and len(head) >= rr.header_min else "other"
    sent = (_sentence_start(norm, mn.ns), _sentence_end(norm, mn.ne))
    bound = _bound_role(norm, after, sent)
    if bound and bound.startswith("period") and _in_remedy(ctx, mn.ns):
        # "令和6年4月1日から新たな手順で運用します" under 再発防止策: a step taken, no period
        bound = "other"
    if bound:
        return bound
    if not rest.strip(" \t~-") and _NUMBERING.match(prefix):
        # a date alone on its line: the notice's own date when it is the first such line at
        # the top; else a heading for the next line (a timeline of what was done when)
        if norm.count("\n", 0, ls) < 3 and not any(_alone(norm, m) for m in ms[:i]):
            return "announced"
        nxt = _NONSPACE.search(norm, le)
        if nxt is None:
            return "other"
        ns2 = nxt.start()
        cues = cues_in(norm, ns2, _sentence_end(norm, ns2), (ns2, _sentence_end(norm, ns2)))
        return cues[-1][1] if cues else _section_default(ctx, mn.ns)
    if rest[:1] in "「『" and rest:
        # 2024年6月28日付「…について(第1報)」: the date a quoted notice was issued
        close = rest.find("」" if rest[0] == "「" else "』")
        if rr.notice_title.search(rest[:close if close > 0 else len(rest)]):
            return "announced"
    if rest[:1] == "の" or norm[mn.ne:after].endswith(("付", "付け")) and rest[:1] == "の":
        np_end = _NP_END.search(norm, after + 1)
        cues = cues_in(norm, after, np_end.start() if np_end else sent[1], sent)
        return cues[0][1] if cues else "other"
    opens = _OPENS.match(rest)
    if opens:
        # the date opens the sentence: the final predicate's cue, up to the next date or
        # time word (翌日, その後) that opens a clause of its own
        end = sent[1]
        for later in ms[i + 1:]:
            if later.ns >= end:
                break
            if _OPENS_SOON.match(norm, later.ne) and \
                    later.ns > mn.ne + 2:
                end = later.ns
                break
        tw = rr.time_word.search(norm, after, end)
        cues = cues_in(norm, after, tw.start() if tw else end, sent)
        return cues[-1][1] if cues else _section_default(ctx, mn.ns)
    clause_end = _CLAUSE_END.search(norm, after, sent[1])
    cues = cues_in(norm, after, clause_end.end() if clause_end else sent[1], sent)
    return cues[0][1] if cues else _section_default(ctx, mn.ns)


def _alone(norm: str, mn: Mention) -> bool:
    """Whether the mention stands alone on its line (a weekday bracket aside)."""
    ls, le = _line_bounds(norm, mn.ns)
    rest = _rr().skip_after.match(norm, mn.ne).end()
    return not norm[ls:mn.ns].strip() and not norm[rest:le].strip()


def _bound_role(norm: str, after: int, sent: tuple[int, int]) -> str | None:
    """…以降/から → period_start, …まで(に)/以前 → period_end (a lone bound of a period);
    以降に発生 → occurred; a deadline (報告は…まで, …までに停止) is other."""
    rr = _rr()
    m = rr.bound_start.match(norm, after)
    if m:
        clause_end = _CLAUSE_END.search(norm, m.end(), sent[1])
        cues = cues_in(norm, m.end(), clause_end.end() if clause_end else sent[1], sent)
        if cues and cues[0][1] in ("occurred", "notified", "announced"):
            return cues[0][1]
        return "period_start"
    m = rr.bound_end.match(norm, after)
    if m and m.group().strip() in ("以前", "迄"):
        return "period_end"
    if m:
        clause_end = _CLAUSE_END.search(norm, m.end(), sent[1])
        scope = norm[sent[0]:clause_end.end() if clause_end else sent[1]]
        if not rr.deadline.search(scope):
            return "period_end"
        # a deadline or a step done by then (報告は…まで, …までに停止, …までに報告すること)
        # is no period; it keeps a cue of telling people or an authority (…までに通知を完了)
        cues = cues_in(norm, m.end(), clause_end.end() if clause_end else sent[1], sent)
        told = [role for _, role in cues if role in ("notified", "reported", "announced")]
        return told[0] if told else "other"
    return None


def assign(ctx: DocContext, ms: list[Mention]) -> list[str]:
    """The role of each mention (same order). A date that bounds a stated period somewhere
    is that bound where it is first mentioned without a role of its own (…4月10日にリリース
    した機能 … 【期間】2023年4月10日~6月16日)."""
    roles = [_role(ctx, ms, i) for i in range(len(ms))]
    period: dict[str | None, str] = {}
    for mn, role in zip(ms, roles, strict=True):
        if role in ("period_start", "period_end"):
            period.setdefault(mn.value, role)
    return [period.get(mn.value, "other") if role == "other" else role
            for mn, role in zip(ms, roles, strict=True)]
