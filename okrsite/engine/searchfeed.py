"""Material's search sections from a page, in one lean pass.

Material's search plugin indexes a page by feeding ``page.content`` to its
``Parser`` (a ``html.parser.HTMLParser``): the stdlib tokenizer, an
``Element`` object per tag and set operations over those objects on every
event. :func:`page_sections` gives the same sections — Material's own
``Section`` and ``Element`` objects, with the same ids, titles, texts and
exclusions, so ``SearchIndex.create_entry_for_section`` makes the same
entries — with a tokenizer built on ``str.split("<")`` and Material's
handler logic restated over tag names:

- Material's ``Element`` compares and hashes by tag name only, so its
  ``context`` (open elements), its ``skip`` set (excluded elements) and
  every ``in``/``intersection`` test between them are tests on tag names;
  here they are a list and a set of names.
- Attributes matter in four places only (a heading's ``id``, the
  ``data-search-exclude`` attribute, ``class="linenodiv"``, a permalink's
  ``class="headerlink"``); they are read when a quick look at the tag finds
  one of those words, and otherwise only checked to tokenize whole.
- Text is unescaped as ``HTMLParser`` does and escaped again as Material
  does; text without ``&`` or ``>`` is the same after both, so it is kept as is.

Only HTML it tokenizes exactly like ``HTMLParser`` is taken: a ``<`` that
does not open a tag or a comment, ``<script>``/``<style>``/``<textarea>``/
``<title>`` (raw text), doctype or processing instructions, and attribute
lists it does not parse whole make it return None (then Material indexes
the page itself), and so does anything Material's handlers would fail on.
``tests/test_searchfeed.py`` compares the sections with Material's on random
HTML; ``tests/test_fastpage.py`` builds a fixture site with and without this
feed and compares every file, ``search/search_index.json`` included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
from typing import Any

from material.plugins.search.plugin import Element, SearchIndex, SearchPlugin, Section

_TAG = re.compile(r"(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
"""A tag after its ``<``: end mark, name, attribute list (``>`` ends it)."""
_ATTRIBUTES = re.compile(
    r"(?:\s+[^\s\"'=<>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*"
)
"""A whole attribute list HTMLParser splits into the attributes :data:`_ATTRIBUTE` finds."""
_ATTRIBUTE = re.compile(
    r"\s+([^\s\"'=<>/]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?"
)
_COMMENT_END = "-->"
_BEFORE_SELF_CLOSING = frozenset(" \t\n\r\f\"'")
"""What may precede ``/>`` for this pass to read the tag as HTMLParser does."""
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext", "noscript"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)
"""Material's ``void`` set: tags it never puts on its context."""
_KEEP = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup"})
"""Material's ``Parser.keep``: tags written into the indexed text."""
_ALWAYS_SKIPPED = ("script", "style", "object")
_ATTRIBUTE_WORDS = ("data-search-exclude", "linenodiv", "headerlink")
"""Attribute names and values Material's handlers look at (besides a heading's id)."""


class _Unsupported(Exception):
    """The page holds something this pass does not reproduce exactly."""


