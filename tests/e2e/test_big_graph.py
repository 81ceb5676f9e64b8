"""A unit with 15 objectives draws a ~2,700 pt wide graph: it must stay readable.

The fixture site is the demo plus a team ("Growth Lab") with 15 objectives
of 3 key results each, built with the real ``okrsite build`` and ``dot``. At
1,280 px (and on a 390 px phone) the graph's labels are measured on screen
after layout: at least 10 px high, because the graph sits in a pan/zoom
frame at a readable scale instead of being shrunk to the column; zooming in
with the keyboard-reachable button makes them bigger; nodes stay links.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import build_and_serve
from .helpers import copy_demo, shoot

UNIT = "growth-lab"
PAGE = f"/2026-Q4/{UNIT}/"
# Height on screen of the first label of an objective, read inside the
# graph's document (inline SVG, or the <object>'s own SVG document).
LABEL_HEIGHT = """() => {
  const block = document.querySelector('.okr-graph');
  const object = block.querySelector('object');
  const root = object ? object.contentDocument : block;
  const text = Array.from(root.querySelectorAll('text'))
    .find(t => t.textContent.startsWith('Make the marketing funnel'));
  return text ? text.getBoundingClientRect().height : 0;
}"""


def _big_team(content: Path) -> None:
    lines = ["status: locked", "objectives:"]
    for i in range(1, 16):
        lines += [
            f"  - id: goal-{i}",
            f"    title: Make the marketing funnel measurably better in area number {i}",
            "    owner: Dana Lee",
            "    key_results:",
        ]
        for k in range(1, 4):
            lines += [
                f"      - id: kr-{k}",
                f"        title: Raise conversion of stage {k} for area {i}",
                "        start: 10",
                "        target: 20",
                f"        current: {10 + (i * k) % 11}",
                "        unit: '%'",
            ]
    (content / "2026-Q4" / f"{UNIT}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    org = content / "org.yaml"
    org.write_text(
        org.read_text(encoding="utf-8")
        + f"\n  - id: {UNIT}\n    name: Growth Lab\n    kind: team\n    parent: marketing\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def big_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo plus a 15-objective team, built and served from 127.0.0.1."""
    root = copy_demo(tmp_path_factory.mktemp("big-graph") / "repo")
    _big_team(root / "content")
    with build_and_serve(root) as url:
        yield url


def _open(page: Page, url: str) -> None:
    page.goto(url + PAGE)
    page.wait_for_selector(".okr-graph--pannable .okr-graph__toolbar")
    page.wait_for_function(f"({LABEL_HEIGHT})() > 0")


@pytest.mark.parametrize("width", [1280, 390])
def test_big_unit_graph_text_is_readable(page: Page, big_site_url: str, width: int) -> None:
    """Labels of the 15-objective graph are >= 10 px high on screen, at desktop and phone width."""
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, big_site_url)
    height = page.evaluate(LABEL_HEIGHT)
    assert height >= 10, f"graph labels are {height:.1f} px high at {width} px"
    page.locator(".okr-graph").first.scroll_into_view_if_needed()
    shoot(page, f"big-graph-{width}")


def test_zoom_buttons_change_the_scale_and_are_keyboard_reachable(
    page: Page, big_site_url: str
) -> None:
    """'Zoom in' (a real button, reached with Tab and pressed with Enter) enlarges the labels;
    'Zoom out' shrinks them; 'Open full size' links to the standalone SVG."""
    _open(page, big_site_url)
    before = page.evaluate(LABEL_HEIGHT)
    zoom_in = page.get_by_role("button", name="Zoom in")
    zoom_in.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"({LABEL_HEIGHT})() > {before} * 1.15")
    bigger = page.evaluate(LABEL_HEIGHT)
    page.get_by_role("button", name="Zoom out").click()
    page.wait_for_function(f"({LABEL_HEIGHT})() < {bigger} * 0.9")
    full = page.get_by_role("link", name="Open full size")
    assert full.get_attribute("href") == "alignment.svg"
    response = page.request.get(big_site_url + PAGE + "alignment.svg")
    assert response.ok and b"<svg" in response.body()


def test_graph_nodes_stay_links(page: Page, big_site_url: str) -> None:
    """Inside the pan/zoom frame every objective is still a link to its anchor on the page."""
    _open(page, big_site_url)
    hrefs = page.evaluate("""() => {
      const object = document.querySelector('.okr-graph object');
      const root = object ? object.contentDocument : document.querySelector('.okr-graph');
      return Array.from(root.querySelectorAll('a')).map(a =>
        a.getAttribute('href') || a.getAttribute('xlink:href'));
    }""")
    assert any(h and h.endswith("#obj-goal-15") for h in hrefs), hrefs[:5]
