"""The review workflow: ``diff``, ``history``, ``codeowners`` and ``checkin``.

* ``okrsite diff BASE [HEAD]`` summarises what changed in the OKRs between a
  git ref and the working tree (or another ref), for a pull request comment.
* ``okrsite history UNIT`` lists target changes since the unit's OKRs were
  locked, from git history.
* ``okrsite codeowners`` prints CODEOWNERS from the units' maintainers.
* ``okrsite checkin UNIT/OBJ/KR VALUE`` appends a check-in without
  disturbing the rest of the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from okrsite.analysis.cycles import current_cycle_id
from okrsite.analysis.redact import redact
from okrsite.checks import Finding, run_checks
from okrsite.cli import main
from okrsite.cli.common import content_option, fail, load, parse_today, today_option
from okrsite.errors import ContentError, ContentIssue, OkrsiteError
from okrsite.model import OkrModel
from okrsite.review import drift
from okrsite.review.changes import ModelDiff, diff_json
from okrsite.review.checkin import (
    CheckinError,
    add_checkin_to_file,
    checkin_refusal,
    find_unit_file,
    resolve_cycle,
)
from okrsite.review.codeowners import codeowners as make_codeowners
from okrsite.review.codeowners import invalid_maintainers
from okrsite.review.compare import broken_head, diff_models
from okrsite.review.markdown import diff_markdown
from okrsite.source.data import DataFiles
from okrsite.source.gitsource import (
    GitError,
    content_path_in_repo,
    data_reader,
    load_git_content,
)
from okrsite.validate import load_model, validate

# --------------------------------------------------------------------------
# diff


def _model_at(root: Path, ref: str, content_path: str) -> OkrModel | None:
    """The validated model at ``ref`` (None: no content there); ContentError if invalid."""
    raw = load_git_content(root, ref, content_path)
    if raw is None:
        return None
    # Measured KRs read their data files at the same ref, so diff sees their changes.
    data = DataFiles(root, read=data_reader(root, ref, content_path))
    return validate(raw, data=data)


def _findings(model: OkrModel | None, today: dt.date) -> list[Finding]:
    """Check findings of what the public sees (private objectives redacted)."""
    return [] if model is None else run_checks(redact(model, "public"), today=today)


def compute_diff(
    content_dir: Path, base_ref: str, head_ref: str | None, today: dt.date
) -> ModelDiff:
    """Load both sides, validate, check, compare. Raises OkrsiteError for git problems."""
    root, content_path = content_path_in_repo(content_dir)
    base_issues: list[ContentIssue] = []
    try:
        base = _model_at(root, base_ref, content_path)
    except ContentError as err:
        base, base_issues = None, err.issues
    head: OkrModel | None
    try:
        if head_ref is None:
            head = load_model(content_dir)
        else:
            head = _model_at(root, head_ref, content_path)
            if head is None:
                raise OkrsiteError(f"no content directory {content_path!r} at {head_ref}")
    except ContentError as err:
        return broken_head(err.issues, base_issues)
    return diff_models(
        base,
        head,
        base_findings=_findings(base, today),
        head_findings=_findings(head, today),
        base_issues=base_issues,
    )


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@content_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="markdown for a pull request comment, json for tools.",
)
@today_option
def diff(
    base: str, head: str | None, content_dir: Path, output_format: str, today: str | None
) -> None:
    """Summarise what changed in the OKRs since git ref BASE.

    Compares the content at BASE (read from git objects; nothing is checked
    out) with HEAD (another ref, default: the working tree): objectives and
    key results added, removed and renamed; target, start, unit and owner
    changes (targets cut after lock are flagged); progress and confidence from
    new check-ins; alignment; other units affected; new and fixed check
    findings. Private objectives appear only as a count. Exits 1 when the
    head content is invalid (its errors lead the summary).
    """
    day = parse_today(today) or dt.date.today()
    try:
        result = compute_diff(content_dir, base, head, day)
    except OkrsiteError as err:
        raise fail(err) from None
    if result.base_issues:
        click.echo(f"note: the content at {base} is invalid; compared with nothing", err=True)
    text = diff_json(result) if output_format == "json" else diff_markdown(result)
    click.echo(text, nl=False)
    if result.head_issues:
        raise SystemExit(1)


# --------------------------------------------------------------------------
# history


@main.command()
@click.argument("unit")
@click.option("--cycle", "cycle_id", help="Cycle id, e.g. 2026-Q1 (default: the current cycle).")
@content_option
@today_option
def history(unit: str, cycle_id: str | None, content_dir: Path, today: str | None) -> None:
    """Show how UNIT's key-result targets changed since its OKRs were locked.

    Walks the git history of the unit's file for the cycle: finds the commit
    that locked it (status locked/graded, or its locked_on date), then every
    later commit that changed a target, with sha, date, author and old → new.
    On a shallow clone it says which part of the history it cannot see.
    """
    day = parse_today(today) or dt.date.today()
    try:
        if cycle_id is None:
            cycle_id = current_cycle_id(load(content_dir), day)
        report = drift.target_history(content_dir, cycle_id, unit)
    except OkrsiteError as err:
        raise fail(err) from None
    click.echo(drift.format_report(report), nl=False)


# --------------------------------------------------------------------------
# codeowners


@main.command()
@content_option
@click.option(
    "--company-owner",
    "company_owners",
    multiple=True,
    metavar="@OWNER",
    help="Owner of the company files (company.yaml, org.yaml, company OKRs); repeatable.",
)
def codeowners(content_dir: Path, company_owners: tuple[str, ...]) -> None:
    """Print CODEOWNERS lines that give each unit's files to its maintainers.

    Redirect to .github/CODEOWNERS so GitHub requests the right reviewers.
    Maintainer entries that are not @user, @org/team or an e-mail address are
    skipped, with a warning on standard error.
    """
    model = load(content_dir)
    try:  # CODEOWNERS patterns are relative to the repository root
        name = content_path_in_repo(content_dir)[1] or content_dir.as_posix()
    except GitError:
        name = content_dir.as_posix()
    try:
        text = make_codeowners(model, name, company_owners)
    except OkrsiteError as err:
        raise fail(err) from None
    for issue in invalid_maintainers(model, company_owners):
        click.echo(f"warning: {issue}", err=True)
    click.echo(text, nl=False)


# --------------------------------------------------------------------------
# checkin

_WORDS = {
    "done": ("done", True),
    "not-done": ("done", False),
    "met": ("met", True),
    "not-met": ("met", False),
}


def _parse_value(value: str) -> tuple[str, float | bool]:
    """VALUE → (field, value): a number, done/not-done or met/not-met."""
    word = value.strip().lower()
    if word in _WORDS:
        return _WORDS[word]
    try:
        number = float(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: expected a number, done/not-done or met/not-met", param_hint="VALUE"
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise click.BadParameter(f"{value!r} is not a finite number", param_hint="VALUE")
    return "value", int(number) if number.is_integer() and "." not in value else number


def _parse_confidence(value: str | None) -> float | str | None:
    if value is None:
        return None
    if value in ("low", "medium", "high"):
        return value
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise click.BadParameter(
            f"{value!r}: expected 0.0–1.0 or low/medium/high", param_hint="--confidence"
        )
    return number


@main.command()
@click.argument("target", metavar="UNIT/OBJ/KR")
@click.argument("value")
@click.option("--confidence", help="Confidence: 0.0–1.0 or low, medium, high.")
@click.option("--note", help="A one-line note for the check-in.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Check-in date (default: today).")
@click.option(
    "--cycle", "cycle_id", help="Cycle id (default: the cycle containing the check-in date)."
)
@content_option
@today_option
def checkin(
    target: str,
    value: str,
    confidence: str | None,
    note: str | None,
    date_text: str | None,
    cycle_id: str | None,
    content_dir: Path,
    today: str | None,
) -> None:
    """Append a check-in to key result UNIT/OBJ/KR and set its current value.

    VALUE is a number (numeric and threshold key results), done/not-done
    (milestones; sets the key result's `done:` too when it has one) or
    met/not-met (thresholds). Only a few lines of the unit's file change;
    comments and formatting stay, and the output lists each line written
    (file:line). Refused, with the file untouched (exit 1): a date in no
    cycle or outside --cycle, a cycle that has ended and is graded, a value
    that does not fit the key result's kind, and content that is invalid
    before or after the check-in.
    """
    parts = target.split("/")
    if len(parts) != 3 or not all(parts):
        raise click.BadParameter(
            f"{target!r}: expected UNIT/OBJECTIVE/KR", param_hint="UNIT/OBJ/KR"
        )
    unit_id, objective_id, kr_id = parts
    field_name, parsed = _parse_value(value)
    now = parse_today(today) or dt.date.today()
    day = parse_today(date_text) or now
    entry: dict[str, object] = {"date": day, field_name: parsed}
    level = _parse_confidence(confidence)
    if level is not None:
        entry["confidence"] = level
    if note is not None:
        entry["note"] = note
    model = load(content_dir)  # invalid content: every error, nothing written
    try:
        cycle = resolve_cycle(model, day, cycle_id)
        refusal = checkin_refusal(
            model, cycle, (unit_id, objective_id, kr_id), field_name, today=now
        )
        if refusal is not None:
            raise CheckinError(refusal)
        path = find_unit_file(content_dir, cycle.id, unit_id)
        original = path.read_bytes()
        written = add_checkin_to_file(path, objective_id, kr_id, entry)
    except OkrsiteError as err:
        raise fail(err) from None
    try:
        load_model(content_dir)
    except ContentError as err:
        path.write_bytes(original)
        click.echo(str(err), err=True)
        raise click.ClickException(
            f"the check-in makes the content invalid; {path} restored"
        ) from None
    for line, what in written:
        click.echo(f"{path}:{line}: {what}")
    click.echo(
        f"{path}: check-in {day.isoformat()} added to {unit_id}/{objective_id}/{kr_id} ({cycle.id})"
    )
