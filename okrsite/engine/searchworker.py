"""Material's search sections made in the page helper process, beside the build.

Indexing a page for search (:mod:`okrsite.engine.searchfeed`, ~1 ms a page)
only reads the page's HTML, and its result is only needed when Material's
search plugin writes ``search/search_index.json`` after the last page. At
1,000 units that is ~2 s of the build's one busy thread, while the second
core idles. :class:`DeferredIndex` sends each page's HTML to the
:class:`~okrsite.engine.pagehelper.PageHelper` and, before Material's
``on_post_build``, puts the entries made from the helper's sections into
Material's index exactly where Material would have appended them:

- the helper computes the sections with :func:`~okrsite.engine.searchfeed.page_sections`
  and, for HTML that pass does not take, with Material's own ``Parser`` on the
  page's content, as Material's ``add_entry_from_context`` would;
- the entries are made by Material's ``SearchIndex.create_entry_for_section``
  in this process, from the page's URL and TOC and a copy of its ``meta``
  taken when the page was indexed (title, tags, boost as Material read them);
- each page's entries go in at the position the index had reached when the
  page was indexed, so pages Material indexed itself stay in build order.

A helper that fails fails the build (its pages' HTML is not kept: holding
every page until the end would cost ~50 MB at 1,000 units).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mkdocs.exceptions import PluginError

from okrsite.engine.pagehelper import HelperError, PageHelper
from okrsite.engine.searchfeed import (
    EntryView,
    TagMemo,
    entry_view,
    index_page,
    make_entries,
    material_search,
)


@dataclass
class _Deferred:
    position: int
    """How many entries Material's index held when the page was indexed."""
    view: EntryView | None
    """What the entries are made from, when the helper makes them (else here)."""
    page: Any


class DeferredIndex:
    """The helper process and the pages sent to it, for one build."""

    def __init__(self, index: Any, helper: PageHelper) -> None:
        self.index = index
        self.helper = helper
        self._pages: list[_Deferred] = []
        self._entries = helper.make_entries(index.config)

    def take(self, page: Any, html: str) -> None:
        """Index ``page`` from ``html`` (its ``content``, or a lighter view of
        it with the same sections) in the helper."""
        view = entry_view(page) if self._entries else None
        sent = self.helper.index(html, None if html is page.content else page.content, view)
        if view is not None and not sent:  # a view that does not pickle: entries made here
            view = None
        here = None
        if view is None:
            here = EntryView(page.url, page.toc, dict(page.meta), page.title)
        self._pages.append(_Deferred(len(self.index.entries), view, here))

    def finish(self) -> None:
        """Wait for the helper and put every page's entries into the index
        (:class:`~okrsite.engine.pagehelper.HelperError` if it failed)."""
        results = self.helper.sections()
        merged: list[Any] = []
        done = 0
        entries = self.index.entries
        for deferred, result in zip(self._pages, results, strict=True):
            merged.extend(entries[done : deferred.position])
            done = deferred.position
            if deferred.view is not None:
                merged.extend(result)  # the entries the helper made
            else:
                merged.extend(make_entries(self.index, result, deferred.page))
        merged.extend(entries[done:])
        self.index.entries = merged


class PageIndexer:
    """Material's search entries for one build's pages, made by
    :mod:`okrsite.engine.searchfeed`: here, or in the helper process
    (:class:`DeferredIndex`) when the build has a page helper.

    A page it indexes is marked ``search.exclude`` until the template renders
    (:meth:`restore`), so Material's plugin does not index it again."""

    def __init__(self, search: Any, helper: DeferredIndex | None) -> None:
        self.search = search
        self.helper = helper
        self._indexed: dict[str, object] = {}
        self._tags: TagMemo = {}
        """Tags read on this build's pages (see :data:`searchfeed.TagMemo`)."""

    @classmethod
    def start(cls, config: Any, helper: PageHelper | None) -> PageIndexer | None:
        """None without Material's own search plugin."""
        search = material_search(config)
        if search is None:
            return None
        deferred = None if helper is None else DeferredIndex(search.search_index, helper)
        return cls(search, deferred)

    def index(self, page: Any) -> None:
        """Before Material's ``on_page_context``: index the page (unless excluded)."""
        if (page.meta.get("search") or {}).get("exclude"):
            return
        html = getattr(page.file, "search_content", None) or page.content or ""
        if getattr(page.file, "search_content", None) is not None:
            # Read once: kept on the file, every page's second copy of its
            # HTML stayed alive to the end of the build (~50 MB at 1,000 units).
            page.file.search_content = None
        if self.helper is not None:
            self.helper.take(page, html)
        elif not index_page(self.search.search_index, page, html, self._tags):
            return  # Material indexes it
        self._indexed[page.url] = page.meta.get("search", _ABSENT)
        page.meta["search"] = {"exclude": True}

    def restore(self, page: Any) -> None:
        """After Material's ``on_page_context``: the page's own ``meta.search``."""
        if page.url in self._indexed:
            before = self._indexed.pop(page.url)
            if before is _ABSENT:
                del page.meta["search"]
            else:
                page.meta["search"] = before

    def finish(self) -> None:
        """Before Material writes the index: the helper's entries are in it."""
        if self.helper is not None:
            helper, self.helper = self.helper, None
            try:
                helper.finish()
            except HelperError as err:
                raise PluginError(f"okrsite: {err}") from err


_ABSENT = object()
