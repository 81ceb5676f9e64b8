"""Allowlist HTML/SVG sanitiser for every raw fragment okrsite generates.

Escaping (``okrsite.render.escape``) is the first line of defence: content never
becomes markup. This module is the second: each raw HTML or SVG fragment we
hand to Markdown (progress bars, text blocks, check-in tables, inline
Graphviz graphs and charts) is re-parsed by `nh3` (the Rust ``ammonia``
sanitiser, an HTML5 parser) and only allowlisted elements and attributes
survive. So a bug in an escaping helper, or a hostile label that slips
through Graphviz, still cannot put a script in a reader's browser.

What survives:

* HTML structure and text elements (``div``, ``p``, ``span``, tables,
  ``details``…) and the SVG drawing elements Graphviz and our charts emit
  (``svg``, ``g``, ``path``, ``polygon``, ``text``, ``a``…). Never
  ``script``, ``style``, ``foreignObject``, ``iframe``, ``object``,
  ``image``/``img``, ``use``, ``animate``/``set`` (their text is dropped too
  for ``script`` and ``style``).
* Presentation attributes (class, id, fill, stroke, coordinates…), ARIA
  labels and ``style`` restricted to sizes (``width``, ``max-width``,
  ``height``) and colours (``fill``, ``stroke``, ``opacity``).
  No ``on*`` event handler is on the allowlist.
* Links (``href``/``xlink:href``) only when relative: ``#anchor``,
  ``page/``, ``../page/#x``. No scheme at all (no ``javascript:``,
  ``data:``, not even ``https:``), no protocol-relative ``//host`` and no
  backslashes. Entity tricks (``&#x6a;avascript:``) are decoded by the HTML
  parser before the check, so they fail it too.

Rich text (:func:`clean_rich`, for content Markdown rendered by
``okrsite.render.richtext``) gets the same allowlist plus the Markdown block
elements (headings, ``pre``, ``blockquote``, ``hr``) and absolute ``http``,
``https`` and ``mailto`` links, which carry ``rel="noopener"``. Still no
other scheme, no ``//host`` and no backslashes.

The sanitiser is deterministic (same input → same output), so builds stay
byte-identical.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nh3

HTML_TAGS = frozenset(
    {
        "a", "b", "br", "caption", "code", "details", "div", "em", "figcaption",
        "figure", "i", "li", "ol", "p", "small", "span", "strong", "summary",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
SVG_TAGS = frozenset(
    {
        "svg", "g", "path", "polygon", "polyline", "ellipse", "circle", "rect",
        "line", "text", "tspan", "title", "desc", "a", "defs", "marker",
    }
)  # fmt: skip
GLOBAL_ATTRIBUTES = frozenset(
    {
        "class", "id", "role", "title", "style", "lang", "dir",
        "aria-label", "aria-labelledby", "aria-describedby", "aria-hidden",
        # md_in_html reads it: markdown="0" keeps Markdown out of our blocks.
        "markdown",
    }
)  # fmt: skip
SVG_ATTRIBUTES = frozenset(
    {
        "viewBox", "preserveAspectRatio", "xmlns", "version", "width", "height",
        "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy",
        "d", "points", "transform", "fill", "fill-opacity", "fill-rule",
        "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity",
        "font-family", "font-size", "font-weight", "font-style", "text-anchor",
        "dominant-baseline", "text-decoration", "letter-spacing",
        "markerWidth", "markerHeight", "refX", "refY", "orient", "markerUnits",
        "marker-end", "marker-start", "vector-effect", "shape-rendering",
    }
)  # fmt: skip
TABLE_ATTRIBUTES = frozenset({"colspan", "rowspan", "scope"})
STYLE_PROPERTIES = frozenset({"width", "max-width", "height", "fill", "stroke", "opacity"})

_ALL_TAGS = HTML_TAGS | SVG_TAGS
_COMMON = GLOBAL_ATTRIBUTES | SVG_ATTRIBUTES
_ATTRIBUTES: dict[str, set[str]] = {tag: set(_COMMON) for tag in _ALL_TAGS}
_ATTRIBUTES["a"] |= {"href", "target"}  # "href" also covers SVG's xlink:href
for _tag in ("td", "th"):
    _ATTRIBUTES[_tag] |= TABLE_ATTRIBUTES
_ATTRIBUTES["details"] |= {"open"}

# Schemes are refused by nh3 (url_schemes is empty); this also refuses
# protocol-relative links and anything a browser might read as a host.
_RELATIVE_URL = re.compile(r"(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!//)[^\\\s]*\Z")
_TARGETS = frozenset({"_top", "_self", "_parent"})


def _filter(tag: str, attribute: str, value: str) -> str | None:
    """Per-attribute checks the allowlist cannot express."""
    if attribute == "href":
        return value if _RELATIVE_URL.match(value) else None
    if attribute == "target":
        return value if value in _TARGETS else None
    return value


# Built once: constructing the allowlist per call cost ~0.3 ms, a third of
# a large site's build time; a reused Cleaner cleans a fragment in ~5 µs.
_CLEANER_SETTINGS: dict[str, Any] = {
    "tags": set(_ALL_TAGS),
    "clean_content_tags": {"script", "style"},
    "attributes": {tag: set(names) for tag, names in _ATTRIBUTES.items()},
    "strip_comments": True,
    "link_rel": None,
    "url_schemes": set(),
    "filter_style_properties": set(STYLE_PROPERTIES),
}
_CLEANER = nh3.Cleaner(**_CLEANER_SETTINGS, attribute_filter=_filter)
_UNFILTERED = nh3.Cleaner(**_CLEANER_SETTINGS)
"""The same allowlist without :func:`_filter`: nh3 calls a Python filter for
every attribute it keeps, and an alignment graph has ~700 of them, of which a
handful are links. Cleaning without it and checking the links of the result
(:func:`_links_pass`) halves the sanitiser's time on graphs."""

