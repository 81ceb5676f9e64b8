"""What every page producer receives, and the shape of a producer."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from okrsite.analysis.alignment import AlignmentIndex
from okrsite.analysis.cycles import current_cycle_id
from okrsite.analysis.org import OrgTree, all_descendants
from okrsite.analysis.progress import ObjectiveProgressMemo, ProgressOf
from okrsite.model import Cycle, OkrModel
from okrsite.render.richtext import RichText
from okrsite.site.cache import BuildCache, ClosedCycles
from okrsite.site.kept import PageMemo
from okrsite.site.options import SiteOptions
from okrsite.site.tree import GeneratedFile

DependencyRecord = tuple[tuple[object, ...], tuple[object, ...]]
"""What a kept page was made from: (objects compared by identity, values
compared by equality); see :class:`okrsite.site.kept.PageMemo`."""


@dataclass
class SiteContext:
    """What page producers receive: the (redacted) model and shared results."""

    model: OkrModel
    options: SiteOptions
    today: dt.date
    graph_svgs: Mapping[str, str] = field(default_factory=dict)
    """Page key → its graph as inline SVG, already sanitised
    (``render.sanitize.clean``, applied while the graphs are drawn); while
    ``dot`` still draws, a look-up waits for that one graph
    (``graphs.render.Drawn``)."""
    extras: dict[str, object] = field(default_factory=dict)
    """Results shared between producers (e.g. check findings), by name."""
    cache: BuildCache | None = None
    """Fragments kept from the previous build of a preview server; ``None``
    for a one-shot build (see :mod:`okrsite.site.cache`)."""
    richtext: RichText = field(default_factory=RichText)
    """This build's Markdown renderer for content text (descriptions, notes)."""
    reused_cycles: frozenset[str] = frozenset()
    """Closed cycles whose unit pages and overview (with their graph files)
    come from a :class:`~okrsite.site.cache.ClosedCycles` store: the
    producers of those pages skip them (see :mod:`okrsite.site.build`)."""
    export_parts: dict[str, dict[str, str | bytes]] = field(default_factory=dict)
    """Export name (``okrs.json``, ``okrs.csv``) → cycle id → that cycle's
    part, already made (closed cycles); the data producer makes the rest."""
    progress: ProgressOf = field(default_factory=ObjectiveProgressMemo)
    """Objectives' progress for roll-ups (the overview, the directory, graph
    boxes), each computed once: the build's own memo, or a preview server's
    kept between rebuilds (:attr:`BuildCache.progress`)."""

    stored: ClosedCycles | None = None
    """One build's store of closed cycles and of pages spanning cycles
    (:meth:`page`); ``None`` under a preview server and for ``generate``."""
    closed_keys: dict[str, str] = field(default_factory=dict)
    """Closed cycle id → the :attr:`stored` store's key for it (its input
    files and context, :meth:`ClosedCycles.key`): a page spanning cycles
    digests that instead of the cycle's content (see ``made_from`` in
    :meth:`page`)."""

    _model_json: str | None = field(default=None, repr=False)
    _alignment: dict[str, AlignmentIndex] = field(default_factory=dict, repr=False)
    _cycle_index: dict[str, AlignmentIndex] = field(default_factory=dict, repr=False)
    _org_tree: OrgTree | None = field(default=None, repr=False)
    _below: dict[str, list[str]] | None = field(default=None, repr=False)

    @property
    def current_cycle_id(self) -> str:
        return current_cycle_id(self.model, self.today)

    def org_tree(self) -> OrgTree:
        """The org's parent → children map, made once per build (the model
        does not change while its pages are made)."""
        if self._org_tree is None:
            self._org_tree = OrgTree(self.model)
        return self._org_tree

    def below(self) -> dict[str, list[str]]:
        """Every unit (and the company) → its descendants
        (:func:`okrsite.analysis.org.all_descendants`), made once per build."""
        if self._below is None:
            self._below = all_descendants(self.model)
        return self._below

    def page(
        self,
        kept: Callable[[BuildCache], PageMemo],
        path: str,
        record: Callable[[], DependencyRecord],
        make: Callable[[], str],
        made_from: Callable[[], Iterable[str]] | None = None,
    ) -> str:
        """``make()``; under a preview server, the page of an earlier rebuild
        (from the memo ``kept`` picks) when its dependency record — ``record()``,
        ``(objects compared by identity, values compared by equality)``, plus
        :attr:`BuildCache.shared` for the units, the company and the cycles —
        is unchanged. In a build with a store (:attr:`stored`), a page that
        gives ``made_from`` (its inputs as text: content as JSON, values as
        ``repr``) is kept there by a digest of those, the company, the units
        and the store's code, so the next build skips making it."""
        if self.cache is not None:
            same, equal = record()
            return kept(self.cache).remember(path, (*same, self.cache.shared), equal, make)
        if self.stored is None or made_from is None:
            return make()
        digest = hashlib.sha256(f"{self.stored.code}\n{self._model_digest()}\n{path}".encode())
        for part in made_from():
            digest.update(b"\0" + part.encode())
        return self.stored_text(digest.hexdigest(), make)

    def stored_text(self, key: str, make: Callable[[], str]) -> str:
        """The text :attr:`stored` keeps under ``key``; else ``make()``, kept
        there for the next build (a build with a store only)."""
        assert self.stored is not None
        found = self.stored.text(key)
        if found is None:
            found = make()
            self.stored.keep_text(key, found)
        return found

    def _model_digest(self) -> str:
        """The company (cycles, scoring, names) and every unit, as JSON: what
        every stored page may print besides its own inputs."""
        if self._model_json is None:
            digest = hashlib.sha256(self.model.company.model_dump_json().encode())
            digest.update(self.model.content_dir.encode())
            for unit in self.model.units.values():
                digest.update(b"\0" + unit.model_dump_json().encode())
            self._model_json = digest.hexdigest()
        return self._model_json

    def cycle_index(self, cycle: Cycle) -> AlignmentIndex:
        """The cycle's own links, private ones included
        (:meth:`AlignmentIndex.build` with ``include_private``), built once per
        build: the graphs' look-ups and :meth:`alignment` (of the cycle and of
        the cycles containing it) share it. A one-shot build's; a preview
        server keeps its own (``BuildCache.alignment``)."""
        found = self._cycle_index.get(cycle.id)
        if found is None:
            found = self._cycle_index[cycle.id] = AlignmentIndex.build(
                cycle, include_private=True
            )
        return found

    def alignment(self, cycle: Cycle) -> AlignmentIndex:
        """The cycle's links, private ones included, with the support of the
        cycles inside it (:meth:`AlignmentIndex.build_with_inner`): built once
        per build and shared by the producers that read it."""
        found = self._alignment.get(cycle.id)
        if found is None:
            if self.cache is not None:  # a preview server keeps it while the links are the same
                found = self.cache.alignment.with_inner(self.model.cycles.values(), cycle)
            else:
                found = AlignmentIndex.build_with_inner(
                    self.model.cycles.values(), cycle, index_of=self.cycle_index
                )
            self._alignment[cycle.id] = found
        return found


Producer = Callable[[SiteContext], Iterable[GeneratedFile]]


def cycles_newest_first(model: OkrModel) -> list[str]:
    return [
        c.id for c in sorted(model.cycles.values(), key=lambda c: c.definition.start, reverse=True)
    ]
