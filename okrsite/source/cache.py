"""What a process that loads the same content again keeps between loads.

``mkdocs serve`` rebuilds in the same process after every edit; with
thousands of unit files, parsing and validating the unchanged ones again
would dominate each rebuild. The owner of that loop (the plugin, for the life
of one ``serve``) creates one :class:`LoadCache` and passes it to every
``load_model``; one-shot commands pass none, so nothing outlives their load
and no memory is held for a next load that never comes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, TypeVar

from okrsite.source.loaded import DataPath, LoadedFile, Location, ParseResult
from okrsite.source.store import ParseStore
from okrsite.source.yaml_scalars import PlainScalars

T = TypeVar("T")


class FileParser(Protocol):
    """``parse_yaml`` or ``parse_unit_file``: bytes of one file → result."""

    __name__: str

    def __call__(
        self, raw: bytes, path: str, /, *, scalars: PlainScalars | None = None, fast: bool = True
    ) -> ParseResult: ...


def strict_locations(
    parse: FileParser, raw: bytes, display: str
) -> tuple[dict[DataPath, Location], dict[DataPath, Location]]:
    """Every value and key location of a file, by the strict reader (for a
    stored fast-read result whose locations an error asks for)."""
    loaded, _issues = parse(raw, display, fast=False)
    if loaded is None:  # pragma: no cover - a stored file always parses
        return {(): (1, 1)}, {}
    return loaded.value_locations, loaded.key_locations


class LoadCache:
    """Parse results by file content, and what later stages derive from them.

    A parse result is keyed by the file's display path, the parser and the
    sha256 of its bytes, so a hit is always the same answer. Unchanged bytes
    therefore give the very same :class:`LoadedFile` object, which is what
    :meth:`derived` keys on: validation remembers each file's validated node
    there. Everything handed out is shared: callers treat it as read-only.
    """

    LIMIT = 50_000
    """Most entries per table; a table starts over when it is full."""

    def __init__(self, store: ParseStore | None = None) -> None:
        self.store = store
        """Parse results on disk (closed quarters are then not parsed again)."""
        self.scalars = PlainScalars()
        """Resolved plain scalars, shared by every load through this cache."""
        self._parsed: dict[tuple[str, str, bytes], ParseResult] = {}
        self._derived: dict[tuple[object, int], tuple[LoadedFile, Any]] = {}

    def parse(self, parse: FileParser, raw: bytes, display: str) -> ParseResult:
        """``parse(raw, display)``, remembered by path, parser and content."""
        key = (display, parse.__name__, hashlib.sha256(raw).digest())
        found = self._parsed.get(key)
        if found is None:
            if len(self._parsed) >= self.LIMIT:
                self._parsed.clear()
            found = self._parsed[key] = self._parse_or_load(parse, raw, display)
        return found[0], list(found[1])

    def _parse_or_load(self, parse: FileParser, raw: bytes, display: str) -> ParseResult:
        if self.store is None:
            return parse(raw, display, scalars=self.scalars)
        # parse_unit_file reads a .md file differently: the suffix is part of the key.
        name = parse.__name__ + (".md" if display.lower().endswith(".md") else "")
        found = self.store.load(name, raw, display, partial(strict_locations, parse))
        if found is None:
            found = parse(raw, display, scalars=self.scalars)
            self.store.save(name, raw, found)
        return found

    def derived(self, kind: object, file: LoadedFile, compute: Callable[[], T]) -> T:
        """``compute()`` for this very ``file`` object, remembered under ``kind``.

        Keyed by identity (the file object is kept alongside, so its id cannot
        be reused by another object while the entry lives).
        """
        key = (kind, id(file))
        found = self._derived.get(key)
        if found is None or found[0] is not file:
            if len(self._derived) >= self.LIMIT:
                self._derived.clear()
            found = self._derived[key] = (file, compute())
        result: T = found[1]
        return result
