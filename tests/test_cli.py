"""The command line: exit codes, messages, help for every command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from contentkit import make_content

from okrsite.cli import COMMAND_MODULES, load_all_commands, main


def all_commands() -> list[str]:
    return sorted(load_all_commands())


def test_lazy_command_table_names_every_command() -> None:
    """The lazy table lists exactly the commands the modules register, each
    with the module that defines it (a new command must be added to it)."""
    commands = load_all_commands()
    assert sorted(commands) == sorted(COMMAND_MODULES)
    for name, command in commands.items():
        assert command.callback is not None
        assert command.callback.__module__ == f"okrsite.cli.{COMMAND_MODULES[name]}", name


def test_check_does_not_import_the_site_engine() -> None:
    """`okrsite check` starts without MkDocs, the page builders or the graphs
    (they cost about a second of start-up it does not need)."""
    code = (
        "import sys; from okrsite.cli import main; "
        "main(['check', '--help'], standalone_mode=False); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'mkdocs' "
        "or m.startswith(('okrsite.engine', 'okrsite.site', 'okrsite.graphs'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("name", all_commands())
def test_every_command_has_help(name: str) -> None:
    """Every command has a help text and --help exits 0."""
    command = load_all_commands()[name]
    assert command.help and len(command.help.strip()) > 10
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_check_valid_exits_zero(tmp_path: Path) -> None:
    """`okrsite check` on valid content exits 0."""
    content = make_content(tmp_path, {})
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 0, result.output


def test_check_invalid_exits_one_with_all_errors(tmp_path: Path) -> None:
    """Invalid content: exit 1, every error located, no traceback."""
    content = make_content(
        tmp_path,
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    ownr: P\n",
            "org.yaml": "units:\n  - {id: product, name: P, kind: departmnt}\n  - {id: onboarding, name: O, kind: team, parent: product}\n",
        },
    )
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 1
    assert (
        "content/2026-Q1/product.yaml:4:5: unknown key 'ownr' (did you mean 'owner'?)"
        in result.output
    )
    assert "content/org.yaml:2:34:" in result.output
    assert "Traceback" not in result.output


def test_check_json_lists_errors(tmp_path: Path) -> None:
    """--format json prints machine-readable errors with file, line and column."""
    content = make_content(
        tmp_path, {"2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    ownr: P\n"}
    )
    result = CliRunner().invoke(main, ["check", "--content", str(content), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    items = data if isinstance(data, list) else data.get("errors") or data.get("findings")
    assert any(
        i["line"] == 4 and i["column"] == 5 and i["path"].endswith("product.yaml") for i in items
    )


def test_missing_content_dir_is_clean_error(tmp_path: Path) -> None:
    """A missing content directory is an error message with exit 1, not a traceback."""
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_schema_is_json_schema() -> None:
    """`okrsite schema` prints a JSON Schema that names the three file kinds."""
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    defs = schema.get("$defs", {})
    assert {"CompanyFile", "OrgFile", "UnitCycleFile"} <= set(defs)


def test_init_creates_a_valid_starter(tmp_path: Path) -> None:
    """`okrsite init DIR` writes a starter whose content validates; a non-empty DIR is refused."""
    target = tmp_path / "okrs"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "mkdocs.yml").is_file()
    check = CliRunner().invoke(main, ["check", "--content", str(target / "content")])
    assert check.exit_code == 0, check.output
    again = CliRunner().invoke(main, ["init", str(target)])
    assert again.exit_code == 1
    assert "not empty" in again.output


def test_generate_writes_tree(tmp_path: Path) -> None:
    """`okrsite generate` writes the docs tree and a nav file."""
    content = make_content(tmp_path, {})
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--content",
            str(content),
            "--out",
            str(out),
            "--no-graphs",
            "--nav-file",
            str(tmp_path / "nav.yml"),
            "--today",
            "2026-02-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "index.md").is_file()
    assert (out / "2026-Q1" / "product.md").is_file()
    assert "2026-Q1" in (tmp_path / "nav.yml").read_text()


def test_bad_today_is_usage_error(tmp_path: Path) -> None:
    """--today must be a date: usage error (exit 2), not a traceback."""
    content = make_content(tmp_path, {})
    result = CliRunner().invoke(
        main,
        ["generate", "--content", str(content), "--out", str(tmp_path / "o"), "--today", "soon"],
    )
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert click  # the CLI is click-based


def test_check_format_choices_are_the_reports_formats() -> None:
    """``okrsite check --format`` lists its choices without importing the rules
    at start-up; they must stay the report module's formats."""
    from okrsite.checks.report import FORMATS
    from okrsite.cli.check import FORMATS as CHECK_FORMATS

    assert CHECK_FORMATS == FORMATS
