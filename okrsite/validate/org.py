"""Pass 2, the organisation: units, their parents, cycles and cycle folders.

Things no single file can know: unit ids unique, parents exist and reach
``company``, unit files match org.yaml units, cycle folders match
company.yaml cycles, cycles do not overlap, objective and key result ids
unique within their file.
"""

from __future__ import annotations

import difflib

from okrsite.errors import ContentIssue, SourceLocation
from okrsite.model import (
    ROOT_UNIT,
    CompanyFile,
    Cycle,
    KeyResult,
    Objective,
    OrgFile,
    Unit,
    UnitCycleFile,
    UnitDef,
    UnitOkrs,
)
from okrsite.source import LoadedFile, RawContent
from okrsite.validate.shape import Shaper


def resolve_units(
    org: OrgFile, file: LoadedFile | None, issues: list[ContentIssue]
) -> dict[str, Unit]:
    assert file is not None
    defs: dict[str, UnitDef] = {}
    for i, unit in enumerate(org.units):
        if unit.id in defs:
            first = defs[unit.id].source.line
            issues.append(
                ContentIssue(
                    file.location(("units", i, "id")),
                    f"duplicate unit id '{unit.id}' (first defined on line {first})",
                )
            )
            continue
        defs[unit.id] = unit

    units: dict[str, Unit] = {}
    index_of = {u.id: i for i, u in enumerate(org.units)}
    for unit_id, unit in defs.items():
        # Located only for an error: a location map of org.yaml costs a parse.
        where_path = ("units", index_of[unit_id], "parent")
        chain = [unit_id]
        parent = unit.parent
        ok = True
        while parent != ROOT_UNIT:
            if parent not in defs:
                hint = difflib.get_close_matches(parent, list(defs), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                if len(chain) == 1:
                    issues.append(
                        ContentIssue(
                            file.location(where_path),
                            f"parent '{parent}' is not a unit in org.yaml{extra}",
                        )
                    )
                ok = False
                break
            if parent in chain:
                if parent == unit_id:
                    loop = " → ".join([*chain, parent])
                    what = (
                        "is its own parent" if len(chain) == 1 else f"is in a parent loop: {loop}"
                    )
                    issues.append(
                        ContentIssue(
                            file.location(where_path),
                            f"unit '{unit_id}' {what}; the chain must end at 'company'",
                        )
                    )
                ok = False
                break
            chain.append(parent)
            parent = defs[parent].parent
        if ok:
            units[unit_id] = Unit(definition=unit, depth=len(chain))
    for resolved in units.values():
        if resolved.parent in units:
            units[resolved.parent].children.append(resolved.id)
    return units


def load_cycles(
    raw: RawContent,
    company: CompanyFile | None,
    org: OrgFile | None,
    units: dict[str, Unit],
    issues: list[ContentIssue],
    shaper: Shaper,
) -> dict[str, Cycle]:
    """Every cycle of company.yaml with the OKRs of its folder's unit files."""
    cycles: dict[str, Cycle] = {}
    if company is not None:
        for definition in company.cycles:
            if definition.id not in cycles:
                cycles[definition.id] = Cycle(definition=definition)
    known_units = {u.id for u in org.units} if org is not None else set()
    for folder, files in sorted(raw.cycle_files.items()):
        cycle = cycles.get(folder)
        if cycle is None and company is not None:
            first = next(iter(files.values()), None)
            where = SourceLocation(first.path if first else f"{raw.root.name}/{folder}")
            ids = ", ".join(cycles) or "none"
            issues.append(
                ContentIssue(
                    where, f"folder '{folder}' is not a cycle in company.yaml (cycles: {ids})"
                )
            )
        for unit_id, file in sorted(files.items()):
            if unit_id != ROOT_UNIT and org is not None and unit_id not in known_units:
                hint = difflib.get_close_matches(unit_id, sorted(known_units), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                issues.append(
                    ContentIssue(
                        SourceLocation(file.path),
                        f"no unit '{unit_id}' in org.yaml for this file{extra}",
                    )
                )
                continue
            content = shaper.shape(file, UnitCycleFile, issues)
            if content is None or cycle is None:
                continue
            _check_unique_ids(content, file, issues)
            cycle.okrs[unit_id] = UnitOkrs(
                unit_id=unit_id,
                cycle_id=folder,
                path=file.path,
                content=content,
                notes=file.body,
            )
    return cycles


def _check_unique_ids(content: UnitCycleFile, file: LoadedFile, issues: list[ContentIssue]) -> None:
    # The first node with each id; its line is looked up only for a duplicate.
    seen: dict[str, Objective] = {}
    for i, objective in enumerate(content.objectives):
        if objective.id in seen:
            issues.append(
                ContentIssue(
                    file.location(("objectives", i, "id")),
                    f"duplicate objective id '{objective.id}' "
                    f"(first used on line {seen[objective.id].source.line})",
                )
            )
        else:
            seen[objective.id] = objective
        kr_seen: dict[str, KeyResult] = {}
        for j, kr in enumerate(objective.key_results):
            if kr.id in kr_seen:
                issues.append(
                    ContentIssue(
                        file.location(("objectives", i, "key_results", j, "id")),
                        f"duplicate key result id '{kr.id}' in objective '{objective.id}' "
                        f"(first used on line {kr_seen[kr.id].source.line})",
                    )
                )
            else:
                kr_seen[kr.id] = kr


def check_cycle_dates(
    company: CompanyFile, file: LoadedFile | None, issues: list[ContentIssue]
) -> None:
    assert file is not None
    seen: dict[str, int] = {}
    for i, cycle in enumerate(company.cycles):
        if cycle.id in seen:
            issues.append(
                ContentIssue(
                    file.location(("cycles", i, "id")),
                    f"duplicate cycle id '{cycle.id}' (first defined on line {seen[cycle.id]})",
                )
            )
        seen.setdefault(cycle.id, cycle.source.line)
        if cycle.end < cycle.start:
            issues.append(
                ContentIssue(
                    file.location(("cycles", i, "end")),
                    f"cycle '{cycle.id}' ends ({cycle.end}) before it starts ({cycle.start})",
                )
            )
    # Cycles may nest (a year containing its quarters) but not overlap
    # partly: then a date would belong to two cycles of the same rank.
    ordered = sorted(enumerate(company.cycles), key=lambda pair: (pair[1].start, pair[0]))
    for position, (_, earlier) in enumerate(ordered):
        for j, later in ordered[position + 1 :]:
            if later.start > earlier.end:
                break  # sorted by start: no later cycle overlaps ``earlier``
            if later.id == earlier.id or earlier.contains(later) or later.contains(earlier):
                continue
            issues.append(
                ContentIssue(
                    file.location(("cycles", j, "start")),
                    f"cycle '{later.id}' overlaps cycle '{earlier.id}' "
                    f"({later.start} is before {earlier.id} ends on {earlier.end}); "
                    "cycles may overlap only when one contains the other "
                    "(a year and its quarters)",
                )
            )
