"""No graph text overflows its box, in the browser, whatever the title.

``dot`` lays graphs out without a text-layout plugin (it sizes text from its
own Arial table, which ignores bold and counts UTF-8 bytes), and okrsite
gives every cell a minimum width measured itself
(:mod:`okrsite.graphs.textwidth`). This proves the result where it counts:
the demo plus a department and a team whose titles are long and bold,
accented, CJK, Cyrillic and emoji, built with the real ``okrsite build`` and
``dot``; on each of their graphs (inline or in an ``<object>``), at 1,280 and
390 px, every ``<text>`` of a node or cluster is measured by Chromium
(``getBBox``, the fonts really used) and must lie inside the box drawn
around it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import build_and_serve
from .helpers import copy_demo, shoot

TITLES = [
    "Scale search without scaling",
    "MMM WWW: Maximise Widget Quality Worldwide",
    "Déjà vu: améliorer l'expérience à Zürich, São Paulo et Ærøskøbing",
    "提高客户满意度和产品质量，让每个团队都能更快地交付",
    "🚀 Launch 🎉 the new ✅ onboarding for 🌍 every region 🇯🇵",
    "Увеличить выручку ЩЖЫ в каждом регионе",
]
DEPARTMENT = ("intl", "Équipe Überwachung 東京 🚀 International")
TEAM = ("intl-search", "Suche & Recherche 検索チーム")
PAGES = ["/2026-Q4/intl/", "/2026-Q4/intl-search/", "/2026-Q4/company/", "/2026-Q4/"]

# For every node and cluster of the page's graph: its texts that stick out of
# the rectangles, polygons and paths drawn for it (SVG user units, so zoom does not matter).
OVERFLOWS = """() => {
  const block = document.querySelector('.okr-graph');
  if (!block) return null;
  const object = block.querySelector('object');
  const root = object ? object.contentDocument : block;
  if (!root || (object && root.readyState !== 'complete')) return null;
  const bad = [];
  let texts = 0;
  for (const group of root.querySelectorAll('g.node, g.cluster')) {
    // The shapes drawn for it (compacted: a cell is a <rect>), not its texts.
    const shapes = [...group.querySelectorAll('rect, polygon, path')];
    if (!shapes.length) continue;
    const boxes = shapes.map(s => s.getBBox());
    const left = Math.min(...boxes.map(b => b.x));
    const right = Math.max(...boxes.map(b => b.x + b.width));
    for (const text of group.querySelectorAll('text')) {
      texts += 1;
      const box = text.getBBox();
      if (box.x < left - 0.5 || box.x + box.width > right + 0.5) {
        bad.push({text: text.textContent, left: box.x - left,
                  right: right - (box.x + box.width)});
      }
    }
  }
  return {texts, bad};
}"""


def _write_units(content: Path) -> None:
    def objectives(prefix: str, aligns: str) -> list[str]:
        lines = ["status: locked", "objectives:"]
        for i, title in enumerate(TITLES, start=1):
            lines += [
                f"  - id: {prefix}-{i}",
                f"    title: {title!r}" if "'" not in title else f'    title: "{title}"',
                "    owner: Dana Lee",
                f"    aligns_to: [{aligns}]",
                "    key_results:",
                f"      - id: kr-{i}",
                f'        title: "{TITLES[-i]} (KR)"',
                "        start: 0",
                "        target: 10",
                f"        current: {i}",
            ]
        return lines

    cycle = content / "2026-Q4"
    (cycle / f"{DEPARTMENT[0]}.yaml").write_text(
        "\n".join(objectives("d", "company/win-midmarket")) + "\n", encoding="utf-8"
    )
    (cycle / f"{TEAM[0]}.yaml").write_text(
        "\n".join(objectives("t", f"{DEPARTMENT[0]}/d-1")) + "\n", encoding="utf-8"
    )
    org = content / "org.yaml"
    org.write_text(
        org.read_text(encoding="utf-8")
        + f'\n  - id: {DEPARTMENT[0]}\n    name: "{DEPARTMENT[1]}"\n    kind: department\n'
        "    parent: company\n"
        f'  - id: {TEAM[0]}\n    name: "{TEAM[1]}"\n    kind: team\n    parent: {DEPARTMENT[0]}\n',
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def text_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo plus a department and a team with hard titles, built and served."""
    root = copy_demo(tmp_path_factory.mktemp("text-fit") / "repo")
    _write_units(root / "content")
    with build_and_serve(root) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", PAGES)
def test_graph_text_stays_inside_its_box(
    page: Page, text_site_url: str, path: str, width: int
) -> None:
    """Every text of every node and cluster lies inside the box drawn for it."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(text_site_url + path)
    page.wait_for_function(f"(({OVERFLOWS})() || {{texts: 0}}).texts > 0")
    found = page.evaluate(OVERFLOWS)
    assert found["texts"] >= 10
    assert found["bad"] == [], f"text overflows its box on {path} at {width} px"
    if path != "/2026-Q4/":
        page.locator(".okr-graph").first.scroll_into_view_if_needed()
        shoot(page, f"text-fit-{path.strip('/').replace('/', '-')}-{width}")


def test_the_hard_titles_are_drawn(page: Page, text_site_url: str) -> None:
    """The department's graph really holds the titles measured above (bold ones too)."""
    page.goto(text_site_url + PAGES[0])
    page.wait_for_function(f"(({OVERFLOWS})() || {{texts: 0}}).texts > 0")
    texts = page.evaluate("""() => {
      const block = document.querySelector('.okr-graph');
      const object = block.querySelector('object');
      const root = object ? object.contentDocument : block;
      return [...root.querySelectorAll('text')].map(t =>
        [t.textContent, t.getAttribute('font-weight') || '']);
    }""")
    assert ["Scale search without scaling", "bold"] in texts
    drawn = " ".join(text for text, _ in texts)
    for piece in ("Zürich", "提高客户满意度", "🚀", "Увеличить"):
        assert piece in drawn
