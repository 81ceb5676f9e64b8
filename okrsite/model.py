"""The typed model of a company's OKRs.

The classes ending in ``File`` describe one content file each and are the
source of the published JSON Schema; the nested classes (``Objective``,
``KeyResult``…) are shared by the schema and the validated model.

Every node knows where it came from: ``node.source`` is the
:class:`~okrsite.errors.SourceLocation` of its YAML mapping (set by
``validate.py`` from the YAML node marks, never by the author).

Content is untrusted. Fields here are *data*; every renderer escapes them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)

from okrsite.errors import SourceLocation

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


def _check_cycle_id(value: str) -> str:
    if len(value) > 32 or not CYCLE_ID_RE.match(value):
        raise ValueError(
            f"'{value}' is not a valid cycle id: use letters, digits and single "
            "hyphens (e.g. '2026-Q1')"
        )
    if value.lower() in RESERVED_IDS:
        raise ValueError(f"'{value}' is a reserved name and cannot be a cycle id")
    return value


def _check_ref(value: str) -> str:
    parts = value.split("/")
    if len(parts) not in (2, 3) or not all(SLUG_RE.match(p) for p in parts):
        raise ValueError(
            f"'{value}' is not a reference: write 'unit/objective' or "
            "'unit/objective/key-result' (ids in the same cycle)"
        )
    return value


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


_SOURCE_KEY = "_okrsite_source"


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
        return found if found is not None else SourceLocation("<unknown>")

    def set_source(self, location: SourceLocation) -> None:
        """Record where this node came from (validate.py does this)."""
        object.__setattr__(self, _SOURCE_KEY, location)


# --------------------------------------------------------------------------
# company.yaml


class Scoring(Node):
    """Score bands for 0.0–1.0 progress or scores: >= green, >= yellow, else red."""

    green: Fraction = 0.7
    yellow: Fraction = 0.4


class CycleDef(Node):
    """One OKR cycle (usually a quarter); its folder is named by ``id``."""

    id: CycleId
    name: Text | None = None
    start: dt.date
    end: dt.date


class AnnualObjective(Node):
    year: Annotated[int, Field(ge=1900, le=3000)]
    objective: Text


class CandidateObjective(Node):
    """An objective considered for a later cycle."""

    cycle: CycleId
    objective: Text
    owner: Text | None = None


class Cadence(Node):
    """Cadence settings; defaults follow common OKR practice."""

    grade_days_before_end: Annotated[int, Field(ge=0, le=90)] = 14
    publish_days_before_end: Annotated[int, Field(ge=0, le=90)] = 7
    draft_hours: Annotated[int, Field(ge=0, le=2000)] = 48
    review_hours: Annotated[int, Field(ge=0, le=2000)] = 24
    lock_hours: Annotated[int, Field(ge=0, le=2000)] = 24
    checkin_days: Annotated[int, Field(ge=1, le=90)] = 7


class CheckLimits(Node):
    """Limits used by the quality checks (``company.check_limits``); any field
    left out keeps its default."""

    company_objectives_min: Annotated[int, Field(ge=0, le=100)] = 1
    """Fewest company objectives per cycle (OKR010)."""
    company_objectives_max: Annotated[int, Field(ge=1, le=100)] = 3
    """Most company objectives per cycle (OKR010)."""
    unit_objectives_max: Annotated[int, Field(ge=1, le=100)] = 5
    """Most objectives of one unit per cycle (OKR010)."""
    key_results_min: Annotated[int, Field(ge=0, le=100)] = 2
    """Fewest key results per objective (OKR010)."""
    key_results_max: Annotated[int, Field(ge=1, le=100)] = 5
    """Most key results per objective (OKR010)."""
    max_depth: Annotated[int, Field(ge=1, le=100)] = 3
    """Deepest unit level below the company before OKR009 warns (1 = departments)."""


class CompanyFile(Node):
    """``content/company.yaml``: the company, its method, cycles and scoring."""

    version: Literal[1] = 1
    name: Text
    mission: Text | None = None
    method: Method = "hybrid"
    scoring: Scoring = Field(default_factory=Scoring)
    cadence: Cadence = Field(default_factory=Cadence)
    cycles: Annotated[list[CycleDef], Field(min_length=1)]
    annual: list[AnnualObjective] = Field(default_factory=list)
    candidates: list[CandidateObjective] = Field(default_factory=list)
    checks: dict[RuleId, RuleSetting] = Field(default_factory=dict)
    """Per-rule settings of the quality checks, e.g. ``{OKR004: off}``."""
    check_limits: CheckLimits | None = None
    """Limits of the quality checks (objective and key result counts, depth)."""
    publish_people: bool = True
    """When false, public builds omit people's names (owners, leads)."""


# --------------------------------------------------------------------------
# org.yaml


class UnitDef(Node):
    """One unit of the organisation (department, team or service unit)."""

    id: UnitId
    name: Text
    kind: UnitKind
    parent: ParentId = ROOT_UNIT
    lead: Text | None = None
    maintainers: list[Text] = Field(default_factory=list)
    description: LongText | None = None


class OrgFile(Node):
    """``content/org.yaml``: the organisation's units."""

    units: list[UnitDef] = Field(default_factory=list)


# --------------------------------------------------------------------------
# <cycle>/<unit>.yaml


class CheckIn(Node):
    """A weekly update of a key result."""

    date: dt.date
    value: Number | None = None
    done: bool | None = None
    met: bool | None = None
    confidence: Confidence | None = None
    note: Text | None = None
    author: Text | None = None


