"""Keeping company-wide pages small in large organisations.

Above ``SiteOptions.nav_section_size`` units, the pages that would otherwise
list every unit (cycle overview, quality report, unit directory) switch to a
*compact* form: they list the top-level units (departments, service units and
teams directly under the company) with roll-ups, and link to pages that hold
one subtree each. Small companies keep the full tables.

These helpers are pure look-ups on the model, shared by those pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from okrsite.analysis.progress import objective_progress, weighted_mean
from okrsite.model import ROOT_UNIT, Cycle, OkrModel
from okrsite.site.options import SiteOptions


def is_compact(model: OkrModel, options: SiteOptions) -> bool:
    """True when the company has more units than one navigation section holds."""
    return len(model.units) > max(2, options.nav_section_size)


def top_level_units(model: OkrModel) -> list[str]:
    """Units directly under the company, in ``org.yaml`` order."""
    return [u.id for u in model.units.values() if u.parent == ROOT_UNIT]


def top_level_of(model: OkrModel, unit_id: str) -> str:
    """The top-level unit whose subtree holds ``unit_id`` (the company for itself)."""
    if unit_id == ROOT_UNIT or unit_id not in model.units:
        return ROOT_UNIT
    chain = model.ancestors(unit_id)
    return chain[-1] if chain else unit_id


def descendants(model: OkrModel, unit_id: str) -> list[str]:
    """Every unit below ``unit_id``, depth first in ``org.yaml`` order."""
    found: list[str] = []
    stack = list(reversed(model.units[unit_id].children))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(model.units[current].children))
    return found


@dataclass(frozen=True)
class Rollup:
    """A unit and its descendants in one cycle, summed up."""

    units: int
    """The unit itself plus its descendants."""
    objectives: int
    key_results: int
    progress: float | None
    """Weighted mean progress (or score) of every objective in the subtree."""
    graded: bool
    """Every unit of the subtree that has OKRs is graded."""


def rollup(model: OkrModel, cycle: Cycle, unit_id: str) -> Rollup:
    """Counts and progress of ``unit_id``'s subtree in ``cycle``."""
    members = [unit_id, *descendants(model, unit_id)]
    okrs = [cycle.okrs[u] for u in members if u in cycle.okrs]
    objectives = [o for ok in okrs for o in ok.objectives]
    return Rollup(
        units=len(members),
        objectives=len(objectives),
        key_results=sum(len(o.key_results) for o in objectives),
        progress=weighted_mean((objective_progress(o), o.weight) for o in objectives),
        graded=bool(okrs) and all(ok.content.status == "graded" for ok in okrs),
    )
