"""dot's SVG → SVG fit for inlining in an HTML page (text in, text out).

The drawing itself is made smaller by :mod:`okrsite.graphs.svgcompact`, once,
when dot's output enters the graph cache (:mod:`okrsite.graphs.render`); this
module makes the compacted drawing a good citizen of a page: per-graph id prefixes (two graphs
on one page, or a graph next to another's file, never share an id), a
responsive size, and an accessible title and description.
"""

from __future__ import annotations

import hashlib
import re

from okrsite.errors import BuildError
from okrsite.render.escape import xml_text

_HEADER = re.compile(r"^// okrsite-(title|desc): (.*)$", re.MULTILINE)


def id_prefix(key: str) -> str:
    """The prefix of every id in the graph of page ``key``."""
    return "okg-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def inline_svg(raw_svg: str, *, key: str, dot_source: str = "") -> str:
    """Make dot's SVG, already compacted by
    :func:`~okrsite.graphs.svgcompact.compact_svg` (as the renderer caches it),
    fit for inlining in an HTML page.

    Drops the XML prolog, DOCTYPE, comments and dot's own ``<title>`` elements
    (they would show node ids as tooltips); prefixes every id with a per-graph
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
    prefix = id_prefix(key)
    svg = re.sub(r'(\s)id="([^"]+)"', rf'\1id="{prefix}-\2"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
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
        f'\n<title id="{prefix}-title">{xml_text(title)}</title>'
        f'\n<desc id="{prefix}-desc">{xml_text(desc)}</desc>'
    )
    return opening + ">" + head + rest.rstrip() + "\n"
