"""``okrsite import``: turn a spreadsheet or an OKR tool's export into content files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from okrsite.checks import RULES_BY_ID, run_checks
from okrsite.checks.report import fails, format_rule_summary, format_text, summary
from okrsite.cli import main
from okrsite.cli.common import ContentProblem, content_option, fail, parse_today, today_option
from okrsite.errors import OkrsiteError
from okrsite.intake.apply import ImportResult, run_import
from okrsite.validate import load_model

SHOWN_UNITS = 12
"""New units named in the summary; the rest are counted."""
CHECK_FINDINGS_PER_RULE = 3
"""Findings of one rule printed after an import (then "… and N more")."""
SHOWN_FILES = 40
"""Files listed in the summary; the rest are counted."""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary(result: ImportResult, source: str, dry_run: bool) -> list[str]:
    plan = result.plan
    skipped = sum(plan.skipped.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(plan.skipped.items()))
    lines = [
        f"{source}: {_plural(result.units_touched, 'unit')}, "
        f"{_plural(plan.objective_count, 'objective')}, "
        f"{_plural(plan.kr_count, 'key result')}, {_plural(plan.links, 'link')} made, "
        f"{_plural(skipped, 'row')} skipped" + (f" ({kinds})" if kinds else "")
    ]
    if plan.new_units:
        shown = ", ".join(f"{u.id} ({u.kind})" for u in plan.new_units[:SHOWN_UNITS])
        more = len(plan.new_units) - SHOWN_UNITS
        lines.append(f"new units: {shown}" + (f" and {more} more" if more > 0 else ""))
    lines.extend(f"note: {note}" for note in plan.notes)
    if plan.new_cycles:
        lines.append("new cycles: " + ", ".join(c.id for c in plan.new_cycles))
    verb = "would write" if dry_run else "wrote"
    for change in result.changes[:SHOWN_FILES]:
        status = "unchanged" if change.status == "unchanged" else f"{verb} ({change.status})"
        lines.append(f"  {change.path}: {status}")
    if len(result.changes) > SHOWN_FILES:
        lines.append(f"  … and {len(result.changes) - SHOWN_FILES} more files")
    if not result.written:
        lines.append("nothing to change: the content already holds this import")
    return lines


@main.command("import")
@click.argument("sheet", type=click.Path(path_type=Path, dir_okay=False))
@content_option
@click.option("--cycle", help="Cycle for rows without one (or with a cycle that is not YYYY-Qn).")
@click.option("--sheet", "sheet_name", help="Sheet of an .xlsx file (default: the first).")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="HEADER=FIELD",
    help="Read column HEADER as FIELD (team, objective, key_result, owner, start, target, "
    "current, confidence, cycle, unit, aligns_to, type, title, …, or ignore). Repeatable.",
)
@click.option("--replace", is_flag=True, help="Overwrite unit files that already exist.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@today_option
def import_(
    sheet: Path,
    content_dir: Path,
    cycle: str | None,
    sheet_name: str | None,
    maps: tuple[str, ...],
    replace: bool,
    dry_run: bool,
    today: str | None,
) -> None:
    """Import OKRs from a spreadsheet (.csv or .xlsx) into the content.

    Two shapes are recognised from the headers: a row per key result (Team,
    Objective, Key Result, Owner, Start, Target, Current, Quarter…) or a row
    per item as OKR tools export it (Type, Title, Parent, Team, Cycle…).
    Unknown teams are added to org.yaml and YYYY-Qn quarters to company.yaml.
    Problems are listed as FILE:ROW and nothing is written; existing unit files
    are kept unless --replace. Afterwards the content is checked.
    """
    day = parse_today(today)
    try:
        result = run_import(
            sheet,
            content_dir,
            display=str(sheet),
            sheet_name=sheet_name,
            cycle=cycle,
            maps=maps,
            replace=replace,
            dry_run=dry_run,
        )
    except OkrsiteError as err:
        raise fail(err) from None
    for line in _summary(result, str(sheet), dry_run):
        click.echo(line)
    if dry_run:
        return
    try:
        model = load_model(content_dir)
    except OkrsiteError as err:  # pragma: no cover - validated before writing
        raise ContentProblem(str(err)) from None
    findings = run_checks(model, today=day or dt.date.today())
    # As `okrsite check --max-per-rule 3` would print it: a big import's many
    # findings of one rule stay readable; `okrsite check` lists them all.
    click.echo(format_text(findings, RULES_BY_ID, max_per_rule=CHECK_FINDINGS_PER_RULE), nl=False)
    click.echo(format_rule_summary(findings, RULES_BY_ID), nl=False)
    verdict = "failed" if fails(findings) else "passed"
    click.echo(f"okrsite check: {summary(findings)}: {verdict}")
