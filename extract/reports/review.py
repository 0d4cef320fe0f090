"""``rouei review``: one self-contained HTML page to check what was extracted, span by span.

The page lists the notices and shows each one's text with every extracted span highlighted
by field; with ``--gold`` it marks what is correct, missed or extra. Everything (data, CSS,
JS from ``review_assets/``) is inlined so the file works opened from disk, offline. The data,
texts included, is embedded once as gzip+base64, which the page inflates with the browser's
DecompressionStream: Japanese notice text shrinks about fourfold. ``--where`` and ``--sample``
review a subset of a large run.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import html
import json
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.core.io import atomic_output
from rouei.extract.reports.evaluate import ACCURACY_FIELDS, SET_FIELDS, gold_sets, load_gold, score
from rouei.extract.reports.records import (
    is_error,
    largest_count,
    leak_notices,
    read_records,
    say_left_out,
    unique,
)
from rouei.extract.reports.subset import WHERE, parse_where, select
from rouei.extract.reports.texts import corpus_paths, find_text

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "review_assets"
_PLACEHOLDER = re.compile(r"\{\{(TITLE|CSS|SUMMARY|SCORES|DATA|TEXTS|JS)\}\}")
FIELDS = ("dates", "counts", "data_types", "causes")
# The score fields each highlighted field answers for (SPEC section 6).
SCORE_FIELDS = {"dates": ("dates", "date_roles"), "counts": ("counts",),
                "data_types": ("data_types_leaked", "data_types_not_leaked"), "causes": ("causes",)}


# ---------------------------------------------------------------------------------------
# The page's data


def _value(field: str, s: dict) -> tuple[str, str]:
    """The normalised value and the role (or unit, or leaked flag) a span stands for."""
    if field == "dates":
        return str(s.get("value")), s.get("role", "other")
    if field == "counts":
        approx = "約 " if s.get("approximate") else ""
        return f"{approx}{s.get('value')}", str(s.get("unit", ""))
    if field == "data_types":
        return s.get("category", "other"), "leaked" if s.get("leaked", True) else "not leaked"
    return s.get("category", "other"), ""


def _gold_mark(field: str, s: dict, gs: dict[str, set]) -> str:
    """correct / extra (and role for a date whose value is right but role is not)."""
    if field == "dates":
        if s.get("value") not in gs["dates"]:
            return "extra"
        return "correct" if (s.get("value"), s.get("role")) in gs["date_roles"] else "role"
    if field == "counts":
        return "correct" if (s.get("value"), s.get("unit")) in gs["counts"] else "extra"
    if field == "data_types":
        key = "data_types_leaked" if s.get("leaked", True) else "data_types_not_leaked"
        return "correct" if s.get("category") in gs[key] else "extra"
    return "correct" if s.get("category") in gs["causes"] else "extra"


def notice_spans(rec: dict, text: str | None, gs: dict[str, set] | None) -> list[dict]:
    """Every span of every incident; one entry per identical span shared by incidents."""
    spans: dict[tuple, dict] = {}
    for n, inc in enumerate(rec.get("incidents", []), 1):
        for field in FIELDS:
            for s in inc.get(field, []):
                value, role = _value(field, s)
                start, end, stext = s.get("start"), s.get("end"), s.get("text", "")
                key = (field, start, end, value, role)
                if key in spans:
                    spans[key]["i"].append(n)
                    continue
                entry = {"f": field, "s": start, "e": end, "t": stext, "v": value, "r": role, "i": [n],
                         "c": s.get("category") if field in ("data_types", "causes") else None}
                if field == "data_types" and not s.get("leaked", True):
                    entry["nl"] = True
                if text is not None:
                    ok_range = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
                    if not ok_range:
                        entry["bad"] = f"offsets {start}–{end} lie outside the text ({len(text)} characters)"
                    elif text[start:end] != stext:
                        entry["bad"] = f"offsets {start}–{end} hold “{text[start:end]}”, the span says “{stext}”"
                if gs is not None:
                    entry["g"] = _gold_mark(field, s, gs)
                spans[key] = entry
    return sorted(spans.values(), key=lambda e: (e["s"] if isinstance(e["s"], int) else -1, e["f"]))


def _summary(rec: dict) -> dict:
    incs = rec.get("incidents", [])
    values = sorted(d["value"] for inc in incs for d in inc.get("dates", []) if d.get("value"))
    count = largest_count([c for inc in incs for c in inc.get("counts", [])])
    return {"from": values[0] if values else None, "to": values[-1] if values else None,
            "count": f"{'約' if count.get('approximate') else ''}{count['value']:,}{count.get('unit', '')}" if count else None,
            "causes": unique(c["category"] for inc in incs for c in inc.get("causes", [])),
            "status": unique(inc.get("status") or "" for inc in incs)}


def _gold_fields(doc_id: str, scores: dict) -> dict:
    out = {}
    for f in SET_FIELDS + ACCURACY_FIELDS:
        d = scores[f]["docs"].get(doc_id, {})
        missed, extra = list(d.get("missed", [])), list(d.get("extra", []))
        if f in ACCURACY_FIELDS:  # an accuracy field is just right or wrong
            status = "wrong" if d else "correct"
        else:
            status = "+".join(k for k, v in (("missed", missed), ("extra", extra)) if v) or "correct"
        out[f] = {"status": status, "missed": missed, "extra": extra}
    return out


def build_notices(records: list[dict], texts: dict[str, tuple[str | None, str | None]],
                  gold: dict[str, dict] | None, scores: dict | None) -> list[dict]:
    """The page's data: one entry per prediction record, then gold notices with no record."""
    notices = []
    for rec in records:
        doc_id = rec["doc_id"]
        src = rec.get("source") or {}
        text, problem = texts.get(doc_id, (None, None))
        g = gold.get(doc_id) if gold else None
        n = {"id": doc_id, "title": rec.get("title"), "org": rec.get("organization"),
             "published": rec.get("published"), "url": src.get("url") or src.get("final_url"),
             "text": text, "problem": problem}
        if is_error(rec):
            n["error"] = rec.get("error") or {"kind": "invalid", "message": "record has no incidents"}
            n["incidents"], n["spans"], n["summary"] = [], [], _summary({})
        else:
            n["incidents"] = [{"n": i, "status": inc.get("status"), "org": inc.get("organization")}
                              for i, inc in enumerate(rec["incidents"], 1)]
            n["spans"] = notice_spans(rec, text, gold_sets(g) if g else None)
            n["summary"] = _summary(rec)
        if scores is not None and g is not None:
            n["gold"] = _gold_fields(doc_id, scores)
        notices.append(n)
    seen = {r["doc_id"] for r in records}
    for doc_id in (gold or {}):
        if doc_id not in seen and scores is not None:
            text, problem = texts.get(doc_id, (None, None))
            notices.append({"id": doc_id, "title": None, "org": gold[doc_id].get("organization"),
                            "published": None, "url": None, "text": text, "problem": problem,
                            "missing": True, "incidents": [], "spans": [], "summary": _summary({}),
                            "gold": _gold_fields(doc_id, scores)})
    return notices


