"""The accuracy gate's baseline: per gold set, the floors CI holds the scores to and the sha256
of the gold they were measured on (corpus/eval_baseline.json).

A floor is pinned at what the rules reach. When the gold file changes, the floors no longer
mean anything, so the gate refuses to score until the baseline is pinned again on purpose
(``rouei eval GOLD PRED --baseline FILE --set NAME --update-baseline``), which shows up in the
diff of the baseline file like any other change of a threshold.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from rouei.extract.core.errors import RoueiError
from rouei.extract.core.io import atomic_output


def gold_sha256(gold: Path) -> str:
    return hashlib.sha256(gold.read_bytes()).hexdigest()


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        raise RoueiError("E020", detail=f"{path}: not a readable baseline file ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise RoueiError("E020", detail=f"{path}: a baseline maps set names to objects")
    return data


def floors_for(path: Path, name: str, gold: Path) -> dict[str, float]:
    """The floors pinned for gold set ``name``; raises when the set is not pinned or its gold
    file has changed since."""
    entry = _read(path).get(name)
    if entry is None:
        raise RoueiError("E020", detail=f"{path}: no baseline for set {name!r} "
                                        "(pin one with --update-baseline)")
    sha = gold_sha256(gold)
    if entry.get("gold_sha256") != sha:
        raise RoueiError("E020", detail=(
            f"{gold} has changed since its baseline was pinned in {path} (sha256 {sha[:12]}…, "
            f"baseline {str(entry.get('gold_sha256'))[:12]}…): score it, then re-pin the floors "
            "with --update-baseline"))
    floors = entry.get("floors", {})
    return {str(k): float(v) for k, v in floors.items()}


def pin(path: Path, name: str, gold: Path, scores: dict[str, dict]) -> dict[str, float]:
    """Write set ``name``'s entry: the gold's sha256 and floors at the scores reached (rounded
    down to three decimals, so the same run passes its own gate). Other sets are kept."""
    floors = {}
    for field, s in scores.items():
        value = s["f1"] if "f1" in s else s.get("accuracy")
        if value is not None:
            floors[field] = math.floor(value * 1000 + 1e-9) / 1000
    data = _read(path)
    data[name] = {"gold": str(gold), "gold_sha256": gold_sha256(gold), "floors": floors}
    with atomic_output(path, encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    return floors
