"""The typed items each field extractor returns; every one keeps its span in the analysed text."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Item:
    """A piece of evidence: its text and its character offsets in the document."""
    text: str
    start: int
    end: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DateItem(Item):
    """A date, as an ISO 8601 value at the precision written, with its role."""
    value: str = ""  # ISO 8601 at the precision written: YYYY-MM-DD, YYYY-MM or YYYY
    role: str = "other"

    def to_json(self) -> dict:
        return {"value": self.value, "role": self.role, "text": self.text,
                "start": self.start, "end": self.end}


@dataclass(frozen=True)
class CountItem(Item):
    """A count of people or records, with its unit and whether it is approximate."""
    value: int = 0
    unit: str = ""
    approximate: bool = False

    def to_json(self) -> dict:
        return {"value": self.value, "unit": self.unit, "approximate": self.approximate,
                "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class DataTypeItem(Item):
    """A kind of data named in the notice, and whether the notice says it leaked."""
    category: str = "other"
    leaked: bool = True

    def to_json(self) -> dict:
        return {"category": self.category, "leaked": self.leaked, "text": self.text,
                "start": self.start, "end": self.end}


@dataclass(frozen=True)
class CauseItem(Item):
    """A stated cause, its category, and the classes it yields to in the same incident."""
    category: str = "other"
    # classes that, stated elsewhere in the same incident, make this cue a consequence
    yields: frozenset[str] = frozenset()

    def to_json(self) -> dict:
        return {"category": self.category, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class StatusItem(Item):
    """Evidence for an incident's status: confirmed, possible or none."""

    status: str = "confirmed"


@dataclass(frozen=True)
class OrgItem(Item):
    """An organisation named in the text (the notice's own, or an incident's)."""

    name: str = ""
    label: str = "org"  # org | self_ref (当社, 弊社, 本市 ...)


@dataclass
class Mention:
    """One date as found: its span in the normalised copy and what it says."""

    ns: int
    ne: int
    pattern: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    yy: int | None = None  # two-digit year, century still to find
    rel: str | None = None  # 昨年, 同年 ... (year relative to an anchor)
    relm: str | None = None  # 同月, 先月 ... (month relative to an anchor)
    fiscal: bool = False
    period: str | None = None  # period_start / period_end when one end of a range
    inherit: Mention | None = None  # range start whose year/month a bare range end takes
    stamp: bool = False  # an update stamp in brackets closing its line: not a year anchor

    @property
    def value(self) -> str | None:
        if self.year is None:
            return None
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
