"""The navigation outline: by cycle, then by department.

Sections keep every page's nav small once Material's ``navigation.prune``
renders only the active section: page size stays flat as units grow.
Sections longer than ``SiteOptions.nav_section_size`` are split.

With ``navigation.tabs`` + ``navigation.sections`` Material renders the
second level (the sections of the active tab) expanded on every page of that
tab; only the third level collapses and is pruned. So in large companies
(more units than ``nav_section_size``) the per-unit sections go one level
deeper, under a "Units" section of the cycle (and "All units" in the Units
tab), and the per-unit quality pages under "By unit": a page then carries
its own section plus one title per top-level unit, not every unit.

Many top-level units (a company of a thousand units has ~50 departments)
would still put ~50 titles on every page of a unit (~11 KB of navigation);
above :data:`GROUP_SIZE` they are grouped into sections named after their
first and last unit ("Sales – Growth"), in org.yaml order, so a page
carries the titles of its own group and of the other groups. The same
holds for the quality pages by unit. A department's own list of teams is
split into numbered parts of at most :data:`TEAM_SECTION_SIZE` inside its
section in large companies (a 46-team department is 6 KB of titles on each
of its pages).
"""

from __future__ import annotations

from typing import TypeVar

from okrsite import urls
from okrsite.analysis.org import OrgTree
from okrsite.model import ROOT_UNIT, Cycle, OkrModel
from okrsite.site.context import SiteContext, cycles_newest_first
from okrsite.site.pages.scale import is_compact
from okrsite.site.tree import NavItem

T = TypeVar("T")

GROUP_SIZE = 12
"""Most sections side by side under a large company's "Units" (and quality
"By unit"); more are grouped (see the module docstring)."""

TEAM_SECTION_SIZE = 25
"""Most pages in one unit's section of a large company's navigation."""


def build_nav(ctx: SiteContext, paths: set[str]) -> list[NavItem]:
    model = ctx.model
    deep = is_compact(model, ctx.options)
    size = max(2, ctx.options.nav_section_size)
    if deep:
        size = min(size, TEAM_SECTION_SIZE)
    nav = [NavItem("Home", urls.HOME)]
    for cycle_id in cycles_newest_first(model):
        cycle = model.cycles[cycle_id]
        items = [NavItem("Overview", urls.cycle_overview(cycle_id))]
        if urls.quality_page(cycle_id) in paths:
            items.append(_quality_item(model, cycle_id, paths))
        # Only units with a page in the cycle (urls.has_unit_page) are listed.
        def page_of(unit_id: str, cycle: Cycle = cycle) -> str | None:
            return urls.unit_page(cycle.id, unit_id) if urls.has_unit_page(cycle, unit_id) else None

        company = page_of(ROOT_UNIT)
        unit_items = [NavItem(model.company.name, company)] if company else []
        sections = _unit_sections(model, page_of, size)
        if deep:
            items.append(NavItem("Units", children=[*unit_items, *_grouped(sections)]))
        else:
            items.extend([*unit_items, *sections])
        nav.append(NavItem(cycle.title, children=items))
    units = [NavItem("Directory", urls.DIRECTORY)]
    profiles = _unit_sections(model, urls.unit_profile, size)
    if deep:
        units.append(NavItem("All units", children=_grouped(profiles)))
    else:
        units.extend(profiles)
    nav.append(NavItem("Units", children=units))
    if urls.RULES in paths:
        nav.append(NavItem("Rules", urls.RULES))
    if urls.FORMAT in paths:
        nav.append(NavItem("Content format", urls.FORMAT))
    return nav


def _quality_item(model: OkrModel, cycle_id: str, paths: set[str]) -> NavItem:
    """The cycle's quality page, or (large companies, split per top-level
    unit) a section: the summary, then one page per top-level unit."""
    summary = urls.quality_page(cycle_id)
    pages = [
        NavItem(unit.name, urls.quality_unit_page(cycle_id, unit.id))
        for unit in model.units.values()
        if unit.parent == ROOT_UNIT and urls.quality_unit_page(cycle_id, unit.id) in paths
    ]
    if not pages:
        return NavItem("Quality", summary)
    by_unit = NavItem("By unit", children=_grouped(pages))
    return NavItem("Quality", children=[NavItem("Summary", summary), by_unit])


def _unit_sections(model: OkrModel, page_of, size: int) -> list[NavItem]:  # type: ignore[no-untyped-def]
    """Top-level units; departments and units with children become sections
    of their subtree (a department without teams too: it is listed with the
    departments, in org.yaml order); the rest go under "Other units"."""
    out: list[NavItem] = []
    loose: list[NavItem] = []
    tree = OrgTree(model)
    for unit in model.units.values():
        if unit.parent != ROOT_UNIT:
            continue
        subtree = tree.descendants(unit.id)
        if not subtree and unit.kind != "department":
            if page_of(unit.id) is not None:
                loose.append(NavItem(unit.name, page_of(unit.id)))
            continue
        pages = [
            NavItem(model.unit_name(u), page_of(u))
            for u in [unit.id, *subtree]
            if page_of(u) is not None
        ]
        if pages:
            out.append(_chunk(unit.name, pages, size))
    if loose:
        out.append(_chunk("Other units", loose, size))
    return out


def _chunk(title: str, pages: list[NavItem], size: int) -> NavItem:
    """A section of ``pages``; more than ``size`` are split into numbered
    parts of about equal length inside it: "Product" holds "Product (1–24)"
    and "Product (25–47)" (one title for the unit wherever it is pruned)."""
    if len(pages) <= size:
        return NavItem(title, children=pages)
    parts = []
    first = 1
    for chunk in _even_chunks(pages, size):
        parts.append(NavItem(f"{title} ({first}–{first + len(chunk) - 1})", children=chunk))
        first += len(chunk)
    return NavItem(title, children=parts)


def _even_chunks(items: list[T], size: int) -> list[list[T]]:
    """``items`` cut into the fewest chunks of at most ``size``, of about equal length."""
    count = -(-len(items) // size)
    base, extra = divmod(len(items), count)
    chunks = []
    start = 0
    for i in range(count):
        end = start + base + (1 if i < extra else 0)
        chunks.append(items[start:end])
        start = end
    return chunks


def _grouped(items: list[NavItem], size: int = GROUP_SIZE) -> list[NavItem]:
    """``items`` as they are, or — more than ``size`` of them — in sections of
    about equal length (at most ``size``), each named after its first and
    last item."""
    if len(items) <= size:
        return items
    return [
        NavItem(f"{chunk[0].title} – {chunk[-1].title}", children=chunk)
        for chunk in _even_chunks(items, size)
    ]


def nav_to_mkdocs(items: list[NavItem]) -> list[object]:
    """The outline in mkdocs.yml ``nav`` form (list of single-key dicts)."""
    out: list[object] = []
    for item in items:
        if item.children:
            out.append({item.title: nav_to_mkdocs(item.children)})
        elif item.path is not None:
            out.append({item.title: item.path})
    return out
