"""How KR values, confidence and check-ins read on a page.

Thin page adapters: the wording lives in :mod:`okrsite.render.fmt` (values, ranges,
confidence levels) and the check-in chart in :mod:`okrsite.render.charts`; this
module only wraps them in escaped Markup for the templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from markupsafe import Markup

from okrsite.analysis.progress import threshold_met
from okrsite.model import CheckIn, Confidence, Cycle, KeyResult, Scoring
from okrsite.render import fmt
from okrsite.render.charts import checkin_chart, dot_marker_defs
from okrsite.render.escape import html_content, html_text
from okrsite.render.richtext import RichText, markdown_html, markdown_inline
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
    4 h: met)`` or ``done`` / ``not done``; empty for a KR without numbers
    and without a value (its bar already says "no data": a lone ``–`` beside
    it read as a missing figure)."""
    text = fmt.format_progression(kr)
    return "" if text == "–" else text


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


def measured_fact(kr: KeyResult) -> Markup | None:
    """:func:`measured_text` for the page, escaped, as one run of text (no inner
    tags) so that it reads, copies and searches exactly as written."""
    text = measured_text(kr)
    return None if text is None else Markup('<span class="okr-measured">{}</span>').format(text)


def latest_confidence(kr: KeyResult) -> Confidence | None:
    return fmt.latest_confidence(kr)


def confidence_level(confidence: Confidence) -> str:
    return fmt.confidence_level(confidence) or "none"


def confidence_chip(confidence: Confidence) -> Markup:
    """Confidence as a traffic light plus words (colour is never the only signal).

    The traffic light is the stylesheet's (``.okr-confidence::before``, lit
    by the level's class): every KR of a unit page has a chip, and three
    empty elements each cost more than the rule written once."""
    level = fmt.confidence_level(confidence) or "none"
    label = fmt.confidence_label(confidence)
    return Markup(
        f'<span class="okr-chip okr-confidence okr-confidence--{level}" '
        f'title="latest confidence forecast"> confidence {html_text(label)}</span>'
    )


def _checkin_value(
    kr: KeyResult, checkin: CheckIn, value_text: Callable[[float], str] | None = None
) -> str:
    """``value_text``: :func:`with_unit` of the KR's values, when the caller
    has it for all of them (:func:`okrsite.render.fmt.value_formatter`)."""
    if checkin.value is not None:
        text = with_unit(checkin.value, kr) if value_text is None else value_text(checkin.value)
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
    kr: KeyResult,
    cycle: Cycle,
    scoring: Scoring,
    *,
    cache: BuildCache | None = None,
    renderer: RichText | None = None,
) -> Markup:
    """Check-in history as one raw-HTML block: the chart (numeric and
    threshold KRs), the latest note, and the full table in ``<details>``.
    With a preview server's ``cache`` the block is reused while ``kr``, the
    cycle's definition and ``scoring`` are the same objects."""
    return remembered(
        None if cache is None else cache.checkins,
        (kr, cycle.definition, scoring),
        lambda: _checkins_block(kr, cycle, scoring, renderer),
    )


