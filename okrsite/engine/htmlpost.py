"""Text transforms the MkDocs plugin applies around MkDocs' own page work.

Pure functions, no MkDocs imports, so they are tested on their own:

- *parking*: the generated pages carry big raw-HTML blocks (alignment graphs,
  check-in charts and tables) that Python-Markdown only copies through, and
  drawings the search indexer should not read. Swapping each for a numbered
  comment before MkDocs renders the page, and putting it back in the final
  HTML, saves both the Markdown HTML-block scan and the indexer's HTML
  parse — a fifth to a third of a company-scale build. Which blocks are
  parked is a contract with the page producers, written down in
  :mod:`okrsite.site.parking`: they mark a block with ``raw_block()``,
  :func:`park_html` finds exactly those, :func:`unpark_html` restores them.
- *compacting*: themes indent their templates generously (Material writes
  ~400 bytes of whitespace per navigation entry); dropping the indentation
  after a newline shrinks every page without changing how it renders.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

from okrsite.site.parking import BLOCK_START, DIV_TAG, PARK_ATTRIBUTE

_SVG_BLOCK = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_PLACEHOLDER = re.compile(r"<!-- okrsite-park (\d+) -->")


def park_html(markdown: str) -> tuple[str, list[str]]:
    """Markdown with raw HTML swapped for ``<!-- okrsite-park N -->`` comments.

    Parked, in this order: every raw-HTML block a producer wrote with
    :func:`okrsite.site.parking.raw_block` (found by its opening line,
    ``BLOCK_START``, up to the matching ``</div>``), then every remaining
    ``<svg>…</svg>``. Producers' HTML is sanitised and content text is
    escaped, so ``<div`` and ``</div>`` only ever occur as real tags and
    counting them finds the block's end. The ``markdown="0"`` attribute is
    dropped (Python-Markdown would have).
    """
    parked: list[str] = []
    text = _swap_elements(
        markdown,
        BLOCK_START,
        DIV_TAG,
        lambda block: _placeholder(parked, block.replace(PARK_ATTRIBUTE + ">", ">", 1)),
    )
    text = _SVG_BLOCK.sub(lambda match: _placeholder(parked, match.group(0)), text)
    return text, parked


def _swap_elements(
    text: str,
    starts: re.Pattern[str],
    tags: re.Pattern[str],
    swap: Callable[[str], str | None],
) -> str:
    """``text`` with each element whose opening tag ``starts`` matches (up to
    its matching closing tag, counted with ``tags``) replaced by ``swap(element)``;
    elements nested in a swapped one, unbalanced ones, and those ``swap``
    returns None for stay as they are."""
    pieces: list[str] = []
    position = 0
    for start in starts.finditer(text):
        if start.start() < position:
            continue  # inside an element already swapped
        end = _matching_end(text, start.end(), tags)
        if end is None:
            continue  # unbalanced: leave it to Markdown
        replacement = swap(text[start.start() : end])
        if replacement is None:
            continue
        pieces.append(text[position : start.start()])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _matching_end(text: str, after_open: int, tags: re.Pattern[str]) -> int | None:
    """End of the element whose opening tag ends at ``after_open``: ``tags``
    matches its opening (``<name``) and closing (``</name>``) tags."""
    depth = 1
    for tag in tags.finditer(text, after_open):
        depth += -1 if tag.group(0).startswith("</") else 1
        if depth == 0:
            return tag.end()
    return None


def _placeholder(parked: list[str], html: str) -> str:
    parked.append(html)
    return f"<!-- okrsite-park {len(parked) - 1} -->"


_SPAN_START = re.compile(r'<span class="okr-[^"<>]*"[^<>]*>')
_SPAN_TAG = re.compile(r"<span\b|</span>")
# Inside a span parked whole, Markdown must have had nothing to do.
_MARKDOWN_CHARS = frozenset("[]*_`\\")
_TAG = re.compile(r"<[^<>]*>")


def park_inline(markdown: str) -> tuple[str, list[str], str]:
    """Markdown with okrsite's inline HTML (``<span class="okr-…">…</span>``:
    progress bars, chips, status) swapped for plain-word tokens.

    Python-Markdown would only copy these through, but its inline patterns
    and HTML scanner work through every tag: a third of its time on OKR
    pages. A span whose content has Markdown syntax (a link in a badge) is
    left alone. Returns the text, the spans, and the token prefix: a digest
    of the page, so no text in the page can spell a token by accident.
    """
    prefix = "okrsite" + hashlib.sha256(markdown.encode()).hexdigest()[:12]
    parked: list[str] = []

    def token(span: str) -> str | None:
        if _MARKDOWN_CHARS.intersection(_TAG.sub("", span)):
            return None
        parked.append(span)
        return f"{prefix}x{len(parked) - 1}x"

    text = _swap_elements(markdown, _SPAN_START, _SPAN_TAG, token)
    return text, parked, prefix


def unpark_inline(html: str, parked: Sequence[str], prefix: str) -> str:
    """Put the spans of :func:`park_inline` back."""
    if not parked:
        return html

    def span(match: re.Match[str]) -> str:
        if match.group(1) != prefix:
            return match.group(0)  # another page's token, quoted in text: not ours
        return parked[int(match.group(2))]

    # One pattern for every page (a pattern per page's prefix would be compiled per page).
    return _INLINE_TOKEN.sub(span, html)


_INLINE_TOKEN = re.compile(r"(okrsite[0-9a-f]{12})x(\d+)x")


_SPAN_OPEN = re.compile(r"<span\b[^<>]*>")
_ONLY_SPANS = re.compile(r"<span(?:\s[^<>]*)?>|</span>")


def search_view(span: str) -> str:
    """A parked inline span as the search indexer may read it: the same tags
    and text with the attributes dropped (a fraction of the HTML parser's
    work), when its tags are all ``span`` and none asks to be excluded from
    search; otherwise the span itself.

    Material's search parser only looks at a ``span``'s attributes for
    ``data-search-exclude`` (and ``class="linenodiv"``); its text chunks and
    element nesting stay exactly as they were, so the index is the same.
    """
    if "data-search-exclude" in span or "linenodiv" in span:
        return span
    if len(_TAG.findall(span)) != len(_ONLY_SPANS.findall(span)):
        return span
    return _SPAN_OPEN.sub("<span>", span)


def unpark_html(html: str, parked: Sequence[str]) -> str:
    """Put the HTML :func:`park_html` parked back in place of its placeholders
    (in the rendered page: Markdown copies the placeholder comments through)."""
    if not parked:
        return html
    return _PLACEHOLDER.sub(lambda match: parked[int(match.group(1))], html)


# Whitespace is significant inside these; everything else renders the same
# whatever the indentation (HTML collapses runs of white space).
_VERBATIM = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
_INDENT = re.compile(r"\n[ \t\r\n\f]+")


def compact_html(html: str) -> str:
    """``html`` without indentation and blank lines, outside ``<pre>``,
    ``<textarea>``, ``<script>`` and ``<style>``."""
    parts = _VERBATIM.split(html)
    # split() with two groups yields: text, verbatim element, its tag name, text, …
    out: list[str] = []
    for index in range(0, len(parts), 3):
        out.append(_INDENT.sub("\n", parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])
    return "".join(out)
