"""Raw-HTML blocks in generated pages: the contract between page producers and the engine.

Generated pages are Markdown carrying big raw-HTML blocks (alignment graphs,
check-in charts and tables, the cadence phase, calibration). Such a block
must reach the reader exactly as written, and Markdown has nothing to do in
it. So the MkDocs adapter *parks* it: swaps it for a placeholder before
MkDocs renders the page and puts it back into the final HTML
(:func:`okrsite.engine.htmlpost.park_html` / :func:`~okrsite.engine.htmlpost.unpark_html`),
which saves Python-Markdown's HTML-block scan and the search indexer's parse.

The contract, in one function each side:

- a page producer marks a block for parking by writing it with
  :func:`raw_block`, and only so;
- the engine finds exactly those blocks with :data:`BLOCK_START` (the
  opening tag alone on its line, ending in ``markdown="0">``) and the
  matching ``</div>``, and restores them with ``unpark_html``.

A block is ``\\n<div class="…"[ attributes] markdown="0">\\n`` + inner HTML
+ ``\\n</div>\\n``. The opening tag on a line of its own makes it an HTML
block for any Markdown engine, and ``markdown="0"`` keeps ``md_in_html``
out of it for engines that read ``okrsite generate``'s output unparked; the
engine drops the attribute when parking (Python-Markdown would have). The
inner HTML must already be safe (sanitised or escaped by the producer): it
is copied through verbatim. Because content text is always escaped, ``<div``
and ``</div>`` occur in it only as real tags; :func:`raw_block` checks that
they balance, since the engine counts them to find the block's end.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from okrsite.render.escape import html_text

PARK_ATTRIBUTE = ' markdown="0"'
"""Ends the opening tag of every parked block (and of nothing else we write)."""

BLOCK_START = re.compile(r'^<div class="[^"<>]*"[^<>]*? markdown="0">$', re.MULTILINE)
"""The opening line of a block written by :func:`raw_block`."""

DIV_TAG = re.compile(r"<div\b|</div>")
"""Opening and closing ``div`` tags, counted to find a block's end."""


def raw_block(
    inner: str, css_class: str, *, focusable: bool = False, searchable: bool = True
) -> Markup:
    """``inner`` (safe HTML) as a raw-HTML block the engine parks.

    ``focusable`` adds ``tabindex="0"`` (a block that may scroll sideways can
    then be scrolled with the keyboard); ``searchable=False`` adds
    ``data-search-exclude`` (drawings that repeat the page's own text).
    Raises ``ValueError`` when ``inner``'s ``div`` tags do not balance (a
    producer bug: the engine could not find the block's end).
    """
    depth = 0
    for tag in DIV_TAG.finditer(inner):
        depth += -1 if tag.group(0).startswith("</") else 1
        if depth < 0:
            break
    if depth != 0:
        raise ValueError(f"unbalanced <div> tags in a raw block of class {css_class!r}")
    attributes = ' tabindex="0"' if focusable else ""
    attributes += "" if searchable else " data-search-exclude"
    return Markup(
        f'\n<div class="{html_text(css_class)}"{attributes}{PARK_ATTRIBUTE}>\n{inner}\n</div>\n'
    )
