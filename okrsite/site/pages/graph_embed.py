"""How a page carries its alignment graph: inline, or as its own SVG file.

Small graphs are inlined (no extra request, found by the browser's find). A
large one — a department's neighbourhood at company scale is 20–50 KB of SVG —
would make every visit to that page pay for it, so above ``inline_limit``
characters it is written next to the page as ``alignment.svg`` and embedded
with ``<object>``: its links still work (``target="_top"``), and the page
stays small. The file is a standalone SVG document (XML), made from the same
sanitised markup.

Graph links are relative to the page's URL (``use_directory_urls``), and the
file sits in the page's own URL directory, so they resolve the same from
both.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from okrsite import urls
from okrsite.render import sanitize
from okrsite.render.escape import html_text
from okrsite.site.cache import BuildCache, remembered
from okrsite.site.context import SiteContext
from okrsite.site.parking import raw_block
from okrsite.site.tree import GeneratedFile

GRAPH_FILE = "alignment.svg"
DEFAULT_INLINE_LIMIT = 8_000
"""8 KB: a team's neighbourhood at company scale is 9–20 KB of SVG, and a unit
page already carries ~60–90 KB of charts, tables and navigation; a graph in
its own file is fetched once, cached by the browser, and keeps the page under
80 KB. Small graphs (a team with one parent, most of the demo's) stay inline."""

_XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
_VIEWBOX = re.compile(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) ([0-9.]+)"')
_TITLE = re.compile(r"<title\b[^>]*>([^<]*)</title>")


def page_graph(
    ctx: SiteContext, doc: str, css_class: str
) -> tuple[Markup | None, GeneratedFile | None]:
    """:func:`graph_block` for the graph drawn for page ``doc``, if any, with
    the site's options."""
    svg = ctx.graph_svgs.get(doc)
    if not svg:
        return None, None
    return graph_block(
        doc,
        svg,
        css_class,
        inline_limit=ctx.options.inline_graph_limit,
        cache=ctx.cache,
        sanitized=True,  # SiteContext.graph_svgs are
    )


def graph_block(
    doc: str,
    svg: str,
    css_class: str,
    *,
    inline_limit: int = DEFAULT_INLINE_LIMIT,
    cache: BuildCache | None = None,
    sanitized: bool = False,
) -> tuple[Markup, GeneratedFile | None]:
    """The page's graph block, and the SVG file to write next to it (if any).
    ``svg`` is sanitised here unless ``sanitized`` says it already was (the
    site's graphs are, while dot draws them); ``inline_limit`` applies to the
    sanitised SVG, the bytes that would land in the page.

    With a preview server's ``cache`` the block is reused while ``svg`` is
    the same string object (the cache's ``graph_svgs`` hands out the same
    object for an unchanged graph)."""
    if not sanitized:
        svg = sanitize.clean(svg)
    if len(svg) <= inline_limit:
        if cache is None:
            return _inline(svg, css_class), None
        return remembered(cache.blocks, (svg, css_class), lambda: _inline(svg, css_class)), None
    if cache is None:
        return _as_file(doc, svg, css_class)
    found = cache.graph_files.get(svg)
    if found is not None and found[0] == (doc, css_class):
        return found[1]
    made = _as_file(doc, svg, css_class)
    cache.graph_files.put((svg,), ((doc, css_class), made))
    return made


def _inline(clean: str, css_class: str) -> Markup:
    # Graphs repeat the page's own titles: keep them out of the search index.
    return raw_block(clean, css_class, focusable=True, searchable=False)


def _as_file(doc: str, clean: str, css_class: str) -> tuple[Markup, GeneratedFile]:
    document = standalone_svg(clean)
    size = _VIEWBOX.search(clean)
    width, height = (size.group(1), size.group(2)) if size else ("800", "600")
    title_match = _TITLE.search(clean)
    title = html_text(html.unescape(title_match.group(1)) if title_match else "Alignment graph")
    style = f"width:100%;max-width:{width}pt;aspect-ratio:{width} / {height}"
    block = raw_block(
        f'<object class="okr-graph__file" data="{GRAPH_FILE}" type="image/svg+xml" '
        f'style="{style}" aria-label="{title}">\n'
        f'<a href="{GRAPH_FILE}">{title}</a>\n'
        "</object>",
        css_class,
        focusable=True,
        searchable=False,
    )
    return block, GeneratedFile(urls.page_url(doc) + GRAPH_FILE, document)


def standalone_svg(clean_svg: str) -> str:
    """Sanitised inline SVG (HTML serialisation) → a well-formed SVG document."""
    body = clean_svg.strip().replace("&nbsp;", "&#160;")
    if _XLINK not in body.split(">", 1)[0]:
        body = body.replace("<svg", f"<svg {_XLINK}", 1)
    if 'xmlns="http://www.w3.org/2000/svg"' not in body.split(">", 1)[0]:
        body = body.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
