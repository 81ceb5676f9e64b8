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

Entries live in two forms. A *loose* entry is one file, ``<digest>.pickle``.
A *pack* holds the entries of one folder of the content (a cycle folder, or
the top folder with ``company.yaml`` and ``org.yaml``) in one file,
``<digest of the folder's display path>.pack``, by display path: creating a
file costs far more than writing its bytes on the machines okrsite runs on
(about 0.65 ms each here), so a cold load of a thousand unit files wrote
for longer than the check took to run its rules. :meth:`ParseStore.flush`
writes a folder's new entries as loose files when they are few (an edit) and
rewrites the folder's pack, merged with what it held, when there are at
least :data:`PACK_MIN_ENTRIES` of them (a cold cache, or many edits since the
last pack); the loose entries a load used are merged into the pack then too.
A pack's entry is used only for the display path it was written for and
only when the digest of the bytes read matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import os
import pickle
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from okrsite import __version__
from okrsite.source.files import write_atomically
from okrsite.source.loaded import LoadedFile, ParseResult

FORMAT = b"okrsite-parsed 1\n"
"""First bytes of every loose entry; bump the number when the layout changes."""

PACK_FORMAT = b"okrsite-parsed-pack 1\n"
"""First bytes of every pack, followed by a pickled ``{display path: (entry
name, pickled entry)}``; bump the number when the layout changes."""

PACK_MIN_ENTRIES = 16
"""New or loose entries of one folder from which :meth:`ParseStore.flush`
rewrites the folder's pack instead of writing loose entry files."""

Packed = dict[str, tuple[str, bytes]]
"""A pack's table: display path → (entry name, the entry pickled)."""

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
    """What identifies the reader: okrsite's version, PyYAML's (the bytes of
    its ``__init__.py``, which holds ``__version__``: read, not imported,
    since the fast reader needs no PyYAML) and the reader's source."""
    digest = hashlib.sha256(f"{__version__}\0".encode())
    spec = importlib.util.find_spec("yaml")
    try:
        digest.update(Path(spec.origin).read_bytes() if spec and spec.origin else b"?")
    except OSError:  # pragma: no cover - an installed package without sources
        digest.update(b"?")
    digest.update(b"\0")
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
        # What flush writes, by display path: (entry name, entry), pickled by
        # prepare into (entry name, bytes).
        self._unsaved: dict[str, tuple[str, tuple[Any, ...]]] = {}
        self._ready: Packed = {}
        self._packs: dict[str, Packed | None] = {}  # folder → its pack as read (None: none)
        self._loose_hits: dict[str, Packed] = {}  # folder → loose entries this load used
        # Names of the loose entries on disk, listed once: a cold load asks
        # for a thousand entries that are not there, each a failed open.
        self._loose_names: set[str] | None = None

    def _name(self, parser_name: str, raw: bytes) -> str:
        digest = hashlib.sha256(self._reader)
        digest.update(parser_name.encode() + b"\0")
        digest.update(raw)
        return f"{digest.hexdigest()}.pickle"

    def _pack_path(self, folder: str) -> Path:
        digest = hashlib.sha256(self._reader)
        digest.update(b"pack\0" + folder.encode())
        return self.directory / f"{digest.hexdigest()}.pack"

    def _pack(self, folder: str) -> Packed | None:
        """The pack of ``folder`` (read once), or None: missing or unusable."""
        if folder in self._packs:
            return self._packs[folder]
        pack = None
        try:
            blob = self._pack_path(folder).read_bytes()
        except OSError:
            blob = b""
        if blob.startswith(PACK_FORMAT):
            try:
                found = _DataUnpickler(io.BytesIO(blob[len(PACK_FORMAT) :])).load()
            except Exception:  # a damaged pack means "not cached", never a traceback
                found = None
            if _packed(found):
                pack = found
        self._packs[folder] = pack
        return pack

    def stored(self, displays: list[str]) -> int:
        """About how many of the files at ``displays`` have an entry (those in
        their folder's pack, plus every loose entry): whether reading the
        store beats parsing."""
        count = 0
        for display in displays:
            pack = self._pack(_folder(display))
            if pack is not None and display in pack:
                count += 1
        return count + len(self._loose())

    def _loose(self) -> set[str]:
        """The names of the loose entries in the directory (listed once)."""
        if self._loose_names is None:
            try:
                with os.scandir(self.directory) as entries:
                    self._loose_names = {e.name for e in entries if e.name.endswith(".pickle")}
            except OSError:
                self._loose_names = set()
        return self._loose_names

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
        name = self._name(parser_name, raw)
        folder = _folder(display)
        pack = self._pack(folder)
        packed = pack.get(display) if pack is not None else None
        if packed is not None and packed[0] == name:
            blob, loose = packed[1], False
        else:
            if name not in self._loose():
                return None
            try:
                blob = (self.directory / name).read_bytes()
            except OSError:
                return None
            if not blob.startswith(FORMAT):
                return None
            blob, loose = blob[len(FORMAT) :], True
        found = result_of(blob, display, partial(locate, raw, display))
        if found is None:
            return None
        if loose:  # merged into the folder's pack when that is next rewritten
            self._loose_hits.setdefault(folder, {})[display] = (name, blob)
        self.hits += 1
        return found

    def save(self, parser_name: str, raw: bytes, result: ParseResult, display: str) -> None:
        """Remember a clean result for the file at ``display`` until
        :meth:`flush`; anything else (issues, no file) is not kept."""
        loaded, issues = result
        if loaded is None or issues:
            return
        self._unsaved[display] = (self._name(parser_name, raw), _entry_of(loaded))

    def save_pickled(self, parser_name: str, raw: bytes, blob: bytes, display: str) -> None:
        """:meth:`save` for an entry already pickled (:func:`pickled_entry`)."""
        self._ready[display] = (self._name(parser_name, raw), blob)

    def prepare(self) -> None:
        """Turn the remembered entries into bytes now, so that a later
        :meth:`flush` only writes (the parse helper does this while it waits
        to hear whether the load succeeded)."""
        unsaved, self._unsaved = self._unsaved, {}
        for display, (name, entry) in unsaved.items():
            try:
                self._ready[display] = (name, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
            except (pickle.PicklingError, RecursionError):  # pragma: no cover - plain data
                continue

    def flush(self) -> None:
        """Write what :meth:`save` remembered: per folder, loose entry files
        for a few, the folder's pack rewritten for many (see the module's
        docstring). Callers flush after a load that succeeded, so a check or
        build of invalid content writes nothing."""
        self.prepare()
        ready, self._ready = self._ready, {}
        loose_hits, self._loose_hits = self._loose_hits, {}
        fresh: dict[str, Packed] = {}
        for display in sorted(ready):
            fresh.setdefault(_folder(display), {})[display] = ready[display]
        written: set[str] = set()  # loose entries: identical bytes at two paths share one
        try:
            for folder in sorted(fresh.keys() | loose_hits.keys()):
                new, old = fresh.get(folder, {}), loose_hits.get(folder, {})
                if len(new) + len(old) >= PACK_MIN_ENTRIES:
                    self._write_pack(folder, {**old, **new})
                    self.writes += len(new)
                else:
                    self._write_loose(new, written)
        except OSError:
            return  # a cache that cannot be written costs speed, never the build

    def _write_pack(self, folder: str, entries: Packed) -> None:
        merged = {**(self._pack(folder) or {}), **entries}
        merged = dict(sorted(merged.items()))
        blob = pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL)  # (megabytes)
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomically(self._pack_path(folder), (PACK_FORMAT, blob), durable=False)
        self._packs[folder] = merged

    def _write_loose(self, entries: Packed, written: set[str]) -> None:
        for name, blob in entries.values():
            if name in written:
                continue
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(self.directory / name, FORMAT + blob, durable=False)
            written.add(name)
            self._loose().add(name)
            self.writes += 1


