"""Progress, scores and score bands. Pure functions of the model.

Progress is a fraction in 0..1, or ``None`` when there is no data to compute
it from (a KR without a current value, an objective without KRs). ``None``
is shown as "no data", never as 0 %, so missing check-ins do not look like
failure. *Progress* is always computed; a *score* is only the grade given at
grading (it may exceed 1.0: over-achievement).

One number, one meaning: every value is shown at hundredths (``66%`` or
``0.66``) and its colour band is the band of *that shown value*
(:func:`shown`, then :func:`band`). A score of 0.66 with green at 0.7 is
therefore "0.66 · at risk", never "0.7 · at risk"; a progress of 0.696 shows
as "70%" and is on track, as the reader would conclude. Pages, graphs,
exports and the diff all go through these functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from okrsite.analysis.org import subtree
from okrsite.model import Cycle, KeyResult, Objective, OkrModel, Scoring, UnitOkrs
from okrsite.model.checkins import checkins_of

Band = Literal["green", "yellow", "red", "none"]

BAND_LABELS: dict[Band, str] = {
    "green": "on track",
    "yellow": "at risk",
    "red": "off track",
    "none": "no data",
}


def clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def newest_checkin_field(kr: KeyResult, name: str) -> Any:
    """``name`` (``value``, ``done``, ``confidence``…) of the newest check-in
    that sets it; None when none does."""
    # One pass, no sort (this runs for every progress and band of every KR):
    # among check-ins of the same date the first listed wins, as it did when
    # they were stably sorted newest first.
    found = newest = None
    for checkin in checkins_of(kr):  # a kept closed quarter's come packed
        value = getattr(checkin, name)
        if value is not None and (newest is None or checkin.date > newest):
            found, newest = value, checkin.date
    return found


def latest_value(kr: KeyResult) -> float | None:
    """``current`` when given, else the value of the latest dated check-in."""
    return kr.current if kr.current is not None else newest_checkin_field(kr, "value")


def latest_done(kr: KeyResult) -> bool | None:
    """``done`` when given, else that of the latest dated check-in."""
    return kr.done if kr.done is not None else newest_checkin_field(kr, "done")


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


KrProgressOf = Callable[[KeyResult], "float | None"]
"""How a KR's computed progress is got: :func:`kr_progress`, or values the
caller computed once per KR (an export asks for each several times)."""


def kr_score(kr: KeyResult, progress_of: KrProgressOf = kr_progress) -> float | None:
    """The grading score when set, else computed progress (``progress_of``)."""
    return kr.score if kr.score is not None else progress_of(kr)


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


def objective_progress(
    objective: Objective, progress_of: KrProgressOf = kr_progress
) -> float | None:
    """Score override, else the weighted mean of its KRs' scores/progress
    (``progress_of``: how a KR's computed progress is got)."""
    if objective.score is not None:
        return objective.score
    return weighted_mean(
        (kr_score(kr, progress_of), kr.weight) for kr in objective.key_results
    )


ProgressOf = Callable[[Objective], float | None]
"""How a roll-up gets one objective's progress: :func:`objective_progress`,
or an :class:`ObjectiveProgressMemo` of it."""


class ObjectiveProgressMemo:
    """:func:`objective_progress` of each objective object, computed once.

    Roll-ups pool every objective of a subtree — the company's, each
    department's, each graph box's — so one build asks for the same
    objective's progress many times. Keyed by the objective *object*
    (validated content is read-only downstream), so a preview server can keep
    one between rebuilds: an unchanged file's objectives are the same objects,
    an edited or re-measured file's are new ones. An explicit object passed
    in (``SiteContext.progress``); nothing module-global."""

    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._values: dict[int, tuple[Objective, float | None]] = {}

    def __call__(self, objective: Objective) -> float | None:
        found = self._values.get(id(objective))
        if found is not None and found[0] is objective:
            return found[1]
        if len(self._values) >= self._limit:
            self._values.clear()  # edits add new objects; old ones go now and then
        value = objective_progress(objective)
        # The objective is kept with its value: its id cannot be reused meanwhile.
        self._values[id(objective)] = (objective, value)
        return value


def objective_computed_progress(
    objective: Objective, progress_of: KrProgressOf = kr_progress
) -> float | None:
    """Weighted mean of its KRs' computed progress: no grade in it."""
    return weighted_mean((progress_of(kr), kr.weight) for kr in objective.key_results)


def objective_score(
    objective: Objective, progress_of: KrProgressOf = kr_progress
) -> float | None:
    """The objective's grade: its own ``score``, else (once any of its KRs has
    been scored) the weighted mean of its KRs' scores; ``None`` before grading."""
    if objective.score is not None:
        return objective.score
    if any(kr.score is not None for kr in objective.key_results):
        return objective_progress(objective, progress_of)
    return None


def shows_scores(files: Iterable[UnitOkrs]) -> bool:
    """Whether a roll-up over ``files`` is a score: every file is graded and at
    least one objective has a grade (a graded file without any score still
    shows computed progress, called progress)."""
    files = list(files)
    return (
        bool(files)
        and all(okrs.content.status == "graded" for okrs in files)
        and any(objective_score(o) is not None for okrs in files for o in okrs.objectives)
    )


RollupScope = Literal["own", "teams"]
"""Which of a unit's two roll-ups a number is: its ``own`` OKRs, or its own
plus every unit below it (``teams``)."""

ROLLUP_LABELS: dict[RollupScope, str] = {"own": "own OKRs", "teams": "incl. teams"}
"""How each roll-up is labelled wherever a unit's number is shown. The rule
for which one to show: a row, entry or node that stands for the unit alone
shows ``own``; one that stands for the unit and everything below it (a
compact table's department row, a collapsed graph box) shows ``teams``."""


def pooled_progress(
    files: Iterable[UnitOkrs],
    *,
    include_private: bool = False,
    progress: ProgressOf = objective_progress,
) -> float | None:
    """Weighted mean over every objective of ``files`` taken as one pool (an
    objective weighs by its ``weight``, whichever file it is in). ``progress``:
    :func:`objective_progress`, or a memo of it (:class:`ObjectiveProgressMemo`)."""
    return weighted_mean(
        (progress(o), o.weight)
        for okrs in files
        for o in (okrs.objectives if include_private else okrs.public_objectives)
    )


def unit_progress(
    okrs: UnitOkrs,
    *,
    include_private: bool = False,
    progress: ProgressOf = objective_progress,
) -> float | None:
    """A unit's own roll-up: weighted mean over its objectives in a cycle
    (``progress`` as for :func:`pooled_progress`)."""
    return pooled_progress([okrs], include_private=include_private, progress=progress)


def unit_and_teams_progress(
    model: OkrModel,
    cycle: Cycle,
    unit_id: str,
    *,
    include_private: bool = False,
    below: list[str] | None = None,
    progress: ProgressOf = objective_progress,
) -> float | None:
    """A unit's roll-up with its teams: every objective of the unit and of
    every unit below it (the company: every objective of the cycle).
    ``below``: the unit's descendants when the caller has them already;
    ``progress`` as for :func:`pooled_progress`."""
    units = subtree(model, unit_id) if below is None else [unit_id, *below]
    files = [cycle.okrs[u] for u in units if u in cycle.okrs]
    return pooled_progress(files, include_private=include_private, progress=progress)


def rollup_progress(
    model: OkrModel,
    cycle: Cycle,
    unit_id: str,
    scope: RollupScope,
    *,
    include_private: bool = False,
    below: list[str] | None = None,
    progress: ProgressOf = objective_progress,
) -> float | None:
    """The ``scope`` roll-up of ``unit_id`` in ``cycle`` (``None``: no data).
    ``below``: the unit's descendants when the caller has them already;
    ``progress`` as for :func:`pooled_progress`."""
    if scope == "teams":
        return unit_and_teams_progress(
            model, cycle, unit_id, include_private=include_private, below=below,
            progress=progress,
        )
    okrs = cycle.okrs.get(unit_id)
    if okrs is None:
        return None
    return unit_progress(okrs, include_private=include_private, progress=progress)


SHOWN_STEP = Decimal("0.01")
"""Resolution of every shown progress or score: hundredths (a whole percent)."""


def shown(value: float | None) -> float | None:
    """``value`` rounded as it is shown: to hundredths, halves up (0.665 → 0.67).

    Rounds the decimal the author wrote (``repr``), not its binary
    approximation, so ``0.665`` does not become ``0.66``.
    """
    if value is None:
        return None
    hundredths = value * 100
    nearest = round(hundredths)
    # Away from a half, rounding half up is rounding to nearest, and the
    # binary error of ``value * 100`` (far below 0.01) cannot change it; n/100
    # is the same double as the decimal "0.nn". Only near-halves (and
    # non-finite values) need the decimal the author wrote.
    if abs(hundredths - nearest) < 0.49 and abs(hundredths) < 1e12:
        # The decimal keeps the sign of a value that rounds to zero (-0.0).
        return nearest / 100 if nearest else math.copysign(0.0, value)
    return float(Decimal(repr(float(value))).quantize(SHOWN_STEP, rounding=ROUND_HALF_UP))


def band(value: float | None, scoring: Scoring) -> Band:
    """The colour band of a progress or score value, as shown (see :func:`shown`)."""
    value = shown(value)
    if value is None:
        return "none"
    if value >= scoring.green:
        return "green"
    if value >= scoring.yellow:
        return "yellow"
    return "red"


def percent(value: float | None) -> str:
    """``0.456`` → ``46%``; ``1.2`` → ``120%``; ``None`` → ``–`` (see :func:`shown`)."""
    value = shown(value)
    if value is None:
        return "–"
    return f"{round(value * 100):d}%"


def score_text(value: float | None) -> str:
    """A grade as written at grading: ``0.66``, ``0.7``, ``1.0``, ``1.2``; ``–``."""
    value = shown(value)
    if value is None:
        return "–"
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text


def fraction_text(value: float | None, *, graded: bool = False) -> str:
    """How a progress (``66%``) or, when ``graded``, a score (``0.66``) reads."""
    return score_text(value) if graded else percent(value)


def bar_width(value: float | None) -> int:
    """Width in percent of a bar showing ``value``: capped at 100 (a 1.2 score
    fills the bar; its number still says 1.2)."""
    value = shown(value)
    return 0 if value is None else max(0, min(100, round(value * 100)))
