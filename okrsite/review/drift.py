"""Target drift since lock: which commit changed a locked key result's target.

Why: locking OKRs is a promise; moving a target afterwards should be visible,
with who did it and when. ``okrsite history UNIT`` answers from git history:

1. ``git log --raw -- <unit file>`` (one process) lists every commit that
   touched the unit's file for the cycle, oldest first, with the blob id of
   each version; one ``git cat-file --batch`` reads all versions.
2. Each version is parsed with the loader's parser (not validated: an old
   version may be invalid; we read what we can).
3. The *lock* is the first commit whose version has ``status: locked`` or
   ``graded``; failing that, the first commit dated on or after a
   ``locked_on`` date.
4. Every later commit whose version changed a key result's target (or added
   or removed a key result with a target) is a :class:`TargetChange`.

On a shallow clone the commits before the shallow boundary are missing; the
report says so (``history before 2026-01-15 is not available in this shallow
clone``) instead of pretending the visible history is all there is.

:func:`analyse` is pure (versions in, report out); :func:`target_history`
reads git; :func:`format_report` makes plain text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrsite.errors import OkrsiteError
from okrsite.model import SLUG_RE
from okrsite.render.escape import clean
from okrsite.render.fmt import format_number
from okrsite.source import UNIT_SUFFIXES, parse_unit_file
from okrsite.source.gitsource import content_path_in_repo, is_shallow, read_blobs, run_git

LOCKED = ("locked", "graded")
_NULL_OID = "0" * 40


@dataclass(frozen=True)
class Version:
    """One commit that touched the unit file, and the file's data after it."""

    sha: str
    short: str
    date: str
    """Author date, YYYY-MM-DD."""
    author: str
    data: dict[str, Any] | None
    """Parsed file (None: deleted or unreadable at this commit)."""


@dataclass(frozen=True)
class TargetChange:
    """A key result's target changed in a commit after the lock."""

    short: str
    date: str
    author: str
    objective: str
    key_result: str
    old: float | None
    new: float | None
    cut: bool
    """Moved away from ambition (lower for an increasing KR, higher for a decreasing one)."""


@dataclass
class HistoryReport:
    """What :func:`target_history` found for one unit and cycle."""

    unit: str
    cycle: str
    paths: list[str]
    commits: int = 0
    lock: Version | None = None
    lock_reason: str = ""
    changes: list[TargetChange] = field(default_factory=list)
    shallow_before: str | None = None
    """Set on a shallow clone: the date before which history is missing."""


# --------------------------------------------------------------------------
# Pure analysis


def _targets(data: dict[str, Any] | None) -> dict[tuple[str, str], tuple[Any, Any]]:
    """(objective id, KR id) → (start, target) from loosely read data."""
    found: dict[tuple[str, str], tuple[Any, Any]] = {}
    objectives = data.get("objectives") if isinstance(data, dict) else None
    for objective in objectives if isinstance(objectives, list) else []:
        if not isinstance(objective, dict) or not isinstance(objective.get("id"), str):
            continue
        krs = objective.get("key_results")
        for kr in krs if isinstance(krs, list) else []:
            if isinstance(kr, dict) and isinstance(kr.get("id"), str):
                found[(objective["id"], kr["id"])] = (kr.get("start"), kr.get("target"))
    return found


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _is_cut(start: Any, old: float | None, new: float | None) -> bool:
    start = _number(start)
    if start is None or old is None or new is None or old == start:
        return False
    return new < old if old > start else new > old


def _lock_index(versions: Sequence[Version]) -> tuple[int | None, str]:
    for index, version in enumerate(versions):
        data = version.data or {}
        if data.get("status") in LOCKED:
            return index, f"status {data['status']}"
    for index, version in enumerate(versions):
        locked_on = (version.data or {}).get("locked_on")
        if isinstance(locked_on, dt.date) and version.date >= locked_on.isoformat():
            return index, f"locked_on {locked_on.isoformat()}"
    return None, ""


def analyse(report: HistoryReport, versions: Sequence[Version]) -> HistoryReport:
    """Fill ``report`` from ``versions`` (oldest first): the lock and later target changes."""
    report.commits = len(versions)
    index, reason = _lock_index(versions)
    if index is None:
        return report
    report.lock, report.lock_reason = versions[index], reason
    previous = _targets(versions[index].data)
    for version in versions[index + 1 :]:
        if version.data is None:
            continue  # deleted or unreadable: compare the next readable version
        current = _targets(version.data)
        for key in sorted(previous.keys() | current.keys()):
            old_start, old = previous.get(key, (None, None))
            new_start, new = current.get(key, (None, None))
            old, new = _number(old), _number(new)
            if old == new:
                continue
            report.changes.append(
                TargetChange(
                    version.short,
                    version.date,
                    version.author,
                    key[0],
                    key[1],
                    old,
                    new,
                    _is_cut(old_start if old_start is not None else new_start, old, new),
                )
            )
        previous = current
    return report