def _folder(display: str) -> str:
    """The folder part of a display path (``content/2026-Q1``), a pack's key."""
    return display.rpartition("/")[0]


def _packed(table: Any) -> bool:
    """A pack's table: display path → (entry name, bytes)."""
    if type(table) is not dict:
        return False
    if not table:
        return True
    if set(map(type, table)) != {str}:
        return False
    values = table.values()
    if set(map(type, values)) != {tuple} or set(map(len, values)) != {2}:
        return False
    return set(type(name) for name, _ in values) == {str} and set(
        type(blob) for _, blob in values
    ) == {bytes}


def pickled_entry(result: ParseResult) -> bytes | None:
    """A clean parse result as a pickled entry (what a store keeps for it),
    or None for a result with issues or no file. The parse helper sends its
    results this way (``okrsite.cli.parallel``), and stores the same bytes."""
    loaded, issues = result
    if loaded is None or issues:
        return None
    try:
        return pickle.dumps(_entry_of(loaded), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError):  # pragma: no cover - plain data
        return None


def result_of(
    blob: bytes, display: str, locate: Any, *, trusted: bool = False
) -> ParseResult | None:
    """The parse result of a pickled entry (read as untrusted data), or None
    if it is not one; ``locate()`` gives a fast-read file's locations.

    ``trusted``: the entry was pickled by ``pickled_entry`` in a process of
    this command (the parse helper, over a pipe no one else holds), not read
    from a cache directory: plain unpickling, and its tables are not checked
    (a fifth of the time of taking a helper's results at 1,000 units)."""
    try:
        entry = pickle.loads(blob) if trusted else _DataUnpickler(io.BytesIO(blob)).load()
    except Exception:  # any damage to an entry means "not cached", never a traceback
        return None
    loaded = _loaded_from(entry, display, locate, checked=not trusted)
    return None if loaded is None else (loaded, [])


def _entry_of(loaded: LoadedFile) -> tuple[Any, ...]:
    """What is stored: the data, the body, and the locations known so far."""
    if loaded.is_located:
        return ("located", loaded.data, loaded.body, loaded.value_locations, loaded.key_locations)
    return ("nodes", loaded.data, loaded.body, loaded.node_locations)


def _loaded_from(
    entry: Any, display: str, locate: Any, *, checked: bool = True
) -> LoadedFile | None:
    """A stored entry back as a file, or None if it is not of the stored shape
    (its location tables are looked through only when ``checked``)."""
    if not isinstance(entry, tuple) or not entry:
        return None
    kind = entry[0]
    if kind == "located" and len(entry) == 5:
        _, data, body, values, keys = entry
        usable = isinstance(data, dict) and isinstance(body, str)
        if usable and (not checked or (_locations(values) and _locations(keys))):
            return LoadedFile(display, data, values, keys, body)
    elif kind == "nodes" and len(entry) == 4:
        _, data, body, nodes = entry
        usable = isinstance(data, dict) and isinstance(body, str)
        if usable and (not checked or _locations(nodes)):
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
