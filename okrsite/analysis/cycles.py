"""Which cycle is "now", and which one follows it. Pure; the one owner of the rule.

The site's home page and default graph, ``okrsite history``/``drift`` without
``--cycle``, and the cadence status all ask "which cycle do we mean today?";
they all ask :func:`current_cycle`, so they never disagree.

The rule (what a reader of the site expects)
--------------------------------------------
1. The cycle that contains ``today`` (``start <= today <= end``). When
   several do (a year-long cycle containing its quarters), the innermost:
   the one that started last, then the one that ends first — "this quarter",
   not "this year".
2. Else (between cycles, or after the last one) the cycle that started last,
   by the same order: the one just finished, which is being graded. Its
   successor may be in planning, but it has no results yet to show.
3. Else (nothing has started) the first to start: the one being planned.

Ties are broken by dates, then by id, never by the order of ``company.yaml``:
moving a cycle's entry in the file does not change which one is current.

"The next cycle" (:func:`next_cycle`) is a different question: the first
cycle that starts after a given one ends, i.e. the one planned during its
last week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from okrsite.errors import OkrsiteError
from okrsite.model import CycleDef, OkrModel


def _innermost_latest(cycle: CycleDef) -> tuple[int, dt.date, str]:
    """Sort key: latest start first, then earliest end, then id."""
    return (-cycle.start.toordinal(), cycle.end, cycle.id)


def current_cycle(cycles: Iterable[CycleDef], today: dt.date) -> CycleDef | None:
    """The cycle a reader means by "now" (see the module docstring); None
    when there are no cycles."""
    cycles = list(cycles)
    containing = [c for c in cycles if c.start <= today <= c.end]
    if containing:
        return min(containing, key=_innermost_latest)
    started = [c for c in cycles if c.start <= today]
    if started:
        return min(started, key=_innermost_latest)
    if not cycles:
        return None
    return min(cycles, key=lambda c: (c.start, c.end, c.id))


def current_cycle_id(model: OkrModel, today: dt.date) -> str:
    """The id of the model's current cycle (see :func:`current_cycle`)."""
    cycle = current_cycle((c.definition for c in model.cycles.values()), today)
    if cycle is None:
        raise OkrsiteError("company.yaml defines no cycles")
    return cycle.id


def closed_cycle_ids(model: OkrModel, today: dt.date) -> list[str]:
    """Cycles that ended before ``today`` and are not the current one: the
    cycles a build keeps between builds (their content can no longer change
    what the site shows of them but by an edit to their files)."""
    current = current_cycle_id(model, today)
    return [
        cycle_id
        for cycle_id, cycle in model.cycles.items()
        if cycle_id != current and cycle.definition.end < today
    ]


def next_cycle(cycles: Iterable[CycleDef], cycle: CycleDef) -> CycleDef | None:
    """The first cycle to start after ``cycle`` ends (the shorter one when two
    start on the same day), if any. Cycles inside ``cycle`` (the quarters of
    a year) do not follow it."""
    later = [c for c in cycles if c.start > cycle.end]
    return min(later, key=lambda c: (c.start, c.end, c.id)) if later else None
