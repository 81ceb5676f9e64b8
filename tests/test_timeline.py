"""The cadence timeline on the home page tells the truth at any date: years on
every date, a past cycle reported as what happened, "next cycle" events only
when a next cycle exists, and final grades called scores."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from contentkit import make_content

from okrsite.analysis.cadence import NEXT_CYCLE_PHASES, phase, status, timeline
from okrsite.model import Cadence, CycleDef, OkrModel
from okrsite.site.build import build_docs_tree
from okrsite.site.options import SiteOptions
from okrsite.validate import load_model

# A company that tried OKRs for two quarters, years ago, and graded only the first.
COMPANY = """\
name: Acme
cycles:
  - {id: 2023-Q3, name: Q3 2023, start: 2023-07-01, end: 2023-09-30}
  - {id: 2023-Q4, start: 2023-10-01, end: 2023-12-31}
"""

Q3_COMPANY = """\
status: graded
objectives:
  - id: grow
    title: Grow mid-market
    owner: CEO
    outcome: achieved
    key_results:
      - {id: customers, title: Mid-market customers, start: 150, target: 350, current: 300, score: 0.66}
      - {id: launch, title: "Launch the [partner](https://example.com) programme", kind: milestone, done: true, score: 1.0}
"""

Q3_PRODUCT = """\
status: graded
objectives:
  - id: easier
    title: Make it easy to start
    owner: Priya
    aligns_to: [company/grow]
    outcome: missed
    key_results:
      - {id: ttv, title: Cut time to first value, start: 14, target: 5, current: 9, unit: days, score: 0.4}
"""

Q4_COMPANY = """\
status: locked
objectives:
  - id: retain
    title: Keep the customers we won
    owner: CEO
    key_results:
      - {id: churn, title: Churn, start: 5, target: 3, current: 4, unit: "%"}
"""

FILES = {
    "company.yaml": COMPANY,
    "2026-Q1/company.yaml": None,
    "2026-Q1/product.yaml": None,
    "2023-Q3/company.yaml": Q3_COMPANY,
    "2023-Q3/product.yaml": Q3_PRODUCT,
    "2023-Q4/company.yaml": Q4_COMPANY,
}


def _model(tmp_path: Path, **overrides: str | None) -> OkrModel:
    return load_model(make_content(tmp_path, {**FILES, **overrides}))


def _home(model: OkrModel, today: dt.date) -> str:
    tree = build_docs_tree(model, SiteOptions(today=today, graphs=False))
    content = tree.files["index.md"]
    assert isinstance(content, str)
    block = re.search(r'<div class="okr-phase.*?</div>', content, re.S)
    assert block is not None
    return block.group(0)


def test_every_timeline_date_has_its_year(tmp_path: Path) -> None:
    """Dates read 'Dec 25, 2023': a timeline spanning New Year is never ambiguous."""
    block = _home(_model(tmp_path), dt.date(2023, 12, 20))
    dates = re.findall(r"<time>([^<]+)</time>", block)
    assert dates, block
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}( \d\d:\d\d)?", d) for d in dates)
    assert "Sep 24, 2023" in dates  # Q4's planning starts in Q3
    assert dates[-1] == "Dec 31, 2023"  # the cycle's last day, not the midnight after it


def test_a_cycle_long_past_reports_what_happened(tmp_path: Path) -> None:
    """Years after its end, the last cycle is 'Ended, not graded yet' with its dates;
    nothing is 'next', nothing is 'now', every milestone is in the past tense."""
    block = _home(_model(tmp_path), dt.date(2026, 11, 27))
    assert "<strong>2023-Q4</strong> · Ended, not graded yet · Oct 1 – Dec 31, 2023" in block
    assert "okr-timeline__future" not in block
    assert "okr-timeline__current" not in block
    assert "(now)" not in block
    assert "Next:" not in block
    assert "Next cycle" not in block
    assert "Cycle started · weekly check-ins" in block
    assert "Cycle ended" in block
    assert "Cycle starts" not in block and "Cycle ends" not in block


def test_a_graded_past_cycle_reports_scores_not_on_track_words(tmp_path: Path) -> None:
    """A graded cycle: 'Graded', its dates, the mean of the scores given, outcomes."""
    only_q3 = {"company.yaml": COMPANY.replace("  - {id: 2023-Q4", "#"), "2023-Q4/company.yaml": None}
    model = _model(tmp_path, **only_q3)
    block = _home(model, dt.date(2025, 2, 1))
    line = re.search(r"<p><strong>Q3 2023</strong> · ([^<]+)</p>", block)
    assert line is not None, block
    assert line.group(1) == (
        "Graded · Jul 1 – Sep 30, 2023 · mean key result score 0.69 · "
        "objectives achieved 1, missed 1, postponed 0"
    )
    for word in ("on track", "at risk", "off track"):
        assert word not in block


def test_next_cycle_events_only_when_a_next_cycle_exists(tmp_path: Path) -> None:
    """In Q3's last week, with Q4 defined: Q4's planning shows; in Q4's last week,
    with nothing after it: grading runs to the end and no next-cycle event shows."""
    model = _model(tmp_path)
    q3_end = _home(model, dt.date(2023, 9, 26))
    assert "Next cycle&#x27;s company OKRs published" in q3_end
    assert "<strong>2023-Q4</strong> · Peer review" in q3_end
    q4_end = _home(model, dt.date(2023, 12, 27))
    assert "Next cycle" not in q4_end
    assert "Wrap-up" not in q4_end
    assert "Week 13 of 13 · Grading — closes in 5 days" in q4_end


Q1 = CycleDef.model_validate(
    {"id": "2026-Q1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
)
Q2 = CycleDef.model_validate(
    {"id": "2026-Q2", "start": dt.date(2026, 4, 1), "end": dt.date(2026, 6, 30)}
)


def test_without_a_next_cycle_grading_lasts_until_the_end() -> None:
    """has_next=False drops the next-cycle phases; grading closes at the cycle's end."""
    cadence = Cadence()
    last_week = dt.datetime(2026, 3, 27, 14)
    assert phase(Q1, cadence, last_week).key == "next-review"
    alone = phase(Q1, cadence, last_week, has_next=False)
    assert alone.key == "grading"
    assert alone.end == dt.datetime(2026, 4, 1)
    keys = [m.key for m in timeline(Q1, cadence, last_week, has_next=False)]
    assert not NEXT_CYCLE_PHASES & set(keys)
    assert keys[-2:] == ["grading", "ended"]
    # status() asks analysis.cycles: Q2 is the last cycle, so it has no next-cycle phase.
    in_q2_last_week = dt.datetime(2026, 6, 26, 14)
    assert [p.key for p in status([Q1, Q2], cadence, in_q2_last_week)] == ["grading"]
    assert [p.key for p in status([Q1, Q2], cadence, last_week)] == ["next-review", "review"]
