"""What :mod:`okrsite.engine.mdsubset` converts with and into (plain data, so
a helper process can receive the settings and send results back)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TocToken = dict[str, Any]


@dataclass(frozen=True)
class TocSettings:
    """The ``toc`` extension's settings that shape headings (read from the
    site's configured extension by :mod:`okrsite.engine.fastpage`)."""

    slugify: Callable[[str, str], str]
    separator: str = "-"
    permalink: str | None = None
    """The permalink's HTML (``&para;`` for ``permalink: true``); None: no permalink."""
    permalink_class: str = "headerlink"
    permalink_title: str = "Permanent link"
    marker: str = "[TOC]"
    toc_top: int = 1
    toc_bottom: int = 6


@dataclass
class Converted:
    """What Python-Markdown (plus MkDocs' tree processors) yields for a page."""

    html: str
    toc_tokens: list[TocToken]
    """Nested like ``Markdown.toc_tokens``."""
    title: str | None
    """The first element's text when it is an ``<h1>`` (MkDocs' title from render)."""
    anchor_ids: set[str] = field(default_factory=set)
    """Every ``id`` (and ``<a name>``) in the page, as MkDocs collects them."""
