"""Cadence phases: every boundary, exactly at it and one second either side."""

from __future__ import annotations

import datetime as dt

import pytest

from okrsite.analysis.cadence import (
    PHASE_NAMES,
    cycle_bounds,
    phase,
    status,
    timeline,
    total_weeks,
)
from okrsite.model import Cadence, CycleDef

SECOND = dt.timedelta(seconds=1)
Q1 = CycleDef.model_validate(
    {"id": "2026-Q1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
)
Q2 = CycleDef.model_validate(
    {"id": "2026-Q2", "start": dt.date(2026, 4, 1), "end": dt.date(2026, 6, 30)}
)
DEFAULT = Cadence()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args)  # type: ignore[arg-type]


# (instant, phase before it, phase from it on) for Q1 with the default cadence.
BOUNDARIES = [
    (at(2025, 12, 25), "upcoming", "drafting"),  # start − 7 days: company OKRs out
    (at(2025, 12, 27), "drafting", "review"),  # + 48 h
    (at(2025, 12, 28), "review", "locking"),  # + 24 h
    (at(2025, 12, 29), "locking", "locked"),  # + 24 h
    (at(2026, 1, 1), "locked", "in-progress"),  # cycle start
    (at(2026, 3, 18), "in-progress", "grading"),  # end instant (Apr 1) − 14 days
    (at(2026, 3, 25), "grading", "next-drafting"),  # end − 7 days
    (at(2026, 3, 27), "next-drafting", "next-review"),
    (at(2026, 3, 28), "next-review", "next-locking"),
    (at(2026, 3, 29), "next-locking", "wrap-up"),
    (at(2026, 4, 1), "wrap-up", "ended"),  # the day after the end date
]


@pytest.mark.parametrize(("instant", "before", "after"), BOUNDARIES)
def test_every_boundary(instant: dt.datetime, before: str, after: str) -> None:
    """One second before a boundary is the previous phase; at it and one
    second after, the next one (windows are half-open)."""
    assert phase(Q1, DEFAULT, instant - SECOND).key == before
    assert phase(Q1, DEFAULT, instant).key == after
    assert phase(Q1, DEFAULT, instant + SECOND).key == after


def test_phase_window_matches_boundaries() -> None:
    """Each phase reports the window it is in: its start and exclusive end."""
    p = phase(Q1, DEFAULT, at(2025, 12, 27, 14))
    assert (p.start, p.end) == (at(2025, 12, 27), at(2025, 12, 28))
    assert phase(Q1, DEFAULT, at(2020, 1, 1)).start is None
    assert phase(Q1, DEFAULT, at(2030, 1, 1)).end is None


def test_labels_say_what_closes_when() -> None:
    """Labels read like the SPEC: 'Peer review — closes in 10 h', 'Week 6 of 13'."""
    assert phase(Q1, DEFAULT, at(2025, 12, 27, 14)).label == "Peer review — closes in 10 h"
    assert phase(Q1, DEFAULT, at(2026, 2, 10)).label == "Week 6 of 13"
    assert phase(Q1, DEFAULT, at(2025, 12, 25, 1)).label == "Drafting — closes in 47 h"
    assert phase(Q1, DEFAULT, at(2025, 12, 29)).label == "Locked — starts in 3 days"
    assert phase(Q1, DEFAULT, at(2026, 3, 20)).label == "Week 12 of 13 · Grading — closes in 5 days"
    assert (
        phase(Q1, DEFAULT, at(2026, 3, 27, 14)).label
        == "Week 13 of 13 · Next cycle: peer review — closes in 10 h"
    )
    assert phase(Q1, DEFAULT, at(2026, 4, 1)).label == "Ended"
    assert phase(Q1, DEFAULT, at(2025, 12, 1)).label == "Not started — company OKRs due in 24 days"


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (dt.timedelta(seconds=1), "1 min"),
        (dt.timedelta(minutes=59, seconds=59), "60 min"),
        (dt.timedelta(hours=1), "1 h"),
        (dt.timedelta(hours=1, seconds=1), "2 h"),
        (dt.timedelta(hours=48) - SECOND, "48 h"),
        (dt.timedelta(hours=48), "2 days"),
    ],
)
def test_durations_round_up(remaining: dt.timedelta, text: str) -> None:
    """'closes in' rounds up, so it never promises more time than is left."""
    end = at(2025, 12, 27)  # end of the 48 h drafting window
    assert phase(Q1, DEFAULT, end - remaining).label == f"Drafting — closes in {text}"


def test_weeks() -> None:
    """Week numbers change every 7 days from the start; quarters have 13 weeks."""
    assert total_weeks(Q1) == 13
    q4 = CycleDef.model_validate(
        {"id": "2026-Q4", "start": dt.date(2026, 10, 1), "end": dt.date(2026, 12, 31)}
    )
    assert total_weeks(q4) == 13  # 92 days
    assert phase(q4, DEFAULT, at(2026, 12, 24)).week == 13  # day 85: capped
    assert phase(q4, DEFAULT, at(2026, 12, 31, 23)).week == 13
    assert phase(Q1, DEFAULT, at(2026, 1, 1)).week == 1
    assert phase(Q1, DEFAULT, at(2026, 1, 8) - SECOND).week == 1
    assert phase(Q1, DEFAULT, at(2026, 1, 8)).week == 2
    assert phase(Q1, DEFAULT, at(2026, 3, 31, 23, 59, 59)).week == 13
    assert phase(Q1, DEFAULT, at(2026, 4, 1)).week is None
    assert phase(Q1, DEFAULT, at(2026, 1, 1) - SECOND).week is None
    assert phase(Q1, DEFAULT, at(2026, 1, 1)).running
    one_week = CycleDef.model_validate(
        {"id": "w", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 1, 1)}
    )
    assert total_weeks(one_week) == 1


