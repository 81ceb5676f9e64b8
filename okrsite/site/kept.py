"""Texts a preview server keeps with what they were made from: :class:`PageMemo`.

Shared by :class:`okrsite.site.cache.BuildCache` (pages) and
:class:`okrsite.site.graphmemo.GraphDots` (graphs' DOT), so the rule for
"nothing it was made from changed" is written once.
"""

from __future__ import annotations

from collections.abc import Callable


class PageMemo:
    """Texts of earlier rebuilds (whole generated pages, graphs' DOT), each
    with its dependency record: the objects it was made from (compared by identity:
    the loader hands out the same content objects for unchanged files) and
    the values it was made from (compared by equality: options, the graph
    and badge blocks, digests). A page is reused only when both match
    exactly; the record must name everything the page's renderer reads
    (for unit pages: :func:`okrsite.site.pages.unit.unit_page_inputs`)."""

    def __init__(self) -> None:
        self._pages: dict[str, tuple[tuple[object, ...], tuple[object, ...], str]] = {}
        self.reused = 0
        """Pages reused by the last rebuild (for tests and logs)."""

    def remember(
        self,
        path: str,
        same: tuple[object, ...],
        equal: tuple[object, ...],
        make: Callable[[], str],
    ) -> str:
        found = self._pages.get(path)
        if (
            found is not None
            and len(found[0]) == len(same)
            and all(a is b for a, b in zip(found[0], same, strict=True))
            and found[1] == equal
        ):
            self.reused += 1
            return found[2]
        text = make()
        # The objects are kept alive with the page, so their identities
        # cannot be reused by other objects while the record exists.
        self._pages[path] = (same, equal, text)
        return text
