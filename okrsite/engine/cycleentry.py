"""One closed cycle's entry in the cycle store (``<cache_dir>/cycles/``).

An entry is a magic line, one line of JSON naming the export parts (name,
length, sha256) and each file (path, text or bytes, length, sha256), then the
export parts' bytes and the files' bytes one after the other. Not compressed
and not one JSON document on purpose: reading it is a read and slices, while
the CI cache compresses it anyway. The export parts (a cycle's rows of
``okrs.json`` and ``okrs.csv``, ~1.9 MB a quarter at 100 units) are read by
every build; inside the JSON header, as escaped strings, decoding them was
~0.07 s of a rebuild with 8 quarters.

Most builds need none of those bytes: a closed quarter's pages are served
from the page cache (found by a key made from each page's sha256, which the
header holds) and its folder of ``site/`` is moved in whole
(:mod:`okrsite.engine.sitefolders`). So an entry is opened by its header
alone (:func:`open_cycle_entry`) and each file read on demand
(:class:`EntryContent`) — when the store trusts the entry file, that is when
its size, mtime and inode are those recorded when it was written or last
read in full (:class:`~okrsite.engine.pagecache.CycleStore`); any other
entry is read in full and every file checked against its sha256
(:func:`read_stored_entry`). Reading 7 quarters' entries (~75 MB at 100
units) and hashing their pages for the page cache was ~0.2 s of a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrsite.site.cache import ClosedCycle
from okrsite.site.tree import FileContent, StoredContent

CYCLE_SUFFIX = ".cycle"
_CYCLE_MAGIC = b"okrsite-cycle 5\n"


def content_sha256(content: FileContent) -> str:
    """What a file's content is known by: the sha256 of its bytes (UTF-8 for text)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class EntryContent:
    """A file in an entry, read when asked (a :class:`~okrsite.site.tree.StoredContent`)."""

    entry: Path
    offset: int
    size: int
    sha256: str
    text: bool

    def load(self) -> FileContent:
        with open(self.entry, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read(self.size)
        if len(data) != self.size or hashlib.sha256(data).hexdigest() != self.sha256:
            raise OSError(f"{self.entry} changed while the site was built")
        return data.decode("utf-8") if self.text else data


@dataclass(frozen=True)
class ReadContent:
    """A file of an entry read in full (and checked)."""

    content: FileContent
    sha256: str

    def load(self) -> FileContent:
        return self.content


def cycle_entry_bytes(cycle_id: str, cycle: ClosedCycle) -> bytes:
    """The entry of a closed cycle's generated files (see module doc)."""
    blobs: list[bytes] = []
    exports: list[tuple[str, int, str]] = []
    for name, part in cycle.exports.items():
        blob = part if isinstance(part, bytes) else part.encode("utf-8")
        exports.append((name, len(blob), hashlib.sha256(blob).hexdigest()))
        blobs.append(blob)
    index: list[tuple[str, str, int, str]] = []
    for path, content in sorted(cycle.files.items()):
        blob = content.encode("utf-8") if isinstance(content, str) else content
        kind = "t" if isinstance(content, str) else "b"
        index.append((path, kind, len(blob), hashlib.sha256(blob).hexdigest()))
        blobs.append(blob)
    header = {"cycle": cycle_id, "exports": exports, "files": index}
    line = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return b"".join([_CYCLE_MAGIC, line, b"\n", *blobs])


_Header = tuple[str, list[tuple[str, int, str]], list[tuple[str, bool, int, str]]]


def _header(line: bytes) -> _Header | None:
    """The header line's cycle id, export parts (name, length, sha256) and
    files (path, text or not, length, sha256), or None if malformed."""
    try:
        header: Any = json.loads(line)
        cycle_id = str(header["cycle"])
        exports: list[tuple[str, int, str]] = []
        for name, size, sha in header["exports"]:
            if not isinstance(size, int) or size < 0:
                return None
            exports.append((str(name), size, str(sha)))
        files: list[tuple[str, bool, int, str]] = []
        for path, kind, size, sha in header["files"]:
            if kind not in ("t", "b") or not isinstance(size, int) or size < 0:
                return None
            files.append((str(path), kind == "t", size, str(sha)))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return cycle_id, exports, files


def _exports(
    data: bytes, index: list[tuple[str, int, str]], *, check: bool
) -> dict[str, str | bytes] | None:
    """The export parts at the start of ``data`` (their bytes back to back),
    as the UTF-8 bytes they were written as: ``okrs.json`` and ``okrs.csv``
    are joined from them as bytes (~13 MB at 100 units x 8 quarters, not
    decoded here and encoded again on writing). Checked against their sha256,
    and for UTF-8, if ``check``; None if cut or not what was written."""
    parts: dict[str, str | bytes] = {}
    at = 0
    try:
        for name, size, sha in index:
            blob = data[at : at + size]
            at += size
            if len(blob) != size:
                return None
            if check:
                if hashlib.sha256(blob).hexdigest() != sha:
                    return None
                blob.decode("utf-8")  # never written otherwise: a miss
            parts[name] = blob
    except UnicodeDecodeError:
        return None
    return parts


def _checked_files(
    data: bytes,
) -> tuple[str, dict[str, str | bytes], list[tuple[str, FileContent, str]]] | None:
    """The cycle id, export parts and files (path, content, sha256) of a whole
    entry, or None when ``data`` is not a whole, well-formed entry whose
    parts and files match their sha256 (a cache is untrusted input: anything
    odd is a miss, never an error)."""
    if not data.startswith(_CYCLE_MAGIC):
        return None
    end = data.find(b"\n", len(_CYCLE_MAGIC))
    if end < 0:
        return None
    header = _header(data[len(_CYCLE_MAGIC) : end])
    if header is None:
        return None
    cycle_id, export_index, index = header
    at = end + 1
    length = sum(size for _, size, _ in export_index)
    exports = _exports(data[at : at + length], export_index, check=True)
    if exports is None:
        return None
    files: list[tuple[str, FileContent, str]] = []
    view, at = memoryview(data), at + length
    try:
        for path, text, size, sha in index:
            blob = view[at : at + size]
            at += size
            if len(blob) != size or hashlib.sha256(blob).hexdigest() != sha:
                return None
            files.append((path, str(blob, "utf-8") if text else bytes(blob), sha))
    except UnicodeDecodeError:
        return None
    if at != len(data):
        return None  # trailing bytes
    return cycle_id, exports, files


def read_stored_entry(data: bytes) -> tuple[str, ClosedCycle] | None:
    """The cycle id and files of a whole entry (see :func:`_checked_files`),
    the files as :attr:`ClosedCycle.stored`: read already, known by the
    sha256 they were checked against; or None."""
    found = _checked_files(data)
    if found is None:
        return None
    cycle_id, exports, files = found
    stored: dict[str, StoredContent] = {
        path: ReadContent(content, sha) for path, content, sha in files
    }
    return cycle_id, ClosedCycle({}, exports, stored)


def open_cycle_entry(path: Path) -> tuple[str, ClosedCycle] | None:
    """The cycle id, export parts and files (as :attr:`ClosedCycle.stored`,
    not read) of the entry at ``path``, from its header, its export parts
    and its size alone; None when the header is malformed or the sizes do
    not add up."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(_CYCLE_MAGIC)) != _CYCLE_MAGIC:
                return None
            line = handle.readline()
            header = _header(line)
            if header is None or not line.endswith(b"\n"):
                return None
            cycle_id, export_index, index = header
            length = sum(size for _, size, _ in export_index)
            exports = _exports(handle.read(length), export_index, check=False)
            at = handle.tell()
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return None
    if exports is None:
        return None
    stored: dict[str, StoredContent] = {}
    for name, text, length, sha in index:
        stored[name] = EntryContent(path, at, length, sha, text)
        at += length
    if at != size:
        return None
    return cycle_id, ClosedCycle({}, exports, stored)
