"""Make Graphviz's SVG smaller without changing the picture.

dot writes every shape and text with all its presentation attributes, wraps
each link in a group with a generated id, and draws boxes as five-point
polygons. An alignment graph of a department is tens of kilobytes of that, on
every page that shows one. Each rewrite here is exact:

- a filled cell and its border (two polygons over the same points: fill with
  an invisible stroke, then stroke without fill) → one shape with both paints
  (SVG paints fill first, then stroke, as dot's pair did);
- an axis-aligned rectangle polygon → ``<rect>``;
- the font family, the same on every text → once on the root (inherited);
- ``text-anchor="start"`` → dropped (the initial value, and no ancestor sets
  another one);
- ``font-size="10.00"`` → ``font-size="10"``;
- the id-only groups dot wraps around each link, and the ids of node, edge
  and cluster groups → dropped (nothing refers to them: okrsite's graphs
  use no gradients, clip paths or markers, the things dot refers to by id).

Input is dot's raw SVG (self-closing tags), before sanitising.
"""

from __future__ import annotations

import itertools
import re

_CELL_PAIR = re.compile(
    r'<polygon fill="([^"]+)" stroke="transparent" points="([^"]+)"/>\n'
    r'<polygon fill="none" stroke="([^"]+)" points="\2"/>'
)
_POLYGON = re.compile(r'<polygon ((?:[a-z-]+="[^"]*" )*)points="([^"]+)"/>')
_NUMBER = r"(-?[0-9]+(?:\.[0-9]+)?)"
_DOT_RECT = re.compile(
    r'<polygon ((?:[a-z-]+="[^"]*" )*)points="'
    rf'{_NUMBER},{_NUMBER} \2,{_NUMBER} {_NUMBER},\4 \5,\3 \2,\3"/>'
)
"""The rectangle as dot writes every box and table cell: corner, the corner
below or above it, across, back, and the first corner again (textually
equal coordinates). Matched in one pass, without splitting the points."""
_FONT_FAMILY = re.compile(r' font-family="([^"]*)"')
_FONT_SIZE = re.compile(r' font-size="(([0-9]+)\.0+)"')
_LINK_GROUP = re.compile(r'<g id="a_[^"]*">\n?(<a\b[^>]*>.*?</a>)\n?</g>', re.DOTALL)
_GROUP_ID = re.compile(r'<g id="[^"]*" class="(?=(?:node|edge|cluster)">)')


def compact_svg(svg: str) -> str:
    """The same drawing in fewer bytes (see the module docstring).

    Replacements are functions or plain text, not ``\\1`` templates: a
    template is expanded in Python for each of the ~200 matches of a graph."""
    svg = _CELL_PAIR.sub(_merged_pair, svg)
    svg = _DOT_RECT.sub(_dot_rect, svg)
    svg = _POLYGON.sub(_as_rect, svg)
    families = set(_FONT_FAMILY.findall(svg))
    if len(families) == 1:
        (family,) = families
        svg = _FONT_FAMILY.sub("", svg)
        svg = svg.replace("<svg", f'<svg font-family="{family}"', 1)
    if ' text-anchor="' in svg.split(">", 1)[0]:
        return svg  # the root sets an anchor: "start" on a text is not redundant
    svg = svg.replace(' text-anchor="start"', "")
    for size in set(_FONT_SIZE.findall(svg)):
        svg = svg.replace(f' font-size="{size[0]}"', f' font-size="{size[1]}"')
    svg = _LINK_GROUP.sub(_link, svg)
    return _GROUP_ID.sub('<g class="', svg)


def _merged_pair(match: re.Match[str]) -> str:
    fill, points, stroke = match.group(1, 2, 3)
    return f'<polygon fill="{fill}" stroke="{stroke}" points="{points}"/>'


def _link(match: re.Match[str]) -> str:
    return match.group(1)


def _dot_rect(match: re.Match[str]) -> str:
    """:func:`_as_rect` for a polygon :data:`_DOT_RECT` matched."""
    attributes, x1, y1, y2, x2 = match.group(1, 2, 3, 4, 5)
    xa, xb, ya, yb = float(x1), float(x2), float(y1), float(y2)
    if xa == xb or ya == yb:
        return match.group(0)  # a line, not a rectangle: as _as_rect leaves it
    left, right, top, bottom = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
    return (
        f'<rect {attributes}x="{_number(left)}" y="{_number(top)}" '
        f'width="{_number(right - left)}" height="{_number(bottom - top)}"/>'
    )


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _as_rect(match: re.Match[str]) -> str:
    """A polygon that is an axis-aligned rectangle, as ``<rect>``; else unchanged."""
    attributes, points = match.group(1), match.group(2)
    try:
        pairs = [[float(v) for v in pair.split(",")] for pair in points.split()]
    except ValueError:
        return match.group(0)
    if len(pairs) != 5 or any(len(p) != 2 for p in pairs):
        return match.group(0)
    corners = [(p[0], p[1]) for p in pairs]
    if corners[0] != corners[4]:
        return match.group(0)
    xs = {c[0] for c in corners}
    ys = {c[1] for c in corners}
    if len(xs) != 2 or len(ys) != 2:
        return match.group(0)
    # Each side must be horizontal or vertical (not a bow-tie over the same 4 values).
    for (x1, y1), (x2, y2) in itertools.pairwise(corners):
        if x1 != x2 and y1 != y2:
            return match.group(0)
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    return (
        f'<rect {attributes}x="{_number(left)}" y="{_number(top)}" '
        f'width="{_number(right - left)}" height="{_number(bottom - top)}"/>'
    )
