"""``okrsite check`` on two cores: a forked child runs part of the rules.

The rules split in parts (``run_checks(only=)``) must give, merged and
sorted, exactly a full run's findings, also for rules that defer to rules of
the other part; the forked run must equal the one-process run, also when the
child fails; and the console script (which forks) must print what the
in-process command prints, with the same exit code, on a company whose
findings come from both parts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from realworld_gen import TODAY, generate

import okrsite.checks
from okrsite.checks import RULES, Finding, run_checks
from okrsite.cli import main, rulesplit
from okrsite.model import OkrModel
from okrsite.validate import load_model

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
    assert theirs == {"OKR005", "OKR006", "OKR007", "OKR008"}


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


@needs_fork
def test_the_console_script_prints_what_the_command_prints(company: Path) -> None:
    """The console script forks (two usable cores) and ends fast; the
    in-process command (``CliRunner``) runs the rules in one go."""
    if not rulesplit.can_fork():
        pytest.skip("one usable core: the console script does not fork")
    base = ["check", "--content", str(company), "--today", TODAY.isoformat()]
    for extra in (
        [],
        ["--strict"],
        ["--format", "json"],
        ["--format", "github"],
        ["--rule", "OKR006", "--rule", "OKR012"],
    ):
        args = [*base, *extra]
        ran = subprocess.run(
            [sys.executable, "-c", RUN, *args], capture_output=True, text=True, check=False
        )
        expected = CliRunner().invoke(main, args)
        assert ran.returncode == expected.exit_code, ran.stderr
        assert ran.stdout == expected.stdout
        assert "Traceback" not in ran.stderr
    report = json.loads(CliRunner().invoke(main, [*base, "--format", "json"]).stdout)
    fired = {f["rule"] for f in report["findings"]}
    own, theirs = rulesplit.split_rules()
    assert fired & own and fired & theirs  # both processes' findings were printed
