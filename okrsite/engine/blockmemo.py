"""Material's page-independent template blocks rendered once per place.

After :mod:`okrsite.engine.navhtml` and the header memo
(:mod:`okrsite.engine.partialmemo`), a good part of what Material's
``base.html`` still costs per page is blocks that say the same on every page
of a directory depth: the stylesheets (``styles``, with the admonition-icon
styles of ``partials/icons.html``), ``libs``, ``fonts``, ``analytics``, the
``__config`` JSON (``config``: ~10 translations and a URL), the scripts
(``scripts``) and the footer (its copyright; the previous/next links only
with ``navigation.footer``). Each depends on the page through the URLs its
``url`` and ``script_tag`` filters make relative to the page, and otherwise
on the configuration only.

:class:`BlockMemo` renders Material's own block (the function Jinja compiled
for ``base.html``) with a stand-in page that notes any read of the page, and
with ``url`` and ``script_tag`` filters that record each call (value →
output, computed for the real page). A later page reuses the output when its
``base_url`` is the same and every recorded call gives the same output for
it. A render that read the page (the footer's previous/next links, an
analytics partial reading the page's URL…) is that page's only: its output
is the one Jinja would print, and nothing is kept.

Installed as a ``main.html`` that extends Material's ``base.html`` and
overrides those blocks with a call to the memo, only when ``main.html`` and
``base.html`` are Material's own (not overridden in the site's
``custom_dir``; ``main.html`` only extends ``base.html``), the partials these
blocks include are Material's own, and the ``url`` and ``script_tag``
filters are MkDocs' own. Theme pages without a page (``404.html``) render
the block as Jinja would. ``tests/test_blockmemo.py`` builds sites with and
without it and compares every file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jinja2
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import templates as mkdocs_templates

BLOCKS = ("styles", "libs", "fonts", "analytics", "config", "scripts", "footer")
"""Material's ``base.html`` blocks whose output depends on the page only
through ``url`` / ``script_tag`` (or, when it reads the page, is not kept)."""

PARTIALS = (
    "partials/icons.html",
    "partials/integrations/analytics.html",
    "partials/footer.html",
    "partials/copyright.html",
    "partials/social.html",
)
"""What those blocks include; each must be Material's own."""

RECORDED_FILTERS = ("url", "script_tag")
"""The filters that make a URL relative to the page (MkDocs' own)."""

_MAIN = '{% extends "base.html" %}' + "".join(
    f'{{% block {name} %}}{{{{ okrsite_block("{name}") }}}}{{% endblock %}}' for name in BLOCKS
)

_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


@dataclass
class _Entry:
    base_url: str
    calls: list[tuple[str, Any, str]]
    """Each recorded filter call: filter name, value, output."""
    output: str


@dataclass
class BlockMemo:
    """Rendered blocks of one build, by block name, ``base_url`` and URLs."""

    filters: dict[str, Callable[..., str]]
    """The page-relative filters (MkDocs' ``url`` and ``script_tag``)."""
    entries: dict[str, list[_Entry]] = field(default_factory=dict)
    hits: int = 0
    """Blocks served from an entry (for tests and measurements)."""

    def render(
        self,
        name: str,
        context: Any,
        render_original: Callable[[str, dict[str, Any], dict[str, Any]], str],
    ) -> str:
        """Block ``name`` for the context's page; ``render_original(name,
        variables, filters)`` renders Material's block with those variables
        and those filters in place of the recorded ones."""
        page, base = context.get("page"), context.get("base_url")
        if page is None:  # a theme page such as 404.html: as Jinja renders it
            return render_original(name, context.get_all(), {})
        real = {"page": page, "base_url": base}
        entries = self.entries.setdefault(name, [])
        for entry in entries:
            if entry.base_url == base and all(
                self.filters[kind](real, value) == output for kind, value, output in entry.calls
            ):
                self.hits += 1
                return entry.output
        calls: list[tuple[str, Any, str]] = []

        def recording(kind: str) -> Callable[..., str]:
            original = self.filters[kind]

            @jinja2.pass_context
            def record(_: Any, value: Any) -> str:
                output = original(real, value)
                calls.append((kind, value, output))
                return output

            return record

        stand_in = _StandIn(page)
        output = render_original(
            name,
            {**context.get_all(), "page": stand_in},
            {kind: recording(kind) for kind in self.filters},
        )
        if not stand_in.read:
            entries.append(_Entry(base, calls, output))
        return output


class _StandIn:
    """The page as a memoised block sees it: the real page's attributes, each
    read noted (an output that read the page is not reused)."""

    def __init__(self, page: Any) -> None:
        self.read = False
        self._page = page

    def __getattr__(self, name: str) -> Any:
        self.read = True
        return getattr(self._page, name)


def _is_material(env: jinja2.Environment, name: str) -> str | None:
    """The source of template ``name`` if it is Material's own, else None."""
    assert env.loader is not None
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return None
    if not filename or "/material/templates/" not in filename.replace("\\", "/"):
        return None
    return source


def block_templates(env: jinja2.Environment, config: MkDocsConfig) -> dict[str, str]:
    """The ``main.html`` override, with ``okrsite_block`` in the Jinja
    globals; empty when the memo does not apply."""
    if env.loader is None or config.theme.name != "material":
        return {}
    main = _is_material(env, "main.html")
    if main is None or _COMMENT.sub("", main).strip() != '{% extends "base.html" %}':
        return {}
    if _is_material(env, "base.html") is None:
        return {}
    if any(_is_material(env, partial) is None for partial in PARTIALS):
        return {}
    filters: dict[str, Callable[..., str]] = {
        "url": mkdocs_templates.url_filter,
        "script_tag": mkdocs_templates.script_tag_filter,
    }
    if any(env.filters.get(kind) is not filters[kind] for kind in RECORDED_FILTERS):
        return {}
    memo = BlockMemo(filters)

    def render_original(name: str, variables: dict[str, Any], swapped: dict[str, Any]) -> str:
        # Compiled templates look their filters up on each render (the block's
        # and every partial it includes), so the recording filters serve them.
        template = env.get_template("base.html")
        saved = {kind: env.filters[kind] for kind in swapped}
        env.filters.update(swapped)
        try:
            return "".join(template.blocks[name](template.new_context(variables, True, {})))
        finally:
            env.filters.update(saved)

    @jinja2.pass_context
    def okrsite_block(context: Any, name: str) -> Markup:
        return Markup(memo.render(name, context, render_original))

    env.globals.update(okrsite_block=okrsite_block, okrsite_block_memo=memo)
    return {"main.html": _MAIN}
