"""When each content file last changed, from git history (one ``git log``).

Dates come from commits, not the clock, so builds stay reproducible. Outside
a git repository (or without git) the answer is simply empty.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def last_changed(content_dir: Path) -> dict[str, str]:
    """Display path (``content/2026-Q1/x.yaml``) → date of its latest commit."""
    try:
        root = subprocess.run(
            ["git", "-C", str(content_dir), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
        log = subprocess.run(
            [
                "git",
                "-C",
                root,
                "log",
                "--format=%x00%cs",
                "--name-only",
                "--no-renames",
                "--",
                str(content_dir.resolve()),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    base = content_dir.resolve().parent
    dates: dict[str, str] = {}
    current = ""
    for line in log.splitlines():
        if line.startswith("\x00"):
            current = line[1:]
        elif line and current:
            try:
                rel = (Path(root) / line).resolve().relative_to(base).as_posix()
            except ValueError:
                continue
            dates.setdefault(rel, current)
    return dates
