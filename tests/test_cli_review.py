"""The review commands through the real CLI: diff, codeowners, checkin."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from contentkit import git, make_content

from okrsite.cli import main
from okrsite.review.markdown import MARKER

ORG = """\
units:
  - {id: product, name: Product, kind: department, lead: Priya, maintainers: ["@priya", "bad handle"]}
  - {id: onboarding, name: Onboarding, kind: team, parent: product}
"""


def repo_with_content(tmp_path: Path) -> Path:
    """A git repo with the contentkit tree committed (tag ``base``); returns content/."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    content = make_content(repo, {"org.yaml": ORG})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "tag", "base")
    return content


def run(*args: str) -> tuple[int, str, str]:
    """Invoke the CLI; (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_diff_markdown_and_json(tmp_path: Path) -> None:
    """`okrsite diff base` prints the marker and headline; --format json parses."""
    content = repo_with_content(tmp_path)
    path = content / "2026-Q1/company.yaml"
    path.write_text(path.read_text().replace("target: 350", "target: 300"))
    code, out, _ = run("diff", "base", "--content", str(content), "--today", "2026-02-10")
    assert code == 0
    assert out.splitlines()[0] == MARKER
    assert "1 unit changed, 1 target cut after lock" in out
    code, out, _ = run("diff", "base", "--content", str(content), "--format", "json")
    assert code == 0
    assert json.loads(out)["counts"]["targets_cut_after_lock"] == 1


def test_diff_between_two_refs(tmp_path: Path) -> None:
    """BASE and HEAD refs: the working tree is not read."""
    content = repo_with_content(tmp_path)
    path = content / "2026-Q1/company.yaml"
    path.write_text(path.read_text().replace("target: 350", "target: 300"))
    git(content.parent, "commit", "-qam", "cut")
    path.write_text(path.read_text().replace("target: 300", "target: 1"))
    code, out, _ = run("diff", "base", "HEAD", "--content", str(content))
    assert code == 0
    assert "target 350 → 300" in out and "→ 1 " not in out


def test_diff_head_invalid_exits_1_with_errors_in_summary(tmp_path: Path) -> None:
    """Invalid head content: the summary lists the errors and the command exits 1."""
    content = repo_with_content(tmp_path)
    path = content / "2026-Q1/product.yaml"
    path.write_text(path.read_text().replace("status: locked", "status: lockd"))
    code, out, _ = run("diff", "base", "--content", str(content))
    assert code == 1
    assert out.startswith(MARKER)
    assert "does not validate" in out
    assert "content/2026-Q1/product.yaml" in out


def test_diff_unknown_ref_is_a_clean_error(tmp_path: Path) -> None:
    """An unknown BASE: exit 1, a one-line message, no traceback."""
    content = repo_with_content(tmp_path)
    code, _, err = run("diff", "nope", "--content", str(content))
    assert code == 1
    assert "git ref 'nope' not found" in err
    assert "Traceback" not in err


def test_codeowners_prints_rules_and_warns_on_stderr(tmp_path: Path) -> None:
    """CODEOWNERS on stdout; the invalid maintainer is a warning on stderr, not written."""
    content = repo_with_content(tmp_path)
    code, out, err = run("codeowners", "--content", str(content), "--company-owner", "@ceo")
    assert code == 0
    assert any(
        line.startswith("/content/*/product.yaml") and line.endswith(" @priya")
        for line in out.splitlines()
    )
    assert "/content/company.yaml" in out and "@ceo" in out
    assert "bad handle" not in out
    assert "warning:" in err and "'bad handle'" in err


def test_checkin_round_trip_changes_only_the_checkin_lines(tmp_path: Path) -> None:
    """`okrsite checkin` adds the check-in and sets current; every other line is unchanged."""
    content = repo_with_content(tmp_path)
    path = content / "2026-Q1/product.yaml"
    path.write_text(path.read_text().replace("    owner: Priya\n", "    owner: Priya  # lead\n", 1))
    before = path.read_text()
    code, out, err = run(
        "checkin",
        "product/easier/ttv",
        "8",
        "--confidence",
        "0.7",
        "--note",
        "a: b # c",
        "--date",
        "2026-02-02",
        "--cycle",
        "2026-Q1",
        "--content",
        str(content),
    )
    assert code == 0, err
    assert "check-in 2026-02-02 added to product/easier/ttv" in out
    after = path.read_text()
    old_lines, new_lines = before.splitlines(), after.splitlines()
    changed = [line for line in old_lines if line not in new_lines]
    added = [line for line in new_lines if line not in old_lines]
    assert changed == ["        current: 9"]
    assert added[0] == "        current: 8"
    assert "checkins:" in added[1]
    assert '"a: b # c"' in added[-1] and "2026-02-02" in added[-1]
    assert "  # lead" in after
    code, _, _ = run("check", "--content", str(content), "--today", "2026-02-03")
    assert code == 0


def test_checkin_milestone_words_and_bad_value(tmp_path: Path) -> None:
    """`done` is a milestone check-in; a word that is not a value is a usage error (exit 2)."""
    content = repo_with_content(tmp_path)
    path = content / "2026-Q1/product.yaml"
    path.write_text(
        path.read_text().replace(
            "        start: 14\n        target: 5\n        current: 9\n", "        done: false\n"
        )
    )
    code, _, err = run(
        "checkin",
        "product/easier/ttv",
        "done",
        "--date",
        "2026-02-02",
        "--cycle",
        "2026-Q1",
        "--content",
        str(content),
    )
    assert code == 0, err
    assert "done: true" in path.read_text()
    code, _, err = run(
        "checkin", "product/easier/ttv", "lots", "--cycle", "2026-Q1", "--content", str(content)
    )
    assert code == 2 and "expected a number, done/not-done or met/not-met" in err


def test_checkin_on_invalid_content_writes_nothing(tmp_path: Path) -> None:
    """Content already invalid: every error is shown, exit 1, nothing written
    (the cycle and the key result's kind cannot be trusted)."""
    content = repo_with_content(tmp_path)
    broken = content / "2026-Q1/onboarding.yaml"
    broken.write_text("status: nope\n")
    path = content / "2026-Q1/product.yaml"
    before = path.read_bytes()
    code, out, err = run(
        "checkin", "product/easier/ttv", "8", "--date", "2026-02-02", "--content", str(content)
    )
    assert code == 1
    assert path.read_bytes() == before
    assert "onboarding.yaml:1:9:" in err and out == ""


def test_checkin_invalid_result_restores_the_file(tmp_path: Path) -> None:
    """If the content does not validate after the check-in (here: one check-in
    over the 500 a key result may hold), the file's bytes are restored, exit 1."""
    content = repo_with_content(tmp_path)
    path = content / "2026-Q1/product.yaml"
    full = "".join(f"          - {{date: 2026-01-{1 + i % 28:02d}, value: 9}}\n" for i in range(500))
    path.write_text(path.read_text() + "        checkins:\n" + full)
    before = path.read_bytes()
    code, _, err = run(
        "checkin", "product/easier/ttv", "8", "--date", "2026-02-02", "--content", str(content)
    )
    assert code == 1
    assert path.read_bytes() == before
    assert "restored" in err and "product.yaml" in err


def test_checkin_unknown_key_result_is_a_clean_error(tmp_path: Path) -> None:
    """An unknown KR: exit 1, message names it, file untouched."""
    content = repo_with_content(tmp_path)
    path = content / "2026-Q1/product.yaml"
    before = path.read_bytes()
    code, _, err = run(
        "checkin", "product/easier/nope", "8", "--cycle", "2026-Q1", "--date", "2026-02-02",
        "--content", str(content),
    )
    assert code == 1
    assert "nope" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_checkin_default_cycle_is_current_by_date(tmp_path: Path) -> None:
    """Without --cycle the cycle containing --date is used."""
    content = repo_with_content(tmp_path)
    code, out, err = run(
        "checkin", "product/easier/ttv", "7", "--date", "2026-03-01", "--content", str(content)
    )
    assert code == 0, err
    assert "2026-Q1/product.yaml" in out
