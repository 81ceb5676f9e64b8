"""Two cores for one load: a helper process parses part of the unit files.

Parsing is the largest part of ``okrsite check`` at company scale. With at
least two usable cores and enough unit files, :func:`parse_with_helper`
starts ``python -m okrsite.cli.parallel CONTENT_DIR START`` (a new process,
never a fork), which parses the unit files from position ``START`` of the
same sorted list with the same parser and writes the results to its stdout
as one pickle. This process meanwhile parses the files before ``START``
(the load walks them first) and takes the helper's results from its
:class:`~okrsite.source.LoadCache` when the walk reaches the others (see
``LoadCache.parse_elsewhere``).

Results are keyed by display path, parser and the sha256 of the bytes the
helper read, so the load uses one only for the very bytes it read itself;
anything the helper did not deliver (it failed, a file changed, a folder is
odd) is simply parsed here. Only the CLI starts processes (the library never
does); the pickle comes from our own child over a pipe.
"""

from __future__ import annotations

import gc
import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

from okrsite.source import UNIT_SUFFIXES, LoadCache
from okrsite.source.cache import ParseKey, parse_key
from okrsite.source.loaded import MAX_FILE_BYTES, ParseResult
from okrsite.source.parse import parse_unit_file
from okrsite.source.walk import Walk
from okrsite.source.yaml_scalars import PlainScalars

MIN_FILES = 200
"""Fewer unit files parse faster than a helper process starts."""
HELPER_TIMEOUT = 120.0
"""Seconds to wait for the helper's results before parsing its files here."""
HELPER_SHARE = 0.5
"""The helper's part of the files: this process also unpickles its results."""


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


def parse_with_helper(content_dir: Path, cache: LoadCache) -> subprocess.Popen[bytes] | None:
    """Start a helper parsing the later unit files into ``cache``, if it pays.

    Returns the helper process (the caller waits for it after the load) or
    None when the load is better done alone: one core, few files, or a parse
    cache that already holds most of them.
    """
    if usable_cores() < 2:
        return None
    files = unit_files(content_dir)
    if len(files) < MIN_FILES:
        return None
    if _stored_entries(cache) >= len(files) // 2:
        return None  # a warm parse cache: reading it is faster than a helper
    start = len(files) - int(len(files) * HELPER_SHARE)
    try:
        helper = subprocess.Popen(
            [sys.executable, "-m", "okrsite.cli.parallel", str(content_dir), str(start)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:  # no interpreter to start: parse alone
        return None

    def fetch() -> dict[ParseKey, ParseResult]:
        try:
            output, _ = helper.communicate(timeout=HELPER_TIMEOUT)
        except subprocess.TimeoutExpired:
            finish(helper)
            return {}
        if helper.returncode != 0:
            return {}
        try:
            results: dict[ParseKey, ParseResult] = pickle.loads(output)
        except Exception:  # a helper that died half-way: parse everything here
            return {}
        return results

    cache.parse_elsewhere([display for _, display in files[start:]], fetch)
    return helper


def _stored_entries(cache: LoadCache) -> int:
    """How many entries the cache's parse store holds (0 without one)."""
    if cache.store is None:
        return 0
    try:
        with os.scandir(cache.store.directory) as entries:
            return sum(1 for _ in entries)
    except OSError:
        return 0


def finish(helper: subprocess.Popen[bytes] | None) -> None:
    """Wait for a helper whose results the load did not need (never leave one)."""
    if helper is not None and helper.poll() is None:
        helper.kill()
        helper.communicate()


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
    """The helper: parse unit files from ``start``, pickle the results to stdout."""
    gc.set_threshold(50_000, 20, 10)  # see okrsite.cli.GC_THRESHOLDS
    scalars = PlainScalars()
    results: dict[ParseKey, ParseResult] = {}
    for path, display in unit_files(Path(content_dir))[int(start) :]:
        raw = _read_regular(path)
        if raw is not None:
            result = parse_unit_file(raw, display, scalars=scalars)
            results[parse_key(parse_unit_file, raw, display)] = result
    sys.stdout.buffer.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _helper_main(*sys.argv[1:3])
