"""Two cores for the quality rules: a forked child runs part of them.

Once the model is validated, ``okrsite check`` spends about a third of its
time in the rules. They are independent of each other, so with two usable
cores :func:`run_checks_in_two` forks (the model is then in both processes
without copying or pickling it): the child runs the alignment rules
(:data:`CHILD_MODULE`: they build the cycles' alignment indexes and compare
titles with their parents') and sends its findings back as one pickle on a
pipe, while this process runs the others (writing, structure, cadence: they
walk every key result and its check-ins). Merged and sorted, the two parts
are exactly a full run's findings (``run_checks(only=)``: every rule stays
known to the rules that defer to another).

A fork, not a new interpreter as the parse helper is (``cli/parallel.py``):
the rules need the whole validated model, which would cost more to send than
the rules take. It is safe here: the check process runs no threads, its
output is flushed first and written only after the merge, and the child
ends with ``os._exit`` (it never flushes, frees or runs exit hooks of the
parent's). A child that fails or dies is no error: this process then runs
its rules too. Only the console script forks (``ProcessPlan``); in-process
callers (tests, ``CliRunner``) run the rules in one go.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import sys
from typing import TYPE_CHECKING, NoReturn

from okrsite.cli.parallel import usable_cores

if TYPE_CHECKING:
    from okrsite.checks import Finding
    from okrsite.model import OkrModel

CHILD_MODULE = "okrsite.checks.alignment_rules"
"""The child's share: the rules defined in this module (OKR005–OKR008)."""


def split_rules() -> tuple[frozenset[str], frozenset[str]]:
    """(this process's rule ids, the child's rule ids)."""
    from okrsite.checks import RULES

    child = frozenset(r.id for r in RULES if r.check.__module__ == CHILD_MODULE)
    return frozenset(r.id for r in RULES) - child, child


def can_fork() -> bool:
    """Whether a child process can take part of the rules here."""
    return hasattr(os, "fork") and usable_cores() >= 2


def run_checks_in_two(model: OkrModel, today: dt.date) -> list[Finding]:
    """``run_checks(model, today=today)``, its rules shared with a forked child."""
    from okrsite.checks import Finding, run_checks

    own, theirs = split_rules()
    sys.stdout.flush()  # nothing buffered for the child to hold a copy of
    sys.stderr.flush()
    try:
        readable, writable = os.pipe()
    except OSError:
        return run_checks(model, today=today)
    try:
        pid = os.fork()
    except OSError:  # no process to be had: run them all here
        os.close(readable)
        os.close(writable)
        return run_checks(model, today=today)
    if pid == 0:  # the child: its findings to the pipe, then gone
        os.close(readable)
        _child(model, today, theirs, writable)
    os.close(writable)
    found_theirs: list[Finding] | None = None
    try:
        found_own = run_checks(model, today=today, only=own)
        found_theirs = _receive(readable)
    finally:
        os.close(readable)  # (a child still writing then stops: broken pipe)
        _, status = os.waitpid(pid, 0)
    if found_theirs is None or status != 0:
        found_theirs = run_checks(model, today=today, only=theirs)
    # Two sorted runs of different rules (no finding in both): one merge.
    return sorted([*found_own, *found_theirs], key=Finding.sort_key)


def _child(model: OkrModel, today: dt.date, rule_ids: frozenset[str], fd: int) -> NoReturn:
    """Run ``rule_ids`` and write their findings to ``fd``; never returns."""
    code = 1
    try:
        from okrsite.checks import run_checks

        blob = pickle.dumps(
            run_checks(model, today=today, only=rule_ids), protocol=pickle.HIGHEST_PROTOCOL
        )
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
        code = 0
    except BaseException:  # the parent runs these rules itself then
        pass
    os._exit(code)


def _receive(fd: int) -> list[Finding] | None:
    """The child's findings, or None when what came is not a whole list."""
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    with contextlib.suppress(Exception):
        found = pickle.loads(b"".join(chunks))
        if isinstance(found, list):
            return found
    return None
