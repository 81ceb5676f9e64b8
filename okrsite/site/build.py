"""``build_docs_tree``: model → docs tree, the site's one pipeline.

Redact for the audience, draw the graphs, run every page producer, then lay
out the navigation from the paths produced. Pure apart from running ``dot``
(through :mod:`okrsite.graphs`, cached on disk): it writes no files.
"""

from __future__ import annotations

from okrsite import graphs
from okrsite.analysis.redact import redact
from okrsite.model import OkrModel
from okrsite.site.cache import BuildCache
from okrsite.site.context import Producer, SiteContext
from okrsite.site.navigation import build_nav
from okrsite.site.options import SiteOptions
from okrsite.site.pages import (
    assets,
    data,
    directory,
    format_reference,
    home,
    overview,
    quality,
    unit,
)
from okrsite.site.tree import DocsTree

# Order matters only for readability of the tree; paths must not collide.
PRODUCERS: list[Producer] = [
    assets.produce,
    home.produce,
    directory.produce,
    overview.produce,
    unit.produce,
    quality.produce,  # <cycle>/quality.md and rules.md
    data.produce,  # okrs.json, okrs.csv, feed.xml, export/okrs.schema.json
    format_reference.produce,  # format.md: every field of the content format
]


def build_docs_tree(
    model: OkrModel, options: SiteOptions, cache: BuildCache | None = None
) -> DocsTree:
    """Everything the site needs, as docs path → content, plus the nav.

    ``cache`` is the preview server's :class:`~okrsite.site.cache.BuildCache`
    (fragments reused from its previous rebuild); one-shot builds pass none."""
    public_model = redact(model, options.audience)
    context = SiteContext(
        model=public_model, options=options, today=options.resolved_today(), cache=cache
    )
    if options.graphs:
        dots = graphs.page_graphs(public_model)
        dots.update(graphs.department_graphs(public_model))
        context.graph_svgs = graphs.render_svgs(
            dots,
            cache_dir=options.graph_cache_dir,
            jobs=options.graph_jobs,
            timeout=options.graph_timeout,
            memo=None if cache is None else cache.graph_svgs,
        )
    tree = DocsTree()
    for producer in PRODUCERS:
        tree.add(producer(context))
    tree.nav = build_nav(context, set(tree.files))
    return tree
