"""``okrsite check`` on two cores: a forked child runs the reference checks
and part of the rules.

The rules split in parts (``run_checks(only=)``) must give, merged and
sorted, exactly a full run's findings, also for rules that defer to rules of
the other part; the forked run must equal the one-process run, also when the
child fails; validation without the reference checks plus
``reference_issues`` must find exactly what full validation finds; and the
console script (which forks) must print what the in-process command prints,
with the same exit code, on a company whose findings come from both parts
and on content whose only problems are references (or references and more).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from contentkit import PRODUCT_OKRS, make_content
from realworld_gen import TODAY, generate

import okrsite.checks
from okrsite.checks import RULES, Finding, run_checks
from okrsite.cli import ProcessPlan, main, rulesplit
from okrsite.errors import ContentError
from okrsite.model import OkrModel
from okrsite.source import load_content
from okrsite.validate import load_model, reference_issues, validate
from okrsite.validate.kept import KeptCycles

RUN = "from okrsite.cli import run; run()"

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two years of a messy generated company: near-copies of parents,
    unaligned objectives, shared key results, missing scores, stale check-ins."""
    root = tmp_path_factory.mktemp("realworld")
    generate(root, variant="heldout")
    return root / "content"


@pytest.fixture(scope="module")
def model(company: Path) -> OkrModel:
    return load_model(company)


def test_the_split_gives_each_part_some_rules_and_every_rule_once() -> None:
    own, theirs = rulesplit.split_rules()
    assert own and theirs and not own & theirs
    assert own | theirs == {r.id for r in RULES}
    assert {"OKR005", "OKR006", "OKR007", "OKR008", "OKR001"} <= theirs
    assert {"OKR012", "OKR013", "OKR015", "OKR016", "OKR017", "OKR000"} <= own


def test_the_childs_rules_find_the_same_in_a_model_without_checkins(
    company: Path, model: OkrModel
) -> None:
    """The child validates without check-ins (``validate(checkins=False)``):
    its rules read none, so they find exactly what they find in the whole
    model, on the messy company and on any day; the model is the same but for
    the check-ins."""
    raw = load_content(company)
    without = validate(raw, references=False, checkins=False)
    _own, theirs = rulesplit.split_rules()
    for today in (TODAY, dt.date(2026, 1, 15), dt.date(2027, 3, 1)):
        expected = run_checks(model, today=today, only=theirs)
        assert run_checks(without, today=today, only=theirs) == expected
    counted = 0
    for cycle_id, cycle in model.cycles.items():
        other = without.cycles[cycle_id]
        assert list(other.okrs) == list(cycle.okrs)
        for unit_id, okrs in cycle.okrs.items():
            for objective, twin in zip(
                okrs.objectives, other.okrs[unit_id].objectives, strict=True
            ):
                assert twin.source == objective.source
                for kr, kr_twin in zip(objective.key_results, twin.key_results, strict=True):
                    assert kr_twin.checkins == []
                    assert kr_twin.model_dump(exclude={"checkins"}) == kr.model_dump(
                        exclude={"checkins"}
                    )
                    assert kr_twin.source == kr.source
                    counted += len(kr.checkins)
    assert counted > 100  # the company has check-ins to leave out


def test_parts_of_a_run_merge_into_the_full_run(model: OkrModel) -> None:
    full = run_checks(model, today=TODAY)
    own, theirs = rulesplit.split_rules()
    parts = [run_checks(model, today=TODAY, only=ids) for ids in (own, theirs)]
    assert all(parts)  # both parts find something on this company
    assert sorted([*parts[0], *parts[1]], key=Finding.sort_key) == full
    assert {f.rule_id for f in parts[1]} <= theirs
    # A rule that defers to another (OKR001 reports only where OKR004 would
    # not, …) sees every rule even when run alone.
    for rule in RULES:
        alone = run_checks(model, today=TODAY, only={rule.id})
        assert alone == [f for f in full if f.rule_id == rule.id], rule.id