class KeyResult(Node):
    """A measurable result. ``kind`` defaults to ``numeric`` (start → target),
    or ``milestone`` when ``done`` is given."""

    id: Slug
    title: Text
    kind: KeyResultKind | None = None
    start: Number | None = None
    target: Number | None = None
    current: Number | None = None
    unit: Annotated[str, Field(max_length=32)] | None = None
    prefix: Annotated[str, Field(max_length=8)] | None = None
    direction: Literal["above", "below"] | None = None
    """For ``threshold`` KRs: stay above or below ``target``."""
    done: bool | None = None
    owner: Text | None = None
    weight: Weight = 1.0
    confidence: Confidence | None = None
    contributes_to: list[Ref] = Field(default_factory=list)
    related: list[Ref] = Field(default_factory=list)
    checkins: list[CheckIn] = Field(default_factory=list, max_length=MAX_CHECKINS)
    score: Score | None = None
    """The grade given at grading (0.0–1.0; above 1.0 is over-achievement)."""
    note: Text | None = None
    """Markdown: the latest status note, or (when graded) the outcome/learning note."""
    description: LongText | None = None
    """Markdown: what the key result means, how it is measured, links to epics."""
    allow: list[RuleId] = Field(default_factory=list)

    @property
    def effective_kind(self) -> KeyResultKind:
        if self.kind is not None:
            return self.kind
        return "milestone" if self.done is not None else "numeric"


class Objective(Node):
    """A qualitative goal with its key results."""

    id: Slug
    title: Text
    description: LongText | None = None
    owner: Text | None = None
    visibility: Visibility = "public"
    weight: Weight = 1.0
    aligns_to: list[Ref] = Field(default_factory=list)
    related: list[Ref] = Field(default_factory=list)
    key_results: list[KeyResult] = Field(default_factory=list, max_length=MAX_KEY_RESULTS)
    score: Score | None = None
    outcome: Outcome | None = None
    learnings: LongText | None = None
    allow: list[RuleId] = Field(default_factory=list)

    @property
    def is_private(self) -> bool:
        return self.visibility == "private"


class HealthMetric(Node):
    """A business-as-usual metric, mainly for service units."""

    title: Text
    target: Text | None = None
    current: Text | None = None
    status: HealthStatus = "ok"
    owner: Text | None = None
    note: Text | None = None


class UnitCycleFile(Node):
    """``content/<cycle>/<unit>.yaml`` (or ``.md`` with YAML front matter)."""

    status: Status = "draft"
    locked_on: dt.date | None = None
    """When the OKRs were locked (used by the schedule check)."""
    objectives: list[Objective] = Field(default_factory=list, max_length=MAX_OBJECTIVES)
    health_metrics: list[HealthMetric] = Field(
        default_factory=list, max_length=MAX_HEALTH_METRICS
    )


# --------------------------------------------------------------------------
# The validated model (built by validate.py; never by hand except in tests)


class UnitOkrs(BaseModel):
    """One unit's OKRs in one cycle, with the file they came from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    unit_id: str
    cycle_id: str
    path: str
    """Path of the source file relative to the content directory's parent."""
    content: UnitCycleFile
    notes: str = ""
    """Markdown body of a ``.md`` unit file (untrusted: rendered escaped)."""
    redacted_private: int = 0
    """Private objectives removed by ``redact.py`` (only their count is kept)."""

    @property
    def objectives(self) -> list[Objective]:
        return self.content.objectives

    @property
    def public_objectives(self) -> list[Objective]:
        return [o for o in self.content.objectives if not o.is_private]

    @property
    def private_count(self) -> int:
        """Private objectives, whether still present or already redacted."""
        return self.redacted_private + sum(1 for o in self.content.objectives if o.is_private)


class Cycle(BaseModel):
    """A cycle and every unit's OKRs in it (the root's under ``company``)."""

    definition: CycleDef
    okrs: dict[str, UnitOkrs] = Field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def title(self) -> str:
        return self.definition.name or self.definition.id


class Unit(BaseModel):
    """A unit with its resolved position in the tree."""

    definition: UnitDef
    depth: int
    """1 for units directly under the company."""
    children: list[str] = Field(default_factory=list)

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def kind(self) -> UnitKind:
        return self.definition.kind

    @property
    def parent(self) -> str:
        return self.definition.parent


class OkrModel(BaseModel):
    """Everything okrsite knows about a company's OKRs, validated."""

    company: CompanyFile
    units: dict[str, Unit]
    """Units by id, in org.yaml order (the root is not included)."""
    cycles: dict[str, Cycle]
    """Cycles by id, in company.yaml order."""
    content_dir: str = "content"

    def unit_name(self, unit_id: str) -> str:
        if unit_id == ROOT_UNIT:
            return self.company.name
        unit = self.units.get(unit_id)
        return unit.name if unit else unit_id

    def ancestors(self, unit_id: str) -> list[str]:
        """Parents of a unit from nearest to the company root (exclusive)."""
        chain: list[str] = []
        current = self.units[unit_id].parent if unit_id in self.units else ROOT_UNIT
        while current != ROOT_UNIT and current in self.units and current not in chain:
            chain.append(current)
            current = self.units[current].parent
        return chain


def schema() -> dict[str, Any]:
    """JSON Schema of every content file, for editors (``okrsite schema``)."""
    from pydantic.json_schema import models_json_schema

    _, definitions = models_json_schema(
        [(CompanyFile, "validation"), (OrgFile, "validation"), (UnitCycleFile, "validation")],
        title="okrsite content, format version 1",
    )
    definitions["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return definitions
