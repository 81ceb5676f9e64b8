"""Static assets of the generated site (the stylesheet)."""

from __future__ import annotations

from collections.abc import Iterable

from okrsite import urls
from okrsite.site import GeneratedFile, SiteContext
from okrsite.site.pages.render import templates_dir


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    css = (templates_dir() / "okrsite.css").read_text(encoding="utf-8")
    yield GeneratedFile(urls.STYLESHEET, css)