class _Sections:
    """Material's ``Parser`` state and handlers, over tag names."""

    def __init__(self) -> None:
        self.tags: list[str] = []
        """Material's ``context``: the open elements' tags."""
        self.permalinks: list[bool] = []
        """Per open element: an ``<a class="headerlink">`` (Material skips its text in titles)."""
        self.skip = set(_ALWAYS_SKIPPED)
        self.section: Any = None
        self.data: list[Any] = []

    def _ensure_section(self) -> Any:
        if self.section is None:
            self.section = Section(Element("hx"))
            self.data.append(self.section)
        return self.section

    def _kept_into(self) -> list[str]:
        section = self.section
        return section.title if section.el.tag in self.tags else section.text

    def start(self, tag: str, attributes: dict[str, str | None]) -> None:
        if tag in _VOID:
            return
        tags = self.tags
        tags.append(tag)
        self.permalinks.append(tag == "a" and attributes.get("class") == "headerlink")
        if tag in _HEADINGS and "id" in attributes:
            depth = len(tags)
            if tag != "h1" and not self.data:
                self.section = Section(Element("hx"), depth)
                self.data.append(self.section)
            self.section = Section(Element(tag, attributes), depth)
            if self.data:
                self.section.id = attributes["id"]
            self.data.append(self.section)
        self._ensure_section()
        for key, value in attributes.items():
            if key == "data-search-exclude" or (key == "class" and value == "linenodiv"):
                self.skip.add(tag)
                return
        if tag in _KEEP and self.skip.isdisjoint(tags):
            self._kept_into().append(f"<{tag}>")

    def end(self, tag: str) -> None:
        tags = self.tags
        if not tags or tags[-1] != tag:
            return
        if self.section.depth > len(tags):
            for section in reversed(self.data):
                if section.depth <= len(tags):
                    self.section.depth = float("inf")
                    self.section = section
                    break
        tags.pop()
        self.permalinks.pop()
        if tag in self.skip:
            if tag not in _ALWAYS_SKIPPED:
                self.skip.remove(tag)
            return
        if tag in _KEEP and self.skip.isdisjoint(tags):
            data = self._kept_into()
            opening = f"<{tag}>"
            if opening not in data:
                raise _Unsupported  # Material's parser would raise here
            index = data.index(opening)
            for i in range(index + 1, len(data)):
                if not data[i].isspace():
                    index = len(data)
                    break
            if len(data) > index:
                del data[index:]
            else:
                data.append(f"</{tag}>")

    def text(self, raw: str) -> None:
        tags = self.tags
        if not self.skip.isdisjoint(tags):
            return
        if "&" in raw:
            data = unescape(raw)
            shown = escape(data, quote=False)
        else:
            data = raw
            shown = raw if ">" not in raw else escape(raw, quote=False)
        if "pre" not in tags:
            if not data.isspace():
                if "\n" in data:
                    data = data.replace("\n", " ")
                    shown = shown.replace("\n", " ")
            else:
                data = shown = " "
        section = self._ensure_section()
        if section.el.tag in tags:
            if not any(self.permalinks):
                section.title.append(shown)
        elif data.isspace():
            text = section.text
            if not text or not text[-1].isspace() or "pre" in tags:
                text.append(data)
        else:
            section.text.append(shown)


def material_search(config: Any) -> Any:
    """Material's own search plugin, when enabled and not subclassed (its
    indexing is what this module reproduces); else None."""
    for plugin in config.plugins.values():
        if type(plugin) is SearchPlugin and plugin.config.enabled:
            index = getattr(plugin, "search_index", None)
            return plugin if type(index) is SearchIndex else None
    return None


def index_page(index: Any, page: Any, html: str, memo: TagMemo | None = None) -> bool:
    """Add the page's entries to Material's ``SearchIndex`` as its own
    indexer would from ``html``; False (nothing added) when :func:`page_sections`
    does not take the page."""
    sections = page_sections(html, memo)
    if sections is None:
        return False
    for section in sections:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)
    return True


TagMemo = dict[str, Any]
"""What a tag's text (between ``<`` and ``>``) reads as — (closing, name,
attributes, self-closing), or :data:`_REFUSED` — for one process's pages: a
page repeats the same few dozen tags (``/td``, ``p``, ``span class=…``)
hundreds of times, and so do the pages of a site. Made and kept by the
caller (the page helper keeps one for its life)."""

_REFUSED = object()
MEMO_TAGS = 100_000
"""Most tags a :data:`TagMemo` keeps (links make most of them unique)."""


def page_sections(html: str, memo: TagMemo | None = None) -> list[Any] | None:
    """Material's ``Parser.data`` (the page's sections) for ``html``, or None
    when ``html`` holds something this pass does not reproduce; ``memo``: see
    :data:`TagMemo`."""
    try:
        return _sections(html, {} if memo is None else memo)
    except _Unsupported:
        return None


