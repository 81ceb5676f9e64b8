"""``okrsite check``: validate the content, then lint it with the quality rules.

Exit codes: 0 when the content is valid and no finding fails the check;
1 when the content is invalid, any finding is an error, or (with
``--strict``) any finding is a warning. ``info`` never fails.

Formats: ``text`` (for people; a summary line ends it), ``json`` (for tools;
findings and summary in one document, validation errors included as findings
with rule ``null``) and ``github`` (GitHub Actions workflow commands, so CI
shows each finding inline on the pull request).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from okrsite.cli import CHECK_GC_THRESHOLDS, ProcessPlan, main
from okrsite.cli.common import (
    content_option,
    load_cache,
    parse_cache_option,
    parse_today,
    today_option,
)
from okrsite.cli.parallel import ParseHelper, finish, parse_with_helper
from okrsite.cli.rulesplit import check_in_two, worth_forking
from okrsite.errors import ContentError, ContentIssue
from okrsite.source import LoadCache, RawContent

if TYPE_CHECKING:
    from collections.abc import Callable

    from okrsite.checks import Finding
    from okrsite.model import OkrModel

# The rules, the model and pydantic are imported inside the command, after
# the parse helper has started (cli/parallel.py): their half second of
# imports then overlaps with the helper's work.

FORMATS = ("text", "json", "github")
"""``--format`` choices (``okrsite.checks.report.FORMATS``; a test keeps them equal)."""


def _invalid(err: ContentError, output_format: str) -> None:
    """Print validation errors in the requested format."""
    from okrsite.checks.report import JSON_VERSION, escape_data, escape_property

    issues: list[ContentIssue] = err.issues
    if output_format == "json":
        data = {
            "version": JSON_VERSION,
            "valid": False,
            "summary": {"error": len(issues), "warning": 0, "info": 0},
            "findings": [
                {
                    "path": i.location.path,
                    "line": i.location.line,
                    "column": i.location.column,
                    "rule": None,
                    "severity": "error",
                    "message": i.message,
                    "hint": None,
                    "cycle": None,
                    "unit": None,
                    "objective": None,
                    "key_result": None,
                }
                for i in issues
            ],
        }
        click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    elif output_format == "github":
        for i in issues:
            props = ",".join(
                [
                    f"file={escape_property(i.location.path)}",
                    f"line={i.location.line}",
                    f"col={i.location.column}",
                    "title=invalid content",
                ]
            )
            click.echo(f"::error {props}::{escape_data(i.message)}")
        noun = "error" if len(issues) == 1 else "errors"
        click.echo(f"content is invalid: {len(issues)} {noun}")
    else:
        click.echo(str(err), err=True)


def _verdict(findings: list[Finding], strict: bool) -> str:
    """``2 errors, 5 warnings, 1 info: failed`` and why."""
    from okrsite.checks.report import fails, summary

    if fails(findings, strict=False):
        return f"{summary(findings)}: failed"
    if fails(findings, strict=strict):
        return f"{summary(findings)}: failed (warnings fail with --strict)"
    return f"{summary(findings)}: passed"


def _selected_rules(rule_ids: tuple[str, ...]) -> frozenset[str]:
    """The ``--rule`` ids, upper-cased; an unknown id is a usage error (exit 2)."""
    from okrsite.checks import RULES_BY_ID

    wanted = frozenset(r.strip().upper() for r in rule_ids)
    unknown = sorted(wanted - set(RULES_BY_ID))
    if unknown:
        known = ", ".join(sorted(RULES_BY_ID))
        raise click.BadParameter(
            f"unknown rule {', '.join(unknown)} (known: {known})", param_hint="--rule"
        )
    return wanted


@main.command()
@content_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for GitHub Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@click.option(
    "--rule",
    "rule_ids",
    multiple=True,
    metavar="ID",
    help="Show only this rule's findings (repeatable, e.g. --rule OKR001 --rule OKR015); "
    "the verdict and exit code then count only those rules.",
)
@click.option(
    "--max-per-rule",
    type=click.IntRange(min=0),
    metavar="N",
    help="Print at most N findings per rule (text and github formats), then "
    "'… and K more'; the per-rule summary still counts them all.",
)
@today_option
@parse_cache_option
def check(
    content_dir: Path,
    output_format: str,
    strict: bool,
    rule_ids: tuple[str, ...],
    max_per_rule: int | None,
    today: str | None,
    parse_cache: bool,
) -> None:
    """Validate the content and lint the OKRs with the quality rules.

    Every finding has a rule id, a severity, file:line:column and a fix hint;
    `okrsite` rules are documented on the site's rules page. Configure them in
    company.yaml (`checks: {OKR004: off, OKR006: info}`) or exempt one
    objective or key result with `allow: [OKR001]`. Exits 1 on invalid content
    or error findings (and warnings with --strict), else 0.

    The text output ends with one line per rule that fired (id, name, count),
    then the verdict. With hundreds of findings, --max-per-rule keeps the list
    short and --rule shows the rules you are working on.
    """
    day = parse_today(today) or dt.date.today()
    gc.set_threshold(*CHECK_GC_THRESHOLDS)
    cache = load_cache(content_dir, parse_cache)
    # The console script forks its parse helper; in-process callers start one.
    plan = click.get_current_context().find_object(ProcessPlan)
    helper = parse_with_helper(content_dir, cache, fork=plan is not None)
    # The rules' child writes the parse cache once its findings are sent; it
    # is waited for here, once the output is printed (cli/rulesplit.py).
    waits: list[Callable[[], object]] = []
    try:
        _check(
            content_dir, cache, helper, output_format, strict, rule_ids, max_per_rule, day, waits
        )
    finally:
        for wait in waits:
            wait()
        finish(helper)


def _load(
    content_dir: Path,
    cache: LoadCache,
    day: dt.date,
    *,
    split: bool,
    waits: list[Callable[[], object]] | None = None,
) -> tuple[RawContent, OkrModel, list[Finding] | None]:
    """The content, validated; with ``split``, validated and linted on two
    cores (``check_in_two``: the reference checks run in its child), with its
    findings. When any check fails, the content is validated again with all
    of them, in this process, so that every issue is reported (as without
    the split). ``waits`` receives what waits for the rules' child, to call
    once the findings are printed (see ``run_checks_in_two(later=)``)."""
    from okrsite.source import load_content
    from okrsite.validate import validate

    raw = load_content(content_dir, cache)
    if not split:
        # A model used once, by a process that collects no garbage: fields
        # sets are not worth sharing (see ``validate(share_fields_sets=)``).
        return raw, validate(raw, cache=cache, share_fields_sets=False), None
    store = cache.store
    # The parse cache is written as soon as the content is known to be valid
    # (by the child, while this process runs its rules).
    save = None if store is None else store.flush
    found: list[Finding] | None = None
    with contextlib.suppress(ContentError):
        later = None if waits is None else waits.append
        model, found = check_in_two(raw, cache, day, verdict=save, later=later)
    if found is None:  # report every issue
        validate(raw, cache=cache)
        raise AssertionError("validation failed, then passed")  # pragma: no cover
    return raw, model, found


def _check(
    content_dir: Path,
    cache: LoadCache,
    helper: ParseHelper | None,
    output_format: str,
    strict: bool,
    rule_ids: tuple[str, ...],
    max_per_rule: int | None,
    day: dt.date,
    waits: list[Callable[[], object]],
) -> None:
    """The command once the parse helper (if any) runs: load, lint, print, exit."""
    plan = click.get_current_context().find_object(ProcessPlan)
    # The console script with a free second core: validation and the rules
    # run in two processes (cli/rulesplit.py). The parse helper is not
    # counted: it is gone by then.
    split = plan is not None and worth_forking(own=0 if helper is None else 1)
    try:
        selected = _selected_rules(rule_ids)
        raw, model, found = _load(content_dir, cache, day, split=split, waits=waits)
    except ContentError as err:
        _invalid(err, output_format)
        raise SystemExit(1) from None
    if plan is not None:  # the console script: nothing to clean up but memory
        plan.end_without_freeing(model, cache, raw)
    from okrsite.checks import RULES_BY_ID, run_checks
    from okrsite.checks.report import (
        fails,
        format_github,
        format_json,
        format_rule_summary,
        format_text,
    )

    # Only now: a check of invalid content writes nothing. (Split, the
    # parse cache is written already.)
    if cache.store is not None and found is None:
        cache.store.flush()
    findings = run_checks(model, today=day) if found is None else found
    if selected:
        findings = [f for f in findings if f.rule_id in selected]
    if output_format == "json":
        click.echo(format_json(findings), nl=False)
    elif output_format == "github":
        click.echo(format_github(findings, RULES_BY_ID, max_per_rule=max_per_rule), nl=False)
        click.echo(format_rule_summary(findings, RULES_BY_ID), nl=False)
        click.echo(_verdict(findings, strict))
    else:
        click.echo(format_text(findings, RULES_BY_ID, max_per_rule=max_per_rule), nl=False)
        click.echo(format_rule_summary(findings, RULES_BY_ID), nl=False)
        units = len(model.units)
        click.echo(
            f"{content_dir}: {units} units, {len(model.cycles)} cycles, "
            f"{_verdict(findings, strict)}"
        )
    if fails(findings, strict=strict):
        raise SystemExit(1)
