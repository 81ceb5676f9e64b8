"""Progress maths: numeric (increasing and decreasing), milestones, weights, bands."""

from __future__ import annotations

import datetime as dt

import pytest

from okrsite.analysis.progress import (
    band,
    kr_progress,
    kr_score,
    numeric_progress,
    objective_progress,
    unit_progress,
)
from okrsite.model import KeyResult, Objective, Scoring, UnitCycleFile, UnitOkrs


def kr(**fields: object) -> KeyResult:
    return KeyResult.model_validate({"id": "k", "title": "K", **fields})


@pytest.mark.parametrize(
    ("start", "target", "value", "expected"),
    [
        (150, 350, 250, 0.5),
        (150, 350, 150, 0.0),
        (150, 350, 350, 1.0),
        (150, 350, 400, 1.0),  # clamped above
        (150, 350, 100, 0.0),  # clamped below
        (14, 5, 9, 5 / 9),  # decreasing target
        (55, 20, 20, 1.0),
        (55, 20, 60, 0.0),
        (5, 5, 5, 1.0),  # zero-width range reached
        (5, 5, 4, 0.0),  # zero-width range missed
    ],
)
def test_numeric_progress(start: float, target: float, value: float, expected: float) -> None:
    """(value − start)/(target − start), clamped to 0..1, decreasing targets work."""
    assert numeric_progress(start, target, value) == pytest.approx(expected)


def test_progress_uses_latest_checkin_without_current() -> None:
    """Without ``current``, the latest dated check-in value counts (not file order)."""
    result = kr(
        start=0,
        target=10,
        checkins=[
            {"date": dt.date(2026, 1, 20), "value": 8},
            {"date": dt.date(2026, 1, 10), "value": 2},
        ],
    )
    assert kr_progress(result) == pytest.approx(0.8)


def test_missing_value_is_no_data() -> None:
    """A KR with no current value and no check-ins has no progress (None, not 0)."""
    assert kr_progress(kr(start=0, target=10)) is None


def test_milestone_progress() -> None:
    """Milestones are 1.0 when done and 0.0 when not."""
    assert kr_progress(kr(done=True)) == 1.0
    assert kr_progress(kr(done=False)) == 0.0


def test_threshold_progress() -> None:
    """Threshold KRs are met (1.0) or not (0.0) on the right side of the target."""
    assert kr_progress(kr(kind="threshold", target=4, direction="below", current=3.1)) == 1.0
    assert kr_progress(kr(kind="threshold", target=4, direction="below", current=4.5)) == 0.0
    assert kr_progress(kr(kind="threshold", target=99.9, direction="above", current=99.95)) == 1.0


def test_score_overrides_progress() -> None:
    """Once graded, the score replaces computed progress."""
    graded = kr(start=0, target=10, current=10, score=0.6)
    assert kr_progress(graded) == 1.0
    assert kr_score(graded) == 0.6


def test_objective_weighted_mean() -> None:
    """Objective progress is the weighted mean of its KRs; unknown KRs are left out."""
    objective = Objective.model_validate(
        {
            "id": "o",
            "title": "O",
            "key_results": [
                {"id": "a", "title": "A", "start": 0, "target": 10, "current": 10, "weight": 3},
                {"id": "b", "title": "B", "start": 0, "target": 10, "current": 0, "weight": 1},
                {"id": "c", "title": "C", "start": 0, "target": 10},
            ],
        }
    )
    assert objective_progress(objective) == pytest.approx(0.75)


def test_unit_progress_ignores_private_by_default() -> None:
    """Unit roll-up covers public objectives unless asked to include private ones."""
    content = UnitCycleFile.model_validate(
        {
            "objectives": [
                {"id": "a", "title": "A", "key_results": [{"id": "k", "title": "K", "done": True}]},
                {
                    "id": "b",
                    "title": "B",
                    "visibility": "private",
                    "key_results": [{"id": "k", "title": "K", "done": False}],
                },
            ]
        }
    )
    okrs = UnitOkrs(unit_id="u", cycle_id="c", path="p", content=content)
    assert unit_progress(okrs) == 1.0
    assert unit_progress(okrs, include_private=True) == 0.5


def test_bands() -> None:
    """Bands follow the company's scoring thresholds; None is 'none'."""
    scoring = Scoring(green=0.7, yellow=0.4)
    assert [band(v, scoring) for v in (0.7, 0.69, 0.4, 0.39, None)] == [
        "green",
        "yellow",
        "yellow",
        "red",
        "none",
    ]


def test_shown_fast_path_matches_the_decimal_rule() -> None:
    """``shown`` rounds most values without a Decimal; it must give exactly
    (sign of zero included) what rounding the written decimal half up gives,
    on halves, near-halves, negatives, fractions and random values."""
    import random
    from decimal import ROUND_HALF_UP, Decimal

    from okrsite.analysis.progress import shown

    rng = random.Random(16)
    values = [rng.uniform(-2, 3) for _ in range(20_000)]
    values += [rng.uniform(-1e9, 1e9) for _ in range(2_000)]
    values += [i / 1000 for i in range(-3000, 3000)] + [i / 200 for i in range(-400, 400)]
    values += [a / b for a in range(-20, 120) for b in range(1, 40)]
    values += [0.665, 0.005, 1.005, 2.675, -0.125, -0.0, 0.0, -0.001, 1e11 + 0.005]
    for value in values:
        expected = float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        assert repr(shown(value)) == repr(expected), value
