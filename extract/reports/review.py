"""``rouei review``: one self-contained HTML page to check what was extracted, span by span.

The page lists the notices and shows each one's text with every extracted span highlighted
by field; with ``--gold`` it marks what is correct, missed or extra. Everything (data, CSS,
JS from ``review_assets/``) is inlined so the file works opened from disk, offline.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import sys
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.core.io import atomic_output
from rouei.extract.doc.text import read_document
from rouei.extract.reports.evaluate import ACCURACY_FIELDS, SET_FIELDS, gold_sets, load_gold, score
from rouei.extract.reports.records import is_error, largest_count, read_records, unique
from rouei.extract.run.inputs import SUFFIXES

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "review_assets"
_PLACEHOLDER = re.compile(r"\{\{(TITLE|CSS|SUMMARY|SCORES|DATA|JS)\}\}")
FIELDS = ("dates", "counts", "data_types", "causes")
# The score fields each highlighted field answers for (SPEC section 6).
SCORE_FIELDS = {"dates": ("dates", "date_roles"), "counts": ("counts",),
                "data_types": ("data_types_leaked", "data_types_not_leaked"), "causes": ("causes",)}


# ---------------------------------------------------------------------------------------
# Finding each notice's analysed text


def corpus_paths(corpus: Path) -> dict[str, Path]:
    """doc_id -> file: from ``manifest.jsonl`` when there is one, else ``**/<doc_id>.<ext>``."""
    manifest = corpus / "manifest.jsonl"
    out: dict[str, Path] = {}
    if manifest.is_file():
        with open(manifest, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                e = json.loads(line)
                if e.get("doc_id") and e.get("text_path"):
                    out[e["doc_id"]] = corpus / e["text_path"]
        return out
    for f in sorted(corpus.rglob("*")):
        if f.is_file() and f.suffix.lower() in SUFFIXES:
            # a .txt beside the .html it came from is the text that was analysed
            if f.stem not in out or f.suffix.lower() == ".txt":
                out[f.stem] = f
    return out


def find_text(rec: dict, paths: dict[str, Path] | None, base: Path) -> tuple[str | None, str | None]:
    """(text, None) or (None, why not): from the corpus, else the record's ``source.path``."""
    if paths is not None:
        path = paths.get(rec["doc_id"])
        if path is None:
            return None, "not found in the corpus directory"
    else:
        given = (rec.get("source") or {}).get("path")
        if not given:
            return None, "the record names no source path (use --corpus)"
        path = Path(given)
        if not path.exists() and not path.is_absolute():
            # a relative path is relative to where extract ran: often the prediction's
            # folder or one above it (out/corpus.jsonl next to corpus/)
            path = next((d / path for d in (base, *base.parents) if (d / path).exists()), path)
    try:
        return read_document(path)[0], None
    except Exception as exc:  # any unreadable file becomes a note on the page, not a crash
        log.warning("%s: cannot read %s: %s", rec["doc_id"], path, exc)
        return None, f"cannot read {path}: {exc}"


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


def _json_for_script(data) -> str:
    # "<" escaped so no notice text can close the <script> element early
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render(notices: list[dict], scores: dict | None, title: str) -> str:
    template = (ASSETS / "template.html").read_text(encoding="utf-8")
    n_inc = sum(len(n["incidents"]) for n in notices)
    n_err = sum(1 for n in notices if n.get("error"))
    n_bad = sum(1 for n in notices for s in n["spans"] if s.get("bad"))
    summary = (f"{len(notices)} notices · {n_inc} incidents · {n_err} error records"
               + (f" · <strong class='warn'>{n_bad} spans whose offsets do not match the text</strong>"
                  if n_bad else ""))
    parts = {
        "TITLE": html.escape(title),
        "CSS": (ASSETS / "review.css").read_text(encoding="utf-8"),
        "SUMMARY": summary,
        "SCORES": scores_table(scores) if scores else "",
        "DATA": _json_for_script({"notices": notices, "gold": scores is not None}),
        "JS": (ASSETS / "review.js").read_text(encoding="utf-8"),
    }
    # one pass, so a notice's text that happens to contain "{{JS}}" is left alone
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], template)


def build_page(pred: Path, gold_path: Path | None = None, corpus: Path | None = None) -> tuple[str, list[dict]]:
    """The HTML of the review page for a prediction file, and the notices it shows."""
    records = read_records(pred)
    gold = load_gold(gold_path) if gold_path else None
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
    return render(notices, scores, f"rouei review — {pred.name}"), notices


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="write an HTML page that highlights every extracted span over its text")
    p.add_argument("pred", type=Path, metavar="PRED.jsonl")
    p.add_argument("--gold", type=Path, metavar="GOLD.jsonl", help="mark correct / missed / extra per field")
    p.add_argument("--corpus", type=Path, metavar="DIR",
                   help="where the texts are (manifest.jsonl or DIR/**/<doc_id>.txt); default: each record's source.path")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="review.html")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.corpus and not args.corpus.is_dir():
        print(f"rouei review: --corpus {args.corpus}: not a directory", file=sys.stderr)
        return 2
    try:
        page, notices = build_page(args.pred, args.gold, args.corpus)
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
