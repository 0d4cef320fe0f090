"""Choosing the records a report covers: ``--where FIELD=VALUE`` (all must hold) and ``--sample N``."""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Callable

from rouei.extract.reports.records import is_error, is_leak_notice


def _incidents(rec: dict) -> list[dict]:
    return rec.get("incidents") or []


def _items(rec: dict, field: str) -> list[dict]:
    return [x for inc in _incidents(rec) for x in inc.get(field, [])]


def _flag(value: str) -> bool:
    if value.lower() in ("true", "yes", "1"):
        return True
    if value.lower() in ("false", "no", "0"):
        return False
    raise ValueError(f"expected true or false, not {value!r}")


# FIELD -> (what it tests, test(record, value))
WHERE: dict[str, tuple[str, Callable[[dict, str], bool]]] = {
    "doc_id": ("the doc_id matches a glob (shop_*)",
               lambda r, v: fnmatch.fnmatchcase(r["doc_id"], v)),
    "organization": ("the notice's or an incident's organisation contains VALUE",
                     lambda r, v: any(v in (o or "") for o in [r.get("organization")]
                                      + [i.get("organization") for i in _incidents(r)])),
    "cause": ("an incident has this cause class",
              lambda r, v: any(c.get("category") == v for c in _items(r, "causes"))),
    "data_type": ("an incident has this data type leaked",
                  lambda r, v: any(d.get("category") == v and d.get("leaked", True)
                                   for d in _items(r, "data_types"))),
    "not_leaked": ("an incident names this data type as not leaked",
                   lambda r, v: any(d.get("category") == v and not d.get("leaked", True)
                                    for d in _items(r, "data_types"))),
    "status": ("an incident has this status (confirmed, possible, none)",
               lambda r, v: any(i.get("status") == v for i in _incidents(r))),
    "role": ("an incident has a date with this role",
             lambda r, v: any(d.get("role") == v for d in _items(r, "dates"))),
    "year": ("an incident has a date in this year",
             lambda r, v: any(str(d.get("value", "")).startswith(v) for d in _items(r, "dates"))),
    "incidents": ("the number of incidents", lambda r, v: len(_incidents(r)) == int(v)),
    "error": ("an error record or not (true/false)", lambda r, v: is_error(r) == _flag(v)),
    "leak_notice": ("marked a leak notice or not (true/false)",
                    lambda r, v: is_leak_notice(r) == _flag(v)),
}


def parse_where(terms: list[str]) -> list[tuple[str, str]]:
    """``FIELD=VALUE`` terms as pairs; ValueError naming the fields for a bad one."""
    out = []
    for term in terms:
        field, sep, value = term.partition("=")
        field = field.strip()
        if not sep or field not in WHERE:
            raise ValueError(f"--where {term!r}: use FIELD=VALUE with FIELD one of {', '.join(WHERE)}")
        if field in ("error", "leak_notice"):
            _flag(value)
        elif field == "incidents" and not value.strip().isdigit():
            raise ValueError(f"--where {term!r}: incidents takes a whole number")
        out.append((field, value.strip()))
    return out


def select(records: list[dict], where: list[tuple[str, str]], sample: int | None = None,
           seed: int = 0) -> list[dict]:
    """The records that meet every condition; then ``sample`` of them drawn at random
    (reproducibly with ``seed``), kept in file order."""
    kept = [r for r in records if all(WHERE[f][1](r, v) for f, v in where)]
    if sample is not None and sample < len(kept):
        chosen = set(random.Random(seed).sample(range(len(kept)), sample))
        kept = [r for k, r in enumerate(kept) if k in chosen]
    return kept
