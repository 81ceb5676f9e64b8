"""Markdown written in content (descriptions, notes, learnings, ``.md`` bodies)
turned into safe HTML. Pure functions: model text in, sanitised HTML out.

Authors write these fields the way they write a ticket comment: links to
epics (``[EPIC-12](https://…)``), bare ``https://`` URLs, ``*emphasis*``,
lists, ``inline code``, a heading in a long ``.md`` body. They are rendered
with Python-Markdown (the engine MkDocs uses for the rest of the page) and
then cleaned by the rich-text allowlist of :mod:`okrsite.render.sanitize`.

What the renderer does on top of plain Python-Markdown, and why:

* **Raw HTML is text.** The HTML block and inline-HTML processors are
  removed, so ``<b>`` or ``<script>`` in a note is shown as typed instead of
  being interpreted (the sanitiser would catch a script anyway; this way
  nothing the author wrote silently disappears). ``<https://…>`` autolinks
  still work.
* **Images become links.** ``![chart](url)`` is written as a link to the
  image: pages load nothing from outside (the site works offline).
* **Bare URLs become links** (``http``, ``https``), trailing punctuation and
  an unbalanced closing bracket left outside the link, never inside code or
  an existing link.
* **Line breaks are kept** (``nl2br``) in YAML fields, as block scalars
  there are usually written line by line ("Done: …\\nNext: …"); a list may
  start right after a line of text, without the blank line Markdown otherwise
  demands ("Status:\\n- a\\n- b"). The body of a unit's ``.md`` file is a
  Markdown document, written and hard-wrapped in an editor like any other
  ``.md`` file, so there (``hard_breaks=False``) single newlines join into
  one paragraph as standard Markdown (and MkDocs) does.
* **Headings fit the page**: they are shifted so the highest is at least
  ``heading_floor`` (a ``# Notes`` in a unit body must not be a second page
  title; a heading in a KR description sits below the KR's own ``h3``).

Text with nothing Markdown could read takes a fast path with the same output
(a test compares both on random text): most check-in notes are plain words.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from okrsite.render import sanitize
from okrsite.render.escape import MD_SPECIAL
from okrsite.render.escape import clean as drop_controls

EXTENSIONS = ("sane_lists", "fenced_code")
"""Python-Markdown extensions used for content text (stock ones only)."""

_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?*_~'\""
_SKIP_TAGS = frozenset({"a", "code", "pre"})
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_LIST_ITEM = re.compile(r"^(?: {0,3})(?:[-*+]|\d{1,9}[.)])\s+\S")
_FENCE_OR_INDENT = re.compile(r"^(?: {4}|\t|```|~~~)")
# Plain: letters, digits, spaces and punctuation no Markdown rule reads, and
# not starting like a block (heading, list, quote, indented code).
_PLAIN = re.compile(r"(?:[^\W_]|[ .,;:?'\"()%/@$€£+=\-–—])*")
_PLAIN_START = re.compile(r"^\s*(?:[-+=]|\d+[.)])")


def _split_url(text: str) -> tuple[str, str]:
    """``(url, rest)``: trailing punctuation, and closing brackets that do
    not close one opened in the URL, stay outside the link."""
    url = text
    while url:
        last = url[-1]
        unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
            last == "]" and url.count("[") < url.count("]")
        )
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url, text[len(url) :]


def _linked(text: str) -> list[str | etree.Element]:
    """``text`` as pieces: strings and ``<a>`` elements for its bare URLs."""
    pieces: list[str | etree.Element] = []
    position = 0
    for match in _URL.finditer(text):
        url, _rest = _split_url(match.group(0))
        if "://" not in url or url.endswith("://"):
            continue
        pieces.append(text[position : match.start()])
        link = etree.Element("a", {"href": url})
        link.text = url
        pieces.append(link)
        position = match.start() + len(url)
    pieces.append(text[position:])
    return pieces


def _linkify(parent: etree.Element) -> None:
    """Turn bare URLs in ``parent``'s text and its children's tails into links."""
    if parent.tag in _SKIP_TAGS:
        return
    children = list(parent)
    if parent.text and "://" in parent.text:
        pieces = _linked(parent.text)
        parent.text = str(pieces[0])
        _insert(parent, 0, pieces[1:])
    for child in children:
        _linkify(child)
        if child.tail and "://" in child.tail:
            pieces = _linked(child.tail)
            child.tail = str(pieces[0])
            _insert(parent, list(parent).index(child) + 1, pieces[1:])


def _insert(parent: etree.Element, index: int, pieces: list[str | etree.Element]) -> None:
    """Insert alternating link elements and tail strings at ``index``."""
    for piece in pieces:
        if isinstance(piece, str):
            if len(parent) and index > 0:
                previous = parent[index - 1]
                previous.tail = (previous.tail or "") + piece
        else:
            parent.insert(index, piece)
            index += 1


class _ContentTree(Treeprocessor):
    """Bare URLs → links; headings shifted down to ``floor``."""

    def __init__(self, md: markdown.Markdown, floor: int) -> None:
        super().__init__(md)
        self.floor = floor

    def run(self, root: etree.Element) -> None:
        _linkify(root)
        levels = [_HEADINGS[el.tag] for el in root.iter() if el.tag in _HEADINGS]
        shift = max(0, self.floor - min(levels)) if levels else 0
        if shift:
            for el in root.iter():
                if el.tag in _HEADINGS:
                    el.tag = f"h{min(6, _HEADINGS[el.tag] + shift)}"


class _ContentExtension(Extension):
    """Content text rules (see the module docstring)."""

    def __init__(self, floor: int) -> None:
        super().__init__()
        self.floor = floor

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Images as links to the image: same names and priorities, so
        # ``![x](url)`` never reaches the page as raw syntax.
        image = r"\!\["
        md.inlinePatterns.register(LinkInlineProcessor(image, md), "image_link", 150)
        md.inlinePatterns.register(ReferenceInlineProcessor(image, md), "image_reference", 140)
        md.inlinePatterns.register(ShortReferenceInlineProcessor(image, md), "short_image_ref", 125)
        # After 'inline' (20) has made the links, before serialising.
        md.treeprocessors.register(_ContentTree(md, self.floor), "okrsite-content", 5)


def _open_lists(text: str) -> str:
    """A blank line before a list that directly follows a line of text."""
    lines = text.split("\n")
    out: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if (
            not fenced
            and out
            and out[-1].strip()
            and _LIST_ITEM.match(line)
            and not _LIST_ITEM.match(out[-1])
            and not _FENCE_OR_INDENT.match(out[-1])
            and not out[-1].startswith((" ", "\t"))
        ):
            out.append("")
        out.append(line)
    return "\n".join(out)


def _is_plain(text: str) -> bool:
    return (
        "\n" not in text
        and "://" not in text
        and _PLAIN.fullmatch(text) is not None
        and not _PLAIN_START.match(text)
    )


class RichText:
    """Renders content Markdown for one build: keeps one Python-Markdown
    converter per heading floor (building a converter costs twice as much as
    converting a note) and each distinct text's HTML (check-in notes repeat:
    "On plan"). Whoever owns the build creates one and passes it down
    (``SiteContext.richtext``); without one, each call makes its own.
    Not thread-safe: one per build.
    """

    def __init__(self) -> None:
        self._converters: dict[tuple[int, bool], markdown.Markdown] = {}
        self._html: dict[tuple[str, int, bool], str] = {}
        self._inline: dict[str, str] = {}

    def inline(self, text: str) -> str:
        """:func:`markdown_inline`, remembered (a check-in table calls it per row)."""
        found = self._inline.get(text)
        if found is None:
            found = self._inline[text] = _render_inline(text, self)
        return found

    def html(self, text: str, *, heading_floor: int = 4, hard_breaks: bool = True) -> str:
        """:func:`markdown_html`, remembered."""
        key = (text, heading_floor, hard_breaks)
        found = self._html.get(key)
        if found is None:
            found = self._html[key] = self._render(text, heading_floor, hard_breaks)
        return found

    def _render(self, text: str, heading_floor: int, hard_breaks: bool) -> str:
        source = drop_controls(text).replace("\r\n", "\n").strip()
        if not source:
            return ""
        if _is_plain(source):
            # Plain text has no character the sanitiser would change (no
            # ``& < >``, no no-break space): escaping is all it needs.
            return f"<p>{html.escape(source, quote=False)}</p>"
        converter = self._converters.get((heading_floor, hard_breaks))
        if converter is None:
            breaks = ["nl2br"] if hard_breaks else []
            converter = self._converters[(heading_floor, hard_breaks)] = markdown.Markdown(
                extensions=[*EXTENSIONS, *breaks, _ContentExtension(heading_floor)],
                output_format="html",
            )
        converter.reset()
        return sanitize.clean_rich(converter.convert(_open_lists(source)))


def markdown_html(
    text: str,
    *,
    heading_floor: int = 4,
    renderer: RichText | None = None,
    hard_breaks: bool = True,
) -> str:
    """Content Markdown → sanitised HTML (block elements: ``<p>``, lists…).

    ``heading_floor``: the highest heading level the text may use (2 for a
    unit page's notes, 4 for text inside a key result). Empty text → ``""``.
    ``renderer``: the build's :class:`RichText` (faster; same output).
    ``hard_breaks``: a single newline is a line break (YAML fields), or joins
    the lines of a paragraph (a ``.md`` body), see the module docstring.
    """
    return (renderer or RichText()).html(
        text, heading_floor=heading_floor, hard_breaks=hard_breaks
    )


def markdown_inline(text: str, renderer: RichText | None = None) -> str:
    """Content Markdown → sanitised HTML for a place inside a line (a table
    cell, after "— " in a list): paragraphs are joined by ``<br>`` and list
    items by `` · ``, so no block element ends up inside a line.
    ``renderer``: the build's :class:`RichText` (remembers each text's HTML)."""
    if renderer is not None:
        return renderer.inline(text)
    return _render_inline(text, None)


def _render_inline(text: str, renderer: RichText | None) -> str:
    source = drop_controls(text).replace("\r\n", "\n").strip()
    if not source:
        return ""
    if _is_plain(source):
        # The common case (most check-in notes): what the general path below
        # returns for plain text, which has nothing for the sanitiser to change.
        return html.escape(source, quote=False)
    rendered = markdown_html(text, heading_floor=6, renderer=renderer)
    rendered = re.sub(r"</li>\s*<li>", " · ", rendered)
    rendered = re.sub(rf"</{_BLOCKS}>\s*<{_BLOCKS}\b[^>]*>", "<br>", rendered)
    rendered = re.sub(rf"</?(?:{_BLOCKS}|li|hr)\b[^>]*>", "", rendered)
    return sanitize.clean_rich(rendered.strip().replace("\n", " "))


_BLOCKS = r"(?:p|ul|ol|h[1-6]|blockquote|pre)"


def markdown_block(
    text: str | None,
    *,
    heading_floor: int = 4,
    css_class: str = "",
    renderer: RichText | None = None,
    hard_breaks: bool = True,
) -> Markup:
    """Content Markdown as a raw HTML block for a page (``<div class="okr-text">``
    on lines of its own), or empty Markup for empty text.

    The block is not marked ``markdown="0"``, so it is not parked and stays in
    the search index; Python-Markdown copies a raw ``<div>`` block through.
    """
    body = markdown_html(
        text or "", heading_floor=heading_floor, renderer=renderer, hard_breaks=hard_breaks
    )
    if not body:
        return Markup("")
    classes = " ".join(["okr-text", *css_class.split()])
    return Markup(f'<div class="{classes}">\n{body}\n</div>')


_TAG = re.compile(r"(<[^<>]*>)")
# Text between tags must stay text when the line is Markdown again; '&' starts
# the entities the sanitiser wrote, so it is left alone.
_MD_TEXT_TABLE = {ord(c): f"&#{ord(c)};" for c in MD_SPECIAL - {"&"}}


def markdown_inline_in_markdown(text: str, renderer: RichText | None = None) -> Markup:
    """:func:`markdown_inline` for a line that Markdown reads again (a list
    item of a generated page): Markdown characters left in the text are
    written as character references, so ``2 * 3 * 4`` stays as typed."""
    parts = _TAG.split(markdown_inline(text, renderer))
    return Markup("".join(p if i % 2 else p.translate(_MD_TEXT_TABLE) for i, p in enumerate(parts)))
