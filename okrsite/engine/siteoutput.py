"""Files put into ``site/`` as hard links to identical files in the cache.

On the machines we build on, creating a file costs far more than linking
one: ~0.65 ms per new file against ~0.015 ms per hard link (measured on the
project's 2-core VM; ext4). A site with eight quarters of history has ~1,800
generated files, and a build with the page cache used to create each one
twice (the cache entry and the copy in ``site/``): about two seconds of a
rebuild went to creating files whose bytes were already on disk.

:class:`SiteOutput` writes a generated file's bytes once, into
``<cache_dir>/files/<sha256>`` (content-addressed, so the next build finds
the same bytes under the same name), and links it into ``site/``; a stored
page of the page cache is linked the same way. Two rules keep this safe:

* **Never write through a link.** A destination that exists is unlinked
  first, so nothing written into ``site/`` can change a cache file (a dirty
  build, a rebuild into the same directory).
* **Trust no cache file.** A link shares its bytes with ``site/``, and a
  later step might rewrite a site file in place. A blob is used only when
  its bytes equal the bytes to be placed (it is read and compared); a page
  only when its bytes hash to the digest recorded when it was stored (see
  :mod:`okrsite.engine.pagecache`). Anything else is written again.

Where a link cannot be made (the cache on another filesystem, a filesystem
without hard links), the first failure switches this build to plain copies
and writes. Files are created with the process's umask, as MkDocs creates
them, so a linked site is readable by the same users as a written one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path


def write_file(path: str, data: bytes) -> None:
    """MkDocs' ``utils.write_file``: parent directories, then the bytes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def write_new_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file in the same
    directory, then a rename), with the permissions a plain ``open()`` gives:
    the cache's files end up in ``site/`` through links, so they must be as
    readable as the files MkDocs writes (``mkstemp`` would make them 0600)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        try:
            handle = open(tmp, "wb")  # noqa: SIM115 - closed below, after one retry
        except FileNotFoundError:
            # The folder first only when it is missing: a mkdir that finds it
            # costs ~0.15 ms, thousands of times a cold build.
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(tmp, "wb")  # noqa: SIM115
        with handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


StoredFiles = dict[str, tuple[str, list[int]]]
"""Cache file path → (sha256 of the bytes stored there, :func:`stat_of` it):
what a build records of the cache files it wrote (:func:`store_file`)."""


def stat_of(path: str | Path) -> list[int]:
    """Size, mtime (ns) and inode: a list, as it reads back from JSON."""
    found = os.stat(path)  # Path.stat costs three times os.stat of a str
    return [found.st_size, found.st_mtime_ns, found.st_ino]


def store_file(
    output: SiteOutput,
    path: Path,
    data: bytes,
    destination: str | None,
    stored: StoredFiles,
) -> None:
    """Write ``data`` to the cache file ``path`` (:func:`write_new_file`),
    note its sha256 and its size, mtime (ns) and inode in ``stored`` (by
    path), and place it at ``destination`` in ``site/`` (if given)."""
    write_new_file(path, data)
    stored[str(path)] = (hashlib.sha256(data).hexdigest(), stat_of(path))
    if destination is not None:
        output.place(path, destination)


@dataclass
class SiteOutput:
    """How one build places generated files into ``site/`` (see module doc).

    Created per build next to the page cache (never kept across builds);
    :meth:`prune` then drops the blobs this build did not place.
    """

    directory: Path
    """``<cache_dir>/files``: blobs named by the sha256 of their bytes."""
    linking: bool = True
    """False once a link failed: the rest of the build copies and writes."""
    used: set[str] = field(default_factory=set)
    linked: int = 0
    """Files placed by a link this build (for tests and logs)."""
    _folders: set[str] = field(default_factory=set)
    """Folders of ``site/`` known to exist this build (made or found)."""
    kept: set[str] = field(default_factory=set)
    """Folders (absolute, ending in a separator) moved in whole from the last
    build, already holding this build's files (:mod:`okrsite.engine.sitefolders`):
    nothing is placed under them."""

    def holds(self, destination: str) -> bool:
        """Whether ``destination`` is in a folder moved in whole (:attr:`kept`)."""
        return bool(self.kept) and destination.startswith(tuple(self.kept))

    def already_there(self, destination: str, sha256: str) -> bool:
        """Whether a file with bytes of that sha256 is at ``destination``
        already, its folder moved in whole; its blob is then kept for a later
        build that places it again."""
        if not self.holds(destination):
            return False
        if self.linking:
            self.used.add(sha256)
        return True

    def place(self, source: Path, destination: str) -> None:
        """Put the file ``source`` (in the cache) at ``destination``."""
        if self.holds(destination):
            return
        self._folder(destination)
        if self.linking:
            try:
                try:
                    os.link(source, destination)
                except FileExistsError:  # an earlier build's file: replaced, not written
                    os.unlink(destination)
                    os.link(source, destination)
                self.linked += 1
                return
            except OSError:
                self.linking = False  # another filesystem, no hard links: copy from now on
        _unlink(destination)
        shutil.copyfile(source, destination)

    def write(self, data: bytes, destination: str) -> None:
        """Put ``data`` at ``destination``: through its blob while linking works."""
        name = hashlib.sha256(data).hexdigest()
        if self.already_there(destination, name):
            return
        if not self.linking:
            self._folder(destination)
            _unlink(destination)
            with open(destination, "wb") as handle:
                handle.write(data)
            return
        blob = self.directory / name
        self.used.add(name)
        if not _holds(blob, data):
            write_new_file(blob, data)
        self.place(blob, destination)

    def prune(self) -> None:
        """Remove blobs (and stray temporary files) this build did not place."""
        if not self.directory.is_dir():
            return
        for path in self.directory.iterdir():
            if path.name not in self.used:
                path.unlink(missing_ok=True)

    def _folder(self, destination: str) -> None:
        """Make sure the folder of ``destination`` exists. Few system calls on
        purpose: on a second thread each one waits for the GIL (see
        :mod:`okrsite.engine.writer`); a folder found or made is remembered
        for the build, and :meth:`place` links first and unlinks only when
        something is in the way, so a page alone in its new folder (most of
        them) costs one ``mkdir`` and one ``link``."""
        folder = os.path.dirname(destination)
        if folder in self._folders:
            return
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        self._folders.add(folder)


def _unlink(destination: str) -> None:
    """Nothing at ``destination`` before it is written: a file there may be a
    link to a cache file, which an ``open()`` for writing would change."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(destination)


def _holds(blob: Path, data: bytes) -> bool:
    try:
        return blob.read_bytes() == data
    except OSError:
        return False
