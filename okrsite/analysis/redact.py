"""Audience filtering: what a public build may know at all.

Public builds redact *before* rendering, so no renderer, graph, export or
search index can leak a private objective by mistake: it is simply not in
the model they receive. Only the count survives (``UnitOkrs.private_count``).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Literal

from okrsite.fieldtypes import CYCLE_REF_SEPARATOR
from okrsite.model import Cycle, OkrModel, UnitOkrs
from okrsite.model.checkins import kept_checkins, without_authors
from okrsite.model.content import KeyResult, Objective

Audience = Literal["public", "internal"]

RedactedUnits = MutableMapping[tuple[str, str], tuple[object, object, UnitOkrs]]
"""(cycle, unit) → (content, what else the copy depends on, redacted copy):
a preview server's copies from its previous rebuild (see :func:`redact`)."""

CycleRedaction = tuple[frozenset[str], frozenset[str]]
"""What :func:`redact` finds in one cycle: its private objectives as its
references name them (``unit/objective``) and the units whose file it
changes (private objectives, or links to one)."""


def redact(
    model: OkrModel,
    audience: Audience = "public",
    kept: RedactedUnits | None = None,
    facts: MutableMapping[str, CycleRedaction] | None = None,
) -> OkrModel:
    """A copy of ``model`` fit for ``audience``.

    ``public``: private objectives removed (and references to them dropped),
    people's names removed when ``company.publish_people`` is false.
    ``internal``: everything, unchanged.

    Copy-on-write: only the units that change are deep-copied; the others
    are shared with ``model`` (validated content is read-only downstream).
    At company scale a whole deep copy cost more than rendering.

    ``kept`` (a preview server's) hands out the very same copy of a unit as
    the previous rebuild when its content is the same object and the private
    references and people setting are equal, so what is built from that
    unit can be reused too (see :mod:`okrsite.site.cache`).

    ``facts``: cycle id → what redaction finds in the cycle
    (:data:`CycleRedaction`). A cycle given there is not searched (a build
    keeps closed cycles' by their input files, ``okrsite/site/redaction.py``);
    the others' are added to it.
    """
    if audience == "internal":
        return model
    people = model.company.publish_people
    cycles: dict[str, Cycle] = {}
    # Private objectives as references name them: ``unit/objective`` from
    # their own cycle, ``cycle:unit/objective`` from a cycle inside it.
    given = {} if facts is None else dict(facts)
    private_by_cycle = {
        cycle_id: set(given[cycle_id][0])
        if cycle_id in given
        else {
            f"{unit_id}/{o.id}"
            for unit_id, okrs in cycle.okrs.items()
            for o in okrs.objectives
            if o.is_private
        }
        for cycle_id, cycle in model.cycles.items()
    }
    across = {
        f"{cycle_id}{CYCLE_REF_SEPARATOR}{ref}"
        for cycle_id, refs in private_by_cycle.items()
        for ref in refs
    }
    for cycle_id, cycle in model.cycles.items():
        private_refs = private_by_cycle[cycle_id] | across
        okrs_by_unit: dict[str, UnitOkrs] = {}
        known = given.get(cycle_id)
        touched: set[str] = set()
        for unit_id, okrs in cycle.okrs.items():
            # Whether redaction changes the file: kept for a closed cycle, else searched.
            changes = unit_id in known[1] if known is not None else _touches(okrs, private_refs)
            if changes:
                touched.add(unit_id)
            elif people:  # unchanged: shared (without people every unit is copied)
                okrs_by_unit[unit_id] = okrs
                continue
            depends = (okrs.path, okrs.notes, okrs.redacted_private, private_refs, people)
            found = kept.get((cycle_id, unit_id)) if kept is not None else None
            if found is not None and found[0] is okrs.content and found[1] == depends:
                okrs_by_unit[unit_id] = found[2]
                continue
            copy = _redacted(okrs, private_refs, people)
            okrs_by_unit[unit_id] = copy
            if kept is not None:
                kept[(cycle_id, unit_id)] = (okrs.content, depends, copy)
        cycles[cycle_id] = cycle.model_copy(update={"okrs": okrs_by_unit})
        if facts is not None and known is None:
            facts[cycle_id] = (frozenset(private_by_cycle[cycle_id]), frozenset(touched))
    units = model.units
    company = model.company
    if not people:
        units = {unit_id: unit.model_copy(deep=True) for unit_id, unit in units.items()}
        for unit in units.values():
            unit.definition.lead = None
        company = company.model_copy(deep=True)
        for candidate in company.candidates:
            candidate.owner = None
    return model.model_copy(update={"cycles": cycles, "units": units, "company": company})


