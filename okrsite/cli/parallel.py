"""Two cores for one load: a helper process parses part of the unit files.

Parsing is the largest part of ``okrsite check`` at company scale. With at
least two usable cores and enough unit files, :func:`parse_with_helper`
starts ``python -m okrsite.cli.parallel CONTENT_DIR START`` (a new process,
never a fork), which parses the unit files from position ``START`` of the
same sorted list with the same parser, writes the results to its stdout as
one pickle and exits: each clean result as the parse cache's pickled entry
(``store.pickled_entry``), which the load unpickles as it would a cache
entry; a file with issues is left to the load. This process meanwhile
parses the files before ``START`` (the load walks them first) and takes the
helper's results from its :class:`~okrsite.source.LoadCache` when the walk
reaches the others (see ``LoadCache.parse_elsewhere``).

Results are keyed by display path, parser and the sha256 of the bytes the
helper read, so the load uses one only for the very bytes it read itself;
anything the helper did not deliver (it failed, a file changed, a folder is
odd) is simply parsed here. Only the CLI starts processes (the library never
does); the pickles travel between our own two processes over pipes.

The parse cache is written by this process, after a load that succeeded, as
without a helper: the helper's results are already the entries it stores
(``LoadCache`` keeps them for its store). The helper used to write it, after
parsing this process's half again to make their entries: half a second of
CPU at 1,000 units, on the core that the rules' fork (``cli/rulesplit.py``)
wants for itself meanwhile, against ~0.05 s for this process to pickle its
own half.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import selectors
import stat
import subprocess
import sys
import time
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
parse), and a busy machine gives the helper less of a core: half each
finished closest together in timelines of 1,000-unit checks."""


class ParseHelper:
    """The helper process, and whether its results were read."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.delivered = False
        """Whether its results were read whole (it then exits by itself)."""


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

    Returns the helper (always hand it to :func:`finish`) or None when the
    load is better done alone: one core, few files, or a parse cache that
    already holds most of them.
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
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:  # no interpreter to start: parse alone
        return None
    helper = ParseHelper(process)

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
    """Everything until end of file on ``fd``, or None after ``timeout`` seconds."""
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


def finish(helper: ParseHelper | None) -> None:
    """Never leave a helper behind: one that delivered is exiting (it is
    reaped); one that did not (the load failed before it needed the results,
    or they never came) is stopped."""
    if helper is None:
        return
    process = helper.process
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


def _helper_main(content_dir: str, start: str) -> None:
    """The helper: parse unit files from ``start``, pickle the results to
    stdout, and exit."""
    gc.set_threshold(*CHECK_GC_THRESHOLDS)
    scalars = PlainScalars()
    files = unit_files(Path(content_dir))
    # Results go as pickled store entries: the load keeps the same bytes for
    # the parse cache. A file with issues is not sent (the load parses it
    # again, and reports them).
    results: dict[ParseKey, bytes] = {}
    for path, display in files[int(start) :]:
        raw = _read_regular(path)
        if raw is not None:
            blob = pickled_entry(parse_unit_file(raw, display, scalars=scalars))
            if blob is not None:
                results[parse_key(parse_unit_file, raw, display)] = blob
    sys.stdout.buffer.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    # Nothing to free one object at a time: the results are sent.
    os._exit(0)


if __name__ == "__main__":
    _helper_main(*sys.argv[1:3])
