"""Alignment graphs: model → DOT (pure) → SVG (the only module that runs ``dot``).

Two halves:

* :func:`page_graphs` turns a (redacted) :class:`~okrsite.model.OkrModel` into
  DOT source, one graph per page that embeds one, keyed by that page's docs
  path. Pure and deterministic: same model → same bytes.
* :func:`render_svgs` renders DOT to inline-ready SVG with the real Graphviz
  ``dot``, in parallel, with a timeout per call and an on-disk cache keyed by
  ``sha256(dot version + DOT source)``.

Which graphs exist (for cycle ``c``):

``urls.cycle_overview(c)``
    The whole alignment tree of the cycle: company objectives and KRs at the
    top, then departments, then teams (one rank per org depth). When the tree
    has more than ``collapse_threshold`` items (objectives + key results +
    private-objective placeholders) it collapses to department level: the
    company's objectives plus one summary box per top-level unit (counts,
    progress) with edges to the company objectives/KRs its subtree serves.
    Each box links to that unit's page, whose graph is the unit's own tree.
``urls.unit_page(c, u)`` for every unit with OKRs in ``c`` (not the company)
    The unit's neighbourhood: the unit's objectives and the objectives of all
    its descendants (or, when that subtree has more than ``collapse_threshold``
    items, one summary box per child unit), the objectives they align or
    contribute to up to the company, direct supporters from elsewhere,
    lateral (``related``) partners, and a small box for every org ancestor
    that would otherwise not appear. Unit pages use the lower
    ``unit_collapse_threshold``: a page embeds its graph inline, so a
    department's graph must stay small (a 40-item subtree draws as ~40 KB of
    SVG, and the SVG grows ~4 KB per drawn item).
``urls.unit_page(c, "company")`` when the company has OKRs in ``c``
    Always department level: company objectives and one box per top-level unit.

Summary boxes are capped: when a collapsed graph would draw more than
``max_boxes`` child-unit boxes, the first ``max_boxes - 1`` (in org order) get
their own box and the rest share one "N more units" box (edges merged) that
links to the list of every unit (the overview's units table, or the unit's
page with its list of teams). So no inline graph grows with the number of
units.

Drawing: every objective is one node, an HTML-like table whose first row is the
objective and one row per key result (ports ``o``, ``k1``, ``k2``…), so edges
attach to the exact KR. Cells are filled by progress/score band
(:data:`BAND_FILLS`, border :data:`BAND_COLOURS`). ``aligns_to`` and
``contributes_to`` edges are solid (arrow at the served item), ``related``
edges dashed and ``constraint=false``; edges into an item served by two or
more units are bold purple and the item says "supported by N units".
Units with redacted private objectives get a grey "N private objectives"
node; private objectives still present (internal audience) are drawn and
marked "(private)".

Safety: node ids are generated (``n1``, ``n2``…), never taken from content.
Every piece of content goes into HTML-like labels, escaped with
:func:`_text`/:func:`_attr` (entities for ``& < > " '``, backslashes doubled in
attributes because Graphviz expands ``\\N`` there); control characters are
removed. Links are relative URLs built from slugs by :mod:`okrsite.urls` and
checked against a strict character set. No content is placed in quoted DOT
strings (Graphviz expands escape sequences in ``tooltip``/``URL`` twice).
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from okrsite import urls
from okrsite.analysis import org
from okrsite.analysis.alignment import AlignmentIndex, OkrRef
from okrsite.analysis.progress import (
    BAND_LABELS,
    Band,
    band,
    kr_score,
    objective_progress,
    percent,
    weighted_mean,
)
from okrsite.errors import BuildError
from okrsite.graphs.svgcompact import compact_svg
from okrsite.model import ROOT_UNIT, Cycle, Objective, OkrModel, UnitOkrs

log = logging.getLogger(__name__)

BAND_COLOURS: dict[Band, str] = {
    "green": "#2e7d32",
    "yellow": "#f9a825",
    "red": "#c62828",
    "none": "#9e9e9e",
}
"""Strong colour of each band (borders, bars, chart lines). Shared with the site CSS."""

BAND_FILLS: dict[Band, str] = {
    "green": "#c8e6c9",
    "yellow": "#fff59d",
    "red": "#ffcdd2",
    "none": "#eeeeee",
}
"""Light fill of each band (node backgrounds, badges). Shared with the site CSS."""

PRIVATE_FILL = "#e0e0e0"
OVERLAP_COLOUR = "#6a1b9a"
RELATED_COLOUR = "#78909c"
EDGE_COLOUR = "#546e7a"
FONT = "Helvetica,Arial,sans-serif"
WRAP = 30
"""Characters per line of a wrapped title."""
MAX_LINES = 3
TOOLTIP_CHARS = 300
DEFAULT_COLLAPSE_THRESHOLD = 150
DEFAULT_UNIT_COLLAPSE_THRESHOLD = 40
"""Items above which a unit page's neighbourhood draws child units as boxes."""
DEFAULT_MAX_BOXES = 8
"""Most child-unit summary boxes in one graph; the rest share one box."""

