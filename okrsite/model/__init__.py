"""The typed model of a company's OKRs: ``from okrsite.model import …``.

- :mod:`okrsite.model.content`: the content format as types, one class per
  content file (the source of the published JSON Schema) and the nodes in them;
- :mod:`okrsite.model.validated`: the validated model (``OkrModel``: units,
  cycles, every unit's OKRs), built by :mod:`okrsite.validate`.

Every node knows where it came from: ``node.source`` is the
:class:`~okrsite.errors.SourceLocation` of its YAML mapping. Content is
untrusted: fields are *data*, and every renderer escapes them. The value
types of the format (ids, references, bounded numbers) live in
:mod:`okrsite.fieldtypes`; the most used are importable from here too.
"""

from __future__ import annotations

from okrsite.fieldtypes import (
    CYCLE_ID_RE,
    RESERVED_IDS,
    ROOT_UNIT,
    SLUG_RE,
    Confidence,
    Method,
    UnitKind,
    split_ref,
)
from okrsite.model.checkins import (
    CheckinsNotLoaded,
    checkins_loaded,
    checkins_of,
    load_checkins,
    load_cycle_checkins,
)
from okrsite.model.content import (
    AnnualObjective,
    Cadence,
    CandidateObjective,
    CheckIn,
    CheckLimits,
    CompanyFile,
    CycleDef,
    HealthMetric,
    KeyResult,
    Measure,
    Measurement,
    Node,
    Objective,
    OrgFile,
    Scoring,
    UnitCycleFile,
    UnitDef,
    set_sources_at,
)
from okrsite.model.validated import Cycle, OkrModel, Unit, UnitOkrs, schema

__all__ = [
    "CYCLE_ID_RE",
    "RESERVED_IDS",
    "ROOT_UNIT",
    "SLUG_RE",
    "AnnualObjective",
    "Cadence",
    "CandidateObjective",
    "CheckIn",
    "CheckLimits",
    "CheckinsNotLoaded",
    "CompanyFile",
    "Confidence",
    "Cycle",
    "CycleDef",
    "HealthMetric",
    "KeyResult",
    "Measure",
    "Measurement",
    "Method",
    "Node",
    "Objective",
    "OkrModel",
    "OrgFile",
    "Scoring",
    "Unit",
    "UnitCycleFile",
    "UnitDef",
    "UnitKind",
    "UnitOkrs",
    "checkins_loaded",
    "checkins_of",
    "load_checkins",
    "load_cycle_checkins",
    "schema",
    "set_sources_at",
    "split_ref",
]
