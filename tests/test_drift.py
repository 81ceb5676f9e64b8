"""okrsite history: target drift since lock, from real git history.

(``okrsite/history.py`` is the progress-over-time module; target drift lives
in ``okrsite/drift.py``.)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import contentkit
from click.testing import CliRunner
from contentkit import make_content

from okrsite.cli import main
from okrsite.review.drift import format_report, target_history


def git(repo: Path, *args: str, author: str = "Alice", date: str = "2026-01-05T10:00:00") -> str:
    """git as ``author`` at ``date`` (a fixed day unless a test says otherwise)."""
    return contentkit.git(repo, *args, author=author, date=date)

def edit_commit(repo: Path, old: str, new: str, *, author: str, date: str, rel: str = "") -> str:
    """Edit content/2026-Q1/product.yaml (or ``rel``), commit; return the short sha."""
    path = repo / "content" / (rel or "2026-Q1/product.yaml")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    git(repo, "commit", "-qam", f"edit by {author}", author=author, date=date)
    return git(repo, "rev-parse", "--short", "HEAD").strip()


def drafted_repo(tmp_path: Path) -> Path:
    """A repository whose product OKRs start as a draft (target 5 days)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    content = make_content(repo, {})
    product = content / "2026-Q1/product.yaml"
    product.write_text(product.read_text().replace("status: locked", "status: draft"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "draft")
    return repo


def locked_history(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Draft → target moved (before lock) → locked → cut by Bob → raised by Carol."""
    repo = drafted_repo(tmp_path)
    shas = {
        "pre": edit_commit(
            repo, "target: 5", "target: 6", author="Alice", date="2026-01-06T09:00:00"
        ),
        "lock": edit_commit(
            repo, "status: draft", "status: locked", author="Priya", date="2026-01-10T09:00:00"
        ),
        "cut": edit_commit(
            repo, "target: 6", "target: 8", author="Bob", date="2026-02-01T09:00:00"
        ),
        "raise": edit_commit(
            repo, "target: 8", "target: 4", author="Carol", date="2026-02-15T09:00:00"
        ),
    }
    return repo, shas


def test_changes_after_lock_with_sha_date_author(tmp_path: Path) -> None:
    """Only changes after the locking commit are listed, each with sha, date, author, old → new."""
    repo, shas = locked_history(tmp_path)
    report = target_history(repo / "content", "2026-Q1", "product")
    assert report.lock is not None and report.lock.short == shas["lock"]
    assert report.lock_reason == "status locked"
    assert [(c.short, c.date, c.author, c.old, c.new, c.cut) for c in report.changes] == [
        (shas["cut"], "2026-02-01", "Bob", 6, 8, True),
        (shas["raise"], "2026-02-15", "Carol", 8, 4, False),
    ]
    text = format_report(report)
    assert f"Locked in {shas['lock']} on 2026-01-10 by Priya (status locked)." in text
    assert (
        f"{shas['cut']}  2026-02-01  Bob  easier/ttv: target 6 → 8  (target cut after lock)" in text
    )
    assert "shallow" not in text


def test_not_locked_yet(tmp_path: Path) -> None:
    """A unit never locked says so and lists no changes."""
    repo = drafted_repo(tmp_path)
    edit_commit(repo, "target: 5", "target: 6", author="Alice", date="2026-01-06T09:00:00")
    report = target_history(repo / "content", "2026-Q1", "product")
    assert report.lock is None and report.changes == []
    assert "Not locked yet (2 commits seen)" in format_report(report)


def test_locked_on_date_marks_the_lock(tmp_path: Path) -> None:
    """Without a locked status, the first commit on or after `locked_on` is the lock."""
    repo = drafted_repo(tmp_path)
    edit_commit(
        repo,
        "status: draft",
        "status: draft\nlocked_on: 2026-01-09",
        author="Priya",
        date="2026-01-08T09:00:00",
    )
    lock = edit_commit(
        repo,
        "owner: Priya\n    aligns",
        "owner: Sam\n    aligns",
        author="Sam",
        date="2026-01-09T12:00:00",
    )
    edit_commit(repo, "target: 5", "target: 3", author="Sam", date="2026-01-20T09:00:00")
    report = target_history(repo / "content", "2026-Q1", "product")
    assert report.lock is not None and report.lock.short == lock
    assert report.lock_reason == "locked_on 2026-01-09"
    assert [(c.old, c.new, c.cut) for c in report.changes] == [(5, 3, False)]


def test_shallow_clone_says_what_it_cannot_see(tmp_path: Path) -> None:
    """In a depth-2 clone the lock is invisible and the report names the boundary date."""
    repo, _ = locked_history(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    report = target_history(clone / "content", "2026-Q1", "product")
    text = format_report(report)
    assert report.shallow_before == "2026-02-01"
    assert "history before 2026-02-01 is not available in this shallow clone" in text


def test_history_command(tmp_path: Path) -> None:
    """`okrsite history product --cycle 2026-Q1` prints the report and exits 0."""
    repo, shas = locked_history(tmp_path)
    result = CliRunner().invoke(
        main, ["history", "product", "--cycle", "2026-Q1", "--content", str(repo / "content")]
    )
    assert result.exit_code == 0, result.output
    assert f"{shas['raise']}  2026-02-15  Carol  easier/ttv: target 8 → 4" in result.output


def test_history_command_rejects_a_bad_unit(tmp_path: Path) -> None:
    """A unit id that is not a slug is a clean error (exit 1, no traceback)."""
    repo, _ = locked_history(tmp_path)
    result = CliRunner().invoke(
        main, ["history", "../x", "--cycle", "2026-Q1", "--content", str(repo / "content")]
    )
    assert result.exit_code == 1
    assert "not a unit id" in result.output
    assert "Traceback" not in result.output