def _checkins_block(
    kr: KeyResult, cycle: Cycle, scoring: Scoring, renderer: RichText | None = None
) -> Markup:
    # No sanitiser pass here: the chart is built from escaped text and numbers
    # (charts.py), the table from html_content (written as the sanitiser would
    # write it) and notes already sanitised once by the build's RichText.
    chart = checkin_chart(kr, cycle.definition, scoring, title=kr.title, standalone=False)
    rows = []
    confidences: dict[object, str] = {None: ""}  # a KR's forecasts repeat: 0.7, 0.7, 0.6
    value_text = fmt.value_formatter(kr.unit, kr.prefix)
    # A value's text is the KR's prefix, a number and its unit: with a plain
    # prefix and unit (most KRs) it is its own HTML, and the escaping of a
    # table's ~13 values is skipped (html_content would return them as they are).
    plain = _plain_html(kr.prefix) and _plain_html(kr.unit)
    threshold = kr.effective_kind == "threshold"
    for checkin in sorted(kr.checkins, key=_by_date, reverse=True):
        confidence = confidences.get(checkin.confidence)
        if confidence is None:
            label = fmt.confidence_label(checkin.confidence)
            confidence = confidences[checkin.confidence] = html_content(label)
        note = markdown_inline(checkin.note, renderer) if checkin.note else ""
        if checkin.value is not None and not threshold:  # the usual row: a number
            value = value_text(checkin.value)
            if not plain:
                value = html_content(value)
        else:
            value = html_content(_checkin_value(kr, checkin, value_text))
        # HTML's optional end tags (</td>, </tr>, </th>, </thead>, </tbody>)
        # are left out: the parser closes each cell at the next <td>/<tr>
        # and at </table>, so the table is the same DOM in a quarter fewer
        # bytes (a unit page has a table per KR, ~13 rows each). Safe because
        # every cell's content is inline (escaped text, sanitised inline
        # Markdown), never a table part.
        rows.append(
            f"<tr><td>{checkin.date.isoformat()}<td>{value}<td>{confidence}<td>{note}"
        )
    latest = max(kr.checkins, key=_by_date)
    noun = "check-in" if len(kr.checkins) == 1 else "check-ins"
    summary = f"{len(kr.checkins)} {noun} · latest {latest.date.isoformat()}"
    # The chart is drawn from the table below: keep it out of the search index
    # (data-search-exclude). The latest note is shown beside the KR (unit.py's
    # status notes).
    table = (
        '<details class="okr-checkins">'
        f"<summary>{html_content(summary)}</summary>"
        "<table><thead><tr><th>Date<th>Value<th>Confidence<th>Note"
        f"<tbody>{''.join(rows)}</table></details>"
    )
    chart_html = (
        f'<div class="okr-chart-wrap" data-search-exclude>\n{chart}\n</div>\n' if chart else ""
    )
    return raw_block(f"{chart_html}{table}", "okr-checkin-history")


def _plain_html(text: str | None) -> bool:
    """Whether ``text`` is the same as HTML content (:func:`html_content`
    returns it unchanged, and does so for any text it is joined to)."""
    return not text or (html_content(text) == text and "\r" not in text)


def chart_defs() -> Markup:
    """What a page with check-in charts carries once for all of them (the
    earlier check-ins' dot marker, charts.dot_marker_defs), out of sight and
    out of the search index."""
    return raw_block(dot_marker_defs(), "okr-chart-defs", searchable=False)


def _by_date(checkin: CheckIn) -> dt.date:
    return checkin.date


def latest_checkin_note(kr: KeyResult) -> CheckIn | None:
    """The newest check-in, when it has a note."""
    if not kr.checkins:
        return None
    latest = max(kr.checkins, key=lambda c: c.date)
    return latest if latest.note else None


def _labelled_note(
    label: str, text: str, css_class: str, renderer: RichText | None = None
) -> Markup:
    """A rendered note whose first paragraph starts with a bold label."""
    body = markdown_html(text, heading_floor=5, renderer=renderer)
    head = f"<strong>{html_text(label)}:</strong> "
    body = "<p>" + head + body[3:] if body.startswith("<p>") else f"<p>{head}</p>\n{body}"
    return Markup(f'<div class="okr-text okr-note {css_class}">\n{body}\n</div>')


def status_notes(kr: KeyResult, renderer: RichText | None = None) -> list[Markup]:
    """What the KR's owner last said about it, for beside the KR.

    The KR's own ``note`` ("Grading note" once it has a score: what came of
    it and what was learned; else its "Status"), and the newest check-in's
    note when there is one that says something else."""
    notes: list[Markup] = []
    if kr.note:
        graded = kr.score is not None
        label = "Grading note" if graded else "Status"
        kind = "okr-note--grading" if graded else "okr-note--status"
        notes.append(_labelled_note(label, kr.note, kind, renderer))
    latest = latest_checkin_note(kr)
    if latest is not None and latest.note and latest.note != kr.note:
        label = f"Latest check-in, {latest.date.isoformat()}"
        notes.append(_labelled_note(label, latest.note, "okr-note--checkin", renderer))
    return notes
