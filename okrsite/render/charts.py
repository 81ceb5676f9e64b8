"""Small inline SVG charts of key-result check-ins. Pure: model in, SVG text out.

Each chart is one ``<svg>`` element meant to be inlined in a page (wrap it in
a block element such as ``<div>`` so Markdown leaves it alone). It needs no
JavaScript and no external resources, and reads in light and dark themes:

- lines and text use ``currentColor`` (the page's text colour);
- parts carry CSS classes so the stylesheet can restyle them:
  ``okr-chart__value`` (the check-in values: polyline, ``okr-chart__dots``
  for the earlier dots and an ``okr-chart__dot`` circle for the latest),
  ``okr-chart__ideal`` (start at the cycle start → target at the
  cycle end), ``okr-chart__target`` (dashed target/threshold line),
  ``okr-chart__confidence`` (latest confidence, coloured), ``okr-chart__label``;
- band colours come from CSS custom properties with fallbacks, e.g.
  ``style="fill:var(--okr-green,#2e9d48)"`` (presentation attributes cannot
  use ``var()``, inline ``style`` can).

Accessibility: ``role="img"`` with ``<title>`` (the caller's title) and
``<desc>`` (a sentence with the numbers, e.g. "Cut time to first value:
14 → 9 days on 2026-01-19, target 5 days; confidence 0.7 (high)").

Content is untrusted: every text goes through :func:`svg_text` (escaped with
:func:`okrsite.render.escape.xml_text`, whitespace collapsed to one line).
Output is deterministic: coordinates are rounded to one decimal and nothing
depends on the clock or on dict order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

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
    text = f"{round(value, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text


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


def _line(css: str, x1: float, y1: float, x2: float, y2: float, extra: str = "") -> str:
    return (
        f'<line class="{css}" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
        f'stroke="currentColor"{extra}/>'
    )


def _text(css: str, x: float, y: float, text: str, anchor: str = "start") -> str:
    # "start" is SVG's initial text-anchor: only other anchors are written.
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return f'<text class="{css}" x="{num(x)}" y="{num(y)}"{anchor_attr}>{svg_text(text)}</text>'


def _dots(points: list[tuple[float, float]]) -> str:
    """Dots of radius 2.5 in the text colour, as one path: a zero-length
    segment with a round cap of width 5 paints exactly such a disc, in a
    fifth of the bytes of a ``<circle>`` each (a chart can have 13+)."""
    d = "".join(f"M{num(x)} {num(y)}h0" for x, y in points)
    return (
        f'<path class="okr-chart__dots" d="{d}" fill="none" stroke="currentColor" '
        'stroke-width="5" stroke-linecap="round"/>'
    )


def chart_description(kr: KeyResult, title: str) -> str:
    """The chart's text alternative (also useful as a tooltip)."""
    points = _value_checkins(kr)
    latest = points[-1] if points else None
    value = (
        f"{format_value(latest.value, kr.unit, kr.prefix)} on {latest.date.isoformat()}"
        if latest
        else "no check-ins yet"
    )
    if kr.effective_kind == "threshold":
        text = f"{title}: {threshold_text(kr)}; {value}"
        if latest is not None:
            met = threshold_met(kr, latest.value)
            text += " (met)" if met else " (not met)"
    else:
        start = format_value(kr.start, kr.unit, kr.prefix)
        target = format_value(kr.target, kr.unit, kr.prefix)
        if latest is None:
            text = f"{title}: start {start}, target {target}; {value}"
        else:
            seen = [kr.start, latest.value] if kr.start is not None else [latest.value]
            moved = join_values(seen, kr.unit, kr.prefix)
            text = f"{title}: {moved} on {latest.date.isoformat()}, target {target}"
    confidence = latest_confidence(kr)
    if confidence is not None:
        text += f"; confidence {confidence_label(confidence)}"
    return text


def checkin_chart(kr: KeyResult, cycle: CycleDef, scoring: Scoring, *, title: str) -> str:
    """An inline SVG of a KR's check-ins over ``cycle`` (see module docstring).

    Numeric KRs: values, the ideal line and the target. Threshold KRs: values
    and the threshold line, each dot coloured met/not met. Milestones, and
    numeric KRs with neither values nor start and target, get ``""`` (the
    caller shows done/not done or nothing).
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

    out = svg_open("okr-chart", WIDTH, HEIGHT, title, chart_description(kr, title))
    out.append(_line("okr-chart__axis", LEFT, BOTTOM, RIGHT, BOTTOM, ' stroke-opacity="0.3"'))
    out.append(_text("okr-chart__label", LEFT, HEIGHT - 4, short_date(d0)))
    out.append(_text("okr-chart__label", RIGHT, HEIGHT - 4, short_date(d1), "end"))

    if kr.target is not None:
        ty = scale.y(kr.target)
        out.append(
            _line(
                "okr-chart__target",
                LEFT,
                ty,
                RIGHT,
                ty,
                ' stroke-dasharray="4 3" stroke-opacity="0.6"',
            )
        )
        out.append(
            _text(
                "okr-chart__label",
                LEFT - 4,
                ty + 3,
                axis_value(kr.target, kr),
                "end",
            )
        )
    if kind == "numeric" and kr.start is not None and kr.target is not None:
        sy = scale.y(kr.start)
        out.append(
            _line(
                "okr-chart__ideal",
                scale.x(cycle.start),
                sy,
                scale.x(cycle.end),
                scale.y(kr.target),
                ' stroke-dasharray="1 3" stroke-opacity="0.5"',
            )
        )
        if abs(sy - scale.y(kr.target)) >= 9:
            out.append(
                _text(
                    "okr-chart__label",
                    LEFT - 4,
                    sy + 3,
                    axis_value(kr.start, kr),
                    "end",
                )
            )

    coords = [(scale.x(c.date), scale.y(c.value)) for c in points if c.value is not None]
    if len(coords) > 1:
        joined = " ".join(f"{num(x)},{num(y)}" for x, y in coords)
        out.append(
            f'<polyline class="okr-chart__value" points="{joined}" fill="none" '
            f'stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>'
        )
    if kind != "threshold" and len(coords) > 1:
        out.append(_dots(coords[:-1]))
    for i, (checkin, (x, y)) in enumerate(zip(points, coords, strict=True)):
        css = "okr-chart__dot"
        style = ""
        if kind == "threshold":
            met = threshold_met(kr, checkin.value)
            css += " okr-chart__dot--met" if met else " okr-chart__dot--missed"
            style = f' style="fill:{BAND_COLOURS["green" if met else "red"]}"'
        elif i == len(points) - 1:
            colour = band(numeric_progress(kr.start, kr.target, checkin.value), scoring)
            css += f" okr-chart__dot--latest okr-chart__dot--{colour}"
        else:
            continue  # drawn by _dots above
        out.append(f'<circle class="{css}" cx="{num(x)}" cy="{num(y)}" r="2.5"{style}/>')

    confidence = latest_confidence(kr)
    if confidence is not None:
        level_band = confidence_band(confidence)
        cy = coords[-1][1] if coords else (TOP + BOTTOM) / 2
        out.append(
            f'<circle class="okr-chart__confidence okr-chart__confidence--{level_band}" '
            f'cx="{num(RIGHT + 10)}" cy="{num(cy)}" r="4" '
            f'style="fill:{BAND_COLOURS[level_band]}"/>'
        )
        word = confidence if isinstance(confidence, str) else f"{round(confidence, 2):g}"
        out.append(_text("okr-chart__label", RIGHT + 17, cy + 3, word))
    out.append("</svg>")
    return "\n".join(out)
