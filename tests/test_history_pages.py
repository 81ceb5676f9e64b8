"""Progress over time on the site: timeline, changes, summaries, profiles,
calibration, check-in charts and the published exports."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from test_exports import CONTENT, HOSTILE, make_model

from okrsite.site.build import build_docs_tree
from okrsite.site.options import SiteOptions
from okrsite.site.tree import DocsTree


@pytest.fixture(scope="module")
def tree() -> DocsTree:
    """Q1 graded (sales, company), Q2 running; today is in Q2's week 3."""
    model = make_model(CONTENT)
    return build_docs_tree(model, SiteOptions(today=dt.date(2026, 4, 20), graphs=False))


def text(tree: DocsTree, path: str) -> str:
    content = tree.files[path]
    return content if isinstance(content, str) else content.decode("utf-8")


def test_home_shows_phase_timeline_and_changes(tree: DocsTree) -> None:
    """The phase, the cadence timeline and this week's check-ins."""
    home = text(tree, "index.md")
    assert "Week 3 of 13" in home
    assert '<li class="okr-timeline__current">' in home
    assert "## What changed this week" in home
    assert "12 → 10 days" in home
    assert "Next: <time>Jun 17, 2026</time> · Grading" in home
    assert "secret" not in home.lower()


def test_home_shows_next_cycle_planning() -> None:
    """In Q1's last week the home page also shows Q2's planning step."""
    tree = build_docs_tree(
        make_model(CONTENT), SiteOptions(today=dt.date(2026, 3, 27), graphs=False)
    )
    home = text(tree, "index.md")
    assert "Next cycle: peer review" in home
    assert "<strong>2026-Q2</strong> · Peer review — closes in 24 h" in home


def test_graded_overview_has_summary_and_distribution(tree: DocsTree) -> None:
    """A graded cycle: results line and the score distribution chart."""
    q1 = text(tree, "2026-Q1/index.md")
    assert "**Results:**" in q1
    assert "okr-chart--distribution" in q1
    q2 = text(tree, "2026-Q2/index.md")
    assert "**So far:**" in q2
    assert "okr-chart--distribution" not in q2


def test_unit_page_has_chart_traffic_light_and_latest_note(tree: DocsTree) -> None:
    """Numeric KRs get a chart; confidence is a traffic light; the latest note shows."""
    page = text(tree, "2026-Q2/product.md")
    assert '<svg class="okr-chart okr-chart--kr"' in page  # inline: the HTML parser's namespace
    # The traffic light is the stylesheet's ::before of the level's class.
    assert (
        '<span class="okr-chip okr-confidence okr-confidence--medium" '
        'title="latest confidence forecast"> confidence 0.'
    ) in page
    # The charts' shared dot marker: once per page, referenced by the charts.
    assert page.count('<marker id="okr-dot"') == 1 and 'marker-mid="url(#okr-dot)"' in page
    stylesheet = (Path(__file__).parents[1] / "templates" / "okrsite.css").read_text("utf-8")
    for level, light in (("low", 1), ("medium", 2), ("high", 3)):
        assert f".okr-confidence--{level}::before {{ --okr-light-{light}: " in stylesheet
    assert (
        '<div class="okr-text okr-note okr-note--checkin">\n'
        "<p><strong>Latest check-in, 2026-04-20:</strong> week 3</p>"
    ) in page


def test_profile_has_history_and_calibration(tree: DocsTree) -> None:
    """The unit profile lists each cycle's objectives and its calibration."""
    sales = text(tree, "units/sales.md")
    # Each cycle's section repeats the cycle page: kept out of the search index.
    assert "## 2026-Q1 {#cycle-2026-Q1 data-search-exclude}" in sales
    assert "&#60;script&#62;" in sales  # the hostile objective title, escaped
    assert "<script" not in sales
    directory = text(tree, "units/index.md")
    assert "## Confidence calibration" in directory
    assert "okr-chart--reliability" in directory


def test_exports_are_published(tree: DocsTree) -> None:
    """okrs.json (valid against the published schema), okrs.csv, feed.xml."""
    data = json.loads(text(tree, "okrs.json"))
    schema = json.loads(text(tree, "export/okrs.schema.json"))
    jsonschema.validate(data, schema)
    assert "Secret" not in text(tree, "okrs.json")
    assert text(tree, "okrs.csv").startswith("cycle,unit,objective,key_result,")
    ET.fromstring(text(tree, "feed.xml"))
    assert HOSTILE not in text(tree, "okrs.csv")
