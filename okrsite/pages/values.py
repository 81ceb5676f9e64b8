"""How KR values, confidence and check-ins read on a page."""

from __future__ import annotations

from markupsafe import Markup

from okrsite.escape import html_text
from okrsite.model import Confidence, Cycle, KeyResult, Scoring


def number(value: float | None) -> str:
    """``150.0`` → ``150``; ``0.125`` → ``0.13``; thousands separated."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def with_unit(value: float | None, kr: KeyResult) -> str:
    if value is None:
        return "–"
    text = f"{kr.prefix or ''}{number(value)}"
    if kr.unit:
        text += kr.unit if kr.unit in {"%", "M", "k", "K", "B", "x"} else f" {kr.unit}"
    return text


def range_text(kr: KeyResult) -> str:
    """``14 → 9 → 5 days``: start → current → target."""
    from okrsite.progress import latest_done, latest_value

    kind = kr.effective_kind
    if kind == "milestone":
        done = latest_done(kr)
        return "milestone: " + ("done" if done else "not done yet")
    if kind == "threshold":
        side = "below" if kr.direction == "below" else "above"
        return f"stay {side} {with_unit(kr.target, kr)} · now {with_unit(latest_value(kr), kr)}"
    return " → ".join(
        with_unit(v, kr) for v in (kr.start, latest_value(kr), kr.target)
    )


def latest_confidence(kr: KeyResult) -> Confidence | None:
    for checkin in sorted(kr.checkins, key=lambda c: c.date, reverse=True):
        if checkin.confidence is not None:
            return checkin.confidence
    return kr.confidence


def confidence_level(confidence: Confidence) -> str:
    if isinstance(confidence, str):
        return confidence
    if confidence >= 0.7:
        return "high"
    if confidence >= 0.4:
        return "medium"
    return "low"


def confidence_chip(confidence: Confidence) -> Markup:
    level = confidence_level(confidence)
    shown = confidence if isinstance(confidence, str) else f"{confidence:.1f}"
    return Markup(
        f'<span class="okr-chip okr-confidence--{level}" title="confidence">'
        f"confidence {html_text(shown)} ({level})</span>"
    )


def checkins_block(kr: KeyResult, cycle: Cycle, scoring: Scoring) -> Markup:
    """Check-in history as a collapsible raw-HTML block (newest first)."""
    rows = []
    for checkin in sorted(kr.checkins, key=lambda c: c.date, reverse=True):
        if checkin.value is not None:
            value = with_unit(checkin.value, kr)
        elif checkin.done is not None:
            value = "done" if checkin.done else "not done"
        else:
            value = "–"
        confidence = "" if checkin.confidence is None else confidence_level(checkin.confidence)
        rows.append(
            "<tr>"
            f"<td>{checkin.date.isoformat()}</td>"
            f"<td>{html_text(value)}</td>"
            f"<td>{html_text(confidence)}</td>"
            f"<td>{html_text(checkin.note or '')}</td>"
            "</tr>"
        )
    latest = max(kr.checkins, key=lambda c: c.date)
    summary = f"{len(kr.checkins)} check-ins · latest {latest.date.isoformat()}"
    return Markup(
        '\n<details class="okr-checkins" markdown="0">'
        f"<summary>{html_text(summary)}</summary>"
        '<table><thead><tr><th>Date</th><th>Value</th><th>Confidence</th><th>Note</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></details>\n"
    )
