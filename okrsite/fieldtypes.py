"""Value types of the content format: ids, references, dates, bounded
numbers and text, and the words allowed in enumerated fields.

Shared by the pydantic model (:mod:`okrsite.model`) and the tools that read
or write content outside it (check-ins, CODEOWNERS, drift).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

ROOT_UNIT = "company"
"""Id of the implicit root unit; ``content/<cycle>/company.yaml`` holds its OKRs."""

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CYCLE_ID_RE = re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$")
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 2000
MAX_NUMBER = 1e15
MAX_OBJECTIVES = 50
"""Most objectives in one unit file (the quality check OKR010 already warns above 5)."""
MAX_KEY_RESULTS = 50
"""Most key results of one objective."""
MAX_CHECKINS = 500
"""Most check-ins of one key result (ten years of weekly check-ins)."""
MAX_HEALTH_METRICS = 100

# Ids that would collide with generated paths, MkDocs/Material files or
# Windows device names once they become file names.
RESERVED_IDS = frozenset(
    {
        "index", "search", "assets", "404", "sitemap", "units", "quality",
        "graphs", "export", "exports", "feed", "rules", "okrs", "javascripts",
        "stylesheets", "con", "prn", "aux", "nul",
        *(f"com{i}" for i in range(10)),
        *(f"lpt{i}" for i in range(10)),
    }
)


def _check_slug(value: str) -> str:
    if len(value) > MAX_ID_LENGTH:
        raise ValueError(f"id '{value[:20]}…' is longer than {MAX_ID_LENGTH} characters")
    if not SLUG_RE.match(value):
        raise ValueError(
            f"'{value}' is not a valid id: use lowercase letters a-z, digits and "
            "single hyphens (e.g. 'time-to-value')"
        )
    return value


def _check_unit_id(value: str) -> str:
    _check_slug(value)
    if value == ROOT_UNIT:
        raise ValueError(
            f"'{ROOT_UNIT}' is the company itself (the root of org.yaml) and cannot be a unit id"
        )
    if value in RESERVED_IDS:
        raise ValueError(f"'{value}' is a reserved name and cannot be a unit id")
    return value


RESERVED_CYCLE_IDS = frozenset({"format"})
"""Top-level pages a cycle's folder would collide with (``format.md``); unit
pages live inside cycle folders, so unit ids may still use these names."""


def _check_cycle_id(value: str) -> str:
    if len(value) > 32 or not CYCLE_ID_RE.match(value):
        raise ValueError(
            f"'{value}' is not a valid cycle id: use letters, digits and single "
            "hyphens (e.g. '2026-Q1')"
        )
    if value.lower() in RESERVED_IDS | RESERVED_CYCLE_IDS:
        raise ValueError(f"'{value}' is a reserved name and cannot be a cycle id")
    return value


CYCLE_REF_SEPARATOR = ":"
"""Separates the cycle from the rest of a cross-cycle reference:
``2026:company/win-midmarket`` is objective ``win-midmarket`` of the company in
cycle ``2026`` (a cycle that contains the one the reference is written in)."""


def split_ref(value: str) -> tuple[str | None, str]:
    """``'2026:company/win'`` → ``('2026', 'company/win')``; a same-cycle
    reference ``'company/win'`` → ``(None, 'company/win')``."""
    cycle, sep, rest = value.rpartition(CYCLE_REF_SEPARATOR)
    return (cycle, rest) if sep else (None, value)


# A reference in one pattern: what split_ref and the per-part checks (
# SLUG_RE on each of two or three parts, CYCLE_ID_RE on a cycle) accept,
# trailing newline of each part included (``$`` with ``match`` allows one).
# Every reference of a company is checked: one match instead of a split and
# a match per part.
_SLUG_PART = r"[a-z0-9]+(?:-[a-z0-9]+)*\n?"
_REF_RE = re.compile(
    rf"(?:[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*\n?{re.escape(CYCLE_REF_SEPARATOR)})?"
    rf"{_SLUG_PART}/{_SLUG_PART}(?:/{_SLUG_PART})?"
)


def _check_ref(value: str) -> str:
    if _REF_RE.fullmatch(value) is None:
        raise ValueError(
            f"'{value}' is not a reference: write 'unit/objective' or "
            "'unit/objective/key-result' (ids in the same cycle), or "
            "'CYCLE:unit/objective' in a containing cycle (e.g. '2026:company/grow')"
        )
    return value


def _iso_date(value: Any) -> Any:
    """A quoted ``'2026-10-01'`` is the date it spells (many YAML writers quote
    dates). The loader keeps quoted scalars as text by design; only fields
    that expect a date read it as one. Anything else is left for the strict
    date check to refuse with its location."""
    if isinstance(value, str) and ISO_DATE_RE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:  # 2026-02-30: refused as text below
            return value
    return value


ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
Date = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A date: ``2026-10-01`` unquoted, or the same text quoted."""
Slug = Annotated[str, AfterValidator(_check_slug)]
UnitId = Annotated[str, AfterValidator(_check_unit_id)]
ParentId = Annotated[str, AfterValidator(_check_slug)]
CycleId = Annotated[str, AfterValidator(_check_cycle_id)]
Ref = Annotated[str, AfterValidator(_check_ref)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_LENGTH)]
LongText = Annotated[str, Field(max_length=20 * MAX_TEXT_LENGTH)]
Number = Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
MAX_SCORE = 10.0
"""Highest grade accepted: scores above 1.0 record over-achievement (bars cap at
1.0, numbers do not); ten times the target is already far past a typo's reach."""
Score = Annotated[float, Field(ge=0.0, le=MAX_SCORE, allow_inf_nan=False)]
Weight = Annotated[float, Field(gt=0.0, le=1000.0, allow_inf_nan=False)]
RuleId = Annotated[str, Field(pattern=r"^OKR[0-9]{3}$")]
ConfidenceWord = Literal["low", "medium", "high"]
Confidence = Fraction | ConfidenceWord

Method = Literal["cascade", "align", "hybrid"]
UnitKind = Literal["department", "team", "service"]
Status = Literal["draft", "review", "locked", "graded"]
Visibility = Literal["public", "private"]
KeyResultKind = Literal["numeric", "milestone", "threshold"]
HealthStatus = Literal["ok", "at-risk", "off-track"]
Outcome = Literal["achieved", "missed", "postponed"]
RuleSetting = Literal["off", "error", "warning", "info"]
