"""The unit directory (every unit, with its current OKRs) and unit profiles.

Large companies (more units than ``SiteOptions.nav_section_size``, see
``pages/scale.py``) get a compact directory: top-level units with subtree
counts, linking to their profiles, and each top-level unit's profile lists
every unit below it. Calibration rows are then limited to the company and
the top-level units (every unit's own calibration is on its profile).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial

from markupsafe import Markup

from okrsite import urls
from okrsite.analysis.calibration import CalibrationReport, calibration_report
from okrsite.analysis.org import OrgTree
from okrsite.analysis.progress import (
    ProgressOf,
    RollupScope,
    objective_progress,
    rollup_progress,
    shows_scores,
    unit_progress,
)
from okrsite.model import ROOT_UNIT, Cycle, OkrModel
from okrsite.render.escape import md_inline
from okrsite.render.richtext import markdown_block
from okrsite.site.calibration import site_calibration
from okrsite.site.context import SiteContext, cycles_newest_first
from okrsite.site.pages.components import doc_link, grouped_links, progress_bar, status_chip
from okrsite.site.pages.history_views import calibration_block, calibration_rows, profile_history
from okrsite.site.pages.render import render
from okrsite.site.pages.scale import is_compact, profile_lists_units_below
from okrsite.site.pages.unit import KIND_LABELS
from okrsite.site.tree import GeneratedFile


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    report = site_calibration(ctx)  # across graded cycles (analysis/calibration.py)
    compact = is_compact(ctx.model, ctx.options)
    cycle_id = ctx.current_cycle_id
    yield GeneratedFile(
        urls.DIRECTORY, render_directory(
            ctx.model, cycle_id, report, compact=compact, progress=ctx.progress
        )
    )
    current = cycle_id if compact else None
    for unit_id in ctx.model.units:
        make = partial(
            render_profile,
            ctx.model,
            unit_id,
            report,
            current_cycle=current,
            tree=ctx.org_tree(),
            progress=ctx.progress,
        )
        inputs = (ctx.model, unit_id, report, current, ctx.below())
        path = urls.unit_profile(unit_id)
        text = ctx.page(
            lambda kept: kept.profiles,
            path,
            partial(profile_inputs, *inputs),
            make,
            made_from=partial(profile_made_from, *inputs, closed=ctx.closed_keys),
        )
        yield GeneratedFile(path, text)


def profile_inputs(
    model: OkrModel,
    unit_id: str,
    calibration: CalibrationReport,
    current_cycle: str | None,
    below: Mapping[str, list[str]],
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The dependency record of :func:`render_profile` (the caller adds what
    every page shares: unit names and org, the company, the cycles), as
    ``(objects compared by identity, values compared by equality)``: the
    unit's content in every cycle, its files, its calibration, and for a
    top-level unit of a compact directory which units below it have a page
    in the current cycle (``below``: :func:`okrsite.analysis.org.all_descendants`).
    Keep it in step with :func:`render_profile` (``tests/test_serve_graphs.py``
    compares preview rebuilds with plain builds)."""
    same: list[object] = []
    equal: list[object] = [calibration.units.get(unit_id), current_cycle]
    for cycle in model.cycles.values():
        okrs = cycle.okrs.get(unit_id)
        same.append(okrs.content if okrs is not None else None)
        equal.append((okrs.path, okrs.redacted_private) if okrs is not None else None)
    if current_cycle is not None and profile_lists_units_below(model, unit_id, compact=True):
        cycle = model.cycles[current_cycle]
        equal.append(tuple(urls.has_unit_page(cycle, m) for m in below.get(unit_id, [])))
    return tuple(same), tuple(equal)


