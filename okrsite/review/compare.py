"""Two models → the change set for a pull request comment. Pure.

Reviewers of an OKR pull request (often leads of other teams) need to see what
changed in the *OKRs*, not in the YAML. :func:`diff_models` compares the
content at the base of a PR with its head and returns a
:class:`~okrsite.review.changes.ModelDiff`;
:func:`~okrsite.review.markdown.diff_markdown` and
:func:`~okrsite.review.changes.diff_json` render it.

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
    See :mod:`okrsite.review.impact`.
Findings
    See :mod:`okrsite.review.findings`.
Privacy
    Both models are redacted for the public (:func:`okrsite.analysis.redact.redact`)
    before anything is compared: private objectives — and objectives that are
    private on either side — appear only as a count, and findings that name
    one are left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from okrsite.analysis.progress import kr_progress, percent, score_text
from okrsite.analysis.redact import redact
from okrsite.checks import Finding
from okrsite.errors import ContentIssue
from okrsite.model import (
    CheckIn,
    KeyResult,
    Objective,
    OkrModel,
    UnitCycleFile,
)
from okrsite.refs import parse_ref
from okrsite.render.fmt import confidence_label, format_value, latest_confidence
from okrsite.review.changes import (
    LOCKED,
    FieldChange,
    ItemChange,
    KrChange,
    LinkChange,
    ModelDiff,
    ObjectiveChange,
    OrgChange,
    UnitChange,
    unit_order,
)
from okrsite.review.findings import PrivateKey, finding_changes
from okrsite.review.impact import affected_units


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
    result.affected = affected_units(pub_base, pub_head, result)
    new, fixed = finding_changes(base_findings, head_findings, private)
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
        for unit_id in unit_order(pub_base, pub_head, set(old_okrs) | set(new_okrs)):
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
        fields += _field_changes(a, b, ("status", "target", "current", "owner"), label=label)
    return fields


def _field_changes(
    before: Any, after: Any, names: Sequence[str], *, label: str = ""
) -> list[FieldChange]:
    """The fields among ``names`` whose values differ, as display text (a key
    result's ``kind`` is its effective kind). ``label`` prefixes each name."""
    changes: list[FieldChange] = []
    for name in names:
        x, y = _field_value(before, name), _field_value(after, name)
        if x != y:
            prefixed = f"{label} {name}" if label else name
            changes.append(FieldChange(prefixed, _field_text(name, x), _field_text(name, y)))
    return changes


def _field_value(node: Any, name: str) -> Any:
    if name == "kind" and isinstance(node, KeyResult):
        return node.effective_kind
    return getattr(node, name)


def _text(value: Any) -> str:
    if isinstance(value, list):  # co-owners
        return ", ".join(str(v) for v in value) or "–"
    return "–" if value is None else str(value)


def _field_text(name: str, value: Any) -> str:
    """A changed field's value; a score reads as on the pages (``0.66``, ``1.2``)."""
    return score_text(value) if name == "score" else _text(value)


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
    """``company/grow (Grow mid-market)`` from the (redacted) model, else the ref.
    A cross-cycle ``2026:company/grow`` is looked up in cycle 2026."""
    target_cycle, target = parse_ref(ref)
    cycle_id = target_cycle or cycle_id
    if model is None or cycle_id not in model.cycles:
        return ref
    okrs = model.cycles[cycle_id].okrs.get(target.unit)
    if okrs is None:
        return ref
    objective = next((o for o in okrs.content.objectives if o.id == target.objective), None)
    if objective is None:
        return ref
    title = objective.title
    if target.key_result is not None:
        kr = next((k for k in objective.key_results if k.id == target.key_result), None)
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


def _link_lists(node: Objective | KeyResult) -> dict[str, list[str]]:
    """An objective's or key result's links by the verb the summary uses."""
    if isinstance(node, Objective):
        return {"aligns to": node.aligns_to, "related to": node.related}
    return {"contributes to": node.contributes_to, "related to": node.related}


def _identity_and_links(
    change: ItemChange,
    before: Objective | KeyResult | None,
    after: Objective | KeyResult,
    pub_base: OkrModel | None,
    pub_head: OkrModel,
    cycle_id: str,
) -> None:
    """What objectives and key results share: links added and removed, a new
    title (rename) or a new id (matched by title)."""
    change.links_added, change.links_removed = _links(
        _link_lists(before) if before is not None else {},
        _link_lists(after),
        pub_base,
        pub_head,
        cycle_id,
    )
    if before is not None:
        if before.title != after.title:
            change.old_title = before.title
        if before.id != after.id:
            change.old_id = before.id


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
        _identity_and_links(change, before, after, pub_base, pub_head, cycle_id)
        if before is not None:
            change.fields += _field_changes(
                before, after, ("owner", "owners", "weight", "score", "outcome")
            )
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
        _identity_and_links(change, before, after, pub_base, pub_head, cycle_id)
        if before is not None:
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
            change.fields += _field_changes(
                before,
                after,
                ("kind", "unit", "prefix", "direction", "owner", "owners", "weight", "score"),
            )
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
    for uid in unit_order(base, head, set(base.units) | set(head.units)):
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
