"""The import's value parser: what people type in spreadsheets, and a round trip
through okrsite's own number formatter (property tests)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from okrsite.fieldtypes import RESERVED_IDS, SLUG_RE
from okrsite.intake.ids import title_id, unique, unit_id
from okrsite.intake.render import scalar
from okrsite.intake.types import quarter_dates
from okrsite.intake.values import (
    Quantity,
    ValueProblem,
    common_scale,
    is_done,
    parse_confidence,
    parse_value,
)
from okrsite.render.fmt import format_value


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("35%", Quantity(35, "%")),
        ("35 %", Quantity(35, "%")),
        ("$1.2M", Quantity(1.2, "M", "$")),
        ("$1,100,000", Quantity(1_100_000, None, "$")),
        ("1,200", Quantity(1200)),
        ("6 h", Quantity(6, "h")),
        ("6h", Quantity(6, "h")),
        ("€40k", Quantity(40, "k", "€")),
        ("-$3M", Quantity(-3, "M", "$")),
        ("$-3M", Quantity(-3, "M", "$")),
        ("14 days", Quantity(14, "days")),
        ("1 200 users", Quantity(1200, "users")),
        ("1,234.5", Quantity(1234.5)),
        ("1.234,5", Quantity(1234.5)),
        ("1,5", Quantity(1.5)),
        ("0.25", Quantity(0.25)),
        (".5", Quantity(0.5)),
        ("2x", Quantity(2, "x")),
        ("₹42 Cr", Quantity(42, "Cr", "₹")),
    ],
)
def test_cells_people_type(cell: str, expected: Quantity) -> None:
    assert parse_value(cell) == expected


@pytest.mark.parametrize("cell", ["", " ", "-", "n/a", "N/A", "TBD", "–"])
def test_blank_cells_are_no_value(cell: str) -> None:
    assert parse_value(cell) is None


@pytest.mark.parametrize("cell", ["ten", "1.2.3", "12,34,5", "$", "%", "--5"])
def test_non_numbers_are_refused(cell: str) -> None:
    with pytest.raises(ValueProblem):
        parse_value(cell)


def test_decimal_comma_sheets() -> None:
    """In a ';'-separated CSV (comma locales) a dot groups thousands."""
    assert parse_value("1.200", decimal_comma=True) == Quantity(1200)
    assert parse_value("1,200", decimal_comma=True) == Quantity(1.2)
    assert parse_value("1.200") == Quantity(1.2)


def test_common_scale_of_one_key_result() -> None:
    """Start, target and current end up in one unit and prefix."""
    values = [Quantity(1.2, "M", "$"), Quantity(1_500_000, None, "$")]
    assert common_scale(values) == [Quantity(1.2, "M", "$"), Quantity(1.5, "M", "$")]
    ragged = [Quantity(1.2, "M", "$"), Quantity(1_234_567, None, "$")]
    assert common_scale(ragged) == [Quantity(1_200_000, None, "$"), Quantity(1_234_567, None, "$")]
    assert common_scale([Quantity(40, "k"), Quantity(1, "M")]) == [
        Quantity(0.04, "M"),
        Quantity(1, "M"),
    ]


def test_confidence_and_done() -> None:
    assert parse_confidence("70%") == 0.7
    assert parse_confidence("0.6") == 0.6
    assert parse_confidence("7/10") == 0.7
    assert parse_confidence("High") == "high"
    assert parse_confidence("at risk") == "medium"
    assert parse_confidence("") is None
    with pytest.raises(ValueProblem):
        parse_confidence("250%")
    assert is_done("Done") and is_done("100%") and is_done("✓")
    assert not is_done("in progress") and not is_done("0%")


def test_ids_and_quarters() -> None:
    assert title_id("Grow paying clinics from 420 to 600", "kr") == "grow-paying-clinics-420-600"
    assert title_id("Café für alle", "kr") == "cafe-fur-alle"
    assert title_id("!!!", "objective") == "objective"
    assert unit_id("Search") == "search-team"  # 'search' is a reserved name
    taken: set[str] = set()
    assert [unique("a", taken) for _ in range(3)] == ["a", "a-2", "a-3"]
    q4 = quarter_dates("2027-Q4")
    assert q4 is not None and (q4.start.isoformat(), q4.end.isoformat()) == (
        "2027-10-01",
        "2027-12-31",
    )
    q1 = quarter_dates("2028-Q1")
    assert q1 is not None and q1.end.isoformat() == "2028-03-31"


UNITS = st.sampled_from([None, "%", "k", "M", "bn", "x", "h", "days", "users", "°C", "Cr"])
PREFIXES = st.sampled_from([None, "$", "€", "£", "¥", "₹"])
# Values the formatter writes exactly: at most three decimals, below a trillion.
NUMBERS = st.integers(min_value=-(10**12), max_value=10**12).map(lambda n: n / 1000)


@given(NUMBERS, UNITS, PREFIXES)
def test_formatted_values_parse_back(number: float, unit: str | None, prefix: str | None) -> None:
    """Whatever okrsite prints for a value, the import reads back as that value."""
    text = format_value(number, unit, prefix)
    assert parse_value(text) == Quantity(number, unit, prefix)


@given(NUMBERS, UNITS, PREFIXES)
def test_parsed_values_format_the_same(number: float, unit: str | None, prefix: str | None) -> None:
    """Parsing is idempotent through the formatter: format → parse → format is stable."""
    text = format_value(number, unit, prefix)
    parsed = parse_value(text)
    assert parsed is not None
    assert format_value(parsed.number, parsed.unit, parsed.prefix) == text


@given(st.text(max_size=80))
def test_ids_are_slugs(title: str) -> None:
    """Whatever the title, the id is a short slug; a unit id is never reserved."""
    slug = title_id(title, "kr")
    assert SLUG_RE.match(slug) and len(slug) <= 40
    unit = unit_id(title)
    assert SLUG_RE.match(unit) and unit not in RESERVED_IDS and unit != "company"


@given(st.text(max_size=80))
def test_written_scalars_read_back_as_the_same_text(text: str) -> None:
    """Titles are untrusted: whatever they hold, the YAML written for them reads
    back as exactly that text (plain when safe, else double-quoted)."""
    assert yaml.safe_load(f"title: {scalar(text)}\n") == {"title": text}
