"""The cycle overview: company OKRs, alignment tree, coverage, units.

Large companies (more units than ``SiteOptions.nav_section_size``, see
``pages/scale.py``) get a compact overview whose size does not grow with the
number of units: the units table rolls up each top-level unit's subtree, the
coverage table names the top-level units involved instead of every supporting
objective, and unaligned objectives are counted per top-level unit with a
link to that unit's quality page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from markupsafe import Markup

from okrsite import urls
from okrsite.analysis.alignment import AlignmentIndex, OkrRef
from okrsite.analysis.history import SummaryParts
from okrsite.analysis.org import OrgTree, top_level_of, top_level_units
from okrsite.analysis.progress import (
    ProgressOf,
    kr_score,
    objective_progress,
    shows_scores,
    unit_progress,
)
from okrsite.model import ROOT_UNIT, Cycle, OkrModel
from okrsite.render.escape import md_inline
from okrsite.site.cache import remembered
from okrsite.site.context import SiteContext
from okrsite.site.pages.common import company_objectives
from okrsite.site.pages.components import doc_link, progress_bar, status_chip
from okrsite.site.pages.graph_embed import page_graph, standalone_svg
from okrsite.site.pages.history_views import summary_view
from okrsite.site.pages.render import render
from okrsite.site.pages.scale import is_compact, rollup
from okrsite.site.pages.unit import KIND_LABELS, ref_link
from okrsite.site.tree import GeneratedFile


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    for cycle in ctx.model.cycles.values():
        if cycle.id in ctx.reused_cycles:
            continue  # its overview comes from the closed-cycle store (site/build.py)
        path = urls.cycle_overview(cycle.id)
        graph, graph_file = page_graph(ctx, path, "okr-graph okr-graph--overview")
        if graph_file is not None:
            yield graph_file
        departments = []
        for unit_id in top_level_units(ctx.model):
            key = urls.department_graph(cycle.id, unit_id)
            svg = ctx.graph_svgs.get(key)
            if svg:
                yield GeneratedFile(key, _department_file(ctx, svg))
                departments.append((unit_id, key))
        yield GeneratedFile(
            path,
            render_overview(
                ctx.model,
                cycle,
                graph,
                compact=is_compact(ctx.model, ctx.options),
                today=ctx.today,
                department_graphs=departments,
                index=ctx.alignment(cycle),
                progress=ctx.progress,
                summaries=None if ctx.cache is None else ctx.cache.summaries,
            ),
        )


def _department_file(ctx: SiteContext, svg: str) -> str:
    """A department's graph as a standalone SVG file; a preview rebuild reuses
    the file while ``svg`` is the same string object (an unchanged graph).
    ``svg`` is sanitised already (``SiteContext.graph_svgs``)."""
    if ctx.cache is None:
        return standalone_svg(svg)
    return remembered(ctx.cache.svg_files, (svg,), lambda: standalone_svg(svg))


def render_overview(
    model: OkrModel,
    cycle: Cycle,
    graph: Markup | None = None,
    *,
    compact: bool = False,
    today: dt.date | None = None,
    department_graphs: list[tuple[str, str]] | None = None,
    index: AlignmentIndex | None = None,
    progress: ProgressOf = objective_progress,
    summaries: SummaryParts | None = None,
) -> str:
    """Markdown of a cycle's overview page (pure); ``compact`` for large companies.
    ``today``: the build's "now"; a cycle that ended before it and is not graded
    reads "At the end (not graded)", not "So far". ``department_graphs``: (top-level
    unit, docs path of its whole-subtree SVG) for a department-level graph.
    ``index``: the cycle's :meth:`AlignmentIndex.build_with_inner`, if the caller has it;
    ``progress``: how the roll-ups get an objective's progress (the build's memo);
    ``summaries``: a preview server's per-file parts of the cycle's summary."""
    doc = urls.cycle_overview(cycle.id)
    if index is None:
        index = AlignmentIndex.build_with_inner(model.cycles.values(), cycle, include_private=True)
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
            if compact:
                parts = _supporting_top_units(model, cycle, units, doc)
            else:
                parts = [ref_link(model, cycle, s.source, doc, s.source_cycle) for s in supporters]
            if len(units) > 1:
                parts.append(
                    Markup(f'<span class="okr-chip okr-overlap">overlap: {len(units)} units</span>')
                )
            coverage.append(
                {
                    "link": link(ref),
                    "progress": progress_bar(
                        kr_score(kr), scoring, graded=graded and kr.score is not None
                    ),
                    "supporters": Markup(" · ").join(parts) if parts else Markup("**nobody**"),
                }
            )
            if not supporters:
                orphans.append(link(ref))

    unaligned: list[Markup] = []
    rows: list[dict[str, object]] = []
    if compact:
        unaligned = _unaligned_counts(model, cycle, index, doc)
        rows = _rollup_rows(model, cycle, doc, progress)
    for unit_id in [] if compact else [ROOT_UNIT, *model.units]:
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
                "link": doc_link(model.unit_name(unit_id), doc, urls.unit_link(cycle, unit_id)),
                "kind": kind,
                "status": status_chip(okrs.content.status),
                "objectives": len(okrs.objectives),
                "key_results": sum(len(o.key_results) for o in okrs.objectives),
                "progress": progress_bar(
                    unit_progress(okrs, include_private=True, progress=progress),
                    scoring,
                    graded=shows_scores([okrs]),
                    scope="own",
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
        graph=graph,
        department_graphs=Markup(
            " · ".join(
                f"[{md_inline(model.unit_name(unit_id))}]"
                f"({urls.relative(doc, path)})"
                for unit_id, path in department_graphs or []
            )
        ),
        coverage=coverage,
        orphan_krs=orphans,
        unaligned=unaligned,
        units=rows,
        without_okrs=_without_okrs(model, cycle, doc, compact=compact),
        compact=compact,
        graded=graded,
        # counts, on track, distribution (history_views.py)
        summary=summary_view(model, cycle, summaries),
        ended=today is not None and d.end < today,
    )


def _supporting_top_units(
    model: OkrModel, cycle: Cycle, units: list[str], doc: str
) -> list[Markup]:
    """``N units`` plus a link per top-level unit they belong to (org order)."""
    if not units:
        return []
    tops = {top_level_of(model, u) for u in units}
    order = [ROOT_UNIT, *top_level_units(model)]
    noun = "unit" if len(units) == 1 else "units"
    links = [
        doc_link(model.unit_name(u), doc, urls.unit_link(cycle, u)) for u in order if u in tops
    ]
    # md_inline trims its text: the space before the first link is added after.
    return [Markup(md_inline(f"{len(units)} {noun} in")) + Markup(" ") + Markup(", ").join(links)]


def _unaligned_counts(
    model: OkrModel, cycle: Cycle, index: AlignmentIndex, doc: str
) -> list[Markup]:
    """Per top-level unit: how many objectives in its subtree align to nothing,
    linked to that subtree's quality page."""
    counts: dict[str, int] = {}
    for unit_id in model.units:
        okrs = cycle.okrs.get(unit_id)
        if okrs is None:
            continue
        for objective in okrs.objectives:
            krs = [kr.id for kr in objective.key_results]
            if not index.objective_serves_anything(unit_id, objective.id, krs):
                top = top_level_of(model, unit_id)
                counts[top] = counts.get(top, 0) + 1
    lines = []
    for top in top_level_units(model):
        n = counts.get(top, 0)
        if n:
            noun = "objective" if n == 1 else "objectives"
            lines.append(
                doc_link(model.unit_name(top), doc, urls.quality_unit_page(cycle.id, top))
                + Markup(md_inline(f": {n} {noun}"))
            )
    return lines