MISSING_DOT_HINT = (
    "Graphviz 'dot' was not found{where}. okrsite draws the alignment graphs with it. "
    "Install Graphviz (Debian/Ubuntu: `apt-get install graphviz`, macOS: "
    "`brew install graphviz`, others: https://graphviz.org/download/), or build "
    "without graphs: set `graphs: false` under the okrsite plugin in mkdocs.yml, "
    "or pass `--no-graphs`."
)

_SAFE_URL = re.compile(r"^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(?=/|$))?[A-Za-z0-9_./~%#-]*$")
_HEADER = re.compile(r"^// okrsite-(title|desc): (.*)$", re.MULTILINE)


# ---------------------------------------------------------------------------
# Escaping


@functools.lru_cache(maxsize=65536)
def _clean(text: str) -> str:
    """Content text as one line: control/surrogate/unassigned-private chars
    removed, whitespace collapsed."""
    if text.isprintable():
        return " ".join(text.split())
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif cat in ("Cs", "Cn", "Co"):
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _text(text: str) -> str:
    """Escape for the text of an HTML-like label."""
    return html.escape(text, quote=True)


def _attr(text: str) -> str:
    """Escape for an attribute (TITLE) inside an HTML-like label.

    Graphviz expands ``\\N``, ``\\G``… in these attributes and turns ``\\\\``
    into one backslash, so backslashes are doubled first.
    """
    return html.escape(_clean(text).replace("\\", "\\\\"), quote=True)


def _tooltip(text: str) -> str:
    cleaned = _clean(text)
    if len(cleaned) > TOOLTIP_CHARS:
        cleaned = cleaned[: TOOLTIP_CHARS - 1] + "…"
    return _attr(cleaned)


@functools.lru_cache(maxsize=65536)
def _wrapped(text: str, width: int = WRAP, max_lines: int = MAX_LINES) -> str:
    """Title wrapped to a few lines, each escaped, joined with ``<BR/>``."""
    lines = textwrap.wrap(
        _clean(text) or "–",
        width=width,
        max_lines=max_lines,
        placeholder=" …",
        break_long_words=True,
        break_on_hyphens=True,
    )
    return "<BR/>".join(_text(line) for line in lines)


def _href(url: str) -> str:
    """A link target for an HTML-like label; only relative slug paths.

    Graphviz copies ``HREF`` to the SVG without escaping, so the character
    set is restricted instead (urls.py builds links from slugs only; an
    absolute ``site_url`` may add an http(s) scheme and host).
    """
    if not _SAFE_URL.match(url) or url.startswith("//"):
        raise ValueError(f"unsafe link in graph: {url!r}")
    return url


def is_safe_site_url(url: str) -> bool:
    """Whether ``url`` can prefix graph links (http(s), no query, no quotes)."""
    return bool(re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9_./~%-]*)?", url))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# ---------------------------------------------------------------------------
# Graph building (pure)


@dataclass(frozen=True)
class _End:
    node: str
    port: str | None = None

    def dot(self) -> str:
        return f"{self.node}:{self.port}" if self.port else self.node


@dataclass
class _CycleData:
    """Look-ups shared by every graph of one cycle (computed once per cycle)."""

    index: AlignmentIndex
    ancestors: dict[str, list[str]]
    descendants: dict[str, list[str]]
    """Unit (or the root) → its descendants in org order."""
    org_key: dict[str, tuple[str, ...]]
    overlap: dict[OkrRef, int]
    """Served item → number of *other* units serving it."""
    links_from: dict[str, list[int]]
    """Unit → positions in ``index.links`` of the links it is the source of."""

    @classmethod
    def build(cls, model: OkrModel, cycle: Cycle) -> _CycleData:
        index = _alignment_index(cycle)
        ancestors = {u: model.ancestors(u) for u in model.units}
        ancestors[ROOT_UNIT] = []
        org_key = {u: (*reversed(a), u) for u, a in ancestors.items() if u != ROOT_UNIT}
        org_key[ROOT_UNIT] = ()
        # Graphs lay units out by id (the org_key order), not org.yaml order.
        descendants = org.all_descendants(model, by_id=True)
        targets = {link.target for link in index.links}
        overlap = {
            t: len([u for u in index.supporting_units(t) if u != t.unit]) for t in targets
        }
        links_from: dict[str, list[int]] = defaultdict(list)
        for position, link in enumerate(index.links):
            links_from[link.source.unit].append(position)
        return cls(index, ancestors, descendants, org_key, overlap, dict(links_from))


