"""Walks over the org tree: children, descendants, subtrees. Pure; one owner.

Navigation sections, the large-company roll-ups and quality pages, and the
graphs all ask "which units are below this one?"; they ask here. Walking up
is the model's own (:meth:`okrsite.model.OkrModel.ancestors`, and
:attr:`okrsite.model.Unit.depth`, both set by validation, which refuses
loops and unknown parents before anything here runs).

Order: ``org.yaml`` order, depth first (a unit, then its first child's whole
subtree, then the next child's). The company (``ROOT_UNIT``) is the root:
its children are the top-level units and its descendants are every unit.
"""

from __future__ import annotations

from okrsite.model import ROOT_UNIT, OkrModel


def children(model: OkrModel, unit_id: str) -> list[str]:
    """Units directly under ``unit_id`` (the company too), in ``org.yaml`` order."""
    if unit_id == ROOT_UNIT:
        return [u.id for u in model.units.values() if u.parent == ROOT_UNIT]
    unit = model.units.get(unit_id)
    return list(unit.children) if unit is not None else []


def descendants(model: OkrModel, unit_id: str) -> list[str]:
    """Every unit below ``unit_id``, depth first in ``org.yaml`` order."""
    found: list[str] = []
    stack = list(reversed(children(model, unit_id)))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(model.units[current].children))
    return found


def subtree(model: OkrModel, unit_id: str) -> list[str]:
    """``unit_id`` followed by its descendants."""
    return [unit_id, *descendants(model, unit_id)]


def all_descendants(model: OkrModel) -> dict[str, list[str]]:
    """Every unit (and the company) → its descendants, in one pass over the
    tree (for callers that need them all, such as a cycle's graphs)."""
    out: dict[str, list[str]] = {ROOT_UNIT: [], **{u: [] for u in model.units}}
    for unit_id in descendants(model, ROOT_UNIT):
        out[ROOT_UNIT].append(unit_id)
        for ancestor in model.ancestors(unit_id):
            out[ancestor].append(unit_id)
    return out


def top_level_units(model: OkrModel) -> list[str]:
    """Units directly under the company, in ``org.yaml`` order."""
    return children(model, ROOT_UNIT)


def top_level_of(model: OkrModel, unit_id: str) -> str:
    """The top-level unit whose subtree holds ``unit_id`` (the company for itself)."""
    if unit_id == ROOT_UNIT or unit_id not in model.units:
        return ROOT_UNIT
    chain = model.ancestors(unit_id)
    return chain[-1] if chain else unit_id
