"""Graphs' DOT kept between a preview server's rebuilds: :class:`GraphDots`.

Drawing the DOT of every graph again was the largest part of a preview
rebuild at company scale. A graph's DOT is a function of the OKRs of the
units :func:`okrsite.graphs.inputs.graph_units` names, of the links touching
them, and of what every graph shares (unit names and org, the company,
the cycles). So each rebuild gives every (cycle, unit) a *stamp*: the
previous rebuild's stamp object when its content is the very same object
(the loader hands out the same objects for unchanged files) and its file
details and touching links are equal, else a new object. A graph is kept
when its units, its cross-cycle boxes and the shared stamp are the same and
each of their stamps is the same object, checked by identity, so an entry
made any number of rebuilds ago is still checked against everything that
happened since.

Owned by :class:`okrsite.site.cache.BuildCache` (a preview server's); a
one-shot build passes no memo and draws every graph.
"""

from __future__ import annotations

from collections.abc import Callable

from okrsite.analysis.alignment import AlignmentIndex
from okrsite.graphs import DotMemo
from okrsite.graphs.inputs import CycleNeighbours, graph_units
from okrsite.graphs.lookups import CycleLookups
from okrsite.model import Cycle, OkrModel
from okrsite.site.kept import PageMemo

_Stamp = object


class GraphDots:
    """DOT of the previous rebuilds' graphs, with the stamps they were drawn from."""

    def __init__(self) -> None:
        # (cycle, unit) → (content, details, stamp) as of the last rebuild.
        self._stamps: dict[tuple[str, str], tuple[object, object, _Stamp]] = {}
        # Graph key → DOT, with the stamps it was drawn from (by identity)
        # and its units and boxes (by equality).
        self._dots = PageMemo()
        # Cycle → its neighbour tables, with the index they were made from
        # (a preview keeps an index while its links are the same).
        self._neighbours: dict[str, tuple[AlignmentIndex, CycleNeighbours]] = {}
        self.drawn = 0
        """Graphs drawn (not kept) by the last rebuild, for tests and logs."""

    def memo(
        self,
        model: OkrModel,
        shared_stamp: object,
        index_of: Callable[[Cycle], AlignmentIndex] | None = None,
    ) -> DotMemo:
        """The memo for one rebuild of ``model``; ``shared_stamp`` stands for
        what every graph shares (:meth:`okrsite.site.cache.BuildCache.begin`);
        ``index_of`` gives a cycle's index with private objectives
        (:meth:`AlignmentIndex.build` when not given)."""
        self.drawn = 0
        neighbours: dict[str, CycleNeighbours] = {}
        fresh: set[tuple[str, str]] = set()

        def neighbours_of(index: AlignmentIndex, cycle_id: str) -> CycleNeighbours:
            found = self._neighbours.get(cycle_id)
            if found is None or found[0] is not index:
                found = (index, CycleNeighbours.build(index))
                self._neighbours[cycle_id] = found
            neighbours[cycle_id] = found[1]
            return found[1]

        def stamp(cycle_id: str, unit_id: str) -> _Stamp | None:
            key = (cycle_id, unit_id)
            cycle = model.cycles.get(cycle_id)
            okrs = cycle.okrs.get(unit_id) if cycle is not None else None
            if okrs is None:
                self._stamps.pop(key, None)
                return None
            if key in fresh:
                return self._stamps[key][2]
            if cycle_id not in neighbours:  # a containing cycle's unit (cross-cycle box)
                outer = model.cycles[cycle_id]
                index = (
                    AlignmentIndex.build(outer, include_private=True)
                    if index_of is None
                    else index_of(outer)
                )
                neighbours_of(index, cycle_id)
            touching = neighbours[cycle_id].touching.get(unit_id, ())
            details = (okrs.path, okrs.notes, okrs.redacted_private, touching)
            found = self._stamps.get(key)
            if found is None or found[0] is not okrs.content or found[1] != details:
                found = (okrs.content, details, object())
                self._stamps[key] = found
            fresh.add(key)
            return found[2]

        def memo(
            key: str, cycle: Cycle, focus: str, lookups: CycleLookups, make: Callable[[], str]
        ) -> str:
            if cycle.id not in neighbours:
                neighbours_of(lookups.index, cycle.id)
            units, outer = graph_units(focus, lookups, neighbours[cycle.id])
            stamps = (
                shared_stamp,
                *(stamp(cycle.id, unit_id) for unit_id in units),
                *(stamp(cycle_id, unit_id) for cycle_id, unit_id in outer),
            )
            shape = (cycle.id, units, outer)

            def draw() -> str:
                self.drawn += 1
                return make()

            return self._dots.remember(key, stamps, shape, draw)

        return memo
