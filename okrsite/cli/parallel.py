"""Two cores for one load: a helper process parses part of the unit files.

Parsing is the largest part of ``okrsite check`` at company scale. With at
least two usable cores and enough unit files, :func:`parse_with_helper`
gives the later unit files of the load's sorted list to a helper process,
which parses them with the same parser, hands the results over in batches
as it goes (:data:`BATCH_FILES` files each, one pickle each, see
:func:`send_batches`) and exits: each clean result as the parse cache's pickled entry
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
does); the pickles travel between our own two processes through a scratch
file only they hold (an in-memory file on Linux) and a pipe.

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
import selectors
import signal
import stat
import subprocess
import sys
import tempfile
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
    the pipe and file its results come on, and whether they were read."""

    def __init__(
        self, pid: int, results: int, process: subprocess.Popen[bytes] | None, data: int
    ) -> None:
        self.pid = pid
        self.results = results
        """The read end of the pipe the batches' lengths come on."""
        self.data = data
        """The scratch file the batches are written to (see :func:`send_batches`)."""
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

    batches = _Batches(helper.results, helper.data, HELPER_TIMEOUT)

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
    if os.name != "posix":  # (no file descriptor to hand it): parse alone
        return None
    data = _scratch_file()
    if data is None:
        return None
    command = [
        *(sys.executable, "-m", "okrsite.cli.parallel"),
        *(str(content_dir), str(start), str(data)),
    ]
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            pass_fds=(data,),
        )
    except OSError:  # no interpreter to start: parse alone
        os.close(data)
        return None
    assert process.stdout is not None
    return ParseHelper(process.pid, process.stdout.fileno(), process, data)


def _scratch_file() -> int | None:
    """A file for the helper's batches that no other process can open: in
    memory where Linux offers one, else an unlinked temporary file."""
    with contextlib.suppress(AttributeError, OSError):
        return os.memfd_create("okrsite-parse-batches", os.MFD_CLOEXEC)
    try:
        data, path = tempfile.mkstemp(prefix="okrsite-parse-")
    except OSError:
        return None
    os.unlink(path)
    return data


def _forked(files: list[tuple[str, str]]) -> ParseHelper | None:
    """A forked child parsing ``files``; it writes its results and exits with
    ``os._exit`` (it never flushes, frees or runs exit hooks of this process's)."""
    sys.stdout.flush()  # nothing buffered for the child to hold a copy of
    sys.stderr.flush()
    data = _scratch_file()
    if data is None:
        return None
    try:
        readable, writable = os.pipe()
    except OSError:
        os.close(data)
        return None
    try:
        pid = os.fork()
    except OSError:  # no process to be had: parse alone
        for fd in (readable, writable, data):
            os.close(fd)
        return None
    if pid == 0:  # the helper
        os.close(readable)
        code = 1
        try:
            send_batches(parsed_batches(files), data, writable)
            code = 0
        except BaseException:  # this process then parses those files itself
            pass
        os._exit(code)
    os.close(writable)
    return ParseHelper(pid, readable, None, data)


class _Batches:
    """The helper's batches as they come (see :func:`send_batches`): each
    length from the pipe ``notify``, then that many bytes of the file
    ``data``; all within ``timeout`` seconds of the first ask."""

    def __init__(self, notify: int, data: int, timeout: float) -> None:
        self.notify = notify
        self.data = data
        self.timeout = timeout
        self.deadline: float | None = None
        self.pending = b""  # read from the pipe, not yet used
        self.offset = 0  # of the next batch in ``data``

    def next(self) -> tuple[dict[ParseKey, bytes], bool] | None:
        """The next batch and whether it is the last; None when no whole
        batch came (end of file, time out, or not a batch)."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.timeout
        header = self._read_notice()
        if header is None:
            return None
        size = int.from_bytes(header, "big")
        try:
            body = os.pread(self.data, size, self.offset)
        except OSError:
            return None
        if len(body) != size:
            return None
        self.offset += size
        try:
            results, last = pickle.loads(body)
        except Exception:
            return None
        return results, bool(last)

    def _read_notice(self) -> bytes | None:
        """The next 8 bytes of the pipe, or None."""
        assert self.deadline is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.notify, selectors.EVENT_READ)
            while len(self.pending) < 8:
                left = self.deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    return None
                chunk = os.read(self.notify, 4096)
                if not chunk:
                    return None
                self.pending += chunk
        found, self.pending = self.pending[:8], self.pending[8:]
        return found


def send_batches(batches: Iterable[bytes], data: int, notify: int) -> None:
    """Write each batch to the file ``data`` as soon as it is made, then its
    length to the pipe ``notify``.

    The reader takes the first batch only when its load reaches the helper's
    files, long after the first are made. A file never makes its writer wait
    for the reader, and the pipe carries only 8 bytes a batch (it holds
    thousands); the batches themselves through a pipe (64 KB, less than
    one) would stop the parse until then, and a thread writing them there
    took turns with the parse for the interpreter lock at every batch (on a
    busy machine, a scheduling delay each). Raises OSError when a write fails."""
    for batch in batches:
        _write_all(data, batch)
        _write_all(notify, len(batch).to_bytes(8, "big"))


def _write_all(fd: int, blob: bytes) -> None:
    view = memoryview(blob)
    while view:
        view = view[os.write(fd, view) :]


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
        with contextlib.suppress(OSError):
            os.close(helper.data)
        return
    if not helper.delivered:
        with contextlib.suppress(OSError):
            os.kill(helper.pid, signal.SIGKILL)
    _, status = os.waitpid(helper.pid, 0)
    helper.returncode = os.waitstatus_to_exitcode(status)
    for fd in (helper.results, helper.data):
        with contextlib.suppress(OSError):
            os.close(fd)


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


def _helper_main(content_dir: str, start: str, data: str) -> None:
    """The helper as a new interpreter: parse unit files from ``start``,
    write the batches to the file descriptor ``data`` and their lengths to
    stdout (see :func:`send_batches`), and exit."""
    gc.set_threshold(*CHECK_GC_THRESHOLDS)
    files = unit_files(Path(content_dir))[int(start) :]
    send_batches(parsed_batches(files), int(data), sys.stdout.fileno())
    # Nothing to free one object at a time: the results are sent.
    os._exit(0)


if __name__ == "__main__":
    _helper_main(*sys.argv[1:4])
