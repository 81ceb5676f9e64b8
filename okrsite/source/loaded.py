"""What the loader hands on: files as plain data, with where every value is.

:class:`LoadedFile` is one content file as plain Python data (dicts, lists,
str, int, float, bool, None, dates) plus a map from every data path to its
``(line, column)``, so that validation can report
``content/2026-Q1/sales.yaml:12:5: …`` for any problem it finds.
:class:`RawContent` is a whole content directory of them, not yet validated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


class LoadedFile:
    """One content file as plain data, with where every value and key is.

    The loader's fast reader (:mod:`~okrsite.source.yaml_fast`) records only
    where the root and each mapping and list start (:meth:`node_location`,
    what a validated node needs); the location of every value and key is then
    computed from the text by ``locate`` the first time it is asked for, which
    for most files is never (only an error needs it).
    """

    __slots__ = ("_keys", "_locate", "_nodes", "_values", "body", "data", "path")

    def __init__(
        self,
        path: str,
        data: Any,
        value_locations: dict[DataPath, Location] | None = None,
        key_locations: dict[DataPath, Location] | None = None,
        body: str = "",
        *,
        node_locations: dict[DataPath, Location] | None = None,
        locate: Callable[[], tuple[dict[DataPath, Location], dict[DataPath, Location]]]
        | None = None,
    ) -> None:
        self.path = path
        """Display path: relative to the content directory's parent, '/'-separated."""
        self.data = data
        self.body = body
        """Markdown after the front matter of a ``.md`` unit file, else ``""``."""
        self._locate = locate
        if locate is None:
            value_locations = {} if value_locations is None else value_locations
            key_locations = {} if key_locations is None else key_locations
        self._values = value_locations
        self._keys = key_locations
        self._nodes = value_locations if node_locations is None else node_locations

    def _located(self) -> None:
        assert self._locate is not None
        self._values, self._keys = self._locate()
        self._locate = None

    @property
    def value_locations(self) -> dict[DataPath, Location]:
        """Data path → 1-based (line, column) of the value; ``()`` is the root."""
        if self._values is None:
            self._located()
        assert self._values is not None
        return self._values

    @property
    def key_locations(self) -> dict[DataPath, Location]:
        """Data path of a mapping entry → 1-based (line, column) of its key."""
        if self._keys is None:
            self._located()
        assert self._keys is not None
        return self._keys

    @property
    def is_located(self) -> bool:
        """Whether every value and key location is known (not left to compute)."""
        return self._locate is None

    @property
    def node_locations(self) -> dict[DataPath, Location]:
        """Where the root and every mapping and list start (at least those)."""
        assert self._nodes is not None
        return self._nodes

    def node_location(self, path: DataPath) -> Location:
        """Where the mapping or list at ``path`` starts, or its nearest ancestor
        if it is not in the file (a node with default values): the same as
        :meth:`location` for such paths, without the full location map."""
        nodes = self._nodes
        assert nodes is not None
        found = nodes.get(path)
        if found is not None:
            return found
        for end in range(len(path) - 1, -1, -1):
            found = nodes.get(path[:end])
            if found is not None:
                return found
        return (1, 1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LoadedFile):
            return NotImplemented
        return (self.path, self.data, self.body, self.value_locations, self.key_locations) == (
            other.path,
            other.data,
            other.body,
            other.value_locations,
            other.key_locations,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __repr__(self) -> str:
        return f"LoadedFile({self.path!r}, {self.data!r}, body={self.body!r})"

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
        values = self.value_locations
        for end in range(len(path), -1, -1):
            found = values.get(path[:end])
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
