"""The everyday shape of a content file, read line by line without libyaml.

Nearly every content file is block mappings and lists of plain or simply
quoted scalars, with one-line flow lists and mappings (``aligns_to: [a, b]``,
check-ins as ``- {date: …, value: …}``). :func:`read_simple` reads exactly
that subset with a few regular expressions per line, about four times faster
than building the same data from libyaml's event stream, which creates a
Python object per event and a location per value.

It records the location of the root and of every mapping and list (what a
validated node needs as its ``source``), not of every scalar and key: those
are only needed for an error message, and :class:`~okrsite.source.loaded.
LoadedFile` computes them from the text with the strict reader when first
asked. Anything outside the subset (anchors, tags, block scalars, multi-line
or escaped scalars, comments after a value, duplicate or non-text keys, odd
indentation, …) makes :func:`read_simple` return ``None`` and the strict
reader (:mod:`~okrsite.source.yaml_events`) reads the file instead, so errors
and unusual files are always handled by one implementation. For what it
accepts it gives exactly the strict reader's data: the tests compare both on
generated files, the test corpus and a synthetic company.
"""

from __future__ import annotations

import re
from typing import Any

from okrsite.source.loaded import MAX_DEPTH, DataPath, Location
from okrsite.source.yaml_scalars import MAYBE_TYPED, UNRESOLVED, PlainScalars

_UNUSUAL = ("\t", "\r", "\\", "\x85", "\u2028", "\u2029", "\ufeff")
"""Characters that send a whole file to the strict reader: tabs, other line
breaks than LF, escapes (the strict reader checks what they produce)."""

_KEY_CHARS = r"[A-Za-z0-9_][A-Za-z0-9_.\-]*"
_LINE = re.compile(rf"^( *)(-(?: +|$))?(?:({_KEY_CHARS})(:(?: +|$)))?(.*)$", re.MULTILINE)
"""One line: indent, a list item's '- ', a plain key and its ':', the rest."""
_LONGEST_KEY = 1000
"""libyaml refuses keys longer than 1,024 characters; leave those to it."""

# A scalar inside a one-line flow list or mapping: double-quoted without
# escapes, single-quoted, or plain (no ',[]{}:#' inside; not starting with
# an indicator, except '-' before a digit or '.' as in -0.5).
_FLOW_PLAIN = r"(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|-[0-9.])[^,\[\]{}:#]*"
_FLOW_SCALAR = rf"(?:\"[^\"]*\"|'(?:[^']|'')*'|{_FLOW_PLAIN})"
_FLOW_LIST = re.compile(rf"\[ *(?:{_FLOW_SCALAR} *(?:, *{_FLOW_SCALAR} *)*)?\] *")
_FLOW_ITEM = re.compile(rf"({_FLOW_SCALAR})")
_FLOW_PAIR_TEXT = rf"{_KEY_CHARS}: +{_FLOW_SCALAR}"
_FLOW_MAP = re.compile(rf"\{{ *(?:{_FLOW_PAIR_TEXT} *(?:, *{_FLOW_PAIR_TEXT} *)*)?\}} *")
_FLOW_PAIR = re.compile(rf"({_KEY_CHARS}): +({_FLOW_SCALAR})")
_DOUBLE_QUOTED = re.compile(r"\"([^\"]*)\" *")
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)' *")
_KEY_ONLY = re.compile(_KEY_CHARS)
_FLOW_BAD_FIRST = frozenset(" -?:,[]{}#&*!|>'\"%@`")
"""A plain scalar in a flow collection does not start with these (but -1 does)."""
_INDICATORS = frozenset("-?:,[]{}#&*!|>%@`")
"""A block value starting with one of these is not a plain scalar here."""
_NOT_PLAIN = _INDICATORS | frozenset("\"'")
_NUMBER_STARTS = frozenset("0123456789.")
_DEEPEST = MAX_DEPTH - 2
"""Deeper nesting is left to the strict reader (it reports > MAX_DEPTH)."""


class _Unusual(Exception):
    """The file is outside the subset: read it with the strict reader."""


def read_simple(
    text: str, scalars: PlainScalars
) -> tuple[dict[str, Any], dict[DataPath, Location]] | None:
    """``text`` as (data, locations of the root and every mapping and list),
    or ``None`` when it is not in the subset this module reads.

    ``text`` has passed :func:`~okrsite.source.text.check_text`. Locations
    are 1-based (line, column), as the strict reader records them.
    """
    for char in _UNUSUAL:
        if char in text:
            return None
    try:
        return _Reader(scalars).read(text)
    except _Unusual:
        return None


