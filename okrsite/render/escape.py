"""Escaping of untrusted content for every output language.

Content strings reach Markdown (then HTML via Python-Markdown), raw HTML
fragments, DOT and SVG. Each has its own function here, and templates escape
*by default* (see ``pages/render.py``): a value is emitted raw only when it
is :class:`markupsafe.Markup`, which only our own code creates.

Markdown escaping turns every character that Markdown or its extensions
could read as syntax into a numeric character reference. Python-Markdown
leaves references alone and the browser shows the character, so a title
like ``[x](javascript:alert(1))`` or ``{: onclick=alert(1)}`` stays text.

Fields authors write *as* Markdown (descriptions, notes, learnings, ``.md``
bodies) are rendered and sanitised instead: :mod:`okrsite.render.richtext`.
"""

from __future__ import annotations

import html
import re

# Characters with a meaning in Markdown, HTML, attr_list, tables or pymdownx
# inline syntax (==mark==, ^^ins^^, ~~del~~, :emoji:, $math$).
MD_SPECIAL = frozenset("\\`*_{}[]()<>#!|~^=:&\"$")
_MD_TABLE = {ord(c): f"&#{ord(c)};" for c in MD_SPECIAL}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_SPACE_RE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Drop control characters that no output format should carry."""
    return _CONTROL_RE.sub("", text)


def md_inline(text: object) -> str:
    """One line of literal text for Markdown (headings, table cells, lists).

    Newlines collapse to spaces so a value cannot start a new block.
    """
    value = _SPACE_RE.sub(" ", clean(str(text))).strip()
    return value.translate(_MD_TABLE)


def html_text(text: object) -> str:
    """Text for an HTML element or a double-quoted attribute."""
    return html.escape(clean(str(text)), quote=True)


def xml_text(text: object) -> str:
    """Text for SVG/XML content or attributes."""
    return html.escape(clean(str(text)), quote=True)


def dot_string(text: object) -> str:
    """A DOT double-quoted string literal, quotes included."""
    value = clean(str(text)).replace("\\", "\\\\").replace('"', '\\"')
    value = value.replace("\n", "\\n").replace("\r", "")
    return f'"{value}"'
