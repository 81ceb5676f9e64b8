"""What changed between two OKR models: the change set the diff produces.

These types are plain data. :mod:`okrsite.review.compare` fills them,
:mod:`okrsite.review.impact` adds the affected units, and
:mod:`okrsite.review.markdown` renders them for a pull request comment;
:func:`diff_json` gives them to tools. Display fields (``title``, ``text``,
``old``/``new`` values) hold unescaped text; ids and references (``id``,
``ref``, ``unit``) are the model's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from okrsite.model import ROOT_UNIT, OkrModel

JSON_VERSION = 1
LOCKED = ("locked", "graded")
"""Unit file statuses after which a target cut is flagged."""

Status = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    """One field that changed: names and values are display text (unescaped)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class LinkChange:
    """An alignment link added or removed: ``now aligns to company/grow (…)``."""

    text: str
    ref: str


@dataclass
class ItemChange:
    """What an objective and a key result change share: identity and links."""

    id: str
    title: str
    status: Status
    old_title: str | None = None
    """Set when renamed (same id, new title)."""
    old_id: str | None = None
    """Set when the id changed (matched by title)."""
    fields: list[FieldChange] = field(default_factory=list)
    links_added: list[LinkChange] = field(default_factory=list)
    """``now aligns to …`` / ``now contributes to …`` / ``now related to …``."""
    links_removed: list[LinkChange] = field(default_factory=list)


@dataclass
class KrChange(ItemChange):
    """A key result added, removed or changed."""

    target_cut: bool = False
    progress: tuple[str, str] | None = None
    confidence: tuple[str, str] | None = None
    new_checkins: list[str] = field(default_factory=list)
    """New check-ins as ``2026-02-01: 12 days (note)``, oldest first."""


@dataclass
class ObjectiveChange(ItemChange):
    """An objective added, removed or changed, with its key results."""

    key_results: list[KrChange] = field(default_factory=list)


@dataclass
class UnitChange:
    """One unit's OKR file in one cycle: added, removed or changed."""

    cycle: str
    unit: str
    name: str
    path: str
    status: Status
    fields: list[FieldChange] = field(default_factory=list)
    objectives: list[ObjectiveChange] = field(default_factory=list)
    private_changed: int = 0

    @property
    def targets_cut(self) -> int:
        return sum(kr.target_cut for o in self.objectives for kr in o.key_results)


@dataclass(frozen=True)
class OrgChange:
    """A change in ``org.yaml``: a unit added, deleted, moved, renamed…"""

    unit: str
    name: str
    kind: Literal["added", "deleted", "moved", "renamed", "kind", "lead", "maintainers"]
    old: str = ""
    new: str = ""


@dataclass
class AffectedUnit:
    """A unit that did not make the change but is affected by it."""

    unit: str
    name: str
    maintainers: list[str]
    reasons: list[str]


@dataclass(frozen=True)
class FindingChange:
    """A check finding that is new in the head or fixed since the base."""

    severity: str
    rule: str
    message: str
    location: str
    cycle: str | None = None
    unit: str | None = None
    objective: str | None = None
    key_result: str | None = None


@dataclass
class ModelDiff:
    """Everything that changed between two models (see the module docstring)."""

    base_missing: bool = False
    """No content at the base (or it was invalid): everything is new."""
    base_issues: list[str] = field(default_factory=list)
    """Validation errors of the base, when it was invalid (a note only)."""
    head_issues: list[str] = field(default_factory=list)
    """Validation errors of the head: the PR is broken, the main news."""
    org: list[OrgChange] = field(default_factory=list)
    units: list[UnitChange] = field(default_factory=list)
    affected: list[AffectedUnit] = field(default_factory=list)
    new_findings: list[FindingChange] = field(default_factory=list)
    fixed_findings: list[FindingChange] = field(default_factory=list)

    @property
    def private_changed(self) -> int:
        return sum(u.private_changed for u in self.units)

    @property
    def targets_cut(self) -> int:
        return sum(u.targets_cut for u in self.units)

    @property
    def changed_units(self) -> int:
        """Distinct units with a changed OKR file or org entry."""
        return len({u.unit for u in self.units} | {o.unit for o in self.org})

    @property
    def is_empty(self) -> bool:
        return not (
            self.head_issues or self.org or self.units or self.new_findings or self.fixed_findings
        )

    def headline(self) -> str:
        """``3 units changed, 1 target cut after lock, 2 new warnings``."""
        parts: list[str] = []
        if self.head_issues:
            parts.append(f"content is invalid: {plural(len(self.head_issues), 'error')}")
        if self.changed_units:
            parts.append(f"{plural(self.changed_units, 'unit')} changed")
        deleted = sum(o.kind == "deleted" for o in self.org)
        moved = sum(o.kind == "moved" for o in self.org)
        if deleted:
            parts.append(f"{plural(deleted, 'unit')} deleted")
        if moved:
            parts.append(f"{plural(moved, 'unit')} moved")
        if self.targets_cut:
            parts.append(f"{plural(self.targets_cut, 'target')} cut after lock")
        if self.private_changed:
            parts.append(f"{plural(self.private_changed, 'private objective')} changed")
        for severity in ("error", "warning", "info"):
            new = sum(f.severity == severity for f in self.new_findings)
            if new:
                word = "info finding" if severity == "info" else severity
                parts.append(f"{plural(new, 'new ' + word)}")
        if self.fixed_findings:
            parts.append(f"{plural(len(self.fixed_findings), 'finding')} fixed")
        if self.affected:
            parts.append(f"{plural(len(self.affected), 'other unit')} affected")
        return ", ".join(parts) if parts else "no OKR changes"

    def to_data(self) -> dict[str, Any]:
        """Plain data for JSON (stable keys)."""
        data = asdict(self)
        data["version"] = JSON_VERSION
        data["headline"] = self.headline()
        data["counts"] = {
            "units_changed": self.changed_units,
            "targets_cut_after_lock": self.targets_cut,
            "private_objectives_changed": self.private_changed,
            "new_findings": len(self.new_findings),
            "fixed_findings": len(self.fixed_findings),
            "affected_units": len(self.affected),
        }
        return data


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def unit_order(base: OkrModel | None, head: OkrModel, ids: Iterable[str]) -> list[str]:
    """The company first, then org.yaml order (head, then base), then by id."""
    rank = {ROOT_UNIT: 0}
    for model in (head, base):
        if model is not None:
            for uid in model.units:
                rank.setdefault(uid, len(rank))
    return sorted(ids, key=lambda u: (rank.get(u, len(rank)), u))


def diff_json(d: ModelDiff) -> str:
    """The summary as JSON (for tools); stable key order, ends with a newline."""
    return json.dumps(d.to_data(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
