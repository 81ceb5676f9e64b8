"""The page of one unit's OKRs in one cycle (the company's own too).

Pages show every objective the model holds: public builds receive a model
already redacted (``redact.py``), internal builds show private ones, marked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from okrsite import urls
from okrsite.analysis.alignment import AlignmentIndex, Link, OkrRef
from okrsite.analysis.org import descendants
from okrsite.analysis.progress import (
    ProgressOf,
    kr_score,
    objective_progress,
    objective_score,
    shows_scores,
    unit_and_teams_progress,
    unit_progress,
)
from okrsite.model import ROOT_UNIT, Cycle, KeyResult, Objective, OkrModel, UnitOkrs
from okrsite.render.escape import html_text, md_inline
from okrsite.render.richtext import RichText, markdown_block
from okrsite.site.cache import BuildCache, UnitReads
from okrsite.site.context import DependencyRecord, SiteContext
from okrsite.site.findings import site_findings
from okrsite.site.options import SiteOptions
from okrsite.site.pages import values
from okrsite.site.pages.components import (
    doc_link,
    external_link,
    owners_fact,
    progress_bar,
    status_chip,
)
from okrsite.site.pages.graph_embed import page_graph
from okrsite.site.pages.quality import (
    quality_section_page,
    split_cycles,
    unit_badge,
)
from okrsite.site.pages.render import render
from okrsite.site.pages.scale import is_compact, profile_lists_units_below
from okrsite.site.tree import GeneratedFile

KIND_LABELS = {"department": "Department", "team": "Team", "service": "Service unit"}


@dataclass
class KeyResultView:
    title: str
    anchor: str
    progress: Markup
    range: Markup
    facts: list[Markup | str] = field(default_factory=list)
    links: list[Markup] = field(default_factory=list)
    checkins: Markup | None = None
    description: Markup | None = None
    notes: list[Markup] = field(default_factory=list)
    """The KR's status or grading note and its newest check-in note."""


@dataclass
class ObjectiveView:
    title: str
    anchor: str
    progress: Markup
    facts: list[Markup | str] = field(default_factory=list)
    description: Markup | None = None
    links: list[Markup] = field(default_factory=list)
    learnings: Markup | None = None
    key_results: list[KeyResultView] = field(default_factory=list)


@dataclass
class UnitPage:
    unit_name: str
    cycle_title: str
    summary: Markup
    meta: Markup | None
    notes: Markup | None
    children_label: str
    children: Markup | None
    graph: Markup | None
    objectives: list[ObjectiveView]
    private_note: Markup | None
    health_metrics: list[dict[str, object]]
    empty_message: str
    footer: Markup
    chart_defs: Markup | None = None
    """The charts' shared marker, on pages with check-in charts."""


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    """A page per unit (and the company) per cycle in which it has OKRs
    (:func:`okrsite.urls.has_unit_page`; links to the others go to their
    profiles, :func:`okrsite.urls.unit_link`)."""
    model = ctx.model
    compact = is_compact(model, ctx.options)
    findings_by_unit: dict[tuple[str | None, str | None], list] = {}  # type: ignore[type-arg]
    split = split_cycles(
        model, site_findings(ctx), compact=compact,
        threshold=ctx.options.quality_split_findings,
    )
    for finding in site_findings(ctx):
        findings_by_unit.setdefault((finding.cycle, finding.unit), []).append(finding)
    below = ctx.below()
    for cycle in model.cycles.values():
        if cycle.id in ctx.reused_cycles:
            continue  # its pages come from the closed-cycle store (site/build.py)
        index = ctx.alignment(cycle)
        for unit_id in [ROOT_UNIT, *model.units]:
            if not urls.has_unit_page(cycle, unit_id):
                continue
            path = urls.unit_page(cycle.id, unit_id)
            graph, graph_file = page_graph(ctx, path, "okr-graph")
            if graph_file is not None:
                yield graph_file
            badge = unit_badge(
                findings_by_unit.get((cycle.id, unit_id), []),
                cycle.id,
                unit_id,
                path,
                quality_section_page(model, cycle.id, unit_id, compact=cycle.id in split),
            )

            def make(cycle: Cycle = cycle, unit_id: str = unit_id, index: AlignmentIndex = index,
                     graph: Markup | None = graph, badge: Markup | None = badge) -> str:
                return render_unit_page(
                    model, cycle, unit_id, index, ctx.options, graph, badge=badge,
                    cache=ctx.cache, renderer=ctx.richtext, below=below[unit_id],
                    progress=ctx.progress,
                )

            def record(cycle: Cycle = cycle, unit_id: str = unit_id,
                       index: AlignmentIndex = index, graph: Markup | None = graph,
                       badge: Markup | None = badge) -> DependencyRecord:
                same, equal = unit_page_inputs(
                    model, cycle, unit_id, index, below,
                    None if ctx.cache is None else ctx.cache.unit_reads,
                )
                return same, (*equal, ctx.options, graph, badge)

            yield GeneratedFile(path, ctx.page(lambda kept: kept.unit_pages, path, record, make))


