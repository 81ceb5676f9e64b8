"""The HTML-like labels of graph nodes: pure functions, text in, DOT label out.

Every piece of content passes through :mod:`okrsite.render.escape`'s DOT
functions (``dot_html`` for text, ``dot_html_attr`` for ``TITLE``,
``dot_href`` for ``HREF``); the numbers and words okrsite adds go through
``dot_html`` too, so there is one escaping for everything in a label.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from okrsite.analysis.progress import (
    BAND_LABELS,
    ROLLUP_LABELS,
    Band,
    RollupScope,
    fraction_text,
    percent,
)
from okrsite.graphs.style import (
    BAND_COLOURS,
    BAND_FILLS,
    CLUSTER_FONT_SIZE,
    MAX_LINES,
    NODE_FONT_SIZE,
    PRIVATE_FILL,
    SMALL_FONT_SIZE,
    TEXT_SLACK,
    TOOLTIP_CHARS,
    WRAP,
)
from okrsite.graphs.textwidth import text_width
from okrsite.model import Scoring
from okrsite.render.escape import dot_href, dot_html, dot_html_attr, dot_line


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def progress_text(value: float | None, *, graded: bool = False) -> str:
    """As on the pages: ``66%`` (progress) or ``0.66`` (a score); ``no data``."""
    return "no data" if value is None else fraction_text(value, graded=graded)


def tooltip(text: str) -> str:
    """A ``TITLE`` attribute: the text on one line, cut at :data:`TOOLTIP_CHARS`."""
    return dot_html_attr(text, TOOLTIP_CHARS)


def cell_width(text_points: float, padding: int, border: int) -> str:
    """A table cell's minimum ``WIDTH`` attribute for text ``text_points``
    wide (:func:`~okrsite.graphs.textwidth.text_width`): Graphviz's own
    estimate can be too narrow (bold, emoji), and keeps the larger of the two."""
    width = math.ceil(text_points * TEXT_SLACK + 2 * (padding + border))
    return f' WIDTH="{width}"'


@dataclass
class LabelText:
    """Titles and tooltips of content, escaped, remembered for one
    :func:`~okrsite.graphs.page_graphs` call: the same objective is drawn on
    its own unit's page, its parent's and the overview, and wrapping is the
    slow part of building DOT.
    """

    titles: dict[tuple[str, int], tuple[str, list[str]]] = field(default_factory=dict)
    tooltips: dict[str, str] = field(default_factory=dict)
    widths: dict[tuple[str, int, bool], float] = field(default_factory=dict)

    def _wrapped(self, text: str, width: int) -> tuple[str, list[str]]:
        key = (text, width)
        found = self.titles.get(key)
        if found is None:
            lines = textwrap.wrap(
                dot_line(text) or "–",
                width=width,
                max_lines=MAX_LINES,
                placeholder=" …",
                break_long_words=True,
                break_on_hyphens=True,
            )
            found = self.titles[key] = ("<BR/>".join(dot_html(line) for line in lines), lines)
        return found

    def title(self, text: str, width: int = WRAP) -> str:
        """The title wrapped to at most :data:`MAX_LINES` lines of ``width``
        characters, each escaped, joined with ``<BR/>``."""
        return self._wrapped(text, width)[0]

    def title_width(self, text: str, width: int = WRAP, *, bold: bool) -> float:
        """Points taken by the widest line of :meth:`title` in a node's font."""
        key = (text, width, bold)
        found = self.widths.get(key)
        if found is None:
            lines = self._wrapped(text, width)[1]
            found = self.widths[key] = max(
                text_width(line, NODE_FONT_SIZE, bold=bold) for line in lines
            )
        return found

    def tooltip(self, text: str) -> str:
        """:func:`tooltip`, remembered."""
        found = self.tooltips.get(text)
        if found is None:
            found = self.tooltips[text] = tooltip(text)
        return found


@dataclass(slots=True)
class Row:
    """One cell (row) of an objective's table: the objective or one of its KRs."""

    port: str
    """``o`` for the objective, ``k1``, ``k2``… for its key results."""
    title_html: str
    """Wrapped, escaped title (:meth:`LabelText.title`)."""
    title_width: float
    """Points taken by its widest line (:meth:`LabelText.title_width`; bold
    for the objective row)."""
    tooltip_html: str
    """Escaped tooltip (:meth:`LabelText.tooltip`)."""
    kind: str
    """``Objective``, ``Objective (private)`` or ``KR``."""
    value: float | None
    tone: Band
    href: str
    overlap: int = 0
    """Units other than the owner serving this item."""
    graded: bool = False
    """``value`` is a score given at grading (shown ``0.66``, not ``66%``)."""


def _overlap_note(count: int) -> str:
    # One span with the rest of the line, not italic: Graphviz places a second
    # span after its own estimate of the first, which counts "·" as two
    # characters (UTF-8 bytes) and would leave a gap before it.
    return f" · supported by {count} units" if count >= 2 else ""


def objective_label(
    rows: Sequence[Row], tone: Band, *, private: bool, hidden: int
) -> str:
    """An objective with its KRs as a table: the first row is the objective,
    then one row per drawn KR, then "+ N more key results" when ``hidden``."""
    cells = [table_row(row) for row in rows]
    return table_label(cells, rows[0], tone, private=private, hidden=hidden)


