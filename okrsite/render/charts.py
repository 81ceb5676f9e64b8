"""Small inline SVG charts of key-result check-ins. Pure: model in, SVG text out.

Each chart is one ``<svg>`` element meant to be inlined in a page (wrap it in
a block element such as ``<div>`` so Markdown leaves it alone). It needs no
JavaScript and no external resources, and reads in light and dark themes.
Its look is the site stylesheet's (``.okr-chart--kr`` rules in
``templates/okrsite.css``), so each chart carries only geometry, text and
class names:

- lines, dots and text are drawn in ``currentColor`` (the page's text
  colour), band colours from the ``--okr-green``… custom properties;
- the parts' classes, short words that only mean something inside
  ``.okr-chart--kr`` (a unit page carries one chart per KR, so every byte of
  markup repeats): ``axis``, ``value`` (the check-in values' line, a
  relative path), ``dots`` (the earlier dots, one path) and ``dot`` circles
  (the latest, with its band ``green``/``yellow``/``red``/``none``, or each
  threshold check-in's ``met``/``missed``), ``ideal`` (start at the cycle
  start → target at the cycle end), ``target`` (dashed target/threshold
  line), ``conf`` + band (latest confidence); every ``<text>`` is an axis or
  confidence label, ``end`` the right-aligned ones.

The chart is safe by construction (escaped text, numbers and our own class
names), so pages inline it without a sanitiser pass.

Accessibility: ``role="img"`` with ``<title>`` (the caller's title) and
``<desc>`` (a sentence with the numbers, e.g. "14 → 9 days on
2026-01-19, target 5 days; confidence 0.7 (high)"; the title is the
accessible name already, so the description does not repeat it).

Content is untrusted: every text goes through :func:`svg_text` (escaped with
:func:`okrsite.render.escape.xml_text`, whitespace collapsed to one line).
Output is deterministic: coordinates are rounded to one decimal (tenths) and nothing
depends on the clock or on dict order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import pairwise

from okrsite.analysis.progress import band, numeric_progress, threshold_met
from okrsite.model import CheckIn, CycleDef, KeyResult, Scoring
from okrsite.render.escape import xml_text
from okrsite.render.fmt import (
    attaches,
    confidence_band,
    confidence_label,
    format_value,
    join_values,
    latest_confidence,
    threshold_text,
)

WIDTH = 320
HEIGHT = 90
# Plot area inside the view box: y labels on the left, confidence on the right.
LEFT, RIGHT, TOP, BOTTOM = 44.0, 262.0, 8.0, 72.0

BAND_COLOURS = {
    "green": "var(--okr-green,#2e9d48)",
    "yellow": "var(--okr-yellow,#d4a017)",
    "red": "var(--okr-red,#d64541)",
    "none": "var(--okr-none,#9e9e9e)",
}
"""Fill of each band: a CSS custom property with a fallback for standalone use."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def num(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing ``.0`` and never ``-0``."""
    # One format call: a chart writes ~30 of these, a page hundreds.
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
        return "0" if text == "-0" else text
    return text


def short_date(day: dt.date) -> str:
    """``Jan 5`` — locale-independent, so builds are identical everywhere."""
    return f"{_MONTHS[day.month - 1]} {day.day}"


def svg_text(text: object) -> str:
    """Escaped text on one line: a blank line inside an inline SVG would end
    the raw HTML block in Markdown and spill the rest as page text."""
    return xml_text(" ".join(str(text).split()))


