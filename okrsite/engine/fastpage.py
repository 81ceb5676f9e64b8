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

import html
import logging
from dataclasses import dataclass
from typing import Any

import markdown
from markdown.extensions.toc import TocTreeprocessor, slugify
from markdown.serializers import _escape_cdata  # type: ignore[attr-defined]
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from okrsite.engine.mdresult import Converted
from okrsite.engine.mdsubset import TocSettings, convert, resolve_links
from okrsite.engine.pagehelper import MISSING, PageHelper
from okrsite.engine.pagelinks import PageLinks

log = logging.getLogger("mkdocs.structure.pages")  # MkDocs' own logger for page warnings

KNOWN_EXTENSIONS = frozenset(
    {"toc", "tables", "fenced_code", "attr_list", "admonition", "md_in_html"}
)
"""Extensions whose effect on the subset :mod:`okrsite.engine.mdsubset` reproduces
(MkDocs always adds ``toc``, ``tables`` and ``fenced_code``)."""


@dataclass(frozen=True)
class FastPathSetup:
    """What the converter needs from the site's Markdown configuration."""

    toc: TocSettings
    block_tags: frozenset[str]


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
        self._asked: tuple[PageHelper, int, str] | None = None
        self.served = False
        """Served from the page cache (the plugin sets it): its Markdown is
        empty, so its render is known without converting anything."""

    def ask(self, helper: PageHelper, markdown: str) -> None:
        """Have the page helper convert ``markdown`` (used if the page's
        Markdown is still that text when MkDocs renders it)."""
        number = helper.convert(markdown)
        self._asked = None if number is None else (helper, number, markdown)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        if self.served and not self.markdown:
            # What converting "" gives (tests/test_fast_pages.py checks it), without
            # a link resolver and a converter per page: ~700 such pages at 8 quarters.
            self.rendered_fast = True
            self._set_rendered(Converted("", [], None, set()), None)
            return
        resolver = PageLinks(self.file, files, config)
        answer: Any = MISSING
        if self._asked is not None and self._asked[2] == self.markdown:
            answer = self._asked[0].converted(self._asked[1])
        if answer is MISSING:
            result = convert(
                self.markdown, self.fast_setup.toc, resolver.path_to_url, self.fast_setup.block_tags
            )
        elif answer is None:  # the helper found the page outside the subset
            result = None
        else:  # converted by the helper up to the links, resolved here in the same order
            converted, hrefs = answer
            result = resolve_links(converted, hrefs, resolver.path_to_url)
        self.rendered_fast = result is not None
        if result is None:
            super().render(config, files)
            return
        self._set_rendered(result, resolver)

    def _set_rendered(self, result: Converted, resolver: PageLinks | None) -> None:
        self.content = result.html
        self.toc = get_toc(result.toc_tokens)  # type: ignore[arg-type]  # the same dicts
        self._title_from_render = result.title
        self.present_anchor_ids = result.anchor_ids
        if log.getEffectiveLevel() > logging.DEBUG:  # as Page.render
            self.links_to_anchors = resolver.links_to_anchors if resolver else {}


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


def escape_titles(items: list[Any]) -> list[Any]:
    """MkDocs themes print nav titles unescaped; titles come from content."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            ((title, value),) = item.items()
            value = escape_titles(value) if isinstance(value, list) else value
            out.append({html.escape(title): value})
        else:
            out.append(item)
    return out


TOC_ENTRIES_MAX = 20
"""Most entries a generated page's table of contents keeps whole. Material
prints the TOC twice on every page (the sidebar, and the navigation drawer
for small screens), ~170 bytes an entry each time: a department page with
20 key results under 4 objectives carried ~8 KB of it."""


def shorten_toc(toc: Any) -> None:
    """Past :data:`TOC_ENTRIES_MAX` entries, keep only the TOC's first level
    below the page title (a unit page: its sections and objectives, not each
    key result). The headings keep their ids and permalinks, and Material's
    search falls back to ``#id`` for a section the TOC does not list, the
    same URL it would take from the entry."""

    def count(items: Any) -> int:
        return sum(1 + count(item.children) for item in items)

    if count(toc) <= TOC_ENTRIES_MAX:
        return
    items = list(toc)
    if len(items) == 1 and items[0].level == 1:
        items = list(items[0].children)  # as Material's toc.html: below the title
    for item in items:
        item.children = []

