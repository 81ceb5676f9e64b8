"""Spreadsheet cells → numbers with the unit and prefix the content format uses.

A cell such as ``$1.2M`` becomes ``Quantity(1.2, unit="M", prefix="$")``:
exactly what an author would write by hand (``start: 1.2``, ``unit: M``,
``prefix: "$"``) and what :func:`okrsite.render.fmt.format_value` shows as
``$1.2M`` again. The parser accepts what people type in spreadsheets:

- thousands separators (``1,200`` ``1 200`` ``1'200``) and a decimal comma
  when it cannot be a thousands separator (``1,5``);
- a currency symbol before the number (``$ € £ ¥ ₹``, after or before a minus);
- a magnitude or ratio suffix attached (``40k`` ``1.2M`` ``3bn`` ``2x``);
- a percent sign or any word unit after the number (``35 %``, ``6 h``,
  ``14 days``).

Words that mean "done" in progress columns are recognised separately by
:func:`is_done`. Everything here is pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from okrsite.model import Confidence

CURRENCY_PREFIXES = ("$", "€", "£", "¥", "₹")
MAGNITUDES = {
    "k": 1_000,
    "K": 1_000,
    "M": 1_000_000,
    "Mn": 1_000_000,
    "B": 1_000_000_000,
    "bn": 1_000_000_000,
}
"""Attached suffixes that scale the number (kept as the KR's unit when shared)."""
BLANKS = frozenset({"", "-", "–", "—", "n/a", "na", "none", "tbd", "?"})
"""Cells that mean "no value" rather than a mistake."""
DONE_WORDS = frozenset(
    {
        "done",
        "yes",
        "y",
        "true",
        "complete",
        "completed",
        "achieved",
        "finished",
        "shipped",
        "✓",
        "✔",
        "100%",
        "100 %",
    }
)
_NUMBER = r"[0-9][0-9,.' \u00a0\u202f]*"
_CELL_RE = re.compile(
    rf"""^(?P<sign1>[-+−])?\s*(?P<prefix>[$€£¥₹])?\s*(?P<sign2>[-+−])?\s*
    (?P<number>{_NUMBER}|\.[0-9]+)
    \s*(?P<unit>\S.{{0,31}})?$""",
    re.VERBOSE,
)
_UNIT_RE = re.compile(r"^[^\d\s][^\n]{0,31}$")


@dataclass(frozen=True)
class Quantity:
    """A parsed value: ``number`` with the content format's ``unit`` and ``prefix``."""

    number: float
    unit: str | None = None
    prefix: str | None = None


class ValueProblem(ValueError):
    """The cell is not a value; the message says why, for ``FILE:ROW: …``."""


def is_blank(text: str) -> bool:
    return text.strip().lower() in BLANKS


def is_done(text: str) -> bool:
    """Whether a progress/current cell says the work is done (``done``, ``100%``, ``✓``)."""
    return text.strip().lower() in DONE_WORDS


def parse_number_text(text: str, decimal_comma: bool = False) -> float:
    """``1,200`` → 1200; ``1,5`` → 1.5; ``1.234,5`` → 1234.5; ``1 200`` → 1200.

    With ``decimal_comma`` (a ``;``-separated CSV, written where the comma is
    the decimal mark) ``1.200`` is 1200 and ``1,200`` is 1.2.
    """
    cleaned = re.sub(r"[ '\u00a0\u202f]", "", text)
    if not cleaned or not re.fullmatch(r"[0-9.,]+", cleaned) or not re.search(r"[0-9]", cleaned):
        raise ValueProblem("not a number")
    commas, dots = cleaned.count(","), cleaned.count(".")
    if commas and dots:
        # Whichever comes last is the decimal mark (1,234.5 or 1.234,5).
        decimal, thousands = (".", ",") if cleaned.rfind(".") > cleaned.rfind(",") else (",", ".")
        whole, _, fraction = cleaned.rpartition(decimal)
        _check_groups(whole, thousands)
        cleaned = whole.replace(thousands, "") + "." + fraction
    elif decimal_comma and dots and re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    elif commas:
        if commas == 1 and (decimal_comma or not re.fullmatch(r"[0-9]{1,3},[0-9]{3}", cleaned)):
            cleaned = cleaned.replace(",", ".")  # a decimal comma: 1,5
        else:
            _check_groups(cleaned, ",")
            cleaned = cleaned.replace(",", "")
    elif dots > 1:
        _check_groups(cleaned, ".")
        cleaned = cleaned.replace(".", "")
    try:
        return float(Decimal(cleaned))
    except ArithmeticError as err:  # pragma: no cover - the regex admits only digits
        raise ValueProblem("not a number") from err


def _check_groups(text: str, separator: str) -> None:
    head, *groups = text.split(separator)
    if not (1 <= len(head) <= 3) or any(len(g) != 3 for g in groups):
        raise ValueProblem(f"'{separator}' is neither a thousands separator nor a decimal mark")


def parse_value(text: str, decimal_comma: bool = False) -> Quantity | None:
    """The value of a cell, ``None`` for a blank one; :class:`ValueProblem` otherwise."""
    cell = text.strip()
    if is_blank(cell):
        return None
    match = _CELL_RE.match(cell)
    if match is None:
        raise ValueProblem("not a number")
    if match["sign1"] and match["sign2"]:
        raise ValueProblem("two signs")
    sign = -1.0 if (match["sign1"] or match["sign2"] or "") in ("-", "−") else 1.0
    number_text = match["number"].rstrip(" \u00a0\u202f")
    unit = (match["unit"] or "").strip() or None
    if unit is not None and not _UNIT_RE.match(unit):
        raise ValueProblem("not a number")
    number = parse_number_text(number_text, decimal_comma)
    return Quantity(sign * number if number else 0.0, unit, match["prefix"])


def common_scale(values: list[Quantity]) -> list[Quantity]:
    """Give one key result's start/target/current the same unit and prefix.

    ``$1.2M`` and ``$1,500,000`` become ``1.2`` and ``1.5`` with unit ``M``;
    when no shared magnitude writes every value exactly (three decimals at
    most, as the formatter shows them), every value is written in full.
    Values whose units are not magnitudes and differ are returned unchanged
    (the caller reports the conflict).
    """
    units = {q.unit for q in values}
    if len(units) <= 1 or not all(u is None or u in MAGNITUDES for u in units):
        return values
    prefixes = {q.prefix for q in values if q.prefix}
    prefix = next(iter(prefixes)) if len(prefixes) == 1 else None
    full = [Decimal(repr(q.number)) * MAGNITUDES.get(q.unit or "", 1) for q in values]
    for suffix in sorted({u for u in units if u}, key=lambda u: -MAGNITUDES[u]):
        scaled = [n / MAGNITUDES[suffix] for n in full]
        if all(s == round(s, 3) for s in scaled):
            return [Quantity(float(s), suffix, prefix) for s in scaled]
    return [Quantity(float(n), None, prefix) for n in full]


def parse_confidence(text: str, decimal_comma: bool = False) -> Confidence | None:
    """``0.7``, ``70%``, ``7/10``, ``high`` → a confidence (0..1 or a word)."""
    cell = text.strip().lower()
    if is_blank(cell):
        return None
    words: dict[str, Confidence] = {
        "low": "low",
        "medium": "medium",
        "high": "high",
        "on track": "high",
        "at risk": "medium",
        "off track": "low",
        "behind": "low",
    }
    if cell in words:
        return words[cell]
    out_of = re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)\s*/\s*(10|5)", cell)
    if out_of:
        return round(parse_number_text(out_of[1], decimal_comma) / int(out_of[2]), 4)
    quantity = parse_value(cell, decimal_comma)
    if quantity is None:
        return None
    if quantity.unit == "%":
        value = quantity.number / 100
    elif quantity.unit is None and quantity.prefix is None:
        value = quantity.number / 100 if 1 < quantity.number <= 100 else quantity.number
    else:
        raise ValueProblem("not a confidence")
    if not 0 <= value <= 1:
        raise ValueProblem("not between 0 and 1 (or 0% and 100%)")
    return round(value, 4)
