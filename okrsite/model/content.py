"""The content format as types: one class per content file, and the nodes in them.

The classes ending in ``File`` describe one content file each and are the
source of the published JSON Schema; the nested classes (``Objective``,
``KeyResult``…) are shared by the schema and the validated model
(:mod:`okrsite.model.validated`).

Every node knows where it came from: ``node.source`` is the
:class:`~okrsite.errors.SourceLocation` of its YAML mapping (set by
``validate.py`` from the YAML node marks, never by the author).

Content is untrusted. Fields here are *data*; every renderer escapes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from okrsite.errors import SourceLocation
from okrsite.fieldtypes import CYCLE_ID_RE as CYCLE_ID_RE
from okrsite.fieldtypes import (
    MAX_CHECKINS,
    MAX_HEALTH_METRICS,
    MAX_KEY_RESULTS,
    MAX_OBJECTIVES,
    ROOT_UNIT,
    Confidence,
    CycleId,
    Date,
    Fraction,
    HealthStatus,
    KeyResultKind,
    LongText,
    Method,
    Number,
    Outcome,
    ParentId,
    Ref,
    RuleId,
    RuleSetting,
    Score,
    Slug,
    Status,
    Text,
    UnitId,
    UnitKind,
    Visibility,
    Weight,
)
from okrsite.fieldtypes import RESERVED_IDS as RESERVED_IDS
from okrsite.fieldtypes import SLUG_RE as SLUG_RE
from okrsite.fieldtypes import split_ref as split_ref

_SOURCE_KEY = "_okrsite_source"
SOURCE_KEY = _SOURCE_KEY
"""Where a node keeps its source location in its ``__dict__``: a
:class:`SourceLocation`, a ``(path, line, column)`` tuple (validation), or
``"line:column:path"`` (kept cycles read back: a string is no object for the
garbage collector to walk, a tuple is, and so is the dict holding it)."""


class Node(BaseModel):
    """Base of every content node: strict types, unknown keys are errors."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        validate_default=False,
    )
    # The source location lives in the instance ``__dict__`` under a name no
    # field can have. Not a pydantic PrivateAttr: those cost a post-init hook
    # per node, which dominated validation time at company scale.

    @property
    def source(self) -> SourceLocation:
        """Where this node's mapping starts in its file."""
        found = self.__dict__.get(_SOURCE_KEY)
        if found is None:
            return SourceLocation("<unknown>")
        if type(found) is tuple:  # recorded by set_source_at: made on first use
            found = SourceLocation(*found)
            self.__dict__[_SOURCE_KEY] = found
        elif type(found) is str:  # a kept cycle's node (see SOURCE_KEY)
            line, column, path = found.split(":", 2)
            found = SourceLocation(path, int(line), int(column))
            self.__dict__[_SOURCE_KEY] = found
        return found  # type: ignore[no-any-return]

    def set_source(self, location: SourceLocation) -> None:
        """Record where this node came from (validate.py does this)."""
        object.__setattr__(self, _SOURCE_KEY, location)

    def set_source_at(self, path: str, line: int, column: int) -> None:
        """:meth:`set_source` for validation's walk over every node (200,000
        at company scale): a plain tuple, the location object made when asked."""
        self.__dict__[_SOURCE_KEY] = (path, line, column)


def set_sources_at(
    nodes: list[Node],
    path: str,
    prefix: tuple[str | int, ...],
    recorded: Callable[[tuple[str | int, ...]], tuple[int, int] | None],
    locate: Callable[[tuple[str | int, ...]], tuple[int, int]],
    fields_sets: FieldsSets | None = None,
) -> None:
    """:meth:`Node.set_source_at` for the items of a list of one file
    (validation's leaves: a company's check-ins): item ``i`` is at
    ``recorded((*prefix, i))``, or where ``locate`` says when that is None.
    One loop, no list of places in between (60,000 check-ins at 1,000 units).
    With ``fields_sets``, each item's fields set is shared too
    (:func:`share_fields_set`)."""
    for i, node in enumerate(nodes):
        item_path = (*prefix, i)
        line, column = recorded(item_path) or locate(item_path)
        node.__dict__[_SOURCE_KEY] = (path, line, column)
        if fields_sets is not None:
            share_fields_set(node, fields_sets)