def test_every_phase_has_a_name() -> None:
    """Names are human words; the sequence covers every key."""
    assert PHASE_NAMES["review"] == "peer review"
    assert PHASE_NAMES["in-progress"] == "in progress"
    assert phase(Q1, DEFAULT, at(2026, 2, 1)).name == "in progress"


def test_consecutive_cycles_agree() -> None:
    """In Q1's last week, Q1 says 'next cycle: peer review' exactly when Q2
    says 'peer review'."""
    for hours in range(0, 24 * 8):
        now = at(2026, 3, 25) + dt.timedelta(hours=hours)
        q1, q2 = phase(Q1, DEFAULT, now).key, phase(Q2, DEFAULT, now).key
        if q1.startswith("next-"):
            assert q2 == q1.removeprefix("next-")
        if q1 == "wrap-up":
            assert q2 == "locked"


def test_custom_cadence() -> None:
    """Configured cadences move the boundaries."""
    cadence = Cadence.model_validate(
        {
            "grade_days_before_end": 7,
            "publish_days_before_end": 3,
            "draft_hours": 24,
            "review_hours": 12,
            "lock_hours": 12,
        }
    )
    assert phase(Q1, cadence, at(2025, 12, 29) - SECOND).key == "upcoming"
    assert phase(Q1, cadence, at(2025, 12, 29)).key == "drafting"
    assert phase(Q1, cadence, at(2025, 12, 30)).key == "review"
    assert phase(Q1, cadence, at(2025, 12, 30, 12)).key == "locking"
    assert phase(Q1, cadence, at(2025, 12, 31)).key == "locked"
    assert phase(Q1, cadence, at(2026, 3, 25) - SECOND).key == "in-progress"
    assert phase(Q1, cadence, at(2026, 3, 25)).key == "grading"
    assert phase(Q1, cadence, at(2026, 3, 29)).key == "next-drafting"


def test_degenerate_cadence_never_runs_backwards() -> None:
    """publish 0 days before the end: planning runs into the cycle, empty
    windows are skipped and the boundaries stay in order."""
    cadence = Cadence.model_validate({"publish_days_before_end": 0, "grade_days_before_end": 0})
    keys = [m.key for m in timeline(Q1, cadence, at(2026, 2, 1))]
    assert "locked" not in keys
    assert "grading" not in keys
    moments = [m.at for m in timeline(Q1, cadence, at(2026, 2, 1))]
    assert moments == sorted(moments)
    assert phase(Q1, cadence, at(2026, 1, 1)).key == "drafting"
    assert phase(Q1, cadence, at(2026, 1, 4)).key == "in-progress"
    assert phase(Q1, cadence, at(2026, 1, 4)).week == 1
    assert phase(Q1, cadence, at(2026, 3, 31, 23)).key == "in-progress"
    assert phase(Q1, cadence, at(2026, 4, 1)).key == "ended"


def test_short_cycle_clamps_grading_into_the_cycle() -> None:
    """A 10-day cycle: grading would start before the cycle; it is clamped."""
    short = CycleDef.model_validate(
        {"id": "sprint", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 1, 10)}
    )
    moments = [m.at for m in timeline(short, DEFAULT, at(2026, 1, 5))]
    assert moments == sorted(moments)
    assert phase(short, DEFAULT, at(2026, 1, 1)).key == "grading"
    assert phase(short, DEFAULT, at(2026, 1, 11)).key == "ended"


def test_timeline_states() -> None:
    """Milestones before now are past, the one whose phase holds now is
    current, later ones future; before publication nothing is current."""
    line = timeline(Q1, DEFAULT, at(2026, 2, 10))
    assert [m.key for m in line] == [
        "drafting",
        "review",
        "locking",
        "locked",
        "in-progress",
        "grading",
        "next-drafting",
        "next-review",
        "next-locking",
        "wrap-up",
        "ended",
    ]
    states = {m.key: m.state for m in line}
    assert states["locked"] == "past"
    assert states["in-progress"] == "current"
    assert states["grading"] == "future"
    assert [m.state for m in timeline(Q1, DEFAULT, at(2025, 1, 1))] == ["future"] * 11
    last = timeline(Q1, DEFAULT, at(2026, 4, 1))
    assert last[-1].end is None
    assert all(m.state == "past" for m in last)  # an ended cycle's timeline is a record
    assert last[-1].label == "Cycle ended"
    boundary = timeline(Q1, DEFAULT, at(2026, 3, 18))
    assert {m.key: m.state for m in boundary}["grading"] == "current"
    assert {m.key: m.state for m in boundary}["in-progress"] == "past"


def test_aware_datetimes() -> None:
    """An aware 'now' makes the cycle instants aware in the same zone."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert phase(Q1, DEFAULT, now).key == "in-progress"
    assert phase(Q1, DEFAULT, now).start == now
    assert cycle_bounds(Q1, dt.UTC)[1] == dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def test_status_adds_the_cycle_being_planned() -> None:
    """The home page shows the next cycle's planning phase next to the current one."""
    assert [p.key for p in status([Q1, Q2], DEFAULT, at(2026, 2, 1))] == ["in-progress"]
    planning = status([Q1, Q2], DEFAULT, at(2026, 3, 27, 14))
    assert [(p.cycle_id, p.key) for p in planning] == [
        ("2026-Q1", "next-review"),
        ("2026-Q2", "review"),
    ]
    assert planning[1].label == "Peer review — closes in 10 h"
    assert status([], DEFAULT, at(2026, 1, 1)) == []
