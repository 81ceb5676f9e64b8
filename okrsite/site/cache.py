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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from markupsafe import Markup

from okrsite.site.tree import GeneratedFile

T = TypeVar("T")


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


@dataclass
class BuildCache:
    """Page fragments and graphs of the previous rebuild, by kind."""

    blocks: IdentityMemo[Markup] = field(default_factory=lambda: IdentityMemo(limit=20_000))
    """Raw-HTML blocks by (inner HTML string object, CSS class)."""
    checkins: IdentityMemo[Markup] = field(default_factory=IdentityMemo)
    """Check-in blocks by (key result, cycle definition, scoring)."""
    graph_files: IdentityMemo[tuple[tuple[str, str], tuple[Markup, GeneratedFile]]] = field(
        default_factory=lambda: IdentityMemo(limit=20_000)
    )
    """File-backed graph blocks by SVG string object, with the (page, class) they were made for."""
    graph_svgs: dict[tuple[str, str], str] = field(default_factory=dict)
    """(DOT cache digest, page key) → inline SVG, for :func:`okrsite.graphs.render_svgs`."""
