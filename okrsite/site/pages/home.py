"""The home page: mission, current cycle and phase, company OKRs, directory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from markupsafe import Markup

from okrsite import urls
from okrsite.model import ROOT_UNIT
from okrsite.site.checkindates import closed_checkin_spans
from okrsite.site.context import SiteContext
from okrsite.site.pages.common import company_objectives, coverage_stats
from okrsite.site.pages.components import doc_link
from okrsite.site.pages.history_views import phase_block, recent_changes
from okrsite.site.pages.render import render
from okrsite.site.tree import GeneratedFile


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    yield GeneratedFile(urls.HOME, render_home(ctx))


def render_home(ctx: SiteContext) -> str:
    model = ctx.model
    doc = urls.HOME
    cycle = model.cycles[ctx.current_cycle_id]
    now = dt.datetime.combine(ctx.today, dt.time(0, 0))
    index = ctx.alignment(cycle)
    directory = []
    # A large company lists only its top-level units here (with a count);
    # the home page must not grow with the number of teams.
    large = len(model.units) > ctx.options.nav_section_size
    for unit in model.units.values():
        if unit.parent != ROOT_UNIT:
            continue
        children: list[Markup] = [
            doc_link(model.unit_name(c), doc, urls.unit_link(cycle, c)) for c in unit.children
        ]
        if large and children:
            children = [Markup(f"{len(unit.children)} units")]
        directory.append(
            {
                "link": doc_link(unit.name, doc, urls.unit_link(cycle, unit.id)),
                "children": Markup(" · ").join(children) if children else None,
            }
        )
    year = ctx.today.year
    return render(
        "home.md.j2",
        company_name=model.company.name,
        mission=model.company.mission,
        annual_objectives=[a for a in model.company.annual if a.year == year],
        cycle_title=cycle.title,
        phase_block=phase_block(model, cycle, now),  # cadence timeline (history_views.py)
        changes=recent_changes(  # "what changed this week"
            model,
            ctx.today,
            doc,
            kept=None if ctx.cache is None else ctx.cache.recent,
            spans=closed_checkin_spans(ctx),  # closed cycles' files: read if recent
        ),
        cycle_link=doc_link(f"{cycle.title} overview", doc, urls.cycle_overview(cycle.id)),
        quality_link=doc_link("Quality report", doc, urls.quality_page(cycle.id)),
        directory_link=doc_link("All units", doc, urls.DIRECTORY),
        format_link=doc_link("Content format", doc, urls.FORMAT),
        objectives=company_objectives(model, cycle, doc),
        stats=coverage_stats(model, cycle, index),
        private_count=sum(o.private_count for o in cycle.okrs.values()),
        candidates=model.company.candidates,
        directory=directory,
    )
