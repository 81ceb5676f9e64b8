"""One DOT graph being built: nodes, clusters, edges, ranks (pure, no I/O).

:class:`GraphBuilder` hands out node ids (``n1``, ``n2``… in call order,
never taken from content), remembers which node and port stands for which
objective, key result or unit, and writes DOT statements. *What* to draw is
decided by :mod:`okrsite.graphs.dot`; how each node looks by
:mod:`okrsite.graphs.labels`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from okrsite import urls
from okrsite.analysis.alignment import OkrRef
from okrsite.analysis.progress import (
    Band,
    band,
    kr_score,
    objective_progress,
    objective_score,
    pooled_progress,
    shows_scores,
)
from okrsite.graphs.labels import (
    Row,
    box_label,
    cluster_label,
    empty_label,
    legend_label,
    objective_label,
    plural,
    private_label,
    table_label,
    table_row,
    tooltip,
)
from okrsite.graphs.lookups import CycleLookups
from okrsite.graphs.style import (
    CLUSTER_COLOUR,
    CLUSTER_FILL,
    CLUSTER_FONT_SIZE,
    EDGE_COLOUR,
    FONT,
    NODE_FONT_SIZE,
    OVERLAP_COLOUR,
    RELATED_COLOUR,
    WRAP,
)
from okrsite.graphs.textwidth import text_width
from okrsite.model import ROOT_UNIT, Cycle, KeyResult, Objective, OkrModel, UnitOkrs
from okrsite.render.escape import dot_href, dot_html, dot_line, dot_string

# Quoted DOT strings of our constants, made once (statements use them per cluster and edge).
_ROW_HREF = ' HREF="'
"""Where a table row's link starts (``labels.table_row``)."""
_CLUSTER_FULL = dot_string("rounded,filled")
_CLUSTER_PARTIAL = dot_string("rounded,dashed,filled")
_CLUSTER_FILL = dot_string(CLUSTER_FILL)
_CLUSTER_COLOUR = dot_string(CLUSTER_COLOUR)
_OVERLAP_COLOUR = dot_string(OVERLAP_COLOUR)
_RELATED_COLOUR = dot_string(RELATED_COLOUR)


class End(NamedTuple):
    """One end of an edge: a node, and the port of a table row if any."""

    # A named tuple, not a frozen dataclass: edges are merged by their ends in
    # dicts and sets, and a tuple hashes in C (a dataclass's hash is Python
    # code; a department graph looks ends up thousands of times).
    node: str
    port: str | None = None

    def dot(self) -> str:
        return f"{self.node}:{self.port}" if self.port else self.node


