"""The OKR quality coach: rules from OKR practice, run on a validated model.

Usage::

    from okrsite.checks import run_checks
    findings = run_checks(model, today=date.today())

Each rule is one small function in a topical module:

- ``writing.py``: how objectives and key results are written (OKR001–OKR004);
- ``alignment_rules.py``: how OKRs connect across units (OKR005–OKR008);
- ``structure.py``: organisation depth, counts, privacy, service units
  (OKR000, OKR009–OKR011, OKR014);
- ``cadence.py``: check-ins, locking, grading (OKR012, OKR013, OKR015–OKR017).

``engine.py`` holds :class:`Finding`, :class:`Rule`, :class:`CheckContext` and
the configuration logic; ``report.py`` turns findings into text, JSON or
GitHub annotations. To add a rule: write the function with the ``@rule``
decorator (its docstring is its documentation), add it to :data:`RULES`, and
add a test that makes it fire and one that keeps it quiet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping

from okrsite.analysis.alignment import AlignmentIndex
from okrsite.checks.alignment_rules import (
    aligns_to_nothing,
    repeats_parent,
    shared_kr,
    unsupported_company_kr,
)
from okrsite.checks.cadence import (
    checkin_outside_cycle,
    ended_not_graded,
    graded_without_score,
    schedule_slipping,
    stale_checkins,
)
from okrsite.checks.engine import (
    SEVERITIES,
    CheckContext,
    Finding,
    Rule,
    Severity,
    count_by_severity,
    run_rules,
)
from okrsite.checks.structure import (
    idle_service_unit,
    objective_and_kr_counts,
    private_okrs,
    too_deep,
    unknown_rule,
)
from okrsite.checks.writing import (
    activity_not_outcome,
    key_result_without_owner,
    no_start_or_target,
    objective_without_owner,
)
from okrsite.model import OkrModel

RULES: list[Rule] = sorted(
    [
        unknown_rule,
        activity_not_outcome,
        no_start_or_target,
        objective_without_owner,
        key_result_without_owner,
        repeats_parent,
        aligns_to_nothing,
        unsupported_company_kr,
        shared_kr,
        too_deep,
        objective_and_kr_counts,
        private_okrs,
        stale_checkins,
        schedule_slipping,
        idle_service_unit,
        graded_without_score,
        checkin_outside_cycle,
        ended_not_graded,
    ],
    key=lambda r: r.id,
)
"""Every rule, ordered by id."""

RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def run_checks(
    model: OkrModel,
    *,
    today: dt.date,
    alignment: Mapping[str, AlignmentIndex] | None = None,
    only: Collection[str] | None = None,
    cycles: Iterable[str] | None = None,
) -> list[Finding]:
    """Run every rule (or the rule ids in ``only``, see
    :func:`~okrsite.checks.engine.run_rules`) on ``model`` as of ``today``.

    Applies ``company.checks`` (``off`` or a severity per rule id) and the
    ``allow:`` lists of objectives and key results. The result is sorted by
    location, then rule id, and is the same for the same input.
    ``alignment``: cycle id → that cycle's
    ``AlignmentIndex.build_with_inner(..., include_private=True)`` when the
    caller has them already (the site's build does; a preview keeps them).
    ``cycles``: only these cycles' findings, and those of no cycle (a build
    keeps closed cycles' findings, see :attr:`CheckContext.scope`).
    """
    return run_rules(RULES, model, today=today, alignment=alignment, only=only, cycles=cycles)


__all__ = [
    "RULES",
    "RULES_BY_ID",
    "SEVERITIES",
    "CheckContext",
    "Finding",
    "Rule",
    "Severity",
    "count_by_severity",
    "run_checks",
]
