"""Plain YAML scalars → values, YAML 1.2-style (the core schema, made stricter).

Only ``true``/``false`` (three spellings) are booleans: ``yes``/``no``/
``on``/``off`` stay text (Norway stays ``NO``). ``null``/``~``/empty are
``None``. Integers are decimal without leading zeros, ``0o`` octal or ``0x``
hex; ``0777`` and sexagesimal ``1:20`` stay text. Floats include
``.inf``/``.nan`` (the model rejects those with a location). ``YYYY-MM-DD``
is a :class:`datetime.date`; with a time it is a :class:`datetime.datetime`
(which the model rejects as "not a date"); an impossible date such as
``2026-02-30`` stays text. Quoted scalars are always text (not decided here).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_SPECIAL_FLOATS = {
    **{
        f"{sign}.{word}": float(f"{sign or '+'}inf")
        for sign in ("", "+", "-")
        for word in ("inf", "Inf", "INF")
    },
    **{f".{word}": float("nan") for word in ("nan", "NaN", "NAN")},
}
# Leading zeros are refused (``0777`` stays text: YAML 1.1 read it as octal).
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_OCT_RE = re.compile(r"0o[0-7]+\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)"
    r"([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?"
    r"(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?\Z"
)
# A plain scalar starting with anything else is text; skips the regexes.
MAYBE_TYPED = frozenset("0123456789+-.~nNtTfF")

UNRESOLVED: Any = object()
"""Marks a text not yet in :attr:`PlainScalars.known` (None is a value)."""


class PlainScalars:
    """Resolves plain scalars, each distinct text that may be typed only once.

    Such values repeat a lot (confidences, check-in dates, nulls, ``title``
    keys), so one table per load (or per :class:`~okrsite.source.cache.LoadCache`)
    remembers them. Every value is immutable, so sharing them is safe.
    """

    LIMIT = 20_000
    """Most texts remembered; the table starts over when it is full."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}
        """Text → value; read directly by the event loop (its hottest path)."""

    def resolve(self, text: str) -> Any:
        """The value of an untagged plain scalar (see the module docstring)."""
        if text and text[0] not in MAYBE_TYPED:
            return text
        found = self.known.get(text, UNRESOLVED)
        if found is UNRESOLVED:
            found = _resolve_typed(text)
            if len(text) <= 40:  # dates and numbers, not long text that starts with one
                if len(self.known) >= self.LIMIT:
                    self.known.clear()
                self.known[text] = found
        return found


def _resolve_typed(text: str) -> Any:
    """:meth:`PlainScalars.resolve` for text that may be typed (not remembered)."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    try:
        if _INT_RE.match(text):
            return int(text)
        if _OCT_RE.match(text):
            return int(text[2:], 8)
        if _HEX_RE.match(text):
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts: leave it as text
        return text
    if _FLOAT_RE.match(text):
        return float(text)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[:1].isdigit():
        return _resolve_date(text)
    return text


def _resolve_date(text: str) -> Any:
    """A date or a date-time; text if it only looks like one (2026-02-30)."""
    match = _DATE_RE.match(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _DATETIME_RE.match(text)
        if not match:
            return text
        fraction = int((match[7] or "0")[:6].ljust(6, "0"))
        tzinfo = None
        if match[8] == "Z":
            tzinfo = dt.UTC
        elif match[8]:
            offset = dt.timedelta(hours=int(match[10]), minutes=int(match[11] or 0))
            tzinfo = dt.timezone(-offset if match[9] == "-" else offset)
        return dt.datetime(
            int(match[1]),
            int(match[2]),
            int(match[3]),
            int(match[4]),
            int(match[5]),
            int(match[6]),
            fraction,
            tzinfo,
        )
    except ValueError:
        return text


def describe_non_text(value: Any) -> str:
    """How a resolved non-text key reads in a message ('a number'…)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.datetime | dt.date):
        return "a date"
    return "not text"  # pragma: no cover - every resolved type is listed above