def svg_open(css_class: str, width: int, height: int, title: str, desc: str) -> list[str]:
    """The opening of a chart: root element, ``<title>`` and ``<desc>``."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'font-size="9" fill="currentColor" stroke-linecap="round">',
        f"<title>{svg_text(title)}</title>",
        f"<desc>{svg_text(desc)}</desc>",
    ]


def axis_value(value: float, kr: KeyResult) -> str:
    """A short axis label: prefix and attached units only (``$7M``, ``78%``,
    ``150``); word units are left to the description and the page text."""
    unit = kr.unit if kr.unit and attaches(kr.unit) else None
    return format_value(value, unit, kr.prefix)


def _value_checkins(kr: KeyResult) -> list[CheckIn]:
    return sorted((c for c in kr.checkins if c.value is not None), key=lambda c: c.date)


class _Scale:
    """Maps dates and values into the plot area."""

    def __init__(self, days: tuple[dt.date, dt.date], values: Iterable[float]) -> None:
        self.d0, d1 = days
        self.span_days = max(1, (d1 - self.d0).days)
        vals = list(values)
        lo, hi = min(vals), max(vals)
        if hi == lo:
            lo, hi = lo - 1, hi + 1
        pad = (hi - lo) * 0.1
        self.lo, self.hi = lo - pad, hi + pad

    def x(self, day: dt.date) -> float:
        return LEFT + (day - self.d0).days / self.span_days * (RIGHT - LEFT)

    def y(self, value: float) -> float:
        return BOTTOM - (value - self.lo) / (self.hi - self.lo) * (BOTTOM - TOP)

    def tenths_points(self, points: list[CheckIn]) -> list[tuple[int, int]]:
        """``(tenths(x(date)), tenths(y(value)))`` of each check-in (with a
        value), the same arithmetic as :meth:`x` and :meth:`y` written out:
        a chart places a point per check-in, a page dozens of charts."""
        d0, span, lo, height = self.d0, self.span_days, self.lo, self.hi - self.lo
        return [
            (
                round((LEFT + (c.date - d0).days / span * (RIGHT - LEFT)) * 10),
                round((BOTTOM - (c.value - lo) / height * (BOTTOM - TOP)) * 10),
            )
            for c in points
            if c.value is not None
        ]


def _hline(css: str, y: float) -> str:
    """A horizontal line across the plot area (axis, target)."""
    return f'<path class="{css}" d="M{LEFT:g} {num(y)}H{RIGHT:g}"/>'


def _text(x: float, y: float, text: str, anchor: str = "start", *, ours: bool = False) -> str:
    """A label; ``ours``: text we wrote (a date, a number), nothing to escape."""
    # "start" is SVG's initial text-anchor; "end" is the class ``end``
    # (``.okr-chart--kr .end`` in the stylesheet). Every text of the chart is
    # a label: the stylesheet styles them together.
    anchor_attr = "" if anchor == "start" else f' class="{anchor}"'
    shown = text if ours else svg_text(text)
    return f'<text x="{num(x)}" y="{num(y)}"{anchor_attr}>{shown}</text>'


_AXIS_LINE = _hline("axis", BOTTOM)
_FIRST_DATE = _text(LEFT, HEIGHT - 4, "", ours=True).removesuffix("</text>")
_LAST_DATE = _text(RIGHT, HEIGHT - 4, "", "end", ours=True).removesuffix("</text>")
"""Every chart's axis and the opening tags of its two date labels, written once."""

DOT_MARKER = "okr-dot"
"""The id of the page's dot marker (:func:`dot_marker_defs`)."""


def dot_marker_defs() -> str:
    """Once per HTML page with inline charts: the marker that paints the
    earlier check-ins' dots at the value line's points (a disc of radius 2.5
    in the chart's units and the text colour, like :func:`_dots`). Inline
    charts then carry no second copy of their points, only a reference."""
    return (
        '<svg width="0" height="0" aria-hidden="true" focusable="false">'
        f'<marker id="{DOT_MARKER}" markerUnits="userSpaceOnUse" viewBox="0 0 6 6" '
        'markerWidth="6" markerHeight="6" refX="3" refY="3">'
        '<circle cx="3" cy="3" r="2.5" fill="currentColor"/></marker></svg>'
    )


def _dots(points: list[tuple[int, int]]) -> str:
    """Dots of radius 2.5 in the text colour, as one path: a zero-length
    segment with a round cap of width 5 (``.okr-chart--kr .dots`` in the
    stylesheet) paints exactly such a disc, in a fifth of the bytes of a
    ``<circle>`` each (a chart can have 13+); after the first, each dot is a
    relative move from the one before (``points`` in tenths)."""
    steps = _relative(points)
    d = f"M{number_list(points[0])}h0" + "".join(
        f"m{number_list(steps[i:i + 2])}h0" for i in range(0, len(steps), 2)
    )
    return f'<path class="dots" d="{d}"/>'


