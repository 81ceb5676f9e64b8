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

from okrsite.analysis.org import OrgTree
from okrsite.analysis.progress import (
    ProgressOf,
    objective_progress,
    shows_scores,
    unit_and_teams_progress,
)
from okrsite.model import ROOT_UNIT, Cycle, OkrModel
from okrsite.site.options import SiteOptions


def is_compact(model: OkrModel, options: SiteOptions) -> bool:
    """True when the company has more units than one navigation section holds."""
    return len(model.units) > max(2, options.nav_section_size)


def profile_lists_units_below(model: OkrModel, unit_id: str, compact: bool) -> bool:
    """Whether the unit's profile lists every unit below it (its ``#units``
    section, :func:`okrsite.site.pages.directory.render_profile`): a
    top-level unit of a compact (large) company."""
    return compact and unit_id in model.units and model.units[unit_id].parent == ROOT_UNIT


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


def rollup(
    model: OkrModel,
    cycle: Cycle,
    unit_id: str,
    *,
    tree: OrgTree | None = None,
    progress: ProgressOf = objective_progress,
) -> Rollup:
    """Counts and progress of ``unit_id``'s subtree in ``cycle`` (``tree``:
    the org's, when the caller asks for many units; ``progress``: how to get
    an objective's progress, e.g. the build's memo)."""
    members = (tree or OrgTree(model)).subtree(unit_id)
    okrs = [cycle.okrs[u] for u in members if u in cycle.okrs]
    objectives = [o for ok in okrs for o in ok.objectives]
    return Rollup(
        units=len(members),
        objectives=len(objectives),
        key_results=sum(len(o.key_results) for o in objectives),
        progress=unit_and_teams_progress(
            model, cycle, unit_id, include_private=True, below=members[1:], progress=progress
        ),
        graded=shows_scores(okrs),
    )
