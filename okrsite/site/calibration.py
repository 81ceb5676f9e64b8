"""The build's calibration report, closed cycles' samples kept between builds.

The directory and every unit profile show how well forecasts matched
results across every graded cycle (:mod:`okrsite.analysis.calibration`).
Collecting the samples walks every key result of every cycle: with eight
quarters of history, ~0.2 s of each rebuild for seven quarters that never
change. A cycle's samples read nothing but the cycle and the company's
scoring, so with a store (:attr:`SiteContext.stored`) a closed cycle's are
kept as text under a key made of its input files (the store adds them:
``company.yaml`` is one) and the audience; the report is made from the kept
and the fresh samples, in the order :func:`collect_samples` gives.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from okrsite.analysis.calibration import (
    CalibrationReport,
    Sample,
    calibration_report,
    cycle_samples,
)
from okrsite.site.context import SiteContext
from okrsite.site.findings import closed_cycles, read_rows

_FORMAT = "okrsite-calibration 1"
_REPORT_KEY = "calibration_report"


def site_calibration(ctx: SiteContext) -> CalibrationReport:
    """The calibration report of the site's model (made once per build)."""
    found = ctx.extras.get(_REPORT_KEY)
    if isinstance(found, CalibrationReport):
        return found
    stored = ctx.stored
    keys: dict[str, str | None] = {}  # closed cycles' keys (None: the store does not know it)
    if stored is not None:
        context = f"{_FORMAT}\n{ctx.options.audience}"
        keys = {cycle_id: stored.key(cycle_id, context) for cycle_id in closed_cycles(ctx)}
    samples: list[Sample] = []
    for cycle_id, cycle in ctx.model.cycles.items():
        key = keys.get(cycle_id)
        kept = _read(stored.text(key), cycle_id) if stored is not None and key else None
        if kept is None:
            kept = cycle_samples(ctx.model, cycle)
            if stored is not None and key is not None:
                stored.keep_text(key, _text(kept))
        samples.extend(kept)
    report = calibration_report(ctx.model, samples=samples)
    ctx.extras[_REPORT_KEY] = report
    return report


def _text(samples: list[Sample]) -> str:
    return json.dumps(
        [
            [s.cycle_id, s.unit_id, s.objective_id, s.key_result_id, s.forecast,
             s.forecast_date.isoformat(), s.score, s.outcome]
            for s in samples
        ],
        separators=(",", ":"),
    )


def _read(text: str | None, cycle_id: str) -> list[Sample] | None:
    """Samples stored by :func:`_text` for ``cycle_id``, or None."""
    samples = read_rows(text, _sample)
    if samples is None or not all(s.cycle_id == cycle_id for s in samples):
        return None
    return samples


def _sample(row: Any) -> Sample:
    cycle_id, unit_id, objective_id, kr_id, forecast, day, score, outcome = row
    if not all(isinstance(t, str) for t in (cycle_id, unit_id, objective_id, kr_id, day)):
        raise TypeError("not a stored sample")
    numbers = (forecast, score, outcome)
    if not all(type(n) in (int, float) for n in numbers):
        raise TypeError("not a stored sample")
    # JSON keeps ints and floats apart: the sample is the one that was stored.
    return Sample(
        cycle_id, unit_id, objective_id, kr_id, forecast, dt.date.fromisoformat(day), score, outcome
    )
