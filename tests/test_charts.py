"""Check-in charts: golden SVGs, safety, accessibility.

Goldens live in ``tests/golden/charts/``. To regenerate them deliberately
after an intended change, run::

    OKRSITE_UPDATE_GOLDENS=1 python -m pytest tests/test_charts.py

and review the diff before committing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from okrsite.model import CycleDef, KeyResult, Scoring
from okrsite.render.charts import (
    chart_description,
    checkin_chart,
    num,
    number_list,
    short_date,
)

GOLDEN_DIR = Path(__file__).parent / "golden" / "charts"
SVG_NS = "{http://www.w3.org/2000/svg}"
CYCLE = CycleDef.model_validate(
    {"id": "2026-Q1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
)
SCORING = Scoring()


def kr(**fields: Any) -> KeyResult:
    return KeyResult.model_validate({"id": "k", "title": "A key result", **fields})


def weekly(values: list[tuple[float, Any]], first: dt.date = dt.date(2026, 1, 5)) -> list[dict]:
    return [
        {"date": first + dt.timedelta(days=7 * i), "value": value, "confidence": confidence}
        for i, (value, confidence) in enumerate(values)
    ]


def assert_golden(name: str, text: str) -> None:
    """Compare with ``tests/golden/charts/<name>``; rewrite it when
    ``OKRSITE_UPDATE_GOLDENS=1``."""
    path = GOLDEN_DIR / name
    if os.environ.get("OKRSITE_UPDATE_GOLDENS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with OKRSITE_UPDATE_GOLDENS=1"
    assert text + "\n" == path.read_text(encoding="utf-8")


CASES: dict[str, KeyResult] = {
    "decreasing.svg": kr(
        title="Cut time to first value",
        start=14,
        target=5,
        unit="days",
        checkins=weekly([(14, 0.8), (12, 0.7), (11, 0.6), (10, "medium"), (9, 0.7)]),
    ),
    "increasing_money.svg": kr(
        title="Grow mid-market ARR",
        start=3,
        target=7,
        unit="M",
        prefix="$",
        checkins=weekly([(3.2, "high"), (3.9, "high"), (4.4, "medium")]),
    ),
    "threshold.svg": kr(
        title="Keep first response time low",
        kind="threshold",
        direction="below",
        target=4,
        unit="h",
        checkins=weekly([(3.1, 0.9), (4.6, 0.5), (3.8, 0.6)]),
    ),
    "no_checkins.svg": kr(title="Raise NPS", start=30, target=45),
    "single_checkin.svg": kr(
        title="Raise activation", start=20, target=40, unit="%", checkins=weekly([(25, 0.3)])
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_charts(name: str) -> None:
    """Each chart matches its reviewed golden SVG byte for byte."""
    svg = checkin_chart(CASES[name], CYCLE, SCORING, title=CASES[name].title)
    assert_golden(name, svg)


@pytest.mark.parametrize("name", sorted(CASES))
def test_charts_are_well_formed_and_script_free(name: str) -> None:
    """Every chart parses as XML, has title and desc, no script, no on… handlers."""
    svg = checkin_chart(CASES[name], CYCLE, SCORING, title=CASES[name].title)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG_NS}title") is not None
    assert root.find(f"{SVG_NS}desc") is not None
    assert "<script" not in svg.lower()
    assert not re.search(r"\son\w+\s*=", svg, re.IGNORECASE)
    assert "\n\n" not in svg  # a blank line would end a raw HTML block in Markdown


def test_hostile_title_is_escaped() -> None:
    """Markup in content stays text: no element, no attribute, no handler."""
    hostile = '</title><script>alert(1)</script><g onload="alert(2)">&'
    evil = kr(title=hostile, start=1, target=2, unit='"><script>', checkins=weekly([(1.5, 0.5)]))
    svg = checkin_chart(evil, CYCLE, SCORING, title=hostile)
    assert "<script" not in svg
    assert "onload=" not in svg.replace("onload=&quot;", "")
    root = ET.fromstring(svg)
    assert root.findtext(f"{SVG_NS}title") == hostile
    assert [el.tag for el in root.iter() if "script" in el.tag] == []
    assert_golden("hostile.svg", svg)


def test_multi_line_text_stays_on_one_line() -> None:
    """A blank line in a title would end the raw HTML block in Markdown."""
    title = "First line\n\n\nafter a blank line"
    svg = checkin_chart(kr(title=title, start=0, target=1), CYCLE, SCORING, title=title)
    assert "\n\n" not in svg
    assert "<title>First line after a blank line</title>" in svg


def test_hard_coded_colours_are_avoided() -> None:
    """No colour or stroke is written into a chart: each part carries a class
    that the site stylesheet draws (currentColor, the band custom properties),
    and every such class of every chart case has a rule there."""
    stylesheet = (Path(__file__).parents[1] / "templates" / "okrsite.css").read_text("utf-8")
    assert ".okr-chart--kr path, .okr-chart--kr polyline { fill: none; stroke: currentColor; }" in (
        stylesheet
    )
    for case in CASES.values():
        svg = checkin_chart(case, CYCLE, SCORING, title="t")
        if not svg:
            continue
        assert not re.search(r"#[0-9a-f]{3}|black|white|style=|stroke=", svg, re.IGNORECASE)
        for css in set(re.findall(r'class="([^"]+)"', svg)):
            for name in css.split():
                if name in ("okr-chart", "okr-chart--kr"):
                    assert re.search(rf"\.{re.escape(name)}\b[^{{]*{{", stylesheet), name
                else:  # the parts' short names: rules scoped by the chart's class
                    scoped = rf"\.okr-chart--kr [^{{]*\.{re.escape(name)}\b[^{{]*{{"
                    assert re.search(scoped, stylesheet), name
    svg = checkin_chart(CASES["decreasing.svg"], CYCLE, SCORING, title="t")
    for css in ("value", "ideal", "target"):
        assert f'class="{css}"' in svg
    assert 'class="conf green"' in svg


def test_no_chart_for_milestones_or_empty_krs() -> None:
    """Milestones: the caller shows done/not done; nothing to draw without data."""
    assert checkin_chart(kr(done=True), CYCLE, SCORING, title="t") == ""
    assert checkin_chart(kr(target=5), CYCLE, SCORING, title="t") == ""
    assert checkin_chart(kr(kind="threshold", target=5), CYCLE, SCORING, title="t") == ""


def test_threshold_draws_the_threshold_not_an_ideal_line() -> None:
    """Threshold KRs: a target line, dots marked met/missed, no ideal line."""
    svg = checkin_chart(CASES["threshold.svg"], CYCLE, SCORING, title="t")
    assert 'class="ideal"' not in svg
    assert 'class="target"' in svg
    assert svg.count('class="dot met"') == 2
    assert svg.count('class="dot missed"') == 1


def test_descriptions() -> None:
    """The text alternative states the numbers a sighted reader sees."""
    assert (
        chart_description(CASES["decreasing.svg"], "Cut time to first value")
        == "Cut time to first value: 14 → 9 days on 2026-02-02, target 5 days; "
        "confidence 0.7 (high)"
    )
    assert (
        chart_description(CASES["threshold.svg"], "Response")
        == "Response: stay below 4 h; 3.8 h on 2026-01-19 (met); confidence 0.6 (medium)"
    )
    assert chart_description(CASES["no_checkins.svg"], "NPS") == (
        "NPS: start 30, target 45; no check-ins yet"
    )


def test_checkins_outside_the_cycle_widen_the_axis() -> None:
    """A check-in after the end date still lands inside the plot."""
    late = kr(start=0, target=10, checkins=weekly([(4, 0.5)], first=dt.date(2026, 4, 10)))
    svg = checkin_chart(late, CYCLE, SCORING, title="t")
    assert "Apr 10" in svg
    circle = ET.fromstring(svg).find(f"{SVG_NS}circle")
    assert circle is not None and float(circle.get("cx", "0")) <= 320


def test_deterministic_numbers() -> None:
    """At most one decimal, no trailing ".0", never negative zero; dates are locale-free."""
    assert num(-0.04) == "0"
    assert num(12.345) == "12.3"
    assert num(44.0) == "44" and num(-3.96) == "-4" and num(-3.94) == "-3.9"
    assert short_date(dt.date(2026, 11, 20)) == "Nov 20"
    first = checkin_chart(CASES["decreasing.svg"], CYCLE, SCORING, title="t")
    assert first == checkin_chart(CASES["decreasing.svg"], CYCLE, SCORING, title="t")
    for value in re.findall(r'\s(?:x|y|x1|x2|y1|y2|cx|cy)="([^"]+)"', first):
        assert re.fullmatch(r"-?\d+(\.[1-9])?", value), value


def _absolute(d: str) -> list[tuple[float, float]]:
    """The points of a path made of M/m/l moves and ``h0`` dots, in absolute
    coordinates (an SVG number list: ``17-2.5`` is two numbers)."""
    points: list[tuple[float, float]] = []
    for command, numbers in re.findall(r"([MmLl])([^MmLlh]*)", d):
        values = [float(n) for n in re.findall(r"-?(?:\d+\.?\d*|\.\d+)", numbers)]
        pairs = list(zip(values[::2], values[1::2], strict=True))
        for x, y in pairs:
            if command == "M":  # absolute (its extra pairs are absolute lines)
                points.append((x, y))
            else:  # m and l: a step from the point before
                px, py = points[-1]
                points.append((round(px + x, 1), round(py + y, 1)))
    return points


def test_relative_paths_land_on_the_same_points_as_absolute_ones() -> None:
    """The value line and the dots are relative paths of exact tenths: every
    point is where an absolute one-decimal coordinate puts it (no drift over
    13 weekly steps with negative and fractional moves)."""
    zigzag = [(v, 0.7) for v in (14, 13.7, 15.2, 9, 9.05, 12.3, 7, 7, 6.4, 11, 5.5, 5, 4.9)]
    case = kr(title="Zigzag", start=14, target=5, unit="days", checkins=weekly(zigzag))
    svg = checkin_chart(case, CYCLE, SCORING, title="Zigzag")
    root = ET.fromstring(svg)
    paths = {p.get("class"): p.get("d", "") for p in root.iter(f"{SVG_NS}path")}
    line = _absolute(paths["value"])
    dots = _absolute(paths["dots"])
    latest = next(c for c in root.iter(f"{SVG_NS}circle") if "dot" in c.get("class", "").split())
    assert len(line) == 13 and dots == line[:-1]
    assert line[-1] == (float(latest.get("cx", "")), float(latest.get("cy", "")))
    # The same points as the one-decimal absolute positions of each check-in.
    xs = [44 + (c.date - CYCLE.start).days / 89 * 218 for c in case.checkins]
    assert [x for x, _ in line] == [float(num(x)) for x in xs]
    assert re.search(r"\d-\d", paths["value"])  # no space before a minus sign


def test_tenths_text_is_the_shortest_svg_number() -> None:
    from okrsite.render.charts import number_list, tenths_text

    assert [tenths_text(v) for v in (0, 5, -5, 140, 142, -142, 1000)] == [
        "0", ".5", "-.5", "14", "14.2", "-14.2", "100",
    ]
    assert number_list([171, -25, 5, 0]) == "17.1-2.5 .5 0"


def test_inline_chart_leaves_the_earlier_dots_to_the_pages_marker() -> None:
    """In a page (standalone=False): no xmlns, no second copy of the points;
    the value line references the page's dot marker, whose disc is the same
    radius as a standalone chart's dots. Threshold dots stay circles."""
    from okrsite.render.charts import DOT_MARKER, dot_marker_defs

    inline = checkin_chart(CASES["decreasing.svg"], CYCLE, SCORING, title="t", standalone=False)
    alone = checkin_chart(CASES["decreasing.svg"], CYCLE, SCORING, title="t")
    assert "xmlns" not in inline and 'class="dots"' not in inline
    assert f'marker-start="url(#{DOT_MARKER})" marker-mid="url(#{DOT_MARKER})"' in inline
    assert len(inline) < len(alone)
    marker = ET.fromstring(dot_marker_defs()).find("marker")
    assert marker is not None and marker.get("id") == DOT_MARKER
    assert marker.get("markerUnits") == "userSpaceOnUse"
    disc = marker.find("circle")
    assert disc is not None and disc.get("r") == "2.5"  # the dots path's stroke-width 5 / 2
    threshold = checkin_chart(CASES["threshold.svg"], CYCLE, SCORING, title="t", standalone=False)
    assert "marker" not in threshold and threshold.count('class="dot ') == 3


@pytest.mark.parametrize(
    ("values", "text"),
    [
        ([], ""),
        ([5], ".5"),
        ([170, -25], "17-2.5"),
        ([-170, 25, -3, 0, 10], "-17 2.5-.3 0 1"),
        ([-5, -5], "-.5-.5"),
    ],
)
def test_number_list_spaces_only_before_non_negative_numbers(values: list[int], text: str) -> None:
    """SVG number lists: a space between numbers, none before a minus sign."""
    assert number_list(values) == text
