"""The demo site in headless Chromium: what a reader sees and clicks.

Every page is served from 127.0.0.1; the autouse ``offline_guard`` fails any
test whose pages ask another host for anything.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import pytest
from playwright.sync_api import Page, expect

from okrsite.analysis import cadence
from okrsite.model import ROOT_UNIT, OkrModel
from okrsite.validate import load_model

from .helpers import CYCLE, REPO, TODAY, shoot, switch_to_dark

pytestmark = pytest.mark.browser

MIN_CONTRAST = 3.0


def heading(text: str) -> re.Pattern[str]:
    """A heading's exact text, allowing the theme's permalink mark (¶) after it."""
    return re.compile(rf"^\s*{re.escape(text)}\s*¶?\s*$")


@functools.cache
def demo_model() -> OkrModel:
    """The demo content, as the site was built from it."""
    return load_model(REPO / "content")


def test_home_shows_current_cycle_phase_and_company_okrs(page: Page) -> None:
    """Home: the current cycle (Q4 2026) and its cadence phase in the banner, and every
    public company objective and KR as a link with a progress bar whose fill matches
    its printed percentage."""
    model = demo_model()
    cycle = model.cycles[CYCLE]
    now = dt.datetime.combine(dt.date.fromisoformat(TODAY), dt.time(0, 0))
    phase = cadence.phase(cycle.definition, model.company.cadence, now)

    page.goto("/")
    expect(page.locator("h1")).to_have_text(heading(f"{model.company.name} OKRs"))
    banner = page.locator(".okr-phase")
    expect(banner).to_contain_text("Q4 2026")
    expect(banner).to_contain_text(phase.label)
    assert phase.label.startswith("Week"), phase.label  # in progress on TODAY

    company = cycle.okrs[ROOT_UNIT]
    titles = [o.title for o in company.public_objectives] + [
        kr.title for o in company.public_objectives for kr in o.key_results
    ]
    section = page.locator("h2#company-okrs-for-q4-2026 + ul")
    for title in titles:
        item = section.locator("li").filter(has=page.get_by_role("link", name=title, exact=True))
        expect(item.first.locator(".okr-progress").first).to_be_visible()
    bars = section.locator(".okr-progress")
    expect(bars).to_have_count(len(titles))
    for i in range(bars.count()):
        bar = bars.nth(i)
        label = bar.get_attribute("aria-label") or ""
        shown = re.search(r"(\d+)%", label)
        assert shown, label
        fill = bar.locator("i")
        ratio = fill.evaluate(
            "f => f.getBoundingClientRect().width / f.parentElement.getBoundingClientRect().width"
        )
        assert abs(ratio * 100 - int(shown.group(1))) < 3, (label, ratio)
    shoot(page, "home")
    switch_to_dark(page)
    shoot(page, "home")


def test_unit_directory_lists_every_unit(page: Page) -> None:
    """units/: the directory table has one row per unit of content/org.yaml, in order,
    each linking to the unit's profile."""
    model = demo_model()
    page.goto("/units/")
    expect(page.locator("h1")).to_have_text(heading("Units"))
    first_cells = page.locator("article table").first.locator("tbody tr td:first-child")
    expect(first_cells).to_have_text([unit.name for unit in model.units.values()])
    for unit_id, unit in model.units.items():
        link = first_cells.get_by_role("link", name=unit.name, exact=True)
        expect(link).to_have_attribute("href", re.compile(rf"{re.escape(unit_id)}/$"))
    shoot(page, "units")
    switch_to_dark(page)
    shoot(page, "units")