_UNSET: object = object()


def chart_description(
    kr: KeyResult,
    title: str,
    points: list[CheckIn] | None = None,
    confidence: object = _UNSET,
) -> str:
    """The chart's text alternative (also useful as a tooltip): ``title``,
    then :func:`chart_numbers`."""
    return f"{title}: {chart_numbers(kr, points, confidence)}"


def chart_numbers(
    kr: KeyResult, points: list[CheckIn] | None = None, confidence: object = _UNSET
) -> str:
    """The numbers a sighted reader sees in the chart, as a sentence. ``points``
    (the dated check-ins with values) and ``confidence`` (the latest) when
    the caller has them already."""
    points = _value_checkins(kr) if points is None else points
    latest = points[-1] if points else None
    if kr.effective_kind == "threshold":
        value = (
            f"{format_value(latest.value, kr.unit, kr.prefix)} on {latest.date.isoformat()}"
            if latest
            else "no check-ins yet"
        )
        text = f"{threshold_text(kr)}; {value}"
        if latest is not None:
            met = threshold_met(kr, latest.value)
            text += " (met)" if met else " (not met)"
    else:
        start = format_value(kr.start, kr.unit, kr.prefix)
        target = format_value(kr.target, kr.unit, kr.prefix)
        if latest is None:
            text = f"start {start}, target {target}; no check-ins yet"
        else:
            seen = [kr.start, latest.value] if kr.start is not None else [latest.value]
            moved = join_values(seen, kr.unit, kr.prefix)
            text = f"{moved} on {latest.date.isoformat()}, target {target}"
    if confidence is _UNSET:
        confidence = latest_confidence(kr)
    if confidence is not None:
        text += f"; confidence {confidence_label(confidence)}"  # type: ignore[arg-type]
    return text


def tenths(value: float) -> int:
    """A coordinate in tenths, the precision every chart is drawn at."""
    return round(value * 10)


