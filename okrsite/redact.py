"""Audience filtering: what a public build may know at all.

Public builds redact *before* rendering, so no renderer, graph, export or
search index can leak a private objective by mistake: it is simply not in
the model they receive. Only the count survives (``UnitOkrs.private_count``).
"""

from __future__ import annotations

from typing import Literal

from okrsite.model import OkrModel

Audience = Literal["public", "internal"]


def redact(model: OkrModel, audience: Audience = "public") -> OkrModel:
    """A copy of ``model`` fit for ``audience``.

    ``public``: private objectives removed (and references to them dropped),
    people's names removed when ``company.publish_people`` is false.
    ``internal``: everything, unchanged.
    """
    if audience == "internal":
        return model
    out = model.model_copy(deep=True)
    for cycle in out.cycles.values():
        private_refs: set[str] = set()
        for unit_id, okrs in cycle.okrs.items():
            kept = []
            for objective in okrs.content.objectives:
                if objective.is_private:
                    private_refs.add(f"{unit_id}/{objective.id}")
                    okrs.redacted_private += 1
                else:
                    kept.append(objective)
            okrs.content.objectives = kept
        if private_refs:
            _drop_refs(out, cycle.id, private_refs)
        if not out.company.publish_people:
            _drop_people(out, cycle.id)
    if not out.company.publish_people:
        for unit in out.units.values():
            unit.definition.lead = None
    return out


def _points_to(ref: str, private_refs: set[str]) -> bool:
    return "/".join(ref.split("/")[:2]) in private_refs


def _drop_refs(model: OkrModel, cycle_id: str, private_refs: set[str]) -> None:
    for okrs in model.cycles[cycle_id].okrs.values():
        for objective in okrs.content.objectives:
            objective.aligns_to = [
                r for r in objective.aligns_to if not _points_to(r, private_refs)
            ]
            objective.related = [r for r in objective.related if not _points_to(r, private_refs)]
            for kr in objective.key_results:
                kr.contributes_to = [
                    r for r in kr.contributes_to if not _points_to(r, private_refs)
                ]
                kr.related = [r for r in kr.related if not _points_to(r, private_refs)]


def _drop_people(model: OkrModel, cycle_id: str) -> None:
    for okrs in model.cycles[cycle_id].okrs.values():
        for metric in okrs.content.health_metrics:
            metric.owner = None
        for objective in okrs.content.objectives:
            objective.owner = None
            for kr in objective.key_results:
                kr.owner = None
                for checkin in kr.checkins:
                    checkin.author = None
