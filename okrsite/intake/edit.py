"""Add items to a top-level list of ``org.yaml`` or ``company.yaml`` as text.

Like :mod:`okrsite.review.checkin`: the file is composed with PyYAML only to
find where the list ends and how its items are indented; the new items are
inserted as lines there and every other byte (comments, blank lines, quoting,
key order) stays as the user wrote it. The result is parsed again and must
equal the old data plus exactly the new items, or nothing is changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from okrsite.errors import OkrsiteError
from okrsite.review.checkin import quote


class EditError(OkrsiteError):
    """The file's layout is one we cannot extend safely; it is left unchanged."""


def _last_line_of(node: yaml.Node) -> int:
    """0-based line of the last character of ``node``'s content (comments excluded)."""
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:  # pragma: no cover - compose yields only these three
        children = []
    if getattr(node, "flow_style", False) or not children:
        return node.end_mark.line
    return max(_last_line_of(child) for child in children)


def append_items(
    text: str, key: str, items: list[list[tuple[str, str]]], comment: str | None = None
) -> str:
    """``text`` with ``items`` (each a list of ``(field, YAML scalar)``) appended
    to the top-level list ``key``; ``comment`` goes on a line before them."""
    if not items:
        return text
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as err:
        raise EditError(f"cannot read it as YAML: {err}") from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if root is None:
        root_pairs: list[tuple[yaml.Node, yaml.Node]] = []
    elif isinstance(root, yaml.MappingNode) and not root.flow_style:
        root_pairs = root.value
    else:
        raise EditError("expected a mapping of keys to values at the top")
    found = next((pair for pair in root_pairs if getattr(pair[0], "value", None) == key), None)

    def block(dash: int, flow_items: bool = False) -> list[str]:
        out = [f"{' ' * dash}# {comment}\n"] if comment else []
        for fields in items:
            if flow_items:  # in the style of the existing `- {id: …, name: …}` items
                inner = ", ".join(f"{name}: {_flow_safe(value)}" for name, value in fields)
                out.append(f"{' ' * dash}- {{{inner}}}\n")
                continue
            for index, (name, value) in enumerate(fields):
                lead = f"{' ' * dash}- " if index == 0 else " " * (dash + 2)
                out.append(f"{lead}{name}: {value}\n")
        return out

    if found is None:
        new_lines = [*lines, f"{key}:\n", *block(2)]
    else:
        key_node, value = found
        if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
            first = value.value[0]
            line_text = lines[first.start_mark.line]
            dash = line_text.rfind("-", 0, first.start_mark.column)
            if dash < 0:
                raise EditError(f"cannot find the '-' of the first item of '{key}'")
            after = _last_line_of(value) + 1
            flow_items = isinstance(first, yaml.MappingNode) and bool(first.flow_style)
            new_lines = [*lines[:after], *block(dash, flow_items), *lines[after:]]
        elif (isinstance(value, yaml.SequenceNode) and not value.value) or (
            isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null")
        ):
            # `key: []`, `key:` or `key: null`: the value becomes a block list.
            line = key_node.start_mark.line
            if value.end_mark.line != line:
                raise EditError(f"cannot extend '{key}': its value spans lines")
            head = lines[line][: value.start_mark.column].rstrip()
            if isinstance(value, yaml.ScalarNode) and not value.value:
                head = lines[line][: key_node.end_mark.column + 1].rstrip()
            tail = lines[line][value.end_mark.column :].strip()
            head_line = f"{head}{'  ' + tail if tail.startswith('#') else ''}\n"
            new_lines = [
                *lines[:line],
                head_line,
                *block(key_node.start_mark.column + 2),
                *lines[line + 1 :],
            ]
        else:
            raise EditError(f"cannot extend '{key}': write it as a block list ('- ' items)")
    result = "".join(new_lines)
    _verify(text, result, key, items)
    return result


def _flow_safe(value: str) -> str:
    """A block-context scalar made safe inside ``{…}``: a plain scalar holding a
    flow indicator (``Sales, EMEA``) is double-quoted."""
    if value.startswith('"') or not any(ch in value for ch in ",[]{}"):
        return value
    return quote(value)


def _verify(old: str, new: str, key: str, items: list[list[tuple[str, str]]]) -> None:
    before: Any = yaml.safe_load(old) or {}
    try:
        after: Any = yaml.safe_load(new)
    except yaml.YAMLError as err:
        raise EditError(
            f"internal error: the edit does not parse ({err}); file left unchanged"
        ) from None
    listed = "".join(
        "".join(f"{'- ' if i == 0 else '  '}{k}: {v}\n" for i, (k, v) in enumerate(fields))
        for fields in items
    )
    expected_items = yaml.safe_load(listed)  # one parse for all the new items
    expected = dict(before) if isinstance(before, Mapping) else {}
    expected[key] = list(expected.get(key) or []) + expected_items
    if after != expected:
        raise EditError("internal error: the edit changed more than intended; file left unchanged")
