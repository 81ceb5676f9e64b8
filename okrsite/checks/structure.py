"""Rules about the shape of the organisation and of each OKR set
(OKR000, OKR009–OKR011, OKR014)."""

from __future__ import annotations

from collections.abc import Iterator

from okrsite.checks.engine import CheckContext, Finding, rule
from okrsite.checks.text import quote
from okrsite.errors import SourceLocation
from okrsite.model import ROOT_UNIT, CheckLimits


def limits(ctx: CheckContext) -> CheckLimits:
    """The company's ``check_limits``, or the defaults."""
    return ctx.model.company.check_limits or CheckLimits()


def plural(count: int, noun: str) -> str:
    """``1 objective``, ``2 objectives``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@rule(
    "OKR000",
    "unknown-rule",
    title="Unknown rule id",
    severity="warning",
    hint="Use a rule id from the rules reference (OKR001…); check for a typo",
)
def unknown_rule(ctx: CheckContext) -> Iterator[Finding]:
    """A rule id in ``company.checks`` or in an ``allow:`` list that names no
    rule does nothing, which is rarely what its author meant: usually a typo
    that leaves a rule on, or an exception that does not apply.
    """
    company = ctx.model.company
    for rule_id in sorted(company.checks):
        if rule_id not in ctx.rules:
            yield ctx.finding(
                company.source,
                f"'checks' sets unknown rule {rule_id}",
            )
    for cycle, okrs, objective in ctx.objectives():
        for rule_id in objective.allow:
            if rule_id not in ctx.rules:
                yield ctx.finding(
                    objective.source,
                    f"objective {quote(objective.title)} allows unknown rule {rule_id}",
                    cycle=cycle.id, unit=okrs.unit_id, objective=objective.id,
                )
        for kr in objective.key_results:
            for rule_id in kr.allow:
                if rule_id not in ctx.rules:
                    yield ctx.finding(
                        kr.source,
                        f"key result {quote(kr.title)} allows unknown rule {rule_id}",
                        cycle=cycle.id, unit=okrs.unit_id, objective=objective.id,
                        key_result=kr.id,
                    )


@rule(
    "OKR009",
    "too-deep",
    title="Organisation too deep",
    severity="warning",
    hint=(
        "Flatten the organisation for OKRs: let this unit's OKRs live in its parent's, "
        "or attach it higher up (parent:)"
    ),
)
def too_deep(ctx: CheckContext) -> Iterator[Finding]:
    """OKRs work best with few levels: company → department → team. Every extra
    level adds a round of drafting and alignment, slows the cycle down and
    dilutes the link to the company's goals. This rule flags units more than
    three levels below the company (``check_limits.max_depth``), once each, at
    their entry in ``org.yaml``.
    """
    max_depth = limits(ctx).max_depth
    for unit in ctx.model.units.values():
        if unit.depth <= max_depth:
            continue
        chain = " → ".join(["company", *reversed(ctx.model.ancestors(unit.id)), unit.id])
        yield ctx.finding(
            unit.definition.source,
            f"unit {quote(unit.name)} is {unit.depth} levels below the company ({chain}); "
            f"more than {max_depth} is a smell",
            unit=unit.id,
        )


@rule(
    "OKR010",
    "objective-and-kr-counts",
    title="Too many or too few objectives or key results",
    severity="warning",
    hint=(
        "Focus: merge or drop objectives, split an overloaded objective, or give a lone "
        "key result a companion (company.check_limits changes the limits)"
    ),
)
def objective_and_kr_counts(ctx: CheckContext) -> Iterator[Finding]:
    """OKRs are a tool for focus. The company should have one to three
    objectives per cycle, a unit at most five, and each objective two to five
    key results: one key result is usually the objective restated as a metric,
    and more than five means the objective is several objectives. The limits
    are configurable in ``company.check_limits`` (``company_objectives_min``,
    ``company_objectives_max``, ``unit_objectives_max``, ``key_results_min``,
    ``key_results_max``). "Too many" is reported at the first item over the
    limit, "too few" at the file or objective.
    """
    lim = limits(ctx)
    for cycle, okrs in ctx.unit_files():
        objectives = okrs.objectives
        count = len(objectives)
        who = ctx.unit_label(okrs.unit_id)
        if okrs.unit_id == ROOT_UNIT:
            low, high = lim.company_objectives_min, lim.company_objectives_max
        else:
            low, high = 0, lim.unit_objectives_max
        if count < low:
            yield ctx.finding(
                SourceLocation(okrs.path),
                f"{who} has {plural(count, 'objective')} in {cycle.id}; expected at least {low}",
                cycle=cycle.id, unit=okrs.unit_id,
            )
        elif count > high:
            yield ctx.finding(
                objectives[high].source,
                f"{who} has {plural(count, 'objective')} in {cycle.id}; keep to at most {high}",
                cycle=cycle.id, unit=okrs.unit_id,
            )
        for objective in objectives:
            krs = objective.key_results
            if len(krs) < lim.key_results_min:
                yield ctx.finding(
                    objective.source,
                    f"objective {quote(objective.title)} has "
                    f"{plural(len(krs), 'key result')}; expected at least {lim.key_results_min}",
                    cycle=cycle.id, unit=okrs.unit_id, objective=objective.id,
                )
            elif len(krs) > lim.key_results_max:
                yield ctx.finding(
                    krs[lim.key_results_max].source,
                    f"objective {quote(objective.title)} has "
                    f"{plural(len(krs), 'key result')}; keep to at most {lim.key_results_max}",
                    cycle=cycle.id, unit=okrs.unit_id, objective=objective.id,
                )


@rule(
    "OKR011",
    "private-okrs",
    title="Private OKRs",
    severity="warning",
    hint=(
        "Make the objective public (remove 'visibility: private') unless it truly "
        "must stay hidden"
    ),
)
def private_okrs(ctx: CheckContext) -> Iterator[Finding]:
    """Transparency is the point of publishing OKRs: people align with what
    they can see. Private objectives never appear on the site (only their
    count), so nobody can align with them or learn from them. This rule
    reports, once per unit and cycle, how many private objectives there are;
    the message never repeats their titles.
    """
    for cycle, okrs in ctx.unit_files():
        count = okrs.private_count
        if not count:
            continue
        first = next((o for o in okrs.objectives if o.is_private), None)
        where = first.source if first is not None else SourceLocation(okrs.path)
        yield ctx.finding(
            where,
            f"{ctx.unit_label(okrs.unit_id)} has {plural(count, 'private objective')} "
            f"in {cycle.id}; hidden OKRs defeat transparency",
            cycle=cycle.id, unit=okrs.unit_id,
        )


@rule(
    "OKR014",
    "idle-service-unit",
    title="Service unit without OKRs or health metrics",
    severity="info",
    hint=(
        "Add 'health_metrics' for the business-as-usual work, or objectives for what "
        "the unit wants to improve this cycle"
    ),
)
def idle_service_unit(ctx: CheckContext) -> Iterator[Finding]:
    """Service units (engineering, design, legal, finance, support…) may set
    OKRs only for what they want to improve, track business-as-usual health
    metrics instead, or skip OKRs entirely. Skipping both leaves the site
    silent about them, so this rule notes it, for the current cycle only
    (the cycle that contains today).
    """
    for cycle in ctx.cycles():
        if not ctx.is_current(cycle):
            continue
        for unit in ctx.model.units.values():
            if unit.kind != "service":
                continue
            okrs = cycle.okrs.get(unit.id)
            if okrs is not None and (okrs.objectives or okrs.content.health_metrics):
                continue
            if okrs is not None and okrs.private_count:
                continue
            where = SourceLocation(okrs.path) if okrs is not None else unit.definition.source
            yield ctx.finding(
                where,
                f"service unit {quote(unit.name)} has neither OKRs nor health metrics "
                f"in {cycle.id}",
                cycle=cycle.id, unit=unit.id,
            )
