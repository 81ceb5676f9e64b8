"""Parse results on disk, by file content: closed quarters are not parsed again.

A company with two years of history has eight quarters of unit files, and
seven of them never change; every build, check and CI publish parsed them
all again. A :class:`ParseStore` keeps each file's parse result in
``<cache_dir>/parsed/`` (``.okrsite-cache``, which the example CI workflows
persist), named by a digest of the file's bytes, the parser, okrsite's and
PyYAML's versions and the source of the reader modules (so a changed reader
never reuses an old answer). A hit unpickles in a fraction of the time a
parse takes.

Only clean results are stored (a file with issues is parsed again, so every
message comes from the parser as it is now). A stored fast-read file keeps
its laziness: where every value and key is, is computed from the file's
bytes by the strict reader only if an error asks for it.

The cache directory is shared with the CI cache, so an entry is untrusted
input: it is unpickled with an unpickler that builds nothing but the
containers, scalars and dates a parse result holds, and an entry that is
unreadable, foreign, from another version or of the wrong shape is ignored
(and overwritten). Writing is best effort and atomic: a read-only or full
disk costs speed, never the build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import pickle
import re
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

import yaml

from okrsite import __version__
from okrsite.source.files import write_atomically
from okrsite.source.loaded import LoadedFile, ParseResult

FORMAT = b"okrsite-parsed 1\n"
"""First bytes of every entry; bump the number when the layout changes."""

_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.pickle")
"""An entry's file name: the sha256 of what decides it."""

_READER_MODULES = (
    "files.py",
    "loaded.py",
    "parse.py",
    "text.py",
    "yaml_events.py",
    "yaml_fast.py",
    "yaml_scalars.py",
    "yaml_syntax.py",
    "store.py",
)
"""The modules whose code decides a parse result (their source is in the key)."""

_ALLOWED_GLOBALS = {
    ("datetime", "date"): dt.date,
    ("datetime", "datetime"): dt.datetime,
    ("datetime", "timezone"): dt.timezone,
    ("datetime", "timedelta"): dt.timedelta,
}