# ---------------------------------------------------------------------------------------
# The page


def scores_table(scores: dict) -> str:
    """The per-field scores of ``rouei eval`` as an HTML table."""
    rows = ["<table class='scores'><caption>Scores against gold (rouei eval)</caption>"
            "<thead><tr><th>field</th><th>P</th><th>R</th><th>F1</th><th>tp</th><th>fp</th>"
            "<th>fn</th></tr></thead><tbody>"]
    for f in SET_FIELDS:
        s = scores[f]
        rows.append(f"<tr data-field='{f}'><th>{f}</th><td>{s['precision']:.3f}</td>"
                    f"<td>{s['recall']:.3f}</td><td>{s['f1']:.3f}</td><td>{s['tp']}</td>"
                    f"<td>{s['fp']}</td><td>{s['fn']}</td></tr>")
    for f in ACCURACY_FIELDS:
        s = scores[f]
        rows.append(f"<tr data-field='{f}'><th>{f} (accuracy)</th><td colspan='3'>"
                    f"{s['accuracy']:.3f}</td><td colspan='3'>{s['correct']}/{s['total']}</td></tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _gzip64(text: str) -> str:
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)).decode("ascii")


def packed_data(notices: list[dict], gold: bool) -> tuple[str, str]:
    """The page's data without the texts, and a JSON list of each notice's text (or null),
    each packed as base64 of gzip. Base64 has no "<", so nothing can end the <script>
    element it sits in; a text apart is inflated only when its notice is shown."""
    meta = [{k: v for k, v in n.items() if k != "text"} for n in notices]
    data = _gzip64(json.dumps({"notices": meta, "gold": gold}, ensure_ascii=False, separators=(",", ":")))
    texts = json.dumps([None if n.get("text") is None else _gzip64(n["text"]) for n in notices])
    return data, texts


def unpack_data(page: str) -> dict:
    """The data embedded in a review page, texts put back (what the browser inflates)."""
    def block(name: str) -> str:
        return re.search(rf'<script type="text/plain" id="rouei-{name}"[^>]*>([^<]*)</script>', page).group(1)

    data = json.loads(gzip.decompress(base64.b64decode(block("data"))))
    for n, t in zip(data["notices"], json.loads(block("texts"))):
        n["text"] = None if t is None else gzip.decompress(base64.b64decode(t)).decode("utf-8")
    return data


