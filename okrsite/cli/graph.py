"""``okrsite graph``: write one alignment graph as DOT, SVG or PNG (slides, wikis)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from okrsite import graphs
from okrsite.analysis.cycles import current_cycle_id
from okrsite.cli import main
from okrsite.cli.common import content_option
from okrsite.errors import OkrsiteError
from okrsite.model import ROOT_UNIT, OkrModel


def default_cycle(model: OkrModel, today: dt.date | None = None) -> str:
    """The current cycle (the same rule the site uses)."""
    return current_cycle_id(model, today or dt.date.today())


@main.command()
@content_option
@click.option("--cycle", "cycle_id", help="Cycle id, e.g. 2026-Q1 (default: the current cycle).")
@click.option(
    "--unit",
    "unit_id",
    help="Draw this unit's neighbourhood ('company' for department level) "
    "instead of the whole cycle.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dot", "svg", "png"]),
    default="svg",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: standard output; required for png).",
)
@click.option(
    "--site-url",
    help="Make node links absolute under this URL (e.g. https://okrs.example.com/); "
    "without it links are relative to the page that would embed the graph.",
)
@click.option(
    "--collapse-threshold",
    type=click.IntRange(min=1),
    default=graphs.DEFAULT_COLLAPSE_THRESHOLD,
    show_default=True,
    help="Collapse to department level above this many objectives + key results.",
)
def graph(
    content_dir: Path,
    cycle_id: str | None,
    unit_id: str | None,
    fmt: str,
    out: Path | None,
    site_url: str | None,
    collapse_threshold: int,
) -> None:
    """Write an alignment graph of the public OKRs (private objectives only as a count)."""
    from okrsite.analysis.redact import redact
    from okrsite.validate import load_model

    if fmt == "png" and out is None:
        raise click.UsageError("--format png needs --out FILE")
    if site_url is not None and not graphs.is_safe_site_url(site_url):
        raise click.BadParameter(
            "use an http(s) URL made of letters, digits and . - _ ~ / (no query string)",
            param_hint="--site-url",
        )
    try:
        model = redact(load_model(content_dir), "public")
        cycle = cycle_id or default_cycle(model)
        if cycle not in model.cycles:
            known = ", ".join(model.cycles)
            raise click.BadParameter(f"no cycle '{cycle}' (cycles: {known})", param_hint="--cycle")
        if unit_id is None:
            source = graphs.overview_dot(
                model, cycle, collapse_threshold=collapse_threshold, site_url=site_url
            )
        else:
            if unit_id != ROOT_UNIT and unit_id not in model.units:
                raise click.BadParameter(f"no unit '{unit_id}' in org.yaml", param_hint="--unit")
            source = graphs.unit_dot(
                model,
                cycle,
                unit_id,
                collapse_threshold=collapse_threshold,
                site_url=site_url,
            )
        data = source.encode("utf-8") if fmt == "dot" else graphs.run_dot(source, fmt)
    except OkrsiteError as err:
        raise click.ClickException(str(err)) from err
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out}", err=True)