FieldsSets = dict[tuple[type, frozenset[str]], set[str]]
"""One fields set per node class and set of fields given (see :func:`share_fields_set`)."""


def share_fields_set(node: Node, fields_sets: FieldsSets) -> None:
    """Give ``node`` the fields set (pydantic's ``__pydantic_fields_set__``)
    already in ``fields_sets`` for its class and fields, instead of its own.

    pydantic gives every node a set of the field names it was given: at
    1,000 units 75,000 sets, a quarter of the objects a build's garbage
    collector walks on each full pass while the model lives. Sharing them
    is harmless because okrsite never reads or changes a node's fields set
    (no ``exclude_unset``; validated nodes are never assigned to: every
    change is made on a copy, and pydantic copies the set with the node).
    Kept cycles share theirs the same way (:mod:`okrsite.validate.kept`)."""
    own = node.__pydantic_fields_set__
    shared = fields_sets.setdefault((type(node), frozenset(own)), own)
    if shared is not own:
        object.__setattr__(node, "__pydantic_fields_set__", shared)


# --------------------------------------------------------------------------
# company.yaml
#
# Every field carries a ``description``: it is the field's documentation in
# the JSON Schema (editors show it on hover) and on the site's generated
# "Content format" page. A test asserts that none is missing.


class Scoring(Node):
    """Score bands for progress and scores: at least green, at least yellow, else red."""

    green: Fraction = Field(0.7, description="Lowest progress or score shown green (on track).")
    yellow: Fraction = Field(
        0.4, description="Lowest progress or score shown yellow (at risk); below it is red."
    )


class CycleDef(Node):
    """One OKR cycle (usually a quarter, or a year that contains its quarters);
    its folder is named by ``id``."""

    id: CycleId = Field(
        description="Cycle id, also the name of the cycle's folder (e.g. 2026-Q1, or 2026 "
        "for a year-long cycle)."
    )
    name: Text | None = Field(None, description="Display name (defaults to the id).")
    start: Date = Field(description="First day of the cycle (YYYY-MM-DD).")
    end: Date = Field(
        description="Last day of the cycle (YYYY-MM-DD). Cycles may not overlap, except "
        "that a longer cycle (a year) may contain shorter ones (its quarters)."
    )

    def contains(self, other: CycleDef) -> bool:
        """Whether ``other`` lies inside this cycle and is shorter (a quarter
        of a year). Two cycles with the same dates do not contain each other."""
        inside = self.start <= other.start and other.end <= self.end
        return inside and (self.start, self.end) != (other.start, other.end)


class AnnualObjective(Node):
    """A one-line annual objective shown on the home page in its year."""

    year: Annotated[int, Field(ge=1900, le=3000)] = Field(description="The year it is for.")
    objective: Text = Field(description="The objective, in one line.")


class CandidateObjective(Node):
    """An objective considered for a later cycle."""

    cycle: CycleId = Field(description="The cycle it is considered for.")
    objective: Text = Field(description="The candidate objective, in one line.")
    owner: Text | None = Field(None, description="Who proposes or would own it.")


class Cadence(Node):
    """Cadence settings; defaults follow common OKR practice."""

    grade_days_before_end: Annotated[int, Field(ge=0, le=90)] = Field(
        14, description="Days before a cycle ends when grading starts."
    )
    publish_days_before_end: Annotated[int, Field(ge=0, le=90)] = Field(
        7, description="Days before a cycle ends when the next cycle's company OKRs are published."
    )
    draft_hours: Annotated[int, Field(ge=0, le=2000)] = Field(
        48, description="Hours teams have to draft their OKRs after the company's are published."
    )
    review_hours: Annotated[int, Field(ge=0, le=2000)] = Field(
        24, description="Hours of peer review after drafting."
    )
    lock_hours: Annotated[int, Field(ge=0, le=2000)] = Field(
        24, description="Hours to lock the OKRs after peer review."
    )
    checkin_days: Annotated[int, Field(ge=1, le=90)] = Field(
        7, description="Days between expected check-ins during a cycle (stale check-in rule)."
    )
    grading_grace_days: Annotated[int, Field(ge=0, le=365)] = Field(
        14,
        description="Days after a cycle ends by which its files should be 'status: graded' "
        "(the ended-not-graded rule, OKR017, reports a cycle still ungraded after that).",
    )


