"""What one alignment graph is drawn from: the units of its *dependency record* (pure).

A preview server rebuilds the site after every edit, and drawing the DOT
of every unit's graph again was most of a rebuild at company scale, although
one edit changes few graphs. :func:`graph_units` names every unit whose OKRs
:func:`okrsite.graphs.dot.draw` may read for one graph, so the preview can
keep the DOT of a graph when none of those units changed (the site's
:class:`okrsite.site.graphmemo.GraphDots` decides what "changed" means:
the unit's content object and every link touching it).

The set is a deliberate over-approximation (a graph drawn again in vain
costs milliseconds; a graph kept in error is a stale preview). For the graph
of ``focus`` in one cycle it holds

* the focus, its whole subtree (drawn in full, or as boxes whose counts and
  progress sum the subtree), its org ancestors (small boxes) and the company;
* every unit reached upwards through ``serves`` links from any of those
  units' items, transitively (the context up to the company);
* the sources of links into the subtree's items (supporters drawn from
  elsewhere) and lateral partners of them;

and, apart, the objectives of containing cycles (a year's) that any of
those units' items align up to (cross-cycle boxes). What a graph reads of a
unit besides its content — links, how many units serve an item — is in the
links touching that unit (:attr:`CycleNeighbours.touching`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from okrsite.analysis.alignment import AlignmentIndex
from okrsite.graphs.lookups import CycleLookups
from okrsite.model import ROOT_UNIT
from okrsite.refs import Link


@dataclass
class CycleNeighbours:
    """Which units each unit of one cycle is linked with, from its index."""

    touching: dict[str, tuple[Link, ...]]
    """Unit → every link with one of its items at either end (across cycles too)."""
    up: dict[str, set[str]]
    """Unit → the units its items serve within the cycle."""
    around: dict[str, set[str]]
    """Unit → the units serving its items, and its lateral partners."""
    across: dict[str, set[tuple[str, str]]]
    """Unit → (containing cycle, unit) its items serve there."""

    @classmethod
    def build(cls, index: AlignmentIndex) -> CycleNeighbours:
        touching: dict[str, list[Link]] = defaultdict(list)
        up: dict[str, set[str]] = defaultdict(set)
        around: dict[str, set[str]] = defaultdict(set)
        across: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for link in index.links:
            source, target = link.source.unit, link.target.unit
            touching[source].append(link)
            if target != source:
                touching[target].append(link)
            if link.kind == "related":
                around[source].add(target)
                around[target].add(source)
            else:
                up[source].add(target)
                around[target].add(source)
        for link in index.across:
            touching[link.source.unit].append(link)
            across[link.source.unit].add((str(link.target_cycle), link.target.unit))
        return cls(
            {unit: tuple(links) for unit, links in touching.items()},
            dict(up),
            dict(around),
            dict(across),
        )


def graph_units(
    focus: str, lookups: CycleLookups, neighbours: CycleNeighbours
) -> tuple[list[str], list[tuple[str, str]]]:
    """The units of this cycle the graph of ``focus`` may read, sorted, and
    the (containing cycle, unit) pairs of its cross-cycle boxes."""
    subtree = [focus, *lookups.descendants.get(focus, [])]
    units = {ROOT_UNIT, *subtree, *lookups.ancestors.get(focus, [])}
    reached = set(subtree)
    queue = list(subtree)
    while queue:
        for target in neighbours.up.get(queue.pop(), ()):
            if target not in reached:
                reached.add(target)
                queue.append(target)
    units |= reached
    for unit_id in subtree:
        units |= neighbours.around.get(unit_id, set())
    outer = {pair for unit_id in units for pair in neighbours.across.get(unit_id, ())}
    return sorted(units), sorted(outer)
