"""How KR values, confidence and check-ins read on a page.

Thin page adapters: the wording lives in :mod:`okrsite.render.fmt` (values, ranges,
confidence levels) and the check-in chart in :mod:`okrsite.render.charts`; this
module only wraps them in escaped Markup for the templates.
"""

from __future__ import annotations

from markupsafe import Markup

from okrsite.analysis.progress import threshold_met
from okrsite.model import CheckIn, Confidence, Cycle, KeyResult, Scoring
from okrsite.render import fmt, sanitize
from okrsite.render.charts import checkin_chart
from okrsite.render.escape import html_text
from okrsite.site.cache import BuildCache, remembered
from okrsite.site.parking import raw_block


def number(value: float | None) -> str:
    """``150.0`` → ``150``; ``1.50`` → ``1.5``; thousands separated."""
    return "–" if value is None else fmt.format_number(value)


def with_unit(value: float | None, kr: KeyResult) -> str:
    """A value with the KR's prefix and unit: ``$3M``, ``78%``, ``14 days``."""
    return fmt.format_value(value, kr.unit, kr.prefix)


def range_text(kr: KeyResult) -> str:
    """``14 → 9 → 5 days`` (start → current → target), ``3.1 h (stay below
    4 h: met)`` or ``done`` / ``not done``."""
    return fmt.format_progression(kr)


def measured_text(kr: KeyResult) -> str | None:
    """Where a measured KR's number comes from and when:
    ``517 · as of 2027-02-15 · from data/clinics.csv`` (None if not measured)."""
    measured = kr.measured
    if measured is None:
        return None
    if measured.as_of is None:
        return f"no data in this cycle yet · from {measured.file}"
    value = with_unit(measured.value, kr)
    return f"{value} · as of {measured.as_of.isoformat()} · from {measured.file}"


def latest_confidence(kr: KeyResult) -> Confidence | None:
    return fmt.latest_confidence(kr)


def confidence_level(confidence: Confidence) -> str:
    return fmt.confidence_level(confidence) or "none"


def confidence_chip(confidence: Confidence) -> Markup:
    """Confidence as a traffic light plus words (colour is never the only signal)."""
    level = fmt.confidence_level(confidence) or "none"
    label = fmt.confidence_label(confidence)
    return Markup(
        f'<span class="okr-chip okr-confidence okr-confidence--{level}" '
        f'title="latest confidence forecast">'
        f'<span class="okr-traffic okr-traffic--{level}" aria-hidden="true">'
        "<i></i><i></i><i></i></span> "
        f"confidence {html_text(label)}</span>"
    )


def _one_line(text: str | None) -> str:
    """Escaped text with whitespace collapsed: a blank line would end the
    raw HTML block this text sits in."""
    return html_text(" ".join((text or "").split()))


def _checkin_value(kr: KeyResult, checkin: CheckIn) -> str:
    if checkin.value is not None:
        text = with_unit(checkin.value, kr)
        if kr.effective_kind == "threshold":
            met = threshold_met(kr, checkin.value) if checkin.met is None else checkin.met
            text += " (met)" if met else " (not met)"
        return text
    if checkin.done is not None:
        return fmt.done_text(checkin.done)
    if checkin.met is not None:
        return "met" if checkin.met else "not met"
    return "–"


def checkins_block(
    kr: KeyResult, cycle: Cycle, scoring: Scoring, *, cache: BuildCache | None = None
) -> Markup:
    """Check-in history as one raw-HTML block: the chart (numeric and
    threshold KRs), the latest note, and the full table in ``<details>``.
    With a preview server's ``cache`` the block is reused while ``kr``, the
    cycle's definition and ``scoring`` are the same objects."""
    return remembered(
        None if cache is None else cache.checkins,
        (kr, cycle.definition, scoring),
        lambda: _checkins_block(kr, cycle, scoring),
    )


def _checkins_block(kr: KeyResult, cycle: Cycle, scoring: Scoring) -> Markup:
    chart = checkin_chart(kr, cycle.definition, scoring, title=kr.title)
    rows = []
    for checkin in sorted(kr.checkins, key=lambda c: c.date, reverse=True):
        confidence = "" if checkin.confidence is None else fmt.confidence_label(checkin.confidence)
        rows.append(
            "<tr>"
            f"<td>{checkin.date.isoformat()}</td>"
            f"<td>{html_text(_checkin_value(kr, checkin))}</td>"
            f"<td>{html_text(confidence)}</td>"
            f"<td>{_one_line(checkin.note)}</td>"
            "</tr>"
        )
    latest = max(kr.checkins, key=lambda c: c.date)
    noun = "check-in" if len(kr.checkins) == 1 else "check-ins"
    summary = f"{len(kr.checkins)} {noun} · latest {latest.date.isoformat()}"
    # The chart is drawn from the table below: keep it out of the search index
    # (data-search-exclude, added after sanitising, which would drop it).
    parts: list[str] = []
    if latest.note:
        parts.append(
            f'<p class="okr-latest-note"><strong>{latest.date.isoformat()}:</strong> '
            f"{_one_line(latest.note)}</p>"
        )
    parts.append(
        '<details class="okr-checkins">'
        f"<summary>{html_text(summary)}</summary>"
        "<table><thead><tr><th>Date</th><th>Value</th><th>Confidence</th><th>Note</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></details>"
    )
    chart_html = (
        f'<div class="okr-chart-wrap" data-search-exclude>\n{sanitize.clean(chart)}\n</div>\n'
        if chart
        else ""
    )
    return raw_block(f"{chart_html}{sanitize.clean(chr(10).join(parts))}", "okr-checkin-history")
