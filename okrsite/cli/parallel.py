"""Two cores for one load: a helper process parses part of the unit files.

Parsing is the largest part of ``okrsite check`` at company scale. With at
least two usable cores and enough unit files, :func:`parse_with_helper`
gives the later unit files of the load's sorted list to a helper process,
which parses them with the same parser, writes the results to a pipe in
batches as it goes (:data:`BATCH_FILES` files each, one pickle each) and
exits: each clean result as the parse cache's pickled entry
(``store.pickled_entry``), which the load unpickles as it would a cache
entry; a file with issues is left to the load. The console script forks the
helper as the command starts (no threads yet, little imported: the fork is
cheap and the helper parses at once, while this process imports pydantic
and the model); in-process callers (tests, ``CliRunner``) never fork, and
start ``python -m okrsite.cli.parallel CONTENT_DIR START`` instead. This
process meanwhile parses the files before the helper's (the load walks
them first) and takes the helper's results from its
:class:`~okrsite.source.LoadCache` when the walk reaches the others (see
``LoadCache.parse_elsewhere``), batch by batch: it reads, checks and
unpickles the first batches while the helper still parses the last ones,
instead of waiting for all of them and then taking them all on one core
(~0.15 s at 1,000 units, with the other core idle).

Results are keyed by display path, parser and the sha256 of the bytes the
helper read, so the load uses one only for the very bytes it read itself;
anything the helper did not deliver (it failed, a file changed, a folder is
odd) is simply parsed here. Only the CLI starts processes (the library never
does); the pickles travel between our own two processes over pipes.

The parse cache is written after a load that succeeded, as without a helper
(by this process, or by the rules' child of ``cli/rulesplit.py``, which has
the same store): the helper's results are already the entries it stores
(``LoadCache`` keeps them for its store). The helper used to write it, after
parsing this process's part again to make their entries: half a second of
CPU at 1,000 units, on the core that the rules' child wants for itself then,
against ~0.05 s to pickle them.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import queue
import selectors
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from okrsite.cli import CHECK_GC_THRESHOLDS
from okrsite.source import UNIT_SUFFIXES, LoadCache
from okrsite.source.cache import ParseKey, parse_key
from okrsite.source.loaded import MAX_FILE_BYTES
from okrsite.source.parse import parse_unit_file
from okrsite.source.store import pickled_entry
from okrsite.source.walk import Walk
from okrsite.source.yaml_scalars import PlainScalars

MIN_FILES = 200
"""Fewer unit files parse faster than a helper process starts."""
HELPER_TIMEOUT = 120.0
"""Seconds to wait for the helper's results before parsing its files here."""
HELPER_SHARE = 0.5
"""The helper's part of the files. This process imports pydantic and the
model (about a third of a second) before it parses, but the helper also
pickles what it sends and this process unpickles it (about a third of the
parse), and a new interpreter takes ~0.15 s to start: half each finished
closest together in timelines of 1,000-unit checks."""
BATCH_FILES = 25
"""Files per batch the helper sends: the load waits at most for one batch
beyond what it needs (~25 ms of the helper's parsing), and a batch costs a
pickle of a few dozen entries and a write."""
FORKED_SHARE = 0.64
"""The part of a forked helper (the console script's): it parses from the
moment of the fork, while this process imports pydantic and the model, so
it can take more files. Its batches are taken as they come (about a quarter
of the time it takes to parse them), so the load ends soonest when this
process reaches the helper's files a little before the helper is done: by
1,000-unit timelines' rates (this process ~1.27 ms to parse a file and
~0.32 ms to take one of the helper's, the helper ~1.4 ms a file), at
~0.64, against ~0.6 when all results came at once at the end."""


