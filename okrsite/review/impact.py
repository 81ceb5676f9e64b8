"""Who else should hear about a change: the affected units. Pure.

Units that did not make the change but should hear about it: supporters of
an objective or key result that was removed, renamed or got a new target,
start or unit; units that gained or lost a supporter (an ``aligns_to``,
``contributes_to`` or ``related`` link added or removed, or the supporting
objective removed); the old and new parent of a unit moved to another
department; the parent of a deleted unit. Their maintainers come from
``org.yaml`` (head, else base).

Everything here works on ids: what changed is keyed by
:class:`~okrsite.refs.OkrRef`, links come from the one walker
(:func:`~okrsite.refs.cycle_links`) over the redacted models,
and a moved unit's old and new parents are read from the models, never from
the change set's display text.
"""

from __future__ import annotations

from collections.abc import Iterator

from okrsite.model import ROOT_UNIT, OkrModel
from okrsite.refs import Link, OkrRef, cycle_links, parse_ref
from okrsite.review.changes import (
    AffectedUnit,
    KrChange,
    ModelDiff,
    ObjectiveChange,
    UnitChange,
    unit_order,
)

_SIGNIFICANT_KR_FIELDS = frozenset({"start", "target", "unit", "kind", "direction"})
"""Key result fields whose change its supporters should hear about."""


def _links(model: OkrModel | None, cycle_id: str) -> Iterator[Link]:
    """Every link within a cycle of ``model`` (none when either is missing)."""
    if model is not None and cycle_id in model.cycles:
        yield from (k for k in cycle_links(model.cycles[cycle_id]) if k.target_cycle is None)


def _what_happened(uc: UnitChange) -> dict[OkrRef, str]:
    """Objectives and key results of one unit file that changed in a way their
    supporters should hear about → what happened to them."""
    what: dict[OkrRef, str] = {}
    for o in uc.objectives:
        ref = OkrRef(uc.unit, o.id)
        if o.status == "removed":
            what[ref] = "was removed"
            for kr in o.key_results:
                what[OkrRef(uc.unit, o.id, kr.id)] = "was removed"
        elif o.old_id:
            what[OkrRef(uc.unit, o.old_id)] = f"changed its id to {o.id}"
        elif o.old_title:
            what[ref] = "was renamed"
        for kr in o.key_results:
            kref = OkrRef(uc.unit, o.id, kr.id)
            if kr.status == "removed":
                what.setdefault(kref, "was removed")
            elif kr.old_id:
                what[OkrRef(uc.unit, o.id, kr.old_id)] = f"changed its id to {kr.id}"
            elif any(f.field in _SIGNIFICANT_KR_FIELDS for f in kr.fields):
                names = sorted({f.field for f in kr.fields} & _SIGNIFICANT_KR_FIELDS)
                what[kref] = f"changed its {' and '.join(names)}"
            elif kr.old_title:
                what[kref] = "was renamed"
    if uc.status == "removed":
        for o in uc.objectives:
            what.setdefault(OkrRef(uc.unit, o.id), "was removed")
    return what


def affected_units(base: OkrModel | None, head: OkrModel, d: ModelDiff) -> list[AffectedUnit]:
    """The units affected by ``d`` (see the module docstring), in org order.

    ``base`` and ``head`` are the redacted models ``d`` was computed from.
    """
    reasons: dict[str, set[str]] = {}
    changed_units = {u.unit for u in d.units}

    def add(unit: str, reason: str, source: str) -> None:
        if unit != source:
            reasons.setdefault(unit, set()).add(reason)

    for uc in d.units:
        what = _what_happened(uc)
        # Supporters of what changed (links are read on both sides).
        for model in (base, head):
            for link in _links(model, uc.cycle):
                if link.target in what:
                    happened = what[link.target]
                    add(
                        link.source.unit,
                        f"{uc.cycle}: supports {link.target}, which {happened}",
                        uc.unit,
                    )
        # Parents that gained or lost a supporter.
        for o in uc.objectives:
            items: list[ObjectiveChange | KrChange] = [o, *o.key_results]
            for kr_or_o in items:
                for change in [*kr_or_o.links_added, *kr_or_o.links_removed]:
                    _cycle, target = parse_ref(change.ref)
                    add(target.unit, f"{uc.cycle}: {uc.unit} {change.text}", uc.unit)
            if o.status == "removed" or (o.status == "changed" and o.key_results):
                # A removed objective or a changed KR whose parent it supports.
                for kr in o.key_results:
                    if (
                        kr.status == "removed"
                        or kr.target_cut
                        or any(f.field in _SIGNIFICANT_KR_FIELDS for f in kr.fields)
                    ):
                        source = OkrRef(uc.unit, o.id, kr.id)
                        source_model = head if kr.status != "removed" else base
                        for link in _links(source_model, uc.cycle):
                            if link.source == source:
                                add(
                                    link.target.unit,
                                    f"{uc.cycle}: supporting key result {source} "
                                    f"{'was removed' if kr.status == 'removed' else 'changed'}",
                                    link.source.unit,
                                )
    for oc in d.org:
        if oc.kind == "moved" and base is not None:
            old_parent, new_parent = base.units[oc.unit].parent, head.units[oc.unit].parent
            add(old_parent, f"{oc.unit} moved from here to {new_parent}", oc.unit)
            add(new_parent, f"{oc.unit} moved here from {old_parent}", oc.unit)
        elif oc.kind == "deleted" and base is not None:
            parent = base.units[oc.unit].parent
            add(parent, f"child unit {oc.unit} was deleted", oc.unit)
    affected: list[AffectedUnit] = []
    for uid in unit_order(base, head, reasons):
        if uid in changed_units and uid not in head.units and base is not None:
            continue
        model = head if uid in head.units or base is None else base
        found = model.units.get(uid)
        if uid != ROOT_UNIT and found is None:
            continue
        maintainers = list(found.definition.maintainers) if found else []
        affected.append(AffectedUnit(uid, model.unit_name(uid), maintainers, sorted(reasons[uid])))
    return affected
