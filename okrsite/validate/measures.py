"""Measured key results: fold their data files' rows into the model.

For a KR with ``measure:``, the rows of its data file dated inside the cycle
become value-only check-ins (a written check-in on the same date wins: it
carries confidence and a note), and the latest becomes ``current``. The KR
remembers where the number came from and when (:attr:`KeyResult.measured`),
for pages, exports and the staleness rule.
"""

from __future__ import annotations

from okrsite.errors import ContentIssue, SourceLocation
from okrsite.model import CheckIn, Cycle, KeyResult, Measurement
from okrsite.source.data import DataFiles


def apply_measures(cycles: dict[str, Cycle], data: DataFiles) -> list[ContentIssue]:
    """Read every measured KR's data; return the problems (files, columns, rows)."""
    issues: list[ContentIssue] = []
    for cycle in cycles.values():
        start, end = cycle.definition.start, cycle.definition.end
        for okrs in cycle.okrs.values():
            if not any(kr.measure for o in okrs.objectives for kr in o.key_results):
                continue
            # Validated file contents are shared between loads of the same text
            # (a LoadCache shares them): measure into a copy, never into the shared one.
            okrs.content = okrs.content.model_copy(deep=True)
            for objective in okrs.objectives:
                for kr in objective.key_results:
                    if kr.measure is not None:
                        issues.extend(_measure(kr, data, start, end))
    return issues


def _measure(kr: KeyResult, data: DataFiles, start: object, end: object) -> list[ContentIssue]:
    spec = kr.measure
    assert spec is not None
    points, issues = data.series(spec.file, spec.date, spec.value, spec.source)
    if issues:
        return issues
    inside = {p.date: p for p in points if start <= p.date <= end}  # type: ignore[operator]
    written = {c.date for c in kr.checkins}
    added: list[CheckIn] = []
    for date in sorted(inside):
        if date in written:
            continue
        checkin = CheckIn.model_construct(date=date, value=inside[date].value)
        checkin.set_source(SourceLocation(spec.file, inside[date].line, 1))
        added.append(checkin)
    if added:
        kr.checkins = sorted([*kr.checkins, *added], key=lambda c: c.date)
    latest = max(inside) if inside else None
    if latest is not None:
        kr.current = inside[latest].value
    kr.set_measured(
        Measurement(
            file=spec.file,
            as_of=latest,
            value=inside[latest].value if latest is not None else None,
            rows=len(inside),
        )
    )
    return []
