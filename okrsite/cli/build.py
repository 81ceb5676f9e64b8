"""``okrsite build|serve|generate|init|schema``: the site and the project."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import yaml

from okrsite.cli import main
from okrsite.cli.common import content_option, fail, load, parse_today, today_option
from okrsite.errors import OkrsiteError
from okrsite.model import schema as content_schema
from okrsite.site.build import build_docs_tree
from okrsite.site.navigation import nav_to_mkdocs
from okrsite.site.options import SiteOptions

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


@contextlib.contextmanager
def _plugin_env(today: str | None, audience: str | None, graphs: bool) -> Iterator[None]:
    """Pass CLI choices to the plugin through the environment, then restore it."""
    wanted = {"OKRSITE_TODAY": today, "OKRSITE_AUDIENCE": audience}
    wanted["OKRSITE_GRAPHS"] = None if graphs else "0"
    saved = {key: os.environ.get(key) for key in wanted}
    try:
        for key, value in wanted.items():
            if value is not None:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _source_date_epoch(today: str | None, config: Any) -> str | None:
    """``SOURCE_DATE_EPOCH`` for MkDocs, so builds are byte-identical.

    MkDocs dates every generated page (sitemap ``<lastmod>``, the gzip
    header of ``sitemap.xml.gz``) with the wall clock unless
    ``SOURCE_DATE_EPOCH`` is set. We set it (unless the caller already did)
    to midnight UTC of the build's "today": ``--today``, else the plugin's
    ``today`` option, else the date of the last git commit of the project.
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return None
    plugin = config.plugins.get("okrsite") if hasattr(config, "plugins") else None
    day = today or (getattr(plugin, "config", {}) or {}).get("today")
    if day:
        moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC)
        return str(int(moment.timestamp()))
    try:
        stamp = subprocess.run(
            ["git", "-C", str(Path(config.config_file_path).parent), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError, TypeError):
        return None
    return stamp if stamp.isdigit() else None


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


class _HideDirtyWarning(logging.Filter):
    """MkDocs warns on every dirty build that navigation may be stale. Under
    ``okrsite serve --dirty`` the plugin re-renders every page whenever the
    navigation changes, so the warning would only be noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def swap_into_place(built: Path, target: Path) -> None:
    """Replace ``target`` by ``built`` with renames only (same filesystem)."""
    old = target.with_name(f".{target.name}.okrsite-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    try:
        built.rename(target)
    except BaseException:
        if old.exists() and not target.exists():
            old.rename(target)  # put the previous site back
        raise
    if old.exists():
        shutil.rmtree(old)


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
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    parse_today(today)
    _setup_logging()
    with _plugin_env(today, audience, graphs):
        try:
            config = load_config(str(config_file), strict=strict)
        except MkDocsException as err:
            raise click.ClickException(str(err)) from None
        target = Path(site_dir or config.site_dir).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.okrsite-", dir=target.parent))
        config.site_dir = str(staging)
        epoch = _source_date_epoch(today, config)
        saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
        try:
            if epoch is not None:
                os.environ["SOURCE_DATE_EPOCH"] = epoch
            mkdocs_build(config)
            swap_into_place(staging, target)
        except BaseException as err:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(err, MkDocsException):
                raise click.ClickException(str(err).removeprefix("okrsite: ")) from None
            if isinstance(err, OSError):  # e.g. disk full: explain, no traceback
                raise click.ClickException(f"could not write the site: {err}") from None
            raise
        finally:
            if epoch is not None:
                if saved_epoch is None:
                    os.environ.pop("SOURCE_DATE_EPOCH", None)
                else:
                    os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
    click.echo(f"Site built in {target}", err=True)


@main.command()
@config_option
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="IP:PORT")
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
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    parse_today(today)
    _setup_logging()
    build_logger = logging.getLogger("mkdocs.commands.build")
    hide = _HideDirtyWarning()
    build_logger.addFilter(hide)
    with _plugin_env(today, audience, graphs):
        try:
            mkdocs_serve(
                str(config_file),
                dev_addr=dev_addr,
                livereload=True,
                build_type="dirty" if dirty else None,
            )
        except MkDocsException as err:
            raise click.ClickException(str(err)) from None
        finally:
            build_logger.removeFilter(hide)


@main.command()
@content_option
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="Output docs directory."
)
@click.option("--nav-file", type=click.Path(path_type=Path), help="Also write the nav as YAML.")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=Path(".okrsite-cache"))
@today_option
@audience_option
@graphs_option
def generate(
    content_dir: Path,
    out: Path,
    nav_file: Path | None,
    cache_dir: Path,
    today: str | None,
    audience: str | None,
    graphs: bool,
) -> None:
    """Write the generated docs tree to disk, for any MkDocs-compatible engine."""
    model = load(content_dir)
    options = SiteOptions(
        audience=audience or "public",  # type: ignore[arg-type]
        today=parse_today(today),
        graphs=graphs,
        graph_cache_dir=cache_dir / "graphs",
    )
    try:
        tree = build_docs_tree(model, options)
    except OkrsiteError as err:
        raise fail(err) from None
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.okrsite-", dir=out.parent))
    try:
        for path, content in sorted(tree.files.items()):
            dest = staging / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                dest.write_bytes(content)
            else:
                dest.write_text(content, encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_into_place(staging, out)
    if nav_file is not None:
        nav_file.write_text(
            yaml.safe_dump({"nav": nav_to_mkdocs(tree.nav)}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    click.echo(f"Wrote {len(tree.files)} files to {out}", err=True)


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
    text = json.dumps(content_schema(), indent=2, sort_keys=True) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
