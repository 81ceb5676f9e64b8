"""Helpers shared by the CLI commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from okrsite.errors import ContentError, OkrsiteError
from okrsite.source import LoadCache, ParseStore

if TYPE_CHECKING:
    from okrsite.model import OkrModel

content_option = click.option(
    "--content",
    "content_dir",
    type=click.Path(path_type=Path),
    default=Path("content"),
    show_default=True,
    help="Content directory (company.yaml, org.yaml, one folder per cycle).",
)


PARSE_CACHE_DIR = Path(".okrsite-cache") / "parsed"
"""Where parse results are kept, relative to the content directory's parent
(the site's cache directory, which the example CI workflows persist)."""

parse_cache_option = click.option(
    "--parse-cache/--no-parse-cache",
    default=True,
    show_default=True,
    help="Keep parse results in .okrsite-cache/parsed next to the content "
    "directory, so unchanged files (closed quarters) are not parsed again.",
)


def load_cache(content_dir: Path, parse_cache: bool) -> LoadCache:
    """A cache for one load, with the on-disk parse store unless it is off."""
    if not parse_cache:
        return LoadCache()
    return LoadCache(store=ParseStore(Path(content_dir).absolute().parent / PARSE_CACHE_DIR))


def parse_today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"expected YYYY-MM-DD, not {value!r}") from err


today_option = click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="The build's 'now' (for phases and staleness); default: today.",
)


class ContentProblem(click.ClickException):
    """Invalid content: print every issue, exit 1."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def,override]
        click.echo(self.message, err=True)


def fail(err: OkrsiteError) -> click.ClickException:
    if isinstance(err, ContentError):
        return ContentProblem(str(err))
    return click.ClickException(str(err))


def load(content_dir: Path) -> OkrModel:
    """The validated model (a CLI command loads once: no cache to keep)."""
    from okrsite.validate import load_model  # not at start-up (see cli/check.py)

    try:
        return load_model(content_dir)
    except OkrsiteError as err:
        raise fail(err) from None
