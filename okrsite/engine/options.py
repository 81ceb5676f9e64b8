"""The one options factory: the plugin's settings (+ the CLI's choices) → ``SiteOptions``.

Three callers build a site and must build the *same* site from the same
project: the MkDocs plugin (``mkdocs build``/``serve`` and ``okrsite
build``/``serve``, which run it), and ``okrsite generate`` (which writes the
docs tree for other engines). All three read the ``okrsite`` entry of
``mkdocs.yml`` into :class:`OkrsitePluginConfig` (defaults when there is no
``mkdocs.yml``), lay the CLI's per-run :class:`Choices` over it
(:func:`apply_choices`), and turn it into
:class:`~okrsite.site.options.SiteOptions` with :func:`site_options`. The CLI
passes its choices in code, never through environment variables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from okrsite.analysis.redact import Audience
from okrsite.errors import BuildError
from okrsite.model import OkrModel
from okrsite.site.options import SiteOptions
from okrsite.source import LoadCache, ParseStore
from okrsite.source.gitinfo import last_changed
from okrsite.validate import load_model
from okrsite.validate.kept import KeptCycles


class OkrsitePluginConfig(Config):
    """The ``okrsite`` plugin's options in ``mkdocs.yml``."""

    content_dir = c.Type(str, default="content")
    """Content directory, relative to mkdocs.yml."""
    audience = c.Choice(("public", "internal"), default="public")
    """``public`` drops private objectives entirely; ``internal`` shows them, marked."""
    today = c.Optional(c.Type(str))
    """Fixed build date (YYYY-MM-DD) for reproducible builds; default: today."""
    graphs = c.Type(bool, default=True)
    """Draw alignment graphs with Graphviz (needs the ``dot`` program)."""
    graph_jobs = c.Type(int, default=2)
    """How many ``dot`` processes run at once."""
    cache_dir = c.Type(str, default=".okrsite-cache")
    """Graph cache, relative to mkdocs.yml; unchanged graphs are never re-rendered."""
    edit_url = c.Optional(c.Type(str))
    """Prefix for "Edit this file" links; default from ``repo_url`` + ``edit/<branch>/``."""
    branch = c.Type(str, default="main")
    """The branch edit links point to (with ``repo_url``)."""
    nav_section_size = c.Type(int, default=100)
    """Largest number of pages in one navigation section before splitting."""
    inline_graph_kb = c.Type(int, default=8)
    """Alignment graphs larger than this many KB are written as their own SVG file."""
    compact_html = c.Type(bool, default=True)
    """Drop indentation from every built page (renders the same, ~20 % smaller)."""
    fast_pages = c.Type(bool, default=True)
    """Render generated pages with okrsite's converter for the Markdown its
    producers write (same HTML and TOC as Python-Markdown, a fraction of the
    time); pages it does not know, and sites with other Markdown extensions,
    take Python-Markdown (see ``okrsite/engine/fastpage.py``)."""
    fast_nav = c.Type(bool, default=True)
    """Render Material's navigation and table of contents in Python (same HTML
    once compacted; only with ``compact_html``; see ``okrsite/engine/navhtml.py``),
    and look Material's translations up once per build (``engine/translations.py``)."""
    parse_cache = c.Type(bool, default=True)
    """Keep parse results in ``<cache_dir>/parsed`` and reuse those of unchanged
    content files (closed quarters are not parsed again on the next build)."""
    fast_search = c.Type(bool, default=True)
    """Index pages for Material's search with Material's own parser handlers
    fed by a faster tokenizer (same entries; see ``okrsite/engine/searchfeed.py``)."""
    page_cache = c.Type(bool, default=True)
    """Keep finished pages in ``<cache_dir>/pages`` and reuse those whose inputs
    are unchanged (closed quarters cost nothing on the next build)."""