class CheckLimits(Node):
    """Limits used by the quality checks (``company.check_limits``); any field
    left out keeps its default."""

    company_objectives_min: Annotated[int, Field(ge=0, le=100)] = Field(
        1, description="Fewest company objectives per cycle (OKR010)."
    )
    company_objectives_max: Annotated[int, Field(ge=1, le=100)] = Field(
        3, description="Most company objectives per cycle (OKR010)."
    )
    unit_objectives_max: Annotated[int, Field(ge=1, le=100)] = Field(
        5, description="Most objectives of one unit per cycle (OKR010)."
    )
    key_results_min: Annotated[int, Field(ge=0, le=100)] = Field(
        2, description="Fewest key results per objective (OKR010)."
    )
    key_results_max: Annotated[int, Field(ge=1, le=100)] = Field(
        5, description="Most key results per objective (OKR010)."
    )
    max_depth: Annotated[int, Field(ge=1, le=100)] = Field(
        3,
        description="Deepest unit level below the company before OKR009 warns "
        "(1 = departments).",
    )


class CompanyFile(Node):
    """``content/company.yaml``: the company, its method, cycles and scoring."""

    version: Literal[1] = Field(1, description="Content format version (1).")
    name: Text = Field(description="The company's name.")
    mission: Text | None = Field(None, description="The mission, shown on the home page.")
    method: Method = Field(
        "hybrid",
        description="How OKRs are set: cascade (top-down; a parent KR becomes the objective "
        "below), align (bottom-up; teams contribute to company objectives) or hybrid.",
    )
    scoring: Scoring = Field(default_factory=Scoring, description="Colour bands for scores.")
    cadence: Cadence = Field(
        default_factory=Cadence, description="Grading, publishing and check-in rhythm."
    )
    cycles: Annotated[list[CycleDef], Field(min_length=1)] = Field(
        description="The OKR cycles, each with a folder of unit files."
    )
    annual: list[AnnualObjective] = Field(
        default_factory=list, description="One-line annual objectives (optional)."
    )
    candidates: list[CandidateObjective] = Field(
        default_factory=list, description="Objectives considered for later cycles (optional)."
    )
    checks: dict[RuleId, RuleSetting] = Field(
        default_factory=dict,
        description="Per-rule settings of the quality checks, e.g. {OKR004: off}: "
        "off, error, warning or info.",
    )
    check_limits: CheckLimits | None = Field(
        None, description="Limits of the quality checks (objective and key result counts, depth)."
    )
    publish_people: bool = Field(
        True, description="When false, public builds omit people's names (owners, leads)."
    )


# --------------------------------------------------------------------------
# org.yaml


class UnitDef(Node):
    """One unit of the organisation (department, team or service unit)."""

    id: UnitId = Field(
        description="Unit id (a slug); also the name of its OKR files, <id>.yaml."
    )
    name: Text = Field(description="Display name.")
    kind: UnitKind = Field(
        description="department, team or service (a service unit may track only health "
        "metrics)."
    )
    parent: ParentId = Field(
        ROOT_UNIT, description="Id of the parent unit; 'company' (the default) is the root."
    )
    lead: Text | None = Field(None, description="Who leads the unit.")
    maintainers: list[Text] = Field(
        default_factory=list,
        description="Code owners of the unit's files (e.g. @handle), for okrsite codeowners.",
    )
    description: LongText | None = Field(None, description="What the unit does (Markdown).")


class OrgFile(Node):
    """``content/org.yaml``: the organisation's units."""

    units: list[UnitDef] = Field(
        default_factory=list, description="Every unit, parents before or after children."
    )


# --------------------------------------------------------------------------
# <cycle>/<unit>.yaml

_REF_FORMS = (
    "'unit/objective' or 'unit/objective/key-result' in the same cycle, or "
    "'CYCLE:unit/objective[/key-result]' in a cycle that contains this one "
    "(e.g. '2026:company/grow')"
)