def test_navigate_to_team_page_shows_krs_bars_and_checkin_charts(page: Page) -> None:
    """Clicking the Q4 2026 tab and then Onboarding in the sidebar opens the team page,
    which shows every KR as a heading with a progress bar and start → current → target,
    a visible check-in chart per KR (an SVG image titled with the KR, one point per
    check-in), and the check-in history table (one row per check-in)."""
    model = demo_model()
    okrs = model.cycles[CYCLE].okrs["product-onboarding"]
    page.goto("/")
    page.locator(".md-tabs__link", has_text="Q4 2026").click()
    expect(page).to_have_url(re.compile(rf"/{CYCLE}/$"))
    page.locator("nav.md-nav--primary a.md-nav__link", has_text="Onboarding").click()
    expect(page).to_have_url(re.compile(rf"/{CYCLE}/product-onboarding/$"))
    expect(page.locator("h1")).to_have_text(heading("Onboarding · Q4 2026"))

    krs = [kr for o in okrs.public_objectives for kr in o.key_results]
    assert krs
    for kr in krs:
        kr_heading = page.locator("article h3", has_text=kr.title)
        expect(kr_heading).to_be_visible()
        line = kr_heading.locator("xpath=following-sibling::p[1]")
        expect(line.locator(".okr-progress")).to_be_visible()
        expect(line).to_contain_text("→")
    expect(page.get_by_text("40% → 62% → 75%")).to_be_visible()

    charts = page.locator("article svg.okr-chart")
    with_values = [kr for kr in krs if any(c.value is not None for c in kr.checkins)]
    expect(charts).to_have_count(len(with_values))
    for kr, chart in zip(with_values, charts.all(), strict=True):
        expect(chart).to_be_visible()
        expect(chart).to_have_attribute("role", "img")
        expect(chart.locator("title")).to_have_text(kr.title)
        # Every value is a point of the value line (M x y, then l dx dy
        # steps; the page's dot marker paints each), or with a single value
        # just its circle.
        line = chart.locator("path.value")
        numbers = re.findall(r"-?(?:\d+\.?\d*|\.\d+)", line.get_attribute("d") or "")
        drawn = len(numbers) // 2 if line.count() else chart.locator("circle.dot").count()
        assert drawn == len([c for c in kr.checkins if c.value is not None])
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 40, box

    history = page.locator("details.okr-checkins")
    with_checkins = [kr for kr in krs if kr.checkins]
    expect(history).to_have_count(len(with_checkins))
    first = history.first
    first.locator("summary").click()
    expect(first.locator("tbody tr")).to_have_count(len(with_checkins[0].checkins))
    expect(first.locator("tbody tr").first).to_contain_text("2026-11-20")
    shoot(page, "team")


GRAPH_FILES_LOADED = """() => [...document.querySelectorAll('article object')]
  .every((o) => o.contentDocument && o.contentDocument.querySelector('text'))"""


def test_clicking_a_graph_node_opens_the_unit_page(page: Page) -> None:
    """Overview: its alignment graph is large, so it is its own SVG file in an
    <object>; clicking the 'Content & Webinars' box in it navigates the page
    to that team's page."""
    page.goto(f"/{CYCLE}/")
    graph = page.locator(".okr-graph object")
    expect(graph).to_have_count(1)
    expect(graph).to_have_attribute("data", "alignment.svg")
    page.wait_for_function(GRAPH_FILES_LOADED)
    drawing = page.frame(url=re.compile(rf"/{CYCLE}/alignment\.svg$"))
    assert drawing is not None, [f.url for f in page.frames]
    node = drawing.locator("a").filter(has_text=re.compile(r"^\s*Content & Webinars\s*$"))
    expect(node).to_have_count(1)
    shoot(page, "overview")
    node.focus()  # the frame opens at the top centre; focusing pans a node into view
    node.click()
    expect(page).to_have_url(re.compile(rf"/{CYCLE}/marketing-content/$"))
    expect(page.locator("h1")).to_have_text(heading("Content & Webinars · Q4 2026"))


