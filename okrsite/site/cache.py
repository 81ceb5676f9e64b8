"""What a preview server keeps between its rebuilds: :class:`BuildCache`.

The loader hands out the *same* model objects for content files that did not
change, so a fragment computed from such objects — a key result's check-in
chart and table, say — can be reused by the next rebuild when every object
it was computed from is identical (``is``), not merely equal.

The cache is an explicit object: the preview server
(:mod:`okrsite.engine.preview`) creates one and passes it to every rebuild
through :func:`okrsite.site.build.build_docs_tree`; a one-shot build passes
none, because it gains nothing and would only hold fragments in memory
longer. Nothing here is module-global, so two servers (or tests) in one
process never share fragments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from markupsafe import Markup

from okrsite.analysis.history import RecentByUnit, SummaryParts
from okrsite.analysis.progress import ObjectiveProgressMemo
from okrsite.analysis.redact import RedactedUnits
from okrsite.model import OkrModel, UnitOkrs
from okrsite.refs import Link, OkrRef
from okrsite.render.exports import UnitPartMemo
from okrsite.render.feed import FeedParts
from okrsite.site.alignmemo import KeptAlignment
from okrsite.site.graphmemo import GraphDots
from okrsite.site.kept import PageMemo
from okrsite.site.tree import FileContent, GeneratedFile, StoredContent

T = TypeVar("T")

UnitReads = dict[
    tuple[str, str],
    tuple[
        object,
        object,
        list[str],
        tuple[tuple[Link, ...], tuple[OkrRef, ...], list[tuple[str, str]]],
    ],
]
"""(cycle, unit) → (the index, the unit's content object, its descendants,
(its links, its lateral partners, the (cycle, unit) files its page reads)):
what :func:`okrsite.site.pages.unit.unit_page_inputs` found, kept by a
preview server between rebuilds (``BuildCache.unit_reads``) and used again
while the index and the content are the same objects and the descendants
are equal."""


class IdentityMemo(Generic[T]):
    """Values keyed by the identity of the objects they were computed from."""

    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._data: dict[tuple[int, ...], tuple[tuple[object, ...], T]] = {}

    def get(self, *sources: object) -> T | None:
        found = self._data.get(tuple(map(id, sources)))
        return None if found is None else found[1]

    def put(self, sources: tuple[object, ...], value: T) -> T:
        if len(self._data) >= self._limit:
            self._data.clear()
        # The sources are kept with the value: alive, their ids cannot be
        # reused by other objects, so a hit on the ids is a hit on them.
        self._data[tuple(map(id, sources))] = (sources, value)
        return value

    def __len__(self) -> int:
        return len(self._data)


def remembered(
    memo: IdentityMemo[T] | None, sources: tuple[object, ...], make: Callable[[], T]
) -> T:
    """``make()``, reused from ``memo`` while ``sources`` are the same objects;
    without a memo (a one-shot build) simply ``make()``."""
    if memo is None:
        return make()
    found = memo.get(*sources)
    return memo.put(sources, make()) if found is None else found


class ExportParts:
    """Units' parts of ``okrs.json`` and ``okrs.csv`` from previous rebuilds
    (see :data:`okrsite.render.exports.UnitPartMemo`): kept while the unit's
    content is the very same object, its file details are equal and the
    shared stamp (unit names, company, cycles) is the same."""

    def __init__(self) -> None:
        self._parts: dict[tuple[str, str, str], tuple[object, object, object, str]] = {}
        self.made = 0
        """Parts made (not kept) since the last :meth:`memo`, for tests and logs."""

    def memo(self, shared_stamp: object) -> UnitPartMemo:
        self.made = 0

        def memo(kind: str, okrs: UnitOkrs, make: Callable[[], str]) -> str:
            key = (kind, okrs.cycle_id, okrs.unit_id)
            details = (okrs.path, okrs.redacted_private)
            found = self._parts.get(key)
            if (
                found is not None
                and found[0] is okrs.content
                and found[1] == details
                and found[2] is shared_stamp
            ):
                return found[3]
            self.made += 1
            text = make()
            # The content object is kept with the part: its identity cannot be reused.
            self._parts[key] = (okrs.content, details, shared_stamp, text)
            return text

        return memo


@dataclass
class BuildCache:
    """Page fragments and graphs of the previous rebuild, by kind."""

    shared: object = field(default_factory=object)
    """Stands for what fragments of every unit share — unit names and org,
    the company, every cycle's definition: the same object from one rebuild
    to the next while those are equal (:meth:`begin`)."""
    _shared_value: object = None

    unit_pages: PageMemo = field(default_factory=PageMemo)
    """Unit pages by docs path, with their dependency records."""
    profiles: PageMemo = field(default_factory=PageMemo)
    """Unit profiles by docs path, with their dependency records."""
    quality_pages: PageMemo = field(default_factory=PageMemo)
    """Top-level units' quality pages by docs path, with their dependency records."""
    graph_dots: GraphDots = field(default_factory=GraphDots)
    """Graphs' DOT, kept while the units they are drawn from are unchanged."""
    alignment: KeptAlignment = field(default_factory=KeptAlignment)
    """Cycles' alignment indexes and graph look-ups, kept while their links are unchanged."""

    blocks: IdentityMemo[Markup] = field(default_factory=lambda: IdentityMemo(limit=20_000))
    """Raw-HTML blocks by (inner HTML string object, CSS class)."""
    checkins: IdentityMemo[Markup] = field(default_factory=IdentityMemo)
    """Check-in blocks by (key result, cycle definition, scoring)."""
    graph_files: IdentityMemo[tuple[tuple[str, str], tuple[Markup, GeneratedFile]]] = field(
        default_factory=lambda: IdentityMemo(limit=20_000)
    )
    """File-backed graph blocks by SVG string object, with the (page, class) they were made for."""
    svg_files: IdentityMemo[str] = field(default_factory=lambda: IdentityMemo(limit=2_000))
    """Standalone SVG files (department graphs) by the SVG string object they were made from."""
    graph_svgs: dict[tuple[str, str], str] = field(default_factory=dict)
    """(DOT cache digest, page key) → inline SVG, for :func:`okrsite.graphs.render_svgs`."""
    export_parts: ExportParts = field(default_factory=ExportParts)
    """Units' parts of the exports."""
    redacted: RedactedUnits = field(default_factory=dict)
    """Units' redacted copies (:func:`okrsite.analysis.redact.redact`)."""
    progress: ObjectiveProgressMemo = field(default_factory=ObjectiveProgressMemo)
    """Objectives' progress, by objective object (``SiteContext.progress``)."""
    unit_reads: UnitReads = field(default_factory=dict)
    """What each unit page's dependency record found in the alignment index."""
    recent: RecentByUnit = field(default_factory=dict)
    """Each unit file's recent check-ins (the home page's "what changed")."""
    feed: FeedParts = field(default_factory=dict)
    """Each unit file's newest check-ins as ``feed.xml`` entries."""
    summaries: SummaryParts = field(default_factory=dict)
    """Each unit file's part of its cycle's summary (the overview's counts)."""

    def begin(self, model: OkrModel) -> None:
        """Start a rebuild of ``model``: renew :attr:`shared` if what it stands for changed."""
        value = (
            repr([*model.units.values(), model.company]),
            tuple(cycle.definition for cycle in model.cycles.values()),
        )
        if value != self._shared_value:
            self._shared_value = value
            self.shared = object()


