"""Formatting of key-result values, ranges and confidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from okrsite.model import KeyResult
from okrsite.render.fmt import (
    attaches,
    confidence_band,
    confidence_label,
    confidence_level,
    format_number,
    format_progression,
    format_range,
    format_value,
    latest_confidence,
    value_formatter,
    value_triple,
)


def kr(**fields: Any) -> KeyResult:
    return KeyResult.model_validate({"id": "k", "title": "A key result", **fields})


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (14, "14"),
        (14.0, "14"),
        (1.50, "1.5"),
        (12000, "12,000"),
        (1234567.891, "1,234,567.891"),
        (99.9, "99.9"),
        (3.14159, "3.142"),
        (0, "0"),
        (-5, "-5"),
        (0.0001234, "0.000123"),
        (0.25, "0.25"),
    ],
)
def test_numbers(value: float, text: str) -> None:
    """Ints without .0, trimmed decimals, thousands separators."""
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "unit", "prefix", "text"),
    [
        (78, "%", None, "78%"),
        (3, "M", "$", "$3M"),
        (42, "Cr", "₹", "₹42 Cr"),
        (14, "days", None, "14 days"),
        (4, "h", None, "4 h"),
        (12, "k", None, "12k"),
        (2.5, "x", None, "2.5x"),
        (-3, "M", "$", "-$3M"),
        (None, "%", None, "–"),
        (12000, None, None, "12,000"),
        (20, "°C", None, "20 °C"),
        (5, "‰", None, "5‰"),
    ],
)
def test_values(value: float | None, unit: str | None, prefix: str | None, text: str) -> None:
    """Symbol and magnitude units attach, word units follow a space."""
    assert format_value(value, unit, prefix) == text


def test_attach_rule() -> None:
    """Attach: no letters, or a magnitude suffix. Everything else: a space."""
    assert attaches("%") and attaches("M") and attaches("bn") and attaches("×")
    assert not attaches("h") and not attaches("Cr") and not attaches("users")


@pytest.mark.parametrize(
    "unit",
    ["%", "‰", "°", "°C", "€", "km/h", "m²", "²", "½", "ℓ", "µs", "ß", "日", "1/2", "_", "-", "x2"],
)
def test_attach_rule_is_about_letters_in_any_script(unit: str) -> None:
    """The ASCII shortcut of :func:`attaches` answers as the rule does for
    every character: a unit attaches exactly when it has no letter."""
    assert attaches(unit) == (unit in {"x", "×"} or not any(ch.isalpha() for ch in unit))


@pytest.mark.parametrize("unit", [None, "", "%", "days", "M", "Cr", "°C", "m²", "日"])
@pytest.mark.parametrize("prefix", [None, "", "$", "₹"])
def test_value_formatter_writes_what_format_value_writes(
    unit: str | None, prefix: str | None
) -> None:
    """A KR's check-ins are formatted with its unit's spacing decided once;
    every value, negative, zero and fractional ones included, reads the same."""
    text = value_formatter(unit, prefix)
    for value in [0.0, -0.0, 1, -1, 0.5, -0.0004, 0.0004, 1234.5, -12000, 99.95, 1e15, -7.25]:
        assert text(value) == format_value(value, unit, prefix), value


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"start": 78, "target": 88, "unit": "%"}, "78% → 88%"),
        ({"start": 3, "target": 7, "unit": "M", "prefix": "$"}, "$3M → $7M"),
        ({"start": 42, "target": 52, "unit": "Cr", "prefix": "₹"}, "₹42 Cr → ₹52 Cr"),
        ({"start": 14, "target": 5, "unit": "days"}, "14 → 5 days"),
        ({"start": 10000, "target": 12000}, "10,000 → 12,000"),
        ({"target": 5, "unit": "days"}, "target 5 days"),
        ({}, "–"),
        ({"kind": "threshold", "target": 4, "unit": "h", "direction": "below"}, "stay below 4 h"),
        (
            {"kind": "threshold", "target": 99.9, "unit": "%", "direction": "above"},
            "stay above 99.9%",
        ),
        ({"kind": "threshold", "target": 99.9, "unit": "%"}, "stay above 99.9%"),
        ({"done": True}, "done"),
        ({"done": False}, "not done"),
        ({"kind": "milestone"}, "not done"),
    ],
)
def test_ranges(fields: dict[str, Any], text: str) -> None:
    """The examples of issue 7, threshold and milestone KRs."""
    assert format_range(kr(**fields)) == text


def test_progression_and_triple() -> None:
    """start → current → target, using the latest check-in when no current."""
    days = kr(start=14, target=5, current=9, unit="days")
    assert format_progression(days) == "14 → 9 → 5 days"
    assert value_triple(days) == ("14 days", "9 days", "5 days")
    money = kr(
        start=3,
        target=7,
        unit="M",
        prefix="$",
        checkins=[{"date": dt.date(2026, 1, 5), "value": 4.5}],
    )
    assert format_progression(money) == "$3M → $4.5M → $7M"
    assert format_progression(kr(start=1, target=2)) == "1 → – → 2"
    assert format_progression(kr(current=3, unit="%")) == "3%"


def test_threshold_progression() -> None:
    """A threshold KR shows its value and whether it is met."""
    latency = kr(kind="threshold", target=4, unit="h", direction="below", current=3.1)
    assert format_progression(latency) == "3.1 h (stay below 4 h: met)"
    uptime = kr(kind="threshold", target=99.9, unit="%", current=99.5)
    assert format_progression(uptime) == "99.5% (stay above 99.9%: not met)"
    empty = kr(kind="threshold", target=99.9, unit="%")
    assert format_progression(empty) == "stay above 99.9%: no data"
    assert format_progression(kr(done=True)) == "done"


@pytest.mark.parametrize(
    ("confidence", "level", "band", "label"),
    [
        (0.7, "high", "green", "0.7 (high)"),
        (0.69, "medium", "yellow", "0.69 (medium)"),
        (0.4, "medium", "yellow", "0.4 (medium)"),
        (0.39, "low", "red", "0.39 (low)"),
        (0.0, "low", "red", "0 (low)"),
        (1.0, "high", "green", "1 (high)"),
        ("high", "high", "green", "high"),
        ("medium", "medium", "yellow", "medium"),
        ("low", "low", "red", "low"),
        (None, None, "none", "no forecast"),
    ],
)
def test_confidence(confidence: Any, level: str | None, band: str, label: str) -> None:
    """Numbers: ≥ 0.7 high, ≥ 0.4 medium, else low; words pass through."""
    assert confidence_level(confidence) == level
    assert confidence_band(confidence) == band
    assert confidence_label(confidence) == label


def test_latest_confidence() -> None:
    """The newest check-in with a confidence wins, else the KR's own."""
    checkins = [
        {"date": dt.date(2026, 1, 12), "value": 3, "confidence": 0.5},
        {"date": dt.date(2026, 1, 19), "value": 4},
        {"date": dt.date(2026, 1, 5), "value": 2, "confidence": "high"},
    ]
    assert latest_confidence(kr(checkins=checkins)) == 0.5
    assert latest_confidence(kr(checkins=checkins, confidence="low")) == 0.5
    assert latest_confidence(kr(confidence="low")) == "low"
    assert latest_confidence(kr()) is None