def render_unit_page(
    model: OkrModel,
    cycle: Cycle,
    unit_id: str,
    index: AlignmentIndex,
    options: SiteOptions,
    graph: Markup | None = None,
    badge: Markup | None = None,
    cache: BuildCache | None = None,
    renderer: RichText | None = None,
    below: list[str] | None = None,
    progress: ProgressOf = objective_progress,
) -> str:
    """Markdown of one unit's page in one cycle (pure: model in, text out).
    ``graph`` is the alignment graph block (see :mod:`okrsite.site.pages.graph_embed`),
    ``badge`` the quality-check badge shown next to the status, ``cache`` a
    preview server's fragments from its previous rebuild (or none),
    ``renderer`` the build's Markdown renderer for content text (or a new one),
    ``below`` the unit's descendants (:func:`okrsite.analysis.org.descendants`)
    when the caller has them for every unit already, ``progress`` how the
    roll-up with teams gets an objective's progress (the build's memo)."""
    renderer = renderer or RichText()
    doc = urls.unit_page(cycle.id, unit_id)
    okrs = cycle.okrs.get(unit_id)
    scoring = model.company.scoring
    graded = okrs is not None and okrs.content.status == "graded"
    objectives = [
        _objective_view(model, cycle, unit_id, o, index, doc, graded, cache, renderer, progress)
        for o in (okrs.objectives if okrs else [])
    ]
    summary_bits: list[str] = []
    if okrs is not None:
        own = unit_progress(okrs, include_private=True, progress=progress)
        own_graded = shows_scores([okrs])
        summary_bits.append(
            str(progress_bar(own, scoring, graded=own_graded, scope="own", label_first=True))
        )
    below = descendants(model, unit_id) if below is None else below
    if any(u in cycle.okrs for u in below):
        # The unit with its teams: the number its department row and graph box show.
        with_teams = unit_and_teams_progress(
            model, cycle, unit_id, include_private=True, below=below, progress=progress
        )
        teams_graded = shows_scores(
            cycle.okrs[u] for u in [unit_id, *below] if u in cycle.okrs
        )
        summary_bits.append(
            str(
                progress_bar(
                    with_teams, scoring, graded=teams_graded, scope="teams", label_first=True
                )
            )
        )
    if okrs is not None:
        summary_bits.append(str(status_chip(okrs.content.status)))
    if badge is not None:
        summary_bits.append(str(badge))
    page = UnitPage(
        unit_name=model.unit_name(unit_id),
        cycle_title=cycle.title,
        summary=Markup(" ".join(summary_bits)),
        meta=_meta(model, cycle, unit_id, doc),
        # A .md body is a Markdown document: hard-wrapped lines join (see richtext).
        notes=(
            markdown_block(okrs.notes, heading_floor=2, renderer=renderer, hard_breaks=False)
            if okrs
            else None
        ),
        children_label="Units" if unit_id == ROOT_UNIT else "Teams",
        children=_children(model, cycle, unit_id, doc, options),
        graph=graph,
        objectives=objectives,
        private_note=_private_note(okrs),
        health_metrics=_health(okrs),
        empty_message=f"{model.unit_name(unit_id)} has no OKRs for {cycle.title}.",
        footer=_footer(okrs, options),
        chart_defs=(
            values.chart_defs()
            if any(kr.checkins for o in objectives for kr in o.key_results)
            else None
        ),
    )
    return render("unit.md.j2", page=page)