def profile_made_from(
    model: OkrModel,
    unit_id: str,
    calibration: CalibrationReport,
    current_cycle: str | None,
    below: Mapping[str, list[str]],
    closed: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """:func:`profile_inputs` as text, for a build's store (``SiteContext.page``
    adds the company and the units): the unit's content in every cycle as
    JSON (measured values, redaction counts and notes included), its
    calibration, and for a top-level unit of a compact directory which units
    below it have a page in the current cycle. A closed cycle in ``closed``
    (:attr:`SiteContext.closed_keys`) is its store key instead: a digest of
    every input file of the cycle and of what else its pages depend on, so
    the same cycle content gives the same key, and turning ~100 units' kept
    quarters into JSON on every build is not needed to know that. Keep it in
    step with :func:`render_profile` (``tests/test_page_cache.py`` compares
    stored and fresh builds after edits)."""
    yield repr((calibration.units.get(unit_id), current_cycle))
    for cycle in model.cycles.values():
        if closed is not None and cycle.id in closed:
            yield f"{cycle.id} closed {closed[cycle.id]}"
            continue
        okrs = cycle.okrs.get(unit_id)
        if okrs is None:
            yield f"{cycle.id} -"
            continue
        yield repr((cycle.id, okrs.path, okrs.redacted_private, okrs.notes))
        yield okrs.content.model_dump_json()
        # A measured KR's data-file reading is not a field (not in the JSON).
        yield repr([kr.measured for o in okrs.objectives for kr in o.key_results if kr.measure])
    if current_cycle is not None and profile_lists_units_below(model, unit_id, compact=True):
        cycle = model.cycles[current_cycle]
        yield repr(tuple(urls.has_unit_page(cycle, m) for m in below.get(unit_id, [])))


def render_directory(
    model: OkrModel,
    cycle_id: str,
    calibration: CalibrationReport | None = None,
    *,
    compact: bool = False,
    progress: ProgressOf = objective_progress,
) -> str:
    """Every unit with its current OKRs; ``compact``: top-level units only;
    ``progress``: how to get an objective's progress (the build's memo)."""
    doc = urls.DIRECTORY
    report = calibration or calibration_report(model)
    cycle = model.cycles[cycle_id]
    tree = OrgTree(model)
    if compact:
        shown = {ROOT_UNIT, *tree.children(ROOT_UNIT)}
        report = CalibrationReport(
            company=report.company,
            units={u: c for u, c in report.units.items() if u in shown},
        )
    rows = []
    for unit in model.units.values():
        if compact and unit.parent != ROOT_UNIT:
            continue
        okrs = cycle.okrs.get(unit.id)
        # A compact row stands for the unit and its teams (it counts their
        # units); a full row for the unit alone: the same rule as the overview.
        scope: RollupScope = "teams" if compact else "own"
        below = tree.descendants(unit.id) if compact else None
        value = rollup_progress(
            model, cycle, unit.id, scope, include_private=True, below=below, progress=progress
        )
        has_okrs = (
            any(cycle.okrs[u].objectives for u in [unit.id, *below] if u in cycle.okrs)
            if below is not None
            else bool(okrs and okrs.objectives)
        )
        current = (
            progress_bar(value, model.company.scoring, scope=scope)
            if has_okrs
            else Markup("no OKRs")
        )
        rows.append(
            {
                "link": doc_link(unit.name, doc, urls.unit_profile(unit.id)),
                "kind": KIND_LABELS[unit.kind],
                "parent": doc_link(
                    model.unit_name(unit.parent), doc, urls.unit_link(cycle, unit.parent)
                ),
                "lead": unit.definition.lead or "",
                "units": 1 + len(below) if below is not None else None,
                "current": Markup(" ").join([_cycle_page_link(cycle, unit.id, doc), current]),
            }
        )
    return render(
        "directory.md.j2",
        company_name=model.company.name,
        cycle_title=cycle.title,
        rows=rows,
        compact=compact,
        unit_count=len(model.units),
        # Confidence calibration, company-wide and per unit (history_views.py)
        calibration=calibration_block(
            report.company, f"{model.company.name}: confidence calibration"
        ),
        calibration_rows=calibration_rows(model, report, doc),
    )


def render_profile(
    model: OkrModel,
    unit_id: str,
    calibration: CalibrationReport | None = None,
    *,
    current_cycle: str | None = None,
    tree: OrgTree | None = None,
    progress: ProgressOf = objective_progress,
) -> str:
    """A unit across all cycles, newest first. With ``current_cycle`` (large
    companies), a top-level unit's profile also lists every unit below it
    (``tree``: the org's, made once by a caller rendering many profiles);
    ``progress``: how an objective's progress is got (the build's memo)."""
    doc = urls.unit_profile(unit_id)
    report = calibration or calibration_report(model)
    trend, history = profile_history(model, unit_id, doc, progress)
    unit_calibration = report.units.get(unit_id)
    unit = model.units[unit_id]
    rows = []
    for cycle_id in cycles_newest_first(model):
        cycle = model.cycles[cycle_id]
        okrs = cycle.okrs.get(unit_id)
        graded = okrs is not None and shows_scores([okrs])
        rows.append(
            {
                "link": _cycle_page_link(cycle, unit_id, doc),
                "status": status_chip(okrs.content.status) if okrs else "no OKRs",
                "objectives": len(okrs.objectives) if okrs else 0,
                "progress": progress_bar(
                    unit_progress(okrs, include_private=True, progress=progress),
                    model.company.scoring,
                    graded=graded,
                    scope="own",
                )
                if okrs
                else "",
            }
        )
    members = (
        _members(model, unit_id, current_cycle, doc, tree or OrgTree(model))
        if current_cycle is not None
        and profile_lists_units_below(model, unit_id, compact=True)
        else []
    )
    meta = Markup(" · ").join(
        [
            Markup(KIND_LABELS[unit.kind]),
            Markup("in ")
            + doc_link(model.unit_name(unit.parent), doc, urls.unit_profile(unit.parent))
            if unit.parent in model.units
            else Markup("in ") + Markup(md_inline(model.unit_name(unit.parent))),
        ]
    )
    return render(
        "profile.md.j2",
        unit_name=unit.name,
        meta=meta,
        description=markdown_block(unit.definition.description, heading_floor=2) or None,
        rows=rows,
        members=members if len(members) <= MEMBERS_TABLE_MAX else [],
        members_by_parent=grouped_links((m["parent"], Markup(m["link"])) for m in members)
        if len(members) > MEMBERS_TABLE_MAX
        else [],
        member_count=len(members),
        # Trend, objectives per cycle and calibration (history_views.py)
        trend=trend,
        history=history,
        calibration=calibration_block(unit_calibration, f"{unit.name}: confidence calibration")
        if unit_calibration
        else None,
    )


def _cycle_page_link(cycle: Cycle, unit_id: str, doc: str) -> Markup:
    """The cycle's title, linked to the unit's page for it when it has one
    (a unit without OKRs in a cycle has no page there: the title stays text
    beside its "no OKRs")."""
    if urls.has_unit_page(cycle, unit_id):
        return doc_link(cycle.title, doc, urls.unit_page(cycle.id, unit_id))
    return Markup(md_inline(cycle.title))


MEMBERS_TABLE_MAX = 60
"""Most units below a top-level unit that its profile lists as a table (with
kind and current page); more are listed as profile links grouped by the unit
they are part of, ~45 bytes each instead of ~150: a department of 380 teams
on another synthetic org (``bench/synth.py --seed 3``) made a 59 KB table."""


def _members(
    model: OkrModel, unit_id: str, cycle_id: str, doc: str, tree: OrgTree
) -> list[dict[str, object]]:
    """Every unit below ``unit_id``: profile link, kind, parent, current page."""
    cycle = model.cycles[cycle_id]
    rows: list[dict[str, object]] = []
    for member in tree.descendants(unit_id):
        unit = model.units[member]
        rows.append(
            {
                "link": doc_link(unit.name, doc, urls.unit_profile(member)),
                "kind": KIND_LABELS[unit.kind],
                "parent": model.unit_name(unit.parent),
                "current": _cycle_page_link(cycle, member, doc)
                if urls.has_unit_page(cycle, member)
                else Markup(md_inline(f"{cycle.title}: no OKRs")),
            }
        )
    return rows