@dataclass(frozen=True)
class Choices:
    """What one ``okrsite`` command may choose over the plugin's settings."""

    today: dt.date | None = None
    """``--today``: the build's "now"; ``None`` keeps the plugin's ``today``."""
    audience: Audience | None = None
    """``--audience``; ``None`` keeps the plugin's ``audience``."""
    graphs: bool = True
    """``--no-graphs`` turns graphs off whatever the plugin says."""


def default_plugin_config() -> OkrsitePluginConfig:
    """The plugin's settings when a project has no ``mkdocs.yml`` entry for it."""
    config = OkrsitePluginConfig()
    config.load_dict({})
    failed, _warnings = config.validate()
    assert not failed, failed  # the defaults are valid by construction
    return config


def apply_choices(config: OkrsitePluginConfig, choices: Choices) -> None:
    """Lay the CLI's choices over ``config``. MkDocs creates the plugin's
    config object afresh for every ``load_config``, so this lasts for one
    build and never reaches a later one."""
    if choices.today is not None:
        config.today = choices.today.isoformat()
    if choices.audience is not None:
        config.audience = choices.audience
    if not choices.graphs:
        config.graphs = False


def site_options(config: OkrsitePluginConfig, *, base: Path, repo_url: str | None) -> SiteOptions:
    """``SiteOptions`` for a project whose ``mkdocs.yml`` (or, without one, the
    working directory) is in ``base``. ``repo_url`` is MkDocs' top-level
    ``repo_url``, used for edit links when the plugin has no ``edit_url``.
    Raises :class:`~okrsite.errors.BuildError` for an invalid ``today``."""
    try:
        today = dt.date.fromisoformat(config.today) if config.today else None
    except ValueError:
        raise BuildError(f"'today' must be YYYY-MM-DD, not {config.today!r}") from None
    edit_url = config.edit_url
    if edit_url is None and repo_url:
        edit_url = repo_url.rstrip("/") + f"/edit/{config.branch}/"
    return SiteOptions(
        audience=config.audience,  # type: ignore[arg-type]  # c.Choice checked it
        today=today,
        edit_url_base=edit_url,
        graphs=config.graphs,
        graph_cache_dir=base / config.cache_dir / "graphs",
        graph_jobs=max(1, config.graph_jobs),
        last_changed=last_changed(
            base / config.content_dir,
            base / config.cache_dir / "last-changed.json" if config.parse_cache else None,
        ),
        nav_section_size=config.nav_section_size,
        inline_graph_limit=max(0, config.inline_graph_kb) * 1000,
    )


def _today(config: OkrsitePluginConfig) -> dt.date:
    """The build's today (the plugin's ``today``, else the clock's); an
    invalid ``today`` is reported by :func:`site_options`."""
    try:
        return dt.date.fromisoformat(config.today) if config.today else dt.date.today()
    except ValueError:
        return dt.date.today()


def load_site_content(
    config: OkrsitePluginConfig, *, base: Path, kept: LoadCache | None = None
) -> OkrModel:
    """The validated content of the project in ``base``.

    ``kept`` is a preview server's :class:`~okrsite.source.LoadCache` (None
    for one build). With ``parse_cache`` on, parse results are also read from
    and written to ``<cache_dir>/parsed``; they are written only after the
    content loaded without an error, so a failed build writes nothing there;
    for one build, cycles whose files are unchanged come validated from
    ``<cache_dir>/validated`` (:mod:`okrsite.validate.kept`).
    Raises :class:`~okrsite.errors.ContentError` with every problem.
    """
    cache = kept
    validated: KeptCycles | None = None
    if config.parse_cache:
        cache = kept if kept is not None else LoadCache()
        if cache.store is None:
            cache.store = ParseStore(base / config.cache_dir / "parsed")
        if kept is None:  # one build: unchanged cycles come validated from disk
            validated = KeptCycles.open(
                base / config.cache_dir / "validated",
                base / config.content_dir,
                ended_before=_today(config),
            )
    model = load_model(base / config.content_dir, cache=cache, kept=validated)
    if cache is not None and cache.store is not None:
        cache.store.flush()
    if validated is not None:
        validated.save()
    return model
