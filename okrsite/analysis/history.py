"""Progress over time: cycle summaries, score distributions, unit trends and
recent check-ins. Pure functions of the (redacted) model; their charts are
drawn by :mod:`okrsite.render.history_charts`.

Definitions
-----------
Score of a KR
    ``score`` when graded, else computed progress (:func:`progress.kr_score`).
On track
    A KR whose score/progress is in the green band (``scoring.green``).
Distribution
    KR scores in ten bins of 0.1: ``[0.0, 0.1)`` … ``[0.9, 1.0]`` (1.0 falls in
    the last bin); each bin is coloured by the band of its lower edge.
Recent check-ins
    Check-ins dated in ``(today − days, today]``, newest first, each with the
    previous check-in value of the same KR so the page can show the change.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

from okrsite.analysis.progress import (
    Band,
    ProgressOf,
    band,
    kr_score,
    objective_progress,
    unit_progress,
)
from okrsite.model import (
    ROOT_UNIT,
    CheckIn,
    Cycle,
    KeyResult,
    Objective,
    OkrModel,
    Scoring,
    UnitOkrs,
    load_checkins,
)

DISTRIBUTION_BINS = 10


@dataclass(frozen=True)
class CycleSummary:
    """Headline numbers of one cycle, over every unit's public OKRs."""

    objectives: int
    key_results: int
    scored: int
    """KRs with a score or computed progress."""
    on_track: int
    """KRs in the green band."""
    mean_score: float | None
    achieved: int
    missed: int
    postponed: int
    distribution: tuple[int, ...]
    """KR counts per bin of 0.1 (see the module docstring)."""

    @property
    def on_track_share(self) -> float | None:
        return None if self.scored == 0 else self.on_track / self.scored


def _bin(score: float) -> int:
    return min(DISTRIBUTION_BINS - 1, max(0, math.floor(score * DISTRIBUTION_BINS + 1e-9)))


SummaryParts = MutableMapping[tuple[str, str], tuple[object, object, "_FileSummary"]]
"""(cycle, unit) → (the unit file's content object, the scoring, its part of
the cycle's summary): kept by a preview server between rebuilds."""


@dataclass(frozen=True)
class _FileSummary:
    """One unit file's part of :class:`CycleSummary`."""

    objectives: int
    key_results: int
    scores: list[float]
    on_track: int
    achieved: int
    missed: int
    postponed: int

    @classmethod
    def of(cls, objectives: list[Objective], scoring: Scoring) -> _FileSummary:
        krs: list[KeyResult] = [kr for o in objectives for kr in o.key_results]
        scores = [s for s in (kr_score(kr) for kr in krs) if s is not None]
        return cls(
            objectives=len(objectives),
            key_results=len(krs),
            scores=scores,
            on_track=sum(1 for s in scores if band(s, scoring) == "green"),
            achieved=sum(1 for o in objectives if o.outcome == "achieved"),
            missed=sum(1 for o in objectives if o.outcome == "missed"),
            postponed=sum(1 for o in objectives if o.outcome == "postponed"),
        )


def cycle_summary(
    model: OkrModel, cycle: Cycle, kept: SummaryParts | None = None
) -> CycleSummary:
    """Counts, share on track, outcomes and the score distribution of a cycle.
    ``kept``: each unit file's part from earlier calls (a preview server's),
    used again while the file's content is the same object and the scoring equal."""
    scoring = model.company.scoring
    parts: list[_FileSummary] = []
    for unit_id, okrs in cycle.okrs.items():
        found = kept.get((cycle.id, unit_id)) if kept is not None else None
        if found is None or found[0] is not okrs.content or found[1] != scoring:
            found = (okrs.content, scoring, _FileSummary.of(okrs.public_objectives, scoring))
            if kept is not None:
                # The content object is kept with its part: its id cannot be reused.
                kept[(cycle.id, unit_id)] = found
        parts.append(found[2])
    # One list in file order: the mean sums the scores in the same order as ever.
    scores = [score for part in parts for score in part.scores]
    bins = [0] * DISTRIBUTION_BINS
    for score in scores:
        bins[_bin(score)] += 1
    return CycleSummary(
        objectives=sum(part.objectives for part in parts),
        key_results=sum(part.key_results for part in parts),
        scored=len(scores),
        on_track=sum(part.on_track for part in parts),
        mean_score=sum(scores) / len(scores) if scores else None,
        achieved=sum(part.achieved for part in parts),
        missed=sum(part.missed for part in parts),
        postponed=sum(part.postponed for part in parts),
        distribution=tuple(bins),
    )


def is_graded(cycle: Cycle) -> bool:
    """A cycle counts as graded when the company's OKRs are graded, or when
    every unit file in it is (a cycle without OKRs is not graded)."""
    company = cycle.okrs.get(ROOT_UNIT)
    if company is not None:
        return company.content.status == "graded"
    return bool(cycle.okrs) and all(o.content.status == "graded" for o in cycle.okrs.values())


@dataclass(frozen=True)
class UnitCycleRecord:
    """A unit's result in one cycle, for its profile page."""

    cycle_id: str
    cycle_title: str
    status: str | None
    """``None`` when the unit had no OKRs in the cycle."""
    objectives: int
    key_results: int
    value: float | None
    """Score when graded, else progress (``unit_progress``)."""
    graded: bool
    band: Band


