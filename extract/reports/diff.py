"""``rouei diff OLD.jsonl NEW.jsonl [--gold GOLD.jsonl]``: what a rule change did to the output.

Per notice, the facts added, removed and changed, each with its evidence text. Items are
matched by their evidence span: the same span with another value, role, unit or category is a
change, not a removal plus an addition; overlapping spans are paired the same way (a rule that
now takes ``約`` into ``約400万件``). With ``--gold`` each change is marked a fix, a regression
or neutral by what it does to the notice's scoring sets (reports/evaluate.py), and the per-field
F1 before and after is printed. The ``extractor`` block (version, rules hash, model) is ignored.
Exit 0 when nothing changed, 1 when something did, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rouei.extract.core.errors import RoueiError
from rouei.extract.reports.evaluate import (
    FIELDS,
    gold_sets,
    load_gold,
    load_pred,
    norm_org,
    pred_sets,
    score,
)

ITEM_FIELDS = ("dates", "counts", "data_types", "causes")
# What an item says, per field; the rest (text, start, end) is its evidence.
CONTENT = {
    "dates": ("value", "role"),
    "counts": ("value", "unit", "approximate"),
    "data_types": ("category", "leaked"),
    "causes": ("category",),
}
# sha256 of the analysed text: when it moved, so did the offsets of every item after the edit
NOTICE_FIELDS = ("error", "sha256", "leak_notice", "organization", "title", "published", "incidents",
                 "status")
SUMMARY_FIELDS = ("notice",) + ITEM_FIELDS + NOTICE_FIELDS


@dataclass
class Change:
    field: str
    kind: str  # added, removed, changed
    old: Any = None  # an item (dict) for item fields, a value for notice fields
    new: Any = None
    what: list[str] = dataclasses.field(default_factory=list)  # for changed items: the keys that differ
    verdict: str | None = None  # fix, regression, neutral (with --gold and a gold notice)

    def as_json(self) -> dict:
        out = {"field": self.field, "change": self.kind, "old": self.old, "new": self.new}
        if self.what:
            out["what"] = self.what
        if self.verdict:
            out["verdict"] = self.verdict
        return out


# --- matching the items of one notice -------------------------------------------------------

def _items(rec: dict | None, name: str) -> list[dict]:
    """A record's items of one field over all its incidents, each once, in text order."""
    if rec is None or "error" in rec:
        return []
    seen: dict[tuple, dict] = {}
    for inc in rec.get("incidents") or []:
        for item in inc.get(name, []):
            key = (item.get("start"), item.get("end"), item.get("text")) + _content(name, item)
            seen.setdefault(key, item)
    return sorted(seen.values(), key=lambda i: (i.get("start") or 0, i.get("end") or 0))


def _content(name: str, item: dict) -> tuple:
    return tuple(item.get(k) for k in CONTENT[name])


def _span(item: dict) -> tuple[int, int] | None:
    start, end = item.get("start"), item.get("end")
    return (start, end) if isinstance(start, int) and isinstance(end, int) else None


def _overlap(a: dict, b: dict) -> int:
    sa, sb = _span(a), _span(b)
    if sa is None or sb is None:  # no offsets: only the same evidence text pairs
        return 1 if a.get("text") and a.get("text") == b.get("text") else 0
    return max(0, min(sa[1], sb[1]) - max(sa[0], sb[0]))


def _same(name: str, a: dict, b: dict) -> bool:
    return _content(name, a) == _content(name, b) and (_span(a), a.get("text")) == (_span(b), b.get("text"))