def test_clicking_an_inline_graph_node_opens_the_unit_page(page: Page) -> None:
    """Support's small graph (under the 8 KB limit) is inline: clicking the
    company's cluster heading in it opens the company page."""
    page.goto(f"/{CYCLE}/support/")
    expect(page.locator(".okr-graph svg")).to_have_count(1)
    expect(page.locator(".okr-graph object")).to_have_count(0)
    node = page.locator(".okr-graph svg a").filter(
        has_text=re.compile(r"^\s*Northwind Analytics\s*$")
    )
    expect(node.first).to_be_visible()
    node.first.click()
    expect(page).to_have_url(re.compile(rf"/{CYCLE}/company/$"))


def test_team_graph_in_its_own_file_keeps_working_links(page: Page) -> None:
    """A team's graph over the inline limit is ``alignment.svg`` in an
    <object>: it is drawn (its text is there), the file is served, and
    clicking its parent's box navigates the whole page, not the frame."""
    page.goto(f"/{CYCLE}/product-onboarding/")
    graph = page.locator(".okr-graph object")
    expect(graph).to_have_count(1)
    expect(graph).to_have_attribute("data", "alignment.svg")
    page.wait_for_function(GRAPH_FILES_LOADED)
    drawing = page.frame(url=re.compile(rf"/{CYCLE}/product-onboarding/alignment\.svg$"))
    assert drawing is not None, [f.url for f in page.frames]
    node = drawing.locator("a").filter(has_text=re.compile(r"^\s*Product\s*$"))
    expect(node.first).to_be_visible()
    node.first.focus()
    node.first.click()
    expect(page).to_have_url(re.compile(rf"/{CYCLE}/product/$"))


def test_search_finds_a_kr_by_a_word_in_its_title(page: Page) -> None:
    """The theme's search (offline, in-browser) finds the KR 'Setup abandonment …' by
    the word 'abandonment', and the result opens the Onboarding page."""
    page.goto("/")
    box = page.locator("input.md-search__input")
    box.click()
    expect(page.locator(".md-search-result__meta")).to_have_text(
        "Type to start searching", timeout=15_000
    )
    box.press_sequentially("abandonment", delay=30)
    result = page.locator(".md-search-result__item").filter(has_text="Setup abandonment")
    expect(result.first).to_be_visible(timeout=10_000)
    result.first.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/{CYCLE}/product-onboarding/"))


CONTRAST_JS = """
(selector) => {
  // Graphs written as their own file are SVG documents inside <object>.
  const cs = (e) => e.ownerDocument.defaultView.getComputedStyle(e);
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
    return (x + 0.05) / (y + 0.05);
  };
  const pageBackground = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(cs(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const contains = (box, x, y) =>
    x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height;
  const results = [];
  const drawings = [...document.querySelectorAll(selector)].map((svg) => ({svg, host: svg}))
    .concat([...document.querySelectorAll("article object")]
      .filter((o) => o.contentDocument && o.contentDocument.documentElement)
      .map((o) => ({svg: o.contentDocument.documentElement, host: o})));
  for (const {svg, host} of drawings) {
    const shapes = [...svg.querySelectorAll("polygon, path, rect, ellipse, circle")]
      .filter((s) => { const c = parse(cs(s).fill); return c && c.a > 0.5; });
    const inks = [...svg.querySelectorAll("text")].map((t) => ({el: t, paint: "fill"}))
      .concat([...svg.querySelectorAll(".okr-chart__value, .okr-chart--kr .value, .okr-chart--kr .target")]
        .map((s) => ({el: s, paint: "stroke"})));
    for (const {el, paint} of inks) {
      const style = cs(el);
      const ink = parse(style[paint]);
      if (!ink || ink.a === 0) continue;
      ink.a *= Number(style[paint + "Opacity"]) * Number(style.opacity);
      const box = el.getBBox();
      const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
      let bg = null;
      for (const s of shapes) {
        if (s === el) continue;
        const before = s.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
        if (before && s.ownerSVGElement === el.ownerSVGElement && contains(s.getBBox(), x, y)) {
          bg = parse(cs(s).fill);
        }
      }
      bg = bg || pageBackground(host);
      const seen = {r: ink.r * ink.a + bg.r * (1 - ink.a), g: ink.g * ink.a + bg.g * (1 - ink.a),
                    b: ink.b * ink.a + bg.b * (1 - ink.a)};
      results.push({what: paint + " of " + el.tagName + "." + el.getAttribute("class") + ": "
                    + (el.textContent || "").trim(), chart: !!el.closest(".okr-chart"),
                    ratio: ratio(seen, bg)});
    }
  }
  return results;
}
"""


