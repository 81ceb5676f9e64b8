"""Append a check-in to a unit file without disturbing anything else in it.

Why: a weekly check-in should be one command and one small, reviewable commit.
Loading the YAML and dumping it again would lose comments, reorder keys,
requote strings and reflow lines, so the diff reviewers see would be noise.
Instead we *locate* the key result with ``yaml.compose`` (whose nodes carry
start/end marks) and insert a few lines of text at the right places. Every
other byte of the file stays as it was.

Safety: the check-in note is untrusted text. Strings are always written as
YAML double-quoted scalars with every non-printable character, quote,
backslash and line break escaped, so a note such as ``a: b # c`` or one with
newlines or ``---`` cannot change the structure of the file. After editing we
parse the result again and require it to equal the original data plus exactly
the new check-in (and the new ``current``); otherwise we raise and nothing is
written.

Only :func:`add_checkin_to_file` and :func:`find_unit_file` touch the disk.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from okrsite.errors import OkrsiteError
from okrsite.model import SLUG_RE, CheckIn
from okrsite.source import UNIT_SUFFIXES

_FRONT_MATTER_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_FRONT_MATTER_CLOSE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_DEFAULT_SEQUENCE_OFFSET = 2


class CheckinError(OkrsiteError):
    """The check-in cannot be added: unknown objective or key result, an
    invalid check-in, or a file layout we cannot edit safely. The file is
    left unchanged."""


# --------------------------------------------------------------------------
# public API


def add_checkin(
    text: str,
    objective_id: str,
    kr_id: str,
    checkin: Mapping[str, Any],
    *,
    front_matter: bool | None = None,
) -> str:
    """Return ``text`` with ``checkin`` appended to the key result's check-ins.

    ``text`` is a unit file: YAML, or Markdown with YAML front matter
    (``front_matter=None`` detects a leading ``---`` block; ``True`` requires
    one; ``False`` treats the whole text as YAML). ``checkin`` holds
    :class:`~okrsite.model.CheckIn` fields, e.g. ``{"date": date(2026, 11,
    23), "value": 12, "confidence": 0.7, "note": "..."}``; ``None`` values are
    left out and ``date`` may be an ISO string.

    What changes, and nothing else:

    * The new item is appended to the key result's ``checkins:`` list, in the
      style of the existing items (block list of flow mappings ``- {…}``,
      block list of block mappings, or a flow list ``[…]``) and at their
      indentation. Without a ``checkins:`` key, one is added at the key
      result's indentation after its last line, holding one ``- {…}`` item.
    * When the check-in has a ``value``, the key result's ``current:`` is set
      to it: if ``current:`` exists only its value token is replaced (its
      comment stays); if not, ``current: <value>`` is added after the
      ``target:`` line (or at the end of the key result). Check-ins without a
      ``value`` (e.g. milestone ``done``) leave ``current`` alone.

    Raises :class:`CheckinError` if the objective or key result does not exist,
    the check-in is invalid, or the result would not parse back to the original
    data plus the new check-in.
    """
    start, end = _yaml_region(text, front_matter)
    region = text[start:end]
    root = _compose(region)
    fields = _checkin_fields(checkin)
    kr, kr_list_key = _find_key_result(root, objective_id, kr_id)
    editor = _Editor(text, start)
    offset = _sequence_offset(editor, kr_list_key, kr)
    new_value = dict(fields).get("value")

    _append_checkin(editor, kr, fields, offset)
    if new_value is not None:
        _set_current(editor, kr, new_value)

    result = editor.apply()
    new_start, new_end = _yaml_region(result, front_matter)
    if result[:new_start] != text[:start] or result[new_end:] != text[end:]:
        raise CheckinError("internal error: the edit left the YAML; file left unchanged")
    _verify(region, result[new_start:new_end], objective_id, kr_id, fields)
    return result


def add_checkin_to_file(
    path: Path, objective_id: str, kr_id: str, checkin: Mapping[str, Any]
) -> None:
    """Add a check-in to the unit file at ``path`` and write it atomically.

    ``.md`` files must have YAML front matter. The new text is written to a
    temporary file in the same directory and moved over the original with
    ``os.replace``, so an interrupted run never leaves a half-written file; the
    original's permission bits are kept.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CheckinError(f"{path}: cannot read the file ({error.strerror})") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CheckinError(f"{path}: not UTF-8 text ({error.reason})") from error
    try:
        new_text = add_checkin(
            text, objective_id, kr_id, checkin, front_matter=path.suffix.lower() == ".md"
        )
    except CheckinError as error:
        raise CheckinError(f"{path}: {error}") from error
    _write_atomically(path, new_text.encode("utf-8"))


