"""The build's quality findings, closed cycles' kept between builds.

Every page with badges and every quality page reads the findings of the
whole site, and a closed cycle's stored pages are keyed by its findings
(:func:`okrsite.site.build.closed_cycle_context`). Running every rule on
every cycle made a build with eight quarters of history pay for seven that
never change (~0.4 s of a rebuild at 100 units).

With a store (:attr:`SiteContext.stored`, the page cache of ``okrsite
build``), a closed cycle's findings are kept as text under a key made of its
input files (the store adds them: the cycle's folder, the cycles overlapping
it, ``company.yaml``, ``org.yaml``, measured data, okrsite's code), the
build's day (rules judge dates) and the audience (a public build's rules see
the redacted model). Rules then run only on the other cycles
(``run_checks(..., cycles=)``, which finds exactly what a full run finds for
those cycles, tests/test_check_scope.py), and the two lists are merged in
the order a full run gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from okrsite.analysis.cycles import closed_cycle_ids
from okrsite.checks import SEVERITIES, Finding, run_checks
from okrsite.checks.engine import filled_finding
from okrsite.errors import SourceLocation
from okrsite.model import load_cycle_checkins
from okrsite.site.context import SiteContext

FINDINGS_KEY = "check_findings"
"""Where :func:`site_findings` keeps its result in ``SiteContext.extras``."""
_TEXTS_KEY = "closed_cycle_findings"
"""Where it keeps each closed cycle's findings as text (see :func:`closed_cycle_findings`)."""

OWNER_RULES = frozenset({"OKR003", "OKR004"})
"""Rules about owners: dropped when the company does not publish people."""

_FORMAT = "okrsite-findings 1"

T = TypeVar("T")


def closed_cycles(context: SiteContext) -> list[str]:
    """Cycles that ended before the build's today and are not the current one."""
    return closed_cycle_ids(context.model, context.today)


def site_findings(ctx: SiteContext) -> list[Finding]:
    """The build's findings (computed on first use, then shared)."""
    cached = ctx.extras.get(FINDINGS_KEY)
    if isinstance(cached, list):
        return cached
    kept: dict[str, list[Finding]] = {}
    keys: dict[str, str] = {}
    texts: dict[str, str] = {}  # closed cycles' findings as stored (closed_cycle_findings)
    stored = ctx.stored
    closed = closed_cycles(ctx) if stored is not None else []
    if stored is not None:
        context = f"{_FORMAT}\n{ctx.today.isoformat()}\n{ctx.options.audience}"
        for cycle_id in closed:
            key = stored.key(cycle_id, context)
            if key is None:
                continue
            keys[cycle_id] = key
            text = stored.text(key)
            found = _read(text, cycle_id)
            if text is not None and found is not None:
                kept[cycle_id], texts[cycle_id] = found, text
    scope = [cycle_id for cycle_id in ctx.model.cycles if cycle_id not in kept]
    for cycle_id in scope:  # the rules read check-ins (kept cycles hold them packed)
        load_cycle_checkins(ctx.model.cycles[cycle_id])
    # The rules read the same indexes as the pages (kept by a preview server).
    indexes = {cycle_id: ctx.alignment(ctx.model.cycles[cycle_id]) for cycle_id in scope}
    findings = run_checks(
        ctx.model, today=ctx.today, alignment=indexes, cycles=None if not kept else scope
    )
    fresh: dict[str, list[Finding]] = {c: [] for c in closed if c not in kept}
    for finding in findings if fresh else ():
        bucket = fresh.get(finding.cycle) if finding.cycle is not None else None
        if bucket is not None:
            bucket.append(finding)
    for cycle_id, found in fresh.items():
        texts[cycle_id] = _text(found)
        if stored is not None and cycle_id in keys:
            stored.keep_text(keys[cycle_id], texts[cycle_id])
    ctx.extras[_TEXTS_KEY] = texts
    if kept:
        findings.extend(f for found in kept.values() for f in found)
        findings.sort(key=Finding.sort_key)
    if not ctx.model.company.publish_people:
        findings = [f for f in findings if f.rule_id not in OWNER_RULES]
    ctx.extras[FINDINGS_KEY] = findings
    return findings


def closed_cycle_findings(ctx: SiteContext, cycle_id: str) -> str:
    """A closed cycle's findings as the store keeps them (JSON, in a full
    run's order, before the owner rules are left out): part of the key of
    the cycle's stored pages (``site/build.closed_cycle_context``)."""
    site_findings(ctx)
    texts = ctx.extras.get(_TEXTS_KEY)
    assert isinstance(texts, dict)
    return str(texts[cycle_id])


def _text(findings: list[Finding]) -> str:
    return json.dumps(
        [
            [
                f.location.path, f.location.line, f.location.column, f.rule_id, f.severity,
                f.message, f.hint, f.cycle, f.unit, f.objective, f.key_result,
            ]
            for f in findings
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _read(text: str | None, cycle_id: str) -> list[Finding] | None:
    """Findings stored by :func:`_text` for ``cycle_id``, or None."""
    found = read_rows(text, _finding)
    if found is None or not all(f.cycle == cycle_id for f in found):
        return None
    return found


def read_rows(text: str | None, make: Callable[[Any], T]) -> list[T] | None:
    """A stored JSON list, each row made into a value by ``make``; None when
    ``text`` is missing or not such a list (a cache is untrusted input: odd
    means a miss, so ``make`` raises ``TypeError`` or ``ValueError`` on a
    row it does not expect)."""
    if text is None:
        return None
    try:
        rows: Any = json.loads(text)
        if not isinstance(rows, list):
            return None
        return [make(row) for row in rows]
    except (ValueError, TypeError):
        return None


_new = object.__new__


def _finding(row: Any) -> Finding:
    path, line, column, rule_id, severity, message, hint, cycle, unit, objective, kr = row
    for text in (path, rule_id, message, hint):
        if type(text) is not str:
            raise TypeError("not a stored finding")
    for name in (cycle, unit, objective, kr):
        if name is not None and type(name) is not str:
            raise TypeError("not a stored finding")
    if severity not in SEVERITIES or type(line) is not int or type(column) is not int:
        raise TypeError("not a stored finding")
    # The location with its fields put in place, as the finding itself
    # (checks.engine.filled_finding): the same objects as the rules make.
    location = _new(SourceLocation)
    where = location.__dict__
    where["path"], where["line"], where["column"] = path, line, column
    return filled_finding(
        location, rule_id, severity, message, hint, cycle, unit, objective, kr
    )
