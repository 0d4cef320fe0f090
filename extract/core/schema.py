"""Checking every rule file against rules/schema.toml before a run (as spaCy validates its
patterns): a misspelt key, a regex that does not compile, an unknown category or a missing
key is reported with its file, entry and key, and the run stops before writing anything.

The schemas are data (rules/schema.toml), so a new key is one word there. A rule file, or a
section of one, without a schema is only checked for TOML syntax and for the regexes in keys
named like patterns, with a warning: a new rule file works before its schema is written."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rouei.extract.core import compiled, rules
from rouei.extract.core.errors import RoueiError
from rouei.extract.core.io import atomic_output

log = logging.getLogger(__name__)

SCHEMA_FILE = "schema.toml"
_FRAGMENT = compiled.regex(r"\{\{(\w+)\}\}")
_PATTERN_KEY = compiled.regex(r"^(?:regex|pattern|patterns)$|_(?:regex|pattern)$")


@dataclass
class _Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _read(path: Path, report: _Report) -> dict[str, Any] | None:
    """The parsed file, through the rules loader's cache: the run reads it from there."""
    try:
        return rules.load_path(path)
    except RoueiError as exc:
        cause = exc.__cause__
        if isinstance(cause, tomllib.TOMLDecodeError):
            report.errors.append(f"{path.name}: not valid TOML: {cause}")
        else:
            report.errors.append(f"{path.name}: cannot read: {getattr(cause, 'strerror', None) or cause}")
    return None