def unit_page_inputs(
    model: OkrModel,
    cycle: Cycle,
    unit_id: str,
    index: AlignmentIndex,
    below: Mapping[str, list[str]],
    reads: UnitReads | None = None,
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The dependency record of :func:`render_unit_page` (with ``options``,
    ``graph``, ``badge``, the units and the company, which the caller adds):
    the content files of every unit whose OKRs the page reads — the unit, its
    teams (progress with teams, the
    teams line) and both ends of every alignment link of its objectives and
    KRs (titles in "Aligns to", "Supported by", "Related"), in any cycle —
    and whether its parent has a page in the cycle (the "in …" link), as
    ``(objects compared by identity, values compared by equality)``.
    ``below`` is :func:`okrsite.analysis.org.all_descendants` of the model
    (computed once per build: walking the org per page is quadratic);
    ``reads`` a preview server's :data:`UnitReads` from earlier rebuilds.
    Keep it in step with :func:`render_unit_page`: a preview that reused a
    page whose inputs it does not name would show stale text
    (``tests/test_serve_incremental.py`` compares previews with fresh builds)."""
    okrs = cycle.okrs.get(unit_id)
    content = okrs.content if okrs is not None else None
    teams = below.get(unit_id, [])
    kept = reads.get((cycle.id, unit_id)) if reads is not None else None
    if kept is not None and kept[0] is index and kept[1] is content and kept[2] == teams:
        links, lateral, read = kept[3]
    else:
        links, lateral, read = _unit_reads(cycle, unit_id, okrs, index, teams)
        if reads is not None:
            # The index and content objects are kept with the entry: their
            # identities cannot be reused meanwhile.
            reads[(cycle.id, unit_id)] = (index, content, list(teams), (links, lateral, read))
    # The parent is only linked to ("in …"): whether it has a page in the
    # cycle matters, not its OKRs (a department's edit need not re-make every
    # team's page; the teams that align to it read it through their links).
    parent = model.units[unit_id].parent if unit_id in model.units else None
    same: list[object] = []
    equal: list[object] = [
        cycle.definition,
        links,
        lateral,
        (parent, parent is not None and urls.has_unit_page(cycle, parent)),
    ]
    for cycle_id, unit in read:
        other = model.cycles.get(cycle_id)
        found = other.okrs.get(unit) if other is not None else None
        same.append(found.content if found is not None else None)
        equal.append(
            (cycle_id, unit, other.definition if other is not None else None)
            + ((found.path, found.notes, found.redacted_private) if found is not None else ())
        )
    return tuple(same), tuple(equal)


def _unit_reads(
    cycle: Cycle,
    unit_id: str,
    okrs: UnitOkrs | None,
    index: AlignmentIndex,
    teams: list[str],
) -> tuple[tuple[Link, ...], tuple[OkrRef, ...], list[tuple[str, str]]]:
    """The unit's links and lateral partners in ``index`` and the files its
    page reads: its own, its teams', both ends of every link (see
    :func:`unit_page_inputs`)."""
    links: list[Link] = []
    lateral: list[OkrRef] = []
    for objective in okrs.objectives if okrs else []:
        refs = [OkrRef(unit_id, objective.id)]
        refs += [OkrRef(unit_id, objective.id, kr.id) for kr in objective.key_results]
        for ref in refs:
            links += index.serves(ref) + index.serves_across(ref) + index.supporters(ref)
            lateral += index.lateral(ref)
    read = {(cycle.id, unit) for unit in [unit_id, *teams]}
    read |= {(link.target_cycle or cycle.id, link.target.unit) for link in links}
    read |= {(link.source_cycle or cycle.id, link.source.unit) for link in links}
    read |= {(cycle.id, ref.unit) for ref in lateral}
    return tuple(links), tuple(lateral), sorted(read)


def okr_title(model: OkrModel, cycle: Cycle, ref: OkrRef) -> str:
    """``Unit › objective or KR title`` for link texts."""
    okrs = cycle.okrs.get(ref.unit)
    name = model.unit_name(ref.unit)
    if okrs is None:
        return name
    objective = next((o for o in okrs.objectives if o.id == ref.objective), None)
    if objective is None:
        return name
    if ref.key_result is None:
        return f"{name} › {objective.title}"
    kr = next((k for k in objective.key_results if k.id == ref.key_result), None)
    return f"{name} › {kr.title if kr else objective.title}"


def ref_link(
    model: OkrModel, cycle: Cycle, ref: OkrRef, from_doc: str, target_cycle: str | None = None
) -> Markup:
    """A link to the objective or KR ``ref`` names from ``cycle``; a cross-cycle
    reference (``target_cycle``) links into that cycle's page and says which."""
    anchor = (
        urls.objective_anchor(ref.objective)
        if ref.key_result is None
        else urls.key_result_anchor(ref.objective, ref.key_result)
    )
    target = model.cycles.get(target_cycle, cycle) if target_cycle else cycle
    title = okr_title(model, target, ref)
    if target is not cycle:
        title = f"{title} ({target.title})"
    return doc_link(title, from_doc, urls.unit_link(target, ref.unit), anchor)


