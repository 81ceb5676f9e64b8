"""Cycle summaries, score distributions, unit trends and recent check-ins."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from test_exports import CONTENT, HOSTILE, make_model

from okrsite.analysis.history import (
    cycle_summary,
    is_graded,
    recent_checkins,
    unit_history,
)
from okrsite.model import Scoring
from okrsite.render.history_charts import distribution_svg, trend_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_cycle_summary_of_a_graded_cycle() -> None:
    """Q1 counts public objectives and KRs with their scores, bands and outcomes.

    Public KRs in Q1: arr (score 0.8), deals (progress 0.6), latency (met → 1.0),
    playbook (done → 1.0). On track (≥ 0.7): arr, latency, playbook = 3 of 4.
    """
    model = make_model(CONTENT)
    summary = cycle_summary(model, model.cycles["2026-Q1"])
    assert summary.objectives == 2  # the private one is not counted
    assert summary.key_results == 4
    assert summary.scored == 4
    assert summary.on_track == 3
    assert summary.on_track_share == 0.75
    assert summary.mean_score == (0.8 + 0.6 + 1.0 + 1.0) / 4
    assert summary.achieved == 1 and summary.missed == 0
    assert summary.distribution == (0, 0, 0, 0, 0, 0, 1, 0, 1, 2)
    assert is_graded(model.cycles["2026-Q1"])
    assert not is_graded(model.cycles["2026-Q2"])


def test_distribution_svg() -> None:
    """Bars coloured by band, escaped title, well-formed, nothing when unscored."""
    model = make_model(CONTENT)
    summary = cycle_summary(model, model.cycles["2026-Q1"])
    svg = distribution_svg(summary, Scoring(), title=HOSTILE)
    root = ET.fromstring(svg)
    assert root.findtext(f"{SVG}title") == HOSTILE
    assert len(root.findall(f"{SVG}rect")) == 3
    assert "okr-chart__bar--green" in svg and "okr-chart__bar--yellow" in svg
    assert "<script" not in svg and not re.search(r"\son\w+=", svg)
    empty = cycle_summary(model, make_model({}).cycles["2026-Q1"])
    assert distribution_svg(empty, Scoring(), title="t") == ""


def test_unit_history_and_trend() -> None:
    """Oldest first; cycles without OKRs have no value; a trend needs two points."""
    model = make_model(CONTENT)
    history = unit_history(model, "sales")
    assert [(r.cycle_id, r.status, r.graded) for r in history] == [
        ("2026-Q1", "graded", True),
        ("2026-Q2", None, False),
    ]
    assert history[0].objectives == 1
    assert history[1].value is None
    assert trend_svg(history, title="Sales") == ""
    two = make_model(
        {
            "2026-Q1": {"sales": CONTENT["2026-Q1"]["sales"]},
            "2026-Q2": {"sales": CONTENT["2026-Q2"]["product"]},
        }
    )
    svg = trend_svg(unit_history(two, "sales"), title="Sales over time")
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}circle")) == 2
    assert (root.findtext(f"{SVG}desc") or "") == "2026-Q1: 0.87; 2026-Q2: 44% (in progress)"


def test_recent_checkins() -> None:
    """The last 7 days, newest first, with the previous value of the same KR."""
    model = make_model(CONTENT)
    recent = recent_checkins(model, dt.date(2026, 4, 20))
    assert [(r.unit_id, r.key_result.id, r.checkin.date.isoformat()) for r in recent] == [
        ("product", "ttv", "2026-04-20"),
    ]
    assert recent[0].previous_value == 12
    window = recent_checkins(model, dt.date(2026, 1, 19), days=14)
    assert [(r.key_result.id, r.checkin.date.day) for r in window] == [
        ("arr", 19),
        ("deals", 13),
        ("arr", 12),
        ("deals", 6),
    ]
    assert window[1].previous_value == -4
    assert recent_checkins(model, dt.date(2026, 4, 20), limit=0) == []
    # Private objectives never show (the secret KR checked in on 2026-03-30).
    assert recent_checkins(model, dt.date(2026, 3, 31)) == []
