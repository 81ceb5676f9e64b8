"""The check-in table of a KR on its unit page (``site/pages/values.py``).

Its value cells skip the escaping when the KR's prefix and unit are plain
text (the usual case); these tests prove the cells are then exactly what
escaping every value would have written, for plain and hostile prefixes and
units, thresholds, milestones and check-ins without a value."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from okrsite.model import Cycle, CycleDef, KeyResult, Scoring
from okrsite.render import fmt
from okrsite.render.escape import html_content
from okrsite.site.pages import values

CYCLE = Cycle(
    definition=CycleDef.model_validate(
        {"id": "2026-Q1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
    )
)


def _kr(**fields: Any) -> KeyResult:
    checkins = [
        {"date": dt.date(2026, 1, 5), "value": 1200.5, "confidence": 0.7},
        {"date": dt.date(2026, 1, 12), "value": -3.0, "note": "fell <back> & *up*"},
        {"date": dt.date(2026, 1, 19), "confidence": "high"},
        {"date": dt.date(2026, 1, 26), "value": 0.25},
    ]
    return KeyResult.model_validate(
        {"id": "k", "title": "A key result", "checkins": checkins, **fields}
    )


def _value_cells(block: str) -> list[str]:
    """The second cell of every row, newest first (rows have optional end tags)."""
    rows = block.split("<tbody>", 1)[1].split("</table>", 1)[0].split("<tr>")[1:]
    return [re.split("<td>", row)[2] for row in rows]


@pytest.mark.parametrize(
    "fields",
    [
        {"start": 0, "target": 2000, "unit": "%"},
        {"start": 0, "target": 2000, "prefix": "$", "unit": "days"},
        {"start": 0, "target": 2000, "prefix": "<b>", "unit": "&amp; pts"},  # hostile
        {"start": 0, "target": 2000, "unit": "\u00a0kg"},  # a no-break space
        {"start": 0, "target": 2000, "unit": "pts\r\n"},
        {"target": 1000, "direction": "below", "unit": "ms", "kind": "threshold"},
        {"target": 1000, "unit": "<i>", "kind": "threshold"},
        {"kind": "milestone"},
    ],
)
def test_value_cells_are_the_escaped_values(fields: dict[str, Any]) -> None:
    """Every value cell is ``html_content`` of the value as the page words it."""
    kr = _kr(**fields)
    block = str(values._checkins_block(kr, CYCLE, Scoring()))
    newest_first = sorted(kr.checkins, key=lambda c: c.date, reverse=True)
    formatter = fmt.value_formatter(kr.unit, kr.prefix)
    expected = [html_content(values._checkin_value(kr, c, formatter)) for c in newest_first]
    assert _value_cells(block) == expected
    assert "<b>" not in block.split("<table>", 1)[1] and "<i>" not in block


def test_plain_text_is_its_own_html() -> None:
    """What makes a prefix or unit plain: nothing the escaping would change."""
    assert values._plain_html(None) and values._plain_html("") and values._plain_html("days")
    assert values._plain_html("$") and values._plain_html("%")
    for text in ("<b>", "a&b", "\u00a0kg", "x\r", "a\x07b"):
        assert not values._plain_html(text), text
