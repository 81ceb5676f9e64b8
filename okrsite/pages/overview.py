"""The cycle overview: company OKRs, alignment tree, coverage, units."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from okrsite import urls
from okrsite.alignment import AlignmentIndex, OkrRef
from okrsite.escape import md_inline
from okrsite.model import ROOT_UNIT, Cycle, OkrModel
from okrsite.pages.common import company_objectives
from okrsite.pages.components import doc_link, html_block, progress_bar, status_chip
from okrsite.pages.history_views import summary_view
from okrsite.pages.render import render
from okrsite.pages.unit import KIND_LABELS, ref_link
from okrsite.progress import kr_score, unit_progress
from okrsite.site import GeneratedFile, SiteContext


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    for cycle in ctx.model.cycles.values():
        path = urls.cycle_overview(cycle.id)
        yield GeneratedFile(path, render_overview(ctx.model, cycle, ctx.graph_svgs.get(path)))


def render_overview(model: OkrModel, cycle: Cycle, graph_svg: str | None = None) -> str:
    """Markdown of a cycle's overview page (pure)."""
    doc = urls.cycle_overview(cycle.id)
    index = AlignmentIndex.build(cycle, include_private=True)
    scoring = model.company.scoring
    company = cycle.okrs.get(ROOT_UNIT)
    graded = company is not None and company.content.status == "graded"

    def link(ref: OkrRef) -> Markup:
        return ref_link(model, cycle, ref, doc)

    coverage = []
    orphans = []
    for objective in company.objectives if company else []:
        for kr in objective.key_results:
            ref = OkrRef(ROOT_UNIT, objective.id, kr.id)
            supporters = index.supporters(ref)
            units = sorted({s.source.unit for s in supporters})
            parts = [link(s.source) for s in supporters]
            if len(units) > 1:
                parts.append(
                    Markup(f'<span class="okr-chip okr-overlap">overlap: {len(units)} units</span>')
                )
            coverage.append(
                {
                    "link": link(ref),
                    "progress": progress_bar(kr_score(kr), scoring, graded=graded),
                    "supporters": Markup(" · ").join(parts) if parts else Markup("**nobody**"),
                }
            )
            if not supporters:
                orphans.append(link(ref))

    unaligned = []
    rows = []
    for unit_id in [ROOT_UNIT, *model.units]:
        okrs = cycle.okrs.get(unit_id)
        kind = "Company" if unit_id == ROOT_UNIT else KIND_LABELS[model.units[unit_id].kind]
        if okrs is None:
            continue
        if unit_id != ROOT_UNIT:
            for objective in okrs.objectives:
                krs = [kr.id for kr in objective.key_results]
                if not index.objective_serves_anything(unit_id, objective.id, krs):
                    unaligned.append(link(OkrRef(unit_id, objective.id)))
        rows.append(
            {
                "link": doc_link(model.unit_name(unit_id), doc, urls.unit_page(cycle.id, unit_id)),
                "kind": kind,
                "status": status_chip(okrs.content.status),
                "objectives": len(okrs.objectives),
                "key_results": sum(len(o.key_results) for o in okrs.objectives),
                "progress": progress_bar(
                    unit_progress(okrs, include_private=True),
                    scoring,
                    graded=okrs.content.status == "graded",
                ),
            }
        )
    statuses: dict[str, int] = {}
    for okrs in cycle.okrs.values():
        statuses[okrs.content.status] = statuses.get(okrs.content.status, 0) + 1
    status_summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) or "no OKRs yet"
    d = cycle.definition
    return render(
        "overview.md.j2",
        cycle_title=cycle.title,
        dates=Markup(md_inline(f"{d.start.isoformat()} to {d.end.isoformat()}")),
        status_summary=status_summary,
        objectives=company_objectives(model, cycle, doc),
        graph=html_block(graph_svg, "okr-graph okr-graph--overview") if graph_svg else None,
        coverage=coverage,
        orphan_krs=orphans,
        unaligned=unaligned,
        units=rows,
        graded=graded,
        summary=summary_view(model, cycle),  # counts, on track, distribution (history_views.py)
    )
