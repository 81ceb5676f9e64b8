"""Rows → what to write: units, cycles and one OKR file per unit per cycle.

Pure: the existing content comes in as an :class:`Existing` summary and the
result is a :class:`Plan` (or located issues). Parents named by title are
looked up in the same cycle, first among the imported rows, then in the
existing content; a title that matches several items is resolved towards the
row's own department or the company, else reported with the references to
write instead.
"""

from __future__ import annotations

import datetime as dt
import re

from okrsite.errors import ContentIssue, RowIssue, SourceLocation
from okrsite.fieldtypes import CYCLE_REF_SEPARATOR, MAX_TEXT_LENGTH, ROOT_UNIT, SLUG_RE
from okrsite.intake import ids
from okrsite.intake.columns import Columns
from okrsite.intake.table import Table
from okrsite.intake.types import (
    Existing,
    NewUnit,
    Plan,
    PlannedKR,
    PlannedObjective,
    quarter_dates,
)
from okrsite.intake.values import (
    Quantity,
    ValueProblem,
    common_scale,
    is_blank,
    is_done,
    parse_confidence,
    parse_value,
)

_QUARTER_RES = (
    re.compile(r"^(?P<y>\d{4})\s*[-_ /]?\s*q(?P<q>[1-4])$"),
    re.compile(r"^q(?P<q>[1-4])\s*[-_ /']?\s*(?P<y>\d{4})$"),
)
_KR_TYPES = frozenset({"key result", "key results", "keyresult", "kr", "key_result", "key-result"})
_OBJECTIVE_TYPES = frozenset({"objective", "objectives", "obj", "goal"})


_TitleIndex = dict[tuple[str, str], list[tuple[str, str]]]
"""(cycle, collapsed title) → [(ref, unit)]."""


