"""Two cores for validation and the quality rules: a forked child takes a part.

Once the content is loaded, ``okrsite check`` spends most of its time
validating it and running the rules. The rules are independent of each
other, so with two usable cores :func:`run_checks_in_two` forks, and each
process makes a model of its own and runs part of the rules: the child the
rules that read no check-ins (alignment, writing: :data:`CHILD_MODULES`), on
a model validated without them (``okrsite check``), and sends its findings
back as one pickle on a pipe; this process validates in full (its issues are
the command's) and runs the cadence rules (they walk every key result's
check-ins) and the structure rules. Merged and sorted, the two parts are
exactly a full run's findings (``run_checks(only=)``: every rule stays known
to the rules that defer to another).

``okrsite check`` also leaves validation's reference and loop checks to the
child (:func:`check_in_two`): they only say whether the model is valid, and
the links they walk make the alignment indexes of the child's rules. When
they find something, nothing is printed from this run: the command validates
again in full and reports every issue, exactly as without the split.

A fork, not a new interpreter: the child needs the loaded content, which
would cost more to send than validating it takes. It is safe here: the
check process runs no threads, its output is flushed first and written only
after the merge, and the child ends with ``os._exit`` (it never flushes,
frees or runs exit hooks of the parent's). A child that fails or dies is no
error: this process then runs its rules too. Only the console script forks
(``ProcessPlan``), and only when a core is free (:func:`worth_forking`);
in-process callers (tests, ``CliRunner``) validate and run the rules in one
go.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import signal
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NoReturn

from okrsite.cli.parallel import usable_cores

if TYPE_CHECKING:
    from okrsite.analysis.alignment import AlignmentIndex
    from okrsite.checks import Finding
    from okrsite.model import Cycle, OkrModel
    from okrsite.source import LoadCache, RawContent

CHILD_MODULES = ("okrsite.checks.alignment_rules", "okrsite.checks.writing")
"""The child's share: the rules defined in these modules, which read no
check-ins (OKR001–OKR008: alignment, writing; ``tests/test_rule_split.py``
holds them to the same findings on a model validated without check-ins).
This process keeps the cadence rules, which walk every key result's
check-ins (OKR012, OKR013, OKR015–OKR017), and the cheap structure rules
(OKR000, OKR009–OKR011, OKR014), merges and prints. At 1,000 units (pinned):
the child validates without check-ins (~0.15 s), runs the reference checks
(~0.08 s), makes the alignment indexes (~0.07 s), runs its rules (~0.27 s)
and writes the parse cache (``verdict``, ~0.05 s); this process validates in
full (~0.42 s) and runs its rules (~0.17 s). In timelines of the command the
two finish within a few hundredths of a second of each other."""


def split_rules() -> tuple[frozenset[str], frozenset[str]]:
    """(this process's rule ids, the child's rule ids)."""
    from okrsite.checks import RULES

    child = frozenset(r.id for r in RULES if r.check.__module__ in CHILD_MODULES)
    return frozenset(r.id for r in RULES) - child, child


def can_fork() -> bool:
    """Whether a child process can take part of the rules here."""
    return hasattr(os, "fork") and usable_cores() >= 2


def worth_forking(own: int = 0) -> bool:
    """:func:`can_fork`, and a core is free: besides this process, at most
    ``usable cores - 1`` processes of the system are runnable right now, not
    counting ``own`` processes of this command that give way (the parse
    helper lowers its priority once it has sent its results: what is left
    to it, the parse cache, is off the command's path). Without a free core
    the child only takes turns with this process, and both pay for the pages
    they share (the fork copies every page either writes to: ~0.2 s of CPU
    at 1,000 units), so a busy machine gets the one-process run, which is
    cheaper there. Runnable now, not the load average: that lags a minute
    behind (a build that just ended would keep an idle machine from forking)."""
    if not can_fork():
        return False
    running = runnable_now()  # this process included
    return running is None or running - 1 - own <= usable_cores() - 1


def runnable_now() -> int | None:
    """Processes runnable on the system now, this one included (Linux's
    ``/proc/loadavg``), or None where that is not known."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            return int(handle.read().split()[3].partition("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def check_in_two(
    raw: RawContent,
    cache: LoadCache | None,
    today: dt.date,
    *,
    verdict: Callable[[], object] | None = None,
    later: Callable[[Callable[[], object]], object] | None = None,
) -> tuple[OkrModel, list[Finding] | None]:
    """``raw`` validated (``validate(references=False)``) and linted, on two
    cores: the fork comes first and both processes validate, so that each
    walks a model of its own (see :func:`run_checks_in_two`). The child,
    on a model validated without check-ins, then runs the reference checks
    and the rules of :data:`CHILD_MODULES` (the alignment indexes made from
    the links the reference checks walked), this process the other rules;
    ``verdict()`` runs once the content is known to be valid (see
    :func:`run_checks_in_two`).

    Returns this process's model and the findings, None when the reference
    checks find a problem (the content is invalid); raises ContentError when
    the rest of validation does (as ``validate(references=False)``)."""
    from okrsite.analysis.alignment import AlignmentIndex
    from okrsite.validate import Lookups, reference_issues, validate

    lookups = Lookups()
    made: list[OkrModel] = []
    # Both models serve this command only, which collects no garbage and ends
    # without freeing them: fields sets are not worth sharing (~0.05 s at
    # 1,000 units, see ``validate(share_fields_sets=)``).

    def validated() -> OkrModel:
        model = validate(raw, cache=cache, references=False, share_fields_sets=False)
        made.append(model)
        return model

    def without_checkins() -> OkrModel:
        # The child's rules read no check-ins: validated without them, in less
        # than half the time (this process's validation reports any issue).
        return validate(raw, references=False, checkins=False, share_fields_sets=False)

    def valid(model: OkrModel) -> bool:
        return not reference_issues(raw, model, lookups)

    def alignment(model: OkrModel) -> dict[str, AlignmentIndex]:
        indexes: dict[str, AlignmentIndex] = {}

        def index_of(cycle: Cycle) -> AlignmentIndex:
            found = indexes.get(cycle.id)
            if found is None:
                links = (link for _, link in lookups.links(cycle))
                found = indexes[cycle.id] = AlignmentIndex.from_links(links)
            return found

        cycles = list(model.cycles.values())
        return {
            cycle.id: AlignmentIndex.build_with_inner(
                cycles, cycle, include_private=True, index_of=index_of
            )
            for cycle in cycles
        }

    found = run_checks_in_two(
        validated,
        today,
        child_model=without_checkins,
        valid=valid,
        alignment=alignment,
        verdict=verdict,
        later=later,
    )
    return made[-1], found


INVALID = 3
"""The child's exit code when ``valid()`` said no (it then sends nothing)."""


def run_checks_in_two(
    model: OkrModel | Callable[[], OkrModel],
    today: dt.date,
    *,
    child_model: Callable[[], OkrModel] | None = None,
    valid: Callable[[OkrModel], bool] | None = None,
    alignment: Callable[[OkrModel], Mapping[str, AlignmentIndex]] | None = None,
    verdict: Callable[[], object] | None = None,
    later: Callable[[Callable[[], object]], object] | None = None,
) -> list[Finding] | None:
    """``run_checks(model, today=today)``, its rules shared with a forked child.

    ``model`` is the model, or what makes it: then each process makes its
    own after the fork (``okrsite check`` validates in both). That costs a
    second core's time that is free during validation, and saves page
    copies: after a fork, every page either process writes to, if only a
    reference count, is copied, and rules that walk a model made before the
    fork touched most of its pages (~30,000 copies at 1,000 units, ~0.15 s of
    the command). An exception from ``model()`` here stops the child and
    propagates. ``child_model()``, if given, makes the child's model instead:
    one its rules (:data:`CHILD_MODULES`) find the same in (``okrsite check``
    validates it without check-ins); a child that cannot make it leaves its
    rules to this process.

    ``valid(model)``, if given, runs in the child first: what validation left
    to do (``okrsite check`` leaves the reference checks, see
    ``validate(references=False)``). When it is False the child runs no rules
    and this returns None: the model is not valid. ``alignment(model)`` gives
    the cycles' alignment indexes to the child's rules
    (``run_checks(alignment=)``).

    ``verdict()``, if given, runs once the model is known to be valid:
    ``model()`` succeeded here and ``valid()`` there. In the child, after its
    rules (this process tells it on a second pipe once its own model is made,
    long before), so that it overlaps this process's work: ``okrsite check``
    writes the parse cache then, which took ~0.05 s at the end of the
    command. Here when no child helps or the child failed (then possibly a
    second time: it must be safe to repeat).

    The child sends its findings before its ``verdict()``. ``later``, if
    given, takes what waits for the child to end: the caller calls it when
    it is done with the findings (``okrsite check``: once they are printed),
    so that the child writes the parse cache while this process merges and
    prints, instead of before (in near-idle timelines at 1,000 units the
    child finished last, and its ~0.07 s of writing was the command's).
    Without ``later``, this waits before returning.
    """
    from okrsite.checks import Finding, run_checks

    own, theirs = split_rules()
    make: Callable[[], OkrModel] = model if callable(model) else lambda: model

    def run_theirs(model: OkrModel, then: Callable[[], object] | None) -> list[Finding] | None:
        """The child's rules (``then()`` after them, here; the child runs its
        ``verdict()`` itself, once its findings are sent)."""
        if valid is not None and not valid(model):
            return None
        indexes = alignment(model) if alignment is not None else None
        found = run_checks(model, today=today, only=theirs, alignment=indexes)
        if then is not None:
            then()
        return found

    sys.stdout.flush()  # nothing buffered for the child to hold a copy of
    sys.stderr.flush()
    try:
        readable, writable = os.pipe()
        told, tell = os.pipe()  # "this process's model is valid", for verdict()
    except OSError:
        return _one_process(make(), today, own, run_theirs, verdict)
    try:
        pid = os.fork()
    except OSError:  # no process to be had: run them all here
        for fd in (readable, writable, told, tell):
            os.close(fd)
        return _one_process(make(), today, own, run_theirs, verdict)
    if pid == 0:  # the child: its findings to the pipe, then gone
        os.close(readable)
        os.close(tell)
        then = None if verdict is None else lambda: _when_told(told, verdict)
        _child(lambda: run_theirs((child_model or make)(), None), writable, then)
    os.close(writable)
    os.close(told)
    found_theirs: list[Finding] | None = None
    try:
        try:
            here = make()
            # A child that found the content invalid (or failed) may be gone
            # already: nobody reads then, and the write raises EPIPE, which
            # click would turn into exit 1 with nothing printed. Its exit
            # code says what happened; this process goes on.
            with contextlib.suppress(BrokenPipeError):
                os.write(tell, b"1")
        finally:
            os.close(tell)  # (without the byte: the child skips verdict())
        found_own = run_checks(here, today=today, only=own)
        found_theirs = _receive(readable)
    except BaseException:  # (invalid content): the child's work is of no use
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(readable)  # (a child still writing then stops: broken pipe)
        if found_theirs is None or later is None:
            _, status = os.waitpid(pid, 0)
    if found_theirs is not None and later is not None:
        # Its findings came whole: all that is left to it is its verdict().
        later(lambda: os.waitpid(pid, 0))
        code = 0
    else:
        code = os.waitstatus_to_exitcode(status)
    if code == INVALID:
        return None
    if found_theirs is None or code != 0:  # the child failed: its part here
        found_theirs = run_theirs(here, verdict)
        if found_theirs is None:
            return None
    # Two sorted runs of different rules (no finding in both): one merge.
    return sorted([*found_own, *found_theirs], key=Finding.sort_key)


def _when_told(fd: int, verdict: Callable[[], object]) -> None:
    """``verdict()`` once the parent says its model is valid (a byte on ``fd``;
    end of file: it is not, and the child is about to be stopped)."""
    if os.read(fd, 1) == b"1":
        with contextlib.suppress(Exception):  # best effort: the parent's verdict stands
            verdict()


def _one_process(
    model: OkrModel,
    today: dt.date,
    own: frozenset[str],
    run_theirs: Callable[[OkrModel, Callable[[], object] | None], list[Finding] | None],
    verdict: Callable[[], object] | None,
) -> list[Finding] | None:
    from okrsite.checks import Finding, run_checks

    found_theirs = run_theirs(model, verdict)
    if found_theirs is None:
        return None
    found_own = run_checks(model, today=today, only=own)
    return sorted([*found_own, *found_theirs], key=Finding.sort_key)


def _child(
    run: Callable[[], list[Finding] | None], fd: int, then: Callable[[], object] | None
) -> NoReturn:
    """Write ``run()``'s findings to ``fd`` and close it, then ``then()``
    (exit 0), or exit :data:`INVALID` when it returns None; never returns."""
    code = 1
    try:
        found = run()
        if found is None:
            code = INVALID
        else:
            blob = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            if then is not None:  # the parent has the findings: it goes on meanwhile
                then()
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