def _link_line(label: str, links: list[Markup]) -> Markup | None:
    if not links:
        return None
    return Markup(f"**{label}:** ") + Markup(" · ").join(links)


SUPPORTERS_LISTED = 5
"""Above this many supporting objectives/KRs, "Supported by" links each
supporting unit once (with its count) instead of every objective and KR: a
department KR that 20 teams ladder up to would otherwise fill a screen and
tens of kilobytes per page. Each listed objective or KR is a ~120-byte link
with its unit's name and its title: at 8, a department of 19 key results
spent ~1 KB on each such line. The alignment graph still shows each one."""


SUPPORTING_UNITS_LISTED = 6
"""At most this many supporting units are linked after "Supported by"; the
rest are counted ("and 26 more units"): a department KR that 38 teams ladder
up to took ~2.7 KB per KR, and a department with 15 such KRs made a 106 KB
page; with 12 linked, a department of 19 key results and 4 objectives still
spent 15 KB on these lines (84 KB page, ``bench/synth.py --seed 9``). The
alignment graph and the unit's list of teams still show them."""


def _supporting_units(model: OkrModel, cycle: Cycle, links: list[Link], doc: str) -> list[Markup]:
    """One link per supporting unit (and cycle, for a year's quarters), with its
    count, in the order of the links; past :data:`SUPPORTING_UNITS_LISTED`
    units, the rest as a count."""
    counts: dict[tuple[str | None, str], int] = {}
    for link in links:
        key = (link.source_cycle, link.source.unit)
        counts[key] = counts.get(key, 0) + 1
    shown = []
    listed = list(counts.items())
    if len(listed) > SUPPORTING_UNITS_LISTED:
        rest = len(listed) - (SUPPORTING_UNITS_LISTED - 1)
        listed = listed[: SUPPORTING_UNITS_LISTED - 1]
    else:
        rest = 0
    for (cycle_id, unit), count in listed:
        inner = model.cycles.get(cycle_id) if cycle_id else None
        name = model.unit_name(unit) + (f" ({inner.title})" if inner else "")
        page = urls.unit_link(inner or cycle, unit)
        shown.append(
            doc_link(name, doc, page) + (Markup(f" ({count})") if count > 1 else Markup(""))
        )
    if rest:
        shown.append(Markup(f"and {rest} more units"))
    return shown


