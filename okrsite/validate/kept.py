"""Validated cycles kept on disk between builds: a cycle whose files did not
change is neither parsed nor validated again.

Every build loads every quarter of history: at 100 units × 8 quarters that
is 800 unit files parsed (or read back from the parse cache) and validated
into ~250,000 model objects, most of a rebuild's loading time, and all of it
for quarters that never change. This store keeps each cycle's validated
OKRs (``{unit id: UnitOkrs}`` exactly as shape validation made them, before
measured key results read their data files) as one pickle per cycle in
``<cache_dir>/validated/``.

**Key.** An entry's file name is the sha256 of what decides the cycle's
validated OKRs by itself: the store format, okrsite's own code byte for
byte and the versions of pydantic and PyYAML, the content directory's name
(it is in every node's source location), ``company.yaml`` and ``org.yaml``
byte for byte (cycles, units), and the cycle folder: every unit file's name
and bytes. Validation also looks across cycles, but only into cycles whose
dates overlap (a reference may point up into a containing cycle): an entry
records those folders' digests, and counts only while they are the same.

**Use.** :meth:`KeptCycles.open` digests the folders (reads, no parsing)
and finds the entries; the walk skips their folders; validation puts their
OKRs in place and skips their reference and alignment-loop checks — their
inputs are those of a load that found no problem. Measured key results read
their data files every time (the data are not in the key). New entries are
captured during validation and written by :meth:`KeptCycles.save` only after
the whole load succeeded; entries this load did not use are removed then, so
the directory holds one entry per cycle. Created per load by the caller (one
build); a preview server keeps its own in-memory cache instead.

**Check-ins apart.** A unit file's check-ins (~90 % of a graded quarter's
nodes) are written as one packed byte string, and its key results hold a
placeholder read back (:mod:`okrsite.model.checkins`): a warm rebuild reads
none of them, and readers load them by name where a store misses. Files
with measured key results keep theirs in place (every load reads them).
Reading 7 quarters back at 100 units: ~0.30 → ~0.10 s of the main thread.
A pack that does not read back is found only when something loads it,
too late to count as a miss: the build then stops with a
:class:`~okrsite.errors.BuildError` that says to delete the store.

Entries are untrusted (a CI cache restores them), like the parse cache's:
a restricted unpickler builds only okrsite's model classes, dates and
source locations (no other global, so no code runs), and an entry that does
not read back to the expected shape is a miss, never an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import pickle
import stat
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import okrsite
from okrsite.errors import BuildError, SourceLocation
from okrsite.model import CheckIn, Cycle, KeyResult, UnitOkrs
from okrsite.model.checkins import KeptCheckins
from okrsite.model.content import SOURCE_KEY
from okrsite.source.files import write_atomically

FORMAT = "okrsite-validated 5"
SUFFIX = ".cycle.pickle"
DIGESTS_FILE = "files.json"
"""The store's :class:`FileDigests`, beside its entries."""