class CheckIn(Node):
    """A weekly update of a key result."""

    date: Date = Field(description="Day of the check-in (YYYY-MM-DD).")
    value: Number | None = Field(None, description="Measured value (numeric key results).")
    done: bool | None = Field(None, description="Whether a milestone is done.")
    met: bool | None = Field(
        None, description="Whether a threshold key result held its target on that day."
    )
    confidence: Confidence | None = Field(
        None, description="Confidence of reaching the target: 0 to 1, or low, medium, high."
    )
    note: Text | None = Field(None, description="What happened (Markdown).")
    author: Text | None = Field(None, description="Who checked in.")


class Measure(Node):
    """Where a measured key result's values come from: a data file in the
    repository (CSV with a header row, or JSON lines) with a date and a value
    per row. Rows dated inside the cycle become check-ins; the latest is
    ``current``."""

    file: Annotated[str, Field(min_length=1, max_length=400)] = Field(
        description="Data file relative to the repository root (the folder of mkdocs.yml), "
        "e.g. data/clinics.csv; .csv or .jsonl."
    )
    date: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="Column (CSV) or key (JSON lines) holding each row's date (YYYY-MM-DD)."
    )
    value: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="Column (CSV) or key (JSON lines) holding each row's value (a number)."
    )


@dataclass(frozen=True)
class Measurement:
    """What a measured key result's data file said (set by validation)."""

    file: str
    """The data file, relative to the repository root, as written in ``measure``."""
    as_of: dt.date | None
    """Date of the latest row inside the cycle (``None``: no row in the cycle yet)."""
    value: float | None
    """Value of that row."""
    rows: int
    """Rows inside the cycle."""


_MEASURED_KEY = "_okrsite_measured"


class KeyResult(Node):
    """A measurable result. ``kind`` defaults to ``numeric`` (start → target),
    or ``milestone`` when ``done`` is given."""

    id: Slug = Field(description="Key result id, unique within its objective.")
    title: Text = Field(description="The result, measurable (an outcome, not an activity).")
    kind: KeyResultKind | None = Field(
        None,
        description="numeric (from start to target), milestone (done or not) or threshold "
        "(stay above or below target all cycle). Default: milestone when done is given, "
        "else numeric.",
    )
    start: Number | None = Field(None, description="Value at the start of the cycle.")
    target: Number | None = Field(
        None, description="Value to reach (numeric) or to stay above or below (threshold)."
    )
    current: Number | None = Field(
        None, description="Latest value (defaults to the latest check-in's value)."
    )
    unit: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="Unit of the values, shown after them (e.g. days, %)."
    )
    prefix: Annotated[str, Field(max_length=8)] | None = Field(
        None, description="Shown before the values (e.g. $)."
    )
    direction: Literal["above", "below"] | None = Field(
        None, description="For threshold key results: stay above or below target."
    )
    done: bool | None = Field(None, description="For milestones: whether it is done.")
    owner: Text | None = Field(
        None, description="Who owns it (defaults to the objective's owner)."
    )
    owners: list[Text] = Field(
        default_factory=list, description="Co-owners, beside owner (e.g. [Ana, Ben])."
    )
    weight: Weight = Field(
        1.0, description="Weight in its objective's progress (relative to its siblings)."
    )
    confidence: Confidence | None = Field(
        None, description="Confidence of reaching the target: 0 to 1, or low, medium, high."
    )
    contributes_to: list[Ref] = Field(
        default_factory=list,
        description=f"Key results this one ladders up to: {_REF_FORMS}.",
    )
    related: list[Ref] = Field(
        default_factory=list, description=f"Lateral links (shown both ways): {_REF_FORMS}."
    )
    checkins: list[CheckIn] = Field(
        default_factory=list, max_length=MAX_CHECKINS, description="Check-ins, oldest first."
    )
    score: Score | None = Field(
        None,
        description="Grade given at grading, usually 0 to 1 (above 1 is over-achievement); "
        "overrides computed progress.",
    )
    note: Text | None = Field(
        None,
        description="Latest status note (Markdown), shown beside the key result; once "
        "graded, what came of it and what was learned.",
    )
    description: LongText | None = Field(
        None, description="What it means and how it is measured, links to epics (Markdown)."
    )
    allow: list[RuleId] = Field(
        default_factory=list,
        description="Quality rules reviewed and accepted for this key result, e.g. [OKR001].",
    )
    measure: Measure | None = Field(
        None,
        description="Read check-ins and current from a data file: "
        "{file: data/x.csv, date: COLUMN, value: COLUMN}.",
    )

    @property
    def measured(self) -> Measurement | None:
        """What the ``measure`` data file said, once validation has read it."""
        found = self.__dict__.get(_MEASURED_KEY)
        return found if isinstance(found, Measurement) else None

    def set_measured(self, measurement: Measurement) -> None:
        """Record the data file's reading (validation does this, like ``set_source``)."""
        object.__setattr__(self, _MEASURED_KEY, measurement)

    @property
    def effective_kind(self) -> KeyResultKind:
        if self.kind is not None:
            return self.kind
        return "milestone" if self.done is not None else "numeric"

    @property
    def all_owners(self) -> list[str]:
        """``owner`` then the co-owners, each once."""
        return _people(self.owner, self.owners)