class ParseHelper:
    """The helper process (a child this process forked, or a new interpreter),
    the pipe its results come on, and whether they were read."""

    def __init__(self, pid: int, results: int, process: subprocess.Popen[bytes] | None) -> None:
        self.pid = pid
        self.results = results
        """The read end of the pipe the results come on."""
        self.process = process
        """The new interpreter, or None for a forked helper."""
        self.delivered = False
        """Whether its results were read whole (it then exits by itself)."""
        self.returncode: int | None = None
        """Its exit code, once :func:`finish` has reaped it."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def unit_files(content_dir: Path) -> list[tuple[str, str]]:
    """(file path, display path) of every unit file, in the load's order."""
    walk = Walk(content_dir)
    found: list[tuple[str, str]] = []
    for folder in walk.entries(str(content_dir)):
        if folder.name.startswith("_") or not folder.is_dir(follow_symlinks=False):
            continue
        for item in walk.entries(folder.path):
            if item.name.endswith(UNIT_SUFFIXES):
                found.append((item.path, walk.display(folder.name, item.name)))
    return found


def parse_with_helper(
    content_dir: Path, cache: LoadCache, *, fork: bool = False
) -> ParseHelper | None:
    """Start a helper parsing the later unit files into ``cache``, if it pays.

    ``fork``: fork this process for it (only the console script asks: a
    process that runs no threads and has imported little yet, so the fork is
    cheap and the helper starts parsing at once); otherwise a new interpreter
    runs this module. Returns the helper (always hand it to :func:`finish`)
    or None when the load is better done alone: one core, few files, or a
    parse cache that already holds most of them.
    """
    if usable_cores() < 2:
        return None
    files = unit_files(content_dir)
    if len(files) < MIN_FILES:
        return None
    if cache.store is not None and cache.store.stored([d for _, d in files]) >= len(files) // 2:
        return None  # a warm parse cache: reading it is faster than a helper
    fork = fork and hasattr(os, "fork")
    start = len(files) - int(len(files) * (FORKED_SHARE if fork else HELPER_SHARE))
    helper = _forked(files[start:]) if fork else _started(content_dir, start)
    if helper is None:
        return None

    batches = _Batches(helper.results, HELPER_TIMEOUT)

    def fetch() -> tuple[dict[ParseKey, bytes], bool]:
        found = batches.next()
        if found is None:  # it failed, died or timed out: the rest is parsed here
            finish(helper)
            return {}, True
        results, last = found
        if last:
            helper.delivered = True
        return results, last

    cache.parse_elsewhere([display for _, display in files[start:]], fetch)
    return helper


def _started(content_dir: Path, start: int) -> ParseHelper | None:
    """A new interpreter parsing the unit files from ``start``."""
    command = [sys.executable, "-m", "okrsite.cli.parallel", str(content_dir), str(start)]
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:  # no interpreter to start: parse alone
        return None
    assert process.stdout is not None
    return ParseHelper(process.pid, process.stdout.fileno(), process)


def _forked(files: list[tuple[str, str]]) -> ParseHelper | None:
    """A forked child parsing ``files``; it writes its results and exits with
    ``os._exit`` (it never flushes, frees or runs exit hooks of this process's)."""
    sys.stdout.flush()  # nothing buffered for the child to hold a copy of
    sys.stderr.flush()
    try:
        readable, writable = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:  # no process to be had: parse alone
        os.close(readable)
        os.close(writable)
        return None
    if pid == 0:  # the helper
        os.close(readable)
        code = 1
        try:
            send_batches(parsed_batches(files), writable)
            code = 0
        except BaseException:  # this process then parses those files itself
            pass
        os._exit(code)
    os.close(writable)
    return ParseHelper(pid, readable, None)