def _iso_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def _collapse(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Planner:
    def __init__(
        self, table: Table, columns: Columns, existing: Existing, default_cycle: str | None
    ) -> None:
        self.table = table
        self.columns = columns
        self.existing = existing
        self.plan = Plan(source=table.path)
        self.issues: list[ContentIssue] = []
        self.default_cycle = default_cycle
        self.unit_names = {_collapse(name): uid for uid, (name, _) in existing.units.items()}
        self.unit_ids = set(existing.units)
        self.cycle_names = {_collapse(name): cid for cid, name in existing.cycles.items()}
        self.new_cycle_ids: set[str] = set()
        # (cycle, unit, collapsed objective title) → objective
        self.objectives: dict[tuple[str, str, str], PlannedObjective] = {}
        self.taken_objective_ids: dict[tuple[str, str], set[str]] = {}
        self.title_index: tuple[_TitleIndex, _TitleIndex] | None = None
        # pending parents: (row, cycle, unit, parent text, objective, kr or None)
        self.pending: list[tuple[int, str, str, str, PlannedObjective, PlannedKR | None]] = []

    # -- helpers -----------------------------------------------------------

    def problem(self, row: int, message: str) -> None:
        self.issues.append(RowIssue(SourceLocation(self.table.path, row, 1), message))

    def cell(self, cells: list[str], name: str) -> str:
        return self.columns.get(cells, name)

    def text(self, row: int, cells: list[str], name: str, label: str) -> str | None:
        value = " ".join(self.cell(cells, name).split())
        if len(value) > MAX_TEXT_LENGTH:
            self.problem(row, f"{label} is longer than {MAX_TEXT_LENGTH} characters")
            return None
        return value or None

    def cycle(self, row: int, cells: list[str]) -> str | None:
        given = self.cell(cells, "cycle")
        if not given:
            if self.default_cycle is None:
                self.problem(row, "no cycle: fill in the quarter or pass --cycle")
                return None
            given = self.default_cycle
        found = self.resolve_cycle(given)
        if found is None and self.default_cycle is not None and given != self.default_cycle:
            found = self.resolve_cycle(self.default_cycle)
        if found is None:
            known = ", ".join(self.existing.cycles) or "none"
            self.problem(
                row,
                f"unknown cycle {given!r} (cycles: {known}): write YYYY-Qn, add it to "
                "company.yaml, or pass --cycle",
            )
        return found

    def resolve_cycle(self, given: str) -> str | None:
        text = _collapse(given)
        if given in self.existing.cycles:
            return given
        if text in self.cycle_names:
            return self.cycle_names[text]
        day = _iso_day(text)
        if day is not None:  # a date (a spreadsheet's "Quarter" typed as a date)
            spans = [
                (end - start, cycle_id)
                for cycle_id, (start, end) in self.existing.cycle_dates.items()
                if start <= day <= end
            ]
            if spans:
                return min(spans)[1]  # the shortest: the quarter, not its year
            text = f"{day.year}-q{(day.month - 1) // 3 + 1}"
        for pattern in _QUARTER_RES:
            match = pattern.match(text)
            if match:
                cycle_id = f"{match['y']}-Q{match['q']}"
                if cycle_id in self.existing.cycles:
                    return cycle_id
                if cycle_id not in self.new_cycle_ids:
                    self.new_cycle_ids.add(cycle_id)
                    new = quarter_dates(cycle_id)
                    assert new is not None
                    self.plan.new_cycles.append(new)
                return cycle_id
        return None

    def unit(self, row: int, name: str, department: str | None, kind: str = "team") -> str:
        """The unit id for a team name, adding a unit to org.yaml when it is new."""
        text = _collapse(name)
        if text in ("company", _collapse(self.existing.company_name)):
            return ROOT_UNIT
        if text in self.unit_names:
            return self.unit_names[text]
        if name in self.unit_ids:
            return name
        slug = ids.unit_id(name)
        if slug in self.unit_ids and all(u.id != slug for u in self.plan.new_units):
            return slug  # an existing unit written differently ("Sales-EMEA")
        parent = ROOT_UNIT
        if department and _collapse(department) != text:
            parent = self.unit(row, department, None, kind="department")
        unit_id = ids.unique(slug, self.unit_ids)
        self.plan.new_units.append(NewUnit(unit_id, name, kind, parent, row))
        self.unit_names[text] = unit_id
        return unit_id

    def objective(
        self, row: int, cycle: str, unit: str, title: str, owner: str | None
    ) -> PlannedObjective:
        key = (cycle, unit, _collapse(title))
        found = self.objectives.get(key)
        if found is None:
            taken = self.taken_objective_ids.setdefault((cycle, unit), set())
            found = PlannedObjective(
                id=ids.unique(ids.title_id(title, "objective"), taken),
                title=title,
                unit=unit,
                cycle=cycle,
                row=row,
                owner=owner,
            )
            self.objectives[key] = found
            self.plan.files.setdefault((cycle, unit), []).append(found)
        elif owner and not found.owner:
            found.owner = owner
        self.plan.rows.setdefault((cycle, unit), []).append(row)
        return found

    def key_result(
        self, row: int, cells: list[str], objective: PlannedObjective, title: str
    ) -> PlannedKR:
        taken = {kr.id for kr in objective.key_results}
        kr = PlannedKR(
            id=ids.unique(ids.title_id(title, "kr"), taken),
            title=title,
            row=row,
            owner=self.text(row, cells, "owner", "the owner"),
        )
        self.values(row, cells, kr)
        objective.key_results.append(kr)
        return kr

    def values(self, row: int, cells: list[str], kr: PlannedKR) -> None:
        parsed: dict[str, Quantity | None] = {}
        for name in ("start", "target", "current"):
            raw = self.cell(cells, name)
            try:
                parsed[name] = parse_value(raw, self.table.decimal_comma)
            except ValueProblem as err:
                if name == "current" and (
                    is_done(raw) or not (self.cell(cells, "start") or self.cell(cells, "target"))
                ):
                    parsed[name] = None  # a status word: read below for milestones
                    continue
                header = self.table.headers[self.columns.index[name]]
                self.problem(row, f"{header!r} is {err}: {raw!r}")
                return
        present = [(n, q) for n, q in parsed.items() if q is not None]
        scaled = common_scale([q for _, q in present])
        units = {q.unit for q in scaled if q.unit}
        prefixes = {q.prefix for q in scaled if q.prefix}
        measure_unit = self.cell(cells, "unit")
        if not units and measure_unit and not is_blank(measure_unit):
            units.add(measure_unit)  # the numbers carry none: the column's unit
        if len(units) > 1 or len(prefixes) > 1:
            shown = ", ".join(sorted(units | prefixes))
            self.problem(row, f"start, target and current use different units ({shown})")
            return
        for (name, _), quantity in zip(present, scaled, strict=True):
            setattr(kr, name, quantity.number)
        kr.unit = next(iter(units), None)
        kr.prefix = next(iter(prefixes), None)
        if kr.start is None and kr.target is None:
            status = self.cell(cells, "current") or self.cell(cells, "progress")
            if is_done(status) or is_done(self.cell(cells, "progress")):
                kr.done, kr.current, kr.unit, kr.prefix = True, None, None, None
        raw_confidence = self.cell(cells, "confidence")
        try:
            kr.confidence = parse_confidence(raw_confidence, self.table.decimal_comma)
        except ValueProblem as err:
            header = self.table.headers[self.columns.index["confidence"]]
            self.problem(row, f"{header!r} is {err}: {raw_confidence!r}")

    # -- parents -----------------------------------------------------------

    def resolve_parents(self) -> None:
        for row, cycle, unit, text, objective, kr in self.pending:
            ref = self.find(row, cycle, unit, text, exclude=objective)
            if ref is None:
                continue
            is_kr_ref = ref.count("/") == 2
            if kr is not None and is_kr_ref:
                if ref not in kr.contributes_to:
                    kr.contributes_to.append(ref)
                    self.plan.links += 1
            elif ref not in objective.aligns_to:
                objective.aligns_to.append(ref)
                self.plan.links += 1

    def candidates(self, cycle: str, text: str) -> list[tuple[str, str]]:
        """(ref, unit) of every item in ``cycle`` titled ``text``: imported ones
        first; existing content only when the import has none."""
        if self.title_index is None:
            self.title_index = self.index_titles()
        wanted = (cycle, _collapse(text))
        found = self.title_index[0].get(wanted, [])
        if not found:
            found = [
                (ref, unit)
                for ref, unit in self.title_index[1].get(wanted, [])
                if (cycle, unit) not in self.plan.files
            ]
        return found

    def index_titles(self) -> tuple[_TitleIndex, _TitleIndex]:
        """(cycle, title) → items, for the import and for the existing content
        (built once: looking titles up row by row would be quadratic)."""
        imported: _TitleIndex = {}
        for (cycle, unit), objectives in self.plan.files.items():
            for objective in objectives:
                ref = f"{unit}/{objective.id}"
                imported.setdefault((cycle, _collapse(objective.title)), []).append((ref, unit))
                for kr in objective.key_results:
                    key = (cycle, _collapse(kr.title))
                    imported.setdefault(key, []).append((f"{ref}/{kr.id}", unit))
        existing: _TitleIndex = {}
        for cycle, items in self.existing.items.items():
            for item in items:
                existing.setdefault((cycle, _collapse(item.title)), []).append(
                    (item.ref, item.unit)
                )
        return imported, existing

    def find(
        self, row: int, cycle: str, unit: str, text: str, exclude: PlannedObjective | None
    ) -> str | None:
        _, _, ref = text.rpartition(CYCLE_REF_SEPARATOR)
        parts = ref.split("/")
        if len(parts) in (2, 3) and all(SLUG_RE.match(p) for p in parts):
            return text
        own = f"{unit}/{exclude.id}" if exclude is not None else None
        found = [
            c
            for c in self.candidates(cycle, text)
            if c[0] != own and not c[0].startswith(f"{own}/")
        ]
        if len(found) > 1:
            chain = self.ancestors(unit)
            closer = [c for c in found if c[1] in chain]
            if closer:
                nearest = min(chain.index(c[1]) for c in closer)
                found = [c for c in closer if chain.index(c[1]) == nearest]
        if not found:
            return self.elsewhere(row, cycle, text)
        if len(found) > 1:
            refs = ", ".join(ref for ref, _ in found)
            self.problem(
                row, f"{text!r} matches {len(found)} items in {cycle}: write one of {refs}"
            )
            return None
        return found[0][0]

    def elsewhere(self, row: int, cycle: str, text: str) -> str | None:
        """A parent titled ``text`` in another cycle: a cross-cycle reference when
        that cycle contains this one (a year and its quarters), else a note that
        the link was not made (links stay within a cycle); an error if no cycle
        has such a title."""
        dates = {**self.existing.cycle_dates}
        dates.update({c.id: (c.start, c.end) for c in self.plan.new_cycles})
        imported, existing = self.index_or_build()
        others = sorted({c for c, _ in [*imported, *existing]})
        hits = [c for c in others if c != cycle and self.candidates(c, text)]
        if not hits:
            self.problem(row, f"no objective or key result titled {text!r} in {cycle}")
            return None
        here = dates.get(cycle)
        for other in hits:
            span = dates.get(other)
            found = self.candidates(other, text)
            if here and span and span[0] <= here[0] and here[1] <= span[1] and len(found) == 1:
                return f"{other}{CYCLE_REF_SEPARATOR}{found[0][0]}"
        self.plan.notes.append(
            f"row {row}: no link made to {text!r}: it is in {', '.join(hits)}, not in "
            f"{cycle} (links stay within a cycle, or point to a cycle containing it)"
        )
        return None

    def index_or_build(self) -> tuple[_TitleIndex, _TitleIndex]:
        if self.title_index is None:
            self.title_index = self.index_titles()
        return self.title_index

    def ancestors(self, unit: str) -> list[str]:
        parents = {u: p for u, (_, p) in self.existing.units.items()}
        parents.update({u.id: u.parent for u in self.plan.new_units})
        chain: list[str] = []
        current = parents.get(unit, ROOT_UNIT)
        while current != ROOT_UNIT and current not in chain:
            chain.append(current)
            current = parents.get(current, ROOT_UNIT)
        return [*chain, ROOT_UNIT]

    # -- shapes ------------------------------------------------------------

    def per_kr(self) -> None:
        for row, cells in self.table.rows:
            team = self.text(row, cells, "team", "the team")
            title = self.text(row, cells, "objective", "the objective")
            kr_title = self.text(row, cells, "key_result", "the key result")
            if not team or not title:
                missing = "team" if not team else "objective"
                self.problem(row, f"no {missing}: every row needs a team and an objective")
                continue
            cycle = self.cycle(row, cells)
            if cycle is None:
                continue
            unit = self.unit(row, team, self.text(row, cells, "department", "the department"))
            owner = self.text(row, cells, "objective_owner", "the objective owner")
            objective = self.objective(row, cycle, unit, title, owner)
            kr = self.key_result(row, cells, objective, kr_title) if kr_title else None
            parent = self.text(row, cells, "aligns_to", "the parent")
            if parent:
                self.pending.append((row, cycle, unit, parent, objective, kr))

    def per_item(self) -> None:
        krs: list[tuple[int, list[str], str]] = []
        for row, cells in self.table.rows:
            kind = _collapse(self.cell(cells, "type"))
            title = self.text(row, cells, "title", "the title")
            if kind in _KR_TYPES:
                if title:
                    krs.append((row, cells, title))
                else:
                    self.problem(row, "no title")
                continue
            if kind not in _OBJECTIVE_TYPES:
                self.plan.skipped[self.cell(cells, "type") or "(no type)"] += 1
                continue
            team = self.text(row, cells, "team", "the team")
            if not title or not team:
                self.problem(row, f"no {'title' if not title else 'team'} for this objective")
                continue
            cycle = self.cycle(row, cells)
            if cycle is None:
                continue
            unit = self.unit(row, team, self.text(row, cells, "department", "the department"))
            objective = self.objective(
                row, cycle, unit, title, self.text(row, cells, "owner", "the owner")
            )
            objective.description = self.text(row, cells, "description", "the description")
            parent = self.text(row, cells, "aligns_to", "the parent")
            if parent:
                self.pending.append((row, cycle, unit, parent, objective, None))
        by_title: dict[str, list[PlannedObjective]] = {}
        for (_, _, title_key), objective in self.objectives.items():
            by_title.setdefault(title_key, []).append(objective)
        for row, cells, title in krs:
            self.item_kr(row, cells, title, by_title)

    def item_kr(
        self, row: int, cells: list[str], title: str, by_title: dict[str, list[PlannedObjective]]
    ) -> None:
        parent = self.text(row, cells, "aligns_to", "the parent")
        if not parent:
            self.problem(row, "a key result needs its objective's title in the parent column")
            return
        cycle = self.cycle(row, cells) if self.cell(cells, "cycle") or self.default_cycle else None
        wanted = _collapse(parent)
        team = self.cell(cells, "team")
        matches = [o for o in by_title.get(wanted, []) if cycle is None or o.cycle == cycle]
        if len(matches) > 1 and team:
            same_team = [
                o
                for o in matches
                if _collapse(self.existing_or_new_name(o.unit)) == _collapse(team)
            ]
            matches = same_team or matches
        if len(matches) != 1:
            where = f" in {cycle}" if cycle else ""
            if matches:
                refs = ", ".join(f"{o.unit}/{o.id} ({o.cycle})" for o in matches)
                self.problem(
                    row, f"parent {parent!r} matches {len(matches)} objectives{where}: {refs}"
                )
            else:
                self.problem(row, f"parent {parent!r} is not an objective in this file{where}")
            return
        objective = matches[0]
        self.plan.rows.setdefault((objective.cycle, objective.unit), []).append(row)
        self.key_result(row, cells, objective, title)

    def existing_or_new_name(self, unit: str) -> str:
        if unit == ROOT_UNIT:
            return self.existing.company_name
        for new in self.plan.new_units:
            if new.id == unit:
                return new.name
        return self.existing.units.get(unit, (unit, ""))[0]


def _owners_from_key_results(plan: Plan) -> None:
    """In a row-per-KR sheet ``Owner`` is each row's (the key result's) owner;
    an objective whose key results all have the same owner gets that owner."""
    for objectives in plan.files.values():
        for objective in objectives:
            owners = {kr.owner for kr in objective.key_results}
            if objective.owner is None and len(owners) == 1 and None not in owners:
                objective.owner = owners.pop()


def make_plan(
    table: Table, columns: Columns, existing: Existing, default_cycle: str | None
) -> tuple[Plan, list[ContentIssue]]:
    """The plan for ``table``, and every problem found (at ``FILE:ROW``)."""
    planner = _Planner(table, columns, existing, default_cycle)
    if default_cycle is not None and planner.resolve_cycle(default_cycle) is None:
        planner.problem(
            table.header_row,
            f"--cycle {default_cycle!r} is not a cycle in company.yaml nor of the form YYYY-Qn",
        )
        return planner.plan, planner.issues
    if columns.shape == "per-kr":
        planner.per_kr()
    else:
        planner.per_item()
    planner.resolve_parents()
    if "objective_owner" not in columns.index:
        _owners_from_key_results(planner.plan)
    for rows in planner.plan.rows.values():
        rows.sort()
    return planner.plan, planner.issues
