"""A content directory → every file loaded, with every layout problem located.

This is the only place that reads content files. Layout: ``company.yaml``
and ``org.yaml`` (required), one folder per cycle (any folder not starting
with '.' or '_') holding ``<unit>.yaml|.yml|.md`` files, and optionally a
README. Everything is visited in name order so results (and issue lists)
are deterministic.

Nothing here raises for a content problem and nothing prints: every problem
becomes a :class:`~okrsite.errors.ContentIssue`, so the user sees all of them
at once. Callers turn a non-empty issue list into a failed build (the only
exception raised here is for a content directory that does not exist).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from okrsite.errors import ContentError, ContentIssue
from okrsite.source.cache import FileParser, LoadCache
from okrsite.source.loaded import (
    MAX_FILE_BYTES,
    REQUIRED_FILES,
    UNIT_SUFFIXES,
    LoadedFile,
    RawContent,
)
from okrsite.source.parse import parse_unit_file, parse_yaml
from okrsite.source.text import issue
from okrsite.source.yaml_scalars import PlainScalars

log = logging.getLogger(__name__)


class Walk:
    """State of one :func:`load_content` run (display paths, issues, reading).

    This one walks a directory on disk; ``gitsource.GitWalk`` overrides
    :meth:`entries`, :meth:`kind` and :meth:`read_bytes` to walk a git tree,
    so both share every per-file rule (:meth:`cycle`, :func:`load_walk`).
    An entry is anything with ``name`` and ``path`` attributes.

    With a :class:`~okrsite.source.cache.LoadCache`, unchanged files are not
    parsed again (see there); without one, every file is parsed.
    """

    def __init__(self, root: Path, cache: LoadCache | None = None) -> None:
        self.root = root
        self.cache = cache
        # The files of one load share resolved scalars (dates and numbers repeat).
        self.scalars = cache.scalars if cache is not None else PlainScalars()
        self.real_root = root.resolve()
        name = Path(os.path.abspath(root)).name
        self.prefix = f"{name}/" if name else ""
        self.issues: list[ContentIssue] = []

    def display(self, *parts: str) -> str:
        return self.prefix + "/".join(parts)

    def problem(self, display: str, message: str) -> None:
        self.issues.append(issue(display, message))

    def entries(self, directory: str) -> list[Any]:
        """Directory entries sorted by name, hidden ones ('.x') left out."""
        try:
            with os.scandir(directory) as scan:
                return sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            self.problem(self.display(), f"cannot read folder ({exc.strerror or exc})")
            return []

    def kind(self, entry: Any, display: str) -> str | None:
        """'file' or 'dir' for an entry that is safe to use, else None (issue recorded).

        Symbolic links are followed only within the content directory, so a
        pull request cannot publish /etc/passwd through a link.
        """
        try:
            if entry.is_symlink():
                try:
                    target = Path(entry.path).resolve(strict=True)
                except (OSError, RuntimeError):
                    self.problem(display, "broken symbolic link (its target does not exist)")
                    return None
                if not target.is_relative_to(self.real_root):
                    self.problem(display, "symbolic link points outside the content directory")
                    return None
            mode = os.stat(entry.path).st_mode
        except OSError as exc:
            self.problem(display, f"cannot read ({exc.strerror or exc})")
            return None
        if stat.S_ISDIR(mode):
            return "dir"
        if stat.S_ISREG(mode):
            return "file"
        self.problem(display, "not a regular file")
        return None

    def read_bytes(self, file_path: str, display: str) -> bytes | None:
        """The bytes of one file, or None (issue recorded); size checked first."""
        try:
            with open(file_path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > MAX_FILE_BYTES:
                    self.problem(display, f"file is too large ({size} bytes; the limit is 1 MiB)")
                    return None
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            self.problem(display, f"cannot read file ({exc.strerror or exc})")
            return None
        return raw

    def read(self, file_path: str, display: str, parse: FileParser) -> LoadedFile | None:
        """Read and parse one file; None if it cannot be used (issues recorded)."""
        raw = self.read_bytes(file_path, display)
        if raw is None:
            return None
        if self.cache is None:
            loaded, issues = parse(raw, display, scalars=self.scalars)
        else:
            loaded, issues = self.cache.parse(parse, raw, display)
        self.issues.extend(issues)
        return loaded

    def cycle(self, entry: Any) -> dict[str, LoadedFile]:
        """Every unit file of one cycle folder, by unit id."""
        files: dict[str, LoadedFile] = {}
        seen: dict[str, str] = {}  # unit id -> first file name
        for item in self.entries(entry.path):
            display = self.display(entry.name, item.name)
            kind = self.kind(item, display)
            if kind is None:
                continue
            if kind == "dir":
                self.problem(
                    display,
                    f"unexpected folder inside cycle folder '{entry.name}': "
                    "unit files go directly in the cycle folder",
                )
                continue
            stem, suffix = os.path.splitext(item.name)
            if suffix not in UNIT_SUFFIXES or not stem:
                self.problem(display, "not a unit file: expected <unit>.yaml or <unit>.md")
                continue
            if stem in seen:
                self.problem(
                    display,
                    f"unit '{stem}' already has a file in this cycle ({seen[stem]}); keep only one",
                )
                continue
            seen[stem] = item.name
            loaded = self.read(item.path, display, parse_unit_file)
            if loaded is not None:
                files[stem] = loaded
        return files


def load_content(
    content_dir: Path, cache: LoadCache | None = None, *, skip: frozenset[str] = frozenset()
) -> RawContent:
    """Load every file of a content directory; problems go to ``issues``.

    Layout: ``company.yaml`` and ``org.yaml`` (required), one folder per cycle
    (any folder not starting with '.' or '_') holding ``<unit>.yaml|.yml|.md``
    files, and optionally a README. Everything is visited in name order so
    results (and issue lists) are deterministic.

    ``cache`` is for a process that loads the same directory again (see
    :class:`~okrsite.source.cache.LoadCache`). Cycle folders named in ``skip``
    are not read (their validated OKRs are kept elsewhere, see
    :mod:`okrsite.validate.kept`). Raises ContentError only when
    ``content_dir`` is not a directory.
    """
    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        display = str(PurePosixPath(*content_dir.parts)) if content_dir.parts else "."
        message = (
            "content directory not found"
            if not content_dir.exists()
            else "content path is not a directory"
        )
        raise ContentError([issue(display, message)])
    return load_walk(Walk(content_dir, cache), content_dir, skip)


def load_walk(walk: Walk, content_dir: Path, skip: frozenset[str] = frozenset()) -> RawContent:
    """The content layout rules of :func:`load_content`, over any :class:`Walk`."""
    top: dict[str, LoadedFile | None] = dict.fromkeys(REQUIRED_FILES)
    cycle_files: dict[str, dict[str, LoadedFile]] = {}
    found: set[str] = set()
    for entry in walk.entries(str(content_dir)):
        display = walk.display(entry.name)
        kind = walk.kind(entry, display)
        if kind is None:
            found.update({entry.name} & set(REQUIRED_FILES))
            continue
        if kind == "dir":
            if entry.name in REQUIRED_FILES:
                found.add(entry.name)
                walk.problem(display, "expected a file, found a folder")
            elif not entry.name.startswith("_") and entry.name not in skip:
                cycle_files[entry.name] = walk.cycle(entry)
        elif entry.name in REQUIRED_FILES:
            found.add(entry.name)
            top[entry.name] = walk.read(entry.path, display, parse_yaml)
        elif entry.name.lower() not in ("readme.md", "readme", "readme.txt"):
            stem = os.path.splitext(entry.name)[0]
            hint = f" (did you mean {stem}.yaml?)" if f"{stem}.yaml" in REQUIRED_FILES else ""
            walk.problem(
                display,
                "unexpected file: the content directory holds company.yaml, "
                f"org.yaml and one folder per cycle{hint}",
            )
    for name in REQUIRED_FILES:
        if name not in found:
            walk.problem(walk.display(name), "missing file")
    log.debug(
        "loaded %d cycle folders, %d unit files from %s",
        len(cycle_files),
        sum(len(units) for units in cycle_files.values()),
        content_dir,
    )
    return RawContent(
        root=content_dir,
        company=top["company.yaml"],
        org=top["org.yaml"],
        cycle_files=cycle_files,
        issues=sorted(walk.issues),
    )
