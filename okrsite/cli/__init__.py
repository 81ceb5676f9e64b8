"""The ``okrsite`` command line: the only place that prints and exits.

Each command family lives in its own module and registers on :data:`main`.
Library errors (:class:`~okrsite.errors.OkrsiteError`) become clean messages
with exit code 1; anything else is our bug and keeps its traceback.
"""

from __future__ import annotations

import gc

import click

from okrsite import __version__

GC_THRESHOLDS = (50_000, 20, 10)
"""Cyclic garbage collector thresholds for an ``okrsite`` process.

Loading a company creates millions of long-lived objects and no reference
cycles; with Python's default first threshold (700 allocations) the
collector runs thousands of times and walks that growing heap again and
again: about a third of ``okrsite check`` at 1,000 units. Collecting every
50,000 allocations instead changes nothing but speed (objects are still
freed by reference counting; cycles are still collected). A process-wide
setting, so it is made here, where the process starts, never in the library.
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="okrsite")
def main() -> None:
    """Publish a company's OKRs from YAML in git as a static site."""
    gc.set_threshold(*GC_THRESHOLDS)


# Command modules register themselves on `main` when imported.
from okrsite.cli import build, check  # noqa: E402,F401

for _optional in ("graph", "review", "intake"):
    try:
        __import__(f"okrsite.cli.{_optional}")
    except ModuleNotFoundError as _err:  # a module not written yet
        if _err.name != f"okrsite.cli.{_optional}":
            raise
