"""How alignment graphs look: colours, fonts, sizes and size limits.

Shared by the DOT builder (:mod:`okrsite.graphs.build`) and its labels
(:mod:`okrsite.graphs.labels`); the band colours are also the site CSS's.
"""

from __future__ import annotations

from okrsite.analysis.progress import Band

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
CLUSTER_FILL = "#fafafa"
CLUSTER_COLOUR = "#90a4ae"
FONT = "Helvetica,Arial,sans-serif"
CLUSTER_FONT_SIZE = 11
"""Points: cluster headings and the legend (the graph's ``fontsize``)."""
NODE_FONT_SIZE = 10
"""Points: node text (titles)."""
SMALL_FONT_SIZE = 9
"""Points: the detail line under a title."""
TEXT_SLACK = 1.03
"""Measured text widths are stretched by this much before sizing a cell, for
fonts that are not quite Arial's metrics (e.g. macOS Helvetica's hinting)."""
WRAP = 30
"""Characters per line of a wrapped title."""
MAX_LINES = 3
TOOLTIP_CHARS = 300
DEFAULT_COLLAPSE_THRESHOLD = 150
DEFAULT_UNIT_COLLAPSE_THRESHOLD = 40
"""Items above which a unit page's neighbourhood draws child units as boxes."""
DEFAULT_MAX_BOXES = 8
"""Most child-unit summary boxes in one graph; the rest share one box."""