def _sections(html: str, memo: TagMemo) -> list[Any]:
    state = _Sections()
    pieces = html.split("<")
    if pieces[0]:
        state.text(pieces[0])
    count = len(pieces)
    i = 1
    while i < count:
        piece = pieces[i]
        i += 1
        if piece.startswith("!--"):
            # A comment may hold "<": it ends at the first "-->" after its opening.
            while _COMMENT_END not in piece[3:] and i < count:
                piece += "<" + pieces[i]
                i += 1
            end = piece.find(_COMMENT_END, 3)
            if end < 0:
                raise _Unsupported
            rest = piece[end + 3 :]
            if rest:
                state.text(rest)
            continue
        head, closed_by, text = piece.partition(">")
        if not closed_by:
            raise _Unsupported  # a "<" whose tag never ends: not one of the memo's
        read = memo.get(head)
        if read is None:
            read = _read_tag(piece)
            if len(memo) < MEMO_TAGS:
                memo[head] = read
        if read is _REFUSED:
            raise _Unsupported
        closing, tag, attributes, closed = read
        if closing:
            state.end(tag)
        else:
            state.start(tag, attributes)
            if closed:
                state.end(tag)
        if text:
            state.text(text)
    return list(state.data)


def _read_tag(piece: str) -> Any:
    """(closing, name, attributes, self-closing) of the tag ``piece`` starts
    with (its text up to the first ``>``, which no attribute list here
    holds), or :data:`_REFUSED`."""
    match = _TAG.match(piece)
    if match is None:
        return _REFUSED  # a "<" that opens no tag
    closing, name, attribute_text = match.groups()
    tag = name.lower()
    if tag in _RAW_TEXT:
        return _REFUSED
    if closing:
        return _REFUSED if attribute_text.strip() else (True, tag, None, False)
    closed = attribute_text.endswith("/")
    if closed:
        attribute_text = attribute_text[:-1]
        if attribute_text and attribute_text[-1] not in _BEFORE_SELF_CLOSING:
            return _REFUSED  # HTMLParser reads <a href=x/> as href="x/"
    try:
        attributes = _attributes(tag, attribute_text)
    except _Unsupported:
        return _REFUSED
    return (False, tag, attributes, closed)


def _attributes(tag: str, text: str) -> dict[str, str | None]:
    """The attributes Material's handlers would look at, as ``dict(attrs)``
    (all of them when the tag mentions one of the words they look for)."""
    if not text:
        return {}
    if _ATTRIBUTES.fullmatch(text) is None:
        raise _Unsupported
    lowered = text.lower()
    if not (
        (tag in _HEADINGS and "id" in lowered)
        or any(word in lowered for word in _ATTRIBUTE_WORDS)
    ):
        return {}
    out: dict[str, str | None] = {}
    for match in _ATTRIBUTE.finditer(text):
        value = next((v for v in match.group(2, 3, 4) if v is not None), None)
        out[match.group(1).lower()] = unescape(value) if value else value
    return out


# --- Entries made in the page helper (okrsite/engine/searchworker.py) -------


@dataclass(frozen=True)
class TocItem:
    """A TOC item as ``create_entry_for_section`` reads it (``id``, ``url``,
    ``children``): the helper gets the page's TOC flattened in the order
    Material searches it (each item, then its children), so the first item
    with an id is the one Material's recursive search finds."""

    id: str | None
    url: str
    children: tuple[TocItem, ...] = ()


@dataclass
class EntryView:
    """What Material's ``create_entry_for_section`` reads of a page, as it was
    when indexed: sent to the helper, which makes the page's entries."""

    url: str
    toc: Any
    """:class:`TocItem` s (the page's own TOC when the entries are made here)."""
    meta: dict[str, Any]
    title: Any


def entry_view(page: Any) -> EntryView:
    """The page's :class:`EntryView` (its TOC flattened, see :class:`TocItem`)."""
    items: list[TocItem] = []

    def flatten(toc: Any) -> None:
        for item in toc:
            items.append(TocItem(item.id, item.url))
            flatten(item.children)

    flatten(page.toc)
    # Only what Material reads of meta (title, tags, search.boost): the rest
    # of a hand-written page's front matter need not travel.
    meta = {name: page.meta[name] for name in ("title", "tags", "search") if name in page.meta}
    return EntryView(page.url, items, meta, page.title)


def make_entries(index: Any, sections: list[Any], view: EntryView) -> list[Any]:
    """Material's entries for a page's sections, made by its own
    ``create_entry_for_section`` on ``index`` (entries left as they were)."""
    kept, index.entries = index.entries, []
    try:
        for section in sections:
            if not section.is_excluded():
                index.create_entry_for_section(section, view.toc, view.url, view)
        return list(index.entries)
    finally:
        index.entries = kept
