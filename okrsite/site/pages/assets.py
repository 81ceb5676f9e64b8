"""Static assets of the generated site: the stylesheet, and the graph script with
its vendored pan/zoom library and that library's licence."""

from __future__ import annotations

from collections.abc import Iterable

from okrsite import urls
from okrsite.site.context import SiteContext
from okrsite.site.pages.render import templates_dir
from okrsite.site.tree import GeneratedFile


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    css = (templates_dir() / "okrsite.css").read_text(encoding="utf-8")
    yield GeneratedFile(urls.STYLESHEET, css)
    templates = templates_dir()
    yield GeneratedFile(urls.GRAPH_SCRIPT, (templates / "okrsite-graphs.js").read_text("utf-8"))
    vendor = templates / "vendor"
    yield GeneratedFile(urls.PANZOOM_SCRIPT, (vendor / "svg-pan-zoom.min.js").read_text("utf-8"))
    yield GeneratedFile(
        urls.PANZOOM_LICENSE, (vendor / "svg-pan-zoom.LICENSE.txt").read_text("utf-8")
    )
