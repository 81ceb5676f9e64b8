"""A helper process that writes a large build's files, so the build never waits on them.

The build's writer thread (:mod:`okrsite.engine.writer`) took file system
calls off the thread that renders pages, but each call gives the GIL back and
the thread must win it again from a thread that rarely lets go: at 1,000
units its jobs took ~4 ms of wall each for ~1.4 ms of work, and the build
waited ~3 s in all for its backlog to drain. :class:`FileWriter` runs the same
jobs in ``python -m okrsite.engine.filewriter`` (a new interpreter, never a
fork) with its own GIL: the build sends each job down a pipe (one write of
the page's bytes), and the helper creates, links and stats files on the
second core.

The jobs are :class:`~okrsite.engine.siteoutput.SiteOutput`'s and the page
cache's own steps, run by the helper on its copy of the build's
``SiteOutput`` (made from the same folder, kept folders and linking state):

- ``write``: a page MkDocs would write (``writer.write_file``);
- ``blob``: a generated file through its blob (``SiteOutput.write``);
- ``place``: a cache file linked into ``site/`` (``SiteOutput.place``);
- ``store``: a rendered page into the page cache, its sha256, size, mtime
  and inode noted, and linked into ``site/`` (``siteoutput.store_file``).

Jobs run in the order sent. The first that fails stops the rest; the helper
reports it when the build asks for the result (:meth:`FileWriter.finish`),
together with what its ``SiteOutput`` learnt (blobs used, files linked,
whether linking still works) and what identifies the stored pages. Only the build's
own process prints or exits; the helper says nothing on its streams but its
one reply.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrsite.engine.siteoutput import SiteOutput, StoredFiles, store_file, write_file
from okrsite.processes import Interpreters, started_by

MODULE = "okrsite.engine.filewriter"
"""This module's name, also when it runs as ``__main__`` (the helper)."""

PIPE_BYTES = 1 << 20
"""The pipe to the helper holds ~16 pages (Linux's default is 64 KB, one page):
the build goes on while the helper creates a slow file."""


@dataclass
class Written:
    """What the helper reports once every job has run."""

    error: str | None = None
    """The first job's failure (the jobs after it were not run)."""
    stored: StoredFiles = field(default_factory=dict)
    """Stored page file → its sha256, and its size, mtime (ns) and inode after
    writing (``siteoutput.store_file``)."""
    used: set[str] = field(default_factory=set)
    linked: int = 0
    linking: bool = True


class FileWriter:
    """The helper process of one build (see the module doc)."""

    def __init__(self, output: SiteOutput, interpreters: Interpreters | None = None) -> None:
        self._process = started_by(interpreters, MODULE)
        self._failed = False
        stream = self._process.stdin
        assert stream is not None
        with contextlib.suppress(OSError, AttributeError):  # a smaller pipe only waits more
            fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._send(("setup", str(output.directory), sorted(output.kept), output.linking))

    def write(self, path: str, data: bytes) -> None:
        self._send(("write", path, data))

    def blob(self, data: bytes, destination: str) -> None:
        self._send(("blob", data, destination))

    def place(self, source: str, destination: str) -> None:
        self._send(("place", source, destination))

    def store(self, path: str, data: bytes, destination: str | None) -> None:
        self._send(("store", path, data, destination))

    def _send(self, job: tuple[Any, ...]) -> None:
        if self._failed:
            return
        stream = self._process.stdin
        assert stream is not None
        try:
            stream.write(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, ValueError):
            self._failed = True  # the helper is gone: finish() says so

    def finish(self) -> Written:
        """Wait for every job; what the helper reports (``error`` set when a
        job failed or the helper is gone)."""
        stream, replies = self._process.stdin, self._process.stdout
        assert stream is not None and replies is not None
        with contextlib.suppress(OSError, ValueError):
            stream.close()
        try:
            reply = pickle.loads(replies.read())
            written = Written(**reply) if isinstance(reply, dict) else None
        except Exception:
            written = None
        self._process.wait()
        if written is None:
            detail = ""
            if self._process.stderr is not None:
                with contextlib.suppress(Exception):
                    lines = self._process.stderr.read().decode("utf-8", "replace").splitlines()
                    detail = f": {lines[-1]}" if lines else ""
            return Written(
                error=f"the file writer process stopped (exit {self._process.returncode}){detail}"
            )
        return written

    def abandon(self) -> None:
        """Stop now: jobs not yet run are dropped, and nothing is written after
        this returns (the build failed; its staging site is about to go)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()


def run_job(output: SiteOutput, job: tuple[Any, ...], written: Written) -> None:
    """One job, as the helper runs it (``OSError`` when it fails)."""
    kind = job[0]
    if kind == "write":
        write_file(job[1], job[2])
    elif kind == "blob":
        output.write(job[1], job[2])
    elif kind == "place":
        output.place(Path(job[1]), job[2])
    elif kind == "store":
        store_file(output, Path(job[1]), job[2], job[3], written.stored)
    else:
        raise ValueError(f"unknown file job {kind!r}")


def _serve() -> None:
    """The helper: run each job as it comes; reply once the build is done sending."""
    source, out = sys.stdin.buffer, sys.stdout.buffer
    _, directory, kept, linking = pickle.load(source)
    output = SiteOutput(Path(directory), linking=linking, kept=set(kept))
    written = Written()
    while True:
        try:
            job = pickle.load(source)
        except EOFError:
            break
        if written.error is not None:
            continue  # a job failed: the rest are dropped, as on the writer thread
        try:
            run_job(output, job, written)
        except (OSError, ValueError) as err:
            written.error = str(err)
    written.used, written.linked, written.linking = output.used, output.linked, output.linking
    # A dict: this module runs as __main__ here, where Written has another name.
    out.write(pickle.dumps(vars(written), protocol=pickle.HIGHEST_PROTOCOL))
    out.flush()
    os.close(out.fileno())


if __name__ == "__main__":
    _serve()
