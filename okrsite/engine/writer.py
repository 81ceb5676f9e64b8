"""Writing the built pages on a second thread while the next page renders.

Creating a file is slow next to rendering one (on the project's VM ~0.65 ms
for a new file, ~0.3 ms for a directory, half of it waiting on the disk):
at 1,000 units, MkDocs' own writes of ~2,000 pages and the page cache's two
files per page kept the build's one busy thread waiting ~4 s. The system
calls release the GIL, so a single writer thread takes them off the thread
that renders pages, onto the second core.

:class:`PageWriter` is one FIFO queue and one thread, created per build by
the plugin and closed (:meth:`PageWriter.finish`) before any other plugin's
``on_post_build`` can read ``site/``. Jobs run in the order they were
queued, so a later write of the same path wins as it would when written in
place. The first job that fails stops the writer: the jobs after it are
dropped and :meth:`finish` raises its error, so the build fails instead of
leaving a site with a missing page.

The queue has a limit (:class:`Backlog`). The writer gets the GIL only when
the rendering thread lets it go, so it falls behind: unbounded, it held up to
~2,500 jobs at 1,000 units, each with a rendered page, ~150 MB of a build's
peak memory. Past ``high`` queued jobs the build's thread waits until the
writer is down to ``low``: uncontended, it writes those in a burst.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

_BUILD_LOGGER = "mkdocs.commands.build"
"""The logger of MkDocs' page writer (``mkdocs/commands/build.py``)."""


@dataclass(frozen=True)
class Backlog:
    """How many jobs may wait: past ``high``, :meth:`PageWriter.call` blocks
    until no more than ``low`` are left."""

    high: int = 200
    low: int = 50


class PageWriter:
    """A background thread that runs file-writing jobs in order.

    ``backlog`` bounds the queue (see the module doc); None leaves it
    unbounded, for a writer whose jobs may wait on the caller (the page
    helper's pipe, which only drains when the build reads its replies)."""

    def __init__(self, backlog: Backlog | None = None) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._backlog = backlog
        self._pending = 0
        """Jobs queued and not yet run (kept only with a backlog)."""
        self._drained = threading.Condition()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="okrsite-page-writer", daemon=True)
        self._thread.start()
        self._open = True

    def write(self, path: str, data: bytes) -> None:
        """Write ``data`` to ``path`` (parent directories made), as MkDocs'
        ``utils.write_file`` does."""
        self.call(write_file, path, data)

    def call(self, job: Callable[..., Any], *args: Any) -> None:
        """Run ``job(*args)`` on the writer thread, after the jobs queued before."""
        if not self._open:
            raise RuntimeError("the page writer is finished")
        backlog = self._backlog
        if backlog is not None:
            with self._drained:
                if self._pending >= backlog.high:
                    self._drained.wait_for(lambda: self._pending <= backlog.low)
                self._pending += 1
        self._jobs.put((job, args))

    def finish(self) -> None:
        """Wait for every queued job; raise the first job's error, if any."""
        if self._open:
            self._open = False
            self._jobs.put(None)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def abandon(self) -> None:
        """Stop after the running job (the build failed): queued writes are
        dropped, their error (if any) forgotten."""
        self._error = _Abandoned()
        if self._open:
            self._open = False
            self._jobs.put(None)
            self._thread.join()
        self._error = None

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, args = item
            try:
                if self._error is None:  # a job failed (or the build did): drop the rest
                    job(*args)
            except BaseException as error:  # reported by finish() on the build's thread
                self._error = error
            finally:
                if self._backlog is not None:
                    with self._drained:
                        self._pending -= 1
                        if self._pending <= self._backlog.low:
                            self._drained.notify()


class _Abandoned(Exception):
    """Marks an abandoned writer: its remaining jobs are skipped."""


def write_file(path: str, data: bytes) -> None:
    """MkDocs' ``utils.write_file``: parent directories, then the bytes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


class SiteWrites:
    """The plugin's side of a :class:`PageWriter` for one build.

    A page handed over (:meth:`page`) comes back empty to MkDocs, which then
    writes nothing and logs "Page skipped: '<page>'. Generated empty output."
    at INFO: that note would be false, so it is filtered for those pages.
    Only for a plugin whose ``on_post_page`` is the build's last: once a page
    leaves the build's thread no plugin may change it."""

    def __init__(self) -> None:
        self.writer = PageWriter(Backlog())
        self._notes = _Notes()
        logging.getLogger(_BUILD_LOGGER).addFilter(self._notes)

    def page(self, output: str, file: File) -> str:
        """Queue the page's bytes (encoded as MkDocs encodes them); returns what
        MkDocs should write itself (nothing, unless the page is blank)."""
        if not output.strip():
            return output  # MkDocs' own note for a blank page stays
        self.writer.write(file.abs_dest_path, output.encode("utf-8", errors="xmlcharrefreplace"))
        self._notes.skipped.add(f"Page skipped: '{file.src_uri}'. Generated empty output.")
        return ""

    def end(self, *, abandon: bool) -> None:
        """Wait for the queued writes, or drop them when the build failed; the
        note filter goes either way. A failed write fails the build."""
        logging.getLogger(_BUILD_LOGGER).removeFilter(self._notes)
        if abandon:
            self.writer.abandon()
            return
        try:
            self.writer.finish()
        except OSError as err:
            raise PluginError(f"okrsite: could not write the site: {err}") from err


class _Notes(logging.Filter):
    """Drops MkDocs' "Page skipped" notes for the pages handed to the writer."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.skipped


def in_order(writes: SiteWrites | None, job: Callable[..., object], *args: object) -> None:
    """Run a file-writing job on the build's writer thread if there is one
    (after the jobs queued before it), else now."""
    if writes is not None:
        writes.writer.call(job, *args)
    else:
        job(*args)
