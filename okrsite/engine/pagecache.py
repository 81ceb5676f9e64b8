"""Finished pages kept on disk between builds, so unchanged pages cost nothing.

A closed quarter never changes, yet every CI publish would render all of its
pages again through Python-Markdown, the theme's templates and the search
indexer. A generated page's finished HTML depends only on

* its generated text (okrsite's whole contribution: the model, the options,
  okrsite's templates and version all end up in it),
* the navigation every page embeds (``config.nav``, titles included),
* ``mkdocs.yml`` (theme, features, Markdown extensions, plugins), the
  theme's overrides and the hand-written pages (their titles are in the nav),
* the versions of MkDocs, the theme and Python-Markdown.

:func:`setup_digest` hashes everything but the text once per build;
:meth:`PageCache.key` adds the page's path and text. An entry holds the page
as written to ``site/`` (after every plugin's ``on_post_page``), its search
index entries and its anchors; it is used only under exactly the same key,
so a cached build is byte-identical to a fresh one, and an edit to any input
(an archived unit file included) simply misses.

Entries live in ``<cache_dir>/pages/`` (``.okrsite-cache`` next to
``mkdocs.yml``, which the example CI workflows persist). After a successful
build the directory holds exactly that build's pages: older entries are
removed, so it never grows with history.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import okrsite
from okrsite.engine.cycleentry import (
    CYCLE_SUFFIX,
    content_sha256,
    cycle_entry_bytes,
    open_cycle_entry,
    read_stored_entry,
)
from okrsite.engine.siteoutput import stat_of
from okrsite.engine.textpack import pack, unpack
from okrsite.errors import BuildError
from okrsite.graphs import Graphviz
from okrsite.graphs.cache import DiskCache
from okrsite.model import OkrModel
from okrsite.site.cache import ClosedCycle
from okrsite.site.options import SiteOptions
from okrsite.site.pages.render import templates_dir
from okrsite.site.tree import FileContent, StoredContent
from okrsite.source.files import write_atomically
from okrsite.validate.kept import FileDigests

FORMAT = "5"
"""Bumped when the entry layout or what a key covers changes."""

_DISTRIBUTIONS = ("okrsite", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def setup_digest(
    *,
    config_file: Path | None,
    nav: Any,
    theme_dirs: list[str],
    hand_written: dict[str, Path],
    plugin_options: Any,
) -> str:
    """Digest of what every page's HTML depends on besides its own text.

    Files are named by their path relative to where they live (``docs_dir``,
    the theme directory), so a checkout in another folder keeps its keys.
    ``hand_written`` maps each hand-written page's docs path to its file.
    """
    digest = hashlib.sha256(f"okrsite-pages {FORMAT}\n".encode())
    for name in _DISTRIBUTIONS:
        digest.update(f"{name}={_version(name)}\n".encode())
    digest.update(repr(nav).encode())
    digest.update(repr(plugin_options).encode())
    if config_file is not None and config_file.is_file():
        digest.update(config_file.read_bytes())
    files = sorted(hand_written.items())
    for number, directory in enumerate(theme_dirs):  # theme overrides (custom_dir)
        root = Path(directory)
        found = sorted(p for p in root.rglob("*") if p.is_file())
        files.extend((f"theme {number}: {p.relative_to(root).as_posix()}", p) for p in found)
    for name, path in files:
        digest.update(f"\n{name}\n".encode())
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


@dataclass
class CachedPage:
    """What is known of a stored page before it is needed: its key, search
    entries and anchors (its HTML stays on disk until it is written out)."""

    key: str
    search: str
    """Its entries of ``search/search_index.json`` as they appear in it: each
    serialised as Material serialises the index, joined by commas (kept as
    text: decoding and encoding ~4 MB of stored entries was ~0.15 s of a
    rebuild with 8 quarters, for entries that are written back unchanged)."""
    anchors: list[str]
    """Its element ids (links from other pages to them are checked)."""


@dataclass(frozen=True)
class StoredBytes:
    """A stored page's file as written: the sha256 of its bytes, and its
    size, mtime and inode then (see :meth:`PageCache.get`)."""

    sha256: str
    stat: list[int]


@dataclass
class PageCache:
    """The page entries of one cache directory, for one build.

    An entry is a file and a record: ``<key>.html``, the page exactly as
    written to ``site/`` (stored as soon as it is rendered, so a build never
    holds every page in memory; linked into ``site/``, see
    :mod:`okrsite.engine.siteoutput`), and its record in ``details.pack``:
    its search entries, anchors and the sha256 of the HTML file (recorded
    after the build, when the search index is complete). An entry counts
    only when both are there and the HTML still has that digest. The records
    of all pages share one file, read once and written once per build: one
    file per page cost a file creation each (~0.65 ms on our VMs, 1.3 s for
    a 1,000-unit site's first build) and an open and a read per page on
    every build. Created per build by the plugin (never kept across builds);
    :meth:`prune` then writes this build's records and drops what it did not
    use.
    """

    directory: Path
    used: set[str] = field(default_factory=set)
    _records: dict[str, Any] | None = None
    _recorded: dict[str, Any] = field(default_factory=dict)
    """Records of this build's pages (kept ones and new ones), for :meth:`prune`."""

    @staticmethod
    def key(setup: str, path: str, content_sha256: str) -> str:
        """A page's key: the build's setup, its path and the sha256 of its
        generated text (a stored closed cycle knows it without the text)."""
        return hashlib.sha256(f"{setup}\n{path}\n{content_sha256}".encode()).hexdigest()

    def _stored_records(self) -> dict[str, Any]:
        if self._records is None:
            try:
                self._records = read_details((self.directory / DETAILS_FILE).read_bytes())
            except OSError:
                self._records = {}
        return self._records

    def get(self, key: str) -> CachedPage | None:
        self.used.add(key)
        record = self._stored_records().get(key)
        if not isinstance(record, dict):
            return None  # never stored, or stored by a build that warned
        # A str path and os.stat, not pathlib: Path's join and stat were two
        # thirds of this look-up, made for every stored page (~930 at 8 quarters).
        path = os.path.join(self.directory, f"{key}.html")
        try:
            # The stored page is linked into site/ (engine/siteoutput.py): a
            # site file rewritten in place rewrote it too. Its bytes must be
            # the ones stored, else the page renders again. As git's index
            # does, a file whose size, mtime and inode are those recorded
            # when it was stored is taken as unchanged (reading and hashing
            # every page cost ~0.25 s of a rebuild with 8 quarters); any
            # other file is hashed, and its stat recorded when it matches.
            seen = stat_of(path)
            if seen != record.get("stat"):
                with open(path, "rb") as stored:
                    if hashlib.sha256(stored.read()).hexdigest() != record["sha256"]:
                        return None
                record = {**record, "stat": seen}
            search = record["search"]
            if not isinstance(search, str):
                return None
            page = CachedPage(key, search, list(record["anchors"]))
        except (OSError, KeyError, TypeError):
            return None  # missing or unreadable: render the page
        self._recorded[key] = record
        return page

    def look_up(
        self,
        setup: str,
        files: Mapping[str, FileContent],
        stored: Mapping[str, StoredContent] | None = None,
    ) -> dict[str, tuple[str, CachedPage | None]]:
        """Every generated page's key and stored entry (None: to render);
        ``stored``: pages of closed cycles, known by their sha256."""
        found: dict[str, tuple[str, CachedPage | None]] = {}
        for path, text in files.items():
            if path.endswith(".md") and isinstance(text, str):
                key = self.key(setup, path, content_sha256(text))
                found[path] = (key, self.get(key))
        for path, content in (stored or {}).items():
            if path.endswith(".md"):
                key = self.key(setup, path, content.sha256)
                found[path] = (key, self.get(key))
        return found

    def html(self, page: CachedPage) -> str:
        """The stored page as text (when a later plugin must still see it)."""
        return (self.directory / f"{page.key}.html").read_text(encoding="utf-8")

    def page_path(self, key: str) -> Path:
        """The file of the page stored under ``key``, used by this build."""
        self.used.add(key)
        return self.directory / f"{key}.html"

    def put_details(self, key: str, search: str, anchors: list[str], stored: StoredBytes) -> None:
        """Record a page rendered this build (written by :meth:`prune`)."""
        self._recorded[key] = {
            "search": search, "anchors": anchors, "sha256": stored.sha256, "stat": stored.stat,
        }

    def prune(self) -> None:
        """After a clean build: write this build's records (atomically: a
        build killed midway leaves the old file), remove the pages (and stray
        temporary files) it did not use."""
        records = {key: self._recorded[key] for key in sorted(self.used) if key in self._recorded}
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomically(self.directory / DETAILS_FILE, details_bytes(records), durable=False)
        for path in self.directory.iterdir():
            if path.name != DETAILS_FILE and (path.suffix == ".tmp" or path.stem not in records):
                path.unlink(missing_ok=True)


DETAILS_FILE = "details.pack"
"""Every stored page's record (see :class:`PageCache`), as :func:`details_bytes` writes them."""


def details_bytes(records: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The records file: the records without their search entries, as JSON,
    and the entries (text, ~4 MB at 100 units × 8 quarters) beside it as
    bytes (:mod:`okrsite.engine.textpack`): not escaped into JSON and back
    on every build."""
    document = {
        key: {k: v for k, v in record.items() if k != "search"} for key, record in records.items()
    }
    return pack(document, [str(record.get("search", "")) for record in records.values()])


def read_details(data: bytes) -> dict[str, Any]:
    """The records :func:`details_bytes` wrote (none for anything else)."""
    found = unpack(data)
    if found is None or not isinstance(found[0], dict) or len(found[0]) != len(found[1]):
        return {}
    records: dict[str, Any] = {}
    for (key, record), search in zip(found[0].items(), found[1], strict=True):
        if isinstance(record, dict):  # parsed just now: filled in place, not copied
            record["search"] = search
            records[key] = record
    return records


def merge_search_index(
    index_text: str, order: list[str], cached: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """The search index with cached pages' entries put back in build order.

    ``order`` is every page's URL in the order MkDocs built them (the
    indexer appends a page's entries as it builds it); cached pages were
    kept out of the indexer and their entries are in ``cached``, as text
    (:attr:`CachedPage.search`). Returns the new index text (serialised as
    Material's search plugin does: the same bytes as one ``json.dumps`` of
    the whole index) and the entries, as text, of the pages the indexer saw.
    """
    data = json.loads(index_text)
    fresh: dict[str, list[Any]] = {}
    for entry in data.get("docs", []):
        fresh.setdefault(str(entry.get("location", "")).split("#")[0], []).append(entry)
    # One dump per page: a list's JSON is its items' JSON joined by "," in
    # brackets (16,800 entries at 1,000 units, 0.3 s as one dump each).
    texts = {url: _index_json(entries)[1:-1] for url, entries in fresh.items()}
    by_page = {**texts, **cached}
    parts = [by_page.pop(url) for url in order if url in by_page]
    parts.extend(by_page.values())  # pages we did not see built (none expected)
    docs = "[" + ",".join(part for part in parts if part) + "]"
    data["docs"] = _DOCS_MARK
    outline = _index_json(data)
    mark = _index_json(_DOCS_MARK)
    if outline.count(mark) != 1:  # the mark in the theme's settings: the long way
        data["docs"] = json.loads(docs)
        return _index_json(data), texts
    return outline.replace(mark, docs), texts


_DOCS_MARK = "\0okrsite: the search entries go here\0"


def _index_json(data: Any) -> str:
    """As Material's search plugin writes its index."""
    return json.dumps(data, separators=(",", ":"), default=str)


# --- Closed cycles: their generated files, keyed by their input files -------

CYCLES_FORMAT = "5"
"""Bumped when a closed-cycle entry's layout or what its key covers changes."""


_TEXT_DISTRIBUTIONS = ("markdown", "nh3", "jinja2", "markupsafe", "pydantic", "pyyaml")
"""Libraries whose output ends up in generated text (besides okrsite's code)."""


def code_digest() -> str:
    """okrsite's own code and templates, byte for byte, and the versions of
    the libraries whose output lands in generated pages. okrsite's version
    number alone would miss every change made without a release."""
    digest = hashlib.sha256(f"okrsite-cycles {CYCLES_FORMAT}\n".encode())
    for name in _TEXT_DISTRIBUTIONS:
        digest.update(f"{name}={_version(name)}\n".encode())
    for root in (Path(okrsite.__file__).parent, templates_dir()):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix not in (".pyc", ".pyo"):
                digest.update(f"\n{path.relative_to(root).as_posix()}\n".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _files_digest(digest: Any, root: Path, paths: Iterable[Path], files: FileDigests) -> None:
    for path in sorted(paths):
        try:
            sha256 = files.sha256(str(path))
        except OSError:
            sha256 = hashlib.sha256(b"\0missing").digest()
        try:
            name = path.relative_to(root).as_posix()
        except ValueError:
            name = path.as_posix()
        digest.update(f"\n{name}\n".encode())
        digest.update(sha256)


def _folder_digest(digest: Any, name: str, folder: Path, files: FileDigests) -> None:
    """What :func:`_files_digest` adds for every file under ``folder`` (named
    ``name`` under the root) as ``folder.rglob("*")`` finds them, in the same
    order and with the same names: a walk of ``os.scandir`` entries (Path
    objects for 800 files were ~0.04 s of a rebuild with 8 quarters)."""
    found: list[tuple[str, ...]] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(str(folder), ())]
    while pending:
        path, parts = pending.pop()
        try:
            with os.scandir(path) as scan:
                entries = list(scan)
        except OSError:
            continue  # not a folder (or unreadable): as rglob, nothing under it
        for entry in entries:
            try:
                if entry.is_dir() and not entry.is_symlink():  # rglob does not follow links
                    pending.append((entry.path, (*parts, entry.name)))
                elif entry.is_file():  # a link to a file counts, as Path.is_file says
                    found.append((*parts, entry.name))
            except OSError:
                continue
    for parts in sorted(found):  # Path order: part by part
        try:
            sha256 = files.sha256(os.path.join(folder, *parts))
        except OSError:
            sha256 = hashlib.sha256(b"\0missing").digest()
        digest.update(f"\n{name}/{'/'.join(parts)}\n".encode())
        digest.update(sha256)


def cycle_input_digests(
    content_dir: Path, model: OkrModel, *, extra: str = "", files: FileDigests | None = None
) -> dict[str, str]:
    """For every cycle: a digest of the files its pages are generated from.

    That is every file under ``content/<cycle>/`` (and the same of every cycle
    whose dates overlap it: a quarter's pages name its year's objectives, a
    year's pages list its quarters' support), the data files its measured key
    results read, the files directly in ``content/`` (``company.yaml``,
    ``org.yaml``: names, parents, scoring, the cycles) and ``extra`` (okrsite's
    code, the ``dot`` version). The digest covers bytes, not the model, so
    any edit to those files, even a comment, simply misses. ``files`` knows
    the sha256 of files unchanged since an earlier build (by their stat).
    """
    files = files if files is not None else FileDigests()
    root = content_dir.parent
    shared = hashlib.sha256(f"{extra}\n".encode())
    _files_digest(shared, root, (p for p in content_dir.iterdir() if p.is_file()), files)
    own: dict[str, bytes] = {}
    for cycle_id, cycle in model.cycles.items():
        digest = hashlib.sha256(cycle_id.encode())
        _folder_digest(digest, f"{content_dir.name}/{cycle_id}", content_dir / cycle_id, files)
        data_files = {
            kr.measure.file
            for okrs in cycle.okrs.values()
            for objective in okrs.content.objectives
            for kr in objective.key_results
            if kr.measure is not None
        }
        _files_digest(digest, root, (root / name for name in data_files), files)
        own[cycle_id] = digest.digest()
    out: dict[str, str] = {}
    for cycle_id, cycle in model.cycles.items():
        mine = cycle.definition
        digest = shared.copy()
        for other_id, other in sorted(model.cycles.items()):
            theirs = other.definition
            if theirs.start <= mine.end and mine.start <= theirs.end:  # overlapping
                digest.update(own[other_id])
        out[cycle_id] = digest.hexdigest()
    return out


def open_cycle_store(
    directory: Path, content_dir: Path, model: OkrModel, options: SiteOptions
) -> CycleStore:
    """The closed-cycle store of one build: input digests of every cycle, with
    okrsite's code and (when graphs are drawn) the ``dot`` version as extra."""
    extra = code_digest()
    if options.graphs:
        try:
            cache = DiskCache(options.graph_cache_dir) if options.graph_cache_dir else None
            extra += "\n" + Graphviz().version(cache)
        except BuildError:
            extra += "\nno dot"  # the build fails later, saying how to install it
    texts = _read_texts(directory / TEXTS_FILE)
    try:  # the content files' sha256 as the last build recorded them
        files = FileDigests(json.loads(texts.get(_FILE_DIGESTS, "null")))
    except ValueError:
        files = FileDigests()
    inputs = cycle_input_digests(content_dir, model, extra=extra, files=files)
    store = CycleStore(directory, inputs, code=extra, _texts=texts)
    store.keep_text(_FILE_DIGESTS, json.dumps(files.used, separators=(",", ":")))
    return store


@dataclass
class CycleStore:
    """Closed cycles' generated files in ``<cache_dir>/cycles/``: the
    engine's :class:`~okrsite.site.cache.ClosedCycles`.

    An entry is one file (:func:`cycle_entry_bytes`) named by the digest of the cycle's
    input files (:func:`cycle_input_digests`) and the context the site passes
    (:func:`okrsite.site.build.closed_cycle_context`). Created per build by
    the plugin; after a successful build :meth:`prune` drops the entries that
    build did not use, so the directory never grows with history.
    """

    directory: Path
    inputs: Mapping[str, str]
    """Cycle id → :func:`cycle_input_digests`."""
    code: str = ""
    """okrsite's code and templates and the ``dot`` version: part of every
    stored text's key (the site hashes the rest, see :meth:`text`)."""
    used: set[str] = field(default_factory=set)
    hits: list[str] = field(default_factory=list)
    """Cycles served from the store this build (for logs and tests)."""
    asked: list[str] = field(default_factory=list)
    """Every closed cycle the site asked for this build (served or not)."""
    entry_files: dict[str, str] = field(default_factory=dict)
    """Path → key of the entry that holds it (served or stored this build):
    the key names its bytes."""
    _texts: dict[str, str] | None = None
    _texts_used: dict[str, str] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        """A page spanning cycles (a unit profile) stored under ``key``, a
        digest the site makes of everything the page is made from; all of
        them live in one file, ``texts.pack``, read once per build."""
        if self._texts is None:
            self._texts = _read_texts(self.directory / TEXTS_FILE)
        found = self._texts.get(key)
        if found is not None:
            self._texts_used[key] = found
        return found

    def keep_text(self, key: str, text: str) -> None:
        self._texts_used[key] = text

    def key(self, cycle_id: str, context: str) -> str | None:
        """The cycle's key under ``context``: None for a cycle it does not know."""
        inputs = self.inputs.get(cycle_id)
        if inputs is None:
            return None
        return hashlib.sha256(f"{cycle_id}\n{inputs}\n{context}".encode()).hexdigest()

    def get(self, cycle_id: str, context: str) -> ClosedCycle | None:
        """The stored cycle, its files as :attr:`ClosedCycle.stored`: read on
        demand when the entry file is as this store last wrote or checked it
        (size, mtime and inode, kept in ``texts.pack``), else read in full and
        checked now (see :mod:`okrsite.engine.cycleentry`)."""
        self.asked.append(cycle_id)
        key = self.key(cycle_id, context)
        if key is None:
            return None
        self.used.add(key)
        path = self.directory / f"{key}{CYCLE_SUFFIX}"
        try:
            seen = json.dumps(stat_of(path))
            if self.text(_ENTRY_STAT + key) == seen:
                found = open_cycle_entry(path)
            else:
                found = read_stored_entry(path.read_bytes())
                if found is not None:
                    self.keep_text(_ENTRY_STAT + key, seen)
        except OSError:
            return None  # missing: generate the cycle
        if found is None or found[0] != cycle_id:
            return None  # unreadable or foreign: generate the cycle
        self.hits.append(cycle_id)
        self.entry_files.update(dict.fromkeys(found[1].stored, key))
        return found[1]

    def put(self, cycle_id: str, context: str, cycle: ClosedCycle) -> None:
        key = self.key(cycle_id, context)
        if key is None:
            return
        self.used.add(key)
        self.entry_files.update(dict.fromkeys(cycle.files, key))
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{key}{CYCLE_SUFFIX}"
        write_atomically(path, cycle_entry_bytes(cycle_id, cycle), durable=False)
        self.keep_text(_ENTRY_STAT + key, json.dumps(stat_of(path)))

    def prune(self) -> None:
        """After a clean build: remove entries (and stray temporary files)
        this build did not use; the texts file keeps exactly this build's."""
        if self._texts_used or (self.directory / TEXTS_FILE).exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            data = texts_bytes(self._texts_used)
            write_atomically(self.directory / TEXTS_FILE, data, durable=False)
        if not self.directory.is_dir():
            return
        for path in self.directory.iterdir():
            if path.name != TEXTS_FILE and path.name.removesuffix(CYCLE_SUFFIX) not in self.used:
                path.unlink(missing_ok=True)


TEXTS_FILE = "texts.pack"
"""The stored texts (see :meth:`CycleStore.text`), as :func:`texts_bytes` writes them."""
_ENTRY_STAT = "entry-stat "
"""Prefix of the texts that record an entry file's stat (see :meth:`CycleStore.get`)."""
_FILE_DIGESTS = "file-digests"
"""The text that records the input files' sha256 by their stat
(:class:`~okrsite.validate.kept.FileDigests`, see :func:`open_cycle_store`)."""


def texts_bytes(texts: Mapping[str, str]) -> bytes:
    """The texts file: the keys as JSON, the texts (unit profiles, closed
    cycles' findings and samples: ~3 MB at 100 units × 8 quarters) beside
    them as bytes (:mod:`okrsite.engine.textpack`), not escaped into JSON and
    back on every build."""
    return pack(list(texts), list(texts.values()))


def read_texts(data: bytes) -> dict[str, str]:
    """The texts :func:`texts_bytes` wrote (none for anything else)."""
    found = unpack(data)
    if found is None or not isinstance(found[0], list) or len(found[0]) != len(found[1]):
        return {}
    return {k: v for k, v in zip(found[0], found[1], strict=True) if isinstance(k, str)}


def _read_texts(path: Path) -> dict[str, str]:
    """The stored texts, or none when the file is missing or not what we write."""
    try:
        return read_texts(path.read_bytes())
    except OSError:
        return {}
