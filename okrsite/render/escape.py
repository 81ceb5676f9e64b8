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
import unicodedata

# Characters with a meaning in Markdown, HTML, attr_list, tables or pymdownx
# inline syntax (==mark==, ^^ins^^, ~~del~~, :emoji:, $math$).
MD_SPECIAL = frozenset("\\`*_{}[]()<>#!|~^=:&\"$")
_MD_TABLE = {ord(c): f"&#{ord(c)};" for c in MD_SPECIAL}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_SPACE_RE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Drop control characters that no output format should carry."""
    # Every character the pattern drops is non-printable: most texts skip the
    # regex (this runs for nearly every string of every page).
    return text if text.isprintable() else _CONTROL_RE.sub("", text)


def md_inline(text: object) -> str:
    """One line of literal text for Markdown (headings, table cells, lists).

    Newlines collapse to spaces so a value cannot start a new block.
    """
    value = str(text)
    # A printable text's only whitespace is the ASCII space: with no run of
    # two there is nothing to collapse.
    if not value.isprintable() or "  " in value:
        value = _SPACE_RE.sub(" ", clean(value))
    return value.strip().translate(_MD_TABLE)


def html_text(text: object) -> str:
    """Text for an HTML element or a double-quoted attribute."""
    return html.escape(clean(str(text)), quote=True)


_CONTENT_TABLE = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", 0xA0: "&nbsp;"}


def html_content(text: object) -> str:
    """Text for an HTML element's content, written exactly as the sanitiser's
    serialiser (:mod:`okrsite.render.sanitize`) writes text: ``& < >`` and
    no-break spaces as entities, quotes as they are, line ends as ``\\n``.

    For HTML we build ourselves from escaped values (a check-in table), so
    it needs no sanitiser pass and still comes out byte for byte as if it
    had one (a test compares the two on random text)."""
    value = clean(str(text))
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.translate(_CONTENT_TABLE)


def xml_text(text: object) -> str:
    """Text for SVG/XML content or attributes."""
    return html.escape(clean(str(text)), quote=True)


# ---------------------------------------------------------------------------
# DOT (Graphviz). Content reaches DOT in two places only: HTML-like labels
# (``label=<...>``: text, TITLE and HREF of cells) and ``//`` header comments.
# Quoted strings (``"..."``) carry our own constants (fonts, colours, styles)
# through :func:`dot_string`; content is never put in one, because Graphviz
# expands escape sequences (``\N``, ``\G``…) in quoted ``tooltip``/``URL``
# values a second time.

_DOT_SAFE_URL = re.compile(r"^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(?=/|$))?[A-Za-z0-9_./~%#-]*$")
_DOT_SITE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9_./~%-]*)?")


def dot_line(text: object) -> str:
    """Content text as one line for DOT: control characters and line or
    paragraph separators become spaces, surrogates, unassigned and
    private-use characters are dropped, whitespace collapses.

    One line is what makes a ``//`` comment safe (nothing can end it early)
    and what keeps a wrapped title's line count in our hands.
    """
    value = str(text)
    if value.isprintable():
        return " ".join(value.split())
    out = []
    for ch in value:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif category not in ("Cs", "Cn", "Co"):
            out.append(ch)
    return " ".join("".join(out).split())


def dot_string(text: object) -> str:
    """A DOT double-quoted string literal, quotes included (our constants:
    font names, colours, styles).

    Backslashes are doubled so an escString attribute shows them literally.
    """
    value = clean(str(text)).replace("\\", "\\\\").replace('"', '\\"')
    value = value.replace("\n", "\\n").replace("\r", "")
    return f'"{value}"'


def dot_html(text: object) -> str:
    """Text inside an HTML-like DOT label (one line, entities for ``& < > " '``)."""
    return html.escape(dot_line(text), quote=True)


def dot_html_attr(text: object, max_chars: int | None = None) -> str:
    """An attribute value (``TITLE``) inside an HTML-like DOT label, cut to
    ``max_chars`` characters (an ellipsis last) when given.

    Graphviz expands ``\\N``, ``\\G``… in these attributes and turns
    ``\\\\`` into one backslash, so backslashes are doubled first.
    """
    line = dot_line(text)
    if max_chars is not None and len(line) > max_chars:
        line = line[: max_chars - 1] + "…"
    return html.escape(line.replace("\\", "\\\\"), quote=True)


def dot_href(url: str) -> str:
    """A link target (``HREF``) for an HTML-like DOT label: checked, not escaped.

    Graphviz copies ``HREF`` into the SVG without escaping, so the character
    set is restricted instead: relative slug paths (``okrsite.urls`` builds
    links from slugs only), optionally under an absolute http(s) site URL.
    Raises :class:`ValueError` for anything else.
    """
    if not _DOT_SAFE_URL.match(url) or url.startswith("//"):
        raise ValueError(f"unsafe link in graph: {url!r}")
    return url


def is_safe_site_url(url: str) -> bool:
    """Whether ``url`` can prefix graph links (http(s), no query, no quotes)."""
    return bool(_DOT_SITE_URL.fullmatch(url))


# --------------------------------------------------------------------------
# GitHub/GitLab comments (CommonMark + GFM), read in a browser *and* in a terminal

# Punctuation escaped with a backslash wherever it stands: escapes, code,
# emphasis, link and image brackets, table cells.
_GFM_ALWAYS = frozenset("\\`*_[]|")
# Escaped only where it could start something: an entity (``&amp;``), a tag
# or autolink (``<b``, ``</``, ``<!``, ``<?``); ``~`` (strikethrough) and ``$``
# (math) only in a value holding two, since they work in pairs. So "R&D",
# "churn <5%" and "$3M" read as written.
_GFM_ENTITY = re.compile(r"&(?=#?\w+;)")
_GFM_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_GFM_PAIRED = "~$"
# At the start of a value (it may open a list item's content): block syntax.
_GFM_BLOCK_START = re.compile(r"^(?:[-+=](?= |$|[-=])|#{1,6}(?= |$)|>|\d{1,9}[.)](?= |$))")
# Words GitHub or GitLab would turn into a link or a notification even when
# their punctuation is escaped (their filters run on the rendered text):
# URLs and www. hosts, @mentions and e-mail addresses, #12 / !12 / GH-12 /
# org/repo#12 references, scheme:… autolinks. Inside a code span they stay text.
_GFM_LIVE_WORD = re.compile(
    r"://|www\.|@|[#!]\d|^gh-\d|^[a-z][\w+.-]*:[^\s]",
    re.IGNORECASE,
)


def _code_span(word: str) -> str:
    """``word`` as a CommonMark code span whose fence no backtick run in it closes."""
    runs = [len(r) for r in re.findall(r"`+", word)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if word.startswith("`") or word.endswith("`") else ""
    return f"{fence}{pad}{word}{pad}{fence}"


def gfm_inline(text: object) -> str:
    """One line of literal text for a GitHub/GitLab comment, readable as is.

    Markdown punctuation gets a backslash (``\\[x\\](y)``), never a character
    reference (``&#91;``), so the comment reads the same in a terminal;
    words that a forge would link or notify (URLs, ``@mentions``, ``#12``)
    become code spans. Nothing can create a link, image, HTML, a mention or
    a block. Newlines collapse to spaces.
    """
    value = _SPACE_RE.sub(" ", clean(str(text))).strip()
    paired = {c for c in _GFM_PAIRED if value.count(c) > 1}
    words = []
    for word in value.split(" "):
        if _GFM_LIVE_WORD.search(word):
            words.append(_code_span(word))
            continue
        word = "".join(f"\\{c}" if c in _GFM_ALWAYS or c in paired else c for c in word)
        word = word.replace("\\](", "\\]\\(")  # not even the look of a link
        if _GFM_TAG.search(word):  # not even the look of a tag: \<b\>
            word = _GFM_TAG.sub(r"\\<", word).replace(">", "\\>")
        words.append(_GFM_ENTITY.sub(r"\\&", word))
    out = " ".join(words)
    match = _GFM_BLOCK_START.match(out)
    if match:  # "- x", "1. x", "# x" would open a list, heading or quote
        head = match.group(0)
        out = f"{head[:-1]}\\{head[-1]}{out[len(head) :]}"
    return out


def gfm_html_text(text: object) -> str:
    """Literal text inside a raw HTML block of a GitHub/GitLab comment (such as
    ``<summary>``), where no backslash escape works: ``<`` and ``>`` as
    entities, ``&`` too where it could start one, and forge-live words in
    ``<code>``."""
    value = _SPACE_RE.sub(" ", clean(str(text))).strip()
    words = []
    for word in value.split(" "):
        escaped = _GFM_ENTITY.sub("&amp;", word).replace("<", "&lt;").replace(">", "&gt;")
        words.append(f"<code>{escaped}</code>" if _GFM_LIVE_WORD.search(word) else escaped)
    return " ".join(words)