class _Reader:
    """One :func:`read_simple` run."""

    def __init__(self, scalars: PlainScalars) -> None:
        self.scalars = scalars
        self.known = scalars.known
        self.nodes: dict[DataPath, Location] = {}
        # Keys already known to be text, each to its first occurrence: every
        # mapping of the file then holds that one string object. A company's
        # files repeat a few keys tens of thousands of times (check-ins): one
        # object per key and file makes the parse cache's pickles a third
        # smaller and faster to read (pickle writes a repeated object once),
        # and validation faster (a string's hash is computed once).
        self.text_keys: dict[str, str] = {}
        # ``key: value`` pairs of plain flow maps already read in this file
        # (``date: 2026-10-08`` recurs in every key result's check-ins).
        self.flow_parts: dict[str, tuple[str, Any]] = {}

    def key(self, key: str) -> None:
        """Refuses a plain key the strict reader would not take as text."""
        if len(key) > _LONGEST_KEY or (
            key[0] in MAYBE_TYPED and type(self.scalars.resolve(key)) is not str
        ):
            raise _Unusual
        self.text_keys[key] = key

    def scalar(self, token: str) -> Any:
        """A scalar token of a flow list or mapping (see ``_FLOW_SCALAR``)."""
        first = token[0]
        if first == '"':
            return token[1:-1]
        if first == "'":
            return token[1:-1].replace("''", "'")
        token = token.rstrip(" ")
        if first in MAYBE_TYPED:
            value = self.known.get(token, UNRESOLVED)
            return self.scalars.resolve(token) if value is UNRESOLVED else value
        return token

    def value(self, text: str, column: int, path: DataPath, line: int, depth: int) -> Any:
        """The value written on a line from 0-based ``column`` (not empty)."""
        first = text[0]
        if first == '"':
            match = _DOUBLE_QUOTED.fullmatch(text)
            if match is None:
                raise _Unusual
            return match[1]
        if first == "'":
            match = _SINGLE_QUOTED.fullmatch(text)
            if match is None:
                raise _Unusual
            return match[1].replace("''", "'")
        if first == "[" or first == "{":
            if depth >= _DEEPEST:
                raise _Unusual
            self.nodes[path] = (line, column + 1)
            return self.flow_list(text) if first == "[" else self.flow_map(text)
        if first in _INDICATORS and (first != "-" or text[1:2] not in _NUMBER_STARTS):
            raise _Unusual
        return self.plain(text)

    def plain(self, text: str) -> Any:
        """A plain block scalar (the rest of its line)."""
        text = text.rstrip(" ")
        if ": " in text or text[-1] == ":" or " #" in text:
            raise _Unusual
        if text[0] not in MAYBE_TYPED:
            return text
        value = self.known.get(text, UNRESOLVED)
        return self.scalars.resolve(text) if value is UNRESOLVED else value

    def flow_list(self, text: str) -> list[Any]:
        if _FLOW_LIST.fullmatch(text) is None:
            raise _Unusual
        scalar = self.scalar
        return [scalar(token) for token in _FLOW_ITEM.findall(text)]

    def flow_map(self, text: str) -> dict[str, Any]:
        quick = self.plain_flow_map(text)
        if quick is not None:
            return quick
        if _FLOW_MAP.fullmatch(text) is None:
            raise _Unusual
        pairs = _FLOW_PAIR.findall(text)
        text_keys, scalar = self.text_keys, self.scalar
        mapping: dict[str, Any] = {}
        for key, token in pairs:
            canonical = text_keys.get(key)
            if canonical is None:
                self.key(key)
                canonical = key
            mapping[canonical] = scalar(token)
        if len(mapping) != len(pairs):
            raise _Unusual  # a duplicate key: the strict reader reports it
        return mapping

    def plain_flow_map(self, text: str) -> dict[str, Any] | None:
        """``{k: v, k: v}`` of plain keys and values with exactly ', ' and ': '
        between them (how check-ins are written), read without a regular
        expression; None for anything else (:meth:`flow_map` then decides)."""
        body = text.rstrip(" ")
        if body[-1] != "}" or "'" in body or '"' in body:
            return None
        inner = body[1:-1]
        if "[" in inner or "]" in inner or "{" in inner or "}" in inner or "#" in inner:
            return None
        text_keys, known, maybe_typed, bad_first = (
            self.text_keys,
            self.known,
            MAYBE_TYPED,
            _FLOW_BAD_FIRST,
        )
        mapping: dict[str, Any] = {}
        parts = inner.split(", ")
        read_parts = self.flow_parts
        for part in parts:
            found = read_parts.get(part)
            if found is not None:  # check-ins repeat their dates, confidences, flags
                mapping[found[0]] = found[1]
                continue
            key, colon, value = part.partition(": ")
            if not colon or not value or ":" in value or "," in value:
                return None
            first = value[0]
            if first in bad_first and (first != "-" or value[1:2] not in _NUMBER_STARTS):
                return None
            canonical = text_keys.get(key)
            if canonical is None:
                if _KEY_ONLY.fullmatch(key) is None:
                    return None
                self.key(key)
                canonical = key
            key = canonical
            value = value.rstrip(" ")
            if first in maybe_typed:
                known_value = known.get(value, UNRESOLVED)
                value = self.scalars.resolve(value) if known_value is UNRESOLVED else known_value
            read_parts[part] = (key, value)
            mapping[key] = value
        if len(mapping) != len(parts):
            raise _Unusual  # a duplicate key: the strict reader reports it
        return mapping

    def read(self, text: str) -> tuple[dict[str, Any], dict[DataPath, Location]]:
        nodes, text_keys = self.nodes, self.text_keys
        not_plain, plain_value = _NOT_PLAIN, self.plain
        root: dict[str, Any] | None = None
        # Open mappings and lists: (indent, container, data path, is a mapping).
        stack: list[tuple[int, Any, DataPath, bool]] = []
        # A key with nothing after its ':' (indent, mapping, key, path): its
        # value is the block on the next lines, or null.
        pending: tuple[int, dict[str, Any], str, DataPath] | None = None
        number = 0
        for spaces, dash, key, colon, rest in _LINE.findall(text):
            number += 1
            if not dash and not key:
                if not rest or rest[0] == "#":
                    continue  # blank or comment line
                raise _Unusual  # a bare value: continued scalar, '---', a root scalar…
            indent = len(spaces)
            if pending is not None:
                key_indent, parent, parent_key, path = pending
                pending = None
                if indent > key_indent or (dash and indent == key_indent):
                    if len(stack) >= _DEEPEST:
                        raise _Unusual
                    block: Any = [] if dash else {}
                    parent[parent_key] = block
                    nodes[path] = (number, indent + 1)
                    stack.append((indent, block, path, not dash))
                else:
                    parent[parent_key] = None
            elif root is None:
                if indent or dash:
                    raise _Unusual
                root = {}
                nodes[()] = (number, 1)
                stack.append((0, root, (), True))
            while True:  # close what this line's indentation ends
                top_indent, container, path, is_map = stack[-1]
                if indent < top_indent or (indent == top_indent and not is_map and not dash):
                    stack.pop()
                    if not stack:
                        raise _Unusual
                    continue
                break
            if indent != top_indent:
                raise _Unusual
            if is_map:
                if dash or not key:
                    raise _Unusual
                mapping = container
                column = indent
            elif key:  # "- key: …" opens a mapping in the list
                if len(stack) >= _DEEPEST:
                    raise _Unusual
                column = indent + len(dash)
                mapping = {}
                path = (*path, len(container))
                container.append(mapping)
                nodes[path] = (number, column + 1)
                stack.append((column, mapping, path, True))
            else:  # "- value"
                if not rest or rest[0] == "#":
                    raise _Unusual
                column = indent + len(dash)
                item_path = (*path, len(container))
                if rest[0] in not_plain:
                    container.append(self.value(rest, column, item_path, number, len(stack)))
                else:
                    container.append(plain_value(rest))
                continue
            # key: value, in ``mapping`` at 0-based ``column``
            canonical = text_keys.get(key)
            if canonical is None:
                self.key(key)
                canonical = key
            key = canonical
            if key in mapping:
                raise _Unusual  # duplicate key: the strict reader reports it
            if not rest:
                pending = (column, mapping, key, (*path, key))
            elif rest[0] in not_plain:
                column += len(key) + len(colon)
                mapping[key] = self.value(rest, column, (*path, key), number, len(stack))
            else:
                mapping[key] = plain_value(rest)
        if root is None:
            raise _Unusual  # empty, or only comments: the strict reader says what is wrong
        if pending is not None:
            pending[1][pending[2]] = None
        return root, nodes
