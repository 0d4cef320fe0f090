"""Incidents as VERIS 1.4 JSON (the VERIS Community Database schema): one object per line
(``.jsonl``), or a JSON array for a ``.json`` file.

The mappings from our cause classes and data types live in rules/veris.toml with a reason
for each; the spans that support every value are kept under ``plus.rouei``.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from functools import cache
from pathlib import Path

from rouei.extract.core import rules
from rouei.extract.core.io import atomic_output
from rouei.extract.reports.records import (
    earliest_by_role,
    is_error,
    largest_count,
    parse_iso,
    unique,
)

log = logging.getLogger(__name__)

# Fixed namespace so one notice's incident keeps its incident_id across runs.
_NAMESPACE = uuid.UUID("5b0e1a3c-3f7e-4c1e-9a47-726f7565690a")
# Which date stands for VERIS's timeline.incident, best first: when it happened, else the
# start of the stated period, else when it was found or announced.
TIMELINE_ROLES = ("occurred", "period_start", "discovered", "announced", "reported", "notified")
# When nobody is known to have acted, VERIS has an Unknown actor.
ACTOR_KEYS = {"external": "external", "internal": "internal", "partner": "partner"}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def mapping() -> dict:
    return rules.load("veris")


def _refined(entry: dict, texts: list[str]) -> tuple[list[str], list[str]]:
    """The entry's variety and vector, made exact by refine patterns matching the evidence."""
    varieties, vectors = [], []
    for ref in entry.get("refine", []):
        if any(_compiled(ref["pattern"]).search(t) for t in texts):
            if "variety" in ref:
                varieties.append(ref["variety"])
            if "vector" in ref:
                vectors.append(ref["vector"])
    return varieties or [entry["variety"]], vectors or [entry["vector"]]


def action_and_actor(causes: list[dict], table: dict) -> tuple[dict, dict]:
    """VERIS ``action`` and ``actor`` from an incident's causes (Unknown when none is stated)."""
    action: dict[str, dict] = {}
    actor: dict[str, dict] = {}
    by_class: dict[str, list[str]] = {}
    for c in causes:
        by_class.setdefault(c["category"], []).append(c.get("text", ""))
    for cls, texts in by_class.items():
        entry = table["cause"].get(cls)
        if entry is None:
            log.warning("cause class %r has no VERIS mapping in rules/veris.toml", cls)
            entry = table["cause"]["other"]
        if entry["action"] == "Unknown":
            action.setdefault("Unknown", {"notes": "; ".join(texts)})
            continue
        varieties, vectors = _refined(entry, texts)
        a = action.setdefault(entry["action"], {"variety": [], "vector": []})
        a["variety"] = unique(a["variety"] + varieties)
        a["vector"] = unique(a["vector"] + vectors)
        who = actor.setdefault(ACTOR_KEYS[entry["actor"]], {"variety": ["Unknown"], "motive": []})
        who["motive"] = unique(who["motive"] + [entry["motive"]])
    if not action:
        action["Unknown"] = {"notes": "no cause stated in the notice"}
    if not actor:
        actor["Unknown"] = {"notes": "not stated in the notice"}
    return action, actor


def _ymd(value: str | None) -> dict | None:
    """VERIS's {year, month, day} at the precision written."""
    date, precision = parse_iso(value)
    if date is None:
        return None
    out = {"year": date.year}
    if precision in ("month", "day"):
        out["month"] = date.month
    if precision == "day":
        out["day"] = date.day
    return out


def _notice_date(rec: dict) -> tuple[str | None, str]:
    """The notice's own date: its publication, else the earliest announcement in any incident."""
    if _ymd(rec.get("published")):
        return rec["published"], "published"
    said = sorted(d["value"] for inc in rec.get("incidents", []) for d in inc.get("dates", [])
                  if d.get("role") == "announced" and _ymd(d.get("value")))
    return (said[0], "notice_announced") if said else (None, "")


