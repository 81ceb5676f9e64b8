"""Alignment graphs: model → DOT (pure) → SVG (the only package that runs ``dot``).

The stages, one module each:

* DOT building, pure and deterministic (same model → same bytes):
  :mod:`~okrsite.graphs.dot` decides which graphs exist and what each draws,
  :mod:`~okrsite.graphs.builder` writes the DOT of one graph,
  :mod:`~okrsite.graphs.labels` the HTML-like labels of its nodes (each
  cell at least as wide as its text measured by
  :mod:`~okrsite.graphs.textwidth`),
  :mod:`~okrsite.graphs.lookups` the per-cycle look-ups they share,
  :mod:`~okrsite.graphs.inputs` the units one graph may read (for a
  preview server that keeps unchanged graphs' DOT),
  :mod:`~okrsite.graphs.style` colours and limits.
* Running ``dot``: :mod:`~okrsite.graphs.graphviz` (finding the binary, its
  version, one process per graph, ``jobs`` at a time; SVG without the
  text-layout plugin, see :mod:`~okrsite.graphs.plugins`) and
  :mod:`~okrsite.graphs.render`
  (every page's graph, in parallel, cached on disk by
  :mod:`~okrsite.graphs.cache` and in a memo passed in by its owner).
* SVG rewriting, text in, text out: :mod:`~okrsite.graphs.svgcompact` (the
  same drawing in fewer bytes) and :mod:`~okrsite.graphs.svg` (inline-ready).

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
Every piece of content goes into HTML-like labels, escaped by
:mod:`okrsite.render.escape` (``dot_html``, ``dot_html_attr``: entities for
``& < > " '``, backslashes doubled in attributes because Graphviz expands
``\\N`` there, control characters removed); header comments are one line
(``dot_line``); quoted DOT strings carry only our own constants
(``dot_string``). Links are relative URLs built from slugs by
:mod:`okrsite.urls` and checked against a strict character set
(``dot_href``). No content is placed in quoted DOT strings (Graphviz expands
escape sequences in ``tooltip``/``URL`` twice).
"""

from __future__ import annotations

from okrsite.graphs.cache import DiskCache
from okrsite.graphs.dot import (
    DotMemo,
    department_graphs,
    iter_department_graphs,
    iter_page_graphs,
    overview_dot,
    page_graphs,
    unit_dot,
)
from okrsite.graphs.graphviz import MISSING_DOT_HINT, Graphviz, find_dot, run_dot
from okrsite.graphs.render import GraphDrawing, render_svgs
from okrsite.graphs.style import (
    BAND_COLOURS,
    BAND_FILLS,
    DEFAULT_COLLAPSE_THRESHOLD,
    DEFAULT_MAX_BOXES,
    DEFAULT_UNIT_COLLAPSE_THRESHOLD,
    EDGE_COLOUR,
    FONT,
    OVERLAP_COLOUR,
    PRIVATE_FILL,
    RELATED_COLOUR,
)
from okrsite.graphs.svg import inline_svg
from okrsite.render.escape import is_safe_site_url

__all__ = [
    "BAND_COLOURS",
    "BAND_FILLS",
    "DEFAULT_COLLAPSE_THRESHOLD",
    "DEFAULT_MAX_BOXES",
    "DEFAULT_UNIT_COLLAPSE_THRESHOLD",
    "EDGE_COLOUR",
    "FONT",
    "MISSING_DOT_HINT",
    "OVERLAP_COLOUR",
    "PRIVATE_FILL",
    "RELATED_COLOUR",
    "DiskCache",
    "DotMemo",
    "GraphDrawing",
    "Graphviz",
    "department_graphs",
    "find_dot",
    "inline_svg",
    "is_safe_site_url",
    "iter_department_graphs",
    "iter_page_graphs",
    "overview_dot",
    "page_graphs",
    "render_svgs",
    "run_dot",
    "unit_dot",
]
