"""Progress, scores and score bands. Pure functions of the model.

Progress is a fraction in 0..1, or ``None`` when there is no data to compute
it from (a KR without a current value, an objective without KRs). ``None``
is shown as "no data", never as 0 %, so missing check-ins do not look like
failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from okrsite.model import KeyResult, Objective, Scoring, UnitOkrs

Band = Literal["green", "yellow", "red", "none"]

BAND_LABELS: dict[Band, str] = {
    "green": "on track",
    "yellow": "at risk",
    "red": "off track",
    "none": "no data",
}


def clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def latest_value(kr: KeyResult) -> float | None:
    """``current`` when given, else the value of the latest dated check-in."""
    if kr.current is not None:
        return kr.current
    for checkin in sorted(kr.checkins, key=lambda c: c.date, reverse=True):
        if checkin.value is not None:
            return checkin.value
    return None


def latest_done(kr: KeyResult) -> bool | None:
    if kr.done is not None:
        return kr.done
    for checkin in sorted(kr.checkins, key=lambda c: c.date, reverse=True):
        if checkin.done is not None:
            return checkin.done
    return None


def threshold_met(kr: KeyResult, value: float | None) -> bool | None:
    """Whether a threshold KR's value is on the right side of its target."""
    if value is None or kr.target is None:
        return None
    if kr.direction == "below":
        return value <= kr.target
    return value >= kr.target


def numeric_progress(
    start: float | None, target: float | None, value: float | None
) -> float | None:
    """(value − start) / (target − start), clamped to 0..1.

    Works for decreasing targets (start > target). A zero-width range
    (start == target) has no partial progress: 1.0 when the value equals the
    target, else 0.0 (the quality checks flag such KRs).
    """
    if start is None or target is None or value is None:
        return None
    width = target - start
    if width == 0:
        return 1.0 if value == target else 0.0
    return clamp((value - start) / width)


def kr_progress(kr: KeyResult) -> float | None:
    """Computed progress of a key result, ignoring any grading score."""
    kind = kr.effective_kind
    if kind == "milestone":
        done = latest_done(kr)
        return None if done is None else (1.0 if done else 0.0)
    value = latest_value(kr)
    if kind == "threshold":
        met = threshold_met(kr, value)
        return None if met is None else (1.0 if met else 0.0)
    return numeric_progress(kr.start, kr.target, value)


def kr_score(kr: KeyResult) -> float | None:
    """The grading score when set, else computed progress."""
    return kr.score if kr.score is not None else kr_progress(kr)


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of the values that are known; ``None`` if none are."""
    total = 0.0
    weights = 0.0
    for value, weight in pairs:
        if value is None:
            continue
        total += value * weight
        weights += weight
    return None if weights == 0 else total / weights


def objective_progress(objective: Objective) -> float | None:
    """Score override, else the weighted mean of its KRs' scores/progress."""
    if objective.score is not None:
        return objective.score
    return weighted_mean((kr_score(kr), kr.weight) for kr in objective.key_results)


def unit_progress(okrs: UnitOkrs, *, include_private: bool = False) -> float | None:
    """Weighted mean over a unit's objectives in a cycle."""
    objectives = okrs.objectives if include_private else okrs.public_objectives
    return weighted_mean((objective_progress(o), o.weight) for o in objectives)


def band(value: float | None, scoring: Scoring) -> Band:
    """The colour band of a progress or score value."""
    if value is None:
        return "none"
    if value >= scoring.green:
        return "green"
    if value >= scoring.yellow:
        return "yellow"
    return "red"


def percent(value: float | None) -> str:
    """``0.456`` → ``46%``; ``None`` → ``–``."""
    if value is None:
        return "–"
    return f"{round(value * 100):d}%"
