"""When each content file last changed, from git history.

Dates come from commits, not the clock, so builds stay reproducible. Outside
a git repository (or without git) the answer is simply empty.

Reading the whole history costs what the history costs: ``git log
--name-only`` over 300 commits took 0.25 s, and turning its lines into
paths as much again, on every build, growing with every commit. With a
``store`` (a JSON file in the build's cache directory) the answer is kept
with the commit it was computed at; the next build reads only the commits
since (``git log <kept>..HEAD``) when the kept commit is an ancestor of
HEAD, and the whole history otherwise (a rewritten branch, a shallow clone
without the kept commit, another repository).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from okrsite.source.files import write_atomically

STORE_FORMAT = 1


def last_changed(content_dir: Path, store: Path | None = None) -> dict[str, str]:
    """Display path (``content/2026-Q1/x.yaml``) → date of its latest commit."""
    try:
        root = _git(content_dir, "rev-parse", "--show-toplevel").strip()
        head = _git(content_dir, "rev-parse", "--verify", "-q", "HEAD").strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    where = str(content_dir.resolve())
    kept = _read_store(store, root, where) if store is not None else None
    if kept is not None and kept[0] == head:
        return kept[1]
    try:
        if kept is not None and _is_ancestor(root, kept[0], head):
            dates = {**kept[1], **_log(root, where, f"{kept[0]}..{head}")}  # newer commits win
        else:
            dates = _log(root, where, None)
    except (OSError, subprocess.SubprocessError):
        return {}
    if store is not None:
        _write_store(store, root, where, head, dates)
    return dates


def _git(cwd: Path | str, *args: str, timeout: float = 30) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout


def _is_ancestor(root: str, commit: str, head: str) -> bool:
    result = subprocess.run(
        ["git", "-C", root, "merge-base", "--is-ancestor", commit, head],
        capture_output=True,
        timeout=30,
    )
    return result.returncode == 0


def _log(root: str, content_dir: str, commits: str | None) -> dict[str, str]:
    """Display path → date of the newest commit in ``commits`` (all history
    when None) touching it."""
    args = ["log", "--format=%x00%cs", "--name-only", "--no-renames"]
    if commits is not None:
        args.append(commits)
    log = _git(root, *args, "--", content_dir, timeout=120)
    base = Path(content_dir).parent
    dates: dict[str, str] = {}
    named: dict[str, str | None] = {}  # a line of the log → its display path (once each)
    current = ""
    for line in log.splitlines():
        if line.startswith("\x00"):
            current = line[1:]
        elif line and current:
            rel = named.get(line, "")
            if rel == "":
                try:
                    rel = (Path(root) / line).resolve().relative_to(base).as_posix()
                except ValueError:
                    rel = None
                named[line] = rel
            if rel is not None:
                dates.setdefault(rel, current)
    return dates


def _read_store(store: Path, root: str, content_dir: str) -> tuple[str, dict[str, str]] | None:
    """The kept (commit, dates) for this repository and content directory."""
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
        if (data["format"], data["root"], data["content"]) != (STORE_FORMAT, root, content_dir):
            return None
        dates = {str(k): str(v) for k, v in data["dates"].items()}
        return str(data["head"]), dates
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or not ours: read the whole history


def _write_store(
    store: Path, root: str, content_dir: str, head: str, dates: dict[str, str]
) -> None:
    data = {"format": STORE_FORMAT, "root": root, "content": content_dir, "head": head}
    text = json.dumps({**data, "dates": dict(sorted(dates.items()))}, separators=(",", ":"))
    try:
        os.makedirs(store.parent, exist_ok=True)
        write_atomically(store, text.encode("utf-8"), durable=False)
    except OSError:
        pass  # a cache: the next build reads the history again
