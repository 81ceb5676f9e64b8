"""Two cores for one load: a helper process parses part of the unit files.

Parsing is the largest part of ``okrsite check`` at company scale. With at
least two usable cores and enough unit files, :func:`parse_with_helper`
starts ``python -m okrsite.cli.parallel CONTENT_DIR START [STORE_DIR]`` (a
new process, never a fork), which parses the unit files from position
``START`` of the same sorted list with the same parser and writes the
results to its stdout as one pickle: each clean result as the parse cache's
pickled entry (``store.pickled_entry``), which the load unpickles as it
would a cache entry, and which the helper also stores (pickled once); a
file with issues is left to the load. This process meanwhile parses the files
before ``START`` (the load walks them first) and takes the helper's results
from its :class:`~okrsite.source.LoadCache` when the walk reaches the others
(see ``LoadCache.parse_elsewhere``).

Results are keyed by display path, parser and the sha256 of the bytes the
helper read, so the load uses one only for the very bytes it read itself;
anything the helper did not deliver (it failed, a file changed, a folder is
odd) is simply parsed here. Only the CLI starts processes (the library never
does); the pickles travel between our own two processes over pipes.

The parse cache (``STORE_DIR``) is written by the helper too, while this
process runs the rules. Once its results are sent, the helper parses this
process's files as well (meanwhile this process takes its results and
validates), so that after a load that succeeded :func:`save_with_helper`
only has to say so: this process pickles nothing for the cache. A load that
failed sends nothing: the helper sees its stdin close and exits without
writing (a check of invalid content writes nothing).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import selectors
import stat
import subprocess
import sys
import time
from pathlib import Path

from okrsite.cli import CHECK_GC_THRESHOLDS
from okrsite.source import UNIT_SUFFIXES, LoadCache, ParseStore
from okrsite.source.cache import ParseKey, parse_key, store_name
from okrsite.source.loaded import MAX_FILE_BYTES, REQUIRED_FILES
from okrsite.source.parse import parse_unit_file, parse_yaml
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
parse), and a busy machine gives the helper less of a core: half each
finished closest together in timelines of 1,000-unit checks."""
SAVE = b"save\n"
"""What this process sends the helper before its unsaved parse-cache entries."""


class ParseHelper:
    """The helper process, and how far the exchange with it has come."""

    def __init__(self, process: subprocess.Popen[bytes], stores: bool) -> None:
        self.process = process
        self.stores = stores
        """Whether it was given the parse cache's directory."""
        self.delivered = False
        """Whether its results were read whole (it then waits for an order)."""
        self.saving = False
        """Whether it was told to write the parse cache (then it is waited for)."""


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


def parse_with_helper(content_dir: Path, cache: LoadCache) -> ParseHelper | None:
    """Start a helper parsing the later unit files into ``cache``, if it pays.

    Returns the helper (hand it to :func:`save_with_helper` after a load
    that succeeded, and always to :func:`finish`) or None when the load is
    better done alone: one core, few files, or a parse cache that already
    holds most of them.
    """
    if usable_cores() < 2:
        return None
    files = unit_files(content_dir)
    if len(files) < MIN_FILES:
        return None
    if cache.store is not None and cache.store.stored([d for _, d in files]) >= len(files) // 2:
        return None  # a warm parse cache: reading it is faster than a helper
    start = len(files) - int(len(files) * HELPER_SHARE)
    command = [sys.executable, "-m", "okrsite.cli.parallel", str(content_dir), str(start)]
    if cache.store is not None:
        command.append(str(cache.store.directory))
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:  # no interpreter to start: parse alone
        return None
    helper = ParseHelper(process, stores=cache.store is not None)

    def fetch() -> dict[ParseKey, bytes]:
        assert process.stdout is not None
        output = _read_to_end(process.stdout.fileno(), HELPER_TIMEOUT)
        if output is None:
            finish(helper)
            return {}
        try:
            results: dict[ParseKey, bytes] = pickle.loads(output)
        except Exception:  # a helper that died half-way: parse everything here
            return {}
        helper.delivered = True
        return results

    cache.parse_elsewhere([display for _, display in files[start:]], fetch)
    return helper