class _DataUnpickler(pickle.Unpickler):
    """Builds plain data and dates only: a tampered entry cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED_GLOBALS.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a parse cache")
        return found


def _reader_digest() -> bytes:
    """What identifies the reader: okrsite's and PyYAML's versions, its source."""
    digest = hashlib.sha256(f"{__version__}\0{yaml.__version__}\0".encode())
    here = Path(__file__).parent
    for name in _READER_MODULES:
        try:
            digest.update(name.encode() + b"\0" + (here / name).read_bytes())
        except OSError:  # pragma: no cover - an installed package without sources
            digest.update(name.encode() + b"\0?")
    return digest.digest()


class ParseStore:
    """Clean parse results in one directory, by the digest of what decides them.

    ``locate(parser_name, raw, display)`` (given by the loader) computes every
    value and key location of a stored fast-read file when an error asks.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._reader = _reader_digest()
        self.hits = 0
        """Results read from disk by this store (for tests and benchmarks)."""
        self.writes = 0
        self._unsaved: dict[str, tuple[Any, ...]] = {}  # entry file name → entry
        self._ready: dict[str, bytes] = {}  # entry file name → its bytes (see prepare)

    def _name(self, parser_name: str, raw: bytes) -> str:
        digest = hashlib.sha256(self._reader)
        digest.update(parser_name.encode() + b"\0")
        digest.update(raw)
        return f"{digest.hexdigest()}.pickle"

    def load(
        self,
        parser_name: str,
        raw: bytes,
        display: str,
        locate: Any,
    ) -> ParseResult | None:
        """The stored result for these bytes, or None (missing or unusable).

        ``locate(raw, display)`` gives ``(value_locations, key_locations)``
        for an entry stored without them.
        """
        try:
            blob = (self.directory / self._name(parser_name, raw)).read_bytes()
        except OSError:
            return None
        if not blob.startswith(FORMAT):
            return None
        try:
            entry = _DataUnpickler(io.BytesIO(blob[len(FORMAT) :])).load()
        except Exception:  # any damage to an entry means "not cached", never a traceback
            return None
        loaded = _loaded_from(entry, display, partial(locate, raw, display))
        if loaded is None:
            return None
        self.hits += 1
        return loaded, []

    def save(self, parser_name: str, raw: bytes, result: ParseResult) -> None:
        """Remember a clean result until :meth:`flush`; anything else (issues,
        no file) is not kept. Pickling waits for the flush too: a caller may
        hand the entries to another process instead (:meth:`take_unsaved`)."""
        loaded, issues = result
        if loaded is None or issues:
            return
        self._unsaved[self._name(parser_name, raw)] = _entry_of(loaded)

    def take_unsaved(self) -> dict[str, tuple[Any, ...]]:
        """The entries :meth:`save` remembered (file name → plain data), which
        this store then forgets: for a process that writes them instead
        (``okrsite check``'s parse helper, see ``okrsite.cli.parallel``)."""
        unsaved, self._unsaved = self._unsaved, {}
        return unsaved

    def adopt(self, entries: dict[str, tuple[Any, ...]]) -> None:
        """Entries another store took (:meth:`take_unsaved`), written at the
        next :meth:`flush`. Names that are not entry names are ignored."""
        for name, entry in entries.items():
            if isinstance(name, str) and _ENTRY_NAME.fullmatch(name) and isinstance(entry, tuple):
                self._unsaved[name] = entry

    def prepare(self) -> None:
        """Turn the remembered entries into bytes now, so that a later
        :meth:`flush` only writes (the parse helper does this while it waits
        to hear whether the load succeeded)."""
        unsaved, self._unsaved = self._unsaved, {}
        for name, entry in unsaved.items():
            try:
                self._ready[name] = FORMAT + pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, RecursionError):  # pragma: no cover - plain data
                continue

    def flush(self) -> None:
        """Write what :meth:`save` remembered. Callers flush after a load that
        succeeded, so a check or build of invalid content writes nothing."""
        self.prepare()
        ready, self._ready = self._ready, {}
        for name, blob in ready.items():
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                write_atomically(self.directory / name, blob, durable=False)
            except OSError:
                return  # a cache that cannot be written costs speed, never the build
            self.writes += 1


def _entry_of(loaded: LoadedFile) -> tuple[Any, ...]:
    """What is stored: the data, the body, and the locations known so far."""
    if loaded.is_located:
        return ("located", loaded.data, loaded.body, loaded.value_locations, loaded.key_locations)
    return ("nodes", loaded.data, loaded.body, loaded.node_locations)


def _loaded_from(entry: Any, display: str, locate: Any) -> LoadedFile | None:
    """A stored entry back as a file, or None if it is not of the stored shape."""
    if not isinstance(entry, tuple) or not entry:
        return None
    kind = entry[0]
    if kind == "located" and len(entry) == 5:
        _, data, body, values, keys = entry
        usable = isinstance(data, dict) and isinstance(body, str)
        if usable and _locations(values) and _locations(keys):
            return LoadedFile(display, data, values, keys, body)
    elif kind == "nodes" and len(entry) == 4:
        _, data, body, nodes = entry
        if isinstance(data, dict) and isinstance(body, str) and _locations(nodes):
            return LoadedFile(display, data, body=body, node_locations=nodes, locate=locate)
    return None


def _locations(table: Any) -> bool:
    """A dict of data path → (line, column), as the loader records them.

    Checked with sets of types (tens of thousands of entries per cache
    hit): the restricted unpickler builds no subclasses, so exact types are
    what a loader-written entry has."""
    if type(table) is not dict:
        return False
    if not table:
        return True
    if set(map(type, table)) != {tuple}:
        return False
    places = table.values()
    if set(map(type, places)) != {tuple} or set(map(len, places)) != {2}:
        return False
    return set(map(type, chain.from_iterable(places))) == {int}