def find_unit_file(content_dir: Path, cycle_id: str, unit_id: str) -> Path:
    """The file holding ``unit_id``'s OKRs in ``cycle_id``: ``<unit>.yaml|.yml|.md``.

    Why here: the CLI resolves ``okrsite checkin UNIT/OBJ/KR`` to a file; the
    loader accepts these suffixes (``load.UNIT_SUFFIXES``), and more than one
    file for a unit would be ambiguous.
    """
    if not SLUG_RE.match(unit_id):
        raise CheckinError(f"'{unit_id}' is not a unit id")
    if "/" in cycle_id or "\\" in cycle_id or cycle_id in ("", ".", ".."):
        raise CheckinError(f"'{cycle_id}' is not a cycle id")
    folder = content_dir / cycle_id
    found = [folder / f"{unit_id}{suffix}" for suffix in UNIT_SUFFIXES]
    existing = [p for p in found if p.is_file()]
    if len(existing) == 1:
        return existing[0]
    if not existing:
        raise CheckinError(
            f"no file for unit '{unit_id}' in cycle '{cycle_id}' "
            f"(looked for {', '.join(str(p) for p in found)})"
        )
    raise CheckinError(f"{' and '.join(str(p) for p in existing)} all exist; keep one")


# --------------------------------------------------------------------------
# locating nodes


def _yaml_region(text: str, front_matter: bool | None) -> tuple[int, int]:
    """Start and end offsets of the YAML inside ``text`` (front matter or all)."""
    if front_matter is False:
        return 0, len(text)
    opening = _FRONT_MATTER_OPEN.match(text)
    closing = _FRONT_MATTER_CLOSE.search(text, opening.end()) if opening else None
    if opening and closing:
        return opening.end(), closing.start()
    if front_matter:
        raise CheckinError(
            "no YAML front matter: a .md unit file must start with a '---' line and "
            "close the YAML with another '---' line"
        )
    return 0, len(text)


