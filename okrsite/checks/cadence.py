"""Rules about the rhythm of the cycle: check-ins, locking, grading
(OKR012, OKR013, OKR015, OKR016, OKR017)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from okrsite.analysis.progress import latest_done
from okrsite.checks.engine import CheckContext, Finding, rule
from okrsite.checks.text import quote
from okrsite.model import ROOT_UNIT, KeyResult

MAX_LISTED_FILES = 4
"""Ungraded files named in an OKR017 message before "… and N more"."""

FIRST_CHECKIN_DAYS = 14
"""A key result without any check-in is stale after this many days of the cycle."""


def lock_window(ctx: CheckContext) -> dt.timedelta:
    """How long units have to lock after the company locked: the cadence's
    draft and review windows (48 h + 24 h = 72 h by default)."""
    cadence = ctx.model.company.cadence
    return dt.timedelta(hours=cadence.draft_hours + cadence.review_hours)


def hours(delta: dt.timedelta) -> str:
    """``72 h``."""
    return f"{round(delta.total_seconds() / 3600)} h"


def has_milestone_grade(kr: KeyResult) -> bool:
    """A milestone whose ``done`` is known (true or false): that is its grade."""
    return kr.effective_kind == "milestone" and latest_done(kr) is not None


def is_finished(kr: KeyResult) -> bool:
    """Scored, or a milestone that is done: no more check-ins expected."""
    return kr.score is not None or (kr.effective_kind == "milestone" and latest_done(kr) is True)


@rule(
    "OKR012",
    "stale-checkins",
    title="Stale check-ins",
    severity="warning",
    hint="Add a check-in (date, value, confidence) to 'checkins:' every week",
)
def stale_checkins(ctx: CheckContext) -> Iterator[Finding]:
    """OKRs only work when they are looked at. During the current cycle
    (judged at today's date), each key result of a locked unit should have a
    check-in at least every ``cadence.checkin_days`` (7) days. A key result
    with no check-in at all is flagged once the first two weeks of the cycle
    (or one check-in period, if longer) are over. Check-ins dated before the
    cycle or after today do not count. Scored key results and milestones
    already done are exempt, and units still drafting are left to OKR013.
    """
    period = ctx.model.company.cadence.checkin_days
    grace = max(FIRST_CHECKIN_DAYS, period)
    today = ctx.today
    current: dict[str, bool] = {}  # cycle id → ctx.is_current, asked once per cycle
    for cycle, okrs, objective, kr in ctx.key_results():
        is_current = current.get(cycle.id)
        if is_current is None:
            is_current = current[cycle.id] = ctx.is_current(cycle)
        if not is_current or okrs.content.status != "locked" or is_finished(kr):
            continue
        start = cycle.definition.start
        last = None  # the latest check-in dated from the cycle's start to today
        for checkin in kr.checkins:
            day = checkin.date
            if start <= day <= today and (last is None or day > last):
                last = day
        if last is None:
            elapsed = (ctx.today - start).days
            if elapsed > grace:
                yield ctx.finding(
                    kr.source,
                    f"key result {quote(kr.title)} has no check-in yet, "
                    f"{elapsed} days into {cycle.id}",
                    cycle=cycle.id, unit=okrs.unit_id, objective=objective.id, key_result=kr.id,
                )
            continue
        age = (today - last).days
        if age > period:
            yield ctx.finding(
                kr.source,
                f"key result {quote(kr.title)} has had no check-in for {age} days "
                f"(last on {last.isoformat()}); check in every {period} days",
                cycle=cycle.id, unit=okrs.unit_id, objective=objective.id, key_result=kr.id,
            )


@rule(
    "OKR013",
    "schedule-slipping",
    title="Schedule slipping",
    severity="warning",
    hint="Finish the peer review and set 'status: locked' (with 'locked_on')",
)
def schedule_slipping(ctx: CheckContext) -> Iterator[Finding]:
    """Once the company locks its OKRs for a cycle, units draft theirs within
    48 hours and finish peer review within the next 24 (the cadence's
    ``draft_hours`` + ``review_hours``, 72 h by default). A unit whose OKRs are
    still ``draft`` or ``review`` after that is slipping, and its teams start
    the cycle without agreed goals. The rule needs the company file's
    ``status: locked`` (or ``graded``) and ``locked_on`` date, judges at today's
    date, and ignores cycles that have ended and units with no file yet.
    """
    window = lock_window(ctx)
    for cycle in ctx.cycles():
        if cycle.definition.end < ctx.today:
            continue
        company = cycle.okrs.get(ROOT_UNIT)
        if company is None or company.content.status not in ("locked", "graded"):
            continue
        locked_on = company.content.locked_on
        if locked_on is None or ctx.today <= locked_on + window:
            continue
        days = (ctx.today - locked_on).days
        for unit_id, okrs in cycle.okrs.items():
            status = okrs.content.status
            if unit_id == ROOT_UNIT or status not in ("draft", "review"):
                continue
            yield ctx.finding(
                okrs.content.source,
                f"{ctx.unit_label(unit_id)}'s OKRs for {cycle.id} are still in {status}, "
                f"{days} days after the company locked its OKRs on {locked_on.isoformat()} "
                f"(units lock within {hours(window)})",
                cycle=cycle.id, unit=unit_id,
            )


@rule(
    "OKR015",
    "graded-without-score",
    title="Graded without a score",
    severity="warning",
    hint="Add 'score: 0.0–1.0' to the key result (or score the objective as a whole)",
)
def graded_without_score(ctx: CheckContext) -> Iterator[Finding]:
    """When a unit's OKRs are ``status: graded``, each key result should carry
    its ``score`` (0.0–1.0): the grade is the team's judgement, not just the
    computed progress, and it is what the cycle's grades page shows. Key
    results of an objective that has its own ``score`` are exempt, and so are
    milestones marked done or not done (``done:`` on the key result or its
    latest check-in): for a yes/no result, ``done`` is the grade.
    """
    for cycle, okrs, objective, kr in ctx.key_results():
        if okrs.content.status != "graded" or kr.score is not None or objective.score is not None:
            continue
        if has_milestone_grade(kr):
            continue
        yield ctx.finding(
            kr.source,
            f"key result {quote(kr.title)} has no score, but the OKRs are graded",
            cycle=cycle.id, unit=okrs.unit_id, objective=objective.id, key_result=kr.id,
        )


@rule(
    "OKR016",
    "checkin-outside-cycle",
    title="Check-in dated outside the cycle",
    severity="warning",
    hint="Fix the check-in's date (a wrong year is the usual cause)",
)
def checkin_outside_cycle(ctx: CheckContext) -> Iterator[Finding]:
    """A check-in dated after today, or outside the dates of its cycle, is
    almost always a typo (last year's date copied forward, a swapped month).
    Such a check-in distorts the progress chart and hides a stale key result.
    Reported once per key result, at the first such check-in.
    """
    today = ctx.today
    for cycle, okrs, objective, kr in ctx.key_results():
        start, end = cycle.definition.start, cycle.definition.end
        last_allowed = min(end, today)  # after today, or outside the cycle: wrong
        wrong = [c for c in kr.checkins if not start <= c.date <= last_allowed]
        if not wrong:
            continue
        first = wrong[0]
        if first.date > ctx.today:
            problem = f"is after today ({ctx.today.isoformat()})"
        else:
            problem = f"is outside {cycle.id} ({start.isoformat()} to {end.isoformat()})"
        more = f" ({len(wrong) - 1} more like it)" if len(wrong) > 1 else ""
        yield ctx.finding(
            first.source,
            f"check-in of {quote(kr.title)} dated {first.date.isoformat()} {problem}{more}",
            cycle=cycle.id, unit=okrs.unit_id, objective=objective.id, key_result=kr.id,
        )


@rule(
    "OKR017",
    "ended-not-graded",
    title="Cycle ended but not graded",
    severity="warning",
    hint=(
        "Grade the cycle: give each key result its 'score' (milestones: 'done') and set "
        "'status: graded' in each file of the cycle"
    ),
)
def ended_not_graded(ctx: CheckContext) -> Iterator[Finding]:
    """A cycle is graded at its end: each unit scores its key results and sets
    ``status: graded``. Until then its pages keep showing computed progress
    as if the cycle were still running, and nobody learns from it. This rule
    reports, once per cycle, a cycle whose end plus the grading grace period
    (``cadence.grading_grace_days``, 14 days) is before today while some of
    its files are not ``graded``; the message says how many and names the
    first few. It is located at the first such file (the company's first).
    """
    grace = dt.timedelta(days=ctx.model.company.cadence.grading_grace_days)
    for cycle in ctx.cycles():
        due = cycle.definition.end + grace
        if ctx.today <= due:
            continue
        files = sorted(cycle.okrs.values(), key=lambda o: (o.unit_id != ROOT_UNIT, o.path))
        ungraded = [o for o in files if o.content.status != "graded"]
        if not ungraded:
            continue
        named = [
            f"{ctx.unit_label(o.unit_id)} ({o.content.status})"
            for o in ungraded[:MAX_LISTED_FILES]
        ]
        if len(ungraded) > MAX_LISTED_FILES:
            named.append(f"… and {len(ungraded) - MAX_LISTED_FILES} more")
        first = ungraded[0]
        yield ctx.finding(
            first.content.source,
            f"{cycle.id} ended on {cycle.definition.end.isoformat()} and grading was due by "
            f"{due.isoformat()}, but {len(ungraded)} of {len(files)} files are not graded: "
            + ", ".join(named),
            cycle=cycle.id,
            unit=first.unit_id,
        )
