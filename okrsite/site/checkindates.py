"""Closed cycles' check-in dates, kept between builds.

The home page's "what changed this week" and the feed's newest entries look
for check-ins in every unit file of every cycle. With eight quarters of
history at 100 units that walked ~72,000 check-ins of seven quarters on each
rebuild (~0.1 s) to find, nearly always, that none is recent. What decides
whether a file can hold one is only the first and last date of its check-ins
(:func:`okrsite.analysis.history.checkin_span`), so with a store
(:attr:`SiteContext.stored`) a closed cycle's dates are kept as text under a
key made of its input files (the store adds them: the cycle's folder, the
cycles overlapping it, ``company.yaml``, ``org.yaml``, okrsite's code) and
the audience (a public build sees the redacted model). The walks then read
only the files whose dates may matter, and give what they give without the
dates (``tests/test_checkin_dates.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from okrsite.analysis.history import checkin_span
from okrsite.model import Cycle
from okrsite.site.context import SiteContext
from okrsite.site.findings import closed_cycles

_FORMAT = "okrsite-checkin-dates 1"
_SPANS_KEY = "closed_checkin_spans"
"""Where :func:`closed_checkin_spans` keeps its result in ``SiteContext.extras``."""

Span = tuple[dt.date, dt.date] | None


def closed_checkin_spans(ctx: SiteContext) -> dict[tuple[str, str], Span]:
    """(cycle, unit) → the file's check-in dates, for every unit file of the
    closed cycles the build's store knows (none without a store); made once
    per build."""
    found = ctx.extras.get(_SPANS_KEY)
    if isinstance(found, dict):
        return found
    spans: dict[tuple[str, str], Span] = {}
    stored = ctx.stored
    if stored is not None:
        context = f"{_FORMAT}\n{ctx.options.audience}"
        for cycle_id in closed_cycles(ctx):
            key = stored.key(cycle_id, context)
            if key is None:
                continue
            cycle = ctx.model.cycles[cycle_id]
            kept = _read(stored.text(key), cycle)
            if kept is None:
                kept = {unit_id: checkin_span(okrs) for unit_id, okrs in cycle.okrs.items()}
                stored.keep_text(key, _text(kept))
            for unit_id, span in kept.items():
                spans[(cycle_id, unit_id)] = span
    ctx.extras[_SPANS_KEY] = spans
    return spans


def _text(spans: dict[str, Span]) -> str:
    return json.dumps(
        {
            unit_id: None if span is None else [span[0].isoformat(), span[1].isoformat()]
            for unit_id, span in spans.items()
        },
        separators=(",", ":"),
    )


def _read(text: str | None, cycle: Cycle) -> dict[str, Span] | None:
    """Dates stored by :func:`_text` for every unit file of ``cycle``, or None
    (a cache is untrusted input: anything else is a miss)."""
    if text is None:
        return None
    try:
        rows: Any = json.loads(text)
        if not isinstance(rows, dict) or rows.keys() != cycle.okrs.keys():
            return None
        return {unit_id: _span(row) for unit_id, row in rows.items()}
    except (ValueError, TypeError):
        return None


def _span(row: Any) -> Span:
    if row is None:
        return None
    first, last = row  # ValueError or TypeError when not a pair
    if type(first) is not str or type(last) is not str:
        raise TypeError("not stored dates")
    span = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    if span[0] > span[1]:
        raise ValueError("not stored dates")
    return span
