"""Material's navigation, tabs and table-of-contents partials, rendered in Python.

Material renders the primary navigation with a recursive Jinja macro
(``partials/nav-item.html``) and the table of contents with one ``include``
per heading (``partials/toc-item.html``). On a company-scale site that is the
largest single cost of a page: tens of macro calls, ``url`` filters and
includes per page, for a few kilobytes of HTML. This module writes the same
HTML directly.

"The same" means: equal to Material's output once indentation is dropped
(:func:`okrsite.engine.htmlpost.compact_html`, which every built page goes
through when the plugin's ``compact_html`` is on — the only case in which the
plugin installs these renderers). ``tests/test_navhtml.py`` builds sites
with and without them and compares every file byte for byte.

Only the configurations whose effect is known are rendered here
(:func:`supported`): Material's own ``nav.html``, ``nav-item.html``,
``toc.html`` and ``toc-item.html`` (no ``custom_dir`` override), none of the
features ``navigation.indexes``, ``navigation.expand``, ``toc.integrate``,
and nav items without icons, subtitles, status, encryption or typeset titles
(checked per page: :class:`Unsupported` makes that page use Material's
template). The plugin wires it in with a template override that calls these
functions (:mod:`okrsite.engine.plugin`, ``on_env``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from markupsafe import Markup, escape

UNSUPPORTED_FEATURES = frozenset({"navigation.indexes", "navigation.expand", "toc.integrate"})
"""Material features that change the navigation in ways not reproduced here."""


class Unsupported(Exception):
    """This page's navigation needs Material's own template."""


class NavMemo:
    """The HTML of inactive navigation items, shared between pages, for one build.

    An item that does not hold the current page — a link to another page, a
    pruned section, a whole department section with its teams — is the same
    on every page whose URL lies in the same directory, once its links
    are made relative: for a page ``D/p/`` and a target not below it, MkDocs'
    ``get_relative_url`` gives ``../`` + the target relative to ``D``. So its
    HTML is kept under (item, its place in the tree, ``D``) unless one of its
    targets lies below the page (:meth:`key`). On a company-scale site that
    is nearly all of a page's navigation (fifty departments and the own
    department's teams), otherwise rendered again for each of thousands of
    pages. Created with the build's Jinja environment (``nav_templates``),
    so nothing outlives the build.
    """

    def __init__(self) -> None:
        self.items: dict[tuple[Any, ...], str] = {}
        self.toc: tuple[tuple[int, str], str] | None = None
        """((id(page), title), TOC) of the page being rendered: Material renders the
        TOC twice per page (in the sidebar and inside the active nav item)."""
        self._targets: dict[int, frozenset[str] | None] = {}
        """id(item) → the directories of every URL the item links to (None: not shared)."""
        self.hits = 0
        """How many items were taken from the memo (for tests and measurements)."""
        self.slots: dict[tuple[Any, ...], tuple[list[str | None], set[int]]] = {}
        """(section, place, directory) → each item's HTML when inactive (None
        until made), and the indexes not made yet (see :meth:`runs`)."""
        self._below: dict[int, dict[str, frozenset[int]] | None] = {}
        """id(section) → directory → the indexes of the section's items that
        link to it or below it (None: an item's links are not all plain)."""

    def html(
        self, item: Any, place: tuple[Any, ...], page_url: str, make: Callable[[], str]
    ) -> str:
        """``make()``, or the HTML it gave for an earlier page (see :meth:`key`)."""
        key = self.key(item, place, page_url)
        if key is None:
            return make()
        html = self.items.get(key)
        if html is None:
            html = self.items[key] = make()
        else:
            self.hits += 1
        return html

    def key(self, item: Any, place: tuple[Any, ...], page_url: str) -> tuple[Any, ...] | None:
        """The memo key of ``item`` at ``place`` on the page at ``page_url``,
        or None when its HTML must be made for this page alone."""
        if not page_url.endswith("/"):
            return None  # a page that is a file (use_directory_urls: false), or the home page
        targets = self._targets_of(item)
        if targets is None or page_url in targets:
            return None
        return (id(item), place, _directory(page_url))

    def _targets_of(self, item: Any) -> frozenset[str] | None:
        """:func:`_target_directories` of ``item``, made once per build."""
        targets = self._targets.get(id(item), _UNKNOWN)
        if targets is _UNKNOWN:
            targets = self._targets[id(item)] = _target_directories(item)
        return targets  # type: ignore[no-any-return]

    def runs(
        self, section: Any, path: str, level: int, page_url: str
    ) -> tuple[tuple[list[str | None], set[int]], int | None] | None:
        """The HTML slots of ``section``'s items (see :attr:`slots`) for the
        page at ``page_url``, with the index of its active item (or None);
        None when the items must be taken one by one: the page is a file, an
        item's links are not all plain, more than one item is active, or an
        inactive item links to the page's own URL or below (its HTML is then
        the page's alone, see :meth:`key`). Slots are kept per section, its
        place and the page's directory: what an item's memo key holds."""
        if not page_url.endswith("/"):
            return None
        below = self._below.get(id(section), _UNKNOWN)
        if below is _UNKNOWN:
            below = self._below[id(section)] = self._link_directories(section)
        if below is None:
            return None
        active = [index for index, child in enumerate(section.children) if child.active]
        if len(active) > 1:
            return None
        index = active[0] if active else None
        if not below.get(page_url, frozenset()) <= {index}:
            return None
        key = (id(section), path, level, _directory(page_url))
        found = self.slots.get(key)
        if found is None:
            count = len(section.children)
            found = self.slots[key] = ([None] * count, set(range(count)))
        return found, index

    def _link_directories(self, section: Any) -> dict[str, frozenset[int]] | None:
        found: dict[str, set[int]] = {}
        for index, child in enumerate(section.children):
            targets = self._targets_of(child)
            if targets is None:
                return None
            for directory in targets:
                found.setdefault(directory, set()).add(index)
        return {directory: frozenset(indexes) for directory, indexes in found.items()}


_UNKNOWN: Any = object()


def _directory(page_url: str) -> str:
    """The directory of a page whose URL is a directory (``D/p/`` → ``D/``):
    what its relative links to pages not below it depend on."""
    return page_url[: page_url.rstrip("/").rfind("/") + 1]


def _target_directories(item: Any) -> frozenset[str] | None:
    """Every directory (``a/``, ``a/b/``) that holds a URL ``item`` or its
    descendants link to; None when one is not a plain site-relative URL."""
    directories: set[str] = set()
    pending = [item]
    while pending:
        node = pending.pop()
        children = getattr(node, "children", None)
        if children:
            pending.extend(children)
            continue
        url = getattr(node, "url", None)
        if not isinstance(url, str):
            return None
        if "://" in url:
            continue  # left as is by MkDocs, on every page
        if url.startswith(("/", "#", ".")) or "\\" in url:
            return None
        parts = url.split("#", 1)[0].split("?", 1)[0].rstrip("/").split("/")
        for end in range(1, len(parts) + 1):
            directories.add("/".join(parts[:end]) + "/")
    return frozenset(directories)


def supported(features: list[str]) -> bool:
    return not UNSUPPORTED_FEATURES.intersection(features)


def _check_item(item: Any) -> None:
    meta = getattr(item, "meta", None)
    if meta and any(key in meta for key in ("icon", "subtitle", "status")):
        raise Unsupported
    if getattr(item, "typeset", None) or getattr(item, "encrypted", None):
        raise Unsupported
    if getattr(item, "pages", None) is not None:
        raise Unsupported  # blog views and the like


def _content(item: Any, ref: Any = None) -> str:
    """``render_content``: the item's title in an ellipsis span."""
    _check_item(item)
    title = (ref or item).title
    return f'<span class="md-ellipsis">\n{title}\n</span>'


class NavRenderer:
    """Renders ``partials/nav.html`` and ``partials/toc.html`` for one page."""

    def __init__(
        self,
        *,
        page: Any,
        nav: Any,
        features: list[str],
        url: Callable[[str], str],
        site_name: str,
        nav_label: str,
        toc_title: str,
        logo: str,
        source: str | None,
        memo: NavMemo | None = None,
    ) -> None:
        self.page = page
        self.memo = memo
        self.nav = nav
        self.tabs = "navigation.tabs" in features
        self.sections = "navigation.sections" in features
        self.prune = "navigation.prune" in features
        self.url = url
        self.site_name = site_name
        self.nav_label = nav_label
        self.toc_title = toc_title
        self.logo = logo
        self.source = source

    # -- partials/nav.html ------------------------------------------------

    def nav_html(self, homepage_url: str) -> str:
        css = "md-nav md-nav--primary"
        if self.tabs:
            css += " md-nav--lifted"
        out = [
            f'<nav class="{css}" aria-label="{self.nav_label}" data-md-level="0">',
            '<label class="md-nav__title" for="__drawer">',
            f'<a href="{self.url(homepage_url)}" title="{escape(self.site_name)}" '
            f'class="md-nav__button md-logo" aria-label="{self.site_name}" '
            'data-md-component="logo">',
            self.logo,
            "</a>",
            self.site_name,
            "</label>",
        ]
        if self.source is not None:
            out += ['<div class="md-nav__source">', self.source, "</div>"]
        out.append('<ul class="md-nav__list" data-md-scrollfix>')
        for index, item in enumerate(self.nav.items, start=1):
            self._item(out, item, f"__nav_{index}", 1, None)
        out += ["</ul>", "</nav>"]
        return "\n".join(out)

    def _item(self, out: list[str], item: Any, path: str, level: int, parent: Any) -> None:
        if self.memo is None or item.active:
            self._render_item(out, item, path, level, parent)
            return
        # A section's HTML depends on where it is (ids, level, its parent's state).
        place = (path, level, bool(parent is not None and parent.active)) if item.children else ()

        def make() -> str:
            part: list[str] = []
            self._render_item(part, item, path, level, parent)
            return "\n".join(part)

        out.append(self.memo.html(item, place, self.page.url, make))

    def _children(self, out: list[str], section: Any, path: str, level: int) -> None:
        """The items of ``section``. When it holds the page, each inactive
        item's HTML is the same on every page of the page's directory (see
        :meth:`NavMemo.runs`): kept in a list per section and place, and the
        runs before and after the active item joined from it, rather than
        looked up item by item (a department of 150 teams has 150 pages)."""
        children = section.children
        runs = None
        if self.memo is not None and section.active:
            runs = self.memo.runs(section, path, level, self.page.url)
        if runs is None:
            for index, child in enumerate(children, start=1):
                self._item(out, child, f"{path}_{index}", level + 1, section)
            return
        assert self.memo is not None
        (slots, missing), active = runs
        for index in sorted(missing - {active}):
            made: list[str] = []
            self._item(made, children[index], f"{path}_{index + 1}", level + 1, section)
            (slots[index],) = made  # an inactive item is one entry
            missing.discard(index)
        self.memo.hits += len(children) - (active is not None)
        # An inactive item is one entry of ``out``: a run joined the same way
        # is one entry that reads the same once ``out`` is joined.
        end = len(children) if active is None else active
        if end > 0:
            out.append("\n".join(cast(list[str], slots[:end])))
        if active is not None:
            self._item(out, children[active], f"{path}_{active + 1}", level + 1, section)
            if active + 1 < len(children):
                out.append("\n".join(cast(list[str], slots[active + 1 :])))

    def _render_item(
        self, out: list[str], item: Any, path: str, level: int, parent: Any
    ) -> None:
        """Material's ``nav-item.html`` for one item."""
        css = "md-nav__item"
        if item.active:
            css += " md-nav__item--active"
        children = item.children
        if children:
            is_section = False
            if self.tabs:
                if level == 1 and item.active:
                    css += " md-nav__item--section"
                    is_section = True
                if self.sections and level == 2 and parent.active:
                    css += " md-nav__item--section"
                    is_section = True
            elif self.sections and level == 1:
                css += " md-nav__item--section"
                is_section = True
            is_pruned = self.prune and not is_section and not item.active
            if is_pruned:
                css += " md-nav__item--pruned"
            out.append(f'<li class="{css} md-nav__item--nested">')
            if is_pruned:
                out.append(self._pruned(item))
            else:
                checked = "checked" if item.active else ""
                tabindex = "" if is_section else "0"
                out += [
                    '<input class="md-nav__toggle md-toggle " type="checkbox" '
                    f'id="{path}" {checked}>',
                    f'<label class="md-nav__link" for="{path}" id="{path}_label" '
                    f'tabindex="{tabindex}">',
                    _content(item),
                    '<span class="md-nav__icon md-icon"></span>',
                    "</label>",
                    f'<nav class="md-nav" data-md-level="{level}" aria-labelledby="{path}_label" '
                    f'aria-expanded="{json.dumps(bool(item.active))}">',
                    f'<label class="md-nav__title" for="{path}">',
                    '<span class="md-nav__icon md-icon"></span>',
                    str(item.title),
                    "</label>",
                    '<ul class="md-nav__list" data-md-scrollfix>',
                ]
                self._children(out, item, path, level)
                out += ["</ul>", "</nav>"]
            out.append("</li>")
        elif item == self.page:
            out += [
                f'<li class="{css}">',
                '<input class="md-nav__toggle md-toggle" type="checkbox" id="__toc">',
            ]
            toc = self._toc_items()
            if toc:
                out += [
                    '<label class="md-nav__link md-nav__link--active" for="__toc">',
                    _content(item),
                    '<span class="md-nav__icon md-icon"></span>',
                    "</label>",
                ]
            out += [
                f'<a href="{self.url(item.url)}" class="md-nav__link md-nav__link--active">',
                _content(item),
                "</a>",
            ]
            if toc:
                out.append(self.toc_html())
            out.append("</li>")
        else:
            out += [
                f'<li class="{css}">',
                f'<a href="{self.url(item.url)}" class="md-nav__link">',
                _content(item),
                "</a>",
                "</li>",
            ]

    def _pruned(self, item: Any, ref: Any = None) -> str:
        ref = ref or item
        first = item.children[0] if item.children else None
        if first is None:
            raise Unsupported
        if first.children:
            return self._pruned(first, ref)
        icon = '\n<span class="md-nav__icon md-icon"></span>' if item.children else ""
        return f'<a href="{self.url(first.url)}" class="md-nav__link">\n{_content(ref)}{icon}\n</a>'

    # -- partials/tabs.html -----------------------------------------------

    def tabs_html(self, tabs_label: str) -> str:
        out = [
            f'<nav class="md-tabs" aria-label="{tabs_label}" data-md-component="tabs">',
            '<div class="md-grid">',
            '<ul class="md-tabs__list">',
        ]
        for item in self.nav.items:
            out.append(self._tab(item, item))
        out += ["</ul>", "</div>", "</nav>"]
        return "\n".join(out)

    def _tab(self, item: Any, ref: Any) -> str:
        _check_item(item)
        css = "md-tabs__item"
        if ref.active:
            css += " md-tabs__item--active"
        target = item
        if item.children:
            target = item.children[0]
            _check_item(target)
            if target.children:
                return self._tab(target, ref)
        return (
            f'<li class="{css}">\n<a href="{self.url(target.url)}" class="md-tabs__link">\n'
            f"{ref.title}\n</a>\n</li>"
        )

    # -- partials/toc.html ------------------------------------------------

    def _toc_items(self) -> list[Any]:
        toc = list(self.page.toc)
        if toc and toc[0].level == 1:
            toc = list(toc[0].children)
        return toc

    def toc_html(self) -> str:
        if self.memo is None:
            return self._make_toc()
        key = (id(self.page), str(self.toc_title))
        last = self.memo.toc
        if last is not None and last[0] == key:
            return last[1]
        html = self._make_toc()
        self.memo.toc = (key, html)
        return html

    def _make_toc(self) -> str:
        out = [f'<nav class="md-nav md-nav--secondary" aria-label="{escape(self.toc_title)}">']
        toc = self._toc_items()
        if toc:
            out += [
                '<label class="md-nav__title" for="__toc">',
                '<span class="md-nav__icon md-icon"></span>',
                self.toc_title,
                "</label>",
                '<ul class="md-nav__list" data-md-component="toc" data-md-scrollfix>',
            ]
            for item in toc:
                _toc_item(out, item)
            out.append("</ul>")
        out.append("</nav>")
        return "\n".join(out)


def _toc_item(out: list[str], item: Any) -> None:
    if getattr(item, "typeset", None):
        raise Unsupported
    out += [
        '<li class="md-nav__item">',
        f'<a href="{item.url}" class="md-nav__link">',
        '<span class="md-ellipsis">',
        str(item.title),
        "</span>",
        "</a>",
    ]
    if item.children:
        label = escape(Markup(str(item.title)).striptags())
        out += [f'<nav class="md-nav" aria-label="{label}">', '<ul class="md-nav__list">']
        for child in item.children:
            _toc_item(out, child)
        out += ["</ul>", "</nav>"]
    out.append("</li>")


# -- wiring into MkDocs' Jinja environment ----------------------------------

_NAV_OVERRIDE = """\
{%- set okrsite_logo -%}{% include "partials/logo.html" %}{%- endset -%}
{%- if config.repo_url -%}
{%- set okrsite_source -%}{% include "partials/source.html" %}{%- endset -%}
{%- endif -%}
{%- set okrsite_html = okrsite_nav(
    config.extra.homepage | d(nav.homepage.url, true), lang.t("nav"), okrsite_toc_title(lang),
    okrsite_logo, okrsite_source) -%}
{%- if okrsite_html is none -%}
{% include "okrsite-material/nav.html" %}
{%- else -%}
{{ okrsite_html }}
{%- endif -%}
"""

_TABS_OVERRIDE = """\
{%- set okrsite_html = okrsite_tabs(lang.t("tabs")) -%}
{%- if okrsite_html is none -%}
{% include "okrsite-material/tabs.html" %}
{%- else -%}
{{ okrsite_html }}
{%- endif -%}
"""

_TOC_OVERRIDE = """\
{%- set okrsite_html = okrsite_toc(okrsite_toc_title(lang)) -%}
{%- if okrsite_html is none -%}
{% include "okrsite-material/toc.html" %}
{%- else -%}
{{ okrsite_html }}
{%- endif -%}
"""


def nav_templates(env: Any, config: Any) -> dict[str, str]:
    """Template overrides (name → source) that render Material's ``nav.html``
    and ``toc.html`` with :class:`NavRenderer`, and the globals they call;
    empty when this site's theme or features are not supported."""
    import jinja2
    from mkdocs.utils import normalize_url

    if config.theme.name != "material" or not supported(config.theme.get("features") or []):
        return {}
    originals: dict[str, str] = {}
    for name in ("nav", "toc", "tabs", "nav-item", "toc-item", "tabs-item"):
        try:
            source, filename, _ = env.loader.get_source(env, f"partials/{name}.html")
        except jinja2.TemplateNotFound:
            return {}
        if not filename or "/material/templates/partials/" not in filename.replace("\\", "/"):
            return {}  # overridden in the site's custom_dir: leave it to Jinja
        originals[name] = source

    memo = NavMemo()

    def renderer(context: Any, toc_title: str, **parts: Any) -> NavRenderer:
        page, base = context["page"], context["base_url"]
        return NavRenderer(
            page=page,
            nav=context["nav"],
            features=config.theme.get("features") or [],
            url=lambda value: normalize_url(str(value), page=page, base=base),
            site_name=config.site_name,
            toc_title=toc_title,
            memo=memo,
            **parts,
        )

    @jinja2.pass_context
    def okrsite_nav(
        context: Any, homepage: Any, nav_label: str, toc_title: str, logo: str, source: Any
    ) -> str | None:
        if context.get("page") is None:
            return None
        source_html = source if isinstance(source, str) and config.repo_url else None
        try:
            nav = renderer(context, toc_title, nav_label=nav_label, logo=logo, source=source_html)
            return nav.nav_html(homepage)
        except Unsupported:
            return None

    @jinja2.pass_context
    def okrsite_toc(context: Any, toc_title: str) -> str | None:
        if context.get("page") is None:
            return None
        try:
            return renderer(context, toc_title, nav_label="", logo="", source=None).toc_html()
        except Unsupported:
            return None

    @jinja2.pass_context
    def okrsite_tabs(context: Any, tabs_label: str) -> str | None:
        if context.get("page") is None:
            return None
        try:
            nav = renderer(context, "", nav_label="", logo="", source=None)
            return nav.tabs_html(tabs_label)
        except Unsupported:
            return None

    def okrsite_toc_title(lang: Any) -> str:
        toc = (config.mdx_configs or {}).get("toc") or {}
        return str(toc.get("title") or lang.t("toc"))

    env.globals.update(
        okrsite_nav=okrsite_nav,
        okrsite_toc=okrsite_toc,
        okrsite_tabs=okrsite_tabs,
        okrsite_toc_title=okrsite_toc_title,
        okrsite_nav_memo=memo,  # not used by templates: read by tests and measurements
    )
    return {
        "partials/nav.html": _NAV_OVERRIDE,
        "partials/toc.html": _TOC_OVERRIDE,
        "partials/tabs.html": _TABS_OVERRIDE,
        "okrsite-material/nav.html": originals["nav"],
        "okrsite-material/toc.html": originals["toc"],
        "okrsite-material/tabs.html": originals["tabs"],
    }
