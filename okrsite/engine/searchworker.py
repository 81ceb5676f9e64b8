"""Material's search sections made in a helper process, beside the build.

Indexing a page for search (:mod:`okrsite.engine.searchfeed`, ~1 ms a page)
only reads the page's HTML, and its result is only needed when Material's
search plugin writes ``search/search_index.json`` after the last page. At
1,000 units that is ~2 s of the one busy thread of a build whose second core
idles while MkDocs renders pages. :class:`DeferredIndex` sends each page's
HTML to a helper process (``python -m okrsite.engine.searchworker``, a new
interpreter, never a fork) and, before Material's ``on_post_build``, puts the
entries made from the helper's sections into Material's index exactly where
Material would have appended them while building:

- the helper computes the sections with :func:`~okrsite.engine.searchfeed.page_sections`
  and, for HTML that pass does not take, with Material's own ``Parser`` on the
  page's content, as Material's ``add_entry_from_context`` would;
- the entries are made by Material's ``SearchIndex.create_entry_for_section``
  in this process, from the page's URL and TOC and a copy of its ``meta``
  taken when the page was indexed (title, tags, boost as Material read them);
- each page's entries go in at the position the index had reached when the
  page was indexed, so pages Material indexed itself stay in build order.

The pages are sent from a writer thread (:class:`~okrsite.engine.writer.PageWriter`),
so a slow helper never blocks the build. Used only with two usable cores and
a site large enough to pay for starting an interpreter. A helper that fails
fails the build (its pages' HTML is not kept: holding every page until the
end would cost ~50 MB at 1,000 units).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from okrsite.engine.searchfeed import index_page, material_search
from okrsite.engine.writer import PageWriter

MIN_PAGES = 300
"""Fewer generated pages than this: index in the build's process (starting
the helper's interpreter costs ~0.3 s of the second core)."""

TIMEOUT = 600.0
"""Seconds to wait for the helper's results after the last page."""


class SearchWorkerError(Exception):
    """The helper process did not deliver every page's sections."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@dataclass
class _Deferred:
    position: int
    """How many entries Material's index held when the page was indexed."""
    toc: Any
    url: str
    page: _PageView


@dataclass
class _PageView:
    """What ``create_entry_for_section`` reads of a page, as it was when indexed."""

    meta: dict[str, Any]
    title: Any


class DeferredIndex:
    """The helper process and the pages sent to it, for one build."""

    def __init__(self, index: Any) -> None:
        self.index = index
        self._pages: list[_Deferred] = []
        self._process = subprocess.Popen(
            [sys.executable, "-m", "okrsite.engine.searchworker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._sender = PageWriter()

    def take(self, page: Any, html: str) -> None:
        """Index ``page`` from ``html`` (its ``content``, or a lighter view of
        it with the same sections) in the helper."""
        fallback = None if html is page.content else page.content
        data = pickle.dumps((html, fallback), protocol=pickle.HIGHEST_PROTOCOL)
        assert self._process.stdin is not None
        self._sender.call(self._process.stdin.write, data)
        meta = dict(page.meta)
        self._pages.append(
            _Deferred(len(self.index.entries), page.toc, page.url, _PageView(meta, page.title))
        )

    def finish(self) -> None:
        """Wait for the helper and put every page's entries into the index."""
        sections = self._results()
        scratch = type(self.index)(**self.index.config)
        merged: list[Any] = []
        done = 0
        entries = self.index.entries
        for deferred, page_sections in zip(self._pages, sections, strict=True):
            merged.extend(entries[done : deferred.position])
            done = deferred.position
            scratch.entries = []
            for section in page_sections:
                if not section.is_excluded():
                    scratch.create_entry_for_section(
                        section, deferred.toc, deferred.url, deferred.page
                    )
            merged.extend(scratch.entries)
        merged.extend(entries[done:])
        self.index.entries = merged

    def abandon(self) -> None:
        """The build failed: stop the helper, drop what it was sent."""
        if self._process.poll() is None:
            self._process.kill()  # first: a write blocked on a full pipe then fails
        self._sender.abandon()
        with contextlib.suppress(OSError):
            self._process.communicate()

    def _results(self) -> list[list[Any]]:
        assert self._process.stdin is not None
        try:
            self._sender.call(self._process.stdin.write, pickle.dumps(None))
            self._sender.call(self._process.stdin.close)
            self._sender.finish()
        except OSError:
            pass  # the helper is gone: reported below with its stderr
        with contextlib.suppress(OSError):  # closed by the sender unless it failed
            self._process.stdin.close()
        self._process.stdin = None  # communicate() must not flush it again
        try:
            output, errors = self._process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            output, errors = self._process.communicate()
        if self._process.returncode == 0:
            try:
                results: list[list[Any]] = pickle.loads(output)
            except Exception:
                results = []
            if len(results) == len(self._pages):
                return results
        detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise SearchWorkerError(
            f"the search indexing helper failed (exit {self._process.returncode}): {detail[0]}"
        )


class PageIndexer:
    """Material's search entries for one build's pages, made by
    :mod:`okrsite.engine.searchfeed`: here, or in the helper process
    (:class:`DeferredIndex`) for a large site with a second core.

    A page it indexes is marked ``search.exclude`` until the template renders
    (:meth:`restore`), so Material's plugin does not index it again."""

    def __init__(self, search: Any, helper: DeferredIndex | None) -> None:
        self.search = search
        self.helper = helper
        self._indexed: dict[str, object] = {}

    @classmethod
    def start(cls, config: Any, *, pages: int, helper: bool) -> PageIndexer | None:
        """None without Material's own search plugin; with ``helper`` allowed,
        two usable cores and at least :data:`MIN_PAGES` pages, the helper."""
        search = material_search(config)
        if search is None:
            return None
        if helper and pages >= MIN_PAGES and usable_cores() >= 2:
            return cls(search, DeferredIndex(search.search_index))
        return cls(search, None)

    def index(self, page: Any) -> None:
        """Before Material's ``on_page_context``: index the page (unless excluded)."""
        if (page.meta.get("search") or {}).get("exclude"):
            return
        html = getattr(page.file, "search_content", None) or page.content or ""
        if self.helper is not None:
            self.helper.take(page, html)
        elif not index_page(self.search.search_index, page, html):
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
            helper.finish()

    def abandon(self) -> None:
        if self.helper is not None:
            helper, self.helper = self.helper, None
            helper.abandon()


_ABSENT = object()


def _serve() -> None:
    """The helper: read pickled (html, fallback) pairs until None, then
    write every page's sections, in order, as one pickle."""
    from material.plugins.search.plugin import Parser

    from okrsite.engine.searchfeed import page_sections

    source = sys.stdin.buffer
    results: list[list[Any]] = []
    while True:
        item = pickle.load(source)
        if item is None:
            break
        html, fallback = item
        sections = page_sections(html)
        if sections is None:  # as Material's add_entry_from_context indexes page.content
            parser = Parser()
            parser.feed(html if fallback is None else fallback)
            parser.close()
            sections = parser.data
        results.append(sections)
    sys.stdout.buffer.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve()
