"""Which column is which: header synonyms, ``--map``, and the two shapes.

Headers match case-insensitively and ignoring punctuation and spacing
(``Key Result``, ``key_result``, ``KEY-RESULT:`` are one header). Two shapes:

- **row per key result** (team spreadsheets): ``Objective`` and ``Key
  Result`` columns; rows with the same team and objective form one objective.
- **row per item** (OKR tool exports): ``Type`` and ``Title`` columns; each
  row is an objective or a key result (other types are skipped).

``Unit`` is ambiguous: it names the team when no ``Team``/``Group`` column
exists, otherwise the unit of measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from okrsite.errors import ContentIssue, RowIssue, SourceLocation
from okrsite.intake.table import Table

Shape = Literal["per-kr", "per-item"]

SYNONYMS: dict[str, tuple[str, ...]] = {
    "team": ("team", "group", "team name", "owning team", "unit name"),
    "department": ("department", "dept", "division", "parent unit"),
    "objective": ("objective", "objective title", "objective name"),
    "key_result": ("key result", "kr", "key results", "key result title", "kr title", "kr name"),
    "type": ("type", "item type", "kind", "level"),
    "title": ("title", "name", "item", "item title"),
    "owner": ("owner", "kr owner", "item owner", "responsible", "assignee", "owner name"),
    "objective_owner": ("objective owner",),
    "start": ("start", "start value", "baseline", "initial value", "starting value"),
    "target": ("target", "target value", "goal", "target number"),
    "current": ("current", "current value", "actual", "actual value", "latest value"),
    "progress": ("progress", "progress %", "% complete", "percent complete", "completion"),
    "confidence": ("confidence", "confidence level"),
    "cycle": ("quarter", "cycle", "period", "time period", "okr period", "okr cycle"),
    "unit": ("unit of measure", "uom", "measure unit", "units", "metric unit"),
    "aligns_to": ("aligns to", "parent", "aligned to", "aligns with", "parent title", "supports"),
    "description": ("description", "details", "notes"),
}
"""Field → header spellings (normalised: lowercase, words separated by one space)."""

FIELD_NAMES = tuple(SYNONYMS)
REQUIRED: dict[Shape, tuple[str, ...]] = {
    "per-kr": ("team", "objective", "key_result"),
    "per-item": ("type", "title"),
}


def normalise(header: str) -> str:
    """``Key_Result (KR):`` → ``key result kr``; ``Progress %`` keeps its ``%``."""
    text = re.sub(r"[^\w%]+", " ", header.lower().replace("_", " "))
    return " ".join(text.split())


_LOOKUP = {spelling: name for name, spellings in SYNONYMS.items() for spelling in spellings}


@dataclass
class Columns:
    """The shape of a table and the column index of each field it has."""

    shape: Shape
    index: dict[str, int]

    def get(self, row: list[str], name: str) -> str:
        """The cell of field ``name`` in ``row`` ("" when the table has no such column)."""
        at = self.index.get(name)
        return row[at].strip() if at is not None and at < len(row) else ""


def parse_maps(maps: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """``--map "Owner email=owner"`` values → {normalised header: field}, and problems."""
    result: dict[str, str] = {}
    problems: list[str] = []
    for item in maps:
        header, sep, name = item.rpartition("=")
        name = name.strip().lower().replace(" ", "_").replace("-", "_")
        name = {"kr": "key_result", "parent": "aligns_to", "quarter": "cycle"}.get(name, name)
        if not sep or not header.strip():
            problems.append(f"--map {item!r}: write HEADER=field, e.g. --map 'Owner email=owner'")
        elif name not in SYNONYMS and name != "ignore":
            problems.append(
                f"--map {item!r}: unknown field {name!r} (fields: {', '.join(FIELD_NAMES)}, ignore)"
            )
        else:
            result[normalise(header)] = name
    return result, problems


def match_columns(table: Table, maps: dict[str, str], *, cycle_given: bool) -> Columns:
    """Recognise the shape and the columns; raise :class:`ColumnsError` if a
    required one is missing (listing the headers found and the ``--map`` to use)."""
    found = [normalise(h) for h in table.headers]
    where = SourceLocation(table.path, table.header_row, 1)
    issues: list[ContentIssue] = [
        RowIssue(where, f"--map names a header the file does not have: {header!r}")
        for header in maps
        if header not in found
    ]
    index: dict[str, int] = {}
    ambiguous_unit: int | None = None
    for position, header in enumerate(found):
        name = maps.get(header) or _LOOKUP.get(header)
        if header == "unit" and header not in maps:
            ambiguous_unit = position
            continue
        if name and name != "ignore" and name not in index:
            index[name] = position
    if ambiguous_unit is not None:
        index.setdefault("unit" if "team" in index else "team", ambiguous_unit)
    shape: Shape = "per-item" if "type" in index and "title" in index else "per-kr"
    if "type" in index and "title" not in index and "objective" not in index:
        shape = "per-item"
    needed = list(REQUIRED[shape])
    if not cycle_given:
        needed.append("cycle")
    missing = [name for name in needed if name not in index]
    if missing:
        headers = ", ".join(repr(h) for h in table.headers) or "none"
        for name in missing:
            hint = "--cycle 2027-Q1" if name == "cycle" else f"--map 'YOUR HEADER={name}'"
            spellings = ", ".join(repr(s) for s in SYNONYMS[name][:4])
            issues.append(
                RowIssue(
                    where,
                    f"no column for '{name}' ({spellings}…); headers found: {headers}; use {hint}",
                )
            )
    if issues:
        raise ColumnsError(issues)
    return Columns(shape=shape, index=index)


class ColumnsError(Exception):
    def __init__(self, issues: list[ContentIssue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues
