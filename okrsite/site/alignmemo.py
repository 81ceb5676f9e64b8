"""Cycles' alignment indexes kept between a preview server's rebuilds: :class:`KeptAlignment`.

Every rebuild needs each cycle's :class:`~okrsite.analysis.alignment.AlignmentIndex`
(pages, graphs, the quality rules) and the graphs' :class:`~okrsite.graphs.lookups.CycleLookups`
made from it: a walk over every link of every unit file, a sort and a few
look-up tables — about a second per rebuild at 1,000 units, although an
edit rarely changes a link. An index is a function of the cycle's links
alone, and a unit's links of its file's content alone, so:

* a unit's links are kept with the content object they were read from (the
  loader and :func:`~okrsite.analysis.redact.redact` hand out the very same
  object for an unchanged file); for a changed file they are read again, and
  when they equal the kept ones *including where each stands in the file*
  (:attr:`Link.path`, which link equality ignores but error locations read)
  the kept tuple is used, so the cycle's links stay the same objects;
* a cycle's index is kept while its units' link tuples are the very same
  objects, in the same order;
* the index with the inner cycles' support (``build_with_inner``) while the
  cycle's own index and those of the cycles inside it are the same objects;
* the graphs' look-ups while the index and the shared stamp (unit names and
  org, the company, the cycles: :attr:`~okrsite.site.cache.BuildCache.shared`)
  are the same objects; each rebuild gets them with its own label text and
  progress memo. Their table rows are kept too: a row is made again when
  the content object of its unit's file is not the one it was made from
  (``GraphBuilder._row``; rows show titles, progress and grading).

Indexes include private objectives' links (``include_private=True``): the
site builds from the redacted model, and every reader there asks for that.
Owned by :class:`~okrsite.site.cache.BuildCache`; a one-shot build has none
and builds each index once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from okrsite.analysis.alignment import AlignmentIndex
from okrsite.analysis.progress import ProgressOf, objective_progress
from okrsite.graphs.labels import LabelText
from okrsite.graphs.lookups import CycleLookups
from okrsite.model import Cycle, Objective, OkrModel
from okrsite.refs import Link, unit_links

_UnitLinks = tuple[Link, ...]


def _same(kept: tuple[object, ...], now: tuple[object, ...]) -> bool:
    return len(kept) == len(now) and all(a is b for a, b in zip(kept, now, strict=True))


class KeptAlignment:
    """Links per unit file, indexes and graph look-ups per cycle, from earlier rebuilds."""

    def __init__(self) -> None:
        self._links: dict[tuple[str, str], tuple[object, _UnitLinks]] = {}
        self._indexes: dict[str, tuple[tuple[_UnitLinks, ...], AlignmentIndex]] = {}
        self._with_inner: dict[str, tuple[tuple[object, ...], AlignmentIndex]] = {}
        self._lookups: dict[str, tuple[tuple[object, ...], CycleLookups]] = {}
        self.built = 0
        """Indexes built (not kept) since the object was made, for tests and logs."""

    def _unit_links(
        self, cycle_id: str, unit_id: str, content: object, objectives: list[Objective]
    ) -> _UnitLinks:
        key = (cycle_id, unit_id)
        found = self._links.get(key)
        if found is not None and found[0] is content:
            return found[1]
        links = tuple(unit_links(unit_id, objectives))
        if found is not None and found[1] == links and all(
            a.path == b.path for a, b in zip(found[1], links, strict=True)
        ):
            links = found[1]
        # The content object is kept with its links: its identity cannot be reused.
        self._links[key] = (content, links)
        return links

    def index(self, cycle: Cycle) -> AlignmentIndex:
        """``AlignmentIndex.build(cycle, include_private=True)``, kept while the links are."""
        by_unit = tuple(
            self._unit_links(cycle.id, unit_id, okrs.content, okrs.objectives)
            for unit_id, okrs in cycle.okrs.items()
        )
        found = self._indexes.get(cycle.id)
        if found is not None and _same(found[0], by_unit):
            return found[1]
        self.built += 1
        index = AlignmentIndex.from_links(link for links in by_unit for link in links)
        self._indexes[cycle.id] = (by_unit, index)
        return index

    def with_inner(self, cycles: Iterable[Cycle], cycle: Cycle) -> AlignmentIndex:
        """``AlignmentIndex.build_with_inner(cycles, cycle, include_private=True)``, kept
        while the cycle's own index and those of the cycles inside it are."""
        own = self.index(cycle)
        inner = [
            (other.id, self.index(other))
            for other in cycles
            if cycle.definition.contains(other.definition)
        ]
        record = (own, *(part for pair in inner for part in pair))
        found = self._with_inner.get(cycle.id)
        if found is not None and len(found[0]) == len(record) and all(
            # Cycle ids by equality, indexes by identity.
            a == b if isinstance(a, str) else a is b
            for a, b in zip(found[0], record, strict=True)
        ):
            return found[1]
        index = own.with_inner(inner, cycle.id)
        self._with_inner[cycle.id] = (record, index)
        return index

    def lookups(
        self,
        model: OkrModel,
        cycle: Cycle,
        shared_stamp: object,
        text: LabelText,
        progress: ProgressOf = objective_progress,
    ) -> CycleLookups:
        """``CycleLookups.build(model, cycle, text)``, its org tables and link
        counts kept while the cycle's index and ``shared_stamp`` are the same."""
        index = self.index(cycle)
        record = (index, shared_stamp)
        found = self._lookups.get(cycle.id)
        if found is not None and _same(found[0], record):
            return replace(found[1], text=text, progress=progress)
        lookups = CycleLookups.build(model, cycle, text, index=index, progress=progress)
        self._lookups[cycle.id] = (record, lookups)
        return lookups