def _without_okrs(model: OkrModel, cycle: Cycle, doc: str, *, compact: bool) -> Markup | None:
    """The units with no OKRs in the cycle, which have no page in it
    (:func:`okrsite.urls.has_unit_page`): each linked to its profile, or in a
    large company only counted (the directory lists them)."""
    missing = [u for u in model.units if not urls.has_unit_page(cycle, u)]
    if not missing:
        return None
    label = Markup("**No OKRs in this cycle:** ")
    if compact:
        noun = "unit" if len(missing) == 1 else "units"
        return label + Markup(f"{len(missing)} {noun} (see their profiles in the ") + (
            doc_link("directory", doc, urls.DIRECTORY) + Markup(")")
        )
    links = [doc_link(model.unit_name(u), doc, urls.unit_link(cycle, u)) for u in missing]
    return label + Markup(" · ").join(links)


def _rollup_rows(
    model: OkrModel, cycle: Cycle, doc: str, progress: ProgressOf
) -> list[dict[str, object]]:
    """The company and every top-level unit with its subtree's roll-up."""
    scoring = model.company.scoring
    rows: list[dict[str, object]] = []
    company = cycle.okrs.get(ROOT_UNIT)
    if company is not None:
        rows.append(
            {
                "link": doc_link(model.company.name, doc, urls.unit_link(cycle, ROOT_UNIT)),
                "kind": "Company",
                "units": 1,
                "objectives": len(company.objectives),
                "key_results": sum(len(o.key_results) for o in company.objectives),
                "progress": progress_bar(
                    unit_progress(company, include_private=True, progress=progress),
                    scoring,
                    graded=shows_scores([company]),
                    scope="own",
                ),
            }
        )
    tree = OrgTree(model)
    for unit_id in tree.children(ROOT_UNIT):
        total = rollup(model, cycle, unit_id, tree=tree, progress=progress)
        rows.append(
            {
                "link": doc_link(model.unit_name(unit_id), doc, urls.unit_link(cycle, unit_id)),
                "kind": KIND_LABELS[model.units[unit_id].kind],
                "units": total.units,
                "objectives": total.objectives,
                "key_results": total.key_results,
                "progress": progress_bar(
                    total.progress, scoring, graded=total.graded, scope="teams"
                ),
            }
        )
    return rows