class _Batches:
    """The helper's batches as they come on ``fd`` (see :func:`send_batches`),
    all within ``timeout`` seconds of the first ask."""

    def __init__(self, fd: int, timeout: float) -> None:
        self.fd = fd
        self.timeout = timeout
        self.deadline: float | None = None
        self.pending = b""

    def next(self) -> tuple[dict[ParseKey, bytes], bool] | None:
        """The next batch and whether it is the last; None when no whole
        batch came (end of file, time out, or not a batch)."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.timeout
        header = self._read(8)
        body = None if header is None else self._read(int.from_bytes(header, "big"))
        if body is None:
            return None
        try:
            results, last = pickle.loads(body)
        except Exception:
            return None
        return results, bool(last)

    def _read(self, size: int) -> bytes | None:
        """Exactly ``size`` bytes, or None."""
        assert self.deadline is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.fd, selectors.EVENT_READ)
            while len(self.pending) < size:
                left = self.deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    return None
                chunk = os.read(self.fd, max(1 << 20, size - len(self.pending)))
                if not chunk:
                    return None
                self.pending += chunk
        found, self.pending = self.pending[:size], self.pending[size:]
        return found


def send_batches(batches: Iterable[bytes], fd: int) -> None:
    """Write each batch to ``fd``, its length first, as soon as it is made.

    A thread writes: the reader takes the first batch only when its load
    reaches the helper's files, and a pipe holds 64 KB, so written from here
    the parse would stop at the first full pipe. (The helper is a process
    of its own, forked or started, with no other thread.) Raises OSError
    when a write fails (the reader is gone)."""
    todo: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    failed: list[OSError] = []

    def write() -> None:
        try:
            while (blob := todo.get()) is not None:
                view = memoryview(blob)
                while view:
                    view = view[os.write(fd, view) :]
        except OSError as err:
            failed.append(err)

    writer = threading.Thread(target=write, name="okrsite-parse-batches")
    writer.start()
    try:
        for batch in batches:
            if failed:
                break
            todo.put(len(batch).to_bytes(8, "big") + batch)
    finally:
        todo.put(None)
        writer.join()
    if failed:
        raise failed[0]


def finish(helper: ParseHelper | None) -> None:
    """Never leave a helper behind: one that delivered is exiting (it is
    reaped); one that did not (the load failed before it needed the results,
    or they never came) is stopped."""
    if helper is None or helper.returncode is not None:
        return
    process = helper.process
    if process is not None:
        if helper.delivered:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=HELPER_TIMEOUT)
        if process.poll() is None:
            process.kill()
        helper.returncode = process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return
    if not helper.delivered:
        with contextlib.suppress(OSError):
            os.kill(helper.pid, signal.SIGKILL)
    _, status = os.waitpid(helper.pid, 0)
    helper.returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(OSError):
        os.close(helper.results)


def _read_regular(path: str) -> bytes | None:
    """A regular file's bytes if it is small enough (never blocks on a FIFO)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None


def parsed_batches(
    files: list[tuple[str, str]], size: int = BATCH_FILES
) -> Iterator[bytes]:
    """The helper's work: ``files`` (path, display path) parsed, ``size`` at
    a time, each batch one pickle of ``({parse_key: pickled store entry},
    is the last batch)``. Results go as pickled store entries: the load
    keeps the same bytes for the parse cache. A file with issues is not sent
    (the load parses it again, and reports them)."""
    scalars = PlainScalars()
    for first in range(0, max(len(files), 1), size):
        results: dict[ParseKey, bytes] = {}
        for path, display in files[first : first + size]:
            raw = _read_regular(path)
            if raw is not None:
                blob = pickled_entry(parse_unit_file(raw, display, scalars=scalars))
                if blob is not None:
                    results[parse_key(parse_unit_file, raw, display)] = blob
        last = first + size >= len(files)
        yield pickle.dumps((results, last), protocol=pickle.HIGHEST_PROTOCOL)


def _helper_main(content_dir: str, start: str) -> None:
    """The helper as a new interpreter: parse unit files from ``start``,
    send the batches to stdout, and exit."""
    gc.set_threshold(*CHECK_GC_THRESHOLDS)
    sys.stdout.flush()
    send_batches(parsed_batches(unit_files(Path(content_dir))[int(start) :]), sys.stdout.fileno())
    # Nothing to free one object at a time: the results are sent.
    os._exit(0)


if __name__ == "__main__":
    _helper_main(*sys.argv[1:3])
