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

from rouei.extract.core import compiled
from rouei.extract.doc.context import DocContext
from rouei.extract.doc.items import Mention
from rouei.extract.fields import date_attach
from rouei.extract.fields.date_cues import (
    cues_in,
    line_bounds,
    role_rules,
    sentence_span,
)

# The end of a clause inside a sentence: a comma after a verb's continuative form
# (実施し、 / 受けたため、 / 行ったところ、), but not after the compound particles
# に対し、 に関し、 を通じ、 について、 において、 により、 として、.
_CLAUSE_END = compiled.regex(
    r"(?<!に対)(?<!に関)(?<!に際)(?<!を通)(?<!につ)(?<!にお)(?<!とし)(?<!によ)(?<!にて)"
    r"(?<!に伴)(?<!に従)(?:[しりきけえめてでいずく]|ため|ところ|おり|あり|なり|後)[、,]"
)
_NONSPACE = compiled.regex(r"\S")
_NP_END = compiled.regex(r"[をがはにで、。\n]")  # the end of the noun phrase a date+の qualifies
# a date that opens its sentence: "2024年1月、" / "2024年1月10日には、" / "5月8日 教員が…"
_OPENS = compiled.regex(r"(?:[ \t]+\S|(?:に|で|には|にも|時点で|中に|までに)?[、,])")
_OPENS_SOON = compiled.regex(r"[^、。\n]{0,12}[、,]")
# what stands before a later date that opens a clause of its own ("…調査を行い、8月5日、…"):
# a comma, perhaps 同年/翌; not a range's bound (在職中の2023年10月から2024年2月にかけて, 退職の
# 年月in brackets), which stays inside the clause of the date before it
_CLAUSE_LEAD = compiled.regex(r"[、,。\n][ \t]*(?:同年|同月|同|翌年|翌月|翌)?[ \t]*$")
_OPEN = "([【「『〔"
_CLOSE = ")]】」』〕"
_NUMBERING = compiled.regex(r"^[\s■●◆◇□・※-]*(?:\d{1,2}[.)\s]|\(\d{1,2}\)|[①-⑳])?[\s.]*$")
_PARTICLE = compiled.regex(r"[にでのはがもとやへをより、,。・~\-)]|から|まで|以")
_LEAD = " \t・•-*■●◆◇□"  # marks that may come before a date that opens its sentence
ROLES = ("occurred", "discovered", "announced", "reported", "notified")


def _enclosing_bracket(norm: str, ns: int, ne: int) -> tuple[int, int] | None:
    """The bracket pair around a date on its line, as (inside start, inside end)."""
    ls, le = line_bounds(norm, ns)
    before = norm[max(ls, ns - 59):ns]  # the characters the walk back below looks at
    if not any(c in before for c in _OPEN):
        return None  # most dates have no opening bracket before them on their line
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


def _section_default(ctx: DocContext, pos: int, first: bool = False) -> str:
    """The role a date without a cue takes from its section's kind (概要 → occurred); the
    first date of some kinds of section has a role of its own (経緯 opens with the incident)."""
    kind = ctx.layout.kind_at(ctx.norm.span(pos, pos)[0]) or ""
    rr = role_rules()
    if first and kind in rr.first_roles:
        return rr.first_roles[kind]
    return rr.section_roles.get(kind, "other")


def _in_remedy(ctx: DocContext, pos: int, ranges: bool = False) -> bool:
    """Whether ``pos`` lies in a section where bounds (ranges too, when ``ranges``) are
    remediation steps (rules/date_roles.toml [remedy_section])."""
    kinds = role_rules().remedy_ranges if ranges else role_rules().remedy
    return (ctx.layout.kind_at(ctx.norm.span(pos, pos)[0]) or "") in kinds


_VALUE_LEAD = " \t([【「『〔・"


def _layout_role(ctx: DocContext, mn: Mention, first: bool) -> str | None:
    """The role the notice's layout gives a date: a label's (発覚日:…, 1 判明日時 ⏎ …), the
    event's of a timeline entry, announced for the header's posting date and the sign-off's."""
    lay = ctx.layout
    s, e, _ = ctx.span_of_norm(mn.ns, mn.ne)
    lab = lay.label_at(s)
    if lab is not None and not ctx.text[lab.value_start:s].strip(_VALUE_LEAD):
        if lab.kind in ROLES:
            return lab.kind
        # 不正アクセスを確認した日:… — a label of no kind still names its event
        ns, ne = ctx.norm.to_norm(lab.start), ctx.norm.to_norm(lab.end)
        cues = cues_in(ctx.norm.text, ns, ne, (ns, ne))
        if cues:
            return cues[-1][1]
    line = lay.line_at(s)
    if line is not None and (lay.in_signoff(s) or lay.in_header(s)) and _stamp(ctx, line, mn):
        return "announced"
    entry = lay.entry_at(s)
    if entry is not None:
        return _event_role(ctx, entry, first)
    return None


