"""The HTML-like labels of graph nodes: pure functions, text in, DOT label out.

Every piece of content passes through :mod:`okrsite.render.escape`'s DOT
functions (``dot_html`` for text, ``dot_html_attr`` for ``TITLE``,
``dot_href`` for ``HREF``); the numbers and words okrsite adds go through
``dot_html`` too, so there is one escaping for everything in a label.
"""

from __future__ import annotations

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
    MAX_LINES,
    PRIVATE_FILL,
    TOOLTIP_CHARS,
    WRAP,
)
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


@dataclass
class LabelText:
    """Titles and tooltips of content, escaped, remembered for one
    :func:`~okrsite.graphs.page_graphs` call: the same objective is drawn on
    its own unit's page, its parent's and the overview, and wrapping is the
    slow part of building DOT.
    """

    titles: dict[tuple[str, int], str] = field(default_factory=dict)
    tooltips: dict[str, str] = field(default_factory=dict)

    def title(self, text: str, width: int = WRAP) -> str:
        """The title wrapped to at most :data:`MAX_LINES` lines of ``width``
        characters, each escaped, joined with ``<BR/>``."""
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
            found = self.titles[key] = "<BR/>".join(dot_html(line) for line in lines)
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
    return f" · <I>supported by {count} units</I>" if count >= 2 else ""


def objective_label(
    rows: Sequence[Row], tone: Band, *, private: bool, hidden: int
) -> str:
    """An objective with its KRs as a table: the first row is the objective,
    then one row per drawn KR, then "+ N more key results" when ``hidden``."""
    cells = []
    for row in rows:
        title = f"<B>{row.title_html}</B>" if row.port == "o" else row.title_html
        number = progress_text(row.value, graded=row.graded)
        cells.append(
            f'<TR><TD PORT="{row.port}" ALIGN="LEFT" BALIGN="LEFT" '
            f'BGCOLOR="{BAND_FILLS[row.tone]}" HREF="{dot_href(row.href)}" '
            f'TARGET="_top" TITLE="{row.tooltip_html}">'
            f"{title}<BR/>"
            f'<FONT POINT-SIZE="9">{dot_html(row.kind)} · {dot_html(number)}'
            f"{_overlap_note(row.overlap)}</FONT></TD></TR>"
        )
    if hidden:
        cells.append(
            f'<TR><TD ALIGN="LEFT" HREF="{dot_href(rows[0].href)}" '
            f'TARGET="_top" TITLE="{rows[0].tooltip_html}">'
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
    *, title_html: str, tooltip_html: str, detail: str, value: float | None, tone: Band,
    href: str, scope: RollupScope, graded: bool = False, dashed: bool = False,
) -> str:
    """A summary box standing for one unit (or several: ``dashed``); its number
    says which roll-up it is (``69% · incl. teams``, see ``analysis/progress.py``)."""
    style = "rounded,dashed" if dashed else "rounded"
    number = f"{progress_text(value, graded=graded)} · {ROLLUP_LABELS[scope]}"
    return (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="6" '
        f'COLOR="{BAND_COLOURS[tone]}" STYLE="{style}" BGCOLOR="{BAND_FILLS[tone]}">'
        f'<TR><TD HREF="{dot_href(href)}" TARGET="_top" TITLE="{tooltip_html}">'
        f"<B>{title_html}</B><BR/>"
        f'<FONT POINT-SIZE="9">{dot_html(detail)}<BR/>{dot_html(number)}'
        f"</FONT></TD></TR></TABLE>"
    )


def cluster_label(name: str, href: str) -> str:
    """The heading of a unit's cluster: the unit's name, linking to its page."""
    return (
        f'<TABLE BORDER="0" CELLPADDING="2"><TR><TD HREF="{dot_href(href)}" '
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
