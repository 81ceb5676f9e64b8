"""Model → DOT: which graphs exist and what each one draws (pure).

:func:`page_graphs` gives the DOT of every graph of the site, keyed by the
docs path of the page that embeds it; :func:`overview_dot` and
:func:`unit_dot` give one graph (also for ``okrsite graph``). Same model →
same bytes. See the package docstring for what each graph shows.

Drawing one graph is four steps (:func:`draw`): choose the units drawn in
full and the child units drawn as boxes (:func:`_choose`), find the context
they need — what they serve up to the company, who serves them, their
lateral partners (:func:`_context`) — draw the clusters and boxes, then the
edges and the legend.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial

from okrsite import urls
from okrsite.analysis.alignment import OkrRef
from okrsite.graphs.builder import GraphBuilder
from okrsite.graphs.labels import LabelText, plural
from okrsite.graphs.lookups import CycleLookups
from okrsite.graphs.style import (
    DEFAULT_COLLAPSE_THRESHOLD,
    DEFAULT_MAX_BOXES,
    DEFAULT_UNIT_COLLAPSE_THRESHOLD,
)
from okrsite.model import ROOT_UNIT, Cycle, Objective, OkrModel, UnitOkrs

DotMemo = Callable[[str, Cycle, str, CycleLookups, Callable[[], str]], str]
"""``memo(key, cycle, focus, lookups, make)``: the DOT of the graph ``key``
(of ``focus`` in ``cycle``), either ``make()`` or the same text kept from a
previous build whose inputs did not change (a preview server's, see
:mod:`okrsite.graphs.inputs`)."""


def _lookups(
    given: Mapping[str, CycleLookups] | None, model: OkrModel, cycle: Cycle, text: LabelText
) -> CycleLookups:
    found = given.get(cycle.id) if given is not None else None
    return found if found is not None else CycleLookups.build(model, cycle, text)


def _made(
    memo: DotMemo | None,
    key: str,
    cycle: Cycle,
    focus: str,
    lookups: CycleLookups,
    make: Callable[[], str],
) -> str:
    return make() if memo is None else memo(key, cycle, focus, lookups, make)


def _items(okrs: UnitOkrs) -> int:
    """How many items a unit adds to a full graph."""
    return (
        len(okrs.objectives)
        + sum(len(o.key_results) for o in okrs.objectives)
        + (1 if okrs.redacted_private else 0)
    )


def _subtree_items(b: GraphBuilder, unit_id: str) -> int:
    members = [unit_id, *b.descendants(unit_id)]
    return sum(_items(b.cycle.okrs[u]) for u in members if u in b.cycle.okrs)


def _has_okrs_below(b: GraphBuilder, unit_id: str) -> bool:
    return any(u in b.cycle.okrs for u in [unit_id, *b.descendants(unit_id)])


def _children(b: GraphBuilder, unit_id: str) -> list[str]:
    return list(b.data.children.get(unit_id, ()))


def _refs_of(unit_id: str, objective: Objective) -> list[OkrRef]:
    """The objective and each of its key results."""
    return [
        OkrRef(unit_id, objective.id),
        *(OkrRef(unit_id, objective.id, kr.id) for kr in objective.key_results),
    ]


@dataclass
class _Choice:
    """Which units a graph draws in full and which as boxes of their subtree."""

    full_units: list[str]
    boxed: list[str]
    collapsed: bool


def _choose(b: GraphBuilder, focus: str, *, threshold: int, force_collapse: bool) -> _Choice:
    """The focus with its subtree in full, or — above ``threshold`` items (or
    when forced) — the focus alone plus one box per child unit with OKRs."""
    subtree = [u for u in [focus, *b.descendants(focus)] if u in b.cycle.okrs]
    collapsed = force_collapse or _subtree_items(b, focus) > threshold
    full_units = [u for u in ([focus] if collapsed else subtree) if u in b.cycle.okrs]
    boxed = [c for c in _children(b, focus) if _has_okrs_below(b, c)] if collapsed else []
    return _Choice(full_units, boxed, collapsed)


@dataclass
class _Context:
    """Objectives from elsewhere a graph shows, and which of their KR rows.

    Context objectives show only the KR rows a link of this graph touches
    (the rest is one "N more key results" row): a department's page would
    otherwise carry every KR of every objective it serves.
    """

    objectives: set[OkrRef] = field(default_factory=set)
    kr_rows: dict[OkrRef, set[str]] = field(default_factory=dict)

    def note(self, ref: OkrRef) -> None:
        self.objectives.add(ref.objective_ref)
        rows = self.kr_rows.setdefault(ref.objective_ref, set())
        if ref.key_result is not None:
            rows.add(ref.key_result)

    def units(self) -> set[str]:
        return {r.unit for r in self.objectives}


def _context(b: GraphBuilder, choice: _Choice) -> _Context:
    """What the drawn units serve (transitively, up to the company), who serves
    them from elsewhere, and their lateral partners."""
    cycle, index = b.cycle, b.data.index
    full_set = set(choice.full_units)
    boxed_set = {u for c in choice.boxed for u in [c, *b.descendants(c)]}

    def outside(ref: OkrRef) -> bool:
        return ref.unit not in full_set and ref.unit not in boxed_set

    def exists(ref: OkrRef) -> bool:
        okrs = cycle.okrs.get(ref.unit)
        return okrs is not None and any(o.id == ref.objective for o in okrs.objectives)

    context = _Context()
    drawn_refs = [
        r for u in choice.full_units for o in cycle.okrs[u].objectives for r in _refs_of(u, o)
    ]
    queue = list(drawn_refs)
    seen_up: set[OkrRef] = set()
    while queue:
        ref = queue.pop()
        for link in index.serves(ref):
            target = link.target
            if outside(target) and target not in seen_up:
                seen_up.add(target)
                if exists(target):
                    context.note(target)
                    # Up the chain through what was linked (and its objective).
                    queue.extend({target, target.objective_ref})
    for ref in drawn_refs:
        for link in index.supporters(ref):
            if outside(link.source):
                context.note(link.source)
        for partner in index.lateral(ref):
            if outside(partner):
                context.note(partner)
    return context


def draw(
    b: GraphBuilder,
    focus: str,
    *,
    threshold: int,
    force_collapse: bool = False,
    max_boxes: int = DEFAULT_MAX_BOXES,
    more_link: str | None = None,
) -> bool:
    """Draw ``focus`` with its subtree (full or as child boxes) and context.

    At most ``max_boxes`` child boxes: beyond that the last ones merge into
    one box linking to ``more_link`` (default: the focus unit's page).
    Returns True when the subtree was collapsed to child boxes.
    """
    choice = _choose(b, focus, threshold=threshold, force_collapse=force_collapse)
    context = _context(b, choice)
    context_units = context.units()
    for unit_id in sorted({*choice.full_units, *context_units}, key=b.org_key):
        okrs = b.cycle.okrs[unit_id]
        if unit_id in choice.full_units:
            b.cluster(unit_id, okrs.objectives, full=True)
        else:
            chosen = [o for o in okrs.objectives if OkrRef(unit_id, o.id) in context.objectives]
            b.cluster(unit_id, chosen, full=False, kr_rows=context.kr_rows)
    # Org ancestors of the focus that nothing else represents get a small box.
    chain = [] if focus == ROOT_UNIT else [*b.model.ancestors(focus), ROOT_UNIT]
    for unit_id in sorted((u for u in chain if u not in context_units), key=b.org_key):
        b.unit_box(unit_id, subtree=False)
    boxed = choice.boxed
    keep = boxed if len(boxed) <= max(max_boxes, 1) else boxed[: max(max_boxes, 2) - 1]
    for unit_id in keep:
        b.unit_box(unit_id, subtree=True)
    rest = boxed[len(keep) :]
    if rest:
        b.more_box(rest, more_link or b.unit_link(focus))
    b.cross_cycle_boxes()  # a quarter's links up to its year
    b.edges()
    b.legend()
    return choice.collapsed


def _describe(b: GraphBuilder) -> str:
    parts = [plural(b.objective_count, "objective"), plural(b.kr_count, "key result")]
    boxes = len(set(b.boxes.values()))
    if boxes:
        parts.append(f"{boxes} unit {'summary' if boxes == 1 else 'summaries'}")
    return (
        "Alignment graph: "
        + ", ".join(parts)
        + ". Each box links to its unit page; arrows point to what an item serves."
    )


def overview_dot(
    model: OkrModel,
    cycle_id: str,
    *,
    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD,
    max_boxes: int = DEFAULT_MAX_BOXES,
    site_url: str | None = None,
    lookups: CycleLookups | None = None,
) -> str:
    """DOT of a cycle's whole alignment tree (department level when large).

    Links are relative to the cycle overview page, or absolute under
    ``site_url`` (for graphs used outside the site). ``lookups`` (for this
    model and cycle) saves recomputing them for each graph.
    """
    cycle = model.cycles[cycle_id]
    overview = urls.cycle_overview(cycle_id)
    b = GraphBuilder(
        model,
        cycle,
        lookups or CycleLookups.build(model, cycle),
        overview,
        focus=ROOT_UNIT,
        site_url=site_url,
    )
    collapsed = draw(
        b,
        ROOT_UNIT,
        threshold=collapse_threshold,
        max_boxes=max_boxes,
        more_link=b.page_link(overview, "units"),
    )
    level = "department level" if collapsed else "company, departments and teams"
    title = f"Alignment of {model.company.name} OKRs, {cycle.title} ({level})"
    return b.render(title, _describe(b))


def unit_dot(
    model: OkrModel,
    cycle_id: str,
    unit_id: str,
    *,
    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD,
    max_boxes: int = DEFAULT_MAX_BOXES,
    site_url: str | None = None,
    lookups: CycleLookups | None = None,
    embed_doc: str | None = None,
) -> str:
    """DOT of one unit's neighbourhood (the company's: always department level).

    Links are relative to the unit's page (or to ``embed_doc``, the docs path
    the graph is shown from), or absolute under ``site_url``.
    """
    cycle = model.cycles[cycle_id]
    b = GraphBuilder(
        model,
        cycle,
        lookups or CycleLookups.build(model, cycle),
        embed_doc or urls.unit_page(cycle_id, unit_id),
        focus=unit_id,
        site_url=site_url,
    )
    more_link = (
        b.page_link(urls.cycle_overview(cycle_id), "units")
        if unit_id == ROOT_UNIT
        else b.page_link(urls.unit_page(cycle_id, unit_id))
    )
    draw(
        b,
        unit_id,
        threshold=collapse_threshold,
        force_collapse=unit_id == ROOT_UNIT,
        max_boxes=max_boxes,
        more_link=more_link,
    )
    title = f"Alignment of {model.unit_name(unit_id)} OKRs, {cycle.title}"
    return b.render(title, _describe(b))


def page_graphs(
    model: OkrModel,
    *,
    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD,
    unit_collapse_threshold: int = DEFAULT_UNIT_COLLAPSE_THRESHOLD,
    max_boxes: int = DEFAULT_MAX_BOXES,
    skip_cycles: Collection[str] = (),
    memo: DotMemo | None = None,
) -> dict[str, str]:
    """DOT source of every graph, keyed by the docs path of the page embedding it.

    Keys per cycle ``c``: ``urls.cycle_overview(c)`` (whole tree, or department
    level above ``collapse_threshold`` items), and ``urls.unit_page(c, u)`` for
    every unit with OKRs in ``c`` including ``company`` (department level);
    a unit page's subtree collapses to child boxes above the lower
    ``unit_collapse_threshold`` items (at most ``collapse_threshold``). No
    graph draws more than ``max_boxes`` child-unit boxes.
    Private objectives present in ``model`` are drawn marked "(private)"; pass
    a redacted model for public builds. ``memo`` may supply graphs whose
    inputs did not change since a previous build (a preview server's).
    """
    return dict(
        sorted(
            iter_page_graphs(
                model,
                collapse_threshold=collapse_threshold,
                unit_collapse_threshold=unit_collapse_threshold,
                max_boxes=max_boxes,
                skip_cycles=skip_cycles,
                memo=memo,
            )
        )
    )


def iter_page_graphs(
    model: OkrModel,
    *,
    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD,
    unit_collapse_threshold: int = DEFAULT_UNIT_COLLAPSE_THRESHOLD,
    max_boxes: int = DEFAULT_MAX_BOXES,
    skip_cycles: Collection[str] = (),
    memo: DotMemo | None = None,
    cycle_lookups: Mapping[str, CycleLookups] | None = None,
) -> Iterator[tuple[str, str]]:
    """:func:`page_graphs` one graph at a time, as each is made (so that a
    :class:`~okrsite.graphs.render.GraphDrawing` starts ``dot`` on it while
    the next one is built). ``cycle_lookups``: the cycles' look-ups, when the
    caller has them already."""
    text = LabelText()
    unit_threshold = min(unit_collapse_threshold, collapse_threshold)
    for cycle_id, cycle in model.cycles.items():
        if cycle_id in skip_cycles:
            continue  # its pages are not generated this time (site/build.py)
        lookups = _lookups(cycle_lookups, model, cycle, text)
        key = urls.cycle_overview(cycle_id)
        yield key, _made(
            memo, key, cycle, ROOT_UNIT, lookups,
            partial(
                overview_dot,
                model,
                cycle_id,
                collapse_threshold=collapse_threshold,
                max_boxes=max_boxes,
                lookups=lookups,
            ),
        )
        for unit_id in _page_order(model, cycle):
            key = urls.unit_page(cycle_id, unit_id)
            yield key, _made(
                memo, key, cycle, unit_id, lookups,
                partial(
                    unit_dot,
                    model,
                    cycle_id,
                    unit_id,
                    collapse_threshold=unit_threshold,
                    max_boxes=max_boxes,
                    lookups=lookups,
                ),
            )


def _page_order(model: OkrModel, cycle: Cycle) -> list[str]:
    """The units with a page in ``cycle`` in the order their pages are made
    (the company, then the org's order; ``site.pages.unit``), so a drawing
    started in this order is ready about when its page asks for it."""
    listed = [unit_id for unit_id in (ROOT_UNIT, *model.units) if unit_id in cycle.okrs]
    return listed + sorted(set(cycle.okrs).difference(listed))


def department_graphs(
    model: OkrModel,
    *,
    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD,
    max_boxes: int = DEFAULT_MAX_BOXES,
    skip_cycles: Collection[str] = (),
    memo: DotMemo | None = None,
) -> dict[str, str]:
    """The department level of an overview, expandable: for every cycle whose
    overview collapses (above ``collapse_threshold`` items), each top-level
    unit's whole subtree drawn in full, keyed by
    :func:`okrsite.urls.department_graph` (a standalone SVG beside the
    overview, so links are relative to the overview page)."""
    return dict(
        sorted(
            iter_department_graphs(
                model,
                collapse_threshold=collapse_threshold,
                max_boxes=max_boxes,
                skip_cycles=skip_cycles,
                memo=memo,
            )
        )
    )


def iter_department_graphs(
    model: OkrModel,
    *,
    collapse_threshold: int = DEFAULT_COLLAPSE_THRESHOLD,
    max_boxes: int = DEFAULT_MAX_BOXES,
    skip_cycles: Collection[str] = (),
    memo: DotMemo | None = None,
    cycle_lookups: Mapping[str, CycleLookups] | None = None,
) -> Iterator[tuple[str, str]]:
    """:func:`department_graphs` one graph at a time, as each is made (so that a
    :class:`~okrsite.graphs.render.GraphDrawing` starts ``dot`` on it while
    the next one is built)."""
    text = LabelText()
    for cycle_id, cycle in model.cycles.items():
        if cycle_id in skip_cycles:
            continue  # its pages are not generated this time (site/build.py)
        lookups = _lookups(cycle_lookups, model, cycle, text)
        probe = GraphBuilder(model, cycle, lookups, urls.cycle_overview(cycle_id))
        if _subtree_items(probe, ROOT_UNIT) <= collapse_threshold:
            continue
        for unit_id in _children(probe, ROOT_UNIT):
            if unit_id not in cycle.okrs or not probe.descendants(unit_id):
                continue  # a unit without teams is its own page's graph already
            key = urls.department_graph(cycle_id, unit_id)
            yield key, _made(
                memo, key, cycle, unit_id, lookups,
                partial(
                    unit_dot,
                    model,
                    cycle_id,
                    unit_id,
                    collapse_threshold=10**9,
                    max_boxes=max_boxes,
                    lookups=lookups,
                    embed_doc=urls.cycle_overview(cycle_id),
                ),
            )
