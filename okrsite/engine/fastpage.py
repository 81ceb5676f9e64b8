"""Generated pages that MkDocs renders without Python-Markdown.

The plugin creates each generated page as a :class:`FinishedPage` in
``on_files`` (MkDocs' navigation then uses that page object: MkDocs 1.6's
``get_navigation`` takes ``file.page`` when a plugin has set it). Its
``render`` converts the page's Markdown with
:func:`okrsite.engine.mdsubset.convert` and sets exactly what
``Page.render`` sets — ``content``, ``toc``, the title from a leading
``<h1>``, ``present_anchor_ids`` and ``links_to_anchors`` — so search, the
TOC, instant navigation, edit links and MkDocs' link and anchor validation
see the same page. Links go through MkDocs' own resolver (its relative-path
tree processor's ``path_to_url``), so they come out, and warn, as with
Python-Markdown. When the converter does not know a construct the page
takes ``Page.render`` unchanged.

:func:`fast_path_setup` decides per build whether the fast path applies at
all: only when the site's ``markdown_extensions`` are a known set whose
effect on the subset is known (:data:`KNOWN_EXTENSIONS`, no options except
the ``toc`` settings the converter reproduces), else every page takes the
normal path. The plugin option ``fast_pages: false`` turns it off.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import markdown
from markdown.extensions.toc import TocTreeprocessor, slugify
from markdown.serializers import _escape_cdata  # type: ignore[attr-defined]
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page, _RelativePathTreeprocessor
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from okrsite.engine.mdsubset import TocSettings, convert

log = logging.getLogger("mkdocs.structure.pages")  # MkDocs' own logger for page warnings

KNOWN_EXTENSIONS = frozenset(
    {"toc", "tables", "fenced_code", "attr_list", "admonition", "md_in_html"}
)
"""Extensions whose effect on the subset :mod:`okrsite.engine.mdsubset` reproduces
(MkDocs always adds ``toc``, ``tables`` and ``fenced_code``)."""


class LinkMemo:
    """Links already resolved by MkDocs in this build, for pages of the same directory.

    Generated pages link to the same few hundred targets from thousands of
    pages; MkDocs' resolver (``path_to_url``) splits, joins, normalises and
    looks each one up again, more than half of the converter's time. A link
    ``x.md#a`` from a page whose source lies in ``S`` and whose URL is
    ``D/p/`` resolves to a file that only depends on ``S``, and to a
    relative URL that only depends on ``D`` while the target's URL is not
    below the page's (see ``navhtml.NavMemo``). So the result is kept under
    (``S``, ``D``, link) when MkDocs resolved it to a file without a word of
    warning; a page taking it from here still registers its link to the
    target's anchor, as MkDocs' resolver does. Created per build
    (:func:`fast_path_setup`).
    """

    def __init__(self) -> None:
        self.links: dict[tuple[str, str, str], tuple[str, File, str, str]] = {}
        """(source directory, URL directory, link) → (URL, target, anchor, target's directory)."""
        self.hits = 0

    def resolver(
        self, file: File, files: Files, config: MkDocsConfig
    ) -> tuple[Callable[[str], str], dict[File, dict[str, str]]]:
        """MkDocs' resolver for links in ``file``, answering from the memo where
        it may, and the page's links to anchors it registers (MkDocs' own dict)."""
        mkdocs = _RelativePathTreeprocessor(file, files, config)
        page_url = file.url
        if not page_url.endswith("/") or file.inclusion.is_excluded():
            return mkdocs.path_to_url, mkdocs.links_to_anchors
        source_dir = posixpath.dirname(file.src_uri)
        url_dir = page_url[: page_url.rstrip("/").rfind("/") + 1]
        links, anchors = self.links, mkdocs.links_to_anchors

        def resolve(url: str) -> str:
            if url.startswith(("#", "/", "\\")) or ":" in url:
                return mkdocs.path_to_url(url)  # self-links, absolute and external URLs
            key = (source_dir, url_dir, url)
            known = links.get(key)
            if known is not None and not known[3].startswith(page_url):
                self.hits += 1
                result, target, anchor, _ = known
                if anchor:
                    anchors.setdefault(target, {}).setdefault(anchor, url)
                return result
            result = mkdocs.path_to_url(url)
            _, _, path, query, anchor = urlsplit(url)
            target_uri = _RelativePathTreeprocessor._target_uri(file.src_uri, unquote(path))
            found = files.get_file_from_path(target_uri)
            if found is None or not path or found.inclusion.is_excluded():
                return result
            target_dir = found.url.rstrip("/") + "/"
            relative = get_relative_url(found.url, page_url)
            if not target_dir.startswith(page_url) and result == urlunsplit(
                ("", "", relative, query, anchor)
            ):
                links[key] = (result, found, anchor, target_dir)
            return result

        return resolve, anchors


@dataclass(frozen=True)
class FastPathSetup:
    """What the converter needs from the site's Markdown configuration (one per build)."""

    toc: TocSettings
    block_tags: frozenset[str]
    links: LinkMemo = field(default_factory=LinkMemo)


def _short_name(extension: object) -> str | None:
    if not isinstance(extension, str):
        return None  # an extension object: unknown effect
    name = extension.split(":")[0]
    return name.removeprefix("markdown.extensions.")


def fast_path_setup(config: MkDocsConfig) -> FastPathSetup | None:
    """The converter's settings for this site, or None when its Markdown
    configuration is not one the converter reproduces."""
    names = [_short_name(e) for e in config.markdown_extensions]
    if any(name not in KNOWN_EXTENSIONS for name in names):
        return None
    for name, options in (config.mdx_configs or {}).items():
        if options and _short_name(name) != "toc":
            return None
    md = markdown.Markdown(
        extensions=config.markdown_extensions, extension_configs=config.mdx_configs or {}
    )
    if "toc" not in md.treeprocessors or "md_in_html" not in names:
        return None
    toc = md.treeprocessors["toc"]
    if not isinstance(toc, TocTreeprocessor) or md.output_format != "xhtml":
        return None
    if toc.base_level != 0 or toc.use_anchors or toc.permalink_leading:
        return None
    if toc.use_permalinks is True:
        permalink: str | None = "&para;"
    elif toc.use_permalinks in (False, None):
        permalink = None
    else:
        permalink = _escape_cdata(str(toc.use_permalinks))
    settings = TocSettings(
        slugify=toc.slugify or slugify,
        separator=toc.sep,
        permalink=permalink,
        permalink_class=toc.permalink_class,
        permalink_title=toc.permalink_title,
        marker=toc.marker,
        toc_top=toc.toc_top,
        toc_bottom=toc.toc_bottom,
    )
    return FastPathSetup(settings, frozenset(md.block_level_elements))


class FinishedPage(Page):
    """A generated page rendered by the subset converter when it can be."""

    def __init__(
        self, title: str | None, file: File, config: MkDocsConfig, setup: FastPathSetup
    ) -> None:
        super().__init__(title, file, config)
        self.fast_setup = setup
        self.rendered_fast = False
        """Whether the last render took the fast path (for tests and measurements)."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        resolve, links_to_anchors = self.fast_setup.links.resolver(self.file, files, config)
        result = convert(self.markdown, self.fast_setup.toc, resolve, self.fast_setup.block_tags)
        self.rendered_fast = result is not None
        if result is None:
            super().render(config, files)
            return
        self.content = result.html
        self.toc = get_toc(result.toc_tokens)  # type: ignore[arg-type]  # the same dicts
        self._title_from_render = result.title
        self.present_anchor_ids = result.anchor_ids
        if log.getEffectiveLevel() > logging.DEBUG:  # as Page.render
            self.links_to_anchors = links_to_anchors


def nav_titles(nav: Any) -> dict[str, str | None]:
    """Docs path → the title MkDocs' navigation gives its page (the first
    entry naming the path wins, as in ``mkdocs.structure.nav``)."""
    titles: dict[str, str | None] = {}

    def walk(item: Any, title: str | None = None) -> None:
        if isinstance(item, list):
            for entry in item:
                walk(entry)
        elif isinstance(item, dict):
            for key, value in item.items():
                walk(value, key if isinstance(value, str) else None)
        elif isinstance(item, str):
            titles.setdefault(item, title)

    walk(nav)
    return titles
