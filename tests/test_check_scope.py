"""Rules run on some cycles only (``run_checks(..., cycles=)``) find exactly
what a run on every cycle finds for those cycles, plus the findings that
belong to no cycle. A build with history relies on it: it takes the findings
of the closed cycles it kept from its store and runs the rules on the rest
(okrsite/site/pages/quality.py), so a rule that looked past its scope, or
reported on a cycle it was not asked about, would change the site."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from contentkit import load_synth, make_content
from test_annual_cycles import FILES as ANNUAL_FILES

from okrsite.checks import run_checks
from okrsite.model import OkrModel
from okrsite.validate import load_model

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


def _models(root: Path) -> dict[str, OkrModel]:
    load_synth().write(root / "synth", units=25, seed=11, cycles=5)
    return {
        "demo": load_model(REPO / "content"),
        "realworld": load_model(TESTS / "fixtures" / "realworld" / "content"),
        "annual": load_model(make_content(root / "annual", ANNUAL_FILES)),
        "synth": load_model(root / "synth" / "content"),
    }


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, OkrModel]:
    return _models(tmp_path_factory.mktemp("scope"))


def _scopes(cycle_ids: list[str]) -> list[frozenset[str]]:
    """Every subset for a few cycles; else each cycle alone, each left out,
    and the second half."""
    if len(cycle_ids) <= 4:
        return [
            frozenset(chosen)
            for size in range(len(cycle_ids) + 1)
            for chosen in itertools.combinations(cycle_ids, size)
        ]
    alone = [frozenset([c]) for c in cycle_ids]
    left_out = [frozenset(cycle_ids) - {c} for c in cycle_ids]
    return [*alone, *left_out, frozenset(cycle_ids[len(cycle_ids) // 2 :]), frozenset()]


@pytest.mark.parametrize("name", ["demo", "realworld", "annual", "synth"])
def test_a_scoped_run_finds_what_the_full_run_finds_for_its_cycles(
    models: dict[str, OkrModel], name: str
) -> None:
    model = models[name]
    cycle_ids = list(model.cycles)
    ends = sorted(cycle.definition.end for cycle in model.cycles.values())
    # Days inside and after the cycles: rules judge dates, grace periods and
    # the current cycle against today.
    days = [ends[0] - dt.timedelta(days=20), ends[-1] - dt.timedelta(days=10), ends[-1] + dt.timedelta(days=30)]
    for today in days:
        full = run_checks(model, today=today)
        assert len({f.cycle for f in full if f.cycle is not None}) >= min(2, len(cycle_ids))
        for scope in _scopes(cycle_ids):
            scoped = run_checks(model, today=today, cycles=scope)
            expected = [f for f in full if f.cycle is None or f.cycle in scope]
            assert scoped == expected, (name, today, sorted(scope))