def _compose(region: str) -> yaml.MappingNode:
    try:
        root = yaml.compose(region, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise CheckinError(f"the file is not valid YAML, fix it first:\n{error}") from error
    if not isinstance(root, yaml.MappingNode):
        raise CheckinError("the file has no OKRs (expected a mapping with 'objectives:')")
    return root


def _get(mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) pair of ``key``; duplicates are refused."""
    pairs = [(k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    if len(pairs) > 1:
        line = pairs[1][0].start_mark.line + 1
        raise CheckinError(f"duplicate key '{key}' (second one on line {line} of the YAML)")
    return pairs[0] if pairs else None


def _items_by_id(
    parent: yaml.MappingNode, list_key: str, what: str, wanted: str, where: str
) -> tuple[yaml.Node, yaml.MappingNode]:
    """The key node of ``list_key`` and the list item whose ``id`` is ``wanted``."""
    pair = _get(parent, list_key)
    if pair is None or not isinstance(pair[1], yaml.SequenceNode):
        raise CheckinError(f"{what} '{wanted}' not found: {where} has no '{list_key}' list")
    key_node, sequence = pair
    ids: list[str] = []
    matches: list[yaml.MappingNode] = []
    for item in sequence.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        id_pair = _get(item, "id")
        if id_pair is None or not isinstance(id_pair[1], yaml.ScalarNode):
            continue
        ids.append(id_pair[1].value)
        if id_pair[1].value == wanted:
            matches.append(item)
    if not matches:
        known = ", ".join(repr(i) for i in ids[:20]) or "none"
        raise CheckinError(f"{what} '{wanted}' not found in {where} ({list_key}: {known})")
    if len(matches) > 1:
        raise CheckinError(f"{what} id '{wanted}' appears more than once in {where}")
    return key_node, matches[0]


def _find_key_result(
    root: yaml.MappingNode, objective_id: str, kr_id: str
) -> tuple[yaml.MappingNode, yaml.Node]:
    """The key result's mapping node and the ``key_results`` key above it."""
    _, objective = _items_by_id(root, "objectives", "objective", objective_id, "this file")
    kr_key, kr = _items_by_id(
        objective, "key_results", "key result", kr_id, f"objective '{objective_id}'"
    )
    return kr, kr_key


# --------------------------------------------------------------------------
# formatting the new check-in


def _checkin_fields(checkin: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Validate the check-in and return ``(key, YAML token)`` in model field order."""
    fields = CheckIn.model_fields
    unknown = sorted(str(k) for k in checkin if k not in fields)
    if unknown:
        raise CheckinError(
            f"unknown check-in field(s): {', '.join(unknown)} (allowed: {', '.join(fields)})"
        )
    values = {k: v for k, v in checkin.items() if v is not None}
    date = values.get("date")
    if isinstance(date, str):
        try:
            values["date"] = dt.date.fromisoformat(date)
        except ValueError as error:
            raise CheckinError(f"check-in date {date!r} is not YYYY-MM-DD") from error
    elif isinstance(date, dt.datetime):
        raise CheckinError("check-in date must be a date, not a date and time")
    try:
        CheckIn.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'check-in'}: {e['msg']}"
            for e in error.errors()
        )
        raise CheckinError(f"invalid check-in: {problems}") from error
    return [(name, _scalar(values[name])) for name in fields if name in values]


def _scalar(value: Any) -> str:
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
    raise CheckinError(f"cannot write a {type(value).__name__} in a check-in")


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


def _flow_item(fields: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in fields) + "}"


# --------------------------------------------------------------------------
# editing


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    order: int
    """Among edits at the same place, lower goes first."""
    whole_lines: bool = False
    """The text is whole lines: it must start at the beginning of a line."""


class _Editor:
    """Collects text edits against absolute offsets and applies them at once."""

    def __init__(self, text: str, base: int) -> None:
        self.text = text
        self.base = base
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.edits: list[_Edit] = []

    def pos(self, mark: yaml.Mark) -> int:
        """Absolute offset of a mark from the composed region."""
        return self.base + mark.index

    def after_line(self, position: int) -> int:
        """Start of the line after the one holding ``position`` (or end of text)."""
        if position > 0 and self.text[position - 1] == "\n":
            return position
        found = self.text.find("\n", position)
        return len(self.text) if found < 0 else found + 1

    def insert_lines(self, position: int, lines: list[str], order: int) -> None:
        """Insert whole lines at a line start (after an unterminated last line too)."""
        body = "".join(line + self.newline for line in lines)
        self.edits.append(_Edit(position, position, body, order, whole_lines=True))

    def insert(self, position: int, text: str, order: int) -> None:
        self.edits.append(_Edit(position, position, text, order))

    def replace(self, start: int, end: int, text: str) -> None:
        self.edits.append(_Edit(start, end, text, 0))

    def apply(self) -> str:
        parts: list[str] = []
        cursor = 0
        for edit in sorted(self.edits, key=lambda e: (e.start, e.order)):
            if edit.start < cursor:
                raise CheckinError("internal error: overlapping edits; file left unchanged")
            parts.append(self.text[cursor : edit.start])
            written = "".join(parts)
            if edit.whole_lines and written and not written.endswith("\n"):
                parts.append(self.newline)  # the file's last line had no line break
            parts.append(edit.text)
            cursor = edit.end
        parts.append(self.text[cursor:])
        return "".join(parts)


# Order of insertions that land at the same offset: an item appended to an
# existing list must stay inside that list, so it goes before a new
# ``current:`` line; a brand-new ``checkins:`` key reads best after it.
_ORDER_APPEND_ITEM = 0
_ORDER_CURRENT = 1
_ORDER_NEW_CHECKINS = 2


def _content_end(editor: _Editor, node: yaml.Node) -> int:
    """Absolute offset just after a node's last character of content.

    A block collection's own end mark points at the next token, possibly past
    comments and blank lines that follow; recursing into its last child finds
    where its text really ends. A block scalar (``|``, ``>``) ends after its
    trailing blank lines; unless it keeps them (``|+``) they are not content,
    so we stop at its last non-blank line and the blank lines stay below.
    """
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        key, value = node.value[-1]
        return max(_content_end(editor, key), _content_end(editor, value))
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(editor, node.value[-1])
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


def _dash_column(editor: _Editor, item: yaml.Node) -> int | None:
    """Column of the ``-`` introducing a block sequence item on the item's line."""
    start = editor.pos(item.start_mark)
    line_start = editor.text.rfind("\n", 0, start) + 1
    before = editor.text[line_start:start].rstrip(" ")
    if before.endswith("-") and (len(before) == 1 or before[-2] in " -"):
        return len(before) - 1
    return None


def _sequence_offset(editor: _Editor, list_key: yaml.Node, item: yaml.Node) -> int:
    """How far this file indents list items under their key (0 or usually 2)."""
    dash = _dash_column(editor, item)
    if dash is None:
        return _DEFAULT_SEQUENCE_OFFSET
    offset = dash - int(list_key.start_mark.column)
    return offset if offset >= 0 else _DEFAULT_SEQUENCE_OFFSET


def _append_checkin(
    editor: _Editor, kr: yaml.MappingNode, fields: list[tuple[str, str]], offset: int
) -> None:
    flow = _flow_item(fields)
    pair = _get(kr, "checkins")
    if kr.flow_style:
        if pair is None:
            last = kr.value[-1][1]
            editor.insert(editor.pos(last.end_mark), f", checkins: [{flow}]", _ORDER_NEW_CHECKINS)
            return
        _append_to_flow_sequence(editor, pair[1], flow)
        return

    indent = int(kr.value[0][0].start_mark.column)
    if pair is None:
        at = editor.after_line(_content_end(editor, kr))
        lines = [" " * indent + "checkins:", " " * (indent + offset) + "- " + flow]
        editor.insert_lines(at, lines, _ORDER_NEW_CHECKINS)
        return

    key, value = pair
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        _append_to_flow_sequence(editor, value, flow)
    elif isinstance(value, yaml.SequenceNode):
        _append_to_block_sequence(editor, value, fields)
    elif _is_empty_scalar(value):
        at = editor.after_line(editor.pos(key.end_mark))
        editor.insert_lines(at, [" " * (indent + offset) + "- " + flow], _ORDER_APPEND_ITEM)
    else:
        line = key.start_mark.line + 1
        raise CheckinError(f"'checkins' (line {line} of the YAML) is not a list")


def _append_to_flow_sequence(editor: _Editor, sequence: yaml.Node, flow: str) -> None:
    if not isinstance(sequence, yaml.SequenceNode):
        raise CheckinError("'checkins' is not a list")
    if sequence.value:
        editor.insert(editor.pos(sequence.value[-1].end_mark), f", {flow}", _ORDER_APPEND_ITEM)
    else:
        editor.insert(editor.pos(sequence.start_mark) + 1, flow, _ORDER_APPEND_ITEM)


def _append_to_block_sequence(
    editor: _Editor, sequence: yaml.SequenceNode, fields: list[tuple[str, str]]
) -> None:
    """Append after the last item, copying its dash column and its style."""
    last = sequence.value[-1]
    dash = _dash_column(editor, last)
    if dash is None:
        raise CheckinError(
            "cannot tell how the check-in list is indented (is the item on the line "
            "after its '-'?); add the check-in by hand"
        )
    content = int(last.start_mark.column)
    lead = " " * dash + "-" + " " * (content - dash - 1)
    if isinstance(last, yaml.MappingNode) and not last.flow_style:
        lines = [
            lead + f"{k}: {v}" if i == 0 else " " * content + f"{k}: {v}"
            for i, (k, v) in enumerate(fields)
        ]
    else:
        lines = [lead + _flow_item(fields)]
    at = editor.after_line(_content_end(editor, last))
    editor.insert_lines(at, lines, _ORDER_APPEND_ITEM)


def _is_empty_scalar(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == "" and node.style is None


def _set_current(editor: _Editor, kr: yaml.MappingNode, token: str) -> None:
    """Replace the value token of ``current:``, or add ``current:`` (see add_checkin)."""
    pair = _get(kr, "current")
    if pair is not None:
        key, value = pair
        if not isinstance(value, yaml.ScalarNode):
            raise CheckinError(f"'current' (line {key.start_mark.line + 1}) is not a number")
        if _is_empty_scalar(value):
            editor.replace(editor.pos(value.start_mark), editor.pos(value.end_mark), " " + token)
        else:
            editor.replace(editor.pos(value.start_mark), editor.pos(value.end_mark), token)
        return
    if kr.flow_style:
        last = kr.value[-1][1]
        editor.insert(editor.pos(last.end_mark), f", current: {token}", _ORDER_CURRENT)
        return
    indent = int(kr.value[0][0].start_mark.column)
    target = _get(kr, "target")
    anchor = target[1] if target is not None else kr
    at = editor.after_line(_content_end(editor, anchor))
    editor.insert_lines(at, [" " * indent + f"current: {token}"], _ORDER_CURRENT)


# --------------------------------------------------------------------------
# verification and writing


def _verify(
    old_region: str,
    new_region: str,
    objective_id: str,
    kr_id: str,
    fields: list[tuple[str, str]],
) -> None:
    """Require new data == old data + the check-in (+ current); never write otherwise."""
    try:
        before = yaml.safe_load(old_region)
        after = yaml.safe_load(new_region)
        item = yaml.safe_load(_flow_item(fields))
    except Exception as error:  # a constructor error (bad date…) in the old or new file
        raise CheckinError(
            f"the edited file would not load ({error}); file left unchanged"
        ) from error
    expected = copy.deepcopy(before)
    try:
        objective = next(o for o in expected["objectives"] if o.get("id") == objective_id)
        kr = next(k for k in objective["key_results"] if k.get("id") == kr_id)
    except (KeyError, TypeError, AttributeError, StopIteration) as error:
        raise CheckinError("cannot find the key result in the loaded file") from error
    if kr.get("checkins") is None:
        kr["checkins"] = []
    kr["checkins"].append(item)
    if "value" in item:
        kr["current"] = item["value"]
    if after != expected:
        raise CheckinError(
            "internal error: the edit would change more than the check-in; "
            "file left unchanged (please report this with the file)"
        )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory and ``os.replace``."""
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = None
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
