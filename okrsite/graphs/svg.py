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
_ID = re.compile(r'id="([^"]+)"')
"""An id (a whitespace before it makes it an attribute: :func:`_prefixed_id`);
a pattern that starts with the literal text is found by a fast scan."""
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_HREF_REF = re.compile(r'href="#([^"]+)"')


def _prefixed_id(found: re.Match[str], prefix: str) -> str:
    start = found.start()
    if start == 0 or not found.string[start - 1].isspace():
        return found.group(0)
    return f'id="{prefix}-{found.group(1)}"'


def id_prefix(key: str) -> str:
    """The prefix of every id in the graph of page ``key``."""
    return "okg-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def inline_svg(raw_svg: str, *, key: str, dot_source: str = "") -> str:
    """Make dot's SVG, already compacted by
    :func:`~okrsite.graphs.svgcompact.compact_svg` (as the renderer caches it),
    fit for inlining in an HTML page.

    Starts at the ``<svg`` element (compaction dropped the prolog, comments
    and dot's own ``<title>`` elements already); prefixes every id with a per-graph
    prefix; replaces width/height with a responsive style; adds ``<title>``
    and ``<desc>`` (from the ``// okrsite-title:`` / ``desc:`` header lines).
    """
    meta = dict(_HEADER.findall(dot_source))
    start = raw_svg.find("<svg")
    if start < 0:
        raise BuildError(f"Graphviz dot produced no SVG for {key}")
    svg = raw_svg[start:]
    prefix = id_prefix(key)
    svg = _ID.sub(lambda found: _prefixed_id(found, prefix), svg)
    if "url(#" in svg:
        svg = _URL_REF.sub(lambda found: f"url(#{prefix}-{found.group(1)})", svg)
    if 'href="#' in svg:
        svg = _HREF_REF.sub(lambda found: f'href="#{prefix}-{found.group(1)}"', svg)

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
