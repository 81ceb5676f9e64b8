"""Who supports what: the alignment links of one cycle, resolved and indexed.

A link goes from a *source* (an objective or key result of some unit) to a
*target* it serves: ``aligns_to`` (objective → objective or KR),
``contributes_to`` (KR → KR, "ladder up") or ``related`` (lateral, shown in
both directions). References are validated before this runs, so every
target here exists. Links are read by the one walker,
:func:`okrsite.refs.cycle_links`.

A reference may also point up into a *containing* cycle
(``2026:company/win``, from a quarter of the year 2026): such a link has
``target_cycle`` set. The index keeps those apart
(:meth:`AlignmentIndex.serves_across`): the cycle's own graphs, coverage and
overlap counts are about the cycle's own OKRs, while pages show the
cross-cycle links as links to the other cycle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from okrsite.model import Cycle
from okrsite.refs import Link, OkrRef, cycle_links


@dataclass
class AlignmentIndex:
    """Links of one cycle with look-ups in both directions."""

    links: list[Link] = field(default_factory=list)
    """Links within the cycle."""
    across: list[Link] = field(default_factory=list)
    """Links up into a containing cycle (``target_cycle`` set)."""
    _by_target: dict[OkrRef, list[Link]] = field(default_factory=dict, repr=False)
    _by_source: dict[OkrRef, list[Link]] = field(default_factory=dict, repr=False)
    _serving: dict[tuple[str, str], set[str | None]] | None = field(
        default=None, repr=False, compare=False
    )
    """(unit, objective) → which of its items (``None``: the objective, else
    a KR id) link upwards, made on first use (:meth:`objective_serves_anything`)."""
    _lateral: dict[OkrRef, list[OkrRef]] | None = field(default=None, repr=False, compare=False)
    """Item → its lateral partners, sorted (:meth:`lateral`), made on first use."""

    @classmethod
    def build(cls, cycle: Cycle, *, include_private: bool = False) -> AlignmentIndex:
        """Index every link in ``cycle``. Links from or to private objectives
        are left out unless ``include_private`` (public output never shows them).

        Nothing is remembered between calls (no module-level cache): each page
        producer builds its cycle's index once and passes it down, and the
        quality rules keep theirs for the run (``CheckContext.alignment``).
        """
        private = {
            OkrRef(unit_id, o.id)
            for unit_id, okrs in cycle.okrs.items()
            for o in okrs.objectives
            if o.is_private
        }
        links = list(cycle_links(cycle))
        if not include_private:
            # ``private`` names this cycle's objectives; a cross-cycle target is
            # in another cycle (redaction already dropped private ones there).
            links = [
                link
                for link in links
                if link.source.objective_ref not in private
                and (link.target_cycle is not None or link.target.objective_ref not in private)
            ]
        return cls.from_links(links)

    @classmethod
    def from_links(cls, links: Iterable[Link]) -> AlignmentIndex:
        """The index of these links (one cycle's, already filtered): sorted,
        duplicates merged, looked up both ways. :meth:`build` reads them from
        the cycle; a preview server passes the links it kept per unit file
        (:class:`okrsite.site.alignmemo.KeptAlignment`)."""
        ordered = sorted(
            set(links),
            key=lambda k: (str(k.source), k.target_cycle or "", str(k.target), k.kind),
        )
        # A reference into a containing cycle (a year's objective) has its
        # target elsewhere: kept apart, so the cycle's own look-ups, graphs and
        # coverage stay about the cycle's own OKRs.
        index = cls(
            links=[link for link in ordered if link.target_cycle is None],
            across=[link for link in ordered if link.target_cycle is not None],
        )
        by_target: dict[OkrRef, list[Link]] = defaultdict(list)
        by_source: dict[OkrRef, list[Link]] = defaultdict(list)
        for link in index.links:
            by_target[link.target].append(link)
            by_source[link.source].append(link)
        for link in index.across:
            by_source[link.source].append(link)
        index._by_target = dict(by_target)
        index._by_source = dict(by_source)
        return index

    @classmethod
    def build_with_inner(
        cls,
        cycles: Iterable[Cycle],
        cycle: Cycle,
        *,
        include_private: bool = False,
        index_of: Callable[[Cycle], AlignmentIndex] | None = None,
    ) -> AlignmentIndex:
        """The index of ``cycle`` whose supporters also count the OKRs of the
        cycles inside it (a year's quarters) that align up to it with a
        cross-cycle reference; those links carry ``source_cycle``. The one
        place that decides what supports an annual objective: pages, coverage
        and the quality rules all ask here. ``index_of`` gives a cycle's own
        index (:meth:`build` with ``include_private`` when not given)."""
        own = index_of or (lambda c: cls.build(c, include_private=include_private))
        inner = [other for other in cycles if cycle.definition.contains(other.definition)]
        return own(cycle).with_inner([(other.id, own(other)) for other in inner], cycle.id)

    def with_inner(
        self, inner: Iterable[tuple[str, AlignmentIndex]], cycle_id: str
    ) -> AlignmentIndex:
        """This index (of ``cycle_id``) with the support of the inner cycles'
        links up into it: ``inner`` is (cycle id, that cycle's own index) for
        each cycle inside it (see :meth:`build_with_inner`)."""
        from_inner = [
            replace(link, source_cycle=inner_id)
            for inner_id, index in inner
            for link in index.across
            if link.target_cycle == cycle_id and link.kind != "related"
        ]
        if not from_inner:
            return self
        # A copy: this index itself stays the cycle's own. The inner
        # links are support only, never this cycle's sources (their ids are
        # another cycle's, and may repeat this cycle's).
        by_target = {target: list(found) for target, found in self._by_target.items()}
        for link in from_inner:
            by_target.setdefault(link.target, []).append(link)
        return AlignmentIndex(
            links=self.links,
            across=self.across,
            _by_target=by_target,
            _by_source=self._by_source,
        )

    def supporters(self, target: OkrRef) -> list[Link]:
        """Links that serve ``target`` upwards (aligns_to / contributes_to)."""
        return [link for link in self._by_target.get(target, []) if link.kind != "related"]

    def served(self) -> list[OkrRef]:
        """Every objective or key result that something serves upwards, sorted."""
        return sorted(
            {t for t, links in self._by_target.items() if any(k.kind != "related" for k in links)},
            key=str,
        )

    def supporting_units(self, target: OkrRef) -> list[str]:
        """Distinct units supporting ``target`` (two or more is an overlap)."""
        return sorted({link.source.unit for link in self.supporters(target)})

    def serves(self, source: OkrRef) -> list[Link]:
        """Upward links from ``source`` within the cycle."""
        return [
            link
            for link in self._by_source.get(source, [])
            if link.kind != "related" and link.target_cycle is None
        ]

    def serves_across(self, source: OkrRef) -> list[Link]:
        """Upward links from ``source`` into a containing cycle."""
        if not self.across:  # most cycles have none: every page item and graph row asks
            return []
        return [link for link in self._by_source.get(source, []) if link.target_cycle]

    def supporters_across(self, cycle_id: str, target: OkrRef) -> list[Link]:
        """Links from this cycle up to ``target`` of the containing cycle ``cycle_id``."""
        return [
            link for link in self.across if link.target_cycle == cycle_id and link.target == target
        ]

    def lateral(self, ref: OkrRef) -> list[OkrRef]:
        """Lateral partners of ``ref`` in either direction."""
        # Asked for every item of every unit page and drawn graph, while few
        # items have a partner: every item's partners are found in one pass.
        if self._lateral is None:
            partners: dict[OkrRef, set[OkrRef]] = {}
            for source, links in self._by_source.items():
                for link in links:
                    if link.kind == "related":
                        partners.setdefault(source, set()).add(link.target)
            for target, links in self._by_target.items():
                for link in links:
                    if link.kind == "related":
                        partners.setdefault(target, set()).add(link.source)
            self._lateral = {ref: sorted(found, key=str) for ref, found in partners.items()}
        return list(self._lateral.get(ref, ()))

    def objective_serves_anything(self, unit: str, objective_id: str, kr_ids: list[str]) -> bool:
        """True when the objective or any of its KRs (``kr_ids``) links upwards
        (:meth:`serves` or :meth:`serves_across`). Asked for every objective
        by the quality rules and the overview: answered from a table of the
        items that serve, made once per index."""
        if self._serving is None:
            serving: dict[tuple[str, str], set[str | None]] = {}
            for source, links in self._by_source.items():
                if any(link.target_cycle or link.kind != "related" for link in links):
                    serving.setdefault((source.unit, source.objective), set()).add(
                        source.key_result
                    )
            self._serving = serving
        found = self._serving.get((unit, objective_id))
        return found is not None and (None in found or any(k in found for k in kr_ids))