@dataclass
class _Builder:
    """Accumulates one DOT graph. Node ids are handed out in call order."""

    model: OkrModel
    cycle: Cycle
    data: _CycleData
    from_doc: str
    focus: str | None = None
    site_url: str | None = None
    """Absolute site URL for standalone graphs (CLI); None: links relative to ``from_doc``."""
    lines: list[str] = field(default_factory=list)
    counter: int = 0
    clusters: int = 0
    tables: dict[OkrRef, str] = field(default_factory=dict)
    kr_ports: dict[OkrRef, str] = field(default_factory=dict)
    boxes: dict[str, str] = field(default_factory=dict)
    """unit id → summary/stub node standing for that unit."""
    box_covers_subtree: dict[str, bool] = field(default_factory=dict)
    ranks: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    node_rank: dict[str, int] = field(default_factory=dict)
    objective_count: int = 0
    kr_count: int = 0

    # -- helpers --------------------------------------------------------------

    def new_id(self) -> str:
        self.counter += 1
        return f"n{self.counter}"

    def depth(self, unit_id: str) -> int:
        if unit_id == ROOT_UNIT:
            return 0
        unit = self.model.units.get(unit_id)
        return unit.depth if unit else 1

    def unit_link(self, unit_id: str, anchor: str | None = None) -> str:
        if unit_id in self.cycle.okrs:
            target = urls.unit_page(self.cycle.id, unit_id)
        elif unit_id == ROOT_UNIT:
            target = urls.cycle_overview(self.cycle.id)
        else:
            target = urls.unit_profile(unit_id)
            anchor = None
        if self.site_url:
            tail = f"#{anchor}" if anchor else ""
            return _href(f"{self.site_url.rstrip('/')}/{urls.page_url(target)}{tail}")
        return _href(urls.relative(self.from_doc, target, anchor))

    def band_of(self, value: float | None) -> Band:
        return band(value, self.model.company.scoring)

    def overlaps(self, ref: OkrRef) -> int:
        return self.data.overlap.get(ref, 0)

    def ranked(self, unit_id: str, node: str) -> None:
        depth = self.depth(unit_id)
        self.ranks[depth].append(node)
        self.node_rank[node] = depth

    # -- nodes ----------------------------------------------------------------

    def objective_table(
        self, unit_id: str, objective: Objective, *, only: set[str] | None = None
    ) -> str:
        """One objective with its KRs as an HTML-like table node (only the KR
        ids in ``only`` when given; the others are counted in one row)."""
        node = self.new_id()
        ref = OkrRef(unit_id, objective.id)
        self.tables[ref] = node
        self.objective_count += 1
        value = objective_progress(objective)
        tone = self.band_of(value)
        private = " (private)" if objective.is_private else ""
        rows = [
            f'<TR><TD PORT="o" ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{BAND_FILLS[tone]}" '
            f'HREF="{self.unit_link(unit_id, urls.objective_anchor(objective.id))}" '
            f'TARGET="_top" TITLE="{_tooltip(objective.title)}">'
            f"<B>{_wrapped(objective.title)}</B><BR/>"
            f'<FONT POINT-SIZE="9">Objective{private} · {_text(self.progress_text(value))}'
            f"{self.overlap_note(ref)}</FONT></TD></TR>"
        ]
        hidden = 0
        for i, kr in enumerate(objective.key_results, start=1):
            if only is not None and kr.id not in only:
                hidden += 1
                continue
            kr_ref = OkrRef(unit_id, objective.id, kr.id)
            port = f"k{i}"
            self.kr_ports[kr_ref] = port
            self.kr_count += 1
            kr_value = kr_score(kr)
            kr_tone = self.band_of(kr_value)
            anchor = urls.key_result_anchor(objective.id, kr.id)
            rows.append(
                f'<TR><TD PORT="{port}" ALIGN="LEFT" BALIGN="LEFT" '
                f'BGCOLOR="{BAND_FILLS[kr_tone]}" HREF="{self.unit_link(unit_id, anchor)}" '
                f'TARGET="_top" TITLE="{_tooltip(kr.title)}">'
                f"{_wrapped(kr.title, WRAP + 4)}<BR/>"
                f'<FONT POINT-SIZE="9">KR · {_text(self.progress_text(kr_value))}'
                f"{self.overlap_note(kr_ref)}</FONT></TD></TR>"
            )
        if hidden:
            href = self.unit_link(unit_id, urls.objective_anchor(objective.id))
            rows.append(
                f'<TR><TD ALIGN="LEFT" HREF="{href}" '
                f'TARGET="_top" TITLE="{_tooltip(objective.title)}">'
                f'<FONT POINT-SIZE="9">+ {_plural(hidden, "more key result")}</FONT></TD></TR>'
            )
        border = BAND_COLOURS[tone]
        style = ' STYLE="dashed"' if objective.is_private else ""
        label = (
            f'<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
            f'COLOR="{border}"{style}>{"".join(rows)}</TABLE>'
        )
        self.lines.append(f"    {node} [label=<{label}>];")
        self.ranked(unit_id, node)
        return node

    def progress_text(self, value: float | None) -> str:
        return "no data" if value is None else percent(value)

    def overlap_note(self, ref: OkrRef) -> str:
        count = self.overlaps(ref)
        if count < 2:
            return ""
        return f" · <I>supported by {count} units</I>"

    def redacted_node(self, okrs: UnitOkrs) -> None:
        count = okrs.redacted_private
        if count <= 0:
            return
        node = self.new_id()
        text = f"{_plural(count, 'private objective')}"
        label = (
            f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="6" '
            f'COLOR="{BAND_COLOURS["none"]}" STYLE="dashed" BGCOLOR="{PRIVATE_FILL}">'
            f'<TR><TD HREF="{self.unit_link(okrs.unit_id)}" TARGET="_top" '
            f'TITLE="Private objectives are not published">'
            f"<I>{_text(text)}</I></TD></TR></TABLE>"
        )
        self.lines.append(f"    {node} [label=<{label}>];")
        self.ranked(okrs.unit_id, node)

    def empty_node(self, unit_id: str, okrs: UnitOkrs) -> None:
        """A note for a unit whose file has no objectives this cycle."""
        node = self.new_id()
        metrics = len(okrs.content.health_metrics)
        text = "no objectives this cycle"
        if metrics:
            text += f" · {_plural(metrics, 'health metric')}"
        label = (
            f'<TABLE BORDER="0" CELLPADDING="6"><TR><TD HREF="{self.unit_link(unit_id)}" '
            f'TARGET="_top" TITLE="Open the unit page"><I>{_text(text)}</I></TD></TR></TABLE>'
        )
        self.lines.append(f"    {node} [label=<{label}>];")
        self.ranked(unit_id, node)

    def unit_box(self, unit_id: str, *, subtree: bool) -> str:
        """A summary box for a unit (and, when ``subtree``, all its descendants)."""
        node = self.new_id()
        self.boxes[unit_id] = node
        self.box_covers_subtree[unit_id] = subtree
        members = [unit_id, *(self.descendants(unit_id) if subtree else [])]
        okrs = [self.cycle.okrs[u] for u in members if u in self.cycle.okrs]
        objectives = [o for ok in okrs for o in ok.objectives]
        krs = sum(len(o.key_results) for o in objectives)
        private = sum(ok.redacted_private for ok in okrs)
        value = weighted_mean((objective_progress(o), o.weight) for o in objectives)
        tone = self.band_of(value)
        parts = []
        sub_units = len([u for u in members[1:] if u in self.cycle.okrs])
        if sub_units:
            parts.append(_plural(sub_units, "unit") + " below")
        parts.append(_plural(len(objectives), "objective"))
        parts.append(_plural(krs, "KR"))
        if private:
            parts.append(f"{private} private")
        detail = " · ".join(parts)
        label = (
            f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="6" '
            f'COLOR="{BAND_COLOURS[tone]}" STYLE="rounded" BGCOLOR="{BAND_FILLS[tone]}">'
            f'<TR><TD HREF="{self.unit_link(unit_id)}" TARGET="_top" '
            f'TITLE="{_tooltip(self.model.unit_name(unit_id))}">'
            f"<B>{_wrapped(self.model.unit_name(unit_id))}</B><BR/>"
            f'<FONT POINT-SIZE="9">{_text(detail)}<BR/>{_text(self.progress_text(value))}'
            f"</FONT></TD></TR></TABLE>"
        )
        self.lines.append(f"  {node} [label=<{label}>];")
        self.ranked(unit_id, node)
        return node

    def more_box(self, unit_ids: list[str], link: str) -> str:
        """One box standing for several child units (and their subtrees)."""
        node = self.new_id()
        members = [m for u in unit_ids for m in [u, *self.descendants(u)]]
        for unit_id in unit_ids:
            self.boxes[unit_id] = node
            self.box_covers_subtree[unit_id] = True
        okrs = [self.cycle.okrs[u] for u in members if u in self.cycle.okrs]
        objectives = [o for ok in okrs for o in ok.objectives]
        value = weighted_mean((objective_progress(o), o.weight) for o in objectives)
        tone = self.band_of(value)
        detail = " · ".join(
            [
                _plural(len(objectives), "objective"),
                _plural(sum(len(o.key_results) for o in objectives), "KR"),
            ]
        )
        label = (
            f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="6" '
            f'COLOR="{BAND_COLOURS[tone]}" STYLE="rounded,dashed" BGCOLOR="{BAND_FILLS[tone]}">'
            f'<TR><TD HREF="{link}" TARGET="_top" TITLE="See every unit">'
            f"<B>{_text(_plural(len(unit_ids), 'more unit'))}</B><BR/>"
            f'<FONT POINT-SIZE="9">{_text(detail)}<BR/>{_text(self.progress_text(value))}'
            f"</FONT></TD></TR></TABLE>"
        )
        self.lines.append(f"  {node} [label=<{label}>];")
        self.ranked(unit_ids[0], node)
        return node

    def descendants(self, unit_id: str) -> list[str]:
        return self.data.descendants.get(unit_id, [])

    def org_key(self, unit_id: str) -> tuple[str, ...]:
        return self.data.org_key.get(unit_id, (unit_id,))

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
        name = self.model.unit_name(unit_id)
        focus = unit_id == self.focus
        style = "rounded,filled" if full else "rounded,dashed,filled"
        pen = "2" if focus else "1"
        label = (
            f'<TABLE BORDER="0" CELLPADDING="2"><TR><TD HREF="{self.unit_link(unit_id)}" '
            f'TARGET="_top" TITLE="{_tooltip(name)}"><B>{_text(_clean(name))}</B>'
            f"</TD></TR></TABLE>"
        )
        self.lines.append(f"  subgraph cluster_{self.clusters} {{")
        self.lines.append(
            f'    style="{style}"; fillcolor="#fafafa"; color="#90a4ae"; penwidth={pen};'
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

    # -- edges ----------------------------------------------------------------

    def end(self, ref: OkrRef) -> _End | None:
        node = self.tables.get(ref.objective_ref)
        if node is not None:
            return _End(node, self.kr_ports.get(ref) if ref.key_result else "o")
        if ref.unit in self.boxes:
            return _End(self.boxes[ref.unit])
        for ancestor in self.data.ancestors.get(ref.unit, []):
            if ancestor in self.boxes and self.box_covers_subtree.get(ancestor):
                return _End(self.boxes[ancestor])
        if ROOT_UNIT in self.boxes and self.box_covers_subtree.get(ROOT_UNIT):
            return _End(self.boxes[ROOT_UNIT])
        return None

    def edges(self) -> None:
        """Every link whose two ends are drawn (merged when they meet in a box)."""
        upward: dict[tuple[_End, _End], int] = {}
        lateral: set[tuple[_End, _End]] = set()
        bold: set[tuple[_End, _End]] = set()
        drawn = {r.unit for r in self.tables} | set(self.boxes)
        for unit_id in list(drawn):
            if self.box_covers_subtree.get(unit_id):
                drawn.update(self.descendants(unit_id))
        positions = sorted(p for u in drawn for p in self.data.links_from.get(u, []))
        for position in positions:
            link = self.data.index.links[position]
            source, target = self.end(link.source), self.end(link.target)
            if source is None or target is None or source.node == target.node:
                continue
            if link.kind == "related":
                pair = (source, target) if source.dot() <= target.dot() else (target, source)
                lateral.add(pair)
                continue
            upward[(target, source)] = upward.get((target, source), 0) + 1
            if self.overlaps(link.target) >= 2:
                bold.add((target, source))
        for (target, source), count in sorted(upward.items(), key=lambda i: (i[0][0].dot(),
                                                                             i[0][1].dot())):
            attrs = []
            if (target, source) in bold:
                attrs.append(f'color="{OVERLAP_COLOUR}", penwidth=2.4')
            elif count > 1:
                attrs.append(f"penwidth={min(1 + 0.5 * count, 4):.1f}")
            if self.rank_of(target.node) >= self.rank_of(source.node):
                attrs.append("constraint=false")
            suffix = f" [{', '.join(attrs)}]" if attrs else ""
            self.lines.append(f"  {target.dot()} -> {source.dot()}{suffix};")
        for a, b in sorted(lateral, key=lambda p: (p[0].dot(), p[1].dot())):
            self.lines.append(
                f'  {a.dot()} -> {b.dot()} [style=dashed, dir=none, constraint=false, '
                f'color="{RELATED_COLOUR}"];'
            )

    def rank_of(self, node: str) -> int:
        return self.node_rank.get(node, 0)

    def legend(self) -> None:
        scoring = self.model.company.scoring
        cells = []
        thresholds = {
            "green": f" ≥ {percent(scoring.green)}",
            "yellow": f" ≥ {percent(scoring.yellow)}",
            "red": "",
            "none": "",
        }
        for tone in ("green", "yellow", "red", "none"):
            cells.append(
                f'<TD BGCOLOR="{BAND_FILLS[tone]}" COLOR="{BAND_COLOURS[tone]}">'
                f"{_text(BAND_LABELS[tone] + thresholds[tone])}</TD>"
            )
        label = (
            '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="3">'
            f'<TR>{"".join(cells)}</TR>'
            '<TR><TD COLSPAN="4" BORDER="0"><FONT POINT-SIZE="8">arrow: aligns to / '
            "contributes to · dashed: related · bold: served by 2+ units</FONT></TD></TR>"
            "</TABLE>"
        )
        self.lines.append(f"  label=<{label}>; labelloc=b; labeljust=r;")

    def render(self, title: str, desc: str) -> str:
        """The finished DOT source."""
        head = [
            f"// okrsite-title: {_clean(title)}",
            f"// okrsite-desc: {_clean(desc)}",
            "digraph alignment {",
            f'  graph [rankdir=TB, newrank=true, nodesep=0.25, ranksep=0.6, fontname="{FONT}",'
            ' fontsize=11, bgcolor="white", pad=0.2];',
            f'  node [shape=plain, fontname="{FONT}", fontsize=10];',
            f'  edge [dir=back, arrowtail=normal, arrowsize=0.6, color="{EDGE_COLOUR}"];',
        ]
        rank_lines = []
        for depth in sorted(self.ranks):
            nodes = self.ranks[depth]
            if len(nodes) > 1:
                rank_lines.append(f"  {{ rank=same; {'; '.join(nodes)}; }}")
        return "\n".join([*head, *self.lines, *rank_lines, "}", ""])


def _ref_key(ref: OkrRef) -> tuple[str, str, str]:
    return (ref.unit, ref.objective, ref.key_result or "")


def _alignment_index(cycle: Cycle) -> AlignmentIndex:
    """Every link of the cycle, private ones included (redaction happens upstream)."""
    return AlignmentIndex.build(cycle, include_private=True)


def _items(okrs: UnitOkrs) -> int:
    """How many items a unit adds to a full graph."""
    return (
        len(okrs.objectives)
        + sum(len(o.key_results) for o in okrs.objectives)
        + (1 if okrs.redacted_private else 0)
    )


def _subtree_items(b: _Builder, unit_id: str) -> int:
    members = [unit_id, *b.descendants(unit_id)]
    return sum(_items(b.cycle.okrs[u]) for u in members if u in b.cycle.okrs)


def _has_okrs_below(b: _Builder, unit_id: str) -> bool:
    return any(u in b.cycle.okrs for u in [unit_id, *b.descendants(unit_id)])


def _children(b: _Builder, unit_id: str) -> list[str]:
    return org.children(b.model, unit_id, by_id=True)


def _draw(
    b: _Builder,
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
    cycle = b.cycle
    subtree = [u for u in [focus, *b.descendants(focus)] if u in cycle.okrs]
    collapsed = force_collapse or _subtree_items(b, focus) > threshold
    full_units = [focus] if collapsed else subtree
    full_units = [u for u in full_units if u in cycle.okrs]
    boxed = (
        [c for c in _children(b, focus) if _has_okrs_below(b, c)] if collapsed else []
    )

    # Context: what the drawn units serve (transitively, up to the company),
    # who serves them from elsewhere, and their lateral partners.
    full_set = set(full_units)
    boxed_set = {u for c in boxed for u in [c, *b.descendants(c)]}
    context: set[OkrRef] = set()

    def refs_of(unit_id: str, objective: Objective) -> list[OkrRef]:
        return [
            OkrRef(unit_id, objective.id),
            *(OkrRef(unit_id, objective.id, kr.id) for kr in objective.key_results),
        ]

    def objective(ref: OkrRef) -> Objective | None:
        okrs = cycle.okrs.get(ref.unit)
        if okrs is None:
            return None
        return next((o for o in okrs.objectives if o.id == ref.objective), None)

    def outside(ref: OkrRef) -> bool:
        return ref.unit not in full_set and ref.unit not in boxed_set

    # Context objectives show only the KR rows a link of this graph touches
    # (the rest is one "N more key results" row): a department's page would
    # otherwise carry every KR of every objective it serves.
    context_krs: dict[OkrRef, set[str]] = {}

    def note(ref: OkrRef) -> None:
        context.add(ref.objective_ref)
        rows = context_krs.setdefault(ref.objective_ref, set())
        if ref.key_result is not None:
            rows.add(ref.key_result)

    drawn_refs = [r for u in full_units for o in cycle.okrs[u].objectives for r in refs_of(u, o)]
    queue = list(drawn_refs)
    seen_up: set[OkrRef] = set()
    while queue:
        ref = queue.pop()
        for link in b.data.index.serves(ref):
            target = link.target
            if outside(target) and target not in seen_up:
                seen_up.add(target)
                if objective(target.objective_ref) is not None:
                    note(target)
                    # Up the chain through what was linked (and its objective).
                    queue.extend({target, target.objective_ref})
    for ref in drawn_refs:
        for link in b.data.index.supporters(ref):
            if outside(link.source):
                note(link.source)
        for partner in b.data.index.lateral(ref):
            if outside(partner):
                note(partner)

    # Org ancestors of the focus that nothing else represents get a small box.
    chain = [] if focus == ROOT_UNIT else [*b.model.ancestors(focus), ROOT_UNIT]
    context_units = {r.unit for r in context}
    stubs = [u for u in chain if u not in context_units]

    for unit_id in sorted({*full_units, *context_units}, key=b.org_key):
        okrs = cycle.okrs[unit_id]
        if unit_id in full_set:
            b.cluster(unit_id, okrs.objectives, full=True)
        else:
            chosen = [o for o in okrs.objectives if OkrRef(unit_id, o.id) in context]
            b.cluster(unit_id, chosen, full=False, kr_rows=context_krs)
    for unit_id in sorted(stubs, key=b.org_key):
        b.unit_box(unit_id, subtree=False)
    keep = boxed if len(boxed) <= max(max_boxes, 1) else boxed[: max(max_boxes, 2) - 1]
    for unit_id in keep:
        b.unit_box(unit_id, subtree=True)
    rest = boxed[len(keep) :]
    if rest:
        b.more_box(rest, more_link or b.unit_link(focus))
    b.edges()
    b.legend()
    return collapsed


def _more_link(b: _Builder, target: str, anchor: str | None) -> str:
    """URL of the page listing every unit a "more units" box stands for."""
    if b.site_url:
        tail = f"#{anchor}" if anchor else ""
        return _href(f"{b.site_url.rstrip('/')}/{urls.page_url(target)}{tail}")
    return _href(urls.relative(b.from_doc, target, anchor))


def _describe(b: _Builder) -> str:
    parts = [
        _plural(b.objective_count, "objective"),
        _plural(b.kr_count, "key result"),
    ]
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
    _data: _CycleData | None = None,
) -> str:
    """DOT of a cycle's whole alignment tree (department level when large).

    Links are relative to the cycle overview page, or absolute under
    ``site_url`` (for graphs used outside the site).
    """
    cycle = model.cycles[cycle_id]
    b = _Builder(
        model,
        cycle,
        _data or _CycleData.build(model, cycle),
        urls.cycle_overview(cycle_id),
        focus=ROOT_UNIT,
        site_url=site_url,
    )
    collapsed = _draw(
        b,
        ROOT_UNIT,
        threshold=collapse_threshold,
        max_boxes=max_boxes,
        more_link=_more_link(b, urls.cycle_overview(cycle_id), "units"),
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
    _data: _CycleData | None = None,
) -> str:
    """DOT of one unit's neighbourhood (the company's: always department level).

    Links are relative to the unit's page, or absolute under ``site_url``.
    """
    cycle = model.cycles[cycle_id]
    b = _Builder(
        model,
        cycle,
        _data or _CycleData.build(model, cycle),
        urls.unit_page(cycle_id, unit_id),
        focus=unit_id,
        site_url=site_url,
    )
    more_link = (
        _more_link(b, urls.cycle_overview(cycle_id), "units")
        if unit_id == ROOT_UNIT
        else _more_link(b, urls.unit_page(cycle_id, unit_id), None)
    )
    _draw(
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
) -> dict[str, str]:
    """DOT source of every graph, keyed by the docs path of the page embedding it.

    Keys per cycle ``c``: ``urls.cycle_overview(c)`` (whole tree, or department
    level above ``collapse_threshold`` items), and ``urls.unit_page(c, u)`` for
    every unit with OKRs in ``c`` including ``company`` (department level);
    a unit page's subtree collapses to child boxes above the lower
    ``unit_collapse_threshold`` items (at most ``collapse_threshold``). No
    graph draws more than ``max_boxes`` child-unit boxes.
    Private objectives present in ``model`` are drawn marked "(private)"; pass
    a redacted model for public builds.
    """
    out: dict[str, str] = {}
    for cycle_id in model.cycles:
        cycle = model.cycles[cycle_id]
        data = _CycleData.build(model, cycle)
        out[urls.cycle_overview(cycle_id)] = overview_dot(
            model, cycle_id, collapse_threshold=collapse_threshold, max_boxes=max_boxes, _data=data
        )
        unit_threshold = min(unit_collapse_threshold, collapse_threshold)
        for unit_id in sorted(cycle.okrs):
            out[urls.unit_page(cycle_id, unit_id)] = unit_dot(
                model,
                cycle_id,
                unit_id,
                collapse_threshold=unit_threshold,
                max_boxes=max_boxes,
                _data=data,
            )
    return dict(sorted(out.items()))


# ---------------------------------------------------------------------------
# Rendering with dot (the only I/O in this module)

_count_lock = threading.Lock()
_render_count = 0
_version_cache: dict[tuple[str, int, int], str] = {}


def render_count() -> int:
    """How many ``dot`` processes this process has started (tests, benchmarks)."""
    return _render_count


def _started() -> None:
    global _render_count
    with _count_lock:
        _render_count += 1


def find_dot(dot_binary: str | os.PathLike[str] | None = None) -> str:
    """Absolute path of the ``dot`` to run, or :class:`BuildError` with an install hint."""
    name = os.fspath(dot_binary) if dot_binary is not None else "dot"
    if os.sep in name or (os.altsep and os.altsep in name):
        if os.path.isfile(name) and os.access(name, os.X_OK):
            return os.path.abspath(name)
        raise BuildError(MISSING_DOT_HINT.format(where=f" at {name}"))
    found = shutil.which(name)
    if found is None:
        raise BuildError(MISSING_DOT_HINT.format(where=" on PATH"))
    return found


def dot_version(
    dot_binary: str | os.PathLike[str] | None = None, *, cache_dir: Path | None = None
) -> str:
    """The Graphviz version string (``dot -V``), memoised per binary file.

    With ``cache_dir`` the answer is also kept on disk (keyed by the binary's
    path, size and modification time), so a rebuild in a new process with
    nothing changed starts no ``dot`` process at all.
    """
    path = find_dot(dot_binary)
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    stored = cache_dir / "dot-version.txt" if cache_dir is not None else None
    if key not in _version_cache and stored is not None:
        try:
            cached: str | None = stored.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            cached = None
        if cached is not None and cached.startswith(f"{key!r}\n"):
            _version_cache[key] = cached.split("\n", 1)[1]
    if key not in _version_cache:
        _started()
        try:
            proc = subprocess.run(
                [path, "-V"], capture_output=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise BuildError(f"could not run {path} -V: {err}") from err
        text = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
        if proc.returncode != 0 or "graphviz" not in text.lower():
            raise BuildError(f"{path} does not look like Graphviz dot: {text[:200]!r}")
        _version_cache[key] = text
        if stored is not None:
            _write_cache(stored, f"{key!r}\n{text}")
    return _version_cache[key]


def run_dot(
    source: str,
    fmt: str = "svg",
    *,
    dot_binary: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
    what: str = "a graph",
) -> bytes:
    """Run ``dot -T<fmt>`` on ``source`` once (no cache); :class:`BuildError` on failure."""
    if not re.fullmatch(r"[a-z0-9]+(:[a-z0-9]+)*", fmt):
        raise ValueError(f"bad output format {fmt!r}")
    path = find_dot(dot_binary)
    _started()
    try:
        proc = subprocess.run(
            [path, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise BuildError(
            f"Graphviz dot took longer than {timeout:g} s rendering {what} and was stopped; "
            "the graph is probably too large (lower the collapse threshold) or pass "
            "`--no-graphs`."
        ) from err
    except OSError as err:
        raise BuildError(f"could not run Graphviz dot ({path}): {err}") from err
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not proc.stdout:
        detail = "\n".join(stderr.splitlines()[:5]) or "no output"
        raise BuildError(
            f"Graphviz dot failed rendering {what} (exit code {proc.returncode}): {detail}"
        )
    if stderr:
        log.warning("dot warnings for %s: %s", what, stderr[:500])
    return proc.stdout


_CACHE_FORMAT = "compact-1"
"""Changes whenever what the cache stores changes (now: compacted SVG)."""


def _cache_key(source: str, version: str) -> str:
    return hashlib.sha256(f"{version}\0{_CACHE_FORMAT}\0{source}".encode()).hexdigest()


def _read_cache(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text if text.rstrip().endswith("</svg>") else None


def _write_cache(path: Path, text: str) -> None:
    """Write atomically: a temporary file in the same directory, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".svg")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _id_prefix(key: str) -> str:
    return "okg-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def inline_svg(raw_svg: str, *, key: str, dot_source: str = "") -> str:
    """Make dot's SVG fit for inlining in an HTML page.

    Drops the XML prolog, DOCTYPE, comments and dot's own ``<title>`` elements
    (they would show node ids as tooltips); compacts the drawing (see
    ``okrsite.graphs.svgcompact``); prefixes every id with a per-graph
    prefix; replaces width/height with a responsive style; adds ``<title>``
    and ``<desc>`` (from the ``// okrsite-title:`` / ``desc:`` header lines).
    """
    meta = dict(_HEADER.findall(dot_source))
    start = raw_svg.find("<svg")
    if start < 0:
        raise BuildError(f"Graphviz dot produced no SVG for {key}")
    svg = raw_svg[start:]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<title>[^<]*</title>\n?", "", svg)
    svg = compact_svg(svg)
    prefix = _id_prefix(key)
    svg = re.sub(r'(\s)id="([^"]+)"', rf'\1id="{prefix}-\2"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)

    open_end = svg.find(">")
    opening, rest = svg[:open_end], svg[open_end + 1 :]
    width = re.search(r'\swidth="([0-9.]+)pt"', opening)
    opening = re.sub(r'\s(width|height)="[^"]*"', "", opening)
    style = f"max-width:{width.group(1)}pt;width:100%;height:auto" if width else "max-width:100%"
    title = meta.get("title", "Alignment graph")
    desc = meta.get("desc", "")
    opening += (
        f' class="okrsite-graph" role="img" style="{style}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc"'
    )
    head = (
        f'\n<title id="{prefix}-title">{html.escape(title)}</title>'
        f'\n<desc id="{prefix}-desc">{html.escape(desc)}</desc>'
    )
    return opening + ">" + head + rest.rstrip() + "\n"


def render_svgs(
    dots: Mapping[str, str],
    *,
    cache_dir: Path | None,
    jobs: int = 2,
    timeout: float = 30.0,
    dot_binary: str | os.PathLike[str] | None = None,
    memo: MutableMapping[tuple[str, str], str] | None = None,
) -> dict[str, str]:
    """Render DOT → inline-ready SVG with the real ``dot``, in parallel, cached.

    ``dots`` maps a key (the embedding page's docs path) to DOT source. Each
    distinct source is rendered at most once; with ``cache_dir`` dot's SVG,
    compacted, is stored as ``<sha256(dot version, format, source)>.svg``
    (written atomically) and reused across builds, so unchanged graphs start
    no ``dot`` process. With ``memo`` (a preview server's
    :class:`~okrsite.site.cache.BuildCache`) the inline-ready SVGs are also
    kept in memory for the next call: (cache digest, page key) → SVG.
    Raises :class:`~okrsite.errors.BuildError` when dot is missing, fails or
    exceeds ``timeout`` seconds.
    """
    if not dots:
        return {}
    path = find_dot(dot_binary)
    version = dot_version(path, cache_dir=cache_dir)
    digests = {key: _cache_key(source, version) for key, source in dots.items()}
    done: dict[str, str] = {}
    if memo is not None:
        for key, digest in digests.items():
            found = memo.get((digest, key))
            if found is not None:
                done[key] = found
    raw: dict[str, str] = {}
    todo: dict[str, tuple[str, str]] = {}
    for key in sorted(dots):
        digest = digests[key]
        if key in done or digest in raw or digest in todo:
            continue
        cached = _read_cache(cache_dir / f"{digest}.svg") if cache_dir is not None else None
        if cached is not None:
            raw[digest] = cached
        else:
            todo[digest] = (key, dots[key])

    def work(item: tuple[str, tuple[str, str]]) -> tuple[str, str]:
        digest, (key, source) = item
        svg = run_dot(source, "svg", dot_binary=path, timeout=timeout, what=f"the graph of {key}")
        text = compact_svg(svg.decode("utf-8", "replace"))
        if cache_dir is not None:
            _write_cache(cache_dir / f"{digest}.svg", text)
        return digest, text

    items = sorted(todo.items())
    if jobs <= 1 or len(items) <= 1:
        results = [work(item) for item in items]
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="okrsite-dot") as pool:
            futures = [pool.submit(work, item) for item in items]
            try:
                results = [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    raw.update(results)
    for key in sorted(dots):
        if key not in done:
            done[key] = inline_svg(raw[digests[key]], key=key, dot_source=dots[key])
    if memo is not None:
        if len(memo) > 4 * len(dots):
            memo.clear()  # forget graphs of pages that are gone
        memo.update(((digests[key], key), svg) for key, svg in done.items())
    return dict(sorted(done.items()))
