"""Company-wide pages stay small in large companies (issue 8): above
``nav_section_size`` units the overview, quality report and directory list
top-level units with roll-ups and link to per-subtree pages; small companies
keep the full tables. Built with bench/synth.py orgs and a low threshold."""

from __future__ import annotations

import datetime as dt
import posixpath
import re

import pytest
from contentkit import load_synth

from okrsite import graphs, urls
from okrsite.analysis.redact import redact
from okrsite.model import ROOT_UNIT, OkrModel
from okrsite.site.build import build_docs_tree
from okrsite.site.context import SiteContext
from okrsite.site.navigation import GROUP_SIZE, TEAM_SECTION_SIZE, build_nav, nav_to_mkdocs
from okrsite.site.options import SiteOptions
from okrsite.site.tree import DocsTree, NavItem
from okrsite.validate import load_model

TODAY = dt.date(2026, 11, 23)
CYCLE = "2026-Q4"
LINK = re.compile(r"\]\(([^)\s]+)\)")
ANCHOR = re.compile(r"\{#([A-Za-z0-9_-]+)\}")


synth = load_synth()


def _org(tmp_path_factory: pytest.TempPathFactory, units: int) -> OkrModel:
    out = tmp_path_factory.mktemp(f"org{units}")
    synth.write(out, units=units, seed=3, cycles=1, as_of=TODAY)
    return load_model(out / "content")


@pytest.fixture(scope="module")
def small_org(tmp_path_factory: pytest.TempPathFactory) -> OkrModel:
    """A 30-unit synthetic org."""
    return _org(tmp_path_factory, 30)


@pytest.fixture(scope="module")
def big_org(tmp_path_factory: pytest.TempPathFactory) -> OkrModel:
    """A 120-unit synthetic org."""
    return _org(tmp_path_factory, 120)


def _tree(model: OkrModel, section: int = 5) -> DocsTree:
    """The docs tree; ``section`` above the unit count gives the full (unsplit)
    pages, the quality report included whatever its number of findings."""
    split_at = 10**6 if section >= 1000 else 150
    return build_docs_tree(
        model,
        SiteOptions(
            graphs=False, today=TODAY, nav_section_size=section,
            quality_split_findings=split_at,
        ),
    )


def _pages(tree: DocsTree) -> dict[str, str]:
    return {p: c for p, c in tree.files.items() if p.endswith(".md") and isinstance(c, str)}


def _top_level(model: OkrModel) -> list[str]:
    return [u.id for u in model.units.values() if u.parent == ROOT_UNIT]


def _resolve(page: str, target: str) -> tuple[str, str | None]:
    path, _, anchor = target.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    return resolved, anchor or None


def test_large_company_gets_split_quality_pages(small_org: OkrModel) -> None:
    """Above the threshold every top-level unit has a quality page, listed in
    the nav under the cycle's Quality section ("Summary", then "By unit"),
    and the unit pages sit one level deeper, under "Units" (so Material
    collapses and prunes them)."""
    tree = _tree(small_org)
    tops = _top_level(small_org)
    for unit_id in tops:
        assert urls.quality_unit_page(CYCLE, unit_id) in tree.files
    nav = nav_to_mkdocs(tree.nav)
    cycle_section = next(item for item in nav if isinstance(item, dict) and CYCLE in item)
    entries = cycle_section[CYCLE]  # type: ignore[index]
    assert [next(iter(e)) for e in entries] == ["Overview", "Quality", "Units"]
    quality = entries[1]["Quality"]
    assert quality[0] == {"Summary": urls.quality_page(CYCLE)}
    by_unit = [next(iter(e.values())) for e in quality[1]["By unit"]]
    assert by_unit == [urls.quality_unit_page(CYCLE, u) for u in tops]
    unit_sections = entries[2]["Units"][1:]
    assert all(isinstance(next(iter(s.values())), list) for s in unit_sections)


def test_every_markdown_link_target_exists(small_org: OkrModel) -> None:
    """Every relative Markdown link of the split site points at a generated
    file, and links to a ``#unit-…`` section land on the page that has it."""
    tree = _tree(small_org)
    pages = _pages(tree)
    anchors = {p: set(ANCHOR.findall(text)) for p, text in pages.items()}
    checked = 0
    for page, text in pages.items():
        for target in LINK.findall(text):
            if target.startswith(("http://", "https://", "#")):
                continue
            resolved, anchor = _resolve(page, target)
            assert resolved in tree.files, f"{page} links to missing {target}"
            if anchor and anchor.startswith("unit-"):
                assert anchor in anchors[resolved], f"{page}: no #{anchor} on {resolved}"
            checked += 1
    assert checked > 500


