"""Model → docs tree: every generated file and the navigation outline.

This is the engine-independent output of okrsite. ``mkdocs_plugin.py``
feeds it to MkDocs as virtual files; ``okrsite generate`` writes it to disk
for any MkDocs-compatible engine. Nothing here writes files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from okrsite.analysis.cycles import current_cycle_id
from okrsite.analysis.redact import Audience, redact
from okrsite.model import OkrModel

FileContent = str | bytes


@dataclass(frozen=True)
class SiteOptions:
    """How to build the site (from the plugin config or CLI flags)."""

    audience: Audience = "public"
    today: dt.date | None = None
    """The build's "now" for phases and staleness; ``None`` means the real today."""
    edit_url_base: str | None = None
    """Prefix for edit links, e.g. ``https://github.com/acme/okrs/edit/main/``;
    the file path relative to the repository root is appended."""
    graphs: bool = True
    graph_cache_dir: Path | None = None
    graph_jobs: int = 2
    graph_timeout: float = 60.0
    last_changed: dict[str, str] = field(default_factory=dict)
    """Source file path → ISO date of its last commit (from git, if known)."""
    nav_section_size: int = 100
    inline_graph_limit: int = 16_000
    """Alignment graphs longer than this (characters of SVG) get their own file,
    embedded with ``<object>`` (see :mod:`okrsite.site.pages.graph_embed`)."""
    incremental: bool = False
    """Remember page fragments for the next build in this process (preview
    server): see :mod:`okrsite.site.memo`."""
    """Largest number of pages in one navigation section before splitting."""

    def resolved_today(self) -> dt.date:
        return self.today or dt.date.today()


@dataclass
class NavItem:
    """A navigation entry: a page (``path``) or a section (``children``)."""

    title: str
    path: str | None = None
    children: list[NavItem] = field(default_factory=list)


@dataclass(frozen=True)
class GeneratedFile:
    path: str
    content: FileContent


@dataclass
class DocsTree:
    """Generated files by docs path, and the navigation outline."""

    files: dict[str, FileContent] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)

    def add(self, generated: Iterable[GeneratedFile]) -> None:
        for item in generated:
            if item.path in self.files:
                raise ValueError(f"two generators produced {item.path}")
            self.files[item.path] = item.content


@dataclass
class SiteContext:
    """What page producers receive: the (redacted) model and shared results."""

    model: OkrModel
    options: SiteOptions
    today: dt.date
    graph_svgs: dict[str, str] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)
    """Results shared between producers (e.g. check findings), by name."""

    @property
    def current_cycle_id(self) -> str:
        return current_cycle_id(self.model, self.today)


Producer = Callable[[SiteContext], Iterable[GeneratedFile]]


def cycles_newest_first(model: OkrModel) -> list[str]:
    return [
        c.id for c in sorted(model.cycles.values(), key=lambda c: c.definition.start, reverse=True)
    ]


def build_docs_tree(model: OkrModel, options: SiteOptions) -> DocsTree:
    """Everything the site needs, as docs path → content, plus the nav."""
    from okrsite.site.navigation import build_nav
    from okrsite.site.pages import PRODUCERS

    public_model = redact(model, options.audience)
    context = SiteContext(model=public_model, options=options, today=options.resolved_today())
    if options.graphs:
        from okrsite import graphs

        dots = graphs.page_graphs(public_model)
        context.graph_svgs = graphs.render_svgs(
            dots,
            cache_dir=options.graph_cache_dir,
            jobs=options.graph_jobs,
            timeout=options.graph_timeout,
            remember=options.incremental,
        )
    tree = DocsTree()
    for producer in PRODUCERS:
        tree.add(producer(context))
    tree.nav = build_nav(context, set(tree.files))
    return tree