def _alignment_lines(
    model: OkrModel, cycle: Cycle, ref: OkrRef, index: AlignmentIndex, doc: str
) -> list[Markup]:
    up = [
        ref_link(model, cycle, link.target, doc, link.target_cycle)
        for link in [*index.serves(ref), *index.serves_across(ref)]
    ]
    down_links: list[Link] = index.supporters(ref)
    lateral = [ref_link(model, cycle, other, doc) for other in index.lateral(ref)]
    overlap = len({link.source.unit for link in down_links if link.source.unit != ref.unit})
    counts = [f"{overlap} units"] if overlap > 1 else []
    if len(down_links) > SUPPORTERS_LISTED:
        down = _supporting_units(model, cycle, down_links, doc)
        counts.append(f"{len(down_links)} objectives and key results")
    else:
        down = [ref_link(model, cycle, link.source, doc, link.source_cycle) for link in down_links]
    down_label = "Supported by" + (f" ({', '.join(counts)})" if counts else "")
    lines = [
        _link_line("Aligns to" if ref.key_result is None else "Contributes to", up),
        _link_line(down_label, down),
        _link_line("Related", lateral),
    ]
    return [line for line in lines if line is not None]


def _objective_view(
    model: OkrModel,
    cycle: Cycle,
    unit_id: str,
    objective: Objective,
    index: AlignmentIndex,
    doc: str,
    graded: bool,
    cache: BuildCache | None = None,
    renderer: RichText | None = None,
    progress: ProgressOf = objective_progress,
) -> ObjectiveView:
    scoring = model.company.scoring
    ref = OkrRef(unit_id, objective.id)
    facts: list[Markup | str] = []
    if objective.all_owners:
        facts.append(owners_fact(objective.all_owners))
    if objective.outcome:
        facts.append(Markup("Outcome: ") + Markup(md_inline(objective.outcome)))
    if objective.is_private:
        facts.append(Markup('<span class="okr-chip okr-private">private</span>'))
    return ObjectiveView(
        title=objective.title,
        anchor=urls.objective_anchor(objective.id),
        progress=progress_bar(
            progress(objective),
            scoring,
            graded=graded and objective_score(objective) is not None,
        ),
        facts=facts,
        description=markdown_block(objective.description, renderer=renderer) or None,
        links=_alignment_lines(model, cycle, ref, index, doc),
        learnings=markdown_block(objective.learnings, renderer=renderer) or None,
        key_results=[
            _kr_view(model, cycle, unit_id, objective, kr, index, doc, graded, cache, renderer)
            for kr in objective.key_results
        ],
    )


def _kr_view(
    model: OkrModel,
    cycle: Cycle,
    unit_id: str,
    objective: Objective,
    kr: KeyResult,
    index: AlignmentIndex,
    doc: str,
    graded: bool,
    cache: BuildCache | None = None,
    renderer: RichText | None = None,
) -> KeyResultView:
    scoring = model.company.scoring
    facts: list[Markup | str] = []
    measured = values.measured_fact(kr)
    if measured is not None:
        facts.append(measured)
    owners = kr.all_owners or objective.all_owners  # a KR inherits its objective's
    if owners:
        facts.append(owners_fact(owners))
    confidence = values.latest_confidence(kr)
    if confidence is not None:
        facts.append(values.confidence_chip(confidence))
    ref = OkrRef(unit_id, objective.id, kr.id)
    return KeyResultView(
        title=kr.title,
        anchor=urls.key_result_anchor(objective.id, kr.id),
        progress=progress_bar(kr_score(kr), scoring, graded=graded and kr.score is not None),
        range=Markup(md_inline(values.range_text(kr))),
        facts=facts,
        links=_alignment_lines(model, cycle, ref, index, doc),
        description=markdown_block(kr.description, heading_floor=5, renderer=renderer) or None,
        notes=values.status_notes(kr, renderer),
        checkins=(
            values.checkins_block(kr, cycle, scoring, cache=cache, renderer=renderer)
            if kr.checkins
            else None
        ),
    )


