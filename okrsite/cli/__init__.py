"""The ``okrsite`` command line: the only place that prints and exits.

Each command family lives in its own module and registers on :data:`main`.
Library errors (:class:`~okrsite.errors.OkrsiteError`) become clean messages
with exit code 1; anything else is our bug and keeps its traceback.
"""

from __future__ import annotations

import click

from okrsite import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="okrsite")
def main() -> None:
    """Publish a company's OKRs from YAML in git as a static site."""


# Command modules register themselves on `main` when imported.
from okrsite.cli import build, check  # noqa: E402,F401

for _optional in ("graph", "review", "intake"):
    try:
        __import__(f"okrsite.cli.{_optional}")
    except ModuleNotFoundError as _err:  # a module not written yet
        if _err.name != f"okrsite.cli.{_optional}":
            raise