class _Checker:
    """Checks the parsed files of one rules folder; problems go to ``report``."""

    def __init__(self, files: dict[str, dict], schema: dict, report: _Report) -> None:
        self.files, self.schema, self.report = files, schema, report
        frags = files.get("fragments", {})
        self.fragments = {k: v["regex"] for k, v in frags.items()
                          if isinstance(v, dict) and isinstance(v.get("regex"), str)}
        self._taxa: dict[str, frozenset[str] | None] = {}

    def taxonomy(self, name: str) -> frozenset[str] | None:
        """The values of taxonomy ``name`` (None when the schema does not define it)."""
        if name not in self._taxa:
            spec = self.schema.get("taxonomy", {}).get(name)
            values: frozenset[str] | None = None
            if isinstance(spec, list):
                values = frozenset(spec)
            elif isinstance(spec, dict):
                node: Any = self.files.get(spec.get("file", ""), {})
                if spec.get("table"):
                    node = node.get(spec["table"], {})
                if spec.get("field") and isinstance(node, list):
                    values = frozenset(str(e.get(spec["field"])) for e in node if isinstance(e, dict))
                elif isinstance(node, dict):
                    values = frozenset(k for k, v in node.items() if isinstance(v, dict))
            self._taxa[name] = values
        return self._taxa[name]

    def regex(self, where: str, value: Any, defines: dict[str, str]) -> None:
        for pattern in value if isinstance(value, list) else [value]:
            if not isinstance(pattern, str):
                self.report.errors.append(f"{where}: a regex must be a string, not {pattern!r}")
                continue
            try:
                # compiled as the extractors compile most rule patterns (guarded; one the guard
                # leaves alone serves as the plain pattern too): the objects they then use
                rules.guarded(self._expand(pattern, defines, 0))
            except (re.error, KeyError, RecursionError) as exc:
                why = f"unknown fragment {{{{{exc.args[0]}}}}}" if isinstance(exc, KeyError) else exc
                self.report.errors.append(f"{where}: invalid regex {pattern!r}: {why}")

    def _expand(self, pattern: str, defines: dict[str, str], depth: int) -> str:
        if depth > 20:
            raise RecursionError("fragments refer to each other in a loop")

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            body = defines.get(name, self.fragments.get(name))
            if not isinstance(body, str):
                raise KeyError(name)
            return "(?:" + self._expand(body, defines, depth + 1) + ")"

        return _FRAGMENT.sub(sub, pattern)

    def file(self, name: str, data: dict) -> None:
        spec = self.schema.get(name)
        defines = data.get("define", {}) if isinstance(data.get("define"), dict) else {}
        if not isinstance(spec, dict):
            self.report.warnings.append(f"{name}.toml has no schema in rules/{SCHEMA_FILE}: "
                                        "only its TOML syntax and regexes were checked")
            self.loose(f"{name}.toml", data, defines)
            return
        for section, value in data.items():
            sec_spec = spec.get(section, spec.get("*"))
            where = f"{name}.toml [{section}]"
            if not isinstance(value, (dict, list)) or (isinstance(value, list) and not all(
                    isinstance(e, dict) for e in value)):
                continue  # a top-level value (schema_version = "1.4")
            if not isinstance(sec_spec, dict):
                self.report.warnings.append(f"{where} has no schema in rules/{SCHEMA_FILE}: "
                                            "only its regexes were checked")
                self.loose(where, value, defines)
                continue
            for label, entry in self.entries(f"{name}.toml", section, value, sec_spec):
                self.entry(f"{name}.toml {label}", entry, sec_spec, defines)

    def entries(self, fname: str, section: str, value: dict | list, spec: dict):
        if isinstance(value, list):
            for n, e in enumerate(value, 1):
                tag = next((str(e[k]) for k in ("name", "unit", "class", "role", "status")
                            if isinstance(e.get(k), str)), "")
                yield f"[[{section}]] #{n}" + (f" ({tag})" if tag else ""), e
        elif spec.get("each"):
            names = self.taxonomy(spec["names"]) if spec.get("names") else None
            for key, e in value.items():
                if names is not None and key not in names:
                    self.report.errors.append(f"{fname} [{section}.{key}]: unknown {spec['names']} "
                                              f"{key!r} (known: {', '.join(sorted(names))})")
                if isinstance(e, dict):
                    yield f"[{section}.{key}]", e
                else:
                    self.report.errors.append(f"{fname} [{section}.{key}]: must be a table")
        else:
            yield f"[{section}]", value

    def entry(self, where: str, entry: dict, spec: dict, defines: dict[str, str]) -> None:
        allowed = spec.get("keys", ["*"])
        regex_keys = spec.get("regex", [])
        for key, value in entry.items():
            if "*" not in allowed and key not in allowed:
                hint = _closest(key, allowed)
                self.report.errors.append(f"{where}: unknown key {key!r}"
                                          + (f" (did you mean {hint!r}?)" if hint else "")
                                          + f"; allowed: {', '.join(allowed)}")
                continue
            if key in regex_keys or "*" in regex_keys:
                self.regex(f"{where} key {key!r}", value, defines)
            elif isinstance(value, (dict, list)):
                self.loose(f"{where} key {key!r}", value, defines)
        for key in spec.get("required", []):
            if key not in entry:
                self.report.errors.append(f"{where}: missing key {key!r}")
        for key, taxonomy in spec.get("category", {}).items():
            if key not in entry:
                continue
            values = self.taxonomy(taxonomy)
            if values is None:
                self.report.errors.append(f"rules/{SCHEMA_FILE}: unknown taxonomy {taxonomy!r}")
                continue
            for v in entry[key] if isinstance(entry[key], list) else [entry[key]]:
                if v not in values:
                    self.report.errors.append(f"{where} key {key!r}: unknown {taxonomy} {v!r} "
                                              f"(known: {', '.join(sorted(values))})")

    def loose(self, where: str, node: Any, defines: dict[str, str]) -> None:
        """Regexes in keys named like patterns, anywhere in ``node``."""
        if isinstance(node, list):
            for n, e in enumerate(node, 1):
                self.loose(f"{where} #{n}", e, defines)
        elif isinstance(node, dict):
            for key, value in node.items():
                if _PATTERN_KEY.search(key) and isinstance(value, (str, list)):
                    self.regex(f"{where} key {key!r}", value, defines)
                elif isinstance(value, (dict, list)):
                    self.loose(f"{where} [{key}]", value, defines)


