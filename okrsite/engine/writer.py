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
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from okrsite.engine.filewriter import FileWriter, Written
from okrsite.engine.siteoutput import SiteOutput, StoredFiles, store_file, write_file
from okrsite.processes import Interpreters

_BUILD_LOGGER = "mkdocs.commands.build"
"""The logger of MkDocs' page writer (``mkdocs/commands/build.py``)."""


FILE_WRITER_PAGES = 300
"""Pages to render from which a build's files are written by a
:class:`~okrsite.engine.filewriter.FileWriter` process instead of a thread
(starting an interpreter costs ~0.1 s of the second core)."""


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


class SiteWrites:
    """Where one build's files are written: the plugin's side of a
    :class:`PageWriter` thread, or of a :class:`~okrsite.engine.filewriter.FileWriter`
    process for a build with many pages (:meth:`use_process`). Either way
    the jobs run in the order given, off the build's thread.

    A page handed over (:meth:`page`) comes back empty to MkDocs, which then
    writes nothing and logs "Page skipped: '<page>'. Generated empty output."
    at INFO: that note would be false, so it is filtered for those pages.
    Only for a plugin whose ``on_post_page`` is the build's last: once a page
    leaves the build's thread no plugin may change it."""

    def __init__(self) -> None:
        self._thread: PageWriter | None = None
        self._process: FileWriter | None = None
        self._output: SiteOutput | None = None
        """The site output the process works for (its copy is merged back)."""
        self._stored: StoredFiles | None = None
        self._notes = _Notes()
        logging.getLogger(_BUILD_LOGGER).addFilter(self._notes)

    @property
    def writer(self) -> PageWriter:
        """The writer thread (made on first use)."""
        if self._thread is None:
            self._thread = PageWriter(Backlog())
        return self._thread

    def use_process(self, output: SiteOutput, interpreters: Interpreters | None = None) -> bool:
        """Send every job to a helper process from now on, before any was
        given; False (jobs stay on the thread) if it cannot be started.
        ``interpreters``: where its interpreter may already be waiting."""
        if self._thread is not None or self._process is not None:
            raise RuntimeError("use_process comes before the first job")
        try:
            self._process = FileWriter(output, interpreters)
        except OSError:
            return False
        self._output = output
        return True

    @property
    def in_process(self) -> bool:
        """Whether jobs go to a file writer process (:meth:`use_process`)."""
        return self._process is not None

    def page(self, output: str, file: File) -> str:
        """Queue the page's bytes (encoded as MkDocs encodes them); returns what
        MkDocs should write itself (nothing, unless the page is blank)."""
        if not output.strip():
            return output  # MkDocs' own note for a blank page stays
        data = output.encode("utf-8", errors="xmlcharrefreplace")
        if self._process is not None:
            self._process.write(file.abs_dest_path, data)
        else:
            self.writer.write(file.abs_dest_path, data)
        self._notes.skipped.add(f"Page skipped: '{file.src_uri}'. Generated empty output.")
        return ""

    def blob(self, output: SiteOutput, data: bytes, destination: str) -> None:
        """``output.write(data, destination)``, in order."""
        if self._for_process(output):
            self._process.blob(data, destination)  # type: ignore[union-attr]
        else:
            self.writer.call(output.write, data, destination)

    def place(self, output: SiteOutput, source: Path, destination: str) -> None:
        """``output.place(source, destination)``, in order."""
        if self._for_process(output):
            self._process.place(str(source), destination)  # type: ignore[union-attr]
        else:
            self.writer.call(output.place, source, destination)

    def store(
        self,
        output: SiteOutput,
        path: Path,
        data: bytes,
        destination: str | None,
        stored: StoredFiles,
    ) -> None:
        """``siteoutput.store_file``, in order; ``stored`` is complete once
        :meth:`end` returns."""
        if self._for_process(output):
            self._stored = stored
            self._process.store(str(path), data, destination)  # type: ignore[union-attr]
        else:
            self.writer.call(store_file, output, path, data, destination, stored)

    def _for_process(self, output: SiteOutput) -> bool:
        if self._process is None:
            return False
        if output is not self._output:
            raise ValueError("a file writer process works for one site output")
        return True

    def end(self, *, abandon: bool) -> None:
        """Wait for the queued writes, or drop them when the build failed; the
        note filter goes either way. A failed write fails the build."""
        logging.getLogger(_BUILD_LOGGER).removeFilter(self._notes)
        thread, process = self._thread, self._process
        self._thread = self._process = None
        if process is not None:
            if abandon:
                process.abandon()
                return
            self._take(process.finish())
        if thread is None:
            return
        if abandon:
            thread.abandon()
            return
        try:
            thread.finish()
        except OSError as err:
            raise PluginError(f"okrsite: could not write the site: {err}") from err

    def _take(self, written: Written) -> None:
        """What the process's copy of the site output learnt, into the build's."""
        output = self._output
        assert output is not None
        output.used |= written.used
        output.linked += written.linked
        output.linking = output.linking and written.linking
        if self._stored is not None:
            self._stored.update(written.stored)
        if written.error is not None:
            raise PluginError(f"okrsite: could not write the site: {written.error}")


class _Notes(logging.Filter):
    """Drops MkDocs' "Page skipped" notes for the pages handed to the writer."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.skipped


class _WritesNow:
    """:class:`SiteWrites`' jobs run at once, for a build whose files are
    written on its own thread (``writes or WRITES_NOW``)."""

    @staticmethod
    def blob(output: SiteOutput, data: bytes, destination: str) -> None:
        output.write(data, destination)

    @staticmethod
    def place(output: SiteOutput, source: Path, destination: str) -> None:
        output.place(source, destination)

    @staticmethod
    def store(
        output: SiteOutput,
        path: Path,
        data: bytes,
        destination: str | None,
        stored: StoredFiles,
    ) -> None:
        store_file(output, path, data, destination, stored)


WRITES_NOW = _WritesNow()
"""Holds nothing: the same jobs as a :class:`SiteWrites`, done on the caller's thread."""
