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
    days: dict[str, dt.date] = {}  # forecasts share their dates: one object per day
    samples = read_rows(text, lambda row: _sample(row, days))
    if samples is None or not all(s.cycle_id == cycle_id for s in samples):
        return None
    return samples


_new = object.__new__
_NUMBER = (int, float)


def _sample(row: Any, days: dict[str, dt.date]) -> Sample:
    cycle_id, unit_id, objective_id, kr_id, forecast, day, score, outcome = row
    for text in (cycle_id, unit_id, objective_id, kr_id, day):
        if type(text) is not str:
            raise TypeError("not a stored sample")
    for number in (forecast, score, outcome):
        if type(number) not in _NUMBER:
            raise TypeError("not a stored sample")
    forecast_date = days.get(day)
    if forecast_date is None:
        forecast_date = days[day] = dt.date.fromisoformat(day)
    # Sample(...) with its fields put in place, in order: a frozen
    # dataclass's __init__ sets each through object.__setattr__ (6,700 kept
    # samples at 100 units x 8 quarters). The same object (tests compare).
    # JSON keeps ints and floats apart: the sample is the one that was stored.
    sample = _new(Sample)
    fields = sample.__dict__
    fields["cycle_id"] = cycle_id
    fields["unit_id"] = unit_id
    fields["objective_id"] = objective_id
    fields["key_result_id"] = kr_id
    fields["forecast"] = forecast
    fields["forecast_date"] = forecast_date
    fields["score"] = score
    fields["outcome"] = outcome
    return sample
