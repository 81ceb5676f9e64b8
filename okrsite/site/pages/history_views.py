"""Page pieces for progress over time: the cadence timeline, "what changed
this week", cycle summaries, unit history and confidence calibration.

Each function returns trusted :class:`~markupsafe.Markup` (or plain data
for templates) built from escaped content, so the lead's templates can drop
them in with ``{{ … }}``. The maths lives in ``cadence``, ``history`` and
``calibration``; this module only lays it out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from okrsite import urls
from okrsite.analysis import cadence
from okrsite.analysis.calibration import Calibration, CalibrationReport, summary
from okrsite.analysis.cycles import next_cycle
from okrsite.analysis.history import (
    CheckinSpans,
    CycleSummary,
    RecentByUnit,
    SummaryParts,
    cycle_summary,
    is_graded,
    recent_checkins,
    unit_history,
)
from okrsite.analysis.progress import (
    ProgressOf,
    fraction_text,
    objective_progress,
    objective_score,
    percent,
    score_text,
)
from okrsite.model import Cycle, OkrModel
from okrsite.render import fmt
from okrsite.render.escape import html_text, md_inline
from okrsite.render.history_charts import distribution_svg, reliability_svg, trend_svg
from okrsite.render.richtext import markdown_inline_in_markdown
from okrsite.site.pages.components import doc_link, html_block, progress_bar, status_chip
from okrsite.site.parking import raw_block


def _day(day: dt.date) -> str:
    """``Mar 25, 2026``: the year always, since timelines outlive their year."""
    return f"{day:%b} {day.day}, {day.year}"


def _when(moment: dt.datetime) -> str:
    """``Mar 25, 2026`` or ``Mar 25, 2026 12:00`` (times only when not midnight)."""
    text = _day(moment.date())
    return text if moment.time() == dt.time(0) else f"{text} {moment:%H:%M}"


def _milestone_day(milestone: cadence.Milestone, cycle: Cycle) -> str:
    # The end instant is the midnight after the last day; people name the last day.
    if milestone.key == "ended":
        return _day(cycle.definition.end)
    return _when(milestone.at)


def _span(start: dt.date, end: dt.date) -> str:
    """``Oct 1 – Dec 31, 2026``, or with both years when they differ."""
    if start.year == end.year:
        return f"{start:%b} {start.day} – {_day(end)}"
    return f"{_day(start)} – {_day(end)}"


def _ended_line(model: OkrModel, cycle: Cycle) -> str:
    """What happened in a cycle that is over: graded or not, its dates, and
    (graded) the scores given — scores, never "on track" words."""
    d = cycle.definition
    if not is_graded(cycle):
        return f"Ended, not graded yet · {_span(d.start, d.end)}"
    bits = ["Graded", _span(d.start, d.end)]
    s = cycle_summary(model, cycle)
    if s.mean_score is not None:
        bits.append(f"mean key result score {score_text(s.mean_score)}")
    if s.achieved or s.missed or s.postponed:
        bits.append(f"objectives achieved {s.achieved}, missed {s.missed}, postponed {s.postponed}")
    return " · ".join(bits)


def phase_block(model: OkrModel, cycle: Cycle, now: dt.datetime) -> Markup:
    """The current phase, the next cycle's planning step when one is under
    way, and the cycle's timeline (past / current / future milestones).

    A cycle that is over reports what happened (graded or not, its dates)
    and lists only its past milestones; "next cycle" events appear only when
    a next cycle is defined."""
    settings = model.company.cadence
    defs = [c.definition for c in model.cycles.values()]
    has_next = next_cycle(defs, cycle.definition) is not None
    current, *planning = cadence.phases(defs, cycle.definition, settings, now)
    ended = current.key == "ended"
    label = _ended_line(model, cycle) if ended else current.label
    lines = [f"<p><strong>{html_text(cycle.title)}</strong> · {html_text(label)}</p>"]
    for upcoming in planning:
        title = model.cycles[upcoming.cycle_id].title
        lines.append(f"<p><strong>{html_text(title)}</strong> · {html_text(upcoming.label)}</p>")
    milestones = cadence.timeline(cycle.definition, settings, now, has_next=has_next)
    coming = next((m for m in milestones if m.state == "future"), None)
    if coming is not None:
        lines.append(
            f'<p class="okr-phase__next">Next: '
            f"<time>{html_text(_milestone_day(coming, cycle))}</time> · "
            f"{html_text(coming.label)}</p>"
        )
    lines.append('<details class="okr-timeline-details"><summary>Cadence timeline</summary>')
    lines.append('<ol class="okr-timeline">')
    for milestone in milestones:
        marker = " (now)" if milestone.state == "current" else ""
        lines.append(
            f'<li class="okr-timeline__{milestone.state}">'
            f"<time>{html_text(_milestone_day(milestone, cycle))}</time> · "
            f"{html_text(milestone.label)}{marker}</li>"
        )
    lines.append("</ol>")
    lines.append("</details>")
    return raw_block("\n".join(lines), f"okr-phase okr-phase--{current.key}")


@dataclass(frozen=True)
class ChangeLine:
    """One line of "what changed this week"."""

    date: str
    link: Markup
    change: Markup
    note: Markup | None


def recent_changes(
    model: OkrModel,
    today: dt.date,
    from_doc: str,
    *,
    days: int = 7,
    limit: int = 20,
    kept: RecentByUnit | None = None,
    spans: CheckinSpans | None = None,
) -> list[ChangeLine]:
    """Check-ins of the last ``days`` days, newest first, linked to their KRs
    (``kept``: a preview server's findings per unit file; ``spans``: files'
    check-in dates known already; see :func:`recent_checkins`)."""
    lines: list[ChangeLine] = []
    found = recent_checkins(model, today, days=days, limit=limit, kept=kept, spans=spans)
    for item in found:
        kr, checkin = item.key_result, item.checkin
        cycle = model.cycles[item.cycle_id]
        link = doc_link(
            f"{model.unit_name(item.unit_id)} › {kr.title}",
            from_doc,
            urls.unit_link(cycle, item.unit_id),
            urls.key_result_anchor(item.objective.id, kr.id),
        )
        bits: list[str] = []
        if checkin.value is not None:
            if item.previous_value is not None and item.previous_value != checkin.value:
                seen = [item.previous_value, checkin.value]
                bits.append(fmt.join_values(seen, kr.unit, kr.prefix))
            else:
                bits.append(fmt.format_value(checkin.value, kr.unit, kr.prefix))
        elif checkin.done is not None:
            bits.append(fmt.done_text(checkin.done))
        if checkin.confidence is not None:
            bits.append(f"confidence {fmt.confidence_label(checkin.confidence)}")
        lines.append(
            ChangeLine(
                date=checkin.date.isoformat(),
                link=link,
                change=Markup(md_inline(" · ".join(bits) or "check-in")),
                note=markdown_inline_in_markdown(checkin.note) if checkin.note else None,
            )
        )
    return lines


@dataclass(frozen=True)
class SummaryView:
    """A cycle's summary for the overview page."""

    summary: CycleSummary
    graded: bool
    counts: Markup
    chart: Markup | None


