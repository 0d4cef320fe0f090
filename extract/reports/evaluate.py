"""``rouei eval``: per-field precision, recall and F1 of predictions against gold (SPEC section 6)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.reports import baseline

SET_FIELDS = ("dates", "date_roles", "counts", "data_types_leaked", "data_types_not_leaked", "causes")
ACCURACY_FIELDS = ("incidents", "organization")
FIELDS = SET_FIELDS + ACCURACY_FIELDS

# Legal-form words removed before comparing organisations (SPEC section 6).
LEGAL_FORMS = ("株式会社", "有限会社", "合同会社", "(株)", "（株）", "㈱", "独立行政法人",
               "国立研究開発法人", "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人",
               "社会福祉法人", "医療法人", "学校法人")


def _read_jsonl(path: Path) -> Iterable[dict]:
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise RoueiError("E009", detail=f"{path}:{n}: {exc}") from exc
    except OSError as exc:
        raise RoueiError("E009", detail=f"{path}: {exc}") from exc


def load_gold(path: Path | str) -> dict[str, dict]:
    return {g["doc_id"]: g for g in _read_jsonl(Path(path))}


def load_pred(path: Path | str) -> dict[str, dict]:
    """Prediction records by doc_id; error records are kept (they score as missing)."""
    return {r["doc_id"]: r for r in _read_jsonl(Path(path)) if "doc_id" in r}


def norm_org(name: str | None) -> str | None:
    if name is None:
        return None
    out = re.sub(r"\s+", "", name)
    for form in LEGAL_FORMS:
        out = out.replace(form, "")
    return out


def gold_sets(g: dict) -> dict[str, set]:
    dates = g.get("dates", [])
    dts = g.get("data_types", {})
    return {
        "dates": {d["value"] for d in dates},
        "date_roles": {(d["value"], d["role"]) for d in dates},
        "counts": {(c["value"], c["unit"]) for c in g.get("counts", [])},
        "data_types_leaked": set(dts.get("leaked", [])),
        "data_types_not_leaked": set(dts.get("not_leaked", [])),
        "causes": set(g.get("causes", [])),
    }


def pred_sets(rec: dict | None) -> dict[str, set]:
    """The union over a record's incidents, in the gold's terms (first role per date value)."""
    if rec is None or "error" in rec:
        return {f: set() for f in SET_FIELDS}
    dates: list[dict] = []
    counts, leaked, not_leaked, causes = set(), set(), set(), set()
    for inc in rec.get("incidents", []):
        dates.extend(inc.get("dates", []))
        counts |= {(c["value"], c["unit"]) for c in inc.get("counts", [])}
        for d in inc.get("data_types", []):
            (leaked if d.get("leaked", True) else not_leaked).add(d["category"])
        causes |= {c["category"] for c in inc.get("causes", [])}
    first_role: dict[str, str] = {}
    for d in sorted(dates, key=lambda d: d.get("start", 0)):
        first_role.setdefault(d["value"], d["role"])
    return {
        "dates": set(first_role),
        "date_roles": set(first_role.items()),
        "counts": counts,
        "data_types_leaked": leaked,
        "data_types_not_leaked": not_leaked,
        "causes": causes,
    }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(gold: dict[str, dict], pred: dict[str, dict]) -> dict[str, dict]:
    """Micro scores per field over the gold notices, with each notice's misses and extras."""
    out: dict[str, dict] = {f: {"tp": 0, "fp": 0, "fn": 0, "docs": {}} for f in SET_FIELDS}
    inc_ok = inc_n = org_ok = org_n = 0
    inc_docs: dict[str, dict] = {}
    org_docs: dict[str, dict] = {}
    for doc_id, g in gold.items():
        rec = pred.get(doc_id)
        gs, ps = gold_sets(g), pred_sets(rec)
        for f in SET_FIELDS:
            tp = gs[f] & ps[f]
            missed, extra = gs[f] - ps[f], ps[f] - gs[f]
            out[f]["tp"] += len(tp)
            out[f]["fn"] += len(missed)
            out[f]["fp"] += len(extra)
            if missed or extra:
                out[f]["docs"][doc_id] = {"missed": sorted(missed, key=str), "extra": sorted(extra, key=str)}
        n_pred = len(rec.get("incidents", [])) if rec and "error" not in rec else 0
        inc_n += 1
        if n_pred == g.get("incidents"):
            inc_ok += 1
        else:
            inc_docs[doc_id] = {"missed": [g.get("incidents")], "extra": [n_pred]}
        if g.get("organization") is not None:
            org_n += 1
            got = rec.get("organization") if rec and "error" not in rec else None
            if norm_org(got) == norm_org(g["organization"]):
                org_ok += 1
            else:
                org_docs[doc_id] = {"missed": [g["organization"]], "extra": [got]}
    for f in SET_FIELDS:
        o = out[f]
        o["precision"], o["recall"], o["f1"] = _prf(o["tp"], o["fp"], o["fn"])
    for name, ok, n, docs in (("incidents", inc_ok, inc_n, inc_docs), ("organization", org_ok, org_n, org_docs)):
        acc = ok / n if n else 1.0
        out[name] = {"correct": ok, "total": n, "accuracy": acc, "f1": acc, "docs": docs}
    return out