# --------------------------------------------------------------------------
# Reading git


def _versions(root: Path, paths: list[str]) -> list[Version]:
    """Every commit touching ``paths``, oldest first, with the file's data after it."""
    out = run_git(
        root,
        [
            "log",
            "--format=%x1e%H%x1f%as%x1f%an",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--",
            *paths,
        ],
    ).decode("utf-8", "replace")
    commits: list[tuple[list[str], str | None, str]] = []
    for record in out.split("\x1e"):
        if not record.strip():
            continue
        header, _, rest = record.partition("\n")
        meta = header.split("\x1f")
        blob: str | None = None
        path = ""
        for line in rest.splitlines():
            if line.startswith(":"):
                info, _, path = line.partition("\t")
                new_oid = info.split()[3]
                blob = None if new_oid == _NULL_OID else new_oid
        commits.append((meta, blob, path))
    commits.reverse()
    blobs = read_blobs(root, [b for _, b, _ in commits if b])
    shas = [meta[0] for meta, _, _ in commits]
    # --no-abbrev (full blob ids) also unabbreviates %h: ask for short ids once.
    listed = run_git(root, ["show", "-s", "--format=%H %h", *shas]).decode() if shas else ""
    short_of = dict(line.split() for line in listed.splitlines() if line.strip())
    shorts = [short_of.get(sha, sha[:7]) for sha in shas]
    versions: list[Version] = []
    for (meta, blob, path), short in zip(commits, shorts, strict=True):
        data = None
        if blob is not None:
            loaded, _issues = parse_unit_file(blobs[blob], path)
            data = loaded.data if loaded is not None else None
        versions.append(Version(meta[0], short, meta[1], meta[2], data))
    return versions


def _shallow_boundary(root: Path) -> str | None:
    """The newest date of the shallow boundary commits, or None if not shallow."""
    if not is_shallow(root):
        return None
    shallow_file = Path(run_git(root, ["rev-parse", "--git-path", "shallow"]).decode().strip())
    if not shallow_file.is_absolute():
        shallow_file = root / shallow_file
    shas = shallow_file.read_text(encoding="ascii").split() if shallow_file.exists() else []
    if not shas:
        return None
    dates = run_git(root, ["show", "-s", "--format=%as", *shas]).decode().split()
    return max(dates) if dates else None


def target_history(content_dir: Path, cycle_id: str, unit_id: str) -> HistoryReport:
    """Target changes of ``unit_id`` in ``cycle_id`` since the lock, from git."""
    if not SLUG_RE.match(unit_id):
        raise OkrsiteError(f"'{unit_id}' is not a unit id")
    if not cycle_id or "/" in cycle_id or cycle_id.startswith("."):
        raise OkrsiteError(f"'{cycle_id}' is not a cycle id")
    root, content_path = content_path_in_repo(content_dir)
    folder = f"{content_path}/{cycle_id}" if content_path else cycle_id
    paths = [f"{folder}/{unit_id}{suffix}" for suffix in UNIT_SUFFIXES]
    report = HistoryReport(unit_id, cycle_id, paths)
    report.shallow_before = _shallow_boundary(root)
    return analyse(report, _versions(root, paths))


def _value(value: float | None) -> str:
    return "–" if value is None else format_number(value)


def format_report(report: HistoryReport) -> str:
    """The report as plain text for a terminal (content cleaned of control characters)."""
    lines = [f"Target changes of {report.unit} in {report.cycle} since the lock"]
    if report.commits == 0:
        lines.append(f"No commit touches {' or '.join(report.paths)}.")
    elif report.lock is None:
        lines.append(f"Not locked yet ({report.commits} commits seen): targets may still move.")
    else:
        lock = report.lock
        lines.append(
            f"Locked in {lock.short} on {lock.date} by {clean(lock.author)} ({report.lock_reason})."
        )
        if not report.changes:
            lines.append("No target changed since the lock.")
        for change in report.changes:
            flag = "  (target cut after lock)" if change.cut else ""
            what = f"{clean(change.objective)}/{clean(change.key_result)}"
            lines.append(
                f"{change.short}  {change.date}  {clean(change.author)}  {what}: "
                f"target {_value(change.old)} → {_value(change.new)}{flag}"
            )
    if report.shallow_before:
        lines.append(
            f"note: history before {report.shallow_before} is not available in this shallow "
            "clone (run `git fetch --unshallow` to see it)"
            + ("; the lock may be older than what is visible" if report.lock else "")
        )
    return "\n".join(lines) + "\n"
