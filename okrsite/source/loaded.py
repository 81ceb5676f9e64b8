"""What the loader hands on: files as plain data, with where every value is.

:class:`LoadedFile` is one content file as plain Python data (dicts, lists,
str, int, float, bool, None, dates) plus a map from every data path to its
``(line, column)``, so that validation can report
``content/2026-Q1/sales.yaml:12:5: …`` for any problem it finds.
:class:`RawContent` is a whole content directory of them, not yet validated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrsite.errors import ContentIssue, SourceLocation

MAX_FILE_BYTES = 1024 * 1024
"""Larger files are refused unread: no OKR file needs a megabyte."""
MAX_DEPTH = 32
"""Deepest allowed nesting of mappings and lists (real files need about 6)."""
UNIT_SUFFIXES = (".yaml", ".yml", ".md")
REQUIRED_FILES = ("company.yaml", "org.yaml")

DataPath = tuple[str | int, ...]
Location = tuple[int, int]


@dataclass
class LoadedFile:
    """One content file as plain data, with where every value and key is."""

    path: str
    """Display path: relative to the content directory's parent, '/'-separated."""
    data: Any
    value_locations: dict[DataPath, Location] = field(default_factory=dict)
    """Data path → 1-based (line, column) of the value; ``()`` is the root."""
    key_locations: dict[DataPath, Location] = field(default_factory=dict)
    """Data path of a mapping entry → 1-based (line, column) of its key."""
    body: str = ""
    """Markdown after the front matter of a ``.md`` unit file, else ``""``."""

    def location(self, path: tuple[str | int, ...], *, key: bool = False) -> SourceLocation:
        """The location of ``path``, or of its nearest known ancestor.

        Validation errors often name paths that do not exist in the file (a
        missing required field): those point at the enclosing mapping. With
        ``key=True`` an existing entry points at its key (for "unknown key").
        """
        path = tuple(path)
        if key and path in self.key_locations:
            line, column = self.key_locations[path]
            return SourceLocation(self.path, line, column)
        for end in range(len(path), -1, -1):
            found = self.value_locations.get(path[:end])
            if found is not None:
                return SourceLocation(self.path, found[0], found[1])
        return SourceLocation(self.path, 1, 1)


ParseResult = tuple[LoadedFile | None, list[ContentIssue]]
"""What parsing one file gives: the file (None if unusable) and its issues."""


@dataclass
class RawContent:
    """Everything in a content directory, loaded but not yet validated."""

    root: Path
    company: LoadedFile | None
    """``content/company.yaml`` (None if missing or unreadable: see issues)."""
    org: LoadedFile | None
    """``content/org.yaml`` (None if missing or unreadable: see issues)."""
    cycle_files: dict[str, dict[str, LoadedFile]]
    """Cycle folder name → unit id (file stem) → file, both sorted by name."""
    issues: list[ContentIssue]
    """Every problem found while loading, sorted by location."""
