"""Run an import: read, plan, render, validate the result, then write it.

Nothing reaches the content directory until the whole result is known to be
valid: the changed files are first written into a scratch copy of the
content and loaded there with the same validation ``okrsite check`` runs.
Each file then goes into place with an atomic rename. A file that would not
change is not touched, so importing the same sheet twice changes nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from okrsite.errors import ContentError, ContentIssue, OkrsiteError, RowIssue, SourceLocation
from okrsite.intake.columns import ColumnsError, match_columns, parse_maps
from okrsite.intake.edit import EditError, append_items
from okrsite.intake.plan import make_plan
from okrsite.intake.render import comment, render_unit_file, scalar
from okrsite.intake.table import TableError, read_table
from okrsite.intake.types import Existing, ExistingItem, Plan
from okrsite.model import ROOT_UNIT, OkrModel
from okrsite.source import UNIT_SUFFIXES
from okrsite.source.data import DataFiles
from okrsite.validate import load_model


class ImportError_(ContentError):
    """The sheet cannot be imported; every problem at ``FILE:ROW``."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        super().__init__(issues)
        count = len(self.issues)
        lines = [str(issue) for issue in self.issues]
        noun = "problem" if count == 1 else "problems"
        self.args = ("\n".join([*lines, f"{count} {noun}: nothing was imported"]),)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class FileChange:
    path: Path
    text: str
    status: str
    """``new``, ``replaced``, ``changed`` (org/company) or ``unchanged``."""


@dataclass
class ImportResult:
    plan: Plan
    changes: list[FileChange] = field(default_factory=list)
    units_touched: int = 0

    @property
    def written(self) -> list[FileChange]:
        return [c for c in self.changes if c.status != "unchanged"]


def existing_summary(model: OkrModel) -> Existing:
    existing = Existing(
        company_name=model.company.name,
        units={uid: (u.name, u.parent) for uid, u in model.units.items()},
        cycles={cid: c.title for cid, c in model.cycles.items()},
        cycle_dates={
            cid: (c.definition.start, c.definition.end) for cid, c in model.cycles.items()
        },
    )
    for cycle_id, cycle in model.cycles.items():
        items: list[ExistingItem] = []
        for unit_id, okrs in cycle.okrs.items():
            for objective in okrs.objectives:
                ref = f"{unit_id}/{objective.id}"
                items.append(ExistingItem(ref, objective.title, unit_id, is_kr=False))
                items.extend(
                    ExistingItem(f"{ref}/{kr.id}", kr.title, unit_id, is_kr=True)
                    for kr in objective.key_results
                )
        existing.items[cycle_id] = items
    return existing


def plan_import(
    sheet: Path,
    content_dir: Path,
    *,
    display: str | None = None,
    sheet_name: str | None = None,
    cycle: str | None = None,
    maps: tuple[str, ...] = (),
    replace: bool = False,
) -> ImportResult:
    """Everything the import would write; raises :class:`ImportError_` with every problem."""
    shown = display or str(sheet)
    mapping, map_problems = parse_maps(maps)
    if map_problems:
        raise ImportError_([RowIssue(SourceLocation(shown, 1, 1), p) for p in map_problems])
    try:
        table = read_table(sheet, shown, sheet_name)
        columns = match_columns(table, mapping, cycle_given=cycle is not None)
    except (TableError, ColumnsError) as err:
        raise ImportError_(err.issues) from None
    model = load_model(content_dir)  # invalid content: its ContentError says where
    plan, issues = make_plan(table, columns, existing_summary(model), cycle)
    if issues:
        raise ImportError_(issues)
    result = ImportResult(plan=plan, units_touched=len({unit for _, unit in plan.files}))
    names = {uid: u.name for uid, u in model.units.items()}
    names.update({u.id: u.name for u in plan.new_units})
    names[ROOT_UNIT] = model.company.name
    refusals: list[ContentIssue] = []
    source_name = Path(shown).name
    for (cycle_id, unit_id), objectives in plan.files.items():
        text = render_unit_file(
            names[unit_id], cycle_id, source_name, plan.rows[(cycle_id, unit_id)], objectives
        )
        target = content_dir / cycle_id / f"{unit_id}.yaml"
        others = [content_dir / cycle_id / f"{unit_id}{s}" for s in UNIT_SUFFIXES if s != ".yaml"]
        first_row = min(plan.rows[(cycle_id, unit_id)])
        where = SourceLocation(shown, first_row, 1)
        if any(p.exists() for p in others):
            found = next(p for p in others if p.exists())
            refusals.append(
                RowIssue(
                    where,
                    f"{found} already holds {unit_id}'s OKRs for {cycle_id}; "
                    "import into it by hand or remove it first",
                )
            )
        elif target.exists():
            if target.read_text(encoding="utf-8") == text:
                result.changes.append(FileChange(target, text, "unchanged"))
            elif replace:
                result.changes.append(FileChange(target, text, "replaced"))
            else:
                refusals.append(RowIssue(where, f"{target} exists: pass --replace to overwrite it"))
        else:
            result.changes.append(FileChange(target, text, "new"))
    if refusals:
        raise ImportError_(refusals)
    _add_edits(result, content_dir, shown)
    return result


