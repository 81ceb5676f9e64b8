"""A generated file as MkDocs sees it (the plugin's ``File``), and when its
bytes go to ``site/``.

MkDocs copies a build's non-page files (:meth:`Files.copy_static_files`)
after it has converted every page and before it renders the first: at 1,000
units ~1,050 graphs and exports at once, which the file writer process
(:mod:`okrsite.engine.filewriter`) then creates while the build's thread,
its pipe full, waits (0.1–1.4 s in single runs on a busy machine). The file
writer has nothing to do while MkDocs converts pages, so
:func:`hand_over_early` gives it those files as soon as MkDocs has decided
which files the build includes (``on_nav``): the same jobs in the same
order, written while the pages convert.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from mkdocs.structure.files import File

from okrsite.engine.pagecache import CachedPage
from okrsite.engine.siteoutput import SiteOutput
from okrsite.engine.writer import WRITES_NOW, SiteWrites
from okrsite.site.tree import StoredContent


class GeneratedFile(File):
    """A generated file: the HTML parked out of its Markdown (see
    :mod:`okrsite.engine.htmlpost`), and whether a dirty build may skip it."""

    parked: tuple[str, ...] = ()
    """Raw-HTML blocks, put back in ``on_post_page``."""
    inline: tuple[tuple[str, ...], str] = ((), "")
    """Inline spans and their token prefix, put back in ``on_page_content``."""
    unchanged = False
    cache_key: str | None = None
    """The page's key in the page cache (None: not cached, e.g. under serve)."""
    cached: CachedPage | None = None
    """The stored page, when the cache has it: MkDocs renders nothing."""
    search_content: str | None = None
    """The page's HTML with attribute-free inline spans, for the search index."""

    output: SiteOutput | None = None
    """How this build places files into ``site/`` (None: as MkDocs does)."""
    writes: SiteWrites | None = None
    """The build's writer thread, if any (see :mod:`okrsite.engine.writer`)."""

    def is_modified(self) -> bool:
        if self.unchanged and os.path.isfile(self.abs_dest_path):
            return False
        return super().is_modified()

    held: StoredContent | None = None
    """A closed cycle's file kept by the cycle store, read only when its
    content is asked for (it usually is not: its folder moves in whole)."""

    @property
    def content_bytes(self) -> bytes:
        self._load_held()
        return super().content_bytes

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self.held = None
        File.content_bytes.fset(self, value)  # type: ignore[attr-defined]

    @property
    def content_string(self) -> str:
        self._load_held()
        return super().content_string

    @content_string.setter
    def content_string(self, value: str) -> None:
        self.held = None
        File.content_string.fset(self, value)  # type: ignore[attr-defined]

    def _load_held(self) -> None:
        if self.held is not None:
            self._content, self.held = self.held.load(), None

    handed_over = False
    """Already given to the writer by :meth:`hand_over` (MkDocs' copy skips it)."""

    def hand_over(self, dirty: bool) -> None:
        """A graph or export for the file writer process, before MkDocs would
        copy it (as it would, with its ``dirty``): see :func:`hand_over_early`."""
        self.copy_file(dirty)
        self.handed_over = True

    def copy_file(self, dirty: bool = False) -> None:
        """A generated graph or export: linked from the cache's copy of the
        same bytes where possible (creating files is what costs)."""
        if self.handed_over:
            return
        held, output = self.held, self.output
        if held and output and output.already_there(self.abs_dest_path, held.sha256):
            return  # its folder moved in whole: not even read
        self._load_held()
        content = self._content
        if self.output is None or content is None or (dirty and not self.is_modified()):
            super().copy_file(dirty)
            return
        data = content.encode("utf-8") if isinstance(content, str) else content
        (self.writes or WRITES_NOW).blob(self.output, data, self.abs_dest_path)


def hand_over_early(files: Iterable[File], writes: SiteWrites | None, *, dirty: bool) -> int:
    """Give the file writer process every generated non-page file the build
    includes (what ``copy_static_files(dirty=dirty)`` would copy), now; how
    many. Nothing without a file writer process (a writer thread would take
    turns with the build's thread for the GIL instead)."""
    if writes is None or not writes.in_process:
        return 0
    count = 0
    for file in files:
        if (
            isinstance(file, GeneratedFile)
            and file.output is not None
            and not file.is_documentation_page()
            and file.inclusion.is_included()
        ):
            file.hand_over(dirty)
            count += 1
    return count