class Objective(Node):
    """A qualitative goal with its key results."""

    id: Slug = Field(description="Objective id, unique within the unit and cycle.")
    title: Text = Field(description="The objective: qualitative, inspiring, in one line.")
    description: LongText | None = Field(None, description="Why it matters (Markdown).")
    owner: Text | None = Field(None, description="Who owns it.")
    owners: list[Text] = Field(
        default_factory=list, description="Co-owners, beside owner (e.g. [Ana, Ben])."
    )
    visibility: Visibility = Field(
        "public",
        description="private objectives never appear in published output, only as a count.",
    )
    weight: Weight = Field(
        1.0, description="Weight in the unit's roll-up (relative to its siblings)."
    )
    aligns_to: list[Ref] = Field(
        default_factory=list, description=f"Objectives or key results it serves: {_REF_FORMS}."
    )
    related: list[Ref] = Field(
        default_factory=list, description=f"Lateral links (shown both ways): {_REF_FORMS}."
    )
    key_results: list[KeyResult] = Field(
        default_factory=list, max_length=MAX_KEY_RESULTS, description="Its key results."
    )
    score: Score | None = Field(
        None,
        description="Grade given at grading, usually 0 to 1 (above 1 is over-achievement); "
        "overrides its key results' mean.",
    )
    outcome: Outcome | None = Field(
        None, description="At grading: achieved, missed or postponed."
    )
    learnings: LongText | None = Field(None, description="What was learned, at grading.")
    allow: list[RuleId] = Field(
        default_factory=list,
        description="Quality rules reviewed and accepted for this objective, e.g. [OKR005].",
    )

    @property
    def is_private(self) -> bool:
        return self.visibility == "private"

    @property
    def all_owners(self) -> list[str]:
        """``owner`` then the co-owners, each once."""
        return _people(self.owner, self.owners)


def _people(owner: str | None, owners: list[str]) -> list[str]:
    found = [owner] if owner else []
    for name in owners:
        if name not in found:
            found.append(name)
    return found


class HealthMetric(Node):
    """A business-as-usual metric, mainly for service units."""

    title: Text = Field(description="What is measured.")
    target: Text | None = Field(None, description="Target, as text (e.g. '< 4h').")
    current: Text | None = Field(None, description="Current value, as text.")
    status: HealthStatus = Field("ok", description="ok, at-risk or off-track.")
    owner: Text | None = Field(None, description="Who watches it.")
    note: Text | None = Field(None, description="A note (Markdown).")


class UnitCycleFile(Node):
    """``content/<cycle>/<unit>.yaml`` (or ``.md`` with YAML front matter)."""

    status: Status = Field(
        "draft", description="draft, review, locked (agreed) or graded (scored at the end)."
    )
    locked_on: Date | None = Field(
        None, description="When the OKRs were locked (used by the schedule check)."
    )
    objectives: list[Objective] = Field(
        default_factory=list, max_length=MAX_OBJECTIVES, description="The unit's objectives."
    )
    health_metrics: list[HealthMetric] = Field(
        default_factory=list,
        max_length=MAX_HEALTH_METRICS,
        description="Business-as-usual metrics (mainly service units).",
    )