def format_table(scores: dict[str, dict]) -> str:
    lines = [f"{'field':<24}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for f in SET_FIELDS:
        s = scores[f]
        lines.append(f"{f:<24}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                     f"{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}")
    for f in ACCURACY_FIELDS:
        s = scores[f]
        lines.append(f"{f + ' (accuracy)':<24}{'':>14}{s['accuracy']:>7.3f}  {s['correct']}/{s['total']}")
    return "\n".join(lines)


def format_errors(scores: dict[str, dict]) -> str:
    lines = []
    for f in FIELDS:
        for doc_id, d in sorted(scores[f]["docs"].items()):
            if d["missed"]:
                lines.append(f"{doc_id}\t{f}\tmissed\t{json.dumps(d['missed'], ensure_ascii=False)}")
            if d["extra"]:
                lines.append(f"{doc_id}\t{f}\textra\t{json.dumps(d['extra'], ensure_ascii=False)}")
    return "\n".join(lines)


def parse_floors(items: list[str]) -> dict[str, float]:
    floors = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or name not in FIELDS:
            raise ValueError(f"--min-f1 takes FIELD=X with FIELD one of {', '.join(FIELDS)}: {item!r}")
        floors[name] = float(value)
    return floors


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score predictions against gold (per-field P/R/F1)")
    p.add_argument("gold", type=Path, metavar="GOLD.jsonl")
    p.add_argument("pred", type=Path, metavar="PRED.jsonl")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--errors", action="store_true", help="list each notice's misses and extras")
    p.add_argument("--min-f1", action="append", default=[], metavar="FIELD=X",
                   help="exit 1 when FIELD's F1 (accuracy for incidents/organization) is below X")
    p.add_argument("--baseline", type=Path, metavar="FILE",
                   help="floors pinned per gold set with the gold's sha256 (corpus/eval_baseline.json); "
                        "a gold file changed since is refused (exit 2)")
    p.add_argument("--set", dest="baseline_set", default="seeds", metavar="NAME",
                   help="the gold set's name in the baseline file (default seeds)")
    p.add_argument("--update-baseline", action="store_true",
                   help="pin the set's floors at these scores and record the gold's sha256")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        floors = parse_floors(args.min_f1)
    except ValueError as exc:
        print(f"rouei eval: {exc}", file=sys.stderr)
        return 2
    try:
        scores = score(load_gold(args.gold), load_pred(args.pred))
        if args.baseline and args.update_baseline:
            pinned = baseline.pin(args.baseline, args.baseline_set, args.gold, scores)
            print(f"rouei eval: pinned {len(pinned)} floors for {args.baseline_set!r} in {args.baseline}",
                  file=sys.stderr)
        elif args.baseline:
            floors = {**baseline.floors_for(args.baseline, args.baseline_set, args.gold), **floors}
    except RoueiError as exc:
        print(f"rouei eval: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(scores, ensure_ascii=False, indent=1, default=list))
    else:
        print(format_table(scores))
    if args.errors:
        print(format_errors(scores))
    failed = [f"{f} {scores[f]['f1']:.3f} < {x}" for f, x in floors.items()
              if f in scores and scores[f]["f1"] < x]
    for msg in failed:
        print(f"rouei eval: below floor: {msg}", file=sys.stderr)
    return 1 if failed else 0