def tenths_text(value: int) -> str:
    """Tenths as SVG number text: ``142`` -> ``14.2``, ``140`` -> ``14``,
    ``-5`` -> ``-.5`` (a leading zero is optional in SVG)."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def number_list(values: Iterable[int]) -> str:
    """Tenths as an SVG number list: a space between numbers, none before a
    minus sign (``17 -2.5`` is ``17-2.5``)."""
    # A number's text has no space and a minus sign only first: joined by
    # spaces, " -" is exactly a space before a negative number.
    return " ".join([tenths_text(value) for value in values]).replace(" -", "-")


def _relative(points: list[tuple[int, int]]) -> list[int]:
    """The steps between consecutive points (tenths): exact, so no rounding
    error adds up along a relative path."""
    steps: list[int] = []
    for (x0, y0), (x1, y1) in pairwise(points):
        steps += (x1 - x0, y1 - y0)
    return steps


def checkin_chart(
    kr: KeyResult, cycle: CycleDef, scoring: Scoring, *, title: str, standalone: bool = True
) -> str:
    """An inline SVG of a KR's check-ins over ``cycle`` (see module docstring).

    Numeric KRs: values, the ideal line and the target. Threshold KRs: values
    and the threshold line, each dot coloured met/not met. Milestones, and
    numeric KRs with neither values nor start and target, get ``""`` (the
    caller shows done/not done or nothing). ``standalone=False``: for an HTML
    page, whose parser puts ``<svg>`` in the SVG namespace itself (no
    ``xmlns``), and which carries :func:`dot_marker_defs` once for all its
    charts (the earlier dots are that marker on the value line).
    """
    kind = kr.effective_kind
    if kind == "milestone":
        return ""
    points = _value_checkins(kr)
    refs = [v for v in (kr.start, kr.target) if v is not None]
    if kind == "threshold":
        refs = [kr.target] if kr.target is not None else []
    if not points and (kind == "threshold" or len(refs) < 2):
        return ""
    values = [c.value for c in points if c.value is not None]
    d0 = min([cycle.start, *(c.date for c in points)])
    d1 = max([cycle.end, *(c.date for c in points)])
    scale = _Scale((d0, d1), [*refs, *values])
    confidence = latest_confidence(kr)

    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    out = [
        # Strokes, fills, dashes, anchors and the label font are the
        # stylesheet's (``.okr-chart--kr`` in okrsite.css), written once per
        # site instead of on every line of every chart; the parts' class
        # names are short words scoped by ``.okr-chart--kr`` (a page of 25
        # KRs carries 25 charts).
        f'<svg{namespace} class="okr-chart okr-chart--kr" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">',
        f"<title>{svg_text(title)}</title>",
        # The title is the chart's accessible name already: the description
        # carries the numbers only.
        f"<desc>{svg_text(chart_numbers(kr, points, confidence))}</desc>",
        _AXIS_LINE,
        f"{_FIRST_DATE}{short_date(d0)}</text>",
        f"{_LAST_DATE}{short_date(d1)}</text>",
    ]
    if kr.target is not None:
        ty = scale.y(kr.target)
        out.append(_hline("target", ty))
        out.append(_text(LEFT - 4, ty + 3, axis_value(kr.target, kr), "end"))
    if kind == "numeric" and kr.start is not None and kr.target is not None:
        sy = scale.y(kr.start)
        out.append(
            f'<path class="ideal" d="M{num(scale.x(cycle.start))} {num(sy)} '
            f'{num(scale.x(cycle.end))} {num(scale.y(kr.target))}"/>'
        )
        if abs(sy - scale.y(kr.target)) >= 9:
            out.append(_text(LEFT - 4, sy + 3, axis_value(kr.start, kr), "end"))

    # Each point in tenths once: the line, the dots and the last circle share
    # it. Line and dots are relative paths (the steps between weekly check-ins
    # are shorter numbers than the positions).
    coords = scale.tenths_points(points)
    if len(coords) > 1:
        line = f"M{number_list(coords[0])}l{number_list(_relative(coords))}"
        # fill="none" stays inline: a filled line would hide the chart where
        # the stylesheet is missing, an unstroked one only fades.
        dotted = kind != "threshold" and not standalone
        # In a page, the earlier dots are the page's marker at each point of
        # the line (the latest's circle covers the marker at the end);
        # presentation attributes, so the reference resolves in the page.
        markers = (
            f' marker-start="url(#{DOT_MARKER})" marker-mid="url(#{DOT_MARKER})"'
            if dotted else ""
        )
        out.append(f'<path class="value" d="{line}" fill="none"{markers}/>')
    if kind != "threshold" and len(coords) > 1 and standalone:
        out.append(_dots(coords[:-1]))
    # A threshold KR's check-ins each get a met/missed circle; otherwise only
    # the latest is a circle (the earlier dots are drawn above).
    circled = zip(points, coords, strict=True) if kind == "threshold" else (
        [(points[-1], coords[-1])] if points else []
    )
    for checkin, (x, y) in circled:
        if kind == "threshold":
            met = threshold_met(kr, checkin.value)
            css = "dot met" if met else "dot missed"
        else:
            css = "dot " + band(numeric_progress(kr.start, kr.target, checkin.value), scoring)
        out.append(f'<circle class="{css}" cx="{tenths_text(x)}" cy="{tenths_text(y)}" r="2.5"/>')

    if confidence is not None:
        level_band = confidence_band(confidence)
        cy = scale.y(values[-1]) if values else (TOP + BOTTOM) / 2
        out.append(
            f'<circle class="conf {level_band}" cx="{num(RIGHT + 10)}" cy="{num(cy)}" r="4"/>'
        )
        word = confidence if isinstance(confidence, str) else f"{round(confidence, 2):g}"
        out.append(_text(RIGHT + 17, cy + 3, word, ours=not isinstance(confidence, str)))
    out.append("</svg>")
    return "\n".join(out)