def code_digest() -> bytes:
    """okrsite's Python code byte for byte, and the libraries that decide a
    validated model (a change without a release still counts)."""
    digest = hashlib.sha256(FORMAT.encode())
    for name in ("pydantic", "pydantic-core", "pyyaml"):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"\n{name}={version}".encode())
    root = Path(okrsite.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(f"\n{path.relative_to(root).as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def folder_digests(content_dir: Path, files: FileDigests | None = None) -> dict[str, str]:
    """Cycle folder → sha256 of its entries' names and bytes (hidden entries
    left out, as the walk leaves them out; anything unreadable is named so
    the digest still changes with it). ``files`` knows the sha256 of files
    unchanged since an earlier build."""
    files = files if files is not None else FileDigests()
    found: dict[str, str] = {}
    for folder in _entries(content_dir):
        if not folder.is_dir() or folder.name.startswith("_"):
            continue
        digest = hashlib.sha256(folder.name.encode())
        for entry in _entries(Path(folder.path)):
            digest.update(f"\n{entry.name}\n".encode())
            try:
                digest.update(files.sha256(entry.path))
            except OSError as err:  # a folder, a broken link: the walk reports it
                digest.update(f"unreadable {type(err).__name__}".encode())
        found[folder.name] = digest.hexdigest()
    return found


SETTLE_NS = 2_000_000_000
"""A file changed less than this long ago is hashed again by the next build
(see :class:`FileDigests`)."""


class FileDigests:
    """The sha256 of files, trusted between builds by their stat, as git's
    index trusts a file.

    Every build hashes every content file twice before it knows what
    changed: this store's folder digests and the closed-cycle store's input
    digests (:func:`okrsite.engine.pagecache.cycle_input_digests`), ~15 MB
    read and hashed at 100 units × 8 quarters for one edited file. A file
    whose size, mtime, ctime, inode and device are those recorded with its
    sha256 is taken as unchanged; any other is read. Writing a file moves its
    ctime (which no tool can set back), so an edit, even one restoring the
    mtime, is read again. Only files that had not changed for
    :data:`SETTLE_NS` when they were hashed are recorded: an edit within the
    clock's resolution of the previous one could leave every field as it was
    (git's "racily clean" entries). Records come from a cache (untrusted):
    anything not of the recorded shape is left out, which only means a read.
    """

    def __init__(self, records: object = None, *, settled_before_ns: int | None = None) -> None:
        self._old: dict[str, list[Any]] = {}
        if isinstance(records, dict):
            for path, record in records.items():
                if (
                    type(record) is list
                    and len(record) == 6
                    and all(type(v) is int for v in record[:5])
                    and type(record[5]) is str
                    and len(record[5]) == 64
                ):
                    self._old[path] = record
        self.used: dict[str, list[Any]] = {}
        """The records of the files hashed or looked up through this object
        (what :meth:`records` gives the next build)."""
        self._settled = (
            time.time_ns() - SETTLE_NS if settled_before_ns is None else settled_before_ns
        )

    @classmethod
    def read(cls, path: Path) -> FileDigests:
        """The records a build saved in ``path`` (none if missing or damaged)."""
        try:
            return cls(json.loads(path.read_bytes()))
        except (OSError, ValueError):
            return cls()

    def sha256(self, path: str) -> bytes:
        """The sha256 of the file at ``path``; ``OSError`` as reading it raises."""
        seen = os.stat(path)
        if not stat.S_ISREG(seen.st_mode):
            with open(path, "rb") as handle:  # a folder, a device: as reading it does
                return hashlib.sha256(handle.read()).digest()
        now = [seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns, seen.st_ino, seen.st_dev]
        old = self._old.get(path)
        if old is not None and old[:5] == now:
            digest = bytes.fromhex(old[5])
        else:
            with open(path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).digest()
        if max(seen.st_mtime_ns, seen.st_ctime_ns) < self._settled:
            self.used[path] = [*now, digest.hex()]
        return digest

    def changed(self) -> bool:
        """Whether :attr:`used` differs from the records this object was given."""
        return self.used != self._old

    def save(self, path: Path) -> None:
        """Write :attr:`used` to ``path`` if it changed."""
        if self.changed():
            data = json.dumps(self.used, separators=(",", ":")).encode()
            write_atomically(path, data, durable=False)


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as scan:
            return sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return []


@dataclass
class KeptCycles:
    """The validated-cycle entries of one load (see module doc)."""

    directory: Path
    folders: Mapping[str, str]
    """Cycle folder → :func:`folder_digests` (this load's content)."""
    base: bytes
    """Digest of what every entry's key shares (code, company, org, name)."""
    ended_before: dt.date | None = None
    """Only cycles that ended before this day are captured: the current
    cycle changes with nearly every build, and pickling it cost ~0.3 s and
    ~15 MB of peak memory at 1,000 units for an entry the next build misses."""
    kept: dict[str, dict[str, UnitOkrs]] = field(default_factory=dict)
    """Folders taken from the store: their OKRs (each load gets its own objects)."""
    files: FileDigests = field(default_factory=FileDigests)
    """The content files' sha256, trusted by their stat (saved with the entries)."""
    _captured: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def open(
        cls, directory: Path, content_dir: Path, *, ended_before: dt.date | None = None
    ) -> KeptCycles:
        base = hashlib.sha256(code_digest())
        base.update(f"\n{Path(os.path.abspath(content_dir)).name}\n".encode())
        for name in ("company.yaml", "org.yaml"):
            try:
                base.update(hashlib.sha256((content_dir / name).read_bytes()).digest())
            except OSError:
                base.update(b"missing")
        files = FileDigests.read(Path(directory) / DIGESTS_FILE)
        store = cls(
            Path(directory), folder_digests(content_dir, files), base.digest(), ended_before
        )
        store.files = files
        for folder in store.folders:
            okrs = store._read(folder)
            if okrs is not None:
                store.kept[folder] = okrs
        return store

    def _name(self, folder: str) -> str:
        digest = hashlib.sha256(self.base)
        digest.update(f"\n{folder}\n{self.folders[folder]}".encode())
        return digest.hexdigest() + SUFFIX

    def _read(self, folder: str) -> dict[str, UnitOkrs] | None:
        try:
            with open(self.directory / self._name(folder), "rb") as handle:
                entry = _ModelUnpickler(handle).load()
            overlaps, okrs = entry["overlaps"], entry["okrs"]
            if entry["format"] != FORMAT or entry["cycle"] != folder:
                return None
            if any(self.folders.get(other) != digest for other, digest in overlaps.items()):
                return None  # a cycle it may reference changed: validate again
            if not all(isinstance(o, UnitOkrs) and o.cycle_id == folder for o in okrs.values()):
                return None
            return dict(okrs)
        except Exception:
            return None

    def capture(self, cycles: Mapping[str, Cycle], folders: Iterable[str]) -> None:
        """Remember the OKRs of ``folders`` (validated, before measures are
        applied: that changes them) for :meth:`save`."""
        for folder in folders:
            cycle = cycles.get(folder)
            if cycle is None or folder not in self.folders or folder in self.kept:
                continue
            mine = cycle.definition
            if self.ended_before is not None and mine.end >= self.ended_before:
                continue
            overlaps = {
                other.id: self.folders[other.id]
                for other in cycles.values()
                if other.id != folder
                and other.id in self.folders
                and other.definition.start <= mine.end
                and mine.start <= other.definition.end
            }
            entry = {"format": FORMAT, "cycle": folder, "overlaps": overlaps, "okrs": cycle.okrs}
            buffer = io.BytesIO()
            try:
                pickler = _SharingPickler(buffer)
                for okrs in cycle.okrs.values():
                    pickler.defer_checkins(okrs)
                pickler.dump(entry)
            except pickle.PicklingError:
                continue  # a node in two places (see _SharingPickler): not kept
            self._captured[folder] = buffer.getvalue()

    def save(self) -> None:
        """After a load without problems: write the captured entries, remove
        the ones this load did not use."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for folder, data in self._captured.items():
            write_atomically(self.directory / self._name(folder), data, durable=False)
        self.files.save(self.directory / DIGESTS_FILE)
        used = {self._name(f) for f in (*self.kept, *self._captured)} | {DIGESTS_FILE}
        for path in self.directory.iterdir():
            if path.name not in used:
                path.unlink(missing_ok=True)
        self._captured.clear()



_MODEL_MODULES = ("okrsite.model.content", "okrsite.model.validated")


_new_object = object.__new__
# A node's ``__dict__`` and pydantic's per-instance slots, set through their
# descriptors (cheaper than ``object.__setattr__`` by name: 4 per node read back).
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _node(cls: type[BaseModel], values: dict[str, Any], fields: set[str]) -> BaseModel:
    """A model node as :class:`_SharingPickler` wrote it: its class, its
    ``__dict__`` and its (shared) fields set, without pydantic's
    ``__setstate__`` and the state mapping it reads, per node (a third of
    the time to read 7 quarters back, most of it the collector's)."""
    if not (isinstance(cls, type) and issubclass(cls, BaseModel) and type(values) is dict):
        raise pickle.UnpicklingError("not a model node")
    node = _new_object(cls)
    _set_dict(node, values)
    _set_fields(node, fields)
    _set_extra(node, None)
    _set_private(node, None)
    return node


def _leaves(flat: list[Any]) -> list[BaseModel]:
    """A list of leaf nodes (check-ins, mostly) as :class:`_SharingPickler`
    wrote it: ``[class, __dict__, fields set, class, …]``, one call for the
    whole list instead of one :func:`_node` call per node (72,000 check-ins
    of 82,000 nodes in 7 quarters at 100 units)."""
    if type(flat) is not list or len(flat) % 3:
        raise pickle.UnpicklingError("not a list of model nodes")
    made = []
    checked: set[type] = set()
    for at in range(0, len(flat), 3):
        cls, values, fields = flat[at], flat[at + 1], flat[at + 2]
        if cls not in checked:
            if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
                raise pickle.UnpicklingError("not a model node")
            checked.add(cls)
        if type(values) is not dict:
            raise pickle.UnpicklingError("not a model node")
        node = _new_object(cls)
        _set_dict(node, values)
        _set_fields(node, fields)
        _set_extra(node, None)
        _set_private(node, None)
        made.append(node)
    return made


class _ModelUnpickler(pickle.Unpickler):
    """Unpickles validated OKRs and nothing else: okrsite's model classes,
    dates, source locations and :func:`_node` are the only globals an entry
    may name."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            return dt.date
        if (module, name) == ("okrsite.errors", "SourceLocation"):
            return SourceLocation
        if (module, name) == (__name__, "_node"):
            return _node
        if (module, name) == (__name__, "_leaves"):
            return _leaves
        if (module, name) == (__name__, "_pack"):
            return _pack
        if (module, name) == (__name__, "_kept_checkins"):
            return _kept_checkins
        if module in _MODEL_MODULES:
            found = getattr(sys.modules[module], name, None)
            if isinstance(found, type) and issubclass(found, BaseModel):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a validated cycle")


class _SharingPickler(pickle.Pickler):
    """Pickles model nodes so that nodes of one class with the same set
    fields share one ``__pydantic_fields_set__`` set when read back.

    pydantic gives every node its own set of the field names it was given:
    91,000 of the 255,000 objects an 8-quarter history reads back, each one
    more object for the garbage collector to walk on every full pass of the
    build (a plain ``mkdocs build`` keeps the collector's default
    thresholds). Sharing them made reading 7 quarters back 1.65 → 1.17 s and
    a full collection 0.33 → 0.24 s. Harmless because okrsite never reads a
    node's fields set, and pydantic copies it whenever it copies a node
    (every change to validated content is made on a copy: measures, redaction).

    Each node is written as a call of :func:`_node` with its class, its
    ``__dict__`` and that set: reading 7 quarters back (100 units) took
    0.89 → 0.67 s of CPU with the collector's default thresholds, 0.26 →
    0.18 s without collections.

    Leaf nodes (nodes of plain values: check-ins, 72,000 of 82,000 nodes in
    7 quarters at 100 units) are written a list at a time, as one call of
    :func:`_leaves`, and equal dates as one object (dates are immutable;
    13 distinct days stand for a quarter's thousands of check-in dates):
    reading 7 quarters back took ~0.3 → 0.15 s of CPU without collections,
    ~0.59 → ~0.42 s with the collector's default thresholds (pinned, busy machine).
    """

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared: dict[tuple[type, frozenset[str]], set[str]] = {}
        self._dates: dict[dt.date, dt.date] = {}
        self._in_lists: set[int] = set()
        """Ids of the leaves written inside a list: written without pickle's
        memo, so a node met twice would read back as two (never in a tree
        validation made; :meth:`KeptCycles.capture` skips such a cycle)."""
        self._seen: set[int] = set()
        """Ids of the nodes written one by one (pickle's memo has them)."""
        self._deferred: dict[int, _Deferred] = {}
        """Id of a check-in list → where it is in its unit file's pack
        (:meth:`defer_checkins`; the lists are alive as long as the model)."""

    def defer_checkins(self, okrs: UnitOkrs) -> None:
        """Write the unit file's check-ins apart, as one pack, and a
        :class:`KeptCheckins` placeholder in each key result (see
        :mod:`okrsite.model.checkins`). Not for a file with measured key
        results: their check-ins are read by every load (``apply_measures``
        adds the data file's, to a deep copy of the file's content)."""
        results: list[KeyResult] = [
            kr for objective in okrs.content.objectives for kr in objective.key_results
        ]
        if any(kr.measure is not None for kr in results):
            return
        lists = [kr.checkins for kr in results if type(kr.checkins) is list and kr.checkins]
        if not lists:
            return
        buffer = io.BytesIO()
        packer = _SharingPickler(buffer)
        flat: list[_LeafList] = []
        for checkins in lists:
            leaves = packer._leaf_list(checkins)
            if leaves is None or any(type(c) is not CheckIn for c in checkins):
                return  # not plain check-ins: kept in place
            flat.append(leaves)
        packer.dump(flat)
        source = _PackSource(buffer.getvalue())
        for index, checkins in enumerate(lists):
            if id(checkins) in self._deferred:
                raise pickle.PicklingError("a check-in list in two places")
            self._deferred[id(checkins)] = _Deferred(source, index)

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is _LeafList:
            return (_leaves, (obj.flat,))
        if type(obj) is _PackSource:
            return (_pack, (obj.data,))
        if type(obj) is _Deferred:
            return (_kept_checkins, (obj.source, obj.index))
        if not isinstance(obj, BaseModel):
            return NotImplemented
        if id(obj) in self._in_lists:
            raise pickle.PicklingError("a node in two places")
        self._seen.add(id(obj))
        values = self._values(obj)
        if values is None:
            return NotImplemented  # pydantic's own state (none of our nodes has these)
        deferred = self._deferred.get(id(values.get("checkins")))
        if deferred is not None:
            values["checkins"] = deferred
        for name, value in values.items():
            if type(value) is list and value and all(isinstance(v, BaseModel) for v in value):
                leaves = self._leaf_list(value)
                if leaves is not None:
                    values[name] = leaves
        return (_node, (type(obj), values, self._fields(obj)))

    def _fields(self, node: BaseModel) -> set[str]:
        fields = node.__pydantic_fields_set__
        return self._shared.setdefault((type(node), frozenset(fields)), set(fields))

    def _values(self, node: BaseModel) -> dict[str, Any] | None:
        """A copy of the node's ``__dict__`` as written: its source location as
        text, equal dates as one object; None for a node with pydantic state."""
        if node.__pydantic_extra__ or node.__pydantic_private__:
            return None
        values = dict(node.__dict__)
        source = values.get(SOURCE_KEY)
        if isinstance(source, SourceLocation):
            source = (source.path, source.line, source.column)
        if type(source) is tuple and len(source) == 3:
            path, line, column = source
            # A string, not a tuple: a node whose other values are plain reads
            # back with a dict the collector does not track (see SOURCE_KEY).
            values[SOURCE_KEY] = f"{int(line)}:{int(column)}:{path}"
        for name, value in values.items():
            if type(value) is dt.date:
                values[name] = self._dates.setdefault(value, value)
        return values

    def _leaf_list(self, nodes: Sequence[BaseModel]) -> _LeafList | None:
        """``nodes`` as one :func:`_leaves` call, if every one is a leaf met
        for the first time."""
        flat: list[Any] = []
        ids = {id(node) for node in nodes}
        if len(ids) < len(nodes):
            raise pickle.PicklingError("a node in two places")
        for node in nodes:
            values = self._values(node)
            if values is None or id(node) in self._in_lists or id(node) in self._seen:
                return None
            if not all(type(v) in _PLAIN for v in values.values()):
                return None
            flat += (type(node), values, self._fields(node))
        self._in_lists |= ids
        return _LeafList(flat)


_PLAIN = frozenset({str, int, float, bool, type(None), dt.date})
"""The types of a leaf node's values (a check-in's)."""


@dataclass
class _LeafList:
    """A list of leaf nodes to write as one :func:`_leaves` call."""

    flat: list[Any]


@dataclass(eq=False)
class _PackSource:
    """A unit file's check-in lists, pickled (written once per entry: pickle's memo)."""

    data: bytes


@dataclass(eq=False)
class _Deferred:
    """A key result's check-ins: list ``index`` of ``source``."""

    source: _PackSource
    index: int


DAMAGED = (
    "damaged check-ins in the validated-cycle store: delete the cache "
    "directory's 'validated' folder and build again"
)
"""The error of a pack that does not read back (found only when loaded)."""


class _Pack:
    """A unit file's check-ins read back packed: decoded on the first
    :meth:`lists` (see :mod:`okrsite.model.checkins`)."""

    __slots__ = ("_data", "_lists")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._lists: list[list[CheckIn]] | None = None

    def lists(self) -> list[list[CheckIn]]:
        if self._lists is None:
            try:
                found = _ModelUnpickler(io.BytesIO(self._data)).load()
                if type(found) is not list or not all(
                    type(checkins) is list and all(type(c) is CheckIn for c in checkins)
                    for checkins in found
                ):
                    raise pickle.UnpicklingError("not lists of check-ins")
            except Exception as err:
                # The entry read back whole, its pack did not: a damaged cache
                # file, found too late to read as a miss. Explained, not a
                # traceback (a CI cache restores these files).
                raise BuildError(DAMAGED) from err
            self._lists = found
            self._data = b""
        return self._lists


def _pack(data: bytes) -> _Pack:
    """A unit file's packed check-ins as :class:`_SharingPickler` wrote them."""
    if type(data) is not bytes:
        raise pickle.UnpicklingError("not a check-in pack")
    return _Pack(data)


def _kept_checkins(pack: _Pack, index: int) -> KeptCheckins:
    """A key result's place in its unit file's pack."""
    if type(pack) is not _Pack or type(index) is not int or index < 0:
        raise pickle.UnpicklingError("not a kept check-in list")
    return KeptCheckins(pack, index)
