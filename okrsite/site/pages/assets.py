"""Static assets of the generated site (the stylesheet)."""

from __future__ import annotations

from collections.abc import Iterable

from okrsite import urls
from okrsite.site.context import SiteContext
from okrsite.site.pages.render import templates_dir
from okrsite.site.tree import GeneratedFile


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    css = (templates_dir() / "okrsite.css").read_text(encoding="utf-8")
    yield GeneratedFile(urls.STYLESHEET, css)
