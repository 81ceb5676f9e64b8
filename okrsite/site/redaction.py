"""Redaction of a public build, closed cycles' findings kept between builds.

:func:`okrsite.analysis.redact.redact` searches every objective and link of
every cycle for private objectives and links to them: with eight quarters of
history, seven that never change. What it finds in a cycle
(:data:`~okrsite.analysis.redact.CycleRedaction`: its private objectives,
the units whose file it changes) depends only on the cycle's files and the
cycles overlapping it (a link may only point into a cycle containing its
own), so with a store a closed cycle's is kept as text under a key made of
its input files (the store adds them, ``company.yaml`` with its
``publish_people`` among them), and ``redact`` takes it as given: the same
model either way (``tests/test_kept_redaction.py``).
"""

from __future__ import annotations

import json
from typing import Any

from okrsite.analysis.cycles import closed_cycle_ids
from okrsite.analysis.redact import CycleRedaction, RedactedUnits, redact
from okrsite.model import Cycle, OkrModel
from okrsite.site.cache import ClosedCycles
from okrsite.site.options import SiteOptions

_FORMAT = "okrsite-redaction 1"


def site_model(
    model: OkrModel,
    options: SiteOptions,
    closed: ClosedCycles | None = None,
    kept: RedactedUnits | None = None,
) -> OkrModel:
    """``model`` redacted for the build's audience; with a store of closed
    cycles, those cycles' findings are read from it (and kept there)."""
    if closed is None or options.audience == "internal":
        return redact(model, options.audience, kept)
    context = f"{_FORMAT}\n{options.audience}"
    keys: dict[str, str] = {}
    facts: dict[str, CycleRedaction] = {}
    # The closed cycles of site/findings.closed_cycles (redaction keeps the
    # model's cycles, so the redacted model has the same).
    for cycle_id in closed_cycle_ids(model, options.resolved_today()):
        cycle = model.cycles[cycle_id]
        key = closed.key(cycle_id, context)
        if key is None:
            continue
        found = _read(closed.text(key), cycle)
        if found is None:
            keys[cycle_id] = key  # searched by redact, kept below
        else:
            facts[cycle_id] = found
    public = redact(model, options.audience, kept, facts)
    for cycle_id, key in keys.items():
        private, touched = facts[cycle_id]
        closed.keep_text(key, json.dumps([sorted(private), sorted(touched)]))
    return public


def _read(text: str | None, cycle: Cycle) -> CycleRedaction | None:
    """What :func:`site_model` kept for ``cycle``, or None (a cache is
    untrusted input: anything else is a miss)."""
    if text is None:
        return None
    try:
        private, touched = json.loads(text)
    except (ValueError, TypeError):
        return None
    if not _names(private) or not _names(touched):
        return None
    units = cycle.okrs.keys()
    if not all(ref.partition("/")[0] in units for ref in private) or not units >= set(touched):
        return None
    return frozenset(private), frozenset(touched)


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(type(item) is str for item in value)
