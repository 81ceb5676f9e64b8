"""How the ``okrsite`` console script ends (``okrsite.cli.run``).

``okrsite check`` asks for a fast exit (``ProcessPlan``): the process ends
without freeing the model. What must not change: every line of output
(to a pipe, to a file, of a long report), the exit code (0, 1, 2), and no
traceback. In-process callers (``CliRunner``, the tests) never exit fast.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from contentkit import make_content

from okrsite.cli import main

RUN = "from okrsite.cli import run; run()"


def console(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The console script, as a new process (the way ``okrsite`` runs)."""
    return subprocess.run(
        [sys.executable, "-c", RUN, *args], cwd=cwd, capture_output=True, text=True
    )


def test_check_through_the_console_script_prints_all_and_keeps_the_exit_code(
    tmp_path: Path,
) -> None:
    root = make_content(tmp_path, {})
    for extra, code in (([], 0), (["--strict"], 1), (["--format", "json"], 0)):
        args = ["check", "--content", str(root), "--today", "2026-02-10", *extra]
        ran = console(args, tmp_path)
        in_process = CliRunner().invoke(main, args)
        assert (ran.returncode, in_process.exit_code) == (code, code), ran.stderr
        assert ran.stdout == in_process.stdout and ran.stdout.strip()
        assert "Traceback" not in ran.stderr


def test_invalid_content_and_usage_errors_keep_their_codes(tmp_path: Path) -> None:
    root = make_content(tmp_path, {"2026-Q1/product.yaml": "status: locked\nobjectives: [\n"})
    ran = console(["check", "--content", str(root)], tmp_path)
    assert ran.returncode == 1 and "content/2026-Q1/product.yaml:" in ran.stderr
    assert "Traceback" not in ran.stderr
    usage = console(["check", "--content", str(root), "--rule", "OKR999"], tmp_path)
    assert usage.returncode == 2 and "unknown rule OKR999" in usage.stderr
    version = console(["--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("okrsite")


def test_a_long_report_reaches_a_file_whole(tmp_path: Path) -> None:
    """Output buffered for a file (not a terminal) is flushed before the exit."""
    units = "".join(
        f"  - {{id: team-{i}, name: Team {i}, kind: team, parent: product}}\n"
        for i in range(60)
    )
    okrs = (
        "status: locked\nobjectives:\n  - id: ship\n    title: Ship the portal\n"
        "    key_results:\n      - {id: launch, title: Launch the partner portal}\n"
    )
    files = {f"2026-Q1/team-{i}.yaml": okrs for i in range(60)}
    root = make_content(tmp_path, files)
    org = (root / "org.yaml").read_text(encoding="utf-8")
    (root / "org.yaml").write_text(org + units, encoding="utf-8")
    out = tmp_path / "report.txt"
    args = ["check", "--content", str(root), "--today", "2026-02-10"]
    with out.open("w", encoding="utf-8") as handle:
        code = subprocess.run(
            [sys.executable, "-c", RUN, *args], cwd=tmp_path, stdout=handle, check=False
        ).returncode
    expected = CliRunner().invoke(main, args)
    assert code == expected.exit_code
    assert out.read_text(encoding="utf-8") == expected.stdout
    assert expected.stdout.count("\n") > 120 and len(expected.stdout) > 16_384


def test_only_check_asks_for_a_fast_exit(tmp_path: Path) -> None:
    """``check`` sets the plan it is given; other commands leave it (they may
    have temporary files and threads to clean up)."""
    from okrsite.cli import ProcessPlan

    root = make_content(tmp_path, {})
    checked = ProcessPlan()
    result = CliRunner().invoke(main, ["check", "--content", str(root)], obj=checked)
    assert result.exit_code == 0 and checked.fast_exit
    kept = checked._kept
    assert any(type(thing).__name__ == "OkrModel" for thing in kept)
    other = ProcessPlan()
    result = CliRunner().invoke(main, ["codeowners", "--content", str(root)], obj=other)
    assert result.exit_code == 0, result.output
    assert not other.fast_exit