_LINKS = (
    (re.compile(r' href="([^"]*)"'), "href"),
    (re.compile(r' xlink:href="([^"]*)"'), "href"),
    (re.compile(r' target="([^"]*)"'), "target"),
)
"""Each link attribute as nh3 writes it, and the name :func:`_filter` is
asked about (SVG's ``xlink:href`` as ``href``)."""


RICH_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr", "del"})
RICH_URL_SCHEMES = frozenset({"http", "https", "mailto"})
_ABSOLUTE_URL = re.compile(r"(?:https?://[^/\\\s]|mailto:)[^\\\s]*\Z", re.IGNORECASE)


def _rich_filter(tag: str, attribute: str, value: str) -> str | None:
    """Relative links as in :func:`_filter`, or absolute http(s)/mailto ones
    (nh3 has already refused every other scheme)."""
    if attribute == "href" and _ABSOLUTE_URL.match(value):
        return value
    return _filter(tag, attribute, value)


_RICH_CLEANER = nh3.Cleaner(
    tags=set(_ALL_TAGS | RICH_TAGS),
    clean_content_tags={"script", "style"},
    attributes={
        **{tag: set(names) for tag, names in _ATTRIBUTES.items()},
        **{tag: set(GLOBAL_ATTRIBUTES) for tag in RICH_TAGS},
    },
    attribute_filter=_rich_filter,
    strip_comments=True,
    link_rel="noopener",
    url_schemes=set(RICH_URL_SCHEMES),
    filter_style_properties=set(STYLE_PROPERTIES),
)


def clean_rich(fragment: str) -> str:
    """Sanitise rendered content Markdown: :func:`clean` plus Markdown's block
    elements and absolute http(s)/mailto links with ``rel="noopener"``."""
    return _RICH_CLEANER.clean(fragment)


def clean(fragment: str) -> str:
    """Sanitise one HTML or inline-SVG fragment (see the module docstring).

    Safe markup we generate comes out equivalent (void SVG elements are
    written with end tags, entities as characters where HTML allows it).
    """
    fast = _UNFILTERED.clean(fragment)
    return fast if _links_pass(fast) else _CLEANER.clean(fragment)


def _links_pass(cleaned: str) -> bool:
    """Whether :func:`_filter` keeps every link attribute of ``cleaned`` (nh3's
    output, with the attributes :func:`_filter` would have been asked about:
    ``href``, SVG's ``xlink:href`` (asked as ``href``) and ``target``).

    Then the filtered clean of the same fragment is ``cleaned`` itself: the
    filter returns every other attribute unchanged. nh3 writes each attribute
    as `` name="value"`` (``"`` escaped inside), so every such name must be
    the start of one quoted value: every ``href=`` and ``target=`` in the
    text must be one the patterns checked. Text that merely looks like one
    (``href=`` in a title) fails that count, or is checked as if it were a
    link, and may take the filtered clean: slower, never wrong."""
    checked = 0
    for pattern, asked in _LINKS:
        for value in pattern.findall(cleaned):
            if _filter("", asked, html.unescape(value)) is None:
                return False
            checked += 1
    return checked == cleaned.count("href=") + cleaned.count("target=")
