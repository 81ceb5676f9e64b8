"""Material's search sections from a page, without the stdlib HTML parser's tokenizer.

Material's search plugin indexes a page by feeding ``page.content`` to its
``Parser`` (a ``html.parser.HTMLParser``). Two thirds of that time is the
stdlib tokenizer (``goahead``, ``parse_starttag``, ``parse_endtag``), not
Material's handlers. :func:`page_sections` drives Material's own ``Parser``
handlers with the events of a regular-expression tokenizer instead — same
tag names (lower-cased), same attributes (unescaped values), same text
chunks (unescaped, one per run of text between tags), comments dropped — so
its sections, and the entries Material makes of them
(``SearchIndex.create_entry_for_section``), are the same.

Only HTML it tokenizes exactly like ``HTMLParser`` is taken: a ``<`` that
does not open a tag or a comment, ``<script>``/``<style>``/``<textarea>``/
``<title>`` (raw text), doctype or processing instructions, and attribute
lists it does not parse whole make it return None (then Material indexes
the page itself). ``tests/test_fastpage.py`` compares the sections with
Material's on every generated page of the fixtures.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from material.plugins.search.plugin import Parser

_TOKEN = re.compile(
    r"<!--(?:(?!-->).)*-->"  # a comment
    r"|<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>"  # a tag
    r"|[^<]+",  # text
    re.DOTALL,
)
_ATTRIBUTE = re.compile(
    r"\s+([^\s\"'=<>/]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?"
)
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext", "noscript"})


def page_sections(html: str) -> list[Any] | None:
    """Material's ``Parser.data`` (the page's sections) for ``html``, or None
    when ``html`` holds something this tokenizer does not reproduce."""
    parser = Parser()
    position = 0
    for token in _TOKEN.finditer(html):
        if token.start() != position:
            return None  # a "<" that opens no tag
        position = token.end()
        name = token.group(2)
        if name is None:
            text = token.group(0)
            if not text.startswith("<!--"):
                parser.handle_data(unescape(text) if "&" in text else text)
            continue
        tag = name.lower()
        if tag in _RAW_TEXT:
            return None
        rest = token.group(3)
        if token.group(1):  # an end tag
            if rest.strip():
                return None
            parser.handle_endtag(tag)
            continue
        closed = rest.endswith("/")
        attributes = _attributes(rest[:-1] if closed else rest)
        if attributes is None:
            return None
        parser.handle_starttag(tag, attributes)
        if closed:
            parser.handle_endtag(tag)
    if position != len(html):
        return None
    return list(parser.data)


def _attributes(text: str) -> list[tuple[str, str | None]] | None:
    out: list[tuple[str, str | None]] = []
    position = 0
    for match in _ATTRIBUTE.finditer(text):
        if match.start() != position:
            return None
        position = match.end()
        value = next((v for v in match.group(2, 3, 4) if v is not None), None)
        out.append((match.group(1).lower(), unescape(value) if value else value))
    if text[position:].strip():
        return None
    return out
