"""robots.txt after RFC 9309: groups by user agent, longest-match Allow/Disallow with ``*`` and
``$``, and the (non-standard, widely used) Crawl-delay.

The standard library's parser applies the first matching rule rather than the longest and
ignores wildcards, which turns ``Allow: /news/$`` plus ``Disallow: /`` into the wrong answer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 lets a crawler stop parsing past 500 KiB


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[tuple[bool, str]] = field(default_factory=list)  # (allow, path pattern)
    crawl_delay: float | None = None


def _normalise_path(path: str) -> str:
    """Percent-encode what needs it, decode what need not be encoded, so both sides compare."""
    return quote(unquote(path), safe="/?=&;:@!$'()*+,~%-._")


def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


class Robots:
    """The parsed rules of one host, answering for one product token (``rouei``)."""

    def __init__(self, text: str = "", allow_all: bool = False, disallow_all: bool = False) -> None:
        self.allow_all = allow_all
        self.disallow_all = disallow_all
        self.groups: list[_Group] = _parse(text) if text else []
        self._compiled: dict[str, re.Pattern[str]] = {}
        # (reason, message) when robots.txt got no answer at all (connection refused, timeout)
        self.unreachable: tuple[str, str] | None = None

    @classmethod
    def from_status(cls, status: int | None, body: bytes = b"") -> Robots:
        """RFC 9309 §2.3.1: 2xx → parse; 4xx → no rules; 5xx or unreachable → disallow all."""
        if status is not None and 200 <= status < 300:
            return cls(body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace"))
        if status is not None and 400 <= status < 500 and status != 429:
            return cls(allow_all=True)  # a 429 is an overloaded server, like a 5xx
        return cls(disallow_all=True)

    def _group(self, agent: str) -> _Group | None:
        """The rules for ``agent``: its own groups combined (RFC 9309 §2.2.1), else ``*``'s."""
        token = agent.split("/")[0].strip().lower()
        matched = [g for g in self.groups if token in (a.lower() for a in g.agents)]
        if not matched:
            matched = [g for g in self.groups if "*" in g.agents]
        if not matched:
            return None
        merged = _Group([token])
        for g in matched:
            merged.rules += g.rules
            if g.crawl_delay is not None:
                merged.crawl_delay = g.crawl_delay
        return merged

    def allowed(self, url: str, agent: str) -> bool:
        if self.disallow_all:
            return False
        if self.allow_all:
            return True
        path = urlsplit(url).path or "/"
        if path == "/robots.txt":
            return True
        query = urlsplit(url).query
        target = _normalise_path(path + ("?" + query if query else ""))
        group = self._group(agent)
        if group is None:
            return True
        best_len, verdict = -1, True
        for allow, pattern in group.rules:
            if not pattern:
                continue  # "Disallow:" with no path allows everything
            rx = self._compiled.get(pattern)
            if rx is None:
                rx = self._compiled[pattern] = _compile(_normalise_path(pattern))
            if rx.match(target):
                # the longest pattern wins; on a tie, Allow wins
                if len(pattern) > best_len or (len(pattern) == best_len and allow):
                    best_len, verdict = len(pattern), allow
        return verdict

    def crawl_delay(self, agent: str) -> float | None:
        group = None if (self.allow_all or self.disallow_all) else self._group(agent)
        return group.crawl_delay if group else None


def _parse(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    in_agents = False  # consecutive user-agent lines start one group
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, _, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key in ("user-agent", "useragent"):
            if not in_agents:
                current = _Group()
                groups.append(current)
            assert current is not None
            current.agents.append(value.split("/")[0].strip())
            in_agents = True
            continue
        in_agents = False
        if current is None:
            continue
        if key in ("allow", "disallow"):
            current.rules.append((key == "allow", value))
        elif key in ("crawl-delay", "crawldelay"):
            try:
                delay = float(value)
            except ValueError:
                continue
            # "inf", "1e999" and "nan" parse as floats but are no delay anyone can wait
            if math.isfinite(delay) and delay >= 0:
                current.crawl_delay = delay
    return groups