def match_items(name: str, old: list[dict], new: list[dict]) -> list[Change]:
    """Changes between two notices' items of one field: identical items drop out, the rest
    pair by the largest span overlap or, failing that, by the same content (a change), or
    stand alone (added, removed)."""
    old, new = list(old), list(new)
    for a in list(old):
        b = next((b for b in new if _same(name, a, b)), None)
        if b is not None:
            old.remove(a)
            new.remove(b)
    pairs = sorted(((_overlap(a, b), i, j) for i, a in enumerate(old) for j, b in enumerate(new)),
                   key=lambda t: (-t[0], t[1], t[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    changes = []
    for ov, i, j in pairs:
        if ov <= 0 or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        a, b = old[i], new[j]
        what = [k for k in CONTENT[name] if a.get(k) != b.get(k)]
        if _span(a) != _span(b) or a.get("text") != b.get("text"):
            what.append("text")
        changes.append(Change(name, "changed", a, b, what))
    # the same fact now shown by other evidence (a record keeps one item per value and role,
    # the first in text order): its evidence moved, it was not lost and found
    for i, a in enumerate(old):
        same = next((k for k, b in enumerate(new) if k not in used_new and i not in used_old
                     and _content(name, a) == _content(name, b)), None)
        if same is not None:
            used_old.add(i)
            used_new.add(same)
            changes.append(Change(name, "changed", a, new[same], ["text"]))
    changes += [Change(name, "removed", a) for i, a in enumerate(old) if i not in used_old]
    changes += [Change(name, "added", None, b) for j, b in enumerate(new) if j not in used_new]
    return sorted(changes, key=lambda c: _order(c.new if c.old is None else c.old))


def _order(item: dict) -> tuple[int, int]:
    span = _span(item)
    return span if span else (0, 0)


def _notice_values(rec: dict | None) -> dict[str, object]:
    if rec is None:
        return {}
    if "error" in rec:
        return {"error": rec["error"].get("kind") if isinstance(rec["error"], dict) else rec["error"]}
    incs = rec.get("incidents") or []
    return {
        "sha256": (rec.get("source") or {}).get("sha256"),
        "leak_notice": rec.get("leak_notice"),
        "organization": rec.get("organization"),
        "title": rec.get("title"),
        "published": rec.get("published"),
        "incidents": len(incs),
        "status": sorted({i.get("status") for i in incs if i.get("status")}),
    }


def diff_notice(old: dict | None, new: dict | None) -> list[Change]:
    """Every change between two records of one notice (either may be missing)."""
    changes: list[Change] = []
    if (old is None) != (new is None):
        changes.append(Change("notice", "added" if old is None else "removed"))
    ov, nv = _notice_values(old), _notice_values(new)
    # a record that became (or stopped being) an error record: its fields say nothing more
    names = ("error",) if "error" in ov or "error" in nv else NOTICE_FIELDS
    for name in names:
        if ov.get(name) != nv.get(name) and (old is not None and new is not None):
            changes.append(Change(name, "changed", ov.get(name), nv.get(name)))
    for name in ITEM_FIELDS:
        changes += match_items(name, _items(old, name), _items(new, name))
    return changes


# --- judging against gold ---------------------------------------------------------------------

def _keys(name: str, item: dict | None) -> list[tuple[str, object]]:
    """The scoring-set entries (reports/evaluate.py terms) an item can put into play."""
    if item is None:
        return []
    if name == "dates":
        return [("dates", item.get("value")), ("date_roles", (item.get("value"), item.get("role")))]
    if name == "counts":
        return [("counts", (item.get("value"), item.get("unit")))]
    if name == "data_types":
        side = "data_types_leaked" if item.get("leaked", True) else "data_types_not_leaked"
        return [(side, item.get("category"))]
    if name == "causes":
        return [("causes", item.get("category"))]
    return []


def judge(changes: list[Change], old: dict | None, new: dict | None, gold: dict) -> None:
    """Mark each change a fix, a regression or neutral for this gold notice.

    An item change counts +1 for each gold entry it brings into the notice's scoring sets or
    wrong entry it takes out, and -1 for each gold entry it loses or wrong entry it brings; an
    entry that another item still provides does not move, so the change is neutral."""
    gs, before, after = gold_sets(gold), pred_sets(old), pred_sets(new)
    for ch in changes:
        if ch.field in ITEM_FIELDS:
            net = 0
            for f, key in set(_keys(ch.field, ch.old) + _keys(ch.field, ch.new)):
                if key in after[f] and key not in before[f]:
                    net += 1 if key in gs[f] else -1
                elif key in before[f] and key not in after[f]:
                    net += -1 if key in gs[f] else 1
        elif ch.field == "organization" and gold.get("organization") is not None:
            right = {norm_org(gold["organization"])} | {norm_org(a) for a in gold.get("organization_alt") or []}
            net = (norm_org(ch.new) in right) - (norm_org(ch.old) in right)
        elif ch.field == "incidents":
            net = (ch.new == gold.get("incidents")) - (ch.old == gold.get("incidents"))
        else:
            continue
        ch.verdict = "fix" if net > 0 else "regression" if net < 0 else "neutral"


# --- the whole run ----------------------------------------------------------------------------

@dataclass
class Diff:
    notices: dict[str, list[Change]]
    scores: dict[str, dict[str, float]] | None = None  # field -> {"old": f1, "new": f1}

    @property
    def changed(self) -> bool:
        return any(self.notices.values())

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for changes in self.notices.values():
            for name in {c.field for c in changes}:
                out.setdefault(name, {"notices": 0, "added": 0, "removed": 0, "changed": 0,
                                      "fix": 0, "regression": 0})["notices"] += 1
            for c in changes:
                out[c.field][c.kind] += 1
                if c.verdict in ("fix", "regression"):
                    out[c.field][c.verdict] += 1
        return {f: out[f] for f in SUMMARY_FIELDS if f in out}

    def as_json(self) -> dict:
        return {
            "changed": self.changed,
            "notices": [{"doc_id": d, "changes": [c.as_json() for c in cs]}
                        for d, cs in self.notices.items() if cs],
            "summary": self.summary(),
            "f1": self.scores,
        }


def diff_files(old_path: Path, new_path: Path, gold_path: Path | None = None) -> Diff:
    old, new = load_pred(old_path), load_pred(new_path)
    gold = load_gold(gold_path) if gold_path is not None else {}
    ids = list(old) + [d for d in new if d not in old]
    notices = {}
    for doc_id in ids:
        changes = diff_notice(old.get(doc_id), new.get(doc_id))
        if changes and doc_id in gold:
            judge(changes, old.get(doc_id), new.get(doc_id), gold[doc_id])
        notices[doc_id] = changes
    scores = None
    if gold_path is not None:
        before, after = score(gold, old), score(gold, new)
        scores = {f: {"old": before[f]["f1"], "new": after[f]["f1"]} for f in FIELDS}
    return Diff(notices, scores)


# --- printing ---------------------------------------------------------------------------------

MARKS = {"added": "+", "removed": "-", "changed": "~"}


def _describe(name: str, item: dict) -> str:
    if name == "dates":
        return f"{item.get('value')} {item.get('role')}"
    if name == "counts":
        return f"{item.get('value')} {item.get('unit')}{' (approximate)' if item.get('approximate') else ''}"
    if name == "data_types":
        return f"{item.get('category')}{'' if item.get('leaked', True) else ' (not leaked)'}"
    return str(item.get("category"))


def _evidence(item: dict) -> str:
    span = _span(item)
    return f"「{item.get('text', '')}」" + (f"@{span[0]}" if span else "")


def format_change(c: Change) -> str:
    if c.field == "notice":
        body = "only in NEW" if c.kind == "added" else "only in OLD"
    elif c.field not in ITEM_FIELDS:
        body = f"{json.dumps(c.old, ensure_ascii=False)} -> {json.dumps(c.new, ensure_ascii=False)}"
    elif c.kind == "changed":
        assert isinstance(c.old, dict) and isinstance(c.new, dict)
        moved = [f"{k} {json.dumps(c.old.get(k), ensure_ascii=False)} -> "
                 f"{json.dumps(c.new.get(k), ensure_ascii=False)}" for k in c.what if k != "text"]
        body = _describe(c.field, c.new) + (f" ({', '.join(moved)})" if moved else "")
        ev = _evidence(c.new)
        body += f"  {_evidence(c.old)} -> {ev}" if "text" in c.what else f"  {ev}"
    else:
        item = c.new if c.kind == "added" else c.old
        assert isinstance(item, dict)
        body = f"{_describe(c.field, item)}  {_evidence(item)}"
    verdict = f"  [{c.verdict}]" if c.verdict else ""
    return f"  {MARKS[c.kind]} {c.field:<13}{body}{verdict}"


def format_text(d: Diff) -> str:
    lines = []
    for doc_id, changes in d.notices.items():
        if changes:
            lines.append(doc_id)
            lines += [format_change(c) for c in changes]
    summary = d.summary()
    n = sum(1 for cs in d.notices.values() if cs)
    lines.append(f"{n} of {len(d.notices)} notices changed" if n else "no changes")
    for name, s in summary.items():
        judged = f"  fix {s['fix']} regression {s['regression']}" if d.scores is not None else ""
        lines.append(f"{name:<14}+{s['added']:<4} -{s['removed']:<4} ~{s['changed']:<4}"
                     f" in {s['notices']} notice{'s' if s['notices'] != 1 else ''}{judged}")
    if d.scores is not None:
        lines.append(f"{'F1':<24}{'old':>7}{'new':>7}{'delta':>8}")
        for name, f1 in d.scores.items():
            lines.append(f"{name:<24}{f1['old']:>7.3f}{f1['new']:>7.3f}{f1['new'] - f1['old']:>+8.3f}")
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="what changed between two extraction runs (per notice and field)",
                       epilog="exit 0 when nothing changed, 1 when something did, 2 on usage errors")
    p.add_argument("old", type=Path, metavar="OLD.jsonl", help="records from before the change")
    p.add_argument("new", type=Path, metavar="NEW.jsonl", help="records from after it")
    p.add_argument("--gold", type=Path, metavar="GOLD.jsonl",
                   help="mark each change a fix or a regression and print F1 before and after")
    p.add_argument("--json", action="store_true", help="print the changes as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        d = diff_files(args.old, args.new, args.gold)
    except RoueiError as exc:
        print(f"rouei diff: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(d.as_json(), ensure_ascii=False, indent=1))
    else:
        print(format_text(d))
    return 1 if d.changed else 0
