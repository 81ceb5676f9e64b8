"""The page cache's state for one MkDocs build, and what the plugin does with
it at the build's edges (see :mod:`okrsite.engine.plugin`'s "Page cache").

Created in ``on_files`` when the page cache is on (never under a preview
server): the cache of finished pages (:mod:`okrsite.engine.pagecache`), how
files reach ``site/`` (:mod:`okrsite.engine.siteoutput`), the closed-cycle
store, and the closed cycles' folders moved in whole from the last build
(:mod:`okrsite.engine.sitefolders`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.structure.files import File

from okrsite.engine.cycleentry import content_sha256
from okrsite.engine.pagecache import (
    CachedPage,
    CycleStore,
    PageCache,
    StoredBytes,
    merge_search_index,
)
from okrsite.engine.sitefolders import KeptFolders
from okrsite.engine.siteoutput import SiteOutput, StoredFiles
from okrsite.engine.writer import WRITES_NOW, SiteWrites

FOLDERS_DIR = "folders"
"""Under ``<cache_dir>``: the stash of :class:`~okrsite.engine.sitefolders.KeptFolders`."""


class WarningCount(logging.Handler):
    """Counts WARNING and worse records of MkDocs' loggers during one build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class SkippedNote(logging.Filter):
    """MkDocs does not write a page whose final HTML is empty and logs
    "Page skipped: '<page>'. Generated empty output." at INFO. A page served
    from the page cache is linked into ``site/`` by the plugin and handed to
    MkDocs empty: that note would be false, once per archived page."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.notes


def skipped_note(src_uri: str) -> str:
    """MkDocs 1.6's note for a page with empty output (``_build_page``)."""
    return f"Page skipped: '{src_uri}'. Generated empty output."


BUILD_LOGGER = "mkdocs.commands.build"
"""The logger of MkDocs' page writer (``mkdocs/commands/build.py``)."""


@dataclass
class PageCacheRun:
    """The page cache's state for one build (created in ``on_files``)."""

    cache: PageCache
    output: SiteOutput
    """Places stored pages and generated files into ``site/`` (hard links)."""
    cycles: CycleStore | None = None
    """Closed cycles' generated files (pruned with the pages after a clean build)."""
    folders: KeptFolders | None = None
    """Closed cycles' folders of the last build, moved in whole (None: not
    while stored pages are not linked, see :attr:`copy`)."""
    folder_digests: dict[str, str] = field(default_factory=dict)
    """Closed cycle's folder → what this build puts in it (recorded after the build)."""
    order: list[str] = field(default_factory=list)
    """Every page's URL in the order MkDocs builds them (and indexes them)."""
    served: dict[str, CachedPage] = field(default_factory=dict)
    """URL → stored page, for pages taken from the cache."""
    rendered: dict[str, tuple[str, list[str], str]] = field(default_factory=dict)
    """URL → (key, anchors, file) of pages rendered and stored."""
    stored: StoredFiles = field(default_factory=dict)
    """Stored page file → the sha256 of its bytes, its size, mtime and inode
    (filled as the writes run, complete once they have ended)."""
    warnings: WarningCount = field(default_factory=WarningCount)
    """MkDocs warnings during this build: a page rendered with a warning is not
    stored (served from the cache, it would hide the warning from --strict)."""
    copy: bool = True
    """Stored pages are linked into ``site/`` (MkDocs writes nothing for them): only
    when our last ``on_post_page`` is the build's last, else a later plugin's
    change would be missing from the copy, and the stored HTML is returned."""
    skipped: SkippedNote = field(default_factory=SkippedNote)
    """Drops MkDocs' note that a page it did not write was skipped, for the
    pages this build copied from the cache."""


class BlankTemplate(jinja2.Template):
    """The template of a page served from the page cache: empty, so its
    output is empty whatever the context (MkDocs then writes nothing for the
    page; the stored file is linked instead). Rendering the empty template
    through Jinja still copied the page's context and the environment's
    globals into a new Jinja context for every page (~700 stored pages at
    100 units × 8 quarters)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        return ""


class PluginTemplates(jinja2.DictLoader):
    """The plugin's templates by name; those named in ``blank`` are empty and
    load as a :class:`BlankTemplate` (Jinja's ``ChoiceLoader`` asks its
    loaders' ``load``)."""

    def __init__(self, mapping: dict[str, str], blank: frozenset[str]) -> None:
        super().__init__(mapping)
        self.blank = blank

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: Any = None,
    ) -> jinja2.Template:
        if name in self.blank and self.mapping.get(name) == "":
            code = environment.compile("", name)
            return BlankTemplate.from_code(environment, code, globals or {}, None)
        return super().load(environment, name, globals)


