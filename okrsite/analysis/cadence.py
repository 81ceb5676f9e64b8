"""Where a cycle stands in the OKR cadence at a given moment. Pure functions.

The SPEC's cadence (defaults, all configurable in ``company.yaml``'s
``cadence``): grade the current OKRs 14 days before the cycle ends, publish
the company OKRs of the *next* cycle 7 days before it ends, teams draft
within 48 h of that, peer review for 24 h, lock within the next 24 h, and
check in weekly during the cycle.

Interpretation (documented because the SPEC leaves it open)
------------------------------------------------------------
Cycle dates are whole days: a cycle runs from ``start`` 00:00 to the end of
``end`` (so its end *instant* is ``end + 1 day`` 00:00, which is the next
cycle's start instant when cycles are contiguous). All instants are in the
time zone of ``now`` (naive ``now`` → naive instants).

The planning of a cycle happens *before* it starts, during the previous
cycle's last week. Rather than needing the previous cycle, the planning
window of cycle C is anchored on C's own start ``S`` (identical to "7 days
before the previous cycle ends" for contiguous cycles)::

    P = S − publish_days_before_end      company OKRs for C published
    drafting     [P,          P + draft_hours)
    peer review  [… ,         … + review_hours)
    locking      [… ,         … + lock_hours)
    locked       [… ,         S)           OKRs locked, waiting for the start

and the cycle itself (end instant ``E``)::

    in progress  [S,          E − grade_days_before_end)   weekly check-ins
    grading      [… ,         E − publish_days_before_end)
    then the *next* cycle's planning runs inside C's last days, with the same
    windows: next drafting / next peer review / next locking / wrap-up [… , E)
    ended        [E, ∞)

Before ``P`` a cycle is "not started".

The *next cycle* phases only exist when a next cycle does (``has_next``;
:func:`okrsite.analysis.cycles.next_cycle`): for the last cycle defined,
grading runs until the cycle ends, and its timeline shows no "next cycle"
events. This reading keeps the two views of
the same moment consistent: in Q1's last week ``phase(Q1)`` is "next cycle:
peer review" exactly when ``phase(Q2)`` is "peer review".

Boundaries are half-open (a phase includes its start instant, not its end).
Windows never run backwards: each boundary is clamped to be no earlier than
the previous one, so an odd configuration (e.g. ``publish_days_before_end:
0``) yields empty phases, which are skipped, rather than nonsense.

Weeks: the cycle has ``round(days / 7)`` weeks, at least 1 (every quarter,
90–92 days, has 13); during ``[S, E)`` the week number is ``days since S //
7 + 1``, capped at that total (so a quarter's last one or two extra days
still read "Week 13 of 13"). Weeks are always 7 days; ``checkin_days`` only
says how often check-ins are expected.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal, get_args

from okrsite.analysis.cycles import current_cycle, next_cycle
from okrsite.model import Cadence, CycleDef

PhaseKey = Literal[
    "upcoming",
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
MilestoneState = Literal["past", "current", "future"]

PHASE_NAMES: dict[PhaseKey, str] = {
    "upcoming": "not started",
    "drafting": "drafting",
    "review": "peer review",
    "locking": "locking",
    "locked": "locked",
    "in-progress": "in progress",
    "grading": "grading",
    "next-drafting": "next cycle: drafting",
    "next-review": "next cycle: peer review",
    "next-locking": "next cycle: locking",
    "wrap-up": "wrap-up",
    "ended": "ended",
}
"""Human names of the phases, in cadence order."""

NEXT_CYCLE_PHASES: frozenset[PhaseKey] = frozenset(
    {"next-drafting", "next-review", "next-locking", "wrap-up"}
)
"""Phases about the next cycle's planning, inside this cycle's last days."""

# Label of each phase's start as a milestone on the timeline.
_MILESTONE_LABELS: dict[PhaseKey, str] = {
    "drafting": "Company OKRs published · teams draft",
    "review": "Peer review",
    "locking": "Locking",
    "locked": "OKRs locked",
    "in-progress": "Cycle starts · weekly check-ins",
    "grading": "Grading",
    "next-drafting": "Next cycle's company OKRs published",
    "next-review": "Next cycle: peer review",
    "next-locking": "Next cycle: locking",
    "wrap-up": "Next cycle locked",
    "ended": "Cycle ends",
}
# The same milestones once they have happened (a past timeline reads as a record).
_PAST_LABELS: dict[PhaseKey, str] = {
    **_MILESTONE_LABELS,
    "drafting": "Company OKRs published · teams drafted",
    "in-progress": "Cycle started · weekly check-ins",
    "ended": "Cycle ended",
}

PLANNING_PHASES: frozenset[PhaseKey] = frozenset({"drafting", "review", "locking", "locked"})
"""A cycle's own planning, before it starts (shown beside the running cycle)."""

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Phase:
    """Where a cycle stands at ``now``."""

    key: PhaseKey
    """Stable machine id (CSS class, tests)."""
    name: str
    """Human name, e.g. ``peer review``."""
    cycle_id: str
    start: dt.datetime | None
    """Start of this phase's window (``None``: open-ended in the past)."""
    end: dt.datetime | None
    """End of the window, exclusive (``None``: open-ended)."""
    label: str
    """One line for people: ``Peer review — closes in 10 h``, ``Week 6 of 13``."""
    week: int | None
    """1-based week of the cycle while it runs, else ``None``."""
    weeks: int
    """Number of weeks in the cycle."""

    @property
    def running(self) -> bool:
        """True while the cycle itself runs (start ≤ now < end)."""
        return self.week is not None


