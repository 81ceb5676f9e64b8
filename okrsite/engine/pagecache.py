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
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from okrsite.source.files import write_atomically

FORMAT = "1"
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
    search: list[dict[str, Any]]
    """Its entries of ``search/search_index.json``, in order."""
    anchors: list[str]
    """Its element ids (links from other pages to them are checked)."""


@dataclass
class PageCache:
    """The page entries of one cache directory, for one build.

    An entry is two files: ``<key>.html``, the page exactly as written to
    ``site/`` (stored as soon as it is rendered, so a build never holds every
    page in memory), and ``<key>.json``, its search entries and anchors
    (stored after the build, when the search index is complete); an entry
    counts only when both are there. Created per build by the plugin (never
    kept across builds); :meth:`prune` then drops what this build did not use.
    """

    directory: Path
    used: set[str] = field(default_factory=set)

    @staticmethod
    def key(setup: str, path: str, text: str | bytes) -> str:
        digest = hashlib.sha256(setup.encode())
        digest.update(f"\n{path}\n".encode())
        digest.update(text.encode() if isinstance(text, str) else text)
        return digest.hexdigest()

    def get(self, key: str) -> CachedPage | None:
        self.used.add(key)
        try:
            if not (self.directory / f"{key}.html").is_file():
                return None
            data = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            return CachedPage(key, list(data["search"]), list(data["anchors"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or unreadable: render the page

    def html(self, page: CachedPage) -> str:
        return (self.directory / f"{page.key}.html").read_text(encoding="utf-8")

    def put_html(self, key: str, html: str) -> None:
        self.used.add(key)
        self._write(f"{key}.html", html)

    def put_details(self, key: str, search: list[dict[str, Any]], anchors: list[str]) -> None:
        data = {"search": search, "anchors": anchors}
        self._write(f"{key}.json", json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def _write(self, name: str, text: str) -> None:
        """Write atomically (a build killed midway leaves no half file)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomically(self.directory / name, text.encode("utf-8"), durable=False)

    def prune(self) -> None:
        """Remove entries (and stray temporary files) this build did not use."""
        if not self.directory.is_dir():
            return
        for path in self.directory.iterdir():
            if path.suffix == ".tmp" or path.stem not in self.used:
                path.unlink(missing_ok=True)


def merge_search_index(
    index_text: str, order: list[str], cached: dict[str, list[dict[str, Any]]]
) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """The search index with cached pages' entries put back in build order.

    ``order`` is every page's URL in the order MkDocs built them (the
    indexer appends a page's entries as it builds it); cached pages were
    kept out of the indexer and their entries are in ``cached``. Returns the
    new index text (serialised like Material's search plugin does) and the
    entries of every page, by URL.
    """
    data = json.loads(index_text)
    by_page: dict[str, list[dict[str, Any]]] = {}
    for entry in data.get("docs", []):
        by_page.setdefault(str(entry.get("location", "")).split("#")[0], []).append(entry)
    by_page.update(cached)
    docs: list[dict[str, Any]] = []
    for url in order:
        docs.extend(by_page.pop(url, []))
    for rest in by_page.values():  # pages we did not see built (none expected)
        docs.extend(rest)
    data["docs"] = docs
    merged = json.dumps(data, separators=(",", ":"), default=str)
    pages: dict[str, list[dict[str, Any]]] = {}
    for entry in docs:
        pages.setdefault(str(entry.get("location", "")).split("#")[0], []).append(entry)
    return merged, pages
