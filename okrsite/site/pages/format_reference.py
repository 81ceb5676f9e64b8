"""The "Content format" page: every field of every content file, generated
from the model's JSON Schema (the same one ``okrsite schema`` publishes for
editors), so the page and the schema cannot disagree.

Pure: the schema in, Markdown out. Each object of the format (a cycle, a key
result, a check-in…) gets a table: field, type, default, description.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from okrsite import urls
from okrsite.model import schema
from okrsite.site.context import SiteContext
from okrsite.site.pages.render import render
from okrsite.site.tree import GeneratedFile

FILES = (
    ("CompanyFile", "content/company.yaml"),
    ("OrgFile", "content/org.yaml"),
    ("UnitCycleFile", "content/<cycle>/<unit>.yaml"),
)
"""The three kinds of content file, by their schema definition."""

REFERENCE_FIELDS = frozenset({"aligns_to", "contributes_to", "related"})


@dataclass(frozen=True)
class FieldRow:
    name: Markup
    """The key as a code span (field names are okrsite's own identifiers)."""
    type: Markup
    default: str
    description: str


@dataclass(frozen=True)
class ObjectSection:
    anchor: str
    title: str
    file: Markup | None
    """The file this object is (a code span), for the three top-level ones."""
    description: str
    fields: list[FieldRow]


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    del ctx  # the format is the same for every company
    yield GeneratedFile(urls.FORMAT, render_format_page())


def render_format_page() -> str:
    """The whole page, from :func:`okrsite.model.schema`."""
    return render("format.md.j2", sections=format_sections(schema()))


def format_sections(json_schema: dict[str, Any]) -> list[ObjectSection]:
    """One section per object of the format: the three files first, each
    followed by the objects it holds (in the order their fields name them)."""
    definitions: dict[str, Any] = json_schema["$defs"]
    order: list[str] = []
    pending = [name for name, _ in FILES]
    while pending:
        name = pending.pop(0)
        if name in order or name not in definitions:
            continue
        order.append(name)
        nested = [
            ref for prop in definitions[name].get("properties", {}).values() for ref in _refs(prop)
        ]
        # Depth first, so a file's objects follow it before the next file.
        pending[:0] = [ref for ref in nested if ref not in order]
    files = dict(FILES)
    # A file's docstring starts with its path, already in the section title.
    described = {
        name: str(definitions[name].get("description", "")).replace("``", "")
        for name in order
    }
    for name, path in files.items():
        described[name] = described.get(name, "").removeprefix(f"{path}: ").capitalize()
    return [
        ObjectSection(
            anchor=_anchor(name),
            title=_title(name),
            file=Markup(f"`{files[name]}`") if name in files else None,
            # Class docstrings quote names reStructuredText-style (``id``).
            description=described[name],
            fields=_fields(definitions[name]),
        )
        for name in order
    ]


def _fields(definition: dict[str, Any]) -> list[FieldRow]:
    required = set(definition.get("required", []))
    rows = []
    for name, prop in definition.get("properties", {}).items():
        if name in required:
            default = "required"
        elif "default" in prop and prop["default"] not in (None, [], {}):
            default = _value(prop["default"])
        else:
            default = ""
        rows.append(
            FieldRow(
                name=Markup(f"`{name}`"),
                type=_type(prop, name),
                default=default,
                description=str(prop.get("description", "")),
            )
        )
    return rows


def _type(prop: dict[str, Any], name: str = "") -> Markup:
    """A readable type: ``number (0–1)``, ``list of [Check-in](#check-in)``…"""
    if name in REFERENCE_FIELDS:
        return Markup("list of [references](#references)")
    if "$ref" in prop:
        target = prop["$ref"].rsplit("/", 1)[-1]
        return Markup(f"[{_title(target)}](#{_anchor(target)})")
    if "anyOf" in prop:
        kinds = [_type(option) for option in prop["anyOf"] if option.get("type") != "null"]
        return Markup(" or ").join(kinds)
    if "enum" in prop:
        return Markup(" · ").join(Markup(f"`{value}`") for value in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        return Markup("list of ") + _type(prop.get("items", {}))
    if kind == "object":
        values = next(iter(prop.get("patternProperties", {}).values()), None)
        inner = _type(values) if values else Markup("values")
        return Markup("mapping of rule id to ") + inner
    if kind == "string":
        return Markup("date (YYYY-MM-DD)" if prop.get("format") == "date" else "text")
    if kind in ("number", "integer"):
        word = "whole number" if kind == "integer" else "number"
        low, high = prop.get("minimum"), prop.get("maximum")
        if low is not None and high is not None:
            return Markup(f"{word} ({_value(low)}–{_value(high)})")
        return Markup(word)
    if kind == "boolean":
        return Markup("`true` or `false`")
    if "const" in prop:
        return Markup(f"`{_value(prop['const'])}`")
    return Markup("value")


def _refs(prop: dict[str, Any]) -> list[str]:
    """Definitions a property holds (directly, in a list or in a union)."""
    found: list[str] = []
    if "$ref" in prop:
        found.append(prop["$ref"].rsplit("/", 1)[-1])
    for option in prop.get("anyOf", []):
        found.extend(_refs(option))
    if isinstance(prop.get("items"), dict):
        found.extend(_refs(prop["items"]))
    return found


_TITLES = {
    "CompanyFile": "Company file",
    "OrgFile": "Organisation file",
    "UnitCycleFile": "Unit file",
    "CycleDef": "Cycle",
    "UnitDef": "Unit",
    "CheckIn": "Check-in",
    "KeyResult": "Key result",
    "AnnualObjective": "Annual objective",
    "CandidateObjective": "Candidate objective",
    "CheckLimits": "Check limits",
    "HealthMetric": "Health metric",
}


def _title(name: str) -> str:
    return _TITLES.get(name, name)


def _anchor(name: str) -> str:
    return _title(name).lower().replace(" ", "-")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