@dataclass(frozen=True)
class Milestone:
    """A point on a cycle's timeline: the start of a phase."""

    key: PhaseKey
    label: str
    at: dt.datetime
    end: dt.datetime | None
    """When the phase it starts is over (``None`` for the cycle's end)."""
    state: MilestoneState


@dataclass(frozen=True)
class _Window:
    key: PhaseKey
    start: dt.datetime
    end: dt.datetime | None


@dataclass
class _Schedule:
    start: dt.datetime
    end: dt.datetime
    windows: list[_Window] = field(default_factory=list)


def cycle_bounds(cycle: CycleDef, tz: dt.tzinfo | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Start and end instants of a cycle (end exclusive: ``end`` date + 1 day)."""
    start = dt.datetime.combine(cycle.start, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(cycle.end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start, end


def total_weeks(cycle: CycleDef) -> int:
    """Weeks in the cycle, rounded to the nearest whole week (a 90–94 day
    quarter has 13; at least 1)."""
    days = (cycle.end - cycle.start).days + 1
    return max(1, round(days / 7))


def _planning(anchor: dt.datetime, cadence: Cadence) -> list[dt.datetime]:
    """Drafting, review, locking and locked start instants after ``anchor``."""
    draft_end = anchor + dt.timedelta(hours=cadence.draft_hours)
    review_end = draft_end + dt.timedelta(hours=cadence.review_hours)
    lock_end = review_end + dt.timedelta(hours=cadence.lock_hours)
    return [anchor, draft_end, review_end, lock_end]


def _schedule(
    cycle: CycleDef, cadence: Cadence, tz: dt.tzinfo | None, *, has_next: bool = True
) -> _Schedule:
    start, end = cycle_bounds(cycle, tz)
    publish = dt.timedelta(days=cadence.publish_days_before_end)
    grade = dt.timedelta(days=cadence.grade_days_before_end)
    keys: list[PhaseKey] = list(get_args(PhaseKey))[1:]  # every phase after "upcoming"
    instants = [
        *_planning(start - publish, cadence),
        start,
        end - grade,
        *_planning(end - publish, cadence),
        end,
    ]
    # Clamp: the cycle's own windows stay inside [start, end], the planning
    # of this cycle ends by its start, and no boundary runs backwards.
    fixed: list[dt.datetime] = []
    for key, instant in zip(keys, instants, strict=True):
        if key in ("locked",):
            instant = min(instant, start)
        if key in ("grading", "next-drafting", "next-review", "next-locking", "wrap-up"):
            instant = min(max(instant, start), end)
        if fixed:
            instant = max(instant, fixed[-1])
        fixed.append(instant)
    marks = list(zip(keys, fixed, strict=True))
    if not has_next:  # no next cycle to plan: grading lasts until the end
        marks = [(key, at) for key, at in marks if key not in NEXT_CYCLE_PHASES]
    windows = [
        _Window(key, at, marks[i + 1][1] if i + 1 < len(marks) else None)
        for i, (key, at) in enumerate(marks)
    ]
    return _Schedule(start, end, [w for w in windows if w.end is None or w.end > w.start])


def _duration(delta: dt.timedelta) -> str:
    """``10 h``, ``45 min``, ``3 days`` — rounded up, so "closes in" is never late."""
    seconds = max(0, math.ceil(delta.total_seconds()))
    if seconds < 3600:
        minutes = max(1, math.ceil(seconds / 60))
        return f"{minutes} min"
    if seconds < 48 * 3600:
        return f"{math.ceil(seconds / 3600)} h"
    days = math.ceil(seconds / 86400)
    return f"{days} days"


def _label(
    key: PhaseKey,
    window_end: dt.datetime | None,
    sched: _Schedule,
    now: dt.datetime,
    week: int | None,
    weeks: int,
) -> str:
    if key == "upcoming":
        if window_end is None:
            return "Not started"
        return f"Not started — company OKRs due in {_duration(window_end - now)}"
    if key == "ended":
        return "Ended"
    closes = f"closes in {_duration(window_end - now)}" if window_end else ""
    week_text = f"Week {week} of {weeks}" if week is not None else ""
    if key == "in-progress":
        return week_text
    if key == "locked":
        return f"Locked — starts in {_duration(sched.start - now)}"
    if key == "wrap-up":
        return f"{week_text} · Wrap-up — next cycle locked, ends in {_duration(sched.end - now)}"
    name = PHASE_NAMES[key]
    text = f"{name[0].upper()}{name[1:]} — {closes}"
    return f"{week_text} · {text}" if week_text else text


def phase(
    cycle: CycleDef, cadence: Cadence, now: dt.datetime, *, has_next: bool = True
) -> Phase:
    """The phase of ``cycle`` at ``now`` (see the module docstring)."""
    sched = _schedule(cycle, cadence, now.tzinfo, has_next=has_next)
    weeks = total_weeks(cycle)
    week = (now - sched.start).days // 7 + 1 if sched.start <= now < sched.end else None
    if week is not None:
        week = min(week, weeks)
    first = sched.windows[0]
    start: dt.datetime | None
    end: dt.datetime | None
    if now < first.start:
        key: PhaseKey = "upcoming"
        start, end = None, first.start
    else:
        current = next(w for w in reversed(sched.windows) if w.start <= now)
        key, start, end = current.key, current.start, current.end
    return Phase(
        key=key,
        name=PHASE_NAMES[key],
        cycle_id=cycle.id,
        start=start,
        end=end,
        label=_label(key, end, sched, now, week, weeks),
        week=week,
        weeks=weeks,
    )


def timeline(
    cycle: CycleDef, cadence: Cadence, now: dt.datetime, *, has_next: bool = True
) -> list[Milestone]:
    """Milestones of a cycle in time order, each marked past, current or future.

    The current milestone is the start of the phase ``now`` is in; none is
    current before the company OKRs are published, and none once the cycle
    has ended (its timeline is then a record). Past milestones are labelled
    in the past tense. Without ``has_next``, no next-cycle events.
    """
    sched = _schedule(cycle, cadence, now.tzinfo, has_next=has_next)
    out: list[Milestone] = []
    for window in sched.windows:
        if window.start > now:
            state: MilestoneState = "future"
        elif window.key == "ended":
            state = "past"  # the end is a moment, not a phase one is in
        elif window.end is None or now < window.end:
            state = "current"
        else:
            state = "past"
        label = (_PAST_LABELS if state == "past" else _MILESTONE_LABELS)[window.key]
        out.append(Milestone(window.key, label, window.start, window.end, state))
    return out


def phases(
    cycles: list[CycleDef], cycle: CycleDef, cadence: Cadence, now: dt.datetime
) -> list[Phase]:
    """``cycle``'s phase, followed by the next cycle's phase while that one is
    being planned (drafting → locked)."""
    following = next_cycle(cycles, cycle)
    out = [phase(cycle, cadence, now, has_next=following is not None)]
    if following is not None:
        upcoming = phase(following, cadence, now)  # only its planning phases are kept
        if upcoming.key in PLANNING_PHASES:
            out.append(upcoming)
    return out


def status(cycles: list[CycleDef], cadence: Cadence, now: dt.datetime) -> list[Phase]:
    """What the home page shows: the phases (:func:`phases`) of the current
    cycle (:func:`okrsite.analysis.cycles.current_cycle`). Empty when there
    are no cycles."""
    cycle = current_cycle(cycles, now.date())  # the one rule (analysis/cycles.py)
    return [] if cycle is None else phases(cycles, cycle, cadence, now)