def _add_edits(result: ImportResult, content_dir: Path, shown: str) -> None:
    plan = result.plan
    note = f"added by okrsite import from {comment(Path(shown).name)}"
    edits = [
        (
            content_dir / "org.yaml",
            "units",
            [
                [("id", u.id), ("name", scalar(u.name)), ("kind", u.kind), ("parent", u.parent)]
                for u in plan.new_units
            ],
        ),
        (
            content_dir / "company.yaml",
            "cycles",
            [
                [("id", c.id), ("start", c.start.isoformat()), ("end", c.end.isoformat())]
                for c in plan.new_cycles
            ],
        ),
    ]
    for path, key, items in edits:
        if not items:
            continue
        old = path.read_text(encoding="utf-8")
        try:
            new = append_items(old, key, items, comment=note)
        except EditError as err:
            raise ImportError_([RowIssue(SourceLocation(str(path), 1, 1), str(err))]) from None
        result.changes.append(FileChange(path, new, "changed"))


def validate_in_scratch(result: ImportResult, content_dir: Path) -> None:
    """Load the content as it would be after the import; raise its ContentError."""
    with tempfile.TemporaryDirectory(prefix="okrsite-import-") as scratch:
        copy = Path(scratch) / content_dir.resolve().name
        shutil.copytree(content_dir, copy)
        for change in result.written:
            target = copy / change.path.relative_to(content_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(change.text, encoding="utf-8")
        # Measured KRs read their data files from the real repository root.
        try:
            load_model(copy, data=DataFiles(content_dir.resolve().parent))
        except ContentError as err:  # the content's own paths: they are the same
            raise ImportError_(err.issues) from None


def write_changes(result: ImportResult) -> None:
    """Move every changed file into place (each one atomically)."""
    for change in result.written:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=change.path.parent, prefix=".okrsite-import-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(change.text)
            if change.path.exists():
                os.chmod(temp, change.path.stat().st_mode & 0o777)
            else:
                os.chmod(temp, 0o644)
            os.replace(temp, change.path)
        except OSError as err:
            Path(temp).unlink(missing_ok=True)
            raise OkrsiteError(f"{change.path}: cannot write: {err.strerror or err}") from None


def run_import(
    sheet: Path,
    content_dir: Path,
    *,
    display: str | None = None,
    sheet_name: str | None = None,
    cycle: str | None = None,
    maps: tuple[str, ...] = (),
    replace: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Plan, validate and (unless ``dry_run``) write the import of ``sheet``."""
    result = plan_import(
        sheet,
        content_dir,
        display=display,
        sheet_name=sheet_name,
        cycle=cycle,
        maps=maps,
        replace=replace,
    )
    if result.written:
        validate_in_scratch(result, content_dir)
        if not dry_run:
            write_changes(result)
    return result
