"""``okrsite check``: validate the content (and lint it, once rules exist)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from okrsite.cli import main
from okrsite.cli.common import content_option
from okrsite.errors import ContentError
from okrsite.validate import load_model


@main.command()
@content_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def check(content_dir: Path, output_format: str) -> None:
    """Validate the content; exit 1 and list every problem if it is invalid."""
    try:
        model = load_model(content_dir)
    except ContentError as err:
        if output_format == "json":
            click.echo(
                json.dumps(
                    [
                        {
                            "file": i.location.path,
                            "line": i.location.line,
                            "column": i.location.column,
                            "severity": "error",
                            "message": i.message,
                        }
                        for i in err.issues
                    ],
                    indent=2,
                )
            )
        else:
            click.echo(str(err), err=True)
        raise SystemExit(1) from None
    if output_format == "json":
        click.echo("[]")
    else:
        units = len(model.units)
        click.echo(f"{content_dir}: valid ({units} units, {len(model.cycles)} cycles)")