def test_unit_badges_point_to_their_subtree_quality_page(small_org: OkrModel) -> None:
    """A team's quality badge links to its top-level unit's quality page."""
    tree = _tree(small_org)
    pages = _pages(tree)
    found = 0
    for unit_id, unit in small_org.units.items():
        if unit.parent == ROOT_UNIT:
            continue
        text = pages[urls.unit_page(CYCLE, unit_id)]
        match = re.search(r"okr-quality-badge\">\[[^\]]*\]\(([^)]+)\)", text)
        if match is None:
            continue
        resolved, anchor = _resolve(urls.unit_page(CYCLE, unit_id), match.group(1))
        assert resolved == urls.quality_unit_page(CYCLE, small_org.ancestors(unit_id)[-1])
        assert anchor == f"unit-{unit_id}"
        found += 1
    assert found > 0


def test_compact_overview_and_directory_list_top_level_units_only(small_org: OkrModel) -> None:
    """The overview's units table and the directory list the top-level units
    (with subtree counts), and each top-level profile lists its descendants."""
    pages = _pages(_tree(small_org))
    overview = pages[urls.cycle_overview(CYCLE)]
    directory = pages[urls.DIRECTORY]
    team = next(u for u in small_org.units.values() if u.parent != ROOT_UNIT)
    top = team.parent
    units_table = overview.split("## Units", 1)[1]
    assert f"]({top}.md)" in units_table
    assert f"]({team.id}.md)" not in units_table
    assert f"]({top}.md)" in directory
    assert f"]({team.id}.md)" not in directory
    profile = pages[urls.unit_profile(top)]
    assert "## Units {#units}" in profile
    assert f"]({team.id}.md)" in profile
    coverage = overview.split("## Coverage", 1)[1].split("## Units", 1)[0]
    # "N units in [Dept](dept.md), …": a space before the first link, not "in[Dept]".
    assert re.search(r"\d+ units in \[[^\]]+\]\(", coverage)


def test_small_company_keeps_full_tables(small_org: OkrModel) -> None:
    """Below the threshold nothing is split: one quality page, every unit in
    the overview and the directory."""
    tree = _tree(small_org, section=100)
    pages = _pages(tree)
    assert not [p for p in tree.files if p.startswith(f"{CYCLE}/quality/")]
    team = next(u for u in small_org.units.values() if u.parent != ROOT_UNIT)
    assert f"]({team.id}.md)" in pages[urls.cycle_overview(CYCLE)].split("## Units", 1)[1]
    assert f"]({team.id}.md)" in pages[urls.DIRECTORY]
    assert "## Units {#units}" not in pages[urls.unit_profile(team.parent)]


SPLIT_PAGES = [urls.cycle_overview(CYCLE), urls.quality_page(CYCLE), urls.DIRECTORY]


def _largest_split_page(tree: DocsTree) -> int:
    return max(len(tree.files[p]) for p in SPLIT_PAGES)


def test_company_pages_stay_bounded_as_the_org_grows(
    small_org: OkrModel, big_org: OkrModel
) -> None:
    """The compact overview, quality summary and directory: the largest grows
    by less than 20% from 30 to 120 units, where the full pages grow several
    times over; at 120 units each compact page is a fraction of the full one."""
    small, big = _tree(small_org), _tree(big_org)
    assert _largest_split_page(big) < 1.2 * _largest_split_page(small)
    full_small, full_big = _tree(small_org, 1000), _tree(big_org, 1000)
    assert _largest_split_page(full_big) > 2 * _largest_split_page(full_small)
    for page in SPLIT_PAGES:
        assert 3 * len(big.files[page]) < len(full_big.files[page]), page


def test_largest_page_stays_bounded_as_the_org_grows(
    small_org: OkrModel, big_org: OkrModel
) -> None:
    """The largest Markdown page of a 4x larger org is less than 8,000
    characters larger: only a department's team line and its objectives'
    "Supported by" lists grow with the org (tens of bytes per unit); a page
    listing every unit (a full table: ~150 B per row) would add far more.
    An absolute allowance (20 % of the largest page when this test was
    written), because the largest pages of the two orgs are different pages
    whose per-KR bytes shrink as charts and tables get leaner."""
    small = max(len(t) for t in _pages(_tree(small_org)).values())
    big = max(len(t) for t in _pages(_tree(big_org)).values())
    assert big - small < 8_000, (small, big)