@dataclass
class GraphBuilder:
    """Accumulates one DOT graph. Node ids are handed out in call order."""

    model: OkrModel
    cycle: Cycle
    data: CycleLookups
    from_doc: str
    """Docs path of the page embedding the graph (relative links start there)."""
    focus: str | None = None
    site_url: str | None = None
    """Absolute site URL for standalone graphs (CLI); None: links relative to ``from_doc``."""
    lines: list[str] = field(default_factory=list)
    counter: int = 0
    clusters: int = 0
    tables: dict[tuple[str, str], str] = field(default_factory=dict)
    """(unit, objective) → the node of its table. Keys of drawn items are
    plain tuples, not :class:`OkrRef`: a tuple hashes in C, a frozen
    dataclass in Python, and every edge looks both of its ends up here."""
    kr_ports: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """(unit, objective, KR) → the port of its row in its objective's table."""
    boxes: dict[str, str] = field(default_factory=dict)
    """unit id → summary/stub node standing for that unit."""
    box_covers_subtree: dict[str, bool] = field(default_factory=dict)
    ranks: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    node_rank: dict[str, int] = field(default_factory=dict)
    objective_count: int = 0
    kr_count: int = 0
    unit_links: dict[str, tuple[str, bool]] = field(default_factory=dict)
    """Unit → (its :meth:`unit_link` without an anchor, whether an anchor goes
    on it): a graph links each of its units' items, dozens of links per unit."""

    # -- look-ups -------------------------------------------------------------

    def descendants(self, unit_id: str) -> list[str]:
        return self.data.descendants.get(unit_id, [])

    def org_key(self, unit_id: str) -> tuple[str, ...]:
        return self.data.org_key.get(unit_id, (unit_id,))

    def depth(self, unit_id: str) -> int:
        if unit_id == ROOT_UNIT:
            return 0
        unit = self.model.units.get(unit_id)
        return unit.depth if unit else 1

    def band_of(self, value: float | None) -> Band:
        return band(value, self.model.company.scoring)

    def overlaps(self, ref: OkrRef) -> int:
        return self.data.overlap.get(ref, 0)

    def rank_of(self, node: str) -> int:
        return self.node_rank.get(node, 0)

    def page_link(self, target: str, anchor: str | None = None) -> str:
        """Link to the docs page ``target``: absolute under ``site_url``, else
        relative (checked by ``dot_href`` where a label uses it)."""
        if self.site_url:
            tail = f"#{anchor}" if anchor else ""
            return f"{self.site_url.rstrip('/')}/{urls.page_url(target)}{tail}"
        return urls.relative(self.from_doc, target, anchor)

    def unit_link(self, unit_id: str, anchor: str | None = None) -> str:
        """The unit's page this cycle, or where links go when it has none
        (:func:`okrsite.urls.unit_link`: its profile; the company: the overview)."""
        found = self.unit_links.get(unit_id)
        if found is None:
            target = urls.unit_link(self.cycle, unit_id)
            # A profile has none of this cycle's anchors.
            found = self.unit_links[unit_id] = (
                self.page_link(target),
                target != urls.unit_profile(unit_id),
            )
        link, anchors = found
        # page_link puts the anchor last: the link without it, made once per unit.
        return f"{link}#{anchor}" if anchor and anchors else link

    # -- nodes ----------------------------------------------------------------

    def node(self, unit_id: str, label: str, indent: str = "    ") -> str:
        """A new node with an HTML-like label, ranked by ``unit_id``'s org depth."""
        self.counter += 1
        node = f"n{self.counter}"
        self.lines.append(f"{indent}{node} [label=<{label}>];")
        depth = self.depth(unit_id)
        self.ranks[depth].append(node)
        self.node_rank[node] = depth
        return node

    def objective_table(
        self, unit_id: str, objective: Objective, *, only: set[str] | None = None
    ) -> str:
        """One objective with its KRs as a table node (only the KR ids in
        ``only`` when given; the others are counted in one row)."""
        okrs = self.cycle.okrs.get(unit_id)
        content = None if okrs is None else okrs.content
        graded_file = content is not None and content.status == "graded"

        def objective_row(href: str) -> Row:
            value = objective_progress(objective)
            return Row(
                port="o",
                title_html=self.data.text.title(objective.title),
                title_width=self.data.text.title_width(objective.title, bold=True),
                tooltip_html=self.data.text.tooltip(objective.title),
                kind="Objective (private)" if objective.is_private else "Objective",
                value=value,
                tone=self.band_of(value),
                href=href,
                overlap=self.overlaps(OkrRef(unit_id, objective.id)),
                graded=graded_file and objective_score(objective) is not None,
            )

        href = self.unit_link(unit_id, urls.objective_anchor(objective.id))
        key = (unit_id, objective.id)
        first, cells = self._row((*key, None), content, href, objective_row)
        rows = [cells]
        ports: list[tuple[tuple[str, str, str], str]] = []
        for i, kr in enumerate(objective.key_results, start=1):
            if only is not None and kr.id not in only:
                continue
            port = f"k{i}"
            ports.append(((unit_id, objective.id, kr.id), port))

            def kr_row(href: str, kr: KeyResult = kr, port: str = port) -> Row:
                kr_value = kr_score(kr)
                return Row(
                    port=port,
                    title_html=self.data.text.title(kr.title, WRAP + 4),
                    title_width=self.data.text.title_width(kr.title, WRAP + 4, bold=False),
                    tooltip_html=self.data.text.tooltip(kr.title),
                    kind="KR",
                    value=kr_value,
                    tone=self.band_of(kr_value),
                    href=href,
                    overlap=self.overlaps(OkrRef(unit_id, objective.id, kr.id)),
                    graded=graded_file and kr.score is not None,
                )

            rows.append(
                self._row(
                    ports[-1][0],
                    content,
                    self.unit_link(unit_id, urls.key_result_anchor(objective.id, kr.id)),
                    kr_row,
                )[1]
            )
        hidden = len(objective.key_results) - len(ports)
        if hidden and first.href != href:  # kept from a page that links it another way
            first = replace(first, href=href)  # the folded rows' link is the objective's
        label = table_label(rows, first, first.tone, private=objective.is_private, hidden=hidden)
        node = self.node(unit_id, label)
        self.tables[key] = node
        self.kr_ports.update(ports)
        self.objective_count += 1
        self.kr_count += len(ports)
        return node

    def _row(
        self,
        key: tuple[str, str, str | None],
        content: object,
        href: str,
        make: Callable[[str], Row],
    ) -> tuple[Row, str]:
        """The table row of the item ``key`` (unit, objective, KR id or None;
        ``content`` its unit file's content) and its text linking to ``href``,
        written once per cycle and content of its unit's file
        (:attr:`CycleLookups.rows`): the row says the same on every page, but
        for its link (relative to the page: the overview's and the unit pages'
        differ), put in here. The row's own ``href`` may be another page's."""
        found = self.data.rows.get(key)
        if found is None or found[0] is not content:
            row = make(href)
            cell = table_row(row)
            start = cell.index(_ROW_HREF) + len(_ROW_HREF)  # the cell's own link comes first
            end = cell.index('"', start)
            # The content object is kept with the row: its identity cannot be reused.
            found = self.data.rows[key] = (content, row, cell[:start], cell[end:])
        _, row, head, tail = found
        return row, f"{head}{dot_href(href)}{tail}"

    def redacted_node(self, okrs: UnitOkrs) -> None:
        if okrs.redacted_private > 0:
            label = private_label(okrs.redacted_private, self.unit_link(okrs.unit_id))
            self.node(okrs.unit_id, label)

    def empty_node(self, unit_id: str, okrs: UnitOkrs) -> None:
        """A note for a unit whose file has no objectives this cycle."""
        label = empty_label(len(okrs.content.health_metrics), self.unit_link(unit_id))
        self.node(unit_id, label)

    def _summary(self, members: Iterable[str]) -> tuple[list[Objective], float | None, bool]:
        """The members' objectives, their pooled roll-up (the pages' definition)
        and whether that roll-up is a score."""
        okrs = [self.cycle.okrs[u] for u in members if u in self.cycle.okrs]
        objectives = [o for ok in okrs for o in ok.objectives]
        value = pooled_progress(okrs, include_private=True, progress=self.data.progress)
        return objectives, value, shows_scores(okrs)

    def unit_box(self, unit_id: str, *, subtree: bool) -> str:
        """A summary box for a unit (and, when ``subtree``, all its descendants)."""
        members = [unit_id, *(self.descendants(unit_id) if subtree else [])]
        objectives, value, graded = self._summary(members)
        parts = []
        sub_units = len([u for u in members[1:] if u in self.cycle.okrs])
        if sub_units:
            parts.append(plural(sub_units, "unit") + " below")
        parts.append(plural(len(objectives), "objective"))
        parts.append(plural(sum(len(o.key_results) for o in objectives), "KR"))
        private = sum(self.cycle.okrs[u].redacted_private for u in members if u in self.cycle.okrs)
        if private:
            parts.append(f"{private} private")
        name = self.model.unit_name(unit_id)
        label = box_label(
            title_html=self.data.text.title(name),
            title_width=self.data.text.title_width(name, bold=True),
            tooltip_html=self.data.text.tooltip(name),
            detail=" · ".join(parts),
            value=value,
            tone=self.band_of(value),
            href=self.unit_link(unit_id),
            scope="teams" if sub_units else "own",
            graded=graded,
        )
        node = self.node(unit_id, label, indent="  ")
        self.boxes[unit_id] = node
        self.box_covers_subtree[unit_id] = subtree
        return node

    def more_box(self, unit_ids: list[str], link: str) -> str:
        """One box standing for several child units (and their subtrees)."""
        members = [m for u in unit_ids for m in [u, *self.descendants(u)]]
        objectives, value, graded = self._summary(members)
        detail = " · ".join(
            [
                plural(len(objectives), "objective"),
                plural(sum(len(o.key_results) for o in objectives), "KR"),
            ]
        )
        label = box_label(
            title_html=dot_html(plural(len(unit_ids), "more unit")),
            title_width=text_width(plural(len(unit_ids), "more unit"), NODE_FONT_SIZE, bold=True),
            tooltip_html=tooltip("See every unit"),
            detail=detail,
            value=value,
            tone=self.band_of(value),
            href=link,
            scope="teams",
            graded=graded,
            dashed=True,
        )
        node = self.node(unit_ids[0], label, indent="  ")
        for unit_id in unit_ids:
            self.boxes[unit_id] = node
            self.box_covers_subtree[unit_id] = True
        return node

    def cluster(
        self,
        unit_id: str,
        objectives: Iterable[Objective],
        *,
        full: bool,
        kr_rows: dict[OkrRef, set[str]] | None = None,
    ) -> None:
        """A unit's cluster with the given objectives (all of them when ``full``);
        ``kr_rows`` limits which KR rows each objective shows."""
        self.clusters += 1
        style = _CLUSTER_FULL if full else _CLUSTER_PARTIAL
        pen = "2" if unit_id == self.focus else "1"
        label = cluster_label(self.model.unit_name(unit_id), self.unit_link(unit_id))
        self.lines.append(f"  subgraph cluster_{self.clusters} {{")
        self.lines.append(
            f"    style={style}; fillcolor={_CLUSTER_FILL}; color={_CLUSTER_COLOUR}; "
            f"penwidth={pen};"
        )
        self.lines.append(f"    label=<{label}>;")
        for objective in objectives:
            only = None if kr_rows is None else kr_rows.get(OkrRef(unit_id, objective.id))
            self.objective_table(unit_id, objective, only=only)
        okrs = self.cycle.okrs.get(unit_id)
        if full and okrs is not None:
            self.redacted_node(okrs)
            if not okrs.objectives and not okrs.redacted_private:
                self.empty_node(unit_id, okrs)
        self.lines.append("  }")

    def cross_cycle_boxes(self) -> None:
        """Objectives of a containing cycle (a year's) that drawn objectives and
        key results align up to: one table each, named with its cycle
        (``Year 2026 · Acme``) and linking to its page there, with an upward
        arrow from each drawn item that serves it."""
        if not self.data.index.across:
            return  # the cycle links up into no other: nothing to look up per drawn item
        served: dict[tuple[str, OkrRef], set[End]] = {}
        for unit_id, objective_id in list(self.tables):
            ref = OkrRef(unit_id, objective_id)
            okrs = self.cycle.okrs.get(ref.unit)
            objective = _objective(okrs, ref.objective) if okrs else None
            if objective is None:
                continue
            krs = [OkrRef(ref.unit, ref.objective, k.id) for k in objective.key_results]
            for source in [ref, *krs]:
                end = self.end(source)
                if end is None:
                    continue
                for link in self.data.index.serves_across(source):
                    key = (str(link.target_cycle), link.target.objective_ref)
                    served.setdefault(key, set()).add(end)
        ordered = sorted(served.items(), key=lambda item: (item[0][0], str(item[0][1])))
        for (cycle_id, target), ends in ordered:
            outer = self.model.cycles.get(cycle_id)
            okrs = outer.okrs.get(target.unit) if outer else None
            objective = _objective(okrs, target.objective) if okrs else None
            if outer is None or objective is None:
                continue
            value = objective_progress(objective)
            label = objective_label(
                [
                    Row(
                        port="o",
                        title_html=self.data.text.title(objective.title),
                        title_width=self.data.text.title_width(objective.title, bold=True),
                        tooltip_html=self.data.text.tooltip(objective.title),
                        kind=f"{outer.title} · {self.model.unit_name(target.unit)}",
                        value=value,
                        tone=self.band_of(value),
                        href=self.page_link(
                            urls.unit_link(outer, target.unit),
                            urls.objective_anchor(target.objective),
                        ),
                    )
                ],
                self.band_of(value),
                private=False,
                hidden=0,
            )
            node = self.node(target.unit, label, indent="  ")
            # A row without its own port (a folded "N more key results") is
            # already covered when the same table has a row that links.
            with_port = {end.node for end in ends if end.port}
            shown = [end for end in ends if end.port or end.node not in with_port]
            for end in sorted(shown, key=End.dot):
                above = self.rank_of(node) < self.rank_of(end.node)
                attrs = "" if above else " [constraint=false]"
                self.lines.append(f"  {node} -> {end.dot()}{attrs};")

    # -- edges ----------------------------------------------------------------

    def end(self, ref: OkrRef) -> End | None:
        """What stands for ``ref`` in this graph: its table row, or the box of
        its unit or of an ancestor's subtree; None when it is not drawn."""
        node = self.tables.get((ref.unit, ref.objective))
        if node is not None:
            kr = ref.key_result
            return End(node, self.kr_ports.get((ref.unit, ref.objective, kr)) if kr else "o")
        if ref.unit in self.boxes:
            return End(self.boxes[ref.unit])
        for ancestor in self.data.ancestors.get(ref.unit, []):
            if ancestor in self.boxes and self.box_covers_subtree.get(ancestor):
                return End(self.boxes[ancestor])
        if ROOT_UNIT in self.boxes and self.box_covers_subtree.get(ROOT_UNIT):
            return End(self.boxes[ROOT_UNIT])
        return None

    def edges(self) -> None:
        """Every link whose two ends are drawn (merged when they meet in a box)."""
        upward: dict[tuple[End, End], int] = {}
        lateral: set[tuple[End, End]] = set()
        bold: set[tuple[End, End]] = set()
        drawn = {unit_id for unit_id, _ in self.tables} | set(self.boxes)
        for unit_id in list(drawn):
            if self.box_covers_subtree.get(unit_id):
                drawn.update(self.descendants(unit_id))
        positions = sorted(p for u in drawn for p in self.data.links_from.get(u, []))
        # A unit without a table here is drawn as a box or not at all, the
        # same for every one of its items: found once per unit (a department
        # graph's boxes stand for hundreds of units' links).
        with_tables = {unit_id for unit_id, _ in self.tables}
        boxed: dict[str, End | None] = {}

        def end(ref: OkrRef) -> End | None:
            if ref.unit in with_tables:
                return self.end(ref)
            if ref.unit not in boxed:
                boxed[ref.unit] = self.end(ref)
            return boxed[ref.unit]

        for position in positions:
            link = self.data.index.links[position]
            source, target = end(link.source), end(link.target)
            if source is None or target is None or source.node == target.node:
                continue
            if link.kind == "related":
                pair = (source, target) if source.dot() <= target.dot() else (target, source)
                lateral.add(pair)
                continue
            upward[(target, source)] = upward.get((target, source), 0) + 1
            if self.overlaps(link.target) >= 2:
                bold.add((target, source))
        for (target, source), count in sorted(
            upward.items(), key=lambda i: (i[0][0].dot(), i[0][1].dot())
        ):
            attrs = []
            if (target, source) in bold:
                attrs.append(f"color={_OVERLAP_COLOUR}, penwidth=2.4")
            elif count > 1:
                attrs.append(f"penwidth={min(1 + 0.5 * count, 4):.1f}")
            if self.rank_of(target.node) >= self.rank_of(source.node):
                attrs.append("constraint=false")
            suffix = f" [{', '.join(attrs)}]" if attrs else ""
            self.lines.append(f"  {target.dot()} -> {source.dot()}{suffix};")
        for a, b in sorted(lateral, key=lambda p: (p[0].dot(), p[1].dot())):
            self.lines.append(
                f"  {a.dot()} -> {b.dot()} [style=dashed, dir=none, constraint=false, "
                f"color={_RELATED_COLOUR}];"
            )

    # -- the whole graph ------------------------------------------------------

    def legend(self) -> None:
        label = legend_label(self.model.company.scoring)
        self.lines.append(f"  label=<{label}>; labelloc=b; labeljust=r;")

    def render(self, title: str, desc: str) -> str:
        """The finished DOT source, with title and description as header
        comments (read back by :func:`okrsite.graphs.svg.inline_svg`)."""
        head = [
            f"// okrsite-title: {dot_line(title)}",
            f"// okrsite-desc: {dot_line(desc)}",
            "digraph alignment {",
            f"  graph [rankdir=TB, newrank=true, nodesep=0.25, ranksep=0.6, "
            f"fontname={dot_string(FONT)}, fontsize={CLUSTER_FONT_SIZE}, "
            f"bgcolor={dot_string('white')}, pad=0.2];",
            f"  node [shape=plain, fontname={dot_string(FONT)}, fontsize={NODE_FONT_SIZE}];",
            f"  edge [dir=back, arrowtail=normal, arrowsize=0.6, color={dot_string(EDGE_COLOUR)}];",
        ]
        rank_lines = [
            f"  {{ rank=same; {'; '.join(nodes)}; }}"
            for _, nodes in sorted(self.ranks.items())
            if len(nodes) > 1
        ]
        return "\n".join([*head, *self.lines, *rank_lines, "}", ""])


def _objective(okrs: UnitOkrs, objective_id: str) -> Objective | None:
    return next((o for o in okrs.objectives if o.id == objective_id), None)
