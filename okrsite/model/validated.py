"""The validated model: every unit's OKRs by cycle, the org tree resolved.

Built by :mod:`okrsite.validate` (never by hand except in tests) from the
content-file types of :mod:`okrsite.model.content`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from okrsite.fieldtypes import ROOT_UNIT, UnitKind
from okrsite.model.content import CompanyFile, CycleDef, Objective, OrgFile, UnitCycleFile, UnitDef


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