def _stamp(ctx: DocContext, line, mn: Mention) -> bool:
    """Whether a header or sign-off date is the notice's own: alone on its line, closing it
    (a title's trailing date, "(2024年5月15日)"), or after a posting word (記者資料提供, 更新日)."""
    rr = role_rules()
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


def _event_role(ctx: DocContext, entry, first: bool) -> str:
    """A timeline entry takes the role of its event: 委託先から報告 → discovered, 警察に相談 →
    reported, 調査を開始 → other. A sentence is read from its main predicate, its last cue; a
    short list of steps from the step ranked first in rules (a report before a discovery)."""
    norm = ctx.norm.text
    ns, ne = ctx.norm.to_norm(entry.event_start), ctx.norm.to_norm(entry.event_end)
    stop = norm.find("。", ns, ne)  # the event's first sentence (it may run over lines)
    end = ne if stop < 0 else stop + 1
    cues = cues_in(norm, ns, end, (ns, end))
    if not cues:
        return _section_default(ctx, ns, first)
    if norm[end - 1:end] == "。" or end - ns > role_rules().short_event:
        return cues[-1][1]
    # a list of steps (県警に連絡、プレス発表 / 原因を特定し、公表): the step told to others
    rank = role_rules().step_rank
    return min(cues, key=lambda c: rank.index(c[1]) if c[1] in rank else len(rank))[1]


def _role(ctx: DocContext, ms: list[Mention], i: int, first: bool) -> str:
    rr = role_rules()
    norm = ctx.norm.text
    mn = ms[i]
    if mn.period:
        # a range under 再発防止策 or in a contact block (窓口 opening hours) is a step
        # taken or a service period, not a period of the incident
        return "other" if _in_remedy(ctx, mn.ns, ranges=True) else mn.period
    role = _layout_role(ctx, mn, first)
    if role:
        return role
    ls, le = line_bounds(norm, mn.ns)
    prefix = norm[ls:mn.ns]
    label = prefix.strip()
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
        if alone and not tail and len(head) >= rr.header_min:
            return "announced"
        # "警察署に報告し相談(7月1日)": a bracketed date that dates the predicate before it
        before = cues_in(norm, max(ls, br[0] - 1 - rr.bracket_reach), br[0] - 1, (ls, le))
        return before[-1][1] if alone and before and before[-1][0] >= br[0] - 1 - 6 else "other"
    sent = sentence_span(ctx, mn.ns, mn.ne)
    bound = _bound_role(norm, after, sent)
    if bound and bound.startswith("period") and _in_remedy(ctx, mn.ns):
        # "令和6年4月1日から新たな手順で運用します" under 再発防止策: a step taken, no period
        bound = "other"
    if bound:
        return bound
    if not rest.strip(" \t~-") and _NUMBERING.match(prefix):
        # a date alone on its line that the layout reads as neither the notice's own date
        # nor a timeline entry: a date with no event
        return _section_default(ctx, mn.ns, first)
    if rest[:1] in "「『" and rest:
        # 2024年6月28日付「…について(第1報)」: the date a quoted notice was issued
        close = rest.find("」" if rest[0] == "「" else "』")
        if rr.notice_title.search(rest[:close if close > 0 else len(rest)]):
            return "announced"
    if rest[:1] == "の" or norm[mn.ne:after].endswith(("付", "付け")) and rest[:1] == "の":
        np_end = _NP_END.search(norm, after + 1)
        cues = cues_in(norm, after, np_end.start() if np_end else sent[1], sent)
        return cues[0][1] if cues else "other"
    # "2024年5月19日(日)ランサムウェアによる…": a date that opens its sentence with no
    # particle after it goes with the main predicate as much as "2024年5月19日、…" does
    opens = _OPENS.match(rest) or (not norm[sent[0]:mn.ns].strip(_LEAD) and rest[:1]
                                   and not _PARTICLE.match(rest))
    if opens:
        # the date opens the sentence: the final predicate's cue, up to the next date or
        # time word (翌日, その後) that opens a clause of its own
        end = sent[1]
        for later in ms[i + 1:]:
            if later.ns >= end:
                break
            if _OPENS_SOON.match(norm, later.ne) and later.ns > mn.ne + 2 and \
                    _CLAUSE_LEAD.search(norm, 0, later.ns):
                end = later.ns
                break
        # …付けで、ホームページに掲載しましたが、…: a concessive clause ends the date's reach
        conc = rr.concessive.search(norm, after, end)
        end = conc.end() if conc else end
        tw = rr.time_word.search(norm, after, end)
        cues = cues_in(norm, after, tw.start() if tw else end, sent)
        return cues[-1][1] if cues else _section_default(ctx, mn.ns, first)
    clause_end = _CLAUSE_END.search(norm, after, sent[1])
    cues = cues_in(norm, after, clause_end.end() if clause_end else sent[1], sent)
    if cues and rr.relative.search(norm, after, min(cues[0][0], after + rr.relative_reach)):
        # a relative clause stands between the date and the cue (2021年3月に受付をした申請書
        # を…判明): the parse says which predicate the date belongs to
        s, e, _ = ctx.span_of_norm(mn.ns, mn.ne)
        role = date_attach.attached_role(ctx, s, e, lambda a, b: cues_in(norm, a, b, sent))
        if role is not None:
            return role
    # a cue in a clause that only describes a noun (被害が発生した再委託先) is not the date's
    # predicate when a later cue is (…の連絡あり)
    own = [c for c in cues if not _modifies_noun(norm, c[0])]
    if own:
        return own[0][1]
    return cues[0][1] if cues else _section_default(ctx, mn.ns, first)


