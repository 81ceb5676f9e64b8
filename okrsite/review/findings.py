"""Which check findings a change makes new, and which it fixes. Pure.

Check findings of the base and the head are compared by (rule, cycle, unit,
objective, key result), so moving lines does not make a finding "new", and
neither does a changed detail in its message (a stale check-in warning whose
day count grew is the same warning). Several findings of one rule on one node
are paired by message first; only the surplus on either side is new or fixed.
Findings that name an objective private on either side are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from okrsite.checks import Finding
from okrsite.review.changes import FindingChange

PrivateKey = tuple[str, str, str]
"""(cycle, unit, objective id) of an objective private on either side."""


def _finding_key(f: Finding) -> tuple[str, str, str, str, str]:
    """What makes two findings "the same" across base and head (not the message)."""
    return (f.rule_id, f.cycle or "", f.unit or "", f.objective or "", f.key_result or "")


def _surplus(ours: list[Finding], theirs: list[Finding]) -> list[Finding]:
    """Findings of ``ours`` left over once each is paired with one of ``theirs``
    of the same key: identical messages pair first, then the rest in order."""
    out: list[Finding] = []
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in theirs:
        groups.setdefault(_finding_key(f), []).append(f)
    pending: list[Finding] = []
    for f in sorted(ours, key=Finding.sort_key):
        group = groups.get(_finding_key(f), [])
        same = next((g for g in group if g.message == f.message), None)
        if same is not None:
            group.remove(same)
        else:
            pending.append(f)
    for f in pending:
        group = groups.get(_finding_key(f), [])
        if group:
            group.pop(0)
        else:
            out.append(f)
    return out


def _finding_change(f: Finding) -> FindingChange:
    return FindingChange(
        f.severity,
        f.rule_id,
        f.message,
        str(f.location),
        f.cycle,
        f.unit,
        f.objective,
        f.key_result,
    )


def finding_changes(
    base: Sequence[Finding], head: Sequence[Finding], private: set[PrivateKey]
) -> tuple[list[FindingChange], list[FindingChange]]:
    """(new in the head, fixed since the base), each sorted like the report."""

    def public(findings: Sequence[Finding]) -> list[Finding]:
        return [
            f for f in findings if (f.cycle or "", f.unit or "", f.objective or "") not in private
        ]

    new = sorted(_surplus(public(head), public(base)), key=Finding.sort_key)
    fixed = sorted(_surplus(public(base), public(head)), key=Finding.sort_key)
    return [_finding_change(f) for f in new], [_finding_change(f) for f in fixed]