def _touches(okrs: UnitOkrs, private_refs: set[str]) -> bool:
    """Whether redaction changes this unit: it has private objectives or links to one."""
    if not private_refs:
        return False
    for objective in okrs.objectives:
        if objective.is_private or any(_points_to(r, private_refs) for r in objective.aligns_to):
            return True
        if any(_points_to(r, private_refs) for r in objective.related):
            return True
        for kr in objective.key_results:
            if any(_points_to(r, private_refs) for r in (*kr.contributes_to, *kr.related)):
                return True
    return False


def _points_to(ref: str, private_refs: set[str]) -> bool:
    return "/".join(ref.split("/")[:2]) in private_refs


def _redacted(okrs: UnitOkrs, private_refs: set[str], people: bool) -> UnitOkrs:
    """A copy of a unit's OKRs without private objectives, references to them
    and (unless ``people``) people's names. Copy-on-write here too: only the
    nodes that change are copied (shallowly, ``model_copy(update=)``); the
    rest — most of all the check-ins, nearly the whole of a graded quarter —
    is shared with ``okrs``. A deep copy of every touched unit cost ~0.2 s of
    a rebuild with 8 quarters at 100 units."""
    content = okrs.content
    public = [
        _objective(o, private_refs, people) for o in content.objectives if not o.is_private
    ]
    changes: dict[str, object] = {"objectives": public}
    if not people:
        changes["health_metrics"] = [
            m.model_copy(update={"owner": None}) for m in content.health_metrics
        ]
    return okrs.model_copy(
        update={
            "content": content.model_copy(update=changes),
            "redacted_private": okrs.redacted_private + len(content.objectives) - len(public),
        }
    )


def _without_private_links(
    node: Objective | KeyResult, fields: tuple[str, ...], private_refs: set[str]
) -> dict[str, object]:
    """The link fields of ``node`` that lose a link to a private objective, cut."""
    changes: dict[str, object] = {}
    for name in fields:
        refs: list[str] = getattr(node, name)
        kept = _kept(refs, private_refs)
        if len(kept) != len(refs):
            changes[name] = kept
    return changes


def _objective(objective: Objective, private_refs: set[str], people: bool) -> Objective:
    changes = _without_private_links(objective, ("aligns_to", "related"), private_refs)
    if not people:
        changes.update(owner=None, owners=[])
    results = [_key_result(kr, private_refs, people) for kr in objective.key_results]
    if any(new is not old for new, old in zip(results, objective.key_results, strict=True)):
        changes["key_results"] = results
    return objective.model_copy(update=changes) if changes else objective


def _key_result(kr: KeyResult, private_refs: set[str], people: bool) -> KeyResult:
    changes = _without_private_links(kr, ("contributes_to", "related"), private_refs)
    if not people:
        changes.update(owner=None, owners=[])
        kept = kept_checkins(kr)
        if kept is not None:  # a closed quarter's, not loaded: stripped when loaded
            changes["checkins"] = kept.anonymous()
        elif any(c.author is not None for c in kr.checkins):
            changes["checkins"] = without_authors(kr.checkins)
    return kr.model_copy(update=changes) if changes else kr


def _kept(refs: list[str], private_refs: set[str]) -> list[str]:
    return [r for r in refs if not _points_to(r, private_refs)]