def _meta(model: OkrModel, cycle: Cycle, unit_id: str, doc: str) -> Markup | None:
    if unit_id == ROOT_UNIT:
        mission = model.company.mission
        return Markup(f"**Mission:** {md_inline(mission)}") if mission else None
    unit = model.units[unit_id]
    bits = [Markup(md_inline(KIND_LABELS[unit.kind]))]
    parent = unit.parent
    bits.append(
        Markup("in ") + doc_link(model.unit_name(parent), doc, urls.unit_link(cycle, parent))
    )
    if unit.definition.lead:
        bits.append(Markup("Lead: ") + Markup(md_inline(unit.definition.lead)))
    bits.append(doc_link("All cycles", doc, urls.unit_profile(unit_id)))
    return Markup(" · ").join(bits)


CHILD_UNITS_LISTED = 24
"""Most units a unit page's "Teams:" line links; past it, the line counts the
rest and (a top-level unit of a large company) points at its profile's list
of every unit below it. A department of 380 teams on another synthetic org
(``bench/synth.py --seed 3``) put 17 KB of team links on its page (84 KB);
the navigation lists every team too."""


def _children(
    model: OkrModel, cycle: Cycle, unit_id: str, doc: str, options: SiteOptions
) -> Markup | None:
    if unit_id == ROOT_UNIT:
        child_ids = [u.id for u in model.units.values() if u.parent == ROOT_UNIT]
    else:
        child_ids = list(model.units[unit_id].children)
    if not child_ids:
        return None
    rest = 0
    if len(child_ids) > CHILD_UNITS_LISTED:
        rest = len(child_ids) - (CHILD_UNITS_LISTED - 1)
        child_ids = child_ids[: CHILD_UNITS_LISTED - 1]
    links = [doc_link(model.unit_name(c), doc, urls.unit_link(cycle, c)) for c in child_ids]
    if rest:
        more = f"and {rest} more"
        links.append(
            doc_link(more, doc, urls.unit_profile(unit_id), anchor="units")
            if profile_lists_units_below(model, unit_id, is_compact(model, options))
            else Markup(md_inline(more))
        )
    return Markup(" · ").join(links)


def _private_note(okrs: UnitOkrs | None) -> Markup | None:
    if okrs is None or okrs.redacted_private == 0:
        return None
    count = okrs.redacted_private
    noun = "objective" if count == 1 else "objectives"
    return Markup(
        f'<p class="okr-private-note">{count} private {noun} not shown. '
        "Transparency works best when every objective is visible.</p>"
    )


def _health(okrs: UnitOkrs | None) -> list[dict[str, object]]:
    if okrs is None:
        return []
    rows: list[dict[str, object]] = []
    for metric in okrs.content.health_metrics:
        rows.append(
            {
                "title": metric.title,
                "target": metric.target or "–",
                "current": metric.current or "–",
                "status": Markup(
                    f'<span class="okr-chip okr-health--{html_text(metric.status)}">'
                    f"{html_text(metric.status.replace('-', ' '))}</span>"
                ),
                "owner": metric.owner or "",
            }
        )
    return rows


def _footer(okrs: UnitOkrs | None, options: SiteOptions) -> Markup:
    if okrs is None:
        return Markup("")
    bits = [Markup(f"Source: {md_inline(okrs.path)}")]
    changed = options.last_changed.get(okrs.path)
    if changed:
        bits.append(Markup(f"Last changed {md_inline(changed)}"))
    if options.edit_url_base:
        bits.append(external_link("Edit this file", options.edit_url_base + okrs.path))
    return Markup(" · ").join(bits)
