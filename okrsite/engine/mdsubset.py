"""Finished HTML for okrsite's generated pages, without a Python-Markdown pass.

okrsite's page producers write Markdown (``okrsite generate`` hands it to any
engine, the goldens are Markdown), but a small, regular subset of it:
headings with ``{#id}``, paragraphs of text with inline HTML spans, links
(optionally with an ``{#id}``) and ``**bold**``, tight ``-`` lists, pipe
tables, ``---`` rules, raw-HTML blocks (parked ones are comments by now, see
:mod:`okrsite.engine.htmlpost`), and the quality pages' ``<details
markdown="1">`` blocks of Markdown.
Python-Markdown spends a third of a company-scale build's Markdown time
finding that out again, page after page.

:func:`convert` turns exactly that subset into the HTML and TOC tokens that
Python-Markdown produces with the extensions MkDocs configures for okrsite
sites (``toc``, ``tables``, ``fenced_code``, ``attr_list``, ``admonition``,
``md_in_html``; which configurations qualify is decided by
:mod:`okrsite.engine.fastpage`). It is a *recogniser*, not a Markdown
implementation: anything outside the subset — a backtick, a backslash, an
underscore or a lone ``*`` in text, an indented or quoted line, a list that
is not tight, a raw block not set off by blank lines, an attribute list it
does not know — makes it return ``None``, and the page takes Python-Markdown
as before. Checked against Python-Markdown on every generated page of the
demo, the real-world fixture and a synthetic company (``tests/test_fastpage.py``).
Links are resolved by the caller's ``resolve`` (MkDocs' own resolver), once
per link, in document order (Python-Markdown's, heading permalinks included).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown.extensions.toc import nest_toc_tokens, strip_tags, unique
from markdown.inlinepatterns import AUTOLINK_RE, AUTOMAIL_RE, ENTITY_RE, HTML_RE
from markdown.serializers import RE_AMP

from okrsite.engine.mdresult import Converted as Converted
from okrsite.engine.mdresult import TocSettings as TocSettings
from okrsite.engine.mdresult import TocToken as TocToken


class _Unsupported(Exception):
    """The text leaves the subset: the page goes through Python-Markdown."""


# Block level -------------------------------------------------------------

_RAW_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(?=[\s>])")
_COMMENT_LINE = re.compile(r"<!--(?:(?!-->).)*-->")
_HEADING = re.compile(r"(#{1,6})[ ]+(\S.*)")
_HEADING_ATTRS = re.compile(r"(.*?)[ ]+\{#([A-Za-z][\w.:-]*)((?:[ ]+[a-z][a-z0-9-]*)*)\}")
_ADMONITION = re.compile(r'!!! ([a-z]+)(?: "([^"]*)")?')
_LIST_ITEM = re.compile(r"- (\S.*)")
# A line that starts something other than a paragraph (or may: we do not
# try to tell): quotes, lists, code, tables, rules, setext underlines,
# admonitions, attribute lists, headings.
_BLOCKISH = re.compile(r"[ \t#>|=~`!?:{}+_-]|\*{3}|\*{1,2}(?:[ ]|$)|\d+[.)]")
_TABLE_SEPARATOR_CELL = re.compile(r":?-+:?")
_DETAILS_OPEN = re.compile(r"<details((?: [a-z][a-z-]*(?:=\"[A-Za-z0-9 _.:-]*\")?)+)>")
_DETAILS_ATTRIBUTE = re.compile(r" ([a-z][a-z-]*)(?:=\"([A-Za-z0-9 _.:-]*)\")?")
_SUMMARY = re.compile(r"<summary>(\S(?:.*\S)?)</summary>")
_VOID_OR_SPECIAL = frozenset({"hr", "pre", "script", "style", "textarea", "math"})


def convert(
    markdown: str,
    toc: TocSettings,
    resolve: Callable[[str], str],
    block_tags: frozenset[str],
) -> Converted | None:
    """The page's HTML and TOC, or None when ``markdown`` leaves the subset.

    ``block_tags``: the tags Python-Markdown treats as block-level (a line
    starting with one opens a raw-HTML block). ``resolve`` maps a link's
    ``href`` to its URL (called once per link, in document order).
    """
    converted = convert_unresolved(markdown, toc, block_tags)
    return None if converted is None else resolve_links(*converted, resolve)


def convert_unresolved(
    markdown: str, toc: TocSettings, block_tags: frozenset[str]
) -> tuple[Converted, list[str]] | None:
    """:func:`convert` up to the links: the HTML holds a mark per link, the
    list their ``href`` in document order (no MkDocs needed: a helper
    process may do this part)."""
    if any(char in markdown for char in "\x01\x02\x03\t\r"):
        return None
    hrefs: list[str] = []

    def later(href: str) -> str:
        hrefs.append(href)
        return f"\x01{len(hrefs) - 1}\x01"

    try:
        return _Converter(toc, later, block_tags).run(markdown), hrefs
    except _Unsupported:
        return None


def resolve_links(
    result: Converted, hrefs: list[str], resolve: Callable[[str], str]
) -> Converted:
    # Resolved only now, once the page is known to convert: MkDocs' resolver
    # logs broken links, and a page that falls back must not warn twice.
    # In document order, as MkDocs walks Python-Markdown's tree.
    result.html = _LINK_MARK.sub(
        lambda match: _escape_attribute(resolve(hrefs[int(match.group(1))])), result.html
    )
    return result


class _Converter:
    def __init__(
        self, toc: TocSettings, resolve: Callable[[str], str], block_tags: frozenset[str]
    ) -> None:
        self.toc = toc
        self.resolve = resolve
        self.block_tags = block_tags
        self.out: list[str] = []
        # Headings: (index in out, level, inner HTML, explicit id or None, extra attributes).
        self.headings: list[tuple[int, int, str, str | None, list[str]]] = []
        self.anchor_ids: set[str] = set()
        self.last_was_list = False
        self.first_is_h1 = False

    def run(self, markdown: str) -> Converted:
        lines = _BLANKISH_LINE.sub("\n", markdown.strip("\n") + "\n").split("\n")
        index = 0
        while index < len(lines):
            if not lines[index]:
                index += 1
                continue
            if lines[index].startswith("<details ") and "markdown=" in lines[index]:
                index = self._details(lines, index)
                continue
            if self._raw_start(lines[index]):
                index = self._raw_block(lines, index)
                continue
            end = index
            while end < len(lines) and lines[end]:
                end += 1
            block = lines[index:end]
            for line in block[1:]:
                if self._raw_start(line):
                    raise _Unsupported  # raw HTML inside a paragraph
            self._block(block)
            index = end
        return self._finish()

    # -- raw HTML ---------------------------------------------------------

    def _raw_start(self, line: str) -> bool:
        if line.startswith("<!--"):
            return True
        match = _RAW_START.match(line)
        return bool(match and match.group(1).lower() in self.block_tags)

    def _raw_block(self, lines: list[str], index: int) -> int:
        """Consecutive raw elements, each from a line start to a line end,
        set off by blank lines: copied through (Python-Markdown's stash)."""
        start = index
        while index < len(lines) and lines[index]:
            line = lines[index]
            if line.startswith("<!--"):
                if not _COMMENT_LINE.fullmatch(line):
                    raise _Unsupported
                index += 1
                continue
            match = _RAW_START.match(line)
            if not match or match.group(1).lower() not in self.block_tags:
                raise _Unsupported  # text right after a raw block
            name = match.group(1)
            if name.lower() in _VOID_OR_SPECIAL or name != name.lower():
                raise _Unsupported
            index = self._raw_element_end(lines, index, name)
        if start and lines[start - 1]:
            raise _Unsupported  # not set off by a blank line
        raw = "\n".join(lines[start:index])
        if "\x02" in raw or "markdown=" in raw:
            raise _Unsupported  # md_in_html would parse it
        self._collect_anchors(raw)
        self.out.append(raw + "\n")
        self.last_was_list = False
        return index

    @staticmethod
    def _raw_element_end(lines: list[str], index: int, name: str) -> int:
        tags = re.compile(rf"<{name}(?=[\s>])|</{name}>")
        closing = f"</{name}>"
        depth = 0
        while index < len(lines):
            line = lines[index]
            if not line:
                raise _Unsupported  # blank line inside a raw block
            for tag in tags.finditer(line):
                depth += -1 if tag.group(0) == closing else 1
                if depth == 0:
                    if tag.end() != len(line):
                        raise _Unsupported  # text after the closing tag
                    return index + 1
            index += 1
        raise _Unsupported  # never closed

    def _details(self, lines: list[str], index: int) -> int:
        """``<details markdown="1" …>``, a one-line ``<summary>``, Markdown
        blocks, ``</details>`` — each set off by blank lines (the quality
        pages' findings): ``md_in_html`` parses the blocks as Markdown, the
        summary as inline text, and writes the tag back through ElementTree
        (``markdown`` dropped, a bare attribute as ``name="name"``)."""
        opening = _DETAILS_OPEN.fullmatch(lines[index])
        if opening is None or (index and lines[index - 1]):
            raise _Unsupported
        attributes: list[str] = []
        names: set[str] = set()
        for attribute in _DETAILS_ATTRIBUTE.finditer(opening.group(1)):
            name, value = attribute.group(1), attribute.group(2)
            if name in names or value == "":
                raise _Unsupported  # a repeated or empty attribute
            names.add(name)
            if name == "markdown":
                if value != "1":
                    raise _Unsupported
                continue
            if value is None:
                value = name
            if name == "id":
                self.anchor_ids.add(value)
            attributes.append(f'{name}="{value}"')
        if "markdown" not in names or not attributes:
            raise _Unsupported
        summary = _SUMMARY.fullmatch(lines[index + 1]) if index + 1 < len(lines) else None
        if summary is None or "<summary" in summary.group(1) or index + 2 >= len(lines):
            raise _Unsupported
        if lines[index + 2]:  # the summary must stand alone
            raise _Unsupported
        start = len(self.out)
        self.out.append("<details " + " ".join(attributes) + ">")
        self.out.append(f"<summary>{self._inline(summary.group(1))}</summary>")
        self.last_was_list = False
        index += 3
        while True:
            while index < len(lines) and not lines[index]:
                index += 1
            if index >= len(lines):
                raise _Unsupported  # never closed
            if lines[index] == "</details>":
                if lines[index - 1]:
                    raise _Unsupported
                break
            end = index
            while end < len(lines) and lines[end]:
                end += 1
            block = lines[index:end]
            if any(self._raw_start(line) or line.startswith("#") for line in block):
                raise _Unsupported  # nested raw HTML, headings: not in this subset
            if "</details>" in block:
                raise _Unsupported
            self._block(block)
            index = end
        if len(self.out) == start + 2 or (index + 1 < len(lines) and lines[index + 1]):
            raise _Unsupported  # no blocks (not worth reproducing), or text right after
        self.out.append("</details>")
        self.last_was_list = False
        return index + 1

    # -- Markdown blocks --------------------------------------------------

    def _block(self, block: list[str]) -> None:
        first = block[0]
        was_list, self.last_was_list = self.last_was_list, False
        if first.startswith("#"):
            self._heading(first)
            if len(block) > 1:
                self._block(block[1:])
            return
        if first == "---" and len(block) == 1:
            self.out.append("<hr />")
            return
        if first.startswith("|"):
            self._table(block)
            return
        if first.startswith("!!! "):
            self._admonition(block)
            return
        if first.startswith("- "):
            if was_list:
                raise _Unsupported  # Python-Markdown would make one loose list
            self._list(block)
            return
        for line in block:
            if _BLOCKISH.match(line) or line.endswith(" "):
                raise _Unsupported
        text = "\n".join(block)
        if text.strip() == self.toc.marker:
            raise _Unsupported
        self.out.append(f"<p>{self._inline(text)}</p>")

    def _heading(self, line: str) -> None:
        match = _HEADING.fullmatch(line)
        if not match:
            raise _Unsupported
        level, text = len(match.group(1)), match.group(2)
        explicit: str | None = None
        extra: list[str] = []
        attrs = _HEADING_ATTRS.fullmatch(text)
        if attrs:
            text, explicit = attrs.group(1), attrs.group(2)
            extra = attrs.group(3).split()
            if "data-toc-label" in extra or "id" in extra:
                raise _Unsupported
        if "{" in text or "}" in text or text.endswith("#") or "[" in text or "]" in text:
            raise _Unsupported
        inner = self._inline(text.strip())
        if not self.out and level == 1:
            self.first_is_h1 = True
        self.headings.append((len(self.out), level, inner, explicit, extra))
        self.out.append("")  # filled in by _finish (ids need every heading)

    def _admonition(self, block: list[str]) -> None:
        """``!!! kind "Title"`` and one indented paragraph (the "No OKRs" note)."""
        match = _ADMONITION.fullmatch(block[0])
        body = block[1:]
        if not match or not body or not all(line.startswith("    ") for line in body):
            raise _Unsupported
        kind, title = match.group(1), match.group(2)
        text = [line[4:] for line in body]
        for line in text:
            if _BLOCKISH.match(line) or line.endswith(" ") or self._raw_start(line):
                raise _Unsupported
        parts = [f'<div class="admonition {kind}">']
        if title is None:
            parts.append(f'<p class="admonition-title">{kind.capitalize()}</p>')
        elif title:
            parts.append(f'<p class="admonition-title">{self._inline(title)}</p>')
        parts.append(f"<p>{self._inline(chr(10).join(text))}</p>")
        parts.append("</div>")
        self.out.append("\n".join(parts))

    def _list(self, block: list[str]) -> None:
        items = []
        for line in block:
            match = _LIST_ITEM.fullmatch(line)
            if not match or line.endswith(" ") or _BLOCKISH.match(match.group(1)):
                raise _Unsupported
            if self._raw_start(match.group(1)):
                raise _Unsupported
            items.append(f"<li>{self._inline(match.group(1))}</li>")
        self.out.append("<ul>\n" + "\n".join(items) + "\n</ul>")
        self.last_was_list = True

    def _table(self, block: list[str]) -> None:
        if len(block) < 3:
            raise _Unsupported
        rows = [self._cells(line) for line in block]
        header, separator, body = rows[0], rows[1], rows[2:]
        if len(header) < 2 or any(len(row) != len(header) for row in rows):
            raise _Unsupported
        aligns: list[str] = []
        for cell in separator:
            if not _TABLE_SEPARATOR_CELL.fullmatch(cell):
                raise _Unsupported
            if cell.startswith(":") and cell.endswith(":"):
                aligns.append(' style="text-align: center;"')
            elif cell.startswith(":"):
                aligns.append(' style="text-align: left;"')
            elif cell.endswith(":"):
                aligns.append(' style="text-align: right;"')
            else:
                aligns.append("")
        parts = ["<table>\n<thead>\n<tr>"]
        parts += [f"<th{a}>{self._inline(c)}</th>" for a, c in zip(aligns, header, strict=True)]
        parts.append("</tr>\n</thead>\n<tbody>")
        for row in body:
            parts.append("<tr>")
            parts += [f"<td{a}>{self._inline(c)}</td>" for a, c in zip(aligns, row, strict=True)]
            parts.append("</tr>")
        parts.append("</tbody>\n</table>")
        self.out.append("\n".join(parts))

    @staticmethod
    def _cells(line: str) -> list[str]:
        if not (line.startswith("|") and line.endswith("|") and len(line) > 1):
            raise _Unsupported
        inner = line[1:-1]
        # A pipe inside a tag or a link would still split the row (the
        # tables extension only respects code spans): keep such rows out.
        for match in HTML_RE_C.finditer(inner):
            if "|" in match.group(0):
                raise _Unsupported
        return [cell.strip() for cell in inner.split("|")]

    # -- inline -----------------------------------------------------------

    def _inline(self, text: str) -> str:
        """Python-Markdown's inline output for ``text`` (links resolved)."""
        if "`" in text or "\\" in text or "  \n" in text:
            raise _Unsupported
        if "<" in text:
            _check_tags(text)
        stash: list[str] = []

        def keep(piece: str) -> str:
            stash.append(piece)
            return f"\x02{len(stash) - 1}\x03"

        # Links first (Python-Markdown's link pattern runs before raw HTML).
        def link(match: re.Match[str]) -> str:
            label, href, link_id = match.group(1), match.group(2), match.group(3)
            url = self.resolve(href)
            if link_id is None:
                return keep(f'<a href="{url}">{self._spans(label, keep)}</a>')
            # attr_list's "{#id}" right after the link: the id follows the href.
            self.anchor_ids.add(link_id)
            return keep(f'<a href="{url}" id="{link_id}">{self._spans(label, keep)}</a>')

        text = _LINK.sub(link, text)
        return _restore(self._spans(text, keep), stash)

    def _spans(self, text: str, keep: Callable[[str], str]) -> str:
        """Raw inline HTML, entities, ``**strong**`` and plain text."""
        if "[" in text or "]" in text:
            raise _Unsupported
        plain = _outside_tags(text)
        if "{" in plain or "}" in plain or "_" in plain:
            raise _Unsupported  # attribute lists, underscore emphasis
        if AUTOLINK_RE_C.search(text) or AUTOMAIL_RE_C.search(text):
            raise _Unsupported

        def tag(match: re.Match[str]) -> str:
            self._collect_anchors(match.group(0))
            return keep(match.group(0))

        text = HTML_RE_C.sub(tag, text)
        text = ENTITY_RE_C.sub(lambda m: keep(m.group(0)), text)
        if "&" in text:
            # A bare "&": producers escape it, and Python-Markdown's stash trips on "&#".
            raise _Unsupported
        if "***" in text or _LONE_STARS.search(text):
            raise _Unsupported
        text = _STRONG.sub(lambda m: f"\x02s\x03{m.group(1)}\x02/s\x03", text)
        if "*" in text:
            raise _Unsupported
        text = text.replace(">", "&gt;")
        return text.replace("\x02s\x03", "<strong>").replace("\x02/s\x03", "</strong>")

    # -- ids, TOC, anchors ------------------------------------------------

    def _collect_anchors(self, raw: str) -> None:
        """``id`` (and ``<a name>``) attributes of raw HTML, as MkDocs'
        HTML scan of the page's Markdown finds them."""
        if " id=" not in raw and " name=" not in raw:
            return
        for tag in _START_TAG.finditer(raw):
            name = tag.group(1).lower()
            for attr in _ATTRIBUTE.finditer(tag.group(2)):
                key = attr.group(1).lower()
                if key == "id" or (key == "name" and name == "a"):
                    value = attr.group(2)
                    if value is None:
                        raise _Unsupported  # a bare id: let MkDocs parse it
                    if value[:1] in "\"'":
                        value = value[1:-1]
                    self.anchor_ids.add(html.unescape(value))

    def _finish(self) -> Converted:
        used = {explicit for _, _, _, explicit, _ in self.headings if explicit}
        counters: dict[str, int] = {}
        tokens: list[TocToken] = []
        title: str | None = None
        for position, level, inner, explicit, extra in self.headings:
            name = strip_tags(inner)
            heading_id = explicit or unique(
                self.toc.slugify(html.unescape(name), self.toc.separator), used, counters
            )
            if not _HEADING_ID.fullmatch(heading_id):
                raise _Unsupported
            self.anchor_ids.add(heading_id)
            if self.toc.toc_top <= level <= self.toc.toc_bottom:
                tokens.append(
                    {
                        "level": level,
                        "id": heading_id,
                        "name": name,
                        "html": inner,
                        "data-toc-label": "",
                    }
                )
            attributes = sorted([("id", heading_id), *((key, None) for key in extra)])
            opening = "".join(f" {k}" if v is None else f' {k}="{v}"' for k, v in attributes)
            permalink = ""
            if self.toc.permalink is not None:
                target = self.resolve("#" + heading_id)
                permalink_attrs = [("class", self.toc.permalink_class), ("href", target)]
                if self.toc.permalink_title:
                    permalink_attrs.append(("title", self.toc.permalink_title))
                permalink = (
                    "<a"
                    + "".join(
                        f' {k}="{v if k == "href" else _escape_attribute(v)}"'
                        for k, v in sorted(permalink_attrs)
                    )
                    + f">{self.toc.permalink}</a>"
                )
            self.out[position] = f"<h{level}{opening}>{inner}{permalink}</h{level}>"
            if position == 0 and self.first_is_h1:
                title = " ".join(name.split()) or None
        return Converted(
            html="\n".join(self.out).strip(),
            toc_tokens=_nest(tokens),
            title=title,
            anchor_ids=self.anchor_ids,
        )


HTML_RE_C = re.compile(HTML_RE, re.DOTALL)
ENTITY_RE_C = re.compile(ENTITY_RE)
AUTOLINK_RE_C = re.compile(AUTOLINK_RE)
AUTOMAIL_RE_C = re.compile(AUTOMAIL_RE)
_LINK_MARK = re.compile(r"\x01(\d+)\x01")
_STASHED = re.compile(r"\x02(\d+)\x03")
_BLANKISH_LINE = re.compile(r"(?<=\n) +\n")
_HEADING_ID = re.compile(r"[\w.:-]+")
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
_LINK = re.compile(
    r"(?<!!)\[([^\[\]\n]*)\]\(([^\s()<>\"'&\\\x02\x03]*)\)(?:\{#([A-Za-z][\w-]*)\})?"
)
# Strong text that starts and ends with a non-space (other shapes: refused).
_STRONG = re.compile(r"\*\*([^*\s](?:[^*]*?[^*\s])?)\*\*", re.DOTALL)
# A run of asterisks with white space (or the text's edge) on both sides is
# literal in Python-Markdown (its "not strong" pattern).
_LONE_STARS = re.compile(r"(?:^|(?<=\s))\*+(?=\s|$)")
_START_TAG = re.compile(r"<([a-zA-Z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTRIBUTE = re.compile(r"\s([^\s\"'=<>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")


_VOID_TAGS = frozenset({"br", "img", "wbr", "hr", "input", "source", "col", "area", "meta", "link"})


def _check_tags(text: str) -> None:
    """Inline HTML the way producers write it: every ``<`` opens a tag, tags
    balance, no comments or processing instructions. Python-Markdown's
    placeholders interact with anything else in ways not worth copying."""
    stack: list[str] = []
    for match in HTML_RE_C.finditer(text):
        tag = match.group(0)
        if tag.startswith(("<!", "<?")):
            raise _Unsupported
        name = _TAG_NAME.match(tag)
        if name is None:
            raise _Unsupported
        word = name.group(1).lower()
        if tag.startswith("</"):
            if not stack or stack.pop() != word:
                raise _Unsupported
        elif word not in _VOID_TAGS and not tag.endswith("/>"):
            stack.append(word)
    if stack or "<" in HTML_RE_C.sub("", text):
        raise _Unsupported


def _outside_tags(text: str) -> str:
    return HTML_RE_C.sub("", text) if "<" in text else text


def _restore(text: str, stash: list[str]) -> str:
    # Stashed pieces may hold placeholders of pieces stashed before them.
    while "\x02" in text:
        text = _STASHED.sub(lambda m: stash[int(m.group(1))], text)
    return text


def _escape_attribute(value: str) -> str:
    """Python-Markdown's attribute escaping (``&`` only outside entities)."""
    value = RE_AMP.sub("&amp;", value)
    return value.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _nest(tokens: list[TocToken]) -> list[TocToken]:
    """Nest flat TOC tokens by level, as ``markdown.extensions.toc`` does."""
    return nest_toc_tokens(tokens)  # type: ignore[no-any-return]