def summary_view(
    model: OkrModel, cycle: Cycle, kept: SummaryParts | None = None
) -> SummaryView:
    """Counts, share on track, outcomes and (graded cycles) the score
    distribution (``kept``: a preview server's parts, see :func:`cycle_summary`)."""
    s = cycle_summary(model, cycle, kept)
    graded = is_graded(cycle)
    on_track = (
        "–"
        if s.on_track_share is None
        else f"{s.on_track} of {s.scored} ({percent(s.on_track_share)})"
    )
    parts = [
        fmt.count_of(s.objectives, "objective"),
        fmt.count_of(s.key_results, "key result"),
        (
            f"key results scored green (≥ {model.company.scoring.green:g}): {on_track}"
            if graded
            else f"key results on track: {on_track}"
        ),
    ]
    if s.mean_score is not None:
        parts.append(
            f"mean {'score' if graded else 'progress'} {fraction_text(s.mean_score, graded=graded)}"
        )
    if s.achieved or s.missed or s.postponed:
        parts.append(
            f"objectives achieved {s.achieved}, missed {s.missed}, postponed {s.postponed}"
        )
    svg = (
        distribution_svg(s, model.company.scoring, title=f"{cycle.title}: key results by score")
        if graded
        else ""
    )
    return SummaryView(
        summary=s,
        graded=graded,
        counts=Markup(md_inline(" · ".join(parts))),
        chart=html_block(svg, "okr-chart-wrap") if svg else None,
    )