def _closest(key: str, allowed: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    return found[0] if found else None


def check_rules(root: Path | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings) for the rule files of ``root`` (default: the rules in use)."""
    root = Path(root) if root is not None else rules.rules_dir()
    report = _Report()
    schema_path = root / SCHEMA_FILE
    schema = (_read(schema_path, report) or {}) if schema_path.exists() else {}
    if not schema_path.exists():
        report.warnings.append(f"no rules/{SCHEMA_FILE}: rule files were only checked for syntax")
    files: dict[str, dict] = {}
    for path in sorted(root.glob("*.toml")):
        if path.name == SCHEMA_FILE:
            continue
        data = _read(path, report)
        if data is not None:
            files[path.stem] = data
    checker = _Checker(files, schema, report)
    for name, data in files.items():
        checker.file(name, data)
    # the sections this version of rouei reads are those its own schema lists: a copy of rules/
    # from an older version carries an older schema.toml, which knows nothing of newer ones
    shipped = rules._rules_dir(None) / SCHEMA_FILE
    wanted = schema
    if shipped.exists() and shipped.resolve() != schema_path.resolve():
        wanted = _read(shipped, _Report()) or schema
    _missing(files, wanted, report, {p.stem for p in root.glob("*.toml")})
    return report.errors, report.warnings


def _missing(files: dict[str, dict], schema: dict, report: _Report, present: set[str]) -> None:
    """An error for each rule file and section ``schema`` (the shipped one) lists, not marked
    ``optional``, that the rules lack: the extractors read them, and without this every document of a run would
    fail alone with a bare KeyError (a copy of rules/ taken before a version that added one)."""
    for name, spec in schema.items():
        if name == "taxonomy" or not isinstance(spec, dict):
            continue
        wanted = [sec for sec, sec_spec in spec.items()
                  if sec != "*" and isinstance(sec_spec, dict) and not sec_spec.get("optional")]
        if name not in files:  # not there, or not valid TOML (said above)
            if wanted and name not in present:
                report.errors.append(f"{name}.toml is missing: rouei reads its sections "
                                     f"[{'], ['.join(wanted)}]")
            continue
        for sec in wanted:
            if sec not in files[name]:
                report.errors.append(f"{name}.toml has no [{sec}] section, which rouei reads (a copy "
                                     "of rules/ from an older version? the shipped file has it)")


def validate_rules(root: Path | None = None, stamp_dir: str | Path | None = None) -> None:
    """Log the warnings; raise E006 naming every problem when a rule file is invalid.

    With ``stamp_dir`` (the cache directory), rules that passed are not checked again: a stamp
    there holds the digest of the rule files that passed, with this checker's and the
    interpreter's, and the warnings they gave, which are logged again. A change to any rule
    file, to the checker or to Python checks them again (and a broken file fails as before)."""
    key = _stamp_key(root) if stamp_dir else None
    stamped = _stamped_warnings(Path(stamp_dir), key) if stamp_dir and key else None
    errors, warnings = ([], stamped) if stamped is not None else check_rules(root)
    for w in warnings:
        log.warning("rules: %s", w)
    if errors:
        where = root if root is not None else rules.rules_dir()
        raise RoueiError("E006", detail=f"{where}:\n  " + "\n  ".join(errors))
    if stamp_dir and key and stamped is None:
        _stamp(Path(stamp_dir), key, warnings)


STAMP_NAME = "rules-checked.json"


def _stamp_key(root: Path | None) -> str | None:
    """Digest of what a check's verdict depends on: the rule files, this checker, the shipped
    schema (the sections this version reads), Python."""
    try:
        digest = rules.rules_hash(root) if root is not None else rules.rules_hash_cached()
        checker = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
        shipped = rules._rules_dir(None) / SCHEMA_FILE
        own = hashlib.sha256(shipped.read_bytes()).hexdigest() if shipped.exists() else ""
    except OSError:
        return None  # no stamp: check every time
    return hashlib.sha256(f"{digest}\0{checker}\0{own}\0{sys.version}".encode()).hexdigest()


def _stamped_warnings(directory: Path, key: str) -> list[str] | None:
    """The warnings of the rules that passed with ``key``; None when they were not stamped."""
    try:
        with open(directory / STAMP_NAME, encoding="utf-8") as fh:
            stamp = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("key") != key:
        return None
    warnings = stamp.get("warnings")
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        return None
    return warnings


def _stamp(directory: Path, key: str, warnings: list[str]) -> None:
    try:
        # not durable: a stamp a crash leaves empty does not parse, and the rules are checked again
        with atomic_output(directory / STAMP_NAME, encoding="utf-8", durable=False) as fh:
            json.dump({"key": key, "warnings": warnings}, fh, ensure_ascii=False)
    except OSError as exc:  # an unwritable cache: the rules are checked again next time
        log.debug("cannot write %s: %s", directory / STAMP_NAME, exc)
