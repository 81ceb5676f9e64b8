"""Editing YAML as text: locate nodes with ``yaml.compose`` marks, insert or
replace a few characters, and leave every other byte of the file as it was.

Why: tools that append to a unit file (``okrsite checkin``) must not reflow,
requote or reorder what people wrote; loading and dumping YAML would. These
helpers know nothing about OKRs; ``review/checkin.py`` uses them.

Nothing here touches the disk (see :mod:`okrsite.source.files`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from okrsite.errors import OkrsiteError

_FRONT_MATTER_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_FRONT_MATTER_CLOSE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
DEFAULT_SEQUENCE_OFFSET = 2


class YamlEditError(OkrsiteError):
    """The edit cannot be made safely (not YAML, a layout we cannot edit, an
    unknown node…); nothing is written."""


# --------------------------------------------------------------------------
# locating nodes


def yaml_region(text: str, front_matter: bool | None) -> tuple[int, int]:
    """Start and end offsets of the YAML inside ``text`` (front matter or all)."""
    if front_matter is False:
        return 0, len(text)
    opening = _FRONT_MATTER_OPEN.match(text)
    closing = _FRONT_MATTER_CLOSE.search(text, opening.end()) if opening else None
    if opening and closing:
        return opening.end(), closing.start()
    if front_matter:
        raise YamlEditError(
            "no YAML front matter: a .md unit file must start with a '---' line and "
            "close the YAML with another '---' line"
        )
    return 0, len(text)


def compose(region: str) -> yaml.MappingNode:
    try:
        root = yaml.compose(region, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise YamlEditError(f"the file is not valid YAML, fix it first:\n{error}") from error
    if not isinstance(root, yaml.MappingNode):
        raise YamlEditError("the file has no OKRs (expected a mapping with 'objectives:')")
    return root


def get_pair(mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) pair of ``key``; duplicates are refused."""
    pairs = [(k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    if len(pairs) > 1:
        line = pairs[1][0].start_mark.line + 1
        raise YamlEditError(f"duplicate key '{key}' (second one on line {line} of the YAML)")
    return pairs[0] if pairs else None


# --------------------------------------------------------------------------
# YAML tokens


def scalar(value: Any) -> str:
    """One YAML token for a check-in value, safe in block and flow context."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, int | float):
        # PyYAML's representer writes floats YAML 1.1 reads back as floats
        # (``1e-05`` alone would be read as a string).
        return yaml.safe_dump([value], default_flow_style=True).strip()[1:-1]
    raise YamlEditError(f"cannot write a {type(value).__name__} in a check-in")


_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def quote(text: str) -> str:
    """``text`` as a one-line YAML double-quoted scalar.

    Quotes, backslashes, line breaks (including YAML's NEL, LS and PS) and
    every character YAML calls non-printable are escaped, so the result is one
    token whatever the input: it cannot end the scalar, start a comment, or
    break the line.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif (
            0x20 <= code <= 0x7E
            or 0xA0 <= code <= 0xD7FF
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
            or code >= 0x10000
        ):
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02X}")
        else:
            out.append(f"\\u{code:04X}")
    out.append('"')
    return "".join(out)


def flow_item(fields: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in fields) + "}"


# --------------------------------------------------------------------------
# text edits


@dataclass
class Edit:
    start: int
    end: int
    text: str
    order: int
    """Among edits at the same place, lower goes first."""
    whole_lines: bool = False
    """The text is whole lines: it must start at the beginning of a line."""
    label: str = ""
    """What the edit writes, for telling the user (empty: not reported)."""


class Editor:
    """Collects text edits against absolute offsets and applies them at once.

    After :meth:`apply`, ``placed`` holds ``(line, label)`` for every labelled
    edit: the 1-based line of the new text where it was written.
    """

    def __init__(self, text: str, base: int) -> None:
        self.text = text
        self.base = base
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.edits: list[Edit] = []
        self.placed: list[tuple[int, str]] = []

    def pos(self, mark: yaml.Mark) -> int:
        """Absolute offset of a mark from the composed region."""
        return self.base + mark.index

    def after_line(self, position: int) -> int:
        """Start of the line after the one holding ``position`` (or end of text)."""
        if position > 0 and self.text[position - 1] == "\n":
            return position
        found = self.text.find("\n", position)
        return len(self.text) if found < 0 else found + 1

    def insert_lines(self, position: int, lines: list[str], order: int, label: str = "") -> None:
        """Insert whole lines at a line start (after an unterminated last line too)."""
        body = "".join(line + self.newline for line in lines)
        self.edits.append(Edit(position, position, body, order, whole_lines=True, label=label))

    def insert(self, position: int, text: str, order: int, label: str = "") -> None:
        self.edits.append(Edit(position, position, text, order, label=label))

    def replace(self, start: int, end: int, text: str, label: str = "") -> None:
        self.edits.append(Edit(start, end, text, 0, label=label))

    def apply(self) -> str:
        parts: list[str] = []
        cursor = 0
        lines_before = 0  # line breaks written so far
        self.placed = []
        for edit in sorted(self.edits, key=lambda e: (e.start, e.order)):
            if edit.start < cursor:
                raise YamlEditError("internal error: overlapping edits; file left unchanged")
            kept = self.text[cursor : edit.start]
            parts.append(kept)
            lines_before += kept.count("\n")
            written = "".join(parts)
            if edit.whole_lines and written and not written.endswith("\n"):
                parts.append(self.newline)  # the file's last line had no line break
                lines_before += 1
            if edit.label:
                self.placed.append((lines_before + 1, edit.label))
            parts.append(edit.text)
            lines_before += edit.text.count("\n")
            cursor = edit.end
        parts.append(self.text[cursor:])
        return "".join(parts)


def content_end(editor: Editor, node: yaml.Node) -> int:
    """Absolute offset just after a node's last character of content.

    A block collection's own end mark points at the next token, possibly past
    comments and blank lines that follow; recursing into its last child finds
    where its text really ends. A block scalar (``|``, ``>``) ends after its
    trailing blank lines; unless it keeps them (``|+``) they are not content,
    so we stop at its last non-blank line and the blank lines stay below.
    """
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        key, value = node.value[-1]
        return max(content_end(editor, key), content_end(editor, value))
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return content_end(editor, node.value[-1])
    end = editor.pos(node.end_mark)
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        start = editor.pos(node.start_mark)
        header_end = editor.text.find("\n", start)
        header = editor.text[start : header_end if header_end >= 0 else end].split("#")[0]
        if "+" not in header:
            while end > header_end + 1:
                previous = editor.text.rfind("\n", 0, end - 1) + 1
                if editor.text[previous:end].strip(" \t\r\n"):
                    break
                end = previous
    return end


def dash_column(editor: Editor, item: yaml.Node) -> int | None:
    """Column of the ``-`` introducing a block sequence item on the item's line."""
    start = editor.pos(item.start_mark)
    line_start = editor.text.rfind("\n", 0, start) + 1
    before = editor.text[line_start:start].rstrip(" ")
    if before.endswith("-") and (len(before) == 1 or before[-2] in " -"):
        return len(before) - 1
    return None


def sequence_offset(editor: Editor, list_key: yaml.Node, item: yaml.Node) -> int:
    """How far this file indents list items under their key (0 or usually 2)."""
    dash = dash_column(editor, item)
    if dash is None:
        return DEFAULT_SEQUENCE_OFFSET
    offset = dash - int(list_key.start_mark.column)
    return offset if offset >= 0 else DEFAULT_SEQUENCE_OFFSET


def is_empty_scalar(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == "" and node.style is None

