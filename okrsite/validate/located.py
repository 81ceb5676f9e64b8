"""Pydantic validation errors → messages in plain words, each at its place.

Pydantic's error ``loc`` tuples are data paths; the loader recorded a
line/column for every data path, so each error lands on the exact key or
value of the file (``content/2026-Q1/sales.yaml:12:5: 'target' should be a
number, not text 'lots'``).
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from okrsite.errors import ContentIssue
from okrsite.source import LoadedFile
from okrsite.source.loaded import DataPath

_TYPE_WORDS = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "date_type": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date without a time (YYYY-MM-DD)",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


_BOUND_WORDS = {
    "greater_than": ("more than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}


def located_issues(
    err: ValidationError, file: LoadedFile, schema: type[BaseModel]
) -> list[ContentIssue]:
    """Every error of ``err`` (validating ``file`` against ``schema``), located."""
    out: list[ContentIssue] = []
    seen: set[DataPath] = set()
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])
        path = _data_path(file.data, loc)
        kind = error["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            message = f"unknown key '{key}'"
            suggestion = difflib.get_close_matches(key, _fields_at(schema, path[:-1]), n=1)
            if suggestion:
                message += f" (did you mean '{suggestion[0]}'?)"
            out.append(ContentIssue(file.location(path, key=True), message))
            continue
        if path in seen:
            continue  # one message per value is enough (unions report once per branch)
        seen.add(path)
        name = _describe(path)
        if kind == "missing":
            location = file.location(path[:-1])
            out.append(ContentIssue(location, f"missing required key '{path[-1]}'"))
            continue
        location = file.location(path, key=False)
        ctx = error.get("ctx") or {}
        if kind == "string_pattern_mismatch":  # only rule ids have a pattern
            if loc[-1] == "[key]":
                location = file.location(path, key=True)
            message = (
                f"{_show(error.get('input')).removeprefix('text ')} is not a rule id "
                "(write OKR and three digits, e.g. OKR004)"
            )
        elif len(path) < len(loc):
            # A union (e.g. confidence: number or word) failed in every branch.
            message = f"{name}: {_show(error.get('input'))} is not allowed here" + _union_hint(path)
        elif kind in _BOUND_WORDS:
            words, bound = _BOUND_WORDS[kind]
            limit = _limit(ctx.get(bound))
            message = f"{name} should be {words} {limit}, not {_show(error.get('input'))}"
        elif kind == "string_too_short":
            message = f"{name} must not be empty"
        elif kind == "string_too_long":
            length = len(error.get("input") or "")
            message = (
                f"{name} is too long ({length} characters; the limit is {ctx.get('max_length')})"
            )
        elif kind == "too_short":
            minimum = ctx.get("min_length")
            message = f"{name} needs at least {minimum} item{'s' if minimum != 1 else ''}"
        elif kind == "too_long":
            message = (
                f"{name} has {ctx.get('actual_length')} items; the limit is "
                f"{ctx.get('max_length')} (split it up or leave some out)"
            )
        elif kind in _TYPE_WORDS:
            message = f"{name} should be {_TYPE_WORDS[kind]}, not {_show(error.get('input'))}"
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            message = f"{name} should be one of {expected}, not {_show(error.get('input'))}"
        elif kind == "value_error":
            message = str(error["msg"]).removeprefix("Value error, ")
        elif kind == "finite_number":
            message = f"{name} should be a finite number, not {_show(error.get('input'))}"
        else:
            message = f"{name}: {str(error['msg'])[:1].lower()}{str(error['msg'])[1:]}"
        out.append(ContentIssue(location, message))
    return out


def _union_hint(path: DataPath) -> str:
    if path and path[-1] == "confidence":
        return " (use a number from 0 to 1, or low, medium or high)"
    return ""


def _data_path(data: Any, loc: tuple[Any, ...]) -> DataPath:
    """The longest prefix of a pydantic ``loc`` that exists in the data.

    Union branches and ``[key]`` markers add loc parts that are not data keys.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            path.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        else:
            break
    return tuple(path)


def _fields_at(schema: type[BaseModel], path: DataPath) -> list[str]:
    """Field names of the model found at ``path`` inside ``schema`` (for hints)."""
    current: Any = schema
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        field = fields.get(part) if isinstance(fields, dict) else None
        if field is None:
            return []
        current = inner_model(field.annotation)
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(path: DataPath) -> str:
    """``('objectives', 0, 'key_results', 1, 'target')`` → ``'target'``.

    A list item is named by its position: ``('units', 2)`` → ``item 3 of 'units'``.
    """
    names = [p for p in path if isinstance(p, str)]
    name = f"'{names[-1]}'" if names else "the file"
    if path and isinstance(path[-1], int) and names:
        return f"item {path[-1] + 1} of {name}"
    return name


def _limit(value: Any) -> str:
    """A bound from the schema: ``1.0`` → ``1``, ``1e15`` → ``1000000000000000``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return f"text '{text}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if not hasattr(value, "isoformat") else value.isoformat()