def timeline(dates: list[dict], rec: dict) -> tuple[dict | None, str | None, dict | None]:
    """``timeline`` (incident date and days to discovery), the role it came from, notification.

    An incident without dates of its own takes the notice's date, as VCDB coders use the
    disclosure date when the incident date is unknown.
    """
    first = earliest_by_role(dates)
    role = next((r for r in TIMELINE_ROLES if _ymd(first.get(r))), None)
    fallback, fallback_from = _notice_date(rec)
    incident = _ymd(first[role]) if role else _ymd(fallback)
    if incident is None:
        return None, None, None
    out: dict = {"incident": incident}
    begun, found = parse_iso(first.get("occurred")), parse_iso(first.get("discovered"))
    if begun[1] == "day" and found[1] == "day" and found[0] >= begun[0]:
        out["discovery"] = {"unit": "Days", "value": (found[0] - begun[0]).days}
    notified = _ymd(first.get("announced") or fallback)
    return out, role or fallback_from, notified


def _evidence(inc: dict) -> dict:
    return {f: [dict(s) for s in inc.get(f, [])] for f in ("dates", "counts", "data_types", "causes")}


def incident_to_veris(rec: dict, n: int, inc: dict, table: dict | None = None) -> dict | None:
    """The VERIS object for incident ``n`` (1-based) of a record; None when it has no date."""
    table = table or mapping()
    tl, tl_role, notified = timeline(inc.get("dates", []), rec)
    if tl is None:
        return None
    defaults = table["defaults"]
    action, actor = action_and_actor(inc.get("causes", []), table)
    count = largest_count(inc.get("counts", []))
    varieties = unique(table["data"].get(d["category"], table["data"]["other"])["variety"]
                       for d in inc.get("data_types", []) if d.get("leaked", True))
    data = [{"variety": v} for v in varieties] or [{"variety": "Unknown"}]
    confidentiality: dict = {"data": data,
                             "data_disclosure": table["disclosure"].get(inc.get("status"), "Unknown")}
    if count:
        # Notices give one total and list the fields each record held, so every variety
        # is taken to cover the same records.
        confidentiality["data_total"] = count["value"]
        for d in data:
            d["amount"] = count["value"]
    org = inc.get("organization") or rec.get("organization")
    src = rec.get("source") or {}
    incident_id = str(uuid.uuid5(_NAMESPACE, f"{rec['doc_id']}#{n}")).upper()
    plus: dict = {"master_id": incident_id, "rouei": {
        "doc_id": rec["doc_id"], "incident": n, "status": inc.get("status"),
        "organization": org, "timeline_from": tl_role,
        "count_unit": count.get("unit") if count else None,
        "extractor": rec.get("extractor"), "evidence": _evidence(inc)}}
    if notified:
        plus["timeline"] = {"notification": notified}
    out = {
        "schema_version": table["schema_version"],
        "incident_id": incident_id,
        "source_id": defaults["source_id"],
        "security_incident": defaults["security_incident"],
        "confidence": defaults["confidence"],
        "summary": rec.get("title") or "",
        "action": action,
        "actor": actor,
        "asset": {"assets": [{"variety": "Unknown"}]},
        "attribute": {"confidentiality": confidentiality},
        "discovery_method": {"unknown": True},
        "impact": {"overall_rating": "Unknown"},
        "timeline": tl,
        "victim": {"victim_id": org or "Unknown", "industry": defaults["industry"],
                   "country": list(defaults["country"]),
                   "employee_count": defaults["employee_count"]},
        "plus": plus,
    }
    url = src.get("url") or src.get("final_url")
    if url:
        out["reference"] = url
    return out


def iter_veris(records: list[dict]):
    """(object or None, record, n) for every incident of the non-error records."""
    table = mapping()
    for rec in records:
        if is_error(rec):
            continue
        for n, inc in enumerate(rec["incidents"], 1):
            yield incident_to_veris(rec, n, inc, table), rec, n


def write_veris(records: list[dict], path: Path, array: bool = False) -> tuple[int, int, int]:
    """Write one VERIS object per line (JSON Lines), or one JSON array when ``array``;
    returns (written, error records, skipped incidents)."""
    written = skipped = 0
    with atomic_output(path, "w", encoding="utf-8") as fh:
        fh.write("[\n" if array else "")
        for obj, rec, n in iter_veris(records):
            if obj is None:
                log.warning("%s incident %d has no date at all; VERIS needs a year, left out",
                            rec["doc_id"], n)
                skipped += 1
                continue
            sep = ",\n" if array and written else ""
            fh.write(sep + json.dumps(obj, ensure_ascii=False) + ("" if array else "\n"))
            written += 1
        fh.write("\n]\n" if array else "")
    return written, sum(1 for r in records if is_error(r)), skipped
