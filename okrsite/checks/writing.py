"""Rules about how each objective and key result is written (OKR001–OKR004)."""

from __future__ import annotations

from collections.abc import Iterator

from okrsite.checks.engine import CheckContext, Finding, rule
from okrsite.checks.text import activity_verb, quote
from okrsite.model import KeyResult


def number(value: float) -> str:
    """``5.0`` → ``5``; ``0.25`` → ``0.25`` (for messages)."""
    return f"{value:g}"


def is_measurable(kr: KeyResult) -> bool:
    """A numeric KR with a real start → target range, or a threshold KR with a target."""
    kind = kr.effective_kind
    if kind == "numeric":
        return kr.start is not None and kr.target is not None and kr.start != kr.target
    if kind == "threshold":
        return kr.target is not None
    return False


def is_activity(kr: KeyResult) -> bool:
    """An activity-worded KR without a measurable start → target (milestones included)."""
    return not is_measurable(kr) and activity_verb(kr.title) is not None


MILESTONE_HINT = (
    "Say what the deliverable is for, as a result with a start and a target (e.g. "
    "'Launch the partner portal' → 'Raise partner-sourced revenue from $0.4M to $1M'); "
    "if the deliverable really is the goal, keep it and add 'allow: [OKR001]' to the "
    "key result once reviewed"
)


@rule(
    "OKR001",
    "activity-not-outcome",
    title="Activity, not outcome",
    severity="warning",
    hint=(
        "Rewrite it as the result the work should produce, with a start and a target "
        "(e.g. 'Raise activation from 20% to 35%')"
    ),
)
def activity_not_outcome(ctx: CheckContext) -> Iterator[Finding]:
    """A key result should say what changes, not what the team will do. This
    rule flags key results whose title starts with (or starts a clause with) an
    activity verb — hire, launch, implement, build, ship, migrate, complete,
    create, develop, release, roll out, set up… — *and* that have no measurable
    start → target (a numeric range, or a threshold's target). "Launch the
    partner portal" is work; "Raise partner-sourced revenue from $0.4M to $1M"
    is the outcome the launch is for. Milestones are flagged too, declared
    (``kind: milestone``) or implied by a ``done`` value: "avoid activity-based
    key results like hire, launch or implement — those are initiatives". A
    deliverable that really is the goal is a reviewed exception: add
    ``allow: [OKR001]`` to that key result. Milestones worded as a state
    ("SOC 2 report issued") are not flagged. Outcome verbs such as increase,
    reduce, grow or cut are never flagged, and a noun in mid-title ("Cut build
    time") is not a verb.
    """
    for cycle, okrs, objective, kr in ctx.key_results():
        if not is_activity(kr):
            continue
        verb = activity_verb(kr.title)
        hint = None
        if kr.kind == "milestone":
            shape = "declared 'kind: milestone'"
            hint = MILESTONE_HINT
        elif kr.effective_kind == "milestone":
            shape = "a 'done' flag as its only measure"
            hint = MILESTONE_HINT
        else:
            shape = "no start → target"
        yield ctx.finding(
            kr.source,
            f"key result {quote(kr.title)} describes an activity ('{verb}') rather than "
            f"an outcome, with {shape}",
            cycle=cycle.id, unit=okrs.unit_id, objective=objective.id, key_result=kr.id,
            hint=hint,
        )


@rule(
    "OKR002",
    "no-start-or-target",
    title="No real start and target",
    severity="warning",
    hint=(
        "Give 'start' (where you are at the start of the cycle) and a different "
        "'target'; or use 'kind: milestone' with 'done' for a yes/no result"
    ),
)
def no_start_or_target(ctx: CheckContext) -> Iterator[Finding]:
    """A numeric key result measures movement from ``start`` to ``target``;
    without both, or with ``start`` equal to ``target``, progress cannot be
    computed and nobody can tell whether it was achieved. Threshold key
    results ("keep uptime above 99.9 %") need a ``target``. Milestones are
    exempt. A key result worded as an activity is reported once, by OKR001,
    while that rule is active for it.
    """
    for cycle, okrs, objective, kr in ctx.key_results():
        kind = kr.effective_kind
        if kind == "milestone" or is_measurable(kr):
            continue
        if is_activity(kr) and ctx.reports("OKR001", cycle.id, okrs.unit_id, objective.id, kr.id):
            continue
        if kind == "threshold":
            problem = "is a threshold without a target"
        elif kr.start is None and kr.target is None:
            problem = "has no start and no target"
        elif kr.start is None:
            problem = "has no start value"
        elif kr.target is None:
            problem = "has no target"
        else:
            assert kr.start is not None
            problem = f"has start equal to target ({number(kr.start)}): there is nothing to move"
        yield ctx.finding(
            kr.source,
            f"key result {quote(kr.title)} {problem}",
            cycle=cycle.id, unit=okrs.unit_id, objective=objective.id, key_result=kr.id,
        )


@rule(
    "OKR003",
    "objective-without-owner",
    title="Objective without owner",
    severity="warning",
    hint="Add 'owner:' with the one person accountable for the objective",
)
def objective_without_owner(ctx: CheckContext) -> Iterator[Finding]:
    """Every objective needs one accountable person, named in ``owner``. Shared
    ownership tends to mean no ownership; the owner may delegate key results.
    Co-owners (``owners: [..]``) count: an objective with only co-owners is
    owned, and not reported.
    """
    for cycle, okrs, objective in ctx.objectives():
        if not objective.all_owners:
            yield ctx.finding(
                objective.source,
                f"objective {quote(objective.title)} has no owner",
                cycle=cycle.id, unit=okrs.unit_id, objective=objective.id,
            )


@rule(
    "OKR004",
    "key-result-without-owner",
    title="Key result without owner",
    severity="warning",
    hint="Add 'owner:' to the key result, or to its objective (key results inherit it)",
)
def key_result_without_owner(ctx: CheckContext) -> Iterator[Finding]:
    """A key result without its own ``owner`` inherits its objective's owner,
    which is the usual case and not flagged. This rule reports key results that
    end up with no owner at all. When the objective itself has no owner, OKR003
    already reports it once; this rule then stays quiet for its key results,
    unless OKR003 is turned off or allowed for that objective (for companies
    that track ownership per key result).
    """
    for cycle, okrs, objective, kr in ctx.key_results():
        if kr.all_owners or objective.all_owners:
            continue
        if ctx.reports("OKR003", cycle.id, okrs.unit_id, objective.id):
            continue
        yield ctx.finding(
            kr.source,
            f"key result {quote(kr.title)} has no owner, and neither has its objective",
            cycle=cycle.id, unit=okrs.unit_id, objective=objective.id, key_result=kr.id,
        )
