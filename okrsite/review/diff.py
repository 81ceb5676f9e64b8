"""Two models → a change summary for a pull request comment. Pure.

Reviewers of an OKR pull request (often leads of other teams) need to see what
changed in the *OKRs*, not in the YAML. :func:`diff_models` compares the
content at the base of a PR with its head and returns a :class:`ModelDiff`;
:func:`diff_markdown` and :func:`diff_json` render it.

Definitions
-----------
Matching
    Objectives by id within a unit and cycle; key results by id within their
    objective. Left-over removed and added items with the same title are one
    item whose id changed. Same id with a new title is a *rename*.
Target cut after lock
    The unit's status in the base is ``locked`` or ``graded`` and a key
    result's target moved away from ambition: for an increasing KR (target
    above start, or a threshold to stay ``above``) the target went down; for a
    decreasing KR (target below start, or ``below``) it went up.
Progress and confidence
    Computed progress (:func:`okrsite.analysis.progress.kr_progress`) and the newest
    confidence (:func:`okrsite.render.fmt.latest_confidence`) on each side; new
    check-ins are those in the head that are not in the base.
Affected units
    Units that did not make the change but should hear about it: supporters of
    an objective or key result that was removed, renamed or got a new target,
    start or unit; units that gained or lost a supporter (an ``aligns_to``,
    ``contributes_to`` or ``related`` link added or removed, or the supporting
    objective removed); the old and new parent of a unit moved to another
    department; the parent of a deleted unit. Their maintainers come from
    ``org.yaml`` (head, else base).
Findings
    Compared by (rule, cycle, unit, objective, key result), so moving lines
    does not make a finding "new", and neither does a changed detail in its
    message (a stale check-in warning whose day count grew is the same
    warning). Several findings of one rule on one node are paired by message
    first; only the surplus on either side is new or fixed.
Privacy
    Both models are redacted for the public (:func:`okrsite.analysis.redact.redact`)
    before anything is compared: private objectives — and objectives that are
    private on either side — appear only as a count, and findings that name
    one are left out.

Content is untrusted: the Markdown renderer escapes every content string
(``md_inline``; ``html_text`` inside ``<summary>``). Output is deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from okrsite.analysis.progress import kr_progress, percent
from okrsite.analysis.redact import redact
from okrsite.checks import Finding
from okrsite.errors import ContentIssue
from okrsite.model import (
    ROOT_UNIT,
    CheckIn,
    KeyResult,
    Objective,
    OkrModel,
    UnitCycleFile,
)
from okrsite.render.escape import html_text, md_inline
from okrsite.render.fmt import confidence_label, format_value, latest_confidence
from okrsite.review.codeowners import is_valid_owner

MARKER = "<!-- okrsite-diff -->"
"""First line of the Markdown summary; CI finds its sticky comment by it."""
JSON_VERSION = 1
LOCKED = ("locked", "graded")

Status = Literal["added", "removed", "changed"]


# --------------------------------------------------------------------------
# The result


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
class KrChange:
    """A key result added, removed or changed."""

    id: str
    title: str
    status: Status
    old_title: str | None = None
    """Set when renamed (same id, new title)."""
    old_id: str | None = None
    """Set when the id changed (matched by title)."""
    fields: list[FieldChange] = field(default_factory=list)
    target_cut: bool = False
    progress: tuple[str, str] | None = None
    confidence: tuple[str, str] | None = None
    new_checkins: list[str] = field(default_factory=list)
    """New check-ins as ``2026-02-01: 12 days (note)``, oldest first."""
    links_added: list[LinkChange] = field(default_factory=list)
    links_removed: list[LinkChange] = field(default_factory=list)


@dataclass
class ObjectiveChange:
    """An objective added, removed or changed, with its key results."""

    id: str
    title: str
    status: Status
    old_title: str | None = None
    old_id: str | None = None
    fields: list[FieldChange] = field(default_factory=list)
    links_added: list[LinkChange] = field(default_factory=list)
    """``now aligns to …`` / ``now related to …``."""
    links_removed: list[LinkChange] = field(default_factory=list)
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
            parts.append(f"content is invalid: {_count(len(self.head_issues), 'error')}")
        if self.changed_units:
            parts.append(f"{_count(self.changed_units, 'unit')} changed")
        deleted = sum(o.kind == "deleted" for o in self.org)
        moved = sum(o.kind == "moved" for o in self.org)
        if deleted:
            parts.append(f"{_count(deleted, 'unit')} deleted")
        if moved:
            parts.append(f"{_count(moved, 'unit')} moved")
        if self.targets_cut:
            parts.append(f"{_count(self.targets_cut, 'target')} cut after lock")
        if self.private_changed:
            parts.append(f"{_count(self.private_changed, 'private objective')} changed")
        for severity in ("error", "warning", "info"):
            new = sum(f.severity == severity for f in self.new_findings)
            if new:
                word = "info finding" if severity == "info" else severity
                parts.append(f"{_count(new, 'new ' + word)}")
        if self.fixed_findings:
            parts.append(f"{_count(len(self.fixed_findings), 'finding')} fixed")
        if self.affected:
            parts.append(f"{_count(len(self.affected), 'other unit')} affected")
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


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --------------------------------------------------------------------------
# Comparing


def diff_models(
    base: OkrModel | None,
    head: OkrModel,
    *,
    base_findings: Sequence[Finding] = (),
    head_findings: Sequence[Finding] = (),
    base_issues: Sequence[ContentIssue] = (),
) -> ModelDiff:
    """What changed from ``base`` (None: no or invalid base) to ``head``.

    ``base_issues`` are the base's validation errors when it was invalid; they
    are only noted. Both models are redacted for the public here.
    """
    private = _private_ids(base) | _private_ids(head)
    pub_base = redact(base, "public") if base is not None else None
    pub_head = redact(head, "public")
    result = ModelDiff(
        base_missing=base is None,
        base_issues=[str(i) for i in base_issues],
    )
    result.org = _org_changes(pub_base, pub_head) if pub_base is not None else []
    result.units = _unit_changes(base, head, pub_base, pub_head, private)
    result.affected = _affected(pub_base, pub_head, result)
    new, fixed = _finding_changes(base_findings, head_findings, private)
    result.new_findings, result.fixed_findings = new, fixed
    return result


def broken_head(
    head_issues: Sequence[ContentIssue], base_issues: Sequence[ContentIssue] = ()
) -> ModelDiff:
    """The summary of a PR whose content does not validate: its errors."""
    return ModelDiff(
        head_issues=[str(i) for i in head_issues],
        base_issues=[str(i) for i in base_issues],
    )


PrivateKey = tuple[str, str, str]  # cycle, unit, objective id


def _private_ids(model: OkrModel | None) -> set[PrivateKey]:
    if model is None:
        return set()
    return {
        (cycle.id, unit_id, o.id)
        for cycle in model.cycles.values()
        for unit_id, okrs in cycle.okrs.items()
        for o in okrs.content.objectives
        if o.is_private
    }


def _dump(node: Any) -> Any:
    return node.model_dump(mode="json")


def _private_changes(
    base: OkrModel | None, head: OkrModel, cycle: str, unit: str, private: set[PrivateKey]
) -> int:
    """Objectives private on either side that were added, removed or changed."""

    def objectives(model: OkrModel | None) -> dict[str, Any]:
        if model is None or cycle not in model.cycles:
            return {}
        okrs = model.cycles[cycle].okrs.get(unit)
        if okrs is None:
            return {}
        return {o.id: _dump(o) for o in okrs.content.objectives}

    old, new = objectives(base), objectives(head)
    ids = {oid for c, u, oid in private if c == cycle and u == unit}
    return sum(old.get(oid) != new.get(oid) for oid in ids)


def _cycle_order(base: OkrModel | None, head: OkrModel) -> list[str]:
    order = list(head.cycles)
    if base is not None:
        order += [c for c in base.cycles if c not in head.cycles]
    return order


def _unit_order(base: OkrModel | None, head: OkrModel, ids: Iterable[str]) -> list[str]:
    """The company first, then org.yaml order (head, then base), then by id."""
    rank = {ROOT_UNIT: 0}
    for model in (head, base):
        if model is not None:
            for uid in model.units:
                rank.setdefault(uid, len(rank))
    return sorted(ids, key=lambda u: (rank.get(u, len(rank)), u))


def _unit_changes(
    base: OkrModel | None,
    head: OkrModel,
    pub_base: OkrModel | None,
    pub_head: OkrModel,
    private: set[PrivateKey],
) -> list[UnitChange]:
    changes: list[UnitChange] = []
    for cycle_id in _cycle_order(pub_base, pub_head):
        old_cycle = pub_base.cycles.get(cycle_id) if pub_base is not None else None
        new_cycle = pub_head.cycles.get(cycle_id)
        old_okrs = old_cycle.okrs if old_cycle else {}
        new_okrs = new_cycle.okrs if new_cycle else {}
        for unit_id in _unit_order(pub_base, pub_head, set(old_okrs) | set(new_okrs)):
            before, after = old_okrs.get(unit_id), new_okrs.get(unit_id)
            model = pub_head if after is not None else pub_base
            assert model is not None
            change = UnitChange(
                cycle=cycle_id,
                unit=unit_id,
                name=model.unit_name(unit_id),
                path=(after or before).path,  # type: ignore[union-attr]
                status="added" if before is None else "removed" if after is None else "changed",
                private_changed=_private_changes(base, head, cycle_id, unit_id, private),
            )
            skip = {oid for c, u, oid in private if c == cycle_id and u == unit_id}
            old_content = before.content if before else UnitCycleFile()
            new_content = after.content if after else UnitCycleFile()
            locked = before is not None and before.content.status in LOCKED
            if before is not None and after is not None:
                change.fields = _unit_fields(old_content, new_content)
                if before.notes != after.notes:
                    change.fields.append(FieldChange("notes", "", "changed"))
            change.objectives = _objective_changes(
                old_content.objectives,
                new_content.objectives,
                skip,
                locked,
                pub_base,
                pub_head,
                cycle_id,
            )
            if (
                change.fields
                or change.objectives
                or change.private_changed
                or (change.status != "changed")
            ):
                changes.append(change)
    return changes


def _unit_fields(old: UnitCycleFile, new: UnitCycleFile) -> list[FieldChange]:
    fields: list[FieldChange] = []
    if old.status != new.status:
        fields.append(FieldChange("status", old.status, new.status))
    if old.locked_on != new.locked_on:
        fields.append(FieldChange("locked on", _text(old.locked_on), _text(new.locked_on)))
    old_metrics = {m.title: m for m in old.health_metrics}
    new_metrics = {m.title: m for m in new.health_metrics}
    for title in sorted(set(old_metrics) | set(new_metrics)):
        a, b = old_metrics.get(title), new_metrics.get(title)
        label = f"health metric “{title}”"
        if a is None or b is None:
            what = "added" if a is None else "removed"
            fields.append(FieldChange(label, "" if a is None else "present", what))
            continue
        for name in ("status", "target", "current", "owner"):
            x, y = getattr(a, name), getattr(b, name)
            if x != y:
                fields.append(FieldChange(f"{label} {name}", _text(x), _text(y)))
    return fields


def _text(value: Any) -> str:
    return "–" if value is None else str(value)


def _match(old: Sequence[Any], new: Sequence[Any]) -> list[tuple[Any | None, Any | None]]:
    """Pairs (old, new) matched by id, then left-overs by identical title; new order."""
    old_by_id = {o.id: o for o in old}
    new_ids = {n.id for n in new}
    removed = [o for o in old if o.id not in new_ids]
    by_title: dict[str, Any] = {}
    for item in removed:
        by_title.setdefault(item.title, item)
    pairs: list[tuple[Any | None, Any | None]] = []
    used: set[str] = set()
    for item in new:
        match = old_by_id.get(item.id)
        if match is None and item.title in by_title and by_title[item.title].id not in used:
            match = by_title[item.title]
        if match is not None:
            used.add(match.id)
        pairs.append((match, item))
    pairs += [(o, None) for o in old if o.id not in used and o.id not in new_ids]
    return pairs


def _ref_text(model: OkrModel | None, cycle_id: str, ref: str) -> str:
    """``company/grow (Grow mid-market)`` from the (redacted) model, else the ref."""
    if model is None or cycle_id not in model.cycles:
        return ref
    parts = ref.split("/")
    okrs = model.cycles[cycle_id].okrs.get(parts[0])
    if okrs is None:
        return ref
    objective = next((o for o in okrs.content.objectives if o.id == parts[1]), None)
    if objective is None:
        return ref
    title = objective.title
    if len(parts) == 3:
        kr = next((k for k in objective.key_results if k.id == parts[2]), None)
        if kr is None:
            return ref
        title = kr.title
    return f"{ref} ({title})"


def _links(
    old: dict[str, list[str]],
    new: dict[str, list[str]],
    pub_base: OkrModel | None,
    pub_head: OkrModel,
    cycle_id: str,
) -> tuple[list[LinkChange], list[LinkChange]]:
    """Link lists by verb (``aligns to``…) → ('now aligns to X', 'no longer supports Y')."""
    added: list[LinkChange] = []
    removed: list[LinkChange] = []
    for verb in new.keys() | old.keys():
        before, after = old.get(verb, []), new.get(verb, [])
        added += [
            LinkChange(f"now {verb} {_ref_text(pub_head, cycle_id, r)}", r)
            for r in after
            if r not in before
        ]
        word = "supports" if verb == "aligns to" else verb
        removed += [
            LinkChange(f"no longer {word} {_ref_text(pub_base or pub_head, cycle_id, r)}", r)
            for r in before
            if r not in after
        ]
    return sorted(added, key=lambda x: x.text), sorted(removed, key=lambda x: x.text)


def _objective_changes(
    old: Sequence[Objective],
    new: Sequence[Objective],
    skip: set[str],
    locked: bool,
    pub_base: OkrModel | None,
    pub_head: OkrModel,
    cycle_id: str,
) -> list[ObjectiveChange]:
    changes: list[ObjectiveChange] = []
    old = [o for o in old if o.id not in skip]
    new = [o for o in new if o.id not in skip]
    for before, after in _match(old, new):
        if after is None:
            assert before is not None
            changes.append(
                ObjectiveChange(
                    before.id,
                    before.title,
                    "removed",
                    key_results=[KrChange(k.id, k.title, "removed") for k in before.key_results],
                    links_removed=_links(
                        {"aligns to": before.aligns_to}, {}, pub_base, pub_head, cycle_id
                    )[1],
                )
            )
            continue
        change = ObjectiveChange(after.id, after.title, "added" if before is None else "changed")
        base_links = {"aligns to": before.aligns_to, "related to": before.related} if before else {}
        change.links_added, change.links_removed = _links(
            base_links,
            {"aligns to": after.aligns_to, "related to": after.related},
            pub_base,
            pub_head,
            cycle_id,
        )
        if before is not None:
            if before.title != after.title:
                change.old_title = before.title
            if before.id != after.id:
                change.old_id = before.id
            for name in ("owner", "weight", "score", "outcome"):
                x, y = getattr(before, name), getattr(after, name)
                if x != y:
                    change.fields.append(FieldChange(name, _text(x), _text(y)))
            if before.description != after.description:
                change.fields.append(FieldChange("description", "", "changed"))
        change.key_results = _kr_changes(
            before.key_results if before else [],
            after.key_results,
            locked,
            pub_base,
            pub_head,
            cycle_id,
        )
        if change.status != "changed" or any(
            (
                change.old_title,
                change.old_id,
                change.fields,
                change.links_added,
                change.links_removed,
                change.key_results,
            )
        ):
            changes.append(change)
    return changes


def _checkin_key(c: CheckIn) -> str:
    return json.dumps(_dump(c), sort_keys=True)


def _checkin_text(kr: KeyResult, c: CheckIn) -> str:
    if c.value is not None:
        value = format_value(c.value, kr.unit, kr.prefix)
    elif c.done is not None:
        value = "done" if c.done else "not done"
    elif c.met is not None:
        value = "met" if c.met else "not met"
    else:
        value = "no value"
    text = f"{c.date.isoformat()}: {value}"
    if c.confidence is not None:
        text += f", confidence {confidence_label(c.confidence)}"
    if c.note:
        text += f" — {c.note}"
    return text


def is_target_cut(before: KeyResult, after: KeyResult) -> bool:
    """The target moved away from ambition (see the module docstring)."""
    if before.target is None or after.target is None or before.target == after.target:
        return False
    kind = after.effective_kind
    if kind == "threshold":
        increasing = (after.direction or "above") == "above"
    elif kind == "numeric" and before.start is not None and before.start != before.target:
        increasing = before.target > before.start
    else:
        return False
    return after.target < before.target if increasing else after.target > before.target


def _kr_changes(
    old: Sequence[KeyResult],
    new: Sequence[KeyResult],
    locked: bool,
    pub_base: OkrModel | None,
    pub_head: OkrModel,
    cycle_id: str,
) -> list[KrChange]:
    changes: list[KrChange] = []
    for before, after in _match(old, new):
        if after is None:
            assert before is not None
            changes.append(KrChange(before.id, before.title, "removed"))
            continue
        change = KrChange(after.id, after.title, "added" if before is None else "changed")
        base_links = (
            {"contributes to": before.contributes_to, "related to": before.related}
            if before
            else {}
        )
        change.links_added, change.links_removed = _links(
            base_links,
            {"contributes to": after.contributes_to, "related to": after.related},
            pub_base,
            pub_head,
            cycle_id,
        )
        if before is not None:
            if before.title != after.title:
                change.old_title = before.title
            if before.id != after.id:
                change.old_id = before.id
            for name in ("start", "target"):
                x, y = getattr(before, name), getattr(after, name)
                if x != y:
                    change.fields.append(
                        FieldChange(
                            name,
                            format_value(x, before.unit, before.prefix),
                            format_value(y, after.unit, after.prefix),
                        )
                    )
            for name in ("kind", "unit", "prefix", "direction", "owner", "weight", "score"):
                x, y = getattr(before, name), getattr(after, name)
                if name == "kind":
                    x, y = before.effective_kind, after.effective_kind
                if x != y:
                    change.fields.append(FieldChange(name, _text(x), _text(y)))
            change.target_cut = locked and is_target_cut(before, after)
            old_progress, new_progress = percent(kr_progress(before)), percent(kr_progress(after))
            if old_progress != new_progress:
                change.progress = (old_progress, new_progress)
            old_conf = confidence_label(latest_confidence(before))
            new_conf = confidence_label(latest_confidence(after))
            if old_conf != new_conf:
                change.confidence = (old_conf, new_conf)
            known = {_checkin_key(c) for c in before.checkins}
            change.new_checkins = [
                _checkin_text(after, c)
                for c in sorted(after.checkins, key=lambda c: c.date)
                if _checkin_key(c) not in known
            ]
        if change.status != "changed" or any(
            (
                change.old_title,
                change.old_id,
                change.fields,
                change.progress,
                change.confidence,
                change.new_checkins,
                change.links_added,
                change.links_removed,
            )
        ):
            changes.append(change)
    return changes


# --------------------------------------------------------------------------
# Organisation


def _org_changes(base: OkrModel, head: OkrModel) -> list[OrgChange]:
    changes: list[OrgChange] = []
    for uid in _unit_order(base, head, set(base.units) | set(head.units)):
        a, b = base.units.get(uid), head.units.get(uid)
        if a is None:
            assert b is not None
            changes.append(OrgChange(uid, b.name, "added", new=head.unit_name(b.parent)))
            continue
        if b is None:
            changes.append(OrgChange(uid, a.name, "deleted", old=base.unit_name(a.parent)))
            continue
        if a.parent != b.parent:
            changes.append(
                OrgChange(
                    uid,
                    b.name,
                    "moved",
                    old=f"{base.unit_name(a.parent)} ({a.parent})",
                    new=f"{head.unit_name(b.parent)} ({b.parent})",
                )
            )
        if a.name != b.name:
            changes.append(OrgChange(uid, b.name, "renamed", old=a.name, new=b.name))
        if a.kind != b.kind:
            changes.append(OrgChange(uid, b.name, "kind", old=a.kind, new=b.kind))
        if a.definition.lead != b.definition.lead:
            changes.append(
                OrgChange(uid, b.name, "lead", _text(a.definition.lead), _text(b.definition.lead))
            )
        if a.definition.maintainers != b.definition.maintainers:
            changes.append(
                OrgChange(
                    uid,
                    b.name,
                    "maintainers",
                    ", ".join(a.definition.maintainers) or "–",
                    ", ".join(b.definition.maintainers) or "–",
                )
            )
    return changes


# --------------------------------------------------------------------------
# Who else is affected


_SIGNIFICANT_KR_FIELDS = frozenset({"start", "target", "unit", "kind", "direction"})


def _supporters(model: OkrModel | None, cycle_id: str) -> list[tuple[str, str, str]]:
    """Every link in a cycle as (supporting unit, its ref, the ref it points at)."""
    if model is None or cycle_id not in model.cycles:
        return []
    links: list[tuple[str, str, str]] = []
    for unit_id, okrs in model.cycles[cycle_id].okrs.items():
        for o in okrs.content.objectives:
            for ref in [*o.aligns_to, *o.related]:
                links.append((unit_id, f"{unit_id}/{o.id}", ref))
            for kr in o.key_results:
                for ref in [*kr.contributes_to, *kr.related]:
                    links.append((unit_id, f"{unit_id}/{o.id}/{kr.id}", ref))
    return links


def _affected(base: OkrModel | None, head: OkrModel, d: ModelDiff) -> list[AffectedUnit]:
    reasons: dict[str, set[str]] = {}
    changed_units = {u.unit for u in d.units}

    def add(unit: str, reason: str, source: str) -> None:
        if unit != source:
            reasons.setdefault(unit, set()).add(reason)

    for uc in d.units:
        what: dict[str, str] = {}  # ref → what happened to it
        for o in uc.objectives:
            ref = f"{uc.unit}/{o.id}"
            if o.status == "removed":
                what[ref] = "was removed"
                for kr in o.key_results:
                    what[f"{ref}/{kr.id}"] = "was removed"
            elif o.old_id:
                what[f"{uc.unit}/{o.old_id}"] = f"changed its id to {o.id}"
            elif o.old_title:
                what[ref] = "was renamed"
            for kr in o.key_results:
                kref = f"{ref}/{kr.id}"
                if kr.status == "removed":
                    what.setdefault(kref, "was removed")
                elif kr.old_id:
                    what[f"{ref}/{kr.old_id}"] = f"changed its id to {kr.id}"
                elif any(f.field in _SIGNIFICANT_KR_FIELDS for f in kr.fields):
                    names = sorted({f.field for f in kr.fields} & _SIGNIFICANT_KR_FIELDS)
                    what[kref] = f"changed its {' and '.join(names)}"
                elif kr.old_title:
                    what[kref] = "was renamed"
        if uc.status == "removed":
            for o in uc.objectives:
                what.setdefault(f"{uc.unit}/{o.id}", "was removed")
        # Supporters of what changed (links are read on both sides).
        for model in (base, head):
            for unit, _source, target in _supporters(model, uc.cycle):
                if target in what:
                    add(unit, f"{uc.cycle}: supports {target}, which {what[target]}", uc.unit)
        # Parents that gained or lost a supporter.
        for o in uc.objectives:
            items: list[ObjectiveChange | KrChange] = [o, *o.key_results]
            for kr_or_o in items:
                for link in [*kr_or_o.links_added, *kr_or_o.links_removed]:
                    add(link.ref.split("/")[0], f"{uc.cycle}: {uc.unit} {link.text}", uc.unit)
            if o.status == "removed" or (o.status == "changed" and o.key_results):
                # A removed objective or a changed KR whose parent it supports.
                for kr in o.key_results:
                    if (
                        kr.status == "removed"
                        or kr.target_cut
                        or any(f.field in _SIGNIFICANT_KR_FIELDS for f in kr.fields)
                    ):
                        source_model = head if kr.status != "removed" else base
                        for unit, src, target in _supporters(source_model, uc.cycle):
                            if src == f"{uc.unit}/{o.id}/{kr.id}":
                                add(
                                    target.split("/")[0],
                                    f"{uc.cycle}: supporting key result {src} "
                                    f"{'was removed' if kr.status == 'removed' else 'changed'}",
                                    unit,
                                )
    for oc in d.org:
        if oc.kind == "moved":
            old_parent = oc.old.rsplit("(", 1)[-1].rstrip(")")
            new_parent = oc.new.rsplit("(", 1)[-1].rstrip(")")
            add(old_parent, f"{oc.unit} moved from here to {new_parent}", oc.unit)
            add(new_parent, f"{oc.unit} moved here from {old_parent}", oc.unit)
        elif oc.kind == "deleted" and base is not None:
            parent = base.units[oc.unit].parent
            add(parent, f"child unit {oc.unit} was deleted", oc.unit)
    affected: list[AffectedUnit] = []
    for uid in _unit_order(base, head, reasons):
        if uid in changed_units and uid not in head.units and base is not None:
            continue
        model = head if uid in head.units or base is None else base
        found = model.units.get(uid)
        if uid != ROOT_UNIT and found is None:
            continue
        maintainers = list(found.definition.maintainers) if found else []
        affected.append(AffectedUnit(uid, model.unit_name(uid), maintainers, sorted(reasons[uid])))
    return affected


# --------------------------------------------------------------------------
# Findings


def _finding_key(f: Finding) -> tuple[str, str, str, str, str]:
    """What makes two findings "the same" across base and head (not the message)."""
    return (f.rule_id, f.cycle or "", f.unit or "", f.objective or "", f.key_result or "")


def _surplus(ours: list[Finding], theirs: list[Finding]) -> list[Finding]:
    """Findings of ``ours`` left over once each is paired with one of ``theirs``
    of the same key: identical messages pair first, then the rest in order."""
    out: list[Finding] = []
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in theirs:
        groups.setdefault(_finding_key(f), []).append(f)
    pending: list[Finding] = []
    for f in sorted(ours, key=Finding.sort_key):
        group = groups.get(_finding_key(f), [])
        same = next((g for g in group if g.message == f.message), None)
        if same is not None:
            group.remove(same)
        else:
            pending.append(f)
    for f in pending:
        group = groups.get(_finding_key(f), [])
        if group:
            group.pop(0)
        else:
            out.append(f)
    return out


def _finding_change(f: Finding) -> FindingChange:
    return FindingChange(
        f.severity,
        f.rule_id,
        f.message,
        str(f.location),
        f.cycle,
        f.unit,
        f.objective,
        f.key_result,
    )


def _finding_changes(
    base: Sequence[Finding], head: Sequence[Finding], private: set[PrivateKey]
) -> tuple[list[FindingChange], list[FindingChange]]:
    def public(findings: Sequence[Finding]) -> list[Finding]:
        return [
            f for f in findings if (f.cycle or "", f.unit or "", f.objective or "") not in private
        ]

    new = sorted(_surplus(public(head), public(base)), key=Finding.sort_key)
    fixed = sorted(_surplus(public(base), public(head)), key=Finding.sort_key)
    return [_finding_change(f) for f in new], [_finding_change(f) for f in fixed]


# --------------------------------------------------------------------------
# Rendering


def _md(text: object) -> str:
    return md_inline(text)


def _arrow(old: str, new: str) -> str:
    return f"{_md(old)} → {_md(new)}"


def _details(summary: str, lines: list[str], *, open_: bool = False) -> list[str]:
    """A collapsible section; ``summary`` is already HTML-escaped."""
    return [
        f"<details{' open' if open_ else ''}><summary>{summary}</summary>",
        "",
        *lines,
        "",
        "</details>",
        "",
    ]


def _field_line(f: FieldChange) -> str:
    if f.new in ("added", "removed", "changed") and f.old in ("", "present"):
        return f"{_md(f.field)} {f.new}"
    return f"{_md(f.field)} {_arrow(f.old, f.new)}"


def _kr_lines(kr: KrChange) -> list[str]:
    title = f"“{_md(kr.title)}” ({_md(kr.id)})"
    if kr.status == "added":
        return [f"  - ➕ key result {title} added"]
    if kr.status == "removed":
        return [f"  - ➖ key result {title} removed"]
    lines = [f"  - key result {title}"]
    if kr.old_id:
        lines.append(f"    - id changed: {_arrow(kr.old_id, kr.id)}")
    if kr.old_title:
        lines.append(f"    - renamed: “{_md(kr.old_title)}” → “{_md(kr.title)}”")
    for f in kr.fields:
        flag = " — ⚠️ **target cut after lock**" if f.field == "target" and kr.target_cut else ""
        lines.append(f"    - {_field_line(f)}{flag}")
    if kr.progress:
        lines.append(f"    - progress {_arrow(*kr.progress)}")
    if kr.confidence:
        lines.append(f"    - confidence {_arrow(*kr.confidence)}")
    lines += [f"    - new check-in {_md(c)}" for c in kr.new_checkins]
    lines += [f"    - {_md(t.text)}" for t in [*kr.links_added, *kr.links_removed]]
    return lines


def _objective_lines(o: ObjectiveChange) -> list[str]:
    title = f"“{_md(o.title)}” ({_md(o.id)})"
    if o.status == "removed":
        lines = [f"- ➖ objective {title} removed"]
        lines += [f"  - {_md(t.text)}" for t in o.links_removed]
        return lines
    verb = "➕ objective" if o.status == "added" else "objective"
    lines = [f"- {verb} {title}{' added' if o.status == 'added' else ''}"]
    if o.old_id:
        lines.append(f"  - id changed: {_arrow(o.old_id, o.id)}")
    if o.old_title:
        lines.append(f"  - renamed: “{_md(o.old_title)}” → “{_md(o.title)}”")
    lines += [f"  - {_field_line(f)}" for f in o.fields]
    lines += [f"  - {_md(t.text)}" for t in [*o.links_added, *o.links_removed]]
    for kr in o.key_results:
        lines += _kr_lines(kr)
    return lines


def _unit_summary(u: UnitChange) -> str:
    status = {"added": " — new", "removed": " — removed", "changed": ""}[u.status]
    extra = f" — {_count(u.targets_cut, 'target')} cut after lock" if u.targets_cut else ""
    return f"{html_text(u.cycle)} · {html_text(u.name)} ({html_text(u.unit)}){status}{extra}"


def _org_line(c: OrgChange) -> str:
    who = f"{_md(c.name)} ({_md(c.unit)})"
    if c.kind == "added":
        return f"- ➕ {who} added under {_md(c.new)}"
    if c.kind == "deleted":
        return f"- ➖ {who} deleted (was under {_md(c.old)})"
    if c.kind == "moved":
        return f"- 🔀 {who} moved to another department: {_arrow(c.old, c.new)}"
    return f"- {who}: {_md(c.kind)} {_arrow(c.old, c.new)}"


def _finding_line(f: FindingChange) -> str:
    return f"- {_md(f.severity)} {_md(f.rule)}: {_md(f.message)} ({_md(f.location)})"


def diff_markdown(d: ModelDiff) -> str:
    """The summary as Markdown for a PR comment (every content string escaped)."""
    lines = [MARKER, "### OKR changes", "", f"**{_md(d.headline())}**", ""]
    if d.head_issues:
        lines += [
            "❌ **The OKR content in this change does not validate.** "
            "Fix these errors (`okrsite check` shows them locally):",
            "",
            *[f"- {_md(i)}" for i in d.head_issues],
            "",
        ]
    if d.base_issues:
        lines += _details(
            f"The base content was invalid ({_count(len(d.base_issues), 'error')}): "
            "compared with nothing",
            [f"- {_md(i)}" for i in d.base_issues],
        )
    elif d.base_missing and not d.head_issues:
        lines += ["No OKR content at the base: everything is new.", ""]
    if d.org:
        lines += _details(
            f"Organisation: {_count(len(d.org), 'change')}", [_org_line(c) for c in d.org]
        )
    for u in d.units:
        body: list[str] = []
        body += [f"- {_field_line(f)}" for f in u.fields]
        for o in u.objectives:
            body += _objective_lines(o)
        if u.private_changed:
            body.append(f"- {_count(u.private_changed, 'private objective')} changed")
        body.append(f"- file: {_md(u.path)}")
        lines += _details(_unit_summary(u), body)
    if d.affected:
        body = []
        for a in d.affected:
            people = ", ".join(_md(m) for m in a.maintainers if is_valid_owner(m.strip()))
            who = f" — maintainers: {people}" if people else ""
            body.append(f"- **{_md(a.name)}** ({_md(a.unit)}){who}")
            body += [f"  - {_md(r)}" for r in a.reasons]
        lines += _details(f"Other units affected: {len(d.affected)}", body)
    if d.new_findings:
        lines += _details(
            f"New check findings: {len(d.new_findings)}",
            [_finding_line(f) for f in d.new_findings],
        )
    if d.fixed_findings:
        lines += _details(
            f"Fixed check findings: {len(d.fixed_findings)}",
            [_finding_line(f) for f in d.fixed_findings],
        )
    if d.is_empty:
        lines += ["No changes to the OKRs.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def diff_json(d: ModelDiff) -> str:
    """The summary as JSON (for tools); stable key order, ends with a newline."""
    return json.dumps(d.to_data(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
