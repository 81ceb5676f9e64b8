"""The ``okrsite`` command line: the only place that prints and exits.

Each command family lives in its own module and registers on :data:`main`.
Library errors (:class:`~okrsite.errors.OkrsiteError`) become clean messages
with exit code 1; anything else is our bug and keeps its traceback.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

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

CHECK_GC_THRESHOLDS = (10_000_000, 20, 10)
"""The collector's thresholds for ``okrsite check`` and its parse helper.

A check loads the content, runs the rules and exits; what it allocates
lives until the end, and none of it is garbage in a reference cycle. Even
with :data:`GC_THRESHOLDS`, 15 collections of the young generation walked
the ~750,000 objects a 1,000-unit check creates and freed nothing: 0.2 to
0.3 s, a tenth of the command. A million allocations between collections
was too close: a 1,000-unit company with two quarters, or with check-ins to
the end of its quarter, allocates more (1.1 to 1.4 million), and its one
young-generation pass, over every object made so far, cost 0.5 to 1 s. Ten
million leaves room for ten times the ~750,000 of a 1,000-unit quarter
(a test holds a check to that); a larger company is still collected now
and then.
"""


COMMAND_MODULES = {
    "build": "build",
    "serve": "build",
    "generate": "build",
    "init": "build",
    "schema": "build",
    "check": "check",
    "graph": "graph",
    "import": "intake",
    "diff": "review",
    "history": "review",
    "codeowners": "review",
    "checkin": "review",
}
"""Command name → the module of :mod:`okrsite.cli` that defines it."""


class LazyCommands(click.Group):
    """Imports a command's module only when that command is run or listed.

    The modules register on :data:`main` when imported (click's idiom), but
    importing all of them pulls in MkDocs, the site pages and the graphs:
    about a second of start-up that ``okrsite check`` does not need.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"okrsite.cli.{module}")
        return self.commands.get(cmd_name)


def load_all_commands() -> dict[str, click.Command]:
    """Every command, each module imported (for tests and documentation)."""
    for module in sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"okrsite.cli.{module}")
    return dict(main.commands)


@click.group(cls=LazyCommands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="okrsite")
def main() -> None:
    """Publish a company's OKRs from YAML in git as a static site."""
    gc.set_threshold(*GC_THRESHOLDS)


class ProcessPlan:
    """What a command asks of the process that runs it (``ctx.obj`` under
    :func:`run`; absent when ``main`` is called in-process, as by tests).

    ``fast_exit``: the command leaves a large heap and nothing to clean up
    (``okrsite check``: ~750,000 objects of the model at 1,000 units), so
    the process ends without freeing them one by one, which took 0.1 to
    0.25 s of the command. The output is flushed first; the exit code is
    the command's. (mypy ends the same way, for the same reason.)
    """

    def __init__(self) -> None:
        self.fast_exit = False
        self._kept: list[object] = []

    def end_without_freeing(self, *heap: object) -> None:
        """Ask for a fast exit, keeping ``heap`` (the command's large objects)
        referenced until then: otherwise they are freed, one object at a
        time, as soon as the command's function returns."""
        self.fast_exit = True
        self._kept.extend(heap)


def run() -> None:
    """The ``okrsite`` console script: :data:`main`, ending as its command asks
    (:class:`ProcessPlan`)."""
    plan = ProcessPlan()
    try:
        main(obj=plan)
    except SystemExit as done:
        code = done.code
    else:  # pragma: no cover - click's standalone mode always exits
        code = 0
    if plan.fast_exit and (code is None or isinstance(code, int)):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
    sys.exit(code)
