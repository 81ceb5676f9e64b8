"""What an import plans to write: units, cycles and one OKR file per unit per cycle.

Plain data, filled in by :mod:`okrsite.intake.plan` and read by
:mod:`~okrsite.intake.render` and :mod:`~okrsite.intake.apply`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from okrsite.model import Confidence


@dataclass
class ExistingItem:
    ref: str
    title: str
    unit: str
    is_kr: bool


@dataclass
class Existing:
    """What the import needs to know about the content already there."""

    company_name: str
    units: dict[str, tuple[str, str]]
    """Unit id → (name, parent id)."""
    cycles: dict[str, str]
    """Cycle id → display name (its ``name`` or its id)."""
    items: dict[str, list[ExistingItem]] = field(default_factory=dict)
    """Cycle id → objectives and key results, for parents named by title."""
    cycle_dates: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    """Cycle id → (start, end), to tell which cycles contain which."""


@dataclass
class PlannedKR:
    id: str
    title: str
    row: int
    owner: str | None = None
    start: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str | None = None
    prefix: str | None = None
    done: bool | None = None
    confidence: Confidence | None = None
    contributes_to: list[str] = field(default_factory=list)


@dataclass
class PlannedObjective:
    id: str
    title: str
    unit: str
    cycle: str
    row: int
    owner: str | None = None
    description: str | None = None
    aligns_to: list[str] = field(default_factory=list)
    key_results: list[PlannedKR] = field(default_factory=list)


@dataclass
class NewUnit:
    id: str
    name: str
    kind: str
    parent: str
    row: int


@dataclass
class NewCycle:
    id: str
    start: dt.date
    end: dt.date


@dataclass
class Plan:
    source: str
    files: dict[tuple[str, str], list[PlannedObjective]] = field(default_factory=dict)
    """(cycle, unit) → objectives, in the order the file lists them."""
    rows: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    new_units: list[NewUnit] = field(default_factory=list)
    new_cycles: list[NewCycle] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    links: int = 0
    notes: list[str] = field(default_factory=list)
    """Things the import did not do but did not refuse (links across cycles)."""

    @property
    def objective_count(self) -> int:
        return sum(len(objs) for objs in self.files.values())

    @property
    def kr_count(self) -> int:
        return sum(len(o.key_results) for objs in self.files.values() for o in objs)


def quarter_dates(cycle_id: str) -> NewCycle | None:
    """``2027-Q1`` → its first and last day; ``None`` for other ids."""
    match = re.fullmatch(r"(\d{4})-Q([1-4])", cycle_id)
    if not match:
        return None
    year, quarter = int(match[1]), int(match[2])
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
    return NewCycle(cycle_id, start, end)