def _read_to_end(fd: int, timeout: float) -> bytes | None:
    """Everything until end of file on ``fd``, or None after ``timeout`` seconds.

    (``Popen.communicate`` would close the helper's stdin, which must stay
    open for the order that may follow.)
    """
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def save_with_helper(helper: ParseHelper | None) -> bool:
    """After a load that succeeded: the helper writes the parse cache (every
    unit file's entry, which it parsed itself) while this process goes on.
    False when it cannot (none, no cache directory given, its results never
    read, or it is gone): the caller then flushes its own store."""
    if helper is None or not helper.stores or not helper.delivered:
        return False
    stdin = helper.process.stdin
    if stdin is None or helper.process.poll() is not None:
        return False
    try:
        stdin.write(SAVE)
        stdin.close()
    except OSError:  # the helper is gone: write them here after all
        return False
    helper.saving = True
    return True


def finish(helper: ParseHelper | None) -> None:
    """Never leave a helper behind. Without an order (its stdin closes here)
    it exits without writing; one that is writing the parse cache (it started
    while the rules ran) is waited for; one that never delivered is stopped."""
    if helper is None:
        return
    process = helper.process
    if process.stdin is not None and not process.stdin.closed:
        with contextlib.suppress(OSError):
            process.stdin.close()
    if helper.delivered:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=HELPER_TIMEOUT)
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


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


def _helper_main(content_dir: str, start: str, store_dir: str | None = None) -> None:
    """The helper: parse unit files from ``start``, pickle the results to
    stdout; then, with a ``store_dir``, parse the files before ``start`` too
    and, if told so on stdin, write every unit file's entry there."""
    gc.set_threshold(*CHECK_GC_THRESHOLDS)
    scalars = PlainScalars()
    store = ParseStore(Path(store_dir)) if store_dir else None
    files = unit_files(Path(content_dir))
    # Results go as pickled store entries: the same bytes then go to the
    # parse cache, pickled once. A file with issues is not sent (the load
    # parses it again, and reports them).
    results: dict[ParseKey, bytes] = {}
    for path, display in files[int(start) :]:
        raw = _read_regular(path)
        if raw is not None:
            blob = pickled_entry(parse_unit_file(raw, display, scalars=scalars))
            if blob is not None:
                results[parse_key(parse_unit_file, raw, display)] = blob
                if store is not None:
                    store.save_pickled(store_name(parse_unit_file, display), raw, blob, display)
    # Closing stdout itself (sys.stdout never closes its file descriptor)
    # ends the results: the load goes on while this process waits for an order.
    with os.fdopen(sys.stdout.fileno(), "wb") as out:
        out.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    if store is None:
        return
    # What is left here only fills the parse cache: it gives way to the
    # check's own work (rulesplit.worth_forking counts on it).
    with contextlib.suppress(OSError):
        os.nice(19)
    # While the load takes the results and validates: the other files' entries
    # (bytes read here; an entry is named by the bytes it was parsed from), and
    # every entry pickled, so that after the order only writing is left.
    walk = Walk(Path(content_dir))
    top = [(os.path.join(content_dir, n), walk.display(n), parse_yaml) for n in REQUIRED_FILES]
    earlier = [(path, display, parse_unit_file) for path, display in files[: int(start)]]
    order: bytes | None = None  # end of file without an order: the load failed
    for path, display, parse in [*top, *earlier]:
        if order is None and _has_input(sys.stdin.fileno()):
            order = sys.stdin.buffer.read()
            if not order.startswith(SAVE):
                return  # the load failed: stop now, the check is waiting to exit
        raw = _read_regular(path)
        if raw is not None:
            result = parse(raw, display, scalars=scalars)
            store.save(store_name(parse, display), raw, result, display)
    store.prepare()
    if order is None:
        order = sys.stdin.buffer.read()
    if order.startswith(SAVE):
        store.flush()


def _has_input(fd: int) -> bool:
    """Whether reading ``fd`` would not block (data, or its end)."""
    try:
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):  # pragma: no cover - a platform without select on pipes
        return False


if __name__ == "__main__":
    _helper_main(*sys.argv[1:4])
