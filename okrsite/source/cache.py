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
from typing import Any, Protocol, TypeVar

from okrsite.source.loaded import LoadedFile, ParseResult
from okrsite.source.yaml_scalars import PlainScalars

T = TypeVar("T")


class FileParser(Protocol):
    """``parse_yaml`` or ``parse_unit_file``: bytes of one file → result."""

    __name__: str

    def __call__(
        self, raw: bytes, path: str, /, *, scalars: PlainScalars | None = None
    ) -> ParseResult: ...


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

    def __init__(self) -> None:
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
            found = self._parsed[key] = parse(raw, display, scalars=self.scalars)
        return found[0], list(found[1])

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
