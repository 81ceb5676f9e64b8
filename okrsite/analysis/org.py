"""Walks over the org tree: children, descendants, subtrees. Pure; one owner.

Navigation sections, the large-company roll-ups and quality pages, and the
graphs all ask "which units are below this one?"; they ask here. Walking up
is the model's own (:meth:`okrsite.model.OkrModel.ancestors`, and
:attr:`okrsite.model.Unit.depth`, both set by validation, which refuses
loops and unknown parents before anything here runs).

Order: depth first (a unit, then its first child's whole subtree, then the
next child's), siblings in ``org.yaml`` order, or by id with ``by_id`` (the
order of generated files such as CODEOWNERS and of graph layouts, which must
not move when someone reorders ``org.yaml``). The company (``ROOT_UNIT``) is
the root: its children are the top-level units, its descendants every unit.
"""

from __future__ import annotations

from okrsite.model import ROOT_UNIT, OkrModel


class OrgTree:
    """The org's parent → children map, made once for callers that walk it
    many times (a build's producers share one: :meth:`SiteContext.org_tree
    <okrsite.site.context.SiteContext.org_tree>`). Made from each unit's
    ``parent``, so it also holds for models built by hand; it does not
    follow later changes to the model."""

    def __init__(self, model: OkrModel, *, by_id: bool = False) -> None:
        below: dict[str, list[str]] = {}
        for unit in model.units.values():
            below.setdefault(unit.parent, []).append(unit.id)
        self._below = {p: sorted(c) for p, c in below.items()} if by_id else below

    def children(self, unit_id: str) -> list[str]:
        """Units directly under ``unit_id`` (the company too)."""
        return list(self._below.get(unit_id, ()))

    def descendants(self, unit_id: str) -> list[str]:
        """Every unit below ``unit_id``, depth first."""
        below = self._below
        found: list[str] = []
        seen = {unit_id}  # a loop (only in a model built by hand) ends the walk
        stack = list(reversed(below.get(unit_id, [])))
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            found.append(current)
            stack.extend(reversed(below.get(current, [])))
        return found

    def subtree(self, unit_id: str) -> list[str]:
        """``unit_id`` followed by its descendants."""
        return [unit_id, *self.descendants(unit_id)]


def children(model: OkrModel, unit_id: str, *, by_id: bool = False) -> list[str]:
    """Units directly under ``unit_id`` (the company too), in ``org.yaml``
    order or, with ``by_id``, sorted by id."""
    return OrgTree(model, by_id=by_id).children(unit_id)


def descendants(model: OkrModel, unit_id: str, *, by_id: bool = False) -> list[str]:
    """Every unit below ``unit_id``, depth first (siblings as :func:`children`).

    Read from each unit's ``parent`` (validation has refused unknown parents
    and loops), so it also holds for models built by hand. One walk: callers
    that walk many units make an :class:`OrgTree` once."""
    return OrgTree(model, by_id=by_id).descendants(unit_id)


def subtree(model: OkrModel, unit_id: str) -> list[str]:
    """``unit_id`` followed by its descendants."""
    return [unit_id, *descendants(model, unit_id)]


def all_descendants(model: OkrModel, *, by_id: bool = False) -> dict[str, list[str]]:
    """Every unit (and the company) → its descendants, in one pass over the
    tree (for callers that need them all, such as a cycle's graphs)."""
    out: dict[str, list[str]] = {ROOT_UNIT: [], **{u: [] for u in model.units}}
    for unit_id in OrgTree(model, by_id=by_id).descendants(ROOT_UNIT):
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