_CUE_STEM = compiled.regex(r"[^、。,\sをがにではも]{1,6}")


def _modifies_noun(norm: str, pos: int) -> bool:
    """Whether the cue word at ``pos`` ends in an attributive verb before a noun."""
    m = role_rules().relative.search(norm, pos + 1, pos + 12)
    return m is not None and _CUE_STEM.fullmatch(norm, pos, m.start()) is not None


def _bound_role(norm: str, after: int, sent: tuple[int, int]) -> str | None:
    """…以降/から → period_start, …まで(に)/以前 → period_end (a lone bound of a period);
    以降に発生 → occurred; a deadline (報告は…まで, …までに停止) is other."""
    rr = role_rules()
    m = rr.bound_start.match(norm, after)
    if m:
        clause_end = _CLAUSE_END.search(norm, m.end(), sent[1])
        cues = cues_in(norm, m.end(), clause_end.end() if clause_end else sent[1], sent)
        if cues and cues[0][1] in ("occurred", "notified", "announced"):
            return cues[0][1]
        return "other" if rr.bound_remedy.match(norm, m.end()) else "period_start"
    m = rr.bound_end.match(norm, after)
    if m and m.group().strip() in ("以前", "迄"):
        return "period_end"
    if m:
        clause_end = _CLAUSE_END.search(norm, m.end(), sent[1])
        scope = norm[sent[0]:clause_end.end() if clause_end else sent[1]]
        cues = cues_in(norm, m.end(), clause_end.end() if clause_end else sent[1], sent)
        told = [role for _, role in cues if role in ("notified", "reported", "announced")]
        if told and m.group().strip() == "までに":
            return told[0]  # 13日までに対象者全員に謝罪した: told by then, no period
        if not rr.deadline.search(scope):
            return "period_end"
        # a deadline or a step done by then (報告は…まで, …までに停止, …までに報告すること)
        # is no period; it keeps a cue of telling people or an authority (…までに通知を完了)
        return told[0] if told else "other"
    return None


def _section_firsts(ctx: DocContext, ms: list[Mention]) -> set[int]:
    """Indices of the mentions that are the first date of their section."""
    out: set[int] = set()
    seen: set[int] = set()
    for i, mn in enumerate(ms):
        sec = ctx.layout.section_at(ctx.norm.span(mn.ns, mn.ne)[0])
        if sec is not None and sec.start not in seen:
            seen.add(sec.start)
            out.add(i)
    return out


def assign(ctx: DocContext, ms: list[Mention]) -> list[str]:
    """The role of each mention (same order). A date that bounds a stated period somewhere
    is that bound where it is first mentioned without a role of its own (…4月10日にリリース
    した機能 … 【期間】2023年4月10日~6月16日)."""
    firsts = _section_firsts(ctx, ms)
    roles = [_role(ctx, ms, i, i in firsts) for i in range(len(ms))]
    period: dict[str | None, str] = {}
    for mn, role in zip(ms, roles, strict=True):
        if role in ("period_start", "period_end"):
            period.setdefault(mn.value, role)
    return [period.get(mn.value, "other") if role == "other" else role
            for mn, role in zip(ms, roles, strict=True)]
