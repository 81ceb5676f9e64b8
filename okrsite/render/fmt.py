"""How key-result values and confidence read on the page. Pure functions.

Numbers
    Whole numbers show without ``.0``; other values keep at most three
    decimals with trailing zeros trimmed (``1.50`` → ``1.5``); thousands get
    separators (``12,000``). Tiny non-zero values fall back to three
    significant digits rather than rounding to ``0``.

Units and prefixes
    ``prefix`` goes before the number, after any minus sign (``-$3M``).
    A unit *attaches* to the number when it is a magnitude or ratio suffix
    (``k K M Mn B bn x ×``) or contains no letters at all (``%``, ``‰``,
    ``°``); every other unit is a word or a unit of measure and follows
    after a space (``14 days``, ``4 h``, ``₹42 Cr``, ``20 °C``).

Ranges
    ``start → target``. Without a prefix a spaced unit is written once, at
    the end (``14 → 5 days``); otherwise each value is written in full
    (``78% → 88%``, ``$3M → $7M``, ``₹42 Cr → ₹52 Cr``).

Output is plain text: escape it for the target language (``okrsite.render.escape``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from okrsite.analysis.progress import (
    Band,
    latest_done,
    latest_value,
    newest_checkin_field,
    threshold_met,
)
from okrsite.model import Confidence, KeyResult

ConfidenceLevel = Literal["high", "medium", "low"]

ARROW = "→"
ATTACHED_UNITS = frozenset({"k", "K", "M", "Mn", "B", "bn", "x", "×"})
"""Units written without a space even though they contain letters."""

_ASCII_LETTER = re.compile("[A-Za-z]")
"""The letters of an ASCII text: the only characters of it for which
``str.isalpha`` is true."""

CONFIDENCE_HIGH = 0.7
CONFIDENCE_MEDIUM = 0.4
CONFIDENCE_BANDS: dict[ConfidenceLevel, Band] = {"high": "green", "medium": "yellow", "low": "red"}
"""Traffic-light colour of each confidence level."""


def format_number(value: float) -> str:
    """``12000`` → ``12,000``; ``1.50`` → ``1.5``; ``3.0`` → ``3``."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    if text in ("0", "-0"):
        text = f"{value:.3g}"
    return text


def attaches(unit: str) -> bool:
    """Whether ``unit`` is written right after the number (see module docstring)."""
    if unit in ATTACHED_UNITS:
        return True
    # Asked for every value a page writes (a unit page: thousands); most units
    # are ASCII, where one regex search answers without a loop in Python.
    if unit.isascii():
        return _ASCII_LETTER.search(unit) is None
    return not any(ch.isalpha() for ch in unit)


def format_value(value: float | None, unit: str | None = None, prefix: str | None = None) -> str:
    """One value with its prefix and unit: ``$3M``, ``78%``, ``14 days``; ``–`` if unknown."""
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    number = format_number(abs(value))
    text = f"{sign}{prefix or ''}{number}"
    if unit:
        text += unit if attaches(unit) else f" {unit}"
    return text


def value_formatter(unit: str | None = None, prefix: str | None = None) -> Callable[[float], str]:
    """:func:`format_value` of known (not ``None``) values with this ``unit``
    and ``prefix``, the unit's spacing decided once: for the many values of
    one KR (its check-ins)."""
    head = prefix or ""
    tail = "" if not unit else unit if attaches(unit) else f" {unit}"

    def text(value: float) -> str:
        if value < 0:
            return f"-{head}{format_number(-value)}{tail}"
        return f"{head}{format_number(value)}{tail}"

    return text


def join_values(values: Sequence[float | None], unit: str | None, prefix: str | None) -> str:
    """Values joined by arrows, with the unit once at the end when it is a word."""
    if unit and not prefix and not attaches(unit):
        parts = [format_value(v) for v in values]
        return f" {ARROW} ".join(parts) + f" {unit}"
    return f" {ARROW} ".join(format_value(v, unit, prefix) for v in values)


def threshold_text(kr: KeyResult) -> str:
    """``stay below 4 h`` / ``stay above 99.9%``."""
    word = "below" if kr.direction == "below" else "above"
    return f"stay {word} {format_value(kr.target, kr.unit, kr.prefix)}"


def done_text(done: bool | None) -> str:
    """``done`` / ``not done`` (``not done`` too when nothing was reported)."""
    return "done" if done else "not done"


def format_range(kr: KeyResult) -> str:
    """What the KR aims for: ``14 → 5 days``, ``stay below 4 h``, ``done``."""
    kind = kr.effective_kind
    if kind == "milestone":
        return done_text(latest_done(kr))
    if kind == "threshold":
        return threshold_text(kr)
    if kr.start is None and kr.target is None:
        return "–"
    if kr.start is None:
        return f"target {format_value(kr.target, kr.unit, kr.prefix)}"
    return join_values([kr.start, kr.target], kr.unit, kr.prefix)


def format_progression(kr: KeyResult) -> str:
    """Start → current → target for pages: ``14 → 9 → 5 days``.

    Threshold KRs: ``3.1 h (stay below 4 h: met)``; milestones: ``done``.
    Without a current value the middle shows ``–``.
    """
    kind = kr.effective_kind
    if kind == "milestone":
        return done_text(latest_done(kr))
    value = latest_value(kr)
    if kind == "threshold":
        met = threshold_met(kr, value)
        verdict = "no data" if met is None else ("met" if met else "not met")
        if value is None:
            return f"{threshold_text(kr)}: {verdict}"
        return f"{format_value(value, kr.unit, kr.prefix)} ({threshold_text(kr)}: {verdict})"
    if kr.start is None and kr.target is None:
        return format_value(value, kr.unit, kr.prefix)
    return join_values([kr.start, value, kr.target], kr.unit, kr.prefix)


def value_triple(kr: KeyResult) -> tuple[str, str, str]:
    """``(start, current, target)`` each formatted in full, for table columns."""
    current = latest_value(kr)
    return (
        format_value(kr.start, kr.unit, kr.prefix),
        format_value(current, kr.unit, kr.prefix),
        format_value(kr.target, kr.unit, kr.prefix),
    )


def latest_confidence(kr: KeyResult) -> Confidence | None:
    """The newest check-in's confidence, else the KR's own ``confidence``.

    Check-ins win because ``okrsite checkin`` records confidence only on the
    check-in; a KR-level ``confidence`` set when the KR was written would
    otherwise hide every later forecast.
    """
    newest: Confidence | None = newest_checkin_field(kr, "confidence")
    return newest if newest is not None else kr.confidence


def confidence_level(confidence: Confidence | None) -> ConfidenceLevel | None:
    """``0.7`` and above → high, ``0.4`` and above → medium, else low; words as given."""
    if confidence is None:
        return None
    if isinstance(confidence, str):
        return confidence
    if confidence >= CONFIDENCE_HIGH:
        return "high"
    if confidence >= CONFIDENCE_MEDIUM:
        return "medium"
    return "low"


def confidence_band(confidence: Confidence | None) -> Band:
    """Traffic-light band of a confidence (``none`` when not given)."""
    level = confidence_level(confidence)
    return "none" if level is None else CONFIDENCE_BANDS[level]


def confidence_label(confidence: Confidence | None) -> str:
    """``0.7 (high)``, ``medium``, or ``no forecast``."""
    level = confidence_level(confidence)
    if level is None or confidence is None:
        return "no forecast"
    if isinstance(confidence, str):
        return level
    return f"{format_number(round(float(confidence), 2))} ({level})"


def count_of(count: int, noun: str) -> str:
    """``1 objective``, ``2 objectives``, ``1 key result`` (regular plurals)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