@dataclass
class ClosedCycle:
    """What a closed cycle contributes to the site, as generated once."""

    files: dict[str, FileContent]
    """Its unit pages, overview and their graph files (docs path → content),
    as generated (what a store keeps)."""
    exports: Mapping[str, str | bytes]
    """Its part of each export that spans cycles (``okrs.json``, ``okrs.csv``):
    text as generated, UTF-8 bytes as a store hands it back (joined into the
    export as bytes, see :func:`okrsite.render.exports.okrs_json`)."""
    stored: dict[str, StoredContent] = field(default_factory=dict)
    """The same files as a store hands them back, read only when needed
    (a hit has these instead of :attr:`files`)."""


class ClosedCycles(Protocol):
    """Closed cycles' generated files, kept between builds.

    A closed cycle (ended, and not the current one) never changes, yet its
    unit pages and overview are most of a site with history.
    :func:`okrsite.site.build.build_docs_tree` asks for each closed cycle
    under a ``context`` string it computes from the model (what those pages
    embed that is not in the cycle's files: options, findings, which cycle
    is current); the implementation adds what only it can see, the cycle's
    *input files*. A hit means the cycle's unit pages, overview, graph files
    and export rows are not generated at all. The engine's disk store is
    :class:`okrsite.engine.pagecache.CycleStore`; whoever owns its lifetime
    passes it in (a one-shot ``generate`` passes none).
    """

    def get(self, cycle_id: str, context: str) -> ClosedCycle | None:
        """The cycle as stored under this context, or None."""
        ...

    def put(self, cycle_id: str, context: str, cycle: ClosedCycle) -> None:
        """Keep what was just generated for the cycle."""
        ...

    def key(self, cycle_id: str, context: str) -> str | None:
        """A digest of ``context`` and the cycle's input files (None: the
        store does not know the cycle), for what else the site keeps per
        closed cycle under :meth:`text` (its findings)."""
        ...

    # Pages that span cycles (unit profiles) cannot be kept per cycle; they
    # are kept by a digest of what they are made from (SiteContext.page).
    code: str
    """What the site cannot see but every page depends on (okrsite's code
    and templates): part of each text's key."""

    def text(self, key: str) -> str | None:
        """The page text stored under ``key``, or None."""
        ...

    def keep_text(self, key: str, text: str) -> None:
        """Keep a page text under ``key`` for the next build."""
        ...
