"""Make Graphviz's SVG smaller without changing the picture.

dot writes an XML prolog, comments and a ``<title>`` per node, edge and
cluster, every shape and text with all its presentation attributes, wraps
each link in a group with a generated id, and draws boxes as five-point
polygons. An alignment graph of a department is tens of kilobytes of that, on
every page that shows one. Each rewrite here is exact:

- the XML prolog, DOCTYPE and comments → dropped (an inline ``<svg>`` needs
  none), and dot's ``<title>`` elements → dropped (they would show node ids
  as tooltips; the page's graph gets its own title, see
  :func:`okrsite.graphs.svg.inline_svg`);
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

Input is dot's raw SVG (self-closing tags), before sanitising. Each rewrite
is one regular expression or plain replacement over the whole text, written
so that the scan is fast (a literal first, runs of text taken at once): a
build compacts a thousand or more graphs of ~50 rectangles and ~100 texts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

_PROLOG_PARTS = re.compile(r"<!--.*?-->\n?|<title>[^<]*</title>\n?", re.DOTALL)
"""Comments and dot's titles (dot escapes ``<`` in a title's text)."""
_SHAPE = re.compile(
    # A cell's fill and border: the same points twice, written one after the other.
    r'<polygon fill="([^"]+)" stroke="transparent" points="([^"]+)"/>\n'
    r'<polygon fill="none" stroke="([^"]+)" points="\2"/>'
    # Any other polygon with 5 points (a rectangle has 4 corners and the first again).
    r'|<polygon ((?:[a-z-]+="[^"]*" )*)points="([^" ]+ [^" ]+ [^" ]+ [^" ]+ [^" ]+)"/>'
)
_NUMBER = r"(-?[0-9]{1,15}(?:\.[0-9]+)?)"
_DOT_CORNERS = re.compile(rf"{_NUMBER},{_NUMBER} \1,{_NUMBER} {_NUMBER},\3 \4,\2 \1,\2\Z")
"""A rectangle as dot writes every box and table cell: corner, the corner
below or above it, across, back, and the first corner again (textually
equal coordinates): its size needs no comparing of numbers. At most 15
digits before the point: whole numbers are then exact as floats too, and
those with more take the general path (:func:`_rect`), as floats."""
_FONT_FAMILY = re.compile(r' font-family="([^"]*)"')
_FONT_SIZE = re.compile(r' font-size="([0-9]+)\.0+"')
_LINK_GROUP = re.compile(r'<g id="a_[^"]*">\n?(<a\b[^>]*>(?:[^<]+|<)*?</a>)\n?</g>')
"""A link's wrapper group; ``(?:[^<]+|<)*?`` is ``.*?`` (DOTALL) taken a
run of text at a time: the same shortest match, in far fewer steps."""
_GROUP_ID = re.compile(r'<g id="[^"]*" class="(?=(?:node|edge|cluster)">)')


def compact_svg(svg: str) -> str:
    """The same drawing in fewer bytes (see the module docstring), starting at
    its ``<svg`` element (unchanged when there is none: not dot's SVG)."""
    start = svg.find("<svg")
    if start < 0:
        return svg
    svg = _PROLOG_PARTS.sub("", svg[start:])
    svg = _SHAPE.sub(_shape, svg)
    first = _FONT_FAMILY.search(svg)
    if first is not None and svg.count(first.group(0)) == svg.count(' font-family="'):
        svg = svg.replace(first.group(0), "")  # one family: stated once, on the root
        svg = svg.replace("<svg", f"<svg{first.group(0)}", 1)
    if ' text-anchor="' in svg.split(">", 1)[0]:
        return svg  # the root sets an anchor: "start" on a text is not redundant
    svg = svg.replace(' text-anchor="start"', "")
    svg = _FONT_SIZE.sub(_font_size, svg)
    svg = _LINK_GROUP.sub(_link, svg)
    return _GROUP_ID.sub('<g class="', svg)


def _shape(match: re.Match[str]) -> str:
    """A cell's pair as one shape with both paints, and a rectangle as ``<rect>``."""
    fill, pair_points, stroke, attributes, points = match.groups()
    if fill is not None:
        attributes, points = f'fill="{fill}" stroke="{stroke}" ', pair_points
    dots_own = _DOT_CORNERS.match(points)
    if dots_own is not None:  # inline: a graph has ~50 of them
        x1, y1, y2, x2 = dots_own.groups()
        # Whole numbers (most of dot's cells): exact as integers, written as such.
        whole = "." not in points
        number: Callable[[str], float] = int if whole else float
        text: Callable[[float], str] = str if whole else _number
        left, top, right, bottom = number(x1), number(y1), number(x2), number(y2)
        if left == right or top == bottom:
            return f'<polygon {attributes}points="{points}"/>'  # a line
        if left > right:
            left, right = right, left
        if top > bottom:
            top, bottom = bottom, top
        rect: str | None = (
            f'x="{text(left)}" y="{text(top)}" '
            f'width="{text(right - left)}" height="{text(bottom - top)}"'
        )
    else:
        rect = _rect(points)
    if rect is None:
        return f'<polygon {attributes}points="{points}"/>'
    return f"<rect {attributes}{rect}/>"


def _font_size(match: re.Match[str]) -> str:
    return f' font-size="{match.group(1)}"'


def _link(match: re.Match[str]) -> str:
    return match.group(1)


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _rect(points: str) -> str | None:
    """``x=… y=… width=… height=…`` of a polygon's points that draw an
    axis-aligned rectangle, else None (any other shape, a line, a bow-tie)."""
    try:
        corners = [(float(x), float(y)) for x, y in (p.split(",") for p in points.split())]
    except ValueError:
        return None  # not numbers, or not pairs
    if len(corners) != 5 or corners[0] != corners[4]:
        return None
    xs = {x for x, _ in corners}
    ys = {y for _, y in corners}
    if len(xs) != 2 or len(ys) != 2:
        return None
    # Each side must be horizontal or vertical (not a bow-tie over the same 4 values).
    for (x1, y1), (x2, y2) in itertools.pairwise(corners):
        if x1 != x2 and y1 != y2:
            return None
    (left, right), (top, bottom) = sorted(xs), sorted(ys)
    return (
        f'x="{_number(left)}" y="{_number(top)}" '
        f'width="{_number(right - left)}" height="{_number(bottom - top)}"'
    )