def test_quality_page_lists_findings(page: Page) -> None:
    """The cycle's Quality page, opened from the sidebar, says how many findings there
    are, lists exactly that many in collapsible groups, one per rule (each with a link
    to the rule's reference and a severity chip), and includes the demo's planted
    ones: an activity KR and an objective without owner. A group opens and closes
    from the keyboard."""
    page.goto(f"/{CYCLE}/")
    page.locator("nav.md-nav--primary a.md-nav__link", has_text="Quality").click()
    expect(page).to_have_url(re.compile(rf"/{CYCLE}/quality/$"))
    expect(page.locator("h1")).to_have_text(heading("Quality · Q4 2026"))
    summary = page.locator("article > p").first.inner_text()
    counts = [int(n) for n in re.findall(r"(\d+) (?:errors?|warnings?|info)", summary)]
    assert counts and sum(counts) > 0, summary
    groups = page.locator("article details.okr-findings")
    findings = groups.locator("li")
    expect(findings).to_have_count(sum(counts))
    for group in groups.all():
        expect(group.locator("summary [class*=okr-finding--]")).not_to_have_count(0)
        expect(group.locator('a[href*="rules/#okr"]')).to_have_count(1)
    expect(page.locator("details#rule-okr001 li").filter(has_text="Hire 3 SDRs")).to_have_count(1)
    expect(page.locator("details#rule-okr003 li")).to_have_count(1)
    first = groups.first
    was_open = first.evaluate("d => d.open")
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    assert first.evaluate("d => d.open") is (not was_open)
    if not was_open:
        page.keyboard.press("Enter")
    shoot(page, "quality")
    switch_to_dark(page)
    shoot(page, "quality")


@pytest.mark.parametrize("path", [f"/{CYCLE}/", f"/{CYCLE}/product-onboarding/"])
def test_dark_mode_graphs_and_charts_are_legible(page: Page, path: str) -> None:
    """After toggling the palette to dark, every text of the alignment graph, and the
    value line, target line and labels of every check-in chart (on the team page),
    contrasts with what is behind it by at least 3:1 (WCAG relative luminance, with
    the element's opacity blended in)."""
    page.goto(path)
    switch_to_dark(page)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    page.wait_for_function(GRAPH_FILES_LOADED)
    results = page.evaluate(CONTRAST_JS, "article svg")
    assert len([r for r in results if not r["chart"]]) > 10, results
    if path.endswith("product-onboarding/"):
        assert len([r for r in results if r["chart"]]) >= 6, results
    poor = [r for r in results if r["ratio"] < MIN_CONTRAST]
    assert not poor, poor
    name = "overview" if path == f"/{CYCLE}/" else "team"
    shoot(page, name)


@pytest.mark.browser_context_args(
    viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
    device_scale_factor=2,
)
def test_phone_viewport_has_no_horizontal_overflow(page: Page) -> None:
    """At 390×844 the team page and the overview do not scroll sideways (graphs may
    scroll inside their own container), and the progress bars are still shown."""
    for path, name in [
        (f"/{CYCLE}/product-onboarding/", "team-phone"),
        (f"/{CYCLE}/", "overview-phone"),
    ]:
        page.goto(path)
        expect(page.locator(".okr-progress").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 2, (path, width)
        shoot(page, name)