def test_unit_graphs_cap_child_boxes(big_org: OkrModel) -> None:
    """A department with many teams draws at most ``max_boxes`` child boxes;
    the rest share one "N more units" box."""
    dots = graphs.page_graphs(redact(big_org, "public"), max_boxes=4)
    biggest = max(
        _top_level(big_org), key=lambda u: len(big_org.units[u].children)
    )
    assert len(big_org.units[biggest].children) > 4
    dot = dots[urls.unit_page(CYCLE, biggest)]
    assert re.search(r"<B>\d+ more units</B>", dot)
    assert dot.count("unit summar") == 1
    described = re.search(r"(\d+) unit summaries", dot)
    assert described is not None and int(described.group(1)) <= 4


def test_long_supporter_lists_link_each_unit_once(
    big_org: OkrModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A KR or objective served by more than SUPPORTERS_LISTED items lists the
    supporting units (with counts) instead of every objective and KR, at most
    SUPPORTING_UNITS_LISTED of them (the rest counted; the cap is lowered to 3
    here, this org's KRs have fewer than 12 supporting units); shorter lists
    keep one link per supporting objective or KR."""
    from okrsite.analysis.alignment import AlignmentIndex
    from okrsite.site.pages import unit as unit_page
    from okrsite.site.pages.unit import SUPPORTERS_LISTED

    cap = 3
    monkeypatch.setattr(unit_page, "SUPPORTING_UNITS_LISTED", cap)

    cycle = big_org.cycles[CYCLE]
    index = AlignmentIndex.build(cycle)
    targets = sorted({link.target for link in index.links if link.kind != "related"}, key=str)

    def units_of(target: object) -> set[str]:
        return {link.source.unit for link in index.supporters(target)}

    long = [t for t in targets if len(index.supporters(t)) > SUPPORTERS_LISTED]
    short = [t for t in targets if 1 < len(index.supporters(t)) <= SUPPORTERS_LISTED]
    many = [t for t in long if len(units_of(t)) > cap]
    few = [t for t in long if len(units_of(t)) <= cap]
    assert many and short
    pages = _pages(_tree(big_org))
    for target, grouped in [(many[0], True), *((t, True) for t in few[:1]), (short[0], False)]:
        page = pages[urls.unit_page(CYCLE, target.unit)]
        links = index.supporters(target)
        lines = [ln for ln in page.splitlines() if ln.startswith("**Supported by")]
        anchor = (
            urls.objective_anchor(target.objective)
            if target.key_result is None
            else urls.key_result_anchor(target.objective, target.key_result)
        )
        section = page.split(f"{{#{anchor}}}", 1)[1]
        line = next(ln for ln in section.splitlines() if ln.startswith("**Supported by"))
        assert line in lines
        hrefs = LINK.findall(line)
        units = {link.source.unit for link in links}
        if grouped:
            # Up to the cap's units linked, else one fewer and a count.
            listed = len(units) if len(units) <= cap else cap - 1
            assert f"{len(links)} objectives and key results)" in line
            assert len(hrefs) == listed and not any("#" in h for h in hrefs)
            assert {_resolve(urls.unit_page(CYCLE, target.unit), h)[0] for h in hrefs} <= {
                urls.unit_page(CYCLE, u) for u in units
            }
            more = f"and {len(units) - listed} more units"
            assert (more in line) == (listed < len(units))
        else:
            assert "objectives and key results" not in line
            assert len(hrefs) == len(links) and all("#" in h for h in hrefs)


def _leaves(items: list[NavItem]) -> list[str]:
    return [p for item in items for p in ([item.path] if item.path else _leaves(item.children))]


def test_many_top_level_units_are_grouped_in_the_nav(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """With more top-level units than ``GROUP_SIZE`` (a 400-unit org has ~20
    departments), a cycle's "Units", the Units tab's "All units" and the
    quality pages "By unit" are grouped in sections of at most ``GROUP_SIZE``
    named "first – last", in org order; every page is still listed exactly
    once, and a unit's section longer than ``nav_section_size`` (at most
    ``TEAM_SECTION_SIZE``) holds numbered parts of at most that many."""
    model = _org(tmp_path_factory, 400)
    tops = _top_level(model)
    assert len(tops) > GROUP_SIZE
    cycle = model.cycles[CYCLE]
    paths = {urls.quality_page(CYCLE)} | {urls.quality_unit_page(CYCLE, u) for u in tops}
    options = SiteOptions(graphs=False, today=TODAY, nav_section_size=10)
    ctx = SiteContext(model=model, options=options, today=TODAY)
    nav = build_nav(ctx, paths)
    cycle_items = next(item for item in nav if item.title == cycle.title).children
    units = next(item for item in cycle_items if item.title == "Units").children
    assert units[0].path == urls.unit_page(CYCLE, ROOT_UNIT)
    groups = units[1:]
    assert 1 < len(groups) <= len(tops)
    for group in groups:
        names = [section.title for section in group.children]
        assert 1 < len(names) <= GROUP_SIZE
        assert group.title == f"{names[0]} – {names[-1]}"
        for section in group.children:
            # A long unit is one section holding numbered parts ("Commerce (1–22)").
            parts = section.children if section.children[0].children else [section]
            for part in parts:
                assert len(part.children) <= min(10, TEAM_SECTION_SIZE)
                assert part is section or part.title.startswith(f"{section.title} (")
    assert any(s.children[0].children for group in groups for s in group.children)
    listed = _leaves(groups)
    expected = [
        urls.unit_page(CYCLE, u) for u in model.units if urls.has_unit_page(cycle, u)
    ]
    assert sorted(listed) == sorted(expected) and len(set(listed)) == len(listed)
    in_nav = [s.title for group in groups for s in group.children if s.title != "Other units"]
    assert in_nav == [model.unit_name(u) for u in tops if model.unit_name(u) in in_nav]
    assert len(in_nav) > GROUP_SIZE
    quality = next(item for item in cycle_items if item.title == "Quality").children
    by_unit = next(item for item in quality if item.title == "By unit").children
    assert _leaves(by_unit) == [urls.quality_unit_page(CYCLE, u) for u in tops]
    assert all(len(group.children) <= GROUP_SIZE for group in by_unit)
    profiles = next(i for i in next(i for i in nav if i.title == "Units").children
                    if i.title == "All units").children
    assert sorted(_leaves(profiles)) == sorted(urls.unit_profile(u) for u in model.units)
    assert all(len(group.children) > 1 for group in profiles)
    assert len(profiles) < len(tops)


def test_a_big_departments_pages_list_its_units_compactly(
    big_org: OkrModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lists that grow with a department (380 teams on another synthetic org
    made three pages over 80 KB), with their caps lowered here: the unit
    page's "Teams:" line links CHILD_UNITS_LISTED - 1 teams and counts the
    rest, pointing at the profile; the profile lists every unit below it,
    grouped by parent, as profile links instead of a table; the quality page
    lists the units with findings by their counts, each still anchored
    ``#unit-<id>`` where the unit pages' badges point."""
    from okrsite.analysis.org import OrgTree
    from okrsite.site.pages import directory, quality
    from okrsite.site.pages import unit as unit_page

    monkeypatch.setattr(unit_page, "CHILD_UNITS_LISTED", 3)
    monkeypatch.setattr(directory, "MEMBERS_TABLE_MAX", 3)
    monkeypatch.setattr(quality, "UNITS_TABLE_MAX", 2)
    pages = _pages(_tree(big_org))
    biggest = max(_top_level(big_org), key=lambda u: len(big_org.units[u].children))
    children = list(big_org.units[biggest].children)
    assert len(children) > 3

    page_path = urls.unit_page(CYCLE, biggest)
    line = next(ln for ln in pages[page_path].splitlines() if ln.startswith("**Teams:**"))
    hrefs = LINK.findall(line)
    assert [_resolve(page_path, h)[0] for h in hrefs[:2]] == [
        urls.unit_page(CYCLE, c) for c in children[:2]
    ]
    assert f"[and {len(children) - 2} more]" in line and len(hrefs) == 3
    assert _resolve(page_path, hrefs[2]) == (urls.unit_profile(biggest), "units")

    profile_path = urls.unit_profile(biggest)
    units = pages[profile_path].split("## Units {#units}", 1)[1].split("\n## ", 1)[0]
    below = OrgTree(big_org).descendants(biggest)
    assert "| Unit |" not in units and f"The {len(below)} units in" in units
    linked = {_resolve(profile_path, h)[0] for h in LINK.findall(units)}
    assert linked == {urls.unit_profile(u) for u in below}

    quality_path = urls.quality_unit_page(CYCLE, biggest)
    listing = pages[quality_path].split("## Units with findings {#units}", 1)[1]
    anchored = ANCHOR.findall(listing)
    assert len(anchored) > 2 and "| Unit |" not in listing
    badges = {
        anchor
        for path in (urls.unit_page(CYCLE, u) for u in [biggest, *below])
        if path in pages
        for target in LINK.findall(pages[path])
        if _resolve(path, target)[0] == quality_path
        for anchor in [_resolve(path, target)[1]]
    }
    assert badges and badges <= set(anchored)
