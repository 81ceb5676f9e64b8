"""The build's calibration report, closed cycles' part kept between builds.

The directory and every unit profile show how well forecasts matched
results across every graded cycle (:mod:`okrsite.analysis.calibration`).
Collecting the samples walks every key result of every cycle: with eight
quarters of history, ~0.2 s of each rebuild for seven quarters that never
change. A cycle's samples read nothing but the cycle and the company's
scoring, so with a store (:attr:`SiteContext.stored`) a closed cycle's are
kept as text under a key made of its input files (the store adds them:
``company.yaml`` is one) and the audience. The report itself (~100 units'
verdicts, means and bins) is kept too, under a key made of the closed
cycles' keys, the other cycles' samples and the order of the units: a
build whose closed cycles did not change reads it back instead of reading
their ~6,900 samples and calibrating them again. Otherwise the report is made
from the kept and the fresh samples, in the order :func:`collect_samples`
gives (``tests/test_kept_findings.py``, ``tests/test_calibration.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from okrsite.analysis.calibration import (
    BINS,
    VERDICT_TEXT,
    Bin,
    Calibration,
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
    fresh = {  # the other cycles' samples, made on every build
        cycle_id: cycle_samples(ctx.model, cycle)
        for cycle_id, cycle in ctx.model.cycles.items()
        if keys.get(cycle_id) is None
    }
    report_key = _report_key(ctx, keys, fresh) if stored is not None else None
    report = (
        _read_report(stored.text(report_key))
        if stored is not None and report_key is not None
        else None
    )
    if report is not None:
        assert stored is not None
        for key in keys.values():  # the closed cycles' samples stay for the next miss
            if key is not None:
                stored.text(key)
    else:
        samples: list[Sample] = []
        for cycle_id in ctx.model.cycles:
            key = keys.get(cycle_id)
            kept = fresh.get(cycle_id)
            if kept is None:
                assert stored is not None and key is not None
                kept = _read(stored.text(key), cycle_id)
                if kept is None:
                    kept = cycle_samples(ctx.model, ctx.model.cycles[cycle_id])
                    stored.keep_text(key, _text(kept))
            samples.extend(kept)
        report = calibration_report(ctx.model, samples=samples)
        if stored is not None and report_key is not None:
            stored.keep_text(report_key, _report_text(report))
    ctx.extras[_REPORT_KEY] = report
    return report


def _report_key(
    ctx: SiteContext, keys: dict[str, str | None], fresh: dict[str, list[Sample]]
) -> str | None:
    """What the report is made of: each cycle's samples (a closed cycle's
    by its key, the others' as text) in model order, and the units' order
    (the report's); None when there is no closed cycle to skip."""
    if not any(keys.values()):
        return None
    digest = hashlib.sha256(f"{_FORMAT} report\n{ctx.options.audience}".encode())
    digest.update(repr(list(ctx.model.units)).encode())
    for cycle_id in ctx.model.cycles:
        key = keys.get(cycle_id)
        part = _text(fresh[cycle_id]) if key is None else key
        digest.update(f"\0{cycle_id}\0{part}".encode())
    return digest.hexdigest()


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


def _report_text(report: CalibrationReport) -> str:
    """The report as JSON (floats as ``repr`` writes them: read back exactly)."""
    return json.dumps(
        {
            "company": _calibration_row(report.company),
            "units": [[unit_id, _calibration_row(cal)] for unit_id, cal in report.units.items()],
        },
        separators=(",", ":"),
    )


def _calibration_row(cal: Calibration) -> list[object]:
    bins = [[b.lower, b.upper, b.count, b.mean_forecast, b.observed] for b in cal.bins]
    return [cal.count, cal.brier, cal.mean_forecast, cal.mean_outcome, cal.bias, cal.verdict, bins]


def _read_report(text: str | None) -> CalibrationReport | None:
    """A report stored by :func:`_report_text`, or None (untrusted: anything
    else is a miss)."""
    if text is None:
        return None
    try:
        data: Any = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("units"), list):
            return None
        units: dict[str, Calibration] = {}
        for unit_id, row in data["units"]:
            if type(unit_id) is not str or unit_id in units:
                return None
            units[unit_id] = _calibration(row)
        return CalibrationReport(_calibration(data.get("company")), units)
    except (ValueError, TypeError):
        return None


def _calibration(row: Any) -> Calibration:
    count, brier, mean_f, mean_o, bias, verdict, bins = row
    if type(count) is not int or count < 0 or verdict not in VERDICT_TEXT:
        raise TypeError("not a stored calibration")
    _numbers(brier, mean_f, mean_o, bias)
    made = []
    for lower, upper, n, mean_forecast, observed in bins:
        if type(n) is not int or type(lower) is not float or type(upper) is not float:
            raise TypeError("not a stored calibration")
        _numbers(mean_forecast, observed)
        made.append(Bin(lower, upper, n, mean_forecast, observed))
    if len(made) != BINS:
        raise ValueError("not a stored calibration")
    return Calibration(count, brier, mean_f, mean_o, bias, verdict, tuple(made))


def _numbers(*values: object) -> None:
    for value in values:
        if value is not None and type(value) is not float:
            raise TypeError("not a stored calibration")
