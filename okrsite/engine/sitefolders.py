"""Closed cycles' folders of ``site/`` moved into the next build whole.

A closed quarter's folder of the site (``site/2025-Q1/``: a page and a graph
per unit, ~250 files in ~130 folders at 100 units) is the same from one
build to the next. With the page cache every file in it is a hard link to a
cache file, yet placing it again costs a ``mkdir`` per unit (~0.1-0.3 ms on
our VMs) and a link per file, and the build before removed the same files
and folders from the old site: at 100 units and 8 quarters, ~0.7 s of a
one-line rebuild went to taking apart and putting back identical folders.

So a folder the last build made is moved, with one rename, into the new
site instead:

1. **Stash.** Before MkDocs cleans ``site/`` (``mkdocs build``: the plugin's
   ``on_pre_build``) or before the build starts (``okrsite build``, which
   builds into a staging directory: :func:`okrsite.engine.build.run_build`),
   the folders recorded by the last build are moved from the site into
   ``<cache_dir>/folders/``. A failed ``okrsite build`` moves them back, so
   the previous site stays whole (not after a ``SIGKILL``: then the old site
   misses them until the next build, which makes them again).
2. **Take.** Once this build knows its files (``on_files``), a stashed folder
   moves into the new site when (a) the files this build puts under it are
   the same as last time, by name and by content — stored pages by their
   page-cache key, other files by the sha256 of their bytes — and (b) what is
   on disk is what the last build left: the same files and folders, each
   file with the size, mtime and inode recorded then (as git's index and the
   page cache trust a file). Anything else is placed file by file, as before.
3. **Record.** After a clean build, each closed cycle's folder is recorded
   (``records.json``): its digest, and a digest of its listing (every folder,
   every file with its stat: :func:`listing_digest`). Stashed
   folders this build did not take are removed.

Only folders of closed cycles whose every file okrsite generated are
candidates (see :meth:`KeptFolders.candidates`), and only while the page
cache links pages into ``site/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from okrsite.source.files import write_atomically

RECORDS_FILE = "records.json"

def folder_digest(entries: Iterable[tuple[str, str]]) -> str:
    """The digest of what a build puts in a folder: (site path, identity of
    the bytes) pairs, in any order."""
    digest = hashlib.sha256()
    for path, identity in sorted(entries):
        digest.update(f"{path}\0{identity}\n".encode())
    return digest.hexdigest()


def listing_digest(root: Path) -> str:
    """A digest of every file (with its size, mtime and inode) and folder
    under ``root``: what a record keeps of the listing. Kept as a list of
    entries, the listing of 7 closed quarters (~2,700 entries at 100 units)
    was parsed from ``records.json`` and written back by every build (~0.04 s
    of a rebuild, most of it the collector's, on objects kept for one compare)."""
    found: list[str] = []
    pending = [("", str(root))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    found.append(relative + "/")
                    pending.append((relative + "/", entry.path))
                else:
                    seen = entry.stat(follow_symlinks=False)
                    found.append(f"{relative}\0{seen.st_size}\0{seen.st_mtime_ns}\0{seen.st_ino}")
    found.sort()
    return hashlib.sha256("\n".join(found).encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class KeptFolders:
    """The stash of one cache directory (``<cache_dir>/folders``), for one build."""

    directory: Path
    taken: set[str] = field(default_factory=set)
    """Folders moved into this build's site."""
    _records: dict[str, dict[str, object]] | None = None
    _survey: tuple[threading.Thread, dict[str, str]] | None = None
    """The stashed folders' listing digests, being made on a second thread (:meth:`survey`)."""

    def survey(self) -> None:
        """Start listing the stashed folders on a second thread, for :meth:`take`.

        Listing 7 quarters' folders is ~3,700 system calls at 100 units
        (a ``stat`` per file, an ``opendir`` per folder: ~0.02 s), which
        release the GIL: done while the build loads the content, they cost
        the build's thread nothing. Started once the stash is as the build
        leaves it (after :meth:`stash_from`); nothing writes into the stash
        before :meth:`take`, and :meth:`stash_from` / :meth:`give_back`
        drop a survey made before them."""
        self._drop_survey()
        names = [name for name in sorted(self.records()) if (self.directory / name).is_dir()]
        found: dict[str, str] = {}

        def run() -> None:
            for name in names:
                try:
                    found[name] = listing_digest(self.directory / name)
                except OSError:
                    continue  # take lists it again (and fails the same way)

        thread = threading.Thread(target=run, name="okrsite-folder-survey", daemon=True)
        thread.start()
        self._survey = (thread, found)

    def _drop_survey(self) -> None:
        if self._survey is not None:
            self._survey[0].join()
            self._survey = None

    def _listing(self, name: str) -> str:
        """The stashed folder's listing digest: the survey's, if it made one."""
        if self._survey is not None:
            thread, found = self._survey
            thread.join()
            listing = found.pop(name, None)  # used once: a taken folder leaves the stash
            if listing is not None:
                return listing
        return listing_digest(self.directory / name)

    def records(self) -> dict[str, dict[str, object]]:
        if self._records is None:
            try:
                data = json.loads((self.directory / RECORDS_FILE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None
            self._records = (
                {k: v for k, v in data.items() if isinstance(v, dict)}
                if isinstance(data, dict)
                else {}
            )
        return self._records

    def stash_from(self, site: Path) -> list[str]:
        """Move the recorded folders found in ``site`` into the stash (a stale
        stashed copy is replaced); return their names."""
        self._drop_survey()
        moved: list[str] = []
        for name in sorted(self.records()):
            source = site / name
            if not source.is_dir() or source.is_symlink():
                continue
            target = self.directory / name
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                os.rename(source, target)
            except OSError:
                continue  # another filesystem: this folder is made again
            moved.append(name)
        return moved

    def give_back(self, names: Iterable[str], site: Path, staging: Path | None = None) -> None:
        """Move stashed folders back into ``site`` (a failed build), from the
        stash or from ``staging`` if the build had taken them."""
        self._drop_survey()
        for name in names:
            for source in (self.directory / name, *([staging / name] if staging else [])):
                if source.is_dir() and not (site / name).exists():
                    try:
                        os.rename(source, site / name)
                    except OSError:
                        continue
                    break

    def take(self, name: str, digest: str, site: Path) -> bool:
        """Move the stashed folder ``name`` into ``site`` if it holds what this
        build would put there (``digest``) and is as the last build left it."""
        record = self.records().get(name)
        stashed = self.directory / name
        if record is None or record.get("digest") != digest or not stashed.is_dir():
            return False
        if (site / name).exists():
            return False
        try:
            if self._listing(name) != record.get("listing"):
                return False
            os.rename(stashed, site / name)
        except OSError:
            return False
        self.taken.add(name)
        return True

    def finish(self, site: Path, digests: dict[str, str]) -> None:
        """After a clean build: record the folders of ``digests`` as they are in
        ``site`` (a folder taken this build keeps its record), and remove
        what is left in the stash."""
        records: dict[str, dict[str, object]] = {}
        for name, digest in sorted(digests.items()):
            old = self.records().get(name)
            if name in self.taken and old is not None and old.get("digest") == digest:
                records[name] = old
            elif (site / name).is_dir():
                records[name] = {"digest": digest, "listing": listing_digest(site / name)}
        self.directory.mkdir(parents=True, exist_ok=True)
        for path in self.directory.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
        text = json.dumps(records, separators=(",", ":"))
        write_atomically(self.directory / RECORDS_FILE, text.encode("utf-8"), durable=False)
        self._records = records

    @staticmethod
    def candidates(
        files: Iterable[tuple[str, str | None, bool]], closed: Iterable[str]
    ) -> Iterator[tuple[str, str, bool]]:
        """``files``: every file of the build as (site path, identity of its
        bytes or None for a file okrsite did not generate, whether it is
        ready without rendering: a stored page, a generated file). Yields
        (folder, digest, ready) for each closed cycle's folder holding only
        generated files; ``ready``: all of them are."""
        closed_names = set(closed)
        by_folder: dict[str, list[tuple[str, str | None, bool]]] = {}
        for path, identity, ready in files:
            folder = path.split("/", 1)[0]
            if folder in closed_names and "/" in path:
                by_folder.setdefault(folder, []).append((path, identity, ready))
        for folder, entries in sorted(by_folder.items()):
            named = [(path, identity) for path, identity, _ in entries if identity is not None]
            if len(named) == len(entries):
                yield folder, folder_digest(named), all(ready for _, _, ready in entries)