@dataclass(frozen=True)
class ProfileCycle:
    """A unit's objectives in one cycle, for its profile page."""

    cycle_id: str
    title: str
    link: Markup
    status: Markup
    result: Markup
    objectives: list[tuple[Markup, Markup, str]]
    """(link, progress bar, outcome) per public objective."""


def profile_history(
    model: OkrModel, unit_id: str, from_doc: str, progress: ProgressOf = objective_progress
) -> tuple[Markup | None, list[ProfileCycle]]:
    """The trend chart (oldest → newest) and, newest first, every cycle with
    the unit's objectives, scores and outcomes (``progress``: how an
    objective's progress is got, the build's memo)."""
    records = unit_history(model, unit_id, progress)
    svg = trend_svg(records, title=f"{model.unit_name(unit_id)}: score or progress per cycle")
    scoring = model.company.scoring
    cycles: list[ProfileCycle] = []
    for record in reversed(records):
        cycle = model.cycles[record.cycle_id]
        okrs = cycle.okrs.get(unit_id)
        if okrs is None:
            continue
        page = urls.unit_link(cycle, unit_id)
        objectives = [
            (
                doc_link(o.title, from_doc, page, urls.objective_anchor(o.id)),
                progress_bar(
                    progress(o),
                    scoring,
                    graded=record.graded and objective_score(o) is not None,
                ),
                str(o.outcome or ""),
            )
            for o in okrs.public_objectives
        ]
        cycles.append(
            ProfileCycle(
                cycle_id=cycle.id,
                title=cycle.title,
                link=doc_link(cycle.title, from_doc, page),
                status=status_chip(okrs.content.status),
                result=progress_bar(record.value, scoring, graded=record.graded),
                objectives=objectives,
            )
        )
    return (html_block(svg, "okr-chart-wrap") if svg else None), cycles


def calibration_block(cal: Calibration, title: str) -> Markup | None:
    """Verdict sentence plus reliability diagram; ``None`` without samples."""
    if not cal.count:
        return None
    svg = reliability_svg(cal, title=title)
    css = cal.verdict.replace(" ", "-")
    verdict = (
        f'<p class="okr-calibration okr-calibration--{html_text(css)}">'
        f"<strong>{html_text(cal.verdict.capitalize())}.</strong> {html_text(summary(cal))}.</p>"
    )
    chart = f'<div class="okr-chart-wrap">\n{svg}\n</div>'
    return raw_block(f"{verdict}\n{chart}", "okr-calibration-block")


@dataclass(frozen=True)
class CalibrationRow:
    """One unit's calibration in the directory's table."""

    link: Markup
    forecasts: int
    brier: str
    verdict: str


def calibration_rows(
    model: OkrModel, report: CalibrationReport, from_doc: str
) -> list[CalibrationRow]:
    """Per-unit calibration rows (units with graded forecasts only)."""
    rows: list[CalibrationRow] = []
    for unit_id, cal in report.units.items():
        target = urls.unit_profile(unit_id) if unit_id in model.units else urls.HOME
        rows.append(
            CalibrationRow(
                link=doc_link(model.unit_name(unit_id), from_doc, target),
                forecasts=cal.count,
                brier="–" if cal.brier is None else f"{cal.brier:.2f}",
                verdict=cal.verdict,
            )
        )
    return rows