def kept_folders(cache_dir: Path) -> KeptFolders:
    return KeptFolders(cache_dir / FOLDERS_DIR)


def _identities(
    files: Iterable[File], stored: Mapping[str, str], closed: Iterable[str]
) -> Iterator[tuple[str, str | None, bool]]:
    """Each file's site path, what names its bytes, and whether it is ready
    without rendering (for :meth:`KeptFolders.candidates`): a generated page
    by its page-cache key (ready when stored), another generated file by the
    key of the closed-cycle entry holding it (``stored``, path → key: served
    or stored this build, the entry holds exactly those bytes) or else by the
    sha256 of its content; a file okrsite did not generate by None. Only the
    files in the ``closed`` cycles' folders (the only ones candidates looks
    at): hashing the others was for nothing (``okrs.json`` alone is ~14 MB
    at 100 units × 8 quarters)."""
    folders = {f"{name}/" for name in closed}
    for file in files:
        dest = file.dest_uri
        if dest[: dest.find("/") + 1] not in folders:
            continue
        key = getattr(file, "cache_key", None)
        if key is not None:
            yield dest, f"page {key}", getattr(file, "cached", None) is not None
        elif file.generated_by is not None and hasattr(file, "cache_key"):
            entry = stored.get(file.src_uri)
            if entry is not None:
                yield dest, f"stored {entry} {file.src_uri}", True
            else:
                yield dest, f"file {content_sha256(file.content_bytes)}", True
        else:
            yield dest, None, True


def take_folders(run: PageCacheRun, files: Iterable[File], site_dir: str) -> None:
    """Move in the closed cycles' folders the last build left as this one
    would make them; their files are then not placed (``SiteOutput.kept``)."""
    if run.folders is None or run.cycles is None:
        return
    site = Path(site_dir)
    closed = run.cycles.asked
    identities = _identities(files, run.cycles.entry_files, closed)
    for folder, digest, ready in KeptFolders.candidates(identities, closed):
        run.folder_digests[folder] = digest
        if ready and run.folders.take(folder, digest, site):
            run.output.kept.add(os.path.join(os.path.normpath(site_dir), folder) + os.sep)


def finish_page_cache(run: PageCacheRun, site_dir: Path) -> None:
    """Put the stored pages' search entries back; store the rendered pages
    and record the closed cycles' folders (unless the build warned: then
    nothing is stored or dropped)."""
    index = site_dir / "search" / "search_index.json"
    entries: dict[str, str] = {}
    if index.is_file():
        text, entries = merge_search_index(
            index.read_text(encoding="utf-8"),
            run.order,
            {url: page.search for url, page in run.served.items()},
        )
        if run.served:
            index.write_text(text, encoding="utf-8")
    if run.warnings.count:
        return
    for url, (key, anchors, path) in run.rendered.items():
        sha256, stat = run.stored[path]
        run.cache.put_details(key, entries.get(url, ""), anchors, StoredBytes(sha256, stat))
    run.cache.prune()
    run.output.prune()
    if run.cycles is not None:
        run.cycles.prune()
    if run.folders is not None:
        run.folders.finish(site_dir, run.folder_digests)


def store_page(
    run: PageCacheRun,
    key: str,
    url: str,
    anchors: list[str],
    output: str,
    to: str | None,
    writes: SiteWrites | None = None,
) -> None:
    """Store a rendered page in the page cache and link it to ``to`` (in
    site/): by ``writes``, off the build's thread, if given. What identifies
    the stored bytes is known once the writes have ended (:attr:`PageCacheRun.stored`)."""
    path = run.cache.page_path(key)
    run.rendered[url] = (key, anchors, str(path))
    data = output.encode("utf-8", errors="xmlcharrefreplace")  # as MkDocs writes it
    (writes or WRITES_NOW).store(run.output, path, data, to, run.stored)


def place_stored(
    run: PageCacheRun, writes: SiteWrites | None, page: CachedPage, destination: str
) -> None:
    """Put a page served from the cache at ``destination`` as it is stored (a
    hard link where possible): no decoding, encoding or scanning of ~100 KB of
    HTML per page (what MkDocs' own write of the page text would cost)."""
    (writes or WRITES_NOW).place(run.output, run.cache.page_path(page.key), destination)
