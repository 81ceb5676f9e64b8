"""Look-ups every graph of one cycle needs, computed once per cycle."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from okrsite.analysis import org
from okrsite.analysis.alignment import AlignmentIndex, OkrRef
from okrsite.analysis.progress import ProgressOf, objective_progress
from okrsite.graphs.labels import LabelText, Row
from okrsite.model import ROOT_UNIT, Cycle, OkrModel


@dataclass
class CycleLookups:
    """Org order, subtrees, links and overlaps of one cycle, shared by its graphs."""

    index: AlignmentIndex
    """Every link of the cycle, private ones included (redaction happens upstream)."""
    ancestors: dict[str, list[str]]
    descendants: dict[str, list[str]]
    """Unit (or the root) → its descendants in org order."""
    org_key: dict[str, tuple[str, ...]]
    overlap: dict[OkrRef, int]
    """Served item → number of *other* units serving it."""
    links_from: dict[str, list[int]]
    """Unit → positions in ``index.links`` of the links it is the source of."""
    text: LabelText = field(default_factory=LabelText)
    """Escaped titles and tooltips, shared by every graph built with these look-ups."""
    rows: dict[tuple[str, str, str | None], tuple[object, Row, str, str]] = field(
        default_factory=dict
    )
    """Objective and KR table rows already written by a graph of this cycle,
    by item (unit, objective, KR id or None), with the content object of the
    item's unit file they were made from, and the row's text split around
    its link (relative to the page that embeds the graph, put in for each
    page): an objective is
    drawn on its own page, its parent's, its teams', its partners', the
    overview and a department graph, and its rows are the same on every
    page but for that link (see ``GraphBuilder.objective_table``).
    A row says what its unit's file says (title, progress, grading) and
    what these look-ups say (overlap counts), so it stays valid while that
    content is the same object: a preview keeps the table with the look-ups."""
    progress: ProgressOf = objective_progress
    """How the boxes' roll-ups get an objective's progress (the build's memo)."""
    children: dict[str, list[str]] = field(default_factory=dict)
    """Unit (or the root) → the units directly under it, by id."""

    @classmethod
    def build(
        cls,
        model: OkrModel,
        cycle: Cycle,
        text: LabelText | None = None,
        index: AlignmentIndex | None = None,
        progress: ProgressOf = objective_progress,
    ) -> CycleLookups:
        """``index``: the cycle's :meth:`AlignmentIndex.build` with private
        objectives included, when the caller has it (a preview server keeps it);
        ``progress``: see :attr:`progress`."""
        if index is None:
            index = AlignmentIndex.build(cycle, include_private=True)
        ancestors = {u: model.ancestors(u) for u in model.units}
        ancestors[ROOT_UNIT] = []
        org_key = {u: (*reversed(a), u) for u, a in ancestors.items() if u != ROOT_UNIT}
        org_key[ROOT_UNIT] = ()
        # Graphs lay units out by id (the org_key order), not org.yaml order.
        descendants = org.all_descendants(model, by_id=True)
        tree = org.OrgTree(model, by_id=True)
        children = {u: tree.children(u) for u in [ROOT_UNIT, *model.units]}
        targets = {link.target for link in index.links}
        overlap = {
            t: len([u for u in index.supporting_units(t) if u != t.unit]) for t in targets
        }
        links_from: dict[str, list[int]] = defaultdict(list)
        for position, link in enumerate(index.links):
            links_from[link.source.unit].append(position)
        return cls(
            index,
            ancestors,
            descendants,
            org_key,
            overlap,
            dict(links_from),
            text or LabelText(),
            progress=progress,
            children=children,
        )