def render(notices: list[dict], scores: dict | None, title: str, note: str = "") -> str:
    template = (ASSETS / "template.html").read_text(encoding="utf-8")
    data, texts = packed_data(notices, scores is not None)
    n_inc = sum(len(n["incidents"]) for n in notices)
    n_err = sum(1 for n in notices if n.get("error"))
    n_bad = sum(1 for n in notices for s in n["spans"] if s.get("bad"))
    summary = (f"{len(notices)} notices{html.escape(note)} · {n_inc} incidents · {n_err} error records"
               + (f" · <strong class='warn'>{n_bad} spans whose offsets do not match the text</strong>"
                  if n_bad else ""))
    parts = {
        "TITLE": html.escape(title),
        "CSS": (ASSETS / "review.css").read_text(encoding="utf-8"),
        "SUMMARY": summary,
        "SCORES": scores_table(scores) if scores else "",
        "DATA": data,
        "TEXTS": texts,
        "JS": (ASSETS / "review.js").read_text(encoding="utf-8"),
    }
    # one pass, so a notice's text that happens to contain "{{JS}}" is left alone
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], template)


def build_page(pred: Path, gold_path: Path | None = None, corpus: Path | None = None, *,
               where: Sequence[tuple[str, str]] = (), sample: int | None = None, seed: int = 0,
               include_non_notices: bool = False) -> tuple[str, list[dict]]:
    """The HTML of the review page for a prediction file, and the notices it shows.

    Records marked ``leak_notice: false`` are left out unless ``include_non_notices``; with
    ``where`` or ``sample`` only those records (and their gold) are shown."""
    every = read_records(pred)
    records, left_out = leak_notices(every, include_non_notices)
    say_left_out("review", left_out)
    subset = bool(where) or sample is not None
    if subset:
        records = select(records, list(where), sample, seed)
    gold = load_gold(gold_path) if gold_path else None
    if gold is not None and (subset or left_out):
        # gold notices with no record are shown only for a whole run; a subset is its records
        shown = {r["doc_id"] for r in records}
        every_id = {r["doc_id"] for r in every}
        gold = {k: v for k, v in gold.items() if k in shown or (not subset and k not in every_id)}
    scores = score(gold, {r["doc_id"]: r for r in records}) if gold is not None else None
    paths = corpus_paths(corpus) if corpus else None
    ids = [r["doc_id"] for r in records] + [d for d in (gold or {}) if d not in {r["doc_id"] for r in records}]
    by_id = {r["doc_id"]: r for r in records}
    texts = {}
    for doc_id in ids:
        texts[doc_id] = find_text(by_id.get(doc_id, {"doc_id": doc_id}), paths, pred.resolve().parent)
    notices = build_notices(records, texts, gold, scores)
    for n in notices:
        for s in n["spans"]:
            if s.get("bad"):
                log.warning("%s: %s %s", n["id"], s["f"], s["bad"])
    note = f" (of {len(every)} records: {'; '.join(_subset_words(where, sample, left_out))})" \
        if subset or left_out else ""
    return render(notices, scores, f"rouei review — {pred.name}", note), notices


def _subset_words(where, sample: int | None, left_out: int) -> list[str]:
    words = [f"{f}={v}" for f, v in where]
    if sample is not None:
        words.append(f"a random sample of {sample}")
    if left_out:
        words.append(f"{left_out} non-notice(s) left out")
    return words


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="write an HTML page that highlights every extracted span over its text")
    p.add_argument("pred", type=Path, metavar="PRED.jsonl")
    p.add_argument("--gold", type=Path, metavar="GOLD.jsonl", help="mark correct / missed / extra per field")
    p.add_argument("--corpus", type=Path, metavar="DIR",
                   help="where the texts are (manifest.jsonl or DIR/**/<doc_id>.txt); default: each record's source.path")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="review.html")
    p.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                   help="only records where FIELD=VALUE (repeatable, all must hold); FIELD one of "
                        + ", ".join(WHERE))
    p.add_argument("--sample", type=int, metavar="N", help="a random sample of N records (after --where)")
    p.add_argument("--seed", type=int, default=0, help="the sample's random seed (default 0)")
    p.add_argument("--include-non-notices", action="store_true",
                   help="also show records marked leak_notice false")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.corpus and not args.corpus.is_dir():
            raise ValueError(f"--corpus {args.corpus}: not a directory")
        if args.sample is not None and args.sample < 1:
            raise ValueError("--sample must be positive")
        where = parse_where(args.where)
    except ValueError as exc:
        print(f"rouei review: {exc}", file=sys.stderr)
        return 2
    try:
        page, notices = build_page(args.pred, args.gold, args.corpus, where=where, sample=args.sample,
                                   seed=args.seed, include_non_notices=args.include_non_notices)
    except (RoueiError, json.JSONDecodeError, OSError) as exc:
        print(f"rouei review: {exc}", file=sys.stderr)
        return 1
    try:
        with atomic_output(args.output, "w", encoding="utf-8") as fh:
            fh.write(page)
    except OSError as exc:
        print(f"rouei review: {RoueiError('E012', detail=f'{args.output}: {exc}')}", file=sys.stderr)
        return 1
    no_text = sum(1 for n in notices if n["text"] is None and not n.get("error"))
    print(f"review page with {len(notices)} notice(s) written to {args.output}"
          + (f" ({no_text} without their text)" if no_text else ""))
    return 0
