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
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Protocol, TypeVar

from okrsite.source.loaded import DataPath, LoadedFile, Location, ParseResult
from okrsite.source.store import ParseStore, result_of
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


ParseKey = tuple[str, str, bytes]
"""A parse result's key: display path, parser name, sha256 of the bytes."""


def parse_key(parse: FileParser, raw: bytes, display: str) -> ParseKey:
    return (display, parse.__name__, hashlib.sha256(raw).digest())


def store_name(parse: FileParser, display: str) -> str:
    """The parser's name in a :class:`ParseStore` key: ``parse_unit_file``
    reads a ``.md`` file differently, so the suffix is part of it."""
    return parse.__name__ + (".md" if display.lower().endswith(".md") else "")


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
        # Files another process parses (see parse_elsewhere): display paths,
        # and how to fetch the results (batch by batch, as they are needed).
        self._elsewhere: frozenset[str] = frozenset()
        self._fetch: Callable[[], tuple[dict[ParseKey, bytes], bool]] | None = None
        self._fetched: dict[ParseKey, bytes] = {}

    def parse_elsewhere(
        self,
        displays: Iterable[str],
        fetch: Callable[[], tuple[dict[ParseKey, bytes], bool]],
    ) -> None:
        """The files at ``displays`` are being parsed by another process:
        ``fetch()`` waits for and returns its next batch of results by
        :func:`parse_key`, each a pickled store entry (``store.pickled_entry``:
        clean results only; trusted: pickled by a process of this command,
        not read from a cache directory), and whether that was the last. A
        file's result is looked for in the batches fetched so far, then in
        further batches, as the load reaches it: the other process sends its
        files in the load's order, so the load takes the first results while
        the rest are still being parsed. A file whose result is missing (after
        the last batch) or whose bytes differ is parsed here. A result that
        came from there goes to this cache's store as it came: it is the very
        entry the store keeps for those bytes."""
        self._elsewhere = frozenset(displays)
        self._fetch = fetch

    def parse(self, parse: FileParser, raw: bytes, display: str) -> ParseResult:
        """``parse(raw, display)``, remembered by path, parser and content."""
        key = parse_key(parse, raw, display)
        found = self._parsed.get(key)
        if found is None:
            if len(self._parsed) >= self.LIMIT:
                self._parsed.clear()
            found = self._parsed[key] = self._parse_or_load(parse, raw, display, key)
        return found[0], list(found[1])

    def _parse_or_load(
        self, parse: FileParser, raw: bytes, display: str, key: ParseKey
    ) -> ParseResult:
        name = store_name(parse, display)
        found = None
        if self.store is not None:
            found = self.store.load(name, raw, display, partial(strict_locations, parse))
            if found is not None:
                return found
        if display in self._elsewhere:
            blob = self._fetched.pop(key, None)
            while blob is None and self._fetch is not None:
                batch, last = self._fetch()
                if last:
                    self._fetch = None
                self._fetched.update(batch)
                blob = self._fetched.pop(key, None)
            if blob is not None:
                locate = partial(strict_locations, parse, raw, display)
                found = result_of(blob, display, locate, trusted=True)
                if found is not None:
                    if self.store is not None:
                        self.store.save_pickled(name, raw, blob, display)
                    return found
        found = parse(raw, display, scalars=self.scalars)
        if self.store is not None:
            self.store.save(name, raw, found, display)
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
