"""Confidence calibration on a worked example with hand-computed numbers.

Cycle 2026-Q1 runs Jan 1 – Mar 31; its midpoint is Jan 1 + 89 // 2 = 44 days
= Feb 14. Scoring green = 0.7, binary outcomes.

=========  ====  ================================  ========  =====  =======
unit       KR    check-ins with confidence          forecast  score  outcome
=========  ====  ================================  ========  =====  =======
sales      a     Feb 9: 0.9, Feb 16: 0.8 (nearer)   0.8       0.9    1
sales      b     Feb 12: "high"                     0.8       0.3    0
sales      c     Feb 14: 0.6                        0.6       0.5    0
product    d     Feb 10: "low"                      0.2       0.8    1
product    e     Feb 20: 0.3                        0.3       0.2    0
product    f     Jan 31: 0.5, Feb 28: 0.9 (tie →    0.5       0.7    1
                 earlier wins)
product    g     no confidence                      —         0.9    skipped
support    h     unit not graded, no score          —         —      skipped
=========  ====  ================================  ========  =====  =======

sales:   Brier = (0.2² + 0.8² + 0.6²) / 3 = 1.04 / 3 = 0.34667;
         mean forecast 2.2 / 3 = 0.7333, mean outcome 1/3 → bias +0.4 → over-promise.
product: Brier = (0.8² + 0.3² + 0.5²) / 3 = 0.98 / 3 = 0.32667;
         mean forecast 1.0 / 3, mean outcome 2/3 → bias −0.3333 → sandbag.
company: Brier = 2.02 / 6 = 0.33667; mean forecast 3.2 / 6 = 0.5333,
         mean outcome 0.5 → bias +0.0333 → calibrated.
Bins:    [0.2, 0.4): d, e → forecast 0.25, observed 0.5; [0.4, 0.6): f → 0.5, 1;
         [0.6, 0.8): c → 0.6, 0; [0.8, 1.0]: a, b → 0.8, 0.5.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from okrsite.analysis.calibration import (
    calibrate,
    calibration_report,
    collect_samples,
    forecast_value,
    mid_cycle_forecast,
    midpoint,
    summary,
)
from okrsite.model import (
    CompanyFile,
    Cycle,
    CycleDef,
    KeyResult,
    OkrModel,
    OrgFile,
    Unit,
    UnitCycleFile,
    UnitOkrs,
)
from okrsite.render.history_charts import reliability_svg

Q1 = {"id": "2026-Q1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def kr_data(kr_id: str, score: float | None, checkins: list[tuple[dt.date, Any]]) -> dict:
    data: dict[str, Any] = {
        "id": kr_id,
        "title": f"KR {kr_id}",
        "start": 0,
        "target": 10,
        "checkins": [{"date": day, "value": 5, "confidence": c} for day, c in checkins],
    }
    if score is not None:
        data["score"] = score
    return data


def make_model(unit_files: dict[str, dict]) -> OkrModel:
    """A model with units sales, product, support and one cycle (Q1)."""
    org = OrgFile.model_validate(
        {
            "units": [
                {"id": u, "name": u.title(), "kind": "department"}
                for u in ("sales", "product", "support")
            ]
        }
    )
    company = CompanyFile.model_validate({"name": "Northwind", "cycles": [Q1]})
    units = {u.id: Unit(definition=u, depth=1) for u in org.units}
    okrs = {
        unit_id: UnitOkrs(
            unit_id=unit_id,
            cycle_id="2026-Q1",
            path=f"content/2026-Q1/{unit_id}.yaml",
            content=UnitCycleFile.model_validate(data),
        )
        for unit_id, data in unit_files.items()
    }
    cycle = Cycle(definition=company.cycles[0], okrs=okrs)
    return OkrModel(company=company, units=units, cycles={"2026-Q1": cycle})


WORKED = {
    "sales": {
        "status": "graded",
        "objectives": [
            {
                "id": "grow",
                "title": "Grow",
                "key_results": [
                    kr_data("a", 0.9, [(d(2, 9), 0.9), (d(2, 16), 0.8)]),
                    kr_data("b", 0.3, [(d(2, 12), "high")]),
                    kr_data("c", 0.5, [(d(2, 14), 0.6)]),
                ],
            }
        ],
    },
    "product": {
        "status": "graded",
        "objectives": [
            {
                "id": "build",
                "title": "Build",
                "key_results": [
                    kr_data("d", 0.8, [(d(2, 10), "low")]),
                    kr_data("e", 0.2, [(d(2, 20), 0.3)]),
                    kr_data("f", 0.7, [(d(1, 31), 0.5), (d(2, 28), 0.9)]),
                    kr_data("g", 0.9, []),
                ],
            },
            {
                "id": "secret",
                "title": "Secret",
                "visibility": "private",
                "key_results": [kr_data("s", 0.0, [(d(2, 14), 1.0)])],
            },
        ],
    },
    "support": {
        "status": "locked",
        "objectives": [
            {"id": "care", "title": "Care", "key_results": [kr_data("h", None, [(d(2, 14), 0.5)])]}
        ],
    },
}


def test_forecast_inputs() -> None:
    """Midpoint of Q1 is Feb 14; words map to 0.8/0.5/0.2; the tie goes earlier."""
    cycle = CycleDef.model_validate(Q1)
    assert midpoint(cycle) == d(2, 14)
    assert [forecast_value(w) for w in ("high", "medium", "low")] == [0.8, 0.5, 0.2]
    assert forecast_value(0.65) == 0.65
    tie = KeyResult.model_validate(kr_data("f", 0.7, [(d(2, 28), 0.9), (d(1, 31), 0.5)]))
    assert mid_cycle_forecast(tie, cycle) == (0.5, d(1, 31))
    outside = KeyResult.model_validate(kr_data("x", 0.7, [(d(4, 2), 0.9)]))
    assert mid_cycle_forecast(outside, cycle) is None


def test_samples_of_the_worked_example() -> None:
    """Graded KRs with a forecast; private, ungraded and silent KRs are skipped."""
    samples = collect_samples(make_model(WORKED))
    assert [(s.unit_id, s.key_result_id, s.forecast, s.outcome) for s in samples] == [
        ("sales", "a", 0.8, 1.0),
        ("sales", "b", 0.8, 0.0),
        ("sales", "c", 0.6, 0.0),
        ("product", "d", 0.2, 1.0),
        ("product", "e", 0.3, 0.0),
        ("product", "f", 0.5, 1.0),
    ]


def test_worked_example_numbers() -> None:
    """Brier, means, bias and verdicts match the hand computation above."""
    report = calibration_report(make_model(WORKED))
    sales, product = report.units["sales"], report.units["product"]
    assert list(report.units) == ["sales", "product"]
    assert sales.brier == pytest.approx(1.04 / 3)
    assert sales.mean_forecast == pytest.approx(2.2 / 3)
    assert sales.bias == pytest.approx(0.4)
    assert sales.verdict == "over-promise"
    assert product.brier == pytest.approx(0.98 / 3)
    assert product.bias == pytest.approx(-1 / 3)
    assert product.verdict == "sandbag"
    company = report.company
    assert company.count == 6
    assert company.brier == pytest.approx(2.02 / 6)
    assert company.mean_forecast == pytest.approx(3.2 / 6)
    assert company.mean_outcome == pytest.approx(0.5)
    assert company.verdict == "calibrated"


def test_worked_example_bins() -> None:
    """Five bins; 0.2 falls in [0.2, 0.4) and 0.8 in the last bin."""
    bins = calibration_report(make_model(WORKED)).company.bins
    got = [(b.count, b.mean_forecast and round(b.mean_forecast, 4), b.observed) for b in bins]
    assert got == [(0, None, None), (2, 0.25, 0.5), (1, 0.5, 1.0), (1, 0.6, 0.0), (2, 0.8, 0.5)]
    assert [(b.lower, b.upper) for b in bins][-1] == (0.8, 1.0)


def test_score_outcomes() -> None:
    """outcome='score' compares forecasts with the scores themselves."""
    report = calibration_report(make_model(WORKED), outcome="score")
    # (0.8 − 0.9)² + (0.8 − 0.3)² + (0.6 − 0.5)² = 0.27
    assert report.units["sales"].brier == pytest.approx(0.27 / 3)


def test_thresholds_and_small_samples() -> None:
    """Bias exactly ±0.1 is still calibrated; fewer than 3 samples: no verdict."""
    samples = collect_samples(make_model(WORKED))
    assert calibrate(samples[:2]).verdict == "not enough data"
    assert calibrate([]).verdict == "not enough data"
    assert calibrate([]).brier is None
    assert summary(calibrate([])) == "No graded forecasts yet."
    from dataclasses import replace

    edge = [replace(s, forecast=0.6, outcome=0.5) for s in samples[:3]]
    assert calibrate(edge).bias == pytest.approx(0.1)
    assert calibrate(edge).verdict == "calibrated"


def test_summary_sentence() -> None:
    """A one-line, human summary with the verdict."""
    text = summary(calibration_report(make_model(WORKED)).company)
    assert text.startswith("6 forecasts, Brier score 0.34; forecast 53% on average, 50% came true")
    assert "calibrated" in text


def test_reliability_svg() -> None:
    """Well-formed, script-free, escaped, with dots for the four used bins."""
    cal = calibration_report(make_model(WORKED)).company
    svg = reliability_svg(cal, title="Calibration <of> Northwind & co")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.findtext(f"{ns}title") == "Calibration <of> Northwind & co"
    assert len(root.findall(f"{ns}circle")) == 4
    assert "<script" not in svg and not re.search(r"\son\w+=", svg)
    assert reliability_svg(calibrate([]), title="t") == ""
