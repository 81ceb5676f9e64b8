"""Charts of progress over time: score distribution, unit trend, calibration.

Drawings of facts computed in :mod:`okrsite.analysis.history` and
:mod:`okrsite.analysis.calibration`, following the rules of
:mod:`okrsite.render.charts` (no script, ``currentColor``, CSS classes, band
colours from CSS custom properties, escaped text, one-decimal numbers).
Pure: facts in, SVG text out.
"""

from __future__ import annotations

import math

from okrsite.analysis.calibration import Calibration, summary
from okrsite.analysis.history import DISTRIBUTION_BINS, CycleSummary, UnitCycleRecord
from okrsite.analysis.progress import Band, band, fraction_text
from okrsite.model import Scoring
from okrsite.render.charts import BAND_COLOURS, num, svg_open, svg_text


def distribution_svg(summary: CycleSummary, scoring: Scoring, *, title: str) -> str:
    """A small bar chart of the KR score distribution; ``""`` when nothing is scored."""
    if summary.scored == 0:
        return ""
    width, height = 320, 110
    left, right, top, bottom = 24.0, 312.0, 10.0, 86.0
    biggest = max(summary.distribution)
    slot = (right - left) / DISTRIBUTION_BINS
    desc = ", ".join(
        f"{i / 10:.1f}–{(i + 1) / 10:.1f}: {n}" for i, n in enumerate(summary.distribution)
    )
    out = svg_open(
        "okr-chart okr-chart--distribution",
        width,
        height,
        title,
        f"Key results by score: {desc}",
    )
    out.append(
        f'<line class="okr-chart__axis" x1="{num(left)}" y1="{num(bottom)}" x2="{num(right)}" '
        f'y2="{num(bottom)}" stroke="currentColor" stroke-opacity="0.3"/>'
    )
    for i, count in enumerate(summary.distribution):
        colour: Band = band(i / DISTRIBUTION_BINS, scoring)
        x = left + i * slot + 2
        label_x = left + (i + 0.5) * slot
        if count:
            h = count / biggest * (bottom - top - 10)
            out.append(
                f'<rect class="okr-chart__bar okr-chart__bar--{colour}" x="{num(x)}" '
                f'y="{num(bottom - h)}" width="{num(slot - 4)}" height="{num(h)}" '
                f'style="fill:{BAND_COLOURS[colour]}"/>'
            )
            out.append(
                f'<text class="okr-chart__label" x="{num(label_x)}" y="{num(bottom - h - 2)}" '
                f'text-anchor="middle">{count}</text>'
            )
        if i % 2 == 0:
            out.append(
                f'<text class="okr-chart__label" x="{num(left + i * slot)}" '
                f'y="{num(bottom + 11)}" text-anchor="middle">{i / 10:.1f}</text>'
            )
    out.append(
        f'<text class="okr-chart__label" x="{num(right)}" y="{num(bottom + 11)}" '
        f'text-anchor="middle">1.0</text>'
    )
    out.append(
        f'<text class="okr-chart__label" x="{num((left + right) / 2)}" y="{num(bottom + 22)}" '
        f'text-anchor="middle">score</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def trend_svg(records: list[UnitCycleRecord], *, title: str) -> str:
    """A sparkline of a unit's score/progress over cycles (oldest → newest).

    Needs at least two cycles with a value; otherwise ``""``. Graded cycles
    have filled dots, cycles still running hollow ones.
    """
    points = [r for r in records if r.value is not None]
    if len(points) < 2:
        return ""
    width, height = 320, 80
    left, right, top, bottom = 24.0, 300.0, 8.0, 60.0
    step = (right - left) / (len(points) - 1)

    def y(value: float) -> float:
        return bottom - value * (bottom - top)

    coords = [(left + i * step, y(r.value or 0.0)) for i, r in enumerate(points)]
    desc = "; ".join(
        f"{r.cycle_title}: {fraction_text(r.value, graded=r.graded)}"
        f"{'' if r.graded else ' (in progress)'}" for r in points
    )
    out = svg_open("okr-chart okr-chart--trend", width, height, title, desc)
    for value in (0.0, 1.0):
        out.append(
            f'<line class="okr-chart__axis" x1="{num(left)}" y1="{num(y(value))}" '
            f'x2="{num(right)}" y2="{num(y(value))}" stroke="currentColor" '
            f'stroke-opacity="0.2"/>'
        )
        out.append(
            f'<text class="okr-chart__label" x="{num(left - 4)}" y="{num(y(value) + 3)}" '
            f'text-anchor="end">{value:.0f}</text>'
        )
    joined = " ".join(f"{num(x)},{num(yy)}" for x, yy in coords)
    out.append(
        f'<polyline class="okr-chart__value" points="{joined}" fill="none" '
        f'stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>'
    )
    for record, (x, yy) in zip(points, coords, strict=True):
        fill = BAND_COLOURS[record.band] if record.graded else "none"
        out.append(
            f'<circle class="okr-chart__dot okr-chart__dot--{record.band}" cx="{num(x)}" '
            f'cy="{num(yy)}" r="3" stroke="currentColor" style="fill:{fill}"/>'
        )
        out.append(
            f'<text class="okr-chart__label" x="{num(x)}" y="{num(bottom + 14)}" '
            f'text-anchor="middle">{svg_text(record.cycle_id)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


_SIZE = 160


_X0, _X1, _Y0, _Y1 = 30.0, 150.0, 10.0, 130.0


def reliability_svg(cal: Calibration, *, title: str) -> str:
    """A reliability diagram: forecast (x) against the share that came true (y).

    Same rules as :mod:`okrsite.render.charts`: inline, no script, ``currentColor``
    and CSS classes (``okr-chart__ideal`` is the diagonal of perfect
    calibration, ``okr-chart__value`` the bins' polyline, dots sized by
    count). Returns ``""`` when there are no samples.
    """
    if not cal.count:
        return ""

    def px(v: float) -> float:
        return _X0 + v * (_X1 - _X0)

    def py(v: float) -> float:
        return _Y1 - v * (_Y1 - _Y0)

    out = svg_open("okr-chart okr-chart--reliability", _SIZE, _SIZE, title, summary(cal))
    out.append(
        f'<rect class="okr-chart__frame" x="{num(_X0)}" y="{num(_Y0)}" '
        f'width="{num(_X1 - _X0)}" height="{num(_Y1 - _Y0)}" fill="none" '
        f'stroke="currentColor" stroke-opacity="0.3"/>'
    )
    out.append(
        f'<line class="okr-chart__ideal" x1="{num(px(0))}" y1="{num(py(0))}" '
        f'x2="{num(px(1))}" y2="{num(py(1))}" stroke="currentColor" '
        f'stroke-dasharray="1 3" stroke-opacity="0.6"/>'
    )
    used = [b for b in cal.bins if b.count and b.mean_forecast is not None]
    biggest = max(b.count for b in used)
    points = [(px(b.mean_forecast or 0), py(b.observed or 0)) for b in used]
    if len(points) > 1:
        joined = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        out.append(
            f'<polyline class="okr-chart__value" points="{joined}" fill="none" '
            f'stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>'
        )
    for b, (x, y) in zip(used, points, strict=True):
        radius = 2.0 + 4.0 * math.sqrt(b.count / biggest)
        out.append(
            f'<circle class="okr-chart__dot" cx="{num(x)}" cy="{num(y)}" r="{num(radius)}">'
            f"<title>{b.count} forecasts {b.lower:.1f}–{b.upper:.1f}: "
            f"{round((b.observed or 0) * 100)}% came true</title></circle>"
        )
    labels = [
        (_X0, _Y1 + 12, "0", "middle"),
        (_X1, _Y1 + 12, "1", "middle"),
        ((_X0 + _X1) / 2, _Y1 + 24, "forecast", "middle"),
        (_X0 - 4, _Y1 + 3, "0", "end"),
        (_X0 - 4, _Y0 + 3, "1", "end"),
    ]
    for x, y, text, anchor in labels:
        out.append(
            f'<text class="okr-chart__label" x="{num(x)}" y="{num(y)}" '
            f'text-anchor="{anchor}">{text}</text>'
        )
    out.append(
        f'<text class="okr-chart__label" x="{num(_X0 - 14)}" y="{num((_Y0 + _Y1) / 2)}" '
        f'text-anchor="middle" transform="rotate(-90 {num(_X0 - 14)} '
        f'{num((_Y0 + _Y1) / 2)})">came true</text>'
    )
    out.append("</svg>")
    return "\n".join(out)
