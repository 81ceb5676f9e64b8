"""Material's page header rendered once per place, not once per page.

Material's ``partials/header.html`` (logo, site name, page title, palette,
search box, repository link) is the largest part of its page template left
in Jinja after :mod:`okrsite.engine.navhtml`: ~0.6 ms a page, ~1.2 s at
1,000 units. Its output depends on the page in two ways only: the page's
title (printed once) and the URLs its ``url`` filter makes relative to the
page (homepage, logo, alternate languages). :class:`HeaderMemo` renders
Material's own template with a stand-in page whose title is a marker, and
keeps the output split at the marker together with every ``url`` filter
call it saw (value → URL). A later page reuses it when its ``base_url`` is
the same and every recorded value gives the same URL for it; the page's
title goes where the marker was, printed as the template prints it.

The stand-in records what the template reads: an attribute of the page other
than ``meta``, or a key of ``meta`` other than ``title``, makes the output
page-specific, and it is then used for that page only (the marker replaced,
nothing kept). Installed only when ``partials/header.html`` is Material's
own (not overridden in the site's ``custom_dir``) and the tabs are not
sticky (then the header holds the tabs, which depend on the page).
``tests/test_partialmemo.py`` builds sites with and without it and compares
every file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import normalize_url

ORIGINAL = "okrsite-material/header.html"
"""Where Material's own header template stays reachable."""

_MARKER = "okrsiteHeaderTitle7c1e5b2a"
"""Stands for the page title while the header is rendered for the memo."""

_OVERRIDE = "{{ okrsite_header() }}"


@dataclass
class _Entry:
    base_url: str
    urls: list[tuple[str, str]]
    """Each ``url`` filter call: its value and the URL it gave."""
    parts: list[str]
    """The output split at the title."""


@dataclass
class HeaderMemo:
    """Rendered headers of one build, by ``base_url`` and URLs."""

    entries: list[_Entry] = field(default_factory=list)
    hits: int = 0
    """Pages served from an entry (for tests and measurements)."""

    def render(
        self, context: Any, render_original: Callable[[dict[str, Any], Any], str]
    ) -> str:
        """The header for the context's page; ``render_original(variables,
        url_filter)`` renders Material's template with that ``url`` filter."""
        page, base = context["page"], context["base_url"]
        title = _title(page)
        for entry in self.entries:
            if entry.base_url == base and all(
                normalize_url(value, page=page, base=base) == url for value, url in entry.urls
            ):
                self.hits += 1
                return title.join(entry.parts)
        stand_in = _StandIn(page)
        urls: list[tuple[str, str]] = []

        @jinja2.pass_context
        def recording_url(_: Any, value: Any) -> str:
            url = normalize_url(str(value), page=page, base=base)
            urls.append((str(value), url))
            return url

        output = render_original({**context.get_all(), "page": stand_in}, recording_url)
        parts = output.split(_MARKER)
        if not stand_in.read_more:
            self.entries.append(_Entry(base, urls, parts))
        return title.join(parts)


class _Meta(dict[str, Any]):
    """The page's ``meta`` with a marker title; notes reads of other keys."""

    def __init__(self, meta: dict[str, Any], owner: _StandIn) -> None:
        super().__init__(meta)
        self["title"] = _MARKER
        self._owner = owner

    def _note(self, key: object) -> None:
        if key != "title":
            self._owner.read_more = True

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self._note(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)

    def __iter__(self) -> Any:
        self._owner.read_more = True
        return super().__iter__()

    def keys(self) -> Any:
        self._owner.read_more = True
        return super().keys()

    def items(self) -> Any:
        self._owner.read_more = True
        return super().items()

    def values(self) -> Any:
        self._owner.read_more = True
        return super().values()


class _StandIn:
    """The page as the header sees it while rendered for the memo."""

    def __init__(self, page: Any) -> None:
        self.read_more = False
        self._page = page
        self.meta = _Meta(dict(page.meta or {}), self)

    def __getattr__(self, name: str) -> Any:
        self.read_more = True
        return getattr(self._page, name)


def _title(page: Any) -> str:
    """What Material's header prints: ``page.meta.title`` if set and true, else ``page.title``."""
    meta = page.meta
    value = meta.get("title") if meta else None
    return str(value if value else page.title)


def header_templates(env: jinja2.Environment, config: MkDocsConfig) -> dict[str, str]:
    """The header override and Material's original, with ``okrsite_header``
    in the Jinja globals; empty when the memo does not apply."""
    if env.loader is None or config.theme.name != "material":
        return {}
    if "navigation.tabs.sticky" in (config.theme.get("features") or []):
        return {}
    try:
        source, filename, _ = env.loader.get_source(env, "partials/header.html")
    except jinja2.TemplateNotFound:
        return {}
    if not filename or "/material/templates/partials/" not in filename.replace("\\", "/"):
        return {}  # overridden in the site's custom_dir: leave it to Jinja
    memo = HeaderMemo()

    def render_original(variables: dict[str, Any], url_filter: Any = None) -> str:
        # Compiled templates look their filters up on each render, so the
        # recording filter serves the header and every partial it includes.
        template = env.get_template(ORIGINAL)
        saved = env.filters["url"]
        env.filters["url"] = url_filter or saved
        try:
            return "".join(template.root_render_func(template.new_context(variables, True, {})))
        finally:
            env.filters["url"] = saved

    @jinja2.pass_context
    def okrsite_header(context: Any) -> str:
        if context.get("page") is None:  # a theme page such as 404.html: no memo
            return render_original(context.get_all())
        return memo.render(context, render_original)

    env.globals.update(okrsite_header=okrsite_header, okrsite_header_memo=memo)
    return {"partials/header.html": _OVERRIDE, ORIGINAL: source}