def parts_run_here(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    """The ``only=`` of every ``run_checks`` call made in this process (the
    child's calls happen in the child)."""
    calls: list[frozenset[str]] = []

    def counted(model: OkrModel, **kwargs: object) -> list[Finding]:
        calls.append(frozenset(kwargs.get("only") or ()))  # type: ignore[arg-type]
        return run_checks(model, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(okrsite.checks, "run_checks", counted)
    return calls


@needs_fork
def test_the_forked_run_equals_one_run(model: OkrModel, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = parts_run_here(monkeypatch)
    own, _theirs = rulesplit.split_rules()
    for today in (TODAY, dt.date(2026, 1, 15)):
        assert rulesplit.run_checks_in_two(model, today) == run_checks(model, today=today)
    assert calls == [own, own]  # the child's part came from the child


@needs_fork
def test_the_verdict_runs_in_the_child_once_the_model_is_valid_or_here(
    model: OkrModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``verdict`` (the check writes its parse cache then) runs once, in the
    child when it helps (after this process said its model is valid), here
    when there is no child, and not at all when the child finds the content
    invalid."""
    marks = tmp_path / "marks"

    def mark() -> None:
        with open(marks, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")

    calls = parts_run_here(monkeypatch)
    found = rulesplit.run_checks_in_two(model, TODAY, verdict=mark)
    assert found == run_checks(model, today=TODAY)
    ran = marks.read_text(encoding="utf-8").split()
    assert len(ran) == 1 and ran[0] != str(os.getpid())  # in the child
    assert calls == [rulesplit.split_rules()[0]]
    marks.unlink()
    assert rulesplit.run_checks_in_two(model, TODAY, verdict=mark, valid=lambda _m: False) is None
    assert not marks.exists()
    monkeypatch.setattr(rulesplit.os, "fork", failing_fork)
    assert rulesplit.run_checks_in_two(model, TODAY, verdict=mark) == found
    assert marks.read_text(encoding="utf-8").split() == [str(os.getpid())]


@needs_fork
def test_the_childs_findings_come_before_its_verdict_which_is_waited_for_later(
    model: OkrModel, tmp_path: Path
) -> None:
    """With ``later``, the findings come as soon as the child has them: the
    call returns while the child's ``verdict()`` (``okrsite check``: the parse
    cache) is still running (here: held until the test lets it go, after the
    call), and what ``later`` got waits for it to end."""
    import select

    marks = tmp_path / "marks"
    hold, release = os.pipe()

    def held_verdict() -> None:
        ready, _, _ = select.select([hold], [], [], 20)
        marks.write_text("released" if ready else "waited for in vain", encoding="utf-8")

    waits: list[Any] = []
    try:
        found = rulesplit.run_checks_in_two(model, TODAY, verdict=held_verdict, later=waits.append)
        assert found == run_checks(model, today=TODAY)
        assert len(waits) == 1 and not marks.exists()  # the verdict is still running
        os.write(release, b"go")
        waits[0]()
    finally:
        os.close(hold)
        os.close(release)
    assert marks.read_text(encoding="utf-8") == "released"


@needs_fork
def test_a_split_check_writes_the_parse_cache_a_check_in_one_process_writes(
    company: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child writes the parse cache (``verdict``): byte for byte what
    the command that never forks writes."""
    from test_parse_store import stored_entries

    splits = forced_split(monkeypatch)
    written = {}
    for split in (False, True):
        root = tmp_path / f"split-{split}"
        shutil.copytree(company.parent, root, ignore=shutil.ignore_patterns(".okrsite-cache"))
        args = ["check", "--content", str(root / "content"), "--today", TODAY.isoformat()]
        result = as_console(args) if split else CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1) and "Traceback" not in result.output
        written[split] = stored_entries(root / ".okrsite-cache" / "parsed")
    assert splits == [1]
    assert written[True] == written[False] and len(written[True]) > 10


@needs_fork
@pytest.mark.parametrize("child_fails", [False, True])
def test_a_child_gone_before_this_process_is_done_validating_is_no_broken_pipe(
    model: OkrModel, child_fails: bool
) -> None:
    """The child finds the content invalid (or fails) and exits at once,
    before this process has made its model: telling it "this process's model
    is valid" then writes to a pipe nobody reads. That broken pipe must not
    end the command (click turns an uncaught EPIPE into exit 1 with nothing
    printed: the intermittent empty ``okrsite check`` of round 7). Forced
    here: this process makes its model only once the child has exited (the
    write end of ``gone``, inherited by the child, closes only then)."""
    gone, held = os.pipe()

    def after_the_child() -> OkrModel:
        os.close(held)  # this process's copy; the child's closes as it exits
        try:
            assert os.read(gone, 1) == b""  # end of file: the child is gone
        finally:
            os.close(gone)
        return model

    here = os.getpid()

    def child_verdict(_model: OkrModel) -> bool:
        if child_fails and os.getpid() != here:
            raise RuntimeError("the child fails")
        return False

    found = rulesplit.run_checks_in_two(
        after_the_child, TODAY, child_model=lambda: model, valid=child_verdict
    )
    # The child said invalid, or failed and left ``valid`` to this process.
    assert found is None


def failing_fork() -> int:
    raise OSError("no processes today")


@needs_fork
def test_a_failing_child_leaves_its_rules_to_the_parent(
    model: OkrModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child cannot pickle its findings (it exits 1, sending nothing):
    the parent runs the child's rules itself; same findings."""

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("no pickles today")

    calls = parts_run_here(monkeypatch)
    monkeypatch.setattr(rulesplit.pickle, "dumps", broken)
    assert rulesplit.run_checks_in_two(model, TODAY) == run_checks(model, today=TODAY)
    assert calls == list(rulesplit.split_rules())  # own part, then the child's here


def forced_split(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the command split (whatever the machine's load) when it runs with
    a ``ProcessPlan`` (as under the console script); counts the splits."""
    import okrsite.cli.check as check_command

    splits: list[int] = []
    real = check_command.check_in_two

    def counted(*args: Any, **kwargs: Any) -> Any:
        splits.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(check_command, "worth_forking", lambda own=0: True)
    monkeypatch.setattr(check_command, "check_in_two", counted)
    return splits


def as_console(args: list[str]) -> Result:
    """The command as the console script runs it (a ``ProcessPlan``), in process."""
    return CliRunner().invoke(main, args, obj=ProcessPlan())


@needs_fork
def test_the_split_command_prints_what_the_command_prints(
    company: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked (the console script's way) or not (``CliRunner``): the same
    output and exit code; and the console script itself (which forks when a
    core is free) prints the same."""
    splits = forced_split(monkeypatch)
    base = ["check", "--content", str(company), "--today", TODAY.isoformat()]
    for extra in (
        [],
        ["--strict"],
        ["--format", "json"],
        ["--format", "github"],
        ["--rule", "OKR006", "--rule", "OKR012"],
    ):
        args = [*base, *extra]
        split = as_console(args)
        expected = CliRunner().invoke(main, args)
        assert split.exit_code == expected.exit_code, split.output
        assert split.stdout == expected.stdout and expected.stdout.strip()
    assert len(splits) == 5
    ran = subprocess.run(
        [sys.executable, "-c", RUN, *base], capture_output=True, text=True, check=False
    )
    expected = CliRunner().invoke(main, base)
    assert ran.returncode == expected.exit_code, ran.stderr
    assert ran.stdout == expected.stdout
    assert "Traceback" not in ran.stderr
    report = json.loads(CliRunner().invoke(main, [*base, "--format", "json"]).stdout)
    fired = {f["rule"] for f in report["findings"]}
    own, theirs = rulesplit.split_rules()
    assert fired & own and fired & theirs  # both processes' findings were printed


TEAM_OKRS = """\
status: locked
objectives:
  - id: ship
    title: Ship the portal
    aligns_to: [{target}]
    key_results:
      - id: launch
        title: Launch it
        contributes_to: [{kr_target}]
"""

BROKEN_REFERENCES = {
    "no objective": {
        "2026-Q1/onboarding.yaml": TEAM_OKRS.format(
            target="product/nope", kr_target="company/grow/customers"
        )
    },
    "own objective": {
        "2026-Q1/onboarding.yaml": TEAM_OKRS.format(
            target="product/easier", kr_target="onboarding/ship"
        )
    },
    "no unit": {
        "2026-Q1/onboarding.yaml": TEAM_OKRS.format(
            target="ghost/easier", kr_target="2025:company/grow"
        )
    },
    "loop": {
        "2026-Q1/onboarding.yaml": TEAM_OKRS.format(
            target="product/easier", kr_target="company/grow/customers"
        ),
        "2026-Q1/product.yaml": PRODUCT_OKRS.replace(
            "aligns_to: [company/grow]", "aligns_to: [onboarding/ship]"
        ),
    },
}


@pytest.mark.parametrize("case", sorted(BROKEN_REFERENCES))
def test_reference_issues_are_what_full_validation_finds(tmp_path: Path, case: str) -> None:
    root = make_content(tmp_path, BROKEN_REFERENCES[case])
    raw = load_content(root)
    with pytest.raises(ContentError) as full:
        validate(raw)
    model = validate(load_content(root), references=False)  # the rest is valid
    found = reference_issues(load_content(root), model)
    assert found and sorted(set(found)) == full.value.issues


def test_valid_content_has_no_reference_issues(model: OkrModel, company: Path) -> None:
    raw = load_content(company)
    assert reference_issues(raw, validate(raw, references=False)) == []
    assert validate(raw, references=False) == model


def test_kept_cycles_need_the_reference_checks(tmp_path: Path) -> None:
    root = make_content(tmp_path, {})
    kept = KeptCycles.open(tmp_path / "cache", root)
    with pytest.raises(ValueError, match="fully checked"):
        validate(load_content(root), kept=kept, references=False)


@needs_fork
@pytest.mark.parametrize("case", [*sorted(BROKEN_REFERENCES), "references and shapes"])
def test_the_split_command_reports_broken_references_as_one_process_does(
    tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forked child finds the broken references; the command then
    validates in full: the same messages, locations and exit code as the
    command that never forks, and nothing written to the cache. (With
    another file's problem too, validation fails in both processes: this one
    reports every issue.)"""
    splits = forced_split(monkeypatch)
    files = dict(BROKEN_REFERENCES.get(case, BROKEN_REFERENCES["no objective"]))
    if case == "references and shapes":  # another file's problem comes first
        files["2026-Q1/company.yaml"] = "status: locked\nobjectives:\n  - id: grow\n"
    root = make_content(tmp_path, files)
    for extra in ([], ["--format", "json"], ["--format", "github"]):
        args = ["check", "--content", str(root), "--today", "2026-02-10", *extra]
        split = as_console(args)
        expected = CliRunner().invoke(main, args)
        assert (split.exit_code, expected.exit_code) == (1, 1), split.output
        assert split.stdout == expected.stdout
        assert split.stderr == expected.stderr
        assert "alignment loop" in split.stderr + split.stdout or case != "loop"
    assert len(splits) == 3
    assert not (root.parent / ".okrsite-cache").exists()
    ran = subprocess.run(
        [sys.executable, "-c", RUN, "check", "--content", str(root)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
    assert ran.stderr == CliRunner().invoke(main, ["check", "--content", str(root)]).stderr


@needs_fork
def test_the_split_command_reports_broken_references_when_its_child_ends_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child finds the broken reference and exits before this process
    has validated (a busy machine's scheduling): the command still prints
    every issue and exits 1, as the command that never forks (it used to
    exit 1 with nothing printed, ~7 % of runs under load). Forced: this
    process's first validation waits for the child's exit (end of file on a
    pipe whose write end only the child still holds)."""
    import okrsite.validate

    forced_split(monkeypatch)
    root = make_content(tmp_path, BROKEN_REFERENCES["no unit"])
    args = ["check", "--content", str(root), "--today", "2026-02-10"]
    expected = CliRunner().invoke(main, args)
    assert expected.exit_code == 1 and "ghost" in expected.stderr
    real = okrsite.validate.validate
    here = os.getpid()
    gone, held = os.pipe()
    waited: list[bool] = []

    def validate_after_the_child(*args: Any, **kwargs: Any) -> OkrModel:
        if os.getpid() == here and not waited:
            waited.append(True)
            os.close(held)  # the child's copy closes as it exits
            assert os.read(gone, 1) == b""
            os.close(gone)
        return real(*args, **kwargs)

    monkeypatch.setattr(okrsite.validate, "validate", validate_after_the_child)
    split = as_console(args)
    assert waited
    assert split.exit_code == 1 and split.stdout == expected.stdout
    assert split.stderr == expected.stderr


def test_a_busy_machine_gets_the_one_process_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two usable cores: this process and one other runnable leave a core
    free; two others do not; unknown counts as free."""
    monkeypatch.setattr(rulesplit, "can_fork", lambda: True)
    monkeypatch.setattr(rulesplit, "usable_cores", lambda: 2)
    for running, worth in ((1, True), (2, True), (3, False), (6, False), (None, True)):
        monkeypatch.setattr(rulesplit, "runnable_now", lambda n=running: n)
        assert rulesplit.worth_forking() is worth, running
    # The parse helper gives way once its results are sent: it does not count.
    for running, worth in ((3, True), (4, False)):
        monkeypatch.setattr(rulesplit, "runnable_now", lambda n=running: n)
        assert rulesplit.worth_forking(own=1) is worth, running


def test_runnable_processes_are_read_where_linux_tells() -> None:
    running = rulesplit.runnable_now()
    if Path("/proc/loadavg").exists():
        assert running is not None and running >= 1  # this process runs
    else:
        assert running is None


@needs_fork
def test_check_in_two_equals_one_run(
    company: Path, model: OkrModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both processes validate; the child's rules get indexes made from the
    reference checks' links: the same model here and the same findings; and a
    child that fails leaves its part to this process."""
    raw = load_content(company)
    validated, found = rulesplit.check_in_two(raw, None, TODAY)
    assert validated == model and found == run_checks(model, today=TODAY)

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("no pickles today")

    monkeypatch.setattr(rulesplit.pickle, "dumps", broken)
    assert rulesplit.check_in_two(raw, None, TODAY) == (model, found)


@needs_fork
def test_check_in_two_says_when_references_are_broken(tmp_path: Path) -> None:
    root = make_content(tmp_path, BROKEN_REFERENCES["loop"])
    raw = load_content(root)
    model, found = rulesplit.check_in_two(raw, None, TODAY)
    assert found is None and model == validate(raw, references=False)


@needs_fork
def test_check_in_two_raises_what_validation_raises_and_stops_its_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Invalid content apart from references: this process's validation
    raises (the same issues as ``validate(references=False)``) and the child,
    which validates too, is stopped and reaped, not waited for."""
    files = {"2026-Q1/company.yaml": "status: locked\nobjectives:\n  - id: grow\n"}
    root = make_content(tmp_path, files)
    raw = load_content(root)
    with pytest.raises(ContentError) as alone:
        validate(raw, references=False)
    killed: list[int] = []
    real_kill = os.kill
    monkeypatch.setattr(
        rulesplit.os, "kill", lambda pid, sig: (killed.append(pid), real_kill(pid, sig))
    )
    with pytest.raises(ContentError) as split:
        rulesplit.check_in_two(raw, None, TODAY)
    assert split.value.issues == alone.value.issues
    assert len(killed) == 1
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(killed[0], os.WNOHANG)
