"""``rouei stats``: a corpus at a glance — causes, years of discovery, data types, disclosure lag.

Printed as plain tables; ``--plot FILE.png`` draws the same numbers with matplotlib and
``--json`` gives them to other tools.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.core.io import atomic_output
from rouei.extract.reports.records import (
    Refused,
    is_error,
    parse_iso,
    report_records,
    unique,
)

log = logging.getLogger(__name__)

UNKNOWN = "unknown"


def _day(value: str | None):
    date, precision = parse_iso(value)
    return date if precision == "day" else None


def incident_lag(inc: dict, published: str | None) -> tuple[int | None, str]:
    """Days from the earliest day-precise ``discovered`` to the first announcement after it.

    The announcement is the incident's own ``announced`` date, else the notice's publication
    date. Returns (None, reason) when the lag cannot be measured.
    """
    found = sorted(d for d in (_day(x["value"]) for x in inc.get("dates", [])
                               if x.get("role") == "discovered") if d)
    if not found:
        return None, "no day-precise discovered date"
    said = [d for d in (_day(x["value"]) for x in inc.get("dates", [])
                        if x.get("role") == "announced") if d]
    source = "announced"
    if not said and _day(published):
        said, source = [_day(published)], "published"
    if not said:
        return None, "no announcement date"
    after = [d for d in said if d >= found[0]]
    if not after:
        return None, "announced before discovered"
    return (min(after) - found[0]).days, source


def quartiles(values: list[int]) -> dict:
    import numpy as np

    if not values:
        return {"n": 0}
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return {"n": len(values), "min": min(values), "q1": float(q1), "median": float(med),
            "q3": float(q3), "max": max(values)}


def _discovery_year(inc: dict) -> str:
    years = sorted(x["value"][:4] for x in inc.get("dates", [])
                   if x.get("role") == "discovered" and x.get("value"))
    return years[0] if years else UNKNOWN


def compute(records: list[dict], top: int = 10) -> dict:
    """All the numbers ``rouei stats`` prints, as plain data."""
    notices = [r for r in records if not is_error(r)]
    cause_inc, cause_doc = Counter(), Counter()
    year_inc, year_doc = Counter(), Counter()
    type_inc, type_doc = Counter(), Counter()
    status_inc = Counter()
    lags: list[int] = []
    lag_from, lag_missing = Counter(), Counter()
    n_incidents = 0
    for rec in notices:
        incs = rec["incidents"]
        n_incidents += len(incs)
        doc_causes, doc_types, doc_years = set(), set(), []
        for inc in incs:
            causes = unique(c["category"] for c in inc.get("causes", [])) or ["(none stated)"]
            cause_inc.update(causes)
            doc_causes.update(causes)
            types = unique(d["category"] for d in inc.get("data_types", []) if d.get("leaked", True))
            type_inc.update(types)
            doc_types.update(types)
            year = _discovery_year(inc)
            year_inc[year] += 1
            doc_years.append(year)
            status_inc[inc.get("status") or UNKNOWN] += 1
            lag, how = incident_lag(inc, rec.get("published"))
            if lag is None:
                lag_missing[how] += 1
            else:
                lags.append(lag)
                lag_from[how] += 1
        cause_doc.update(doc_causes)
        type_doc.update(doc_types)
        known = sorted(y for y in doc_years if y != UNKNOWN)
        year_doc[known[0] if known else UNKNOWN] += 1
    return {
        "records": len(records), "errors": len(records) - len(notices),
        "notices": len(notices), "incidents": n_incidents,
        "notices_without_incidents": sum(1 for r in notices if not r["incidents"]),
        "status": dict(status_inc.most_common()),
        "causes": {c: {"notices": cause_doc[c], "incidents": n} for c, n in cause_inc.most_common()},
        "years": {y: {"notices": year_doc[y], "incidents": year_inc[y]}
                  for y in sorted(year_inc, key=lambda y: (y == UNKNOWN, y))},
        "data_types": {t: {"notices": type_doc[t], "incidents": n} for t, n in type_inc.most_common(top)},
        "lag_days": {**quartiles(lags), "from": dict(lag_from), "not_measured": dict(lag_missing),
                     "values": sorted(lags)},
    }


def _table(title: str, head: tuple[str, ...], rows: list[tuple]) -> str:
    cells = [tuple(str(c) for c in head)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    lines = [title]
    for n, r in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if not rows:
        lines.append("(none)")
    return "\n".join(lines)


def format_tables(s: dict) -> str:
    out = [f"records {s['records']}  notices {s['notices']}  incidents {s['incidents']}  "
           f"error records {s['errors']}  notices without incidents {s['notices_without_incidents']}"]
    out.append(_table("Incidents by status", ("status", "incidents"), list(s["status"].items())))
    out.append(_table("By cause class", ("cause", "notices", "incidents"),
                      [(c, v["notices"], v["incidents"]) for c, v in s["causes"].items()]))
    out.append(_table("By year of discovery", ("year", "notices", "incidents"),
                      [(y, v["notices"], v["incidents"]) for y, v in s["years"].items()]))
    out.append(_table("Most frequent leaked data types", ("data type", "notices", "incidents"),
                      [(t, v["notices"], v["incidents"]) for t, v in s["data_types"].items()]))
    lag = s["lag_days"]
    rows = [] if not lag["n"] else [(k, f"{lag[k]:g}") for k in ("n", "min", "q1", "median", "q3", "max")]
    notes = []
    if lag["from"]:
        notes.append("announcement taken from: " + ", ".join(f"{k} {v}" for k, v in lag["from"].items()))
    if lag["not_measured"]:
        notes.append("incidents not measured: " + ", ".join(f"{k} {v}" for k, v in lag["not_measured"].items()))
    out.append("\n".join([_table("Disclosure lag, days from discovered to announced", ("", "days"), rows)] + notes))
    return "\n\n".join(out)


def plot(s: dict, path: Path) -> None:
    """Four panels: causes, years of discovery, data types (incidents), and the lag's spread."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    panels = [(axes[0][0], "Incidents by cause class", s["causes"]),
              (axes[0][1], "Incidents by year of discovery", s["years"]),
              (axes[1][0], "Most frequent leaked data types", s["data_types"])]
    for ax, title, table in panels:
        names = list(table)[::-1]
        ax.barh(names, [table[n]["incidents"] for n in names], color="#4a7ab5")
        ax.set_title(title)
        ax.set_xlabel("incidents")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax = axes[1][1]
    lag = s["lag_days"]
    if lag["n"]:
        ax.hist(lag["values"], bins=min(30, max(5, lag["n"] // 2)), color="#c7793a")
        for key, style in (("q1", ":"), ("median", "-"), ("q3", ":")):
            ax.axvline(lag[key], color="black", linestyle=style, label=f"{key} {lag[key]:g}")
        ax.legend()
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        ax.text(0.5, 0.5, "no measurable lag", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(f"Disclosure lag (days, n={lag['n']})")
    ax.set_xlabel("days from discovered to announced")
    fig.suptitle(f"{s['notices']} notices, {s['incidents']} incidents")
    fig.tight_layout()
    with atomic_output(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=100)
    plt.close(fig)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="summary tables of a prediction file (causes, years, data types, lag)")
    p.add_argument("pred", type=Path, metavar="OUT.jsonl")
    p.add_argument("--plot", type=Path, metavar="FILE.png", help="also draw the numbers as a figure")
    p.add_argument("--top", type=int, default=10, help="how many data types to list (default 10)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON instead of tables")
    p.add_argument("--include-non-notices", action="store_true",
                   help="also count records marked leak_notice false")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        records = report_records("stats", args.pred, args.include_non_notices,
                                 needs=("matplotlib", "--plot") if args.plot else None)
    except Refused as exc:
        return exc.code
    s = compute(records, top=args.top)
    print(json.dumps(s, ensure_ascii=False, indent=1) if args.json else format_tables(s))
    if args.plot:
        try:
            plot(s, args.plot)
        except OSError as exc:
            print(f"rouei stats: {RoueiError('E012', detail=f'{args.plot}: {exc}')}", file=sys.stderr)
            return 1
        log.info("figure written to %s", args.plot)
    return 0