def unit_history(
    model: OkrModel, unit_id: str, progress: ProgressOf = objective_progress
) -> list[UnitCycleRecord]:
    """The unit's result in every cycle, oldest first (the order of a trend);
    ``progress``: how an objective's progress is got (the build's memo)."""
    out: list[UnitCycleRecord] = []
    cycles = sorted(model.cycles.values(), key=lambda c: (c.definition.start, c.id))
    for cycle in cycles:
        okrs = cycle.okrs.get(unit_id)
        value = unit_progress(okrs, progress=progress) if okrs else None
        out.append(
            UnitCycleRecord(
                cycle_id=cycle.id,
                cycle_title=cycle.title,
                status=okrs.content.status if okrs else None,
                objectives=len(okrs.public_objectives) if okrs else 0,
                key_results=sum(len(o.key_results) for o in okrs.public_objectives) if okrs else 0,
                value=value,
                graded=bool(okrs and okrs.content.status == "graded"),
                band=band(value, model.company.scoring),
            )
        )
    return out


@dataclass(frozen=True)
class RecentCheckin:
    """A check-in from the last few days, with what it changed."""

    cycle_id: str
    unit_id: str
    objective: Objective
    key_result: KeyResult
    checkin: CheckIn
    previous_value: float | None
    """The value of the KR's previous check-in (``None`` if first or no value)."""


RecentByUnit = MutableMapping[
    tuple[str, str],
    tuple[object, dt.date, dt.date, int, list[tuple[int, int, int, RecentCheckin]]],
]
"""(cycle, unit) → (the unit file's content object, the window's ends, the
limit, its recent check-ins as (−date ordinal, objective position, KR
position, check-in), in that order): what :func:`recent_checkins` found in
each unit file, kept by a preview server between rebuilds."""


CheckinSpans = Mapping[tuple[str, str], tuple[dt.date, dt.date] | None]
"""(cycle, unit) → the first and last date of the check-ins of the unit
file's public objectives (None: it has none), see :func:`checkin_span`: what
a build knows of closed cycles' files without walking their check-ins
(``okrsite/site/checkindates.py`` keeps it by the cycle's input files)."""


def checkin_span(okrs: UnitOkrs) -> tuple[dt.date, dt.date] | None:
    """The first and last date of the check-ins of a unit file's public
    objectives (None: it has none): what :func:`recent_checkins` and the
    feed (``render.feed.checkins_atom``) look for in a file."""
    load_checkins(okrs)  # a kept closed quarter's come packed
    dates = [
        checkin.date
        for objective in okrs.public_objectives
        for kr in objective.key_results
        for checkin in kr.checkins
    ]
    return (min(dates), max(dates)) if dates else None


def recent_checkins(
    model: OkrModel,
    today: dt.date,
    *,
    days: int = 7,
    limit: int = 30,
    kept: RecentByUnit | None = None,
    spans: CheckinSpans | None = None,
) -> list[RecentCheckin]:
    """Check-ins in ``(today − days, today]``, newest first, at most ``limit``.

    Ties are ordered by cycle, unit (company first, then org.yaml order),
    objective and KR, so the list is deterministic. ``kept``: each unit
    file's findings from earlier calls (a preview server's), used again while
    the file's content is the same object and the window the same.
    ``spans``: the check-in dates of unit files the caller knows already (a
    build's closed cycles): a file whose check-ins are all outside the
    window is not read.
    """
    since = today - dt.timedelta(days=days)
    order = {unit_id: i for i, unit_id in enumerate([ROOT_UNIT, *model.units])}
    found: list[tuple[tuple[object, ...], RecentCheckin]] = []
    for ci, cycle in enumerate(model.cycles.values()):
        for unit_id, okrs in cycle.okrs.items():
            if spans is not None and (cycle.id, unit_id) in spans:
                span = spans[(cycle.id, unit_id)]
                if span is None or span[1] <= since or span[0] > today:
                    continue  # no check-in of this file is in the window
            entry = kept.get((cycle.id, unit_id)) if kept is not None else None
            if (
                entry is not None
                and entry[0] is okrs.content
                and (entry[1], entry[2], entry[3]) == (since, today, limit)
            ):
                recent = entry[4]
            else:
                load_checkins(okrs)  # a kept closed quarter's come packed
                recent = _unit_recent(cycle.id, unit_id, okrs.public_objectives, since, today)
                # Within one file the order is (date, objective, KR): a file
                # contributes at most ``limit`` of its first.
                recent = sorted(recent, key=lambda item: item[:3])[:limit]
                if kept is not None:
                    # The content object is kept with the entry: its id cannot be reused.
                    kept[(cycle.id, unit_id)] = (okrs.content, since, today, limit, recent)
            unit_order = order.get(unit_id, len(order))
            for neg_day, oi, ki, item in recent:
                found.append(((neg_day, ci, unit_order, unit_id, oi, ki), item))
    found.sort(key=lambda item: item[0])
    return [item for _, item in found[:limit]]


def _unit_recent(
    cycle_id: str, unit_id: str, objectives: list[Objective], since: dt.date, today: dt.date
) -> list[tuple[int, int, int, RecentCheckin]]:
    """One unit file's check-ins in ``(since, today]`` (see :data:`RecentByUnit`)."""
    out: list[tuple[int, int, int, RecentCheckin]] = []
    for oi, objective in enumerate(objectives):
        for ki, kr in enumerate(objective.key_results):
            ordered = sorted(kr.checkins, key=lambda c: c.date)
            previous: float | None = None
            for checkin in ordered:
                if since < checkin.date <= today:
                    out.append(
                        (
                            -checkin.date.toordinal(),
                            oi,
                            ki,
                            RecentCheckin(cycle_id, unit_id, objective, kr, checkin, previous),
                        )
                    )
                if checkin.value is not None:
                    previous = checkin.value
    return out
