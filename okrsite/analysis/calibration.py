"""Confidence calibration: did the mid-cycle forecasts come true? Pure functions.

Teams state a confidence with their check-ins. Once a cycle is graded we can
compare what they forecast with what happened, per unit and company-wide,
so teams learn whether they sandbag or over-promise.

Definitions (documented because each is a choice)
-------------------------------------------------
Graded key result
    A KR whose unit file has ``status: graded`` (its score is ``score`` when
    set, else its computed progress), or any KR with an explicit ``score``.
    KRs without a score or progress are skipped.
Forecast
    The confidence of the check-in nearest the cycle's midpoint
    (``start + (end − start) // 2`` days), among check-ins dated inside the
    cycle that carry a confidence; on a tie the earlier check-in wins. Words
    map to probabilities: ``high`` → 0.8, ``medium`` → 0.5, ``low`` → 0.2.
    A KR without such a check-in has no forecast and is skipped (the KR's
    own ``confidence`` is its *latest* one, not a mid-cycle forecast).
Outcome
    ``binary`` (default): 1 when the final score reaches the company's green
    band (``scoring.green``, 0.7 by default: "we hit it"), else 0 — the
    forecast is read as the probability of hitting the KR. ``score``: the
    score itself (0..1), a softer variant.
Brier score
    Mean of ``(forecast − outcome)²``: 0 is perfect, 0.25 is what always
    saying 0.5 earns on coin flips, lower is better.
Verdict
    ``bias = mean forecast − mean outcome``. Above ``+0.1``: "over-promise";
    below ``−0.1``: "sandbag"; otherwise "calibrated". With fewer than
    3 samples: "not enough data".
Reliability bins
    Five equal bins of forecast ([0, 0.2), [0.2, 0.4) … [0.8, 1.0]); each has
    its count, mean forecast and the share that came true (mean outcome).
    A calibrated forecaster's points lie on the diagonal.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from okrsite.analysis.progress import kr_score
from okrsite.model import ROOT_UNIT, Confidence, Cycle, CycleDef, KeyResult, OkrModel, load_checkins

OutcomeMode = Literal["binary", "score"]
Verdict = Literal["over-promise", "sandbag", "calibrated", "not enough data"]

WORD_FORECASTS: dict[str, float] = {"high": 0.8, "medium": 0.5, "low": 0.2}
"""Probability given to each confidence word."""
BIAS_THRESHOLD = 0.1
"""|mean forecast − mean outcome| above this is over-promising or sandbagging."""
MIN_SAMPLES = 3
"""Fewer graded forecasts than this give no verdict."""
BINS = 5

VERDICT_TEXT: dict[Verdict, str] = {
    "over-promise": "forecasts were more confident than the results",
    "sandbag": "results beat the forecasts",
    "calibrated": "forecasts matched the results",
    "not enough data": "too few graded forecasts to judge",
}


@dataclass(frozen=True)
class Sample:
    """One graded KR with its mid-cycle forecast."""

    cycle_id: str
    unit_id: str
    objective_id: str
    key_result_id: str
    forecast: float
    forecast_date: dt.date
    score: float
    outcome: float


@dataclass(frozen=True)
class Bin:
    """One bin of the reliability diagram."""

    lower: float
    upper: float
    count: int
    mean_forecast: float | None
    observed: float | None
    """Mean outcome: the share of forecasts in this bin that came true."""


@dataclass(frozen=True)
class Calibration:
    """Calibration of a set of samples (a unit, or the whole company): what
    pages show of it. The samples themselves are not kept: a build keeps
    closed cycles' reports without reading their samples back
    (``okrsite/site/calibration.py``)."""

    count: int
    """How many samples (graded forecasts)."""
    brier: float | None
    mean_forecast: float | None
    mean_outcome: float | None
    bias: float | None
    verdict: Verdict
    bins: tuple[Bin, ...]


@dataclass(frozen=True)
class CalibrationReport:
    """Company-wide calibration and one per unit that has samples."""

    company: Calibration
    units: dict[str, Calibration]
    """By unit id: the root (``company``) first, then org.yaml order."""


def forecast_value(confidence: Confidence) -> float:
    """A confidence as a probability (words: see :data:`WORD_FORECASTS`)."""
    if isinstance(confidence, str):
        return WORD_FORECASTS[confidence]
    return float(confidence)


def midpoint(cycle: CycleDef) -> dt.date:
    """The middle day of a cycle (rounded down)."""
    return cycle.start + dt.timedelta(days=(cycle.end - cycle.start).days // 2)


def mid_cycle_forecast(kr: KeyResult, cycle: CycleDef) -> tuple[float, dt.date] | None:
    """The forecast of a KR and the date it was made, or ``None``."""
    mid = midpoint(cycle)
    candidates = [
        c for c in kr.checkins if c.confidence is not None and cycle.start <= c.date <= cycle.end
    ]
    if not candidates:
        return None
    nearest = min(candidates, key=lambda c: (abs((c.date - mid).days), c.date))
    assert nearest.confidence is not None
    return forecast_value(nearest.confidence), nearest.date


def collect_samples(model: OkrModel, *, outcome: OutcomeMode = "binary") -> list[Sample]:
    """Every graded KR with a mid-cycle forecast, in model order.

    Private objectives are skipped (public builds have none anyway).
    """
    return [
        sample
        for cycle in model.cycles.values()
        for sample in cycle_samples(model, cycle, outcome=outcome)
    ]


def cycle_samples(
    model: OkrModel, cycle: Cycle, *, outcome: OutcomeMode = "binary"
) -> list[Sample]:
    """:func:`collect_samples` of one cycle: it reads nothing but the cycle
    and the company's scoring (a build keeps closed cycles' samples)."""
    green = model.company.scoring.green
    out: list[Sample] = []
    for unit_id, okrs in cycle.okrs.items():
        load_checkins(okrs)  # a kept closed quarter's come packed
        graded_unit = okrs.content.status == "graded"
        for objective in okrs.public_objectives:
            for kr in objective.key_results:
                if not graded_unit and kr.score is None:
                    continue
                score = kr_score(kr)
                forecast = mid_cycle_forecast(kr, cycle.definition)
                if score is None or forecast is None:
                    continue
                result = (1.0 if score >= green else 0.0) if outcome == "binary" else score
                out.append(
                    Sample(
                        cycle.id,
                        unit_id,
                        objective.id,
                        kr.id,
                        forecast[0],
                        forecast[1],
                        score,
                        result,
                    )
                )
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _bin_index(forecast: float) -> int:
    return min(BINS - 1, max(0, math.floor(forecast * BINS + 1e-9)))


def calibrate(samples: list[Sample]) -> Calibration:
    """Brier score, bias, verdict and reliability bins of ``samples``."""
    forecasts = [s.forecast for s in samples]
    outcomes = [s.outcome for s in samples]
    brier = _mean([(s.forecast - s.outcome) ** 2 for s in samples])
    mean_f, mean_o = _mean(forecasts), _mean(outcomes)
    bias = None if mean_f is None or mean_o is None else mean_f - mean_o
    verdict: Verdict
    if bias is None or len(samples) < MIN_SAMPLES:
        verdict = "not enough data"
    elif bias > BIAS_THRESHOLD:
        verdict = "over-promise"
    elif bias < -BIAS_THRESHOLD:
        verdict = "sandbag"
    else:
        verdict = "calibrated"
    grouped: list[list[Sample]] = [[] for _ in range(BINS)]
    for sample in samples:
        grouped[_bin_index(sample.forecast)].append(sample)
    bins = tuple(
        Bin(
            lower=i / BINS,
            upper=(i + 1) / BINS,
            count=len(group),
            mean_forecast=_mean([s.forecast for s in group]),
            observed=_mean([s.outcome for s in group]),
        )
        for i, group in enumerate(grouped)
    )
    return Calibration(len(samples), brier, mean_f, mean_o, bias, verdict, bins)


def calibration_report(
    model: OkrModel, *, outcome: OutcomeMode = "binary", samples: list[Sample] | None = None
) -> CalibrationReport:
    """Calibration company-wide and per unit, across every graded cycle
    (``samples``: :func:`collect_samples`' result when the caller has it)."""
    if samples is None:
        samples = collect_samples(model, outcome=outcome)
    order = [ROOT_UNIT, *model.units]
    by_unit: dict[str, list[Sample]] = {}
    for sample in samples:
        by_unit.setdefault(sample.unit_id, []).append(sample)
    units = {
        unit_id: calibrate(by_unit[unit_id])
        for unit_id in sorted(
            by_unit, key=lambda u: (order.index(u) if u in order else len(order), u)
        )
    }
    return CalibrationReport(calibrate(samples), units)


def summary(cal: Calibration) -> str:
    """One sentence, e.g. ``6 forecasts, Brier score 0.34; forecast 53% on
    average, 50% came true: calibrated (forecasts matched the results)``."""
    if not cal.count or cal.brier is None or cal.mean_forecast is None:
        return "No graded forecasts yet."
    noun = "forecast" if cal.count == 1 else "forecasts"
    assert cal.mean_outcome is not None
    return (
        f"{cal.count} {noun}, Brier score {cal.brier:.2f}; forecast "
        f"{round(cal.mean_forecast * 100)}% on average, {round(cal.mean_outcome * 100)}% "
        f"came true: {cal.verdict} ({VERDICT_TEXT[cal.verdict]})"
    )


# Reliability diagram geometry (view box 160 × 160).