def table_row(row: Row) -> str:
    """One row of :func:`objective_label` (its ``<TR>``)."""
    title = f"<B>{row.title_html}</B>" if row.port == "o" else row.title_html
    number = progress_text(row.value, graded=row.graded)
    small = f"{row.kind} · {number}{_overlap_note(row.overlap)}"
    widest = max(row.title_width, text_width(small, SMALL_FONT_SIZE))
    return (
        f'<TR><TD PORT="{row.port}"{cell_width(widest, 4, 1)} ALIGN="LEFT" BALIGN="LEFT" '
        f'BGCOLOR="{BAND_FILLS[row.tone]}" HREF="{dot_href(row.href)}" '
        f'TARGET="_top" TITLE="{row.tooltip_html}">'
        f"{title}<BR/>"
        f'<FONT POINT-SIZE="9">{dot_html(row.kind)} · {dot_html(number)}'
        f"{_overlap_note(row.overlap)}</FONT></TD></TR>"
    )


def table_label(
    cells: Sequence[str], first: Row, tone: Band, *, private: bool, hidden: int
) -> str:
    """:func:`objective_label` from its rows already written by
    :func:`table_row` (``first``: the objective's row)."""
    cells = list(cells)
    if hidden:
        cells.append(
            f'<TR><TD ALIGN="LEFT" HREF="{dot_href(first.href)}" '
            f'TARGET="_top" TITLE="{first.tooltip_html}">'
            f'<FONT POINT-SIZE="9">+ {dot_html(plural(hidden, "more key result"))}'
            "</FONT></TD></TR>"
        )
    style = ' STYLE="dashed"' if private else ""
    return (
        f'<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
        f'COLOR="{BAND_COLOURS[tone]}"{style}>{"".join(cells)}</TABLE>'
    )


def private_label(count: int, href: str) -> str:
    """The grey "N private objectives" note of a unit with redacted objectives."""
    return (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="6" '
        f'COLOR="{BAND_COLOURS["none"]}" STYLE="dashed" BGCOLOR="{PRIVATE_FILL}">'
        f'<TR><TD HREF="{dot_href(href)}" TARGET="_top" '
        f'TITLE="Private objectives are not published">'
        f"<I>{dot_html(plural(count, 'private objective'))}</I></TD></TR></TABLE>"
    )


def empty_label(health_metrics: int, href: str) -> str:
    """The note of a unit whose file has no objectives this cycle."""
    text = "no objectives this cycle"
    if health_metrics:
        text += f" · {plural(health_metrics, 'health metric')}"
    return (
        f'<TABLE BORDER="0" CELLPADDING="6"><TR><TD HREF="{dot_href(href)}" '
        f'TARGET="_top" TITLE="Open the unit page"><I>{dot_html(text)}</I></TD></TR></TABLE>'
    )


def box_label(
    *, title_html: str, title_width: float, tooltip_html: str, detail: str,
    value: float | None, tone: Band, href: str, scope: RollupScope, graded: bool = False,
    dashed: bool = False,
) -> str:
    """A summary box standing for one unit (or several: ``dashed``); its number
    says which roll-up it is (``69% · incl. teams``, see ``analysis/progress.py``).
    ``title_width``: points taken by the bold title's widest line."""
    style = "rounded,dashed" if dashed else "rounded"
    number = f"{progress_text(value, graded=graded)} · {ROLLUP_LABELS[scope]}"
    widest = max(
        title_width,
        text_width(detail, SMALL_FONT_SIZE),
        text_width(number, SMALL_FONT_SIZE),
    )
    return (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="6" '
        f'COLOR="{BAND_COLOURS[tone]}" STYLE="{style}" BGCOLOR="{BAND_FILLS[tone]}">'
        f'<TR><TD{cell_width(widest, 6, 0)} HREF="{dot_href(href)}" TARGET="_top" '
        f'TITLE="{tooltip_html}">'
        f"<B>{title_html}</B><BR/>"
        f'<FONT POINT-SIZE="9">{dot_html(detail)}<BR/>{dot_html(number)}'
        f"</FONT></TD></TR></TABLE>"
    )


def cluster_label(name: str, href: str) -> str:
    """The heading of a unit's cluster: the unit's name, linking to its page."""
    width = cell_width(text_width(dot_line(name), CLUSTER_FONT_SIZE, bold=True), 2, 0)
    return (
        f'<TABLE BORDER="0" CELLPADDING="2"><TR><TD{width} HREF="{dot_href(href)}" '
        f'TARGET="_top" TITLE="{tooltip(name)}"><B>{dot_html(name)}</B>'
        f"</TD></TR></TABLE>"
    )


def legend_label(scoring: Scoring) -> str:
    """The colour key under the graph, with the company's band thresholds."""
    thresholds = {
        "green": f" ≥ {percent(scoring.green)}",
        "yellow": f" ≥ {percent(scoring.yellow)}",
        "red": "",
        "none": "",
    }
    tones: tuple[Band, ...] = ("green", "yellow", "red", "none")
    cells = [
        f'<TD BGCOLOR="{BAND_FILLS[tone]}" COLOR="{BAND_COLOURS[tone]}">'
        f"{dot_html(BAND_LABELS[tone] + thresholds[tone])}</TD>"
        for tone in tones
    ]
    return (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="3">'
        f'<TR>{"".join(cells)}</TR>'
        '<TR><TD COLSPAN="4" BORDER="0"><FONT POINT-SIZE="8">arrow: aligns to / '
        "contributes to · dashed: related · bold: served by 2+ units</FONT></TD></TR>"
        "</TABLE>"
    )
