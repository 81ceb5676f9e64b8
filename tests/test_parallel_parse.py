"""``okrsite check`` on two cores: a helper process parses part of the unit files.

The load through a helper must equal a load without one (data, locations,
issues), use every result the helper sent, and parse here whatever the
helper did not deliver.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_parse_store import same_content

from okrsite.cli.parallel import MIN_FILES, finish, parse_with_helper, unit_files, usable_cores
from okrsite.source import LoadCache, load_content

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic company with more unit files than the helper's minimum,
    one of them broken (its issues must come through the helper too)."""
    out = tmp_path_factory.mktemp("org")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synth.py"), "--units", "260", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    content = out / "content"
    last = sorted(unit_files(content))[-1][0]
    Path(last).write_text("status: locked\nobjectives: [\n", encoding="utf-8")
    return content


def test_a_load_with_the_helper_equals_a_load_without(company: Path) -> None:
    assert len(unit_files(company)) >= MIN_FILES
    cache = LoadCache()
    helper = parse_with_helper(company, cache)
    try:
        shared = load_content(company, cache)
    finally:
        finish(helper)
    if usable_cores() < 2:
        assert helper is None
    else:
        assert helper is not None and helper.returncode == 0
        assert cache._fetch is None and cache._fetched == {}  # every result was used
    alone = load_content(company)
    assert any("objectives" in str(issue) or "YAML" in str(issue) for issue in alone.issues)
    same_content(alone, shared)


def test_results_the_helper_did_not_deliver_are_parsed_here(company: Path) -> None:
    cache = LoadCache()
    displays = [display for _, display in unit_files(company)]
    cache.parse_elsewhere(displays, dict)  # a helper that sent nothing
    same_content(load_content(company), load_content(company, cache))


def test_check_output_is_the_same_with_and_without_a_helper(company: Path, tmp_path: Path) -> None:
    """The whole check, in processes with all cores (helper) and one core (none)."""
    code = (
        "import os, sys; from okrsite.cli import main; "
        "os.environ.get('ONE_CORE') and os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
        "main(sys.argv[1:])"
    )
    args = ["check", "--content", str(company), "--today", "2026-11-23", "--no-parse-cache"]
    runs = []
    for one_core in ("", "1"):
        env = {**os.environ, "ONE_CORE": one_core}
        runs.append(
            subprocess.run(
                [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
            )
        )
    assert runs[0].returncode == runs[1].returncode == 1
    assert runs[0].stdout == runs[1].stdout and runs[0].stderr == runs[1].stderr
    assert "Traceback" not in runs[0].stderr and "content/" in runs[0].stderr
    small = tmp_path / "content"
    small.mkdir()
    assert parse_with_helper(small, LoadCache()) is None  # too few files
