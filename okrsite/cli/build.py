"""``okrsite build|serve|generate|init|schema``: the site and the project."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click
import yaml

from okrsite.cli import main
from okrsite.cli.common import fail, parse_today, today_option
from okrsite.errors import OkrsiteError

if TYPE_CHECKING:
    from okrsite.engine.options import Choices

# The engine (MkDocs, the site pages, the graphs) is imported inside the
# commands that use it: importing it costs about half a second, which every
# other command (``okrsite check`` above all) would pay at start-up.

config_option = click.option(
    "-f",
    "--config-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="The MkDocs configuration of the site.",
)
audience_option = click.option(
    "--audience",
    type=click.Choice(["public", "internal"]),
    default=None,
    help="public (default) drops private objectives; internal shows them, marked.",
)
graphs_option = click.option(
    "--graphs/--no-graphs", default=True, help="Draw alignment graphs with Graphviz."
)


def _choices(today: str | None, audience: str | None, graphs: bool) -> Choices:
    """The command's flags, for the engine to lay over the plugin's settings."""
    from okrsite.engine.options import Choices

    return Choices(today=parse_today(today), audience=audience, graphs=graphs)  # type: ignore[arg-type]


@contextlib.contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """``os.environ[name] = value`` for the duration (``None``: leave it), then
    restored: the CLI owns the process's environment, the engine only says
    what MkDocs should find in it."""
    saved = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if value is not None:
            if saved is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = saved


class _ClickHandler(logging.Handler):
    """MkDocs log records to stderr via click, resolved at each record (so a
    test runner's captured stream is used, not the one at set-up time)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname:<7} -  {record.getMessage()}", err=True)


def _setup_logging() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(h, _ClickHandler) for h in logger.handlers):
        logger.addHandler(_ClickHandler())
    logger.setLevel(logging.INFO)
    logger.propagate = False


@main.command()
@config_option
@click.option("--site-dir", type=click.Path(path_type=Path), help="Output directory.")
@click.option("--strict", is_flag=True, help="Fail on MkDocs warnings too.")
@today_option
@audience_option
@graphs_option
def build(
    config_file: Path,
    site_dir: Path | None,
    strict: bool,
    today: str | None,
    audience: str | None,
    graphs: bool,
) -> None:
    """Build the site atomically: a failed build leaves the previous site intact."""
    from okrsite.engine.build import prepare_build, run_build

    choices = _choices(today, audience, graphs)
    _setup_logging()
    try:
        prepared = prepare_build(config_file, choices, site_dir=site_dir, strict=strict)
        with _environment("SOURCE_DATE_EPOCH", prepared.source_date_epoch):
            target = run_build(prepared)
    except OkrsiteError as err:
        raise fail(err) from None
    click.echo(f"Site built in {target}", err=True)


@main.command()
@config_option
@click.option(
    "-a",
    "--dev-addr",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="IP:PORT",
    help="Address the preview server listens on.",
)
@today_option
@audience_option
@graphs_option
@click.option(
    "--dirty/--full",
    default=True,
    show_default=True,
    help="After a change, re-render only the pages whose text changed (--dirty), "
    "or every page (--full).",
)
def serve(
    config_file: Path,
    dev_addr: str,
    today: str | None,
    audience: str | None,
    graphs: bool,
    dirty: bool,
) -> None:
    """Serve the site with live reload; rebuilds when content files change.

    With --dirty (the default) a rebuild still loads and checks all content,
    but MkDocs re-renders only pages whose text changed. Caveat: the preview's
    search may then list a re-rendered page twice until the server restarts.
    """
    from okrsite.engine import preview

    choices = _choices(today, audience, graphs)
    _setup_logging()
    try:
        preview.serve(config_file, choices, dev_addr=dev_addr, dirty=dirty)
    except OkrsiteError as err:
        raise fail(err) from None


@main.command()
@config_option
@click.option(
    "--content",
    "content_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Content directory [default: the plugin's content_dir, else ./content].",
)
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="Output docs directory."
)
@click.option("--nav-file", type=click.Path(path_type=Path), help="Also write the nav as YAML.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Graph cache [default: the plugin's cache_dir, else ./.okrsite-cache].",
)
@today_option
@audience_option
@graphs_option
def generate(
    config_file: Path,
    content_dir: Path | None,
    out: Path,
    nav_file: Path | None,
    cache_dir: Path | None,
    today: str | None,
    audience: str | None,
    graphs: bool,
) -> None:
    """Write the generated docs tree to disk, for any MkDocs-compatible engine.

    Settings (edit links, cache, navigation sections, ...) come from the
    okrsite plugin's entry in the MkDocs configuration when there is one, so
    the tree is the one ``okrsite build`` renders."""
    from okrsite.engine.build import generate_tree, write_tree
    from okrsite.site.navigation import nav_to_mkdocs

    choices = _choices(today, audience, graphs)
    try:
        tree = generate_tree(config_file, choices, content_dir=content_dir, cache_dir=cache_dir)
        write_tree(tree, out)
    except OkrsiteError as err:
        raise fail(err) from None
    if nav_file is not None:
        nav_file.write_text(
            yaml.safe_dump({"nav": nav_to_mkdocs(tree.nav)}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    click.echo(f"Wrote {len(tree.files)} files to {out.resolve()}", err=True)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Create a starter OKR repository in DIRECTORY that builds as it is."""
    from importlib import resources

    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(f"{directory} is not empty; choose a new directory")
    starter = Path(str(resources.files("okrsite") / "starter"))
    shutil.copytree(starter, directory, dirs_exist_ok=True)
    click.echo(f"Created {directory}. Next: cd {directory} && okrsite serve")


@main.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to a file.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the content files (for editors)."""
    from okrsite.model import schema as content_schema

    text = json.dumps(content_schema(), indent=2, sort_keys=True) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
