"""okrsite's own helper interpreters: ``python -m okrsite.<module>``.

The build starts new interpreters (never forks) for work that can run
beside it: the page helper (:mod:`okrsite.engine.pagehelper`), the graph
worker (:mod:`okrsite.graphs.worker`) and the file writer
(:mod:`okrsite.engine.filewriter`); a large cold build starts them before
its content loads (:class:`Interpreters`). Each talks to the build over its
standard streams, and must import okrsite (and Material) from where this
process found them, even when that is not on the default path.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys


def start_module(module: str) -> subprocess.Popen[bytes]:
    """``python -m module`` with this process's import path, its standard
    input, output and error piped to this process (``OSError`` when no
    interpreter can be started)."""
    path = os.pathsep.join(entry for entry in sys.path if entry)
    return subprocess.Popen(
        [sys.executable, "-m", module],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )


class Interpreters:
    """Helper interpreters started ahead of need, for one build.

    Starting one is mostly its imports: ~0.4 s of CPU for the graph worker,
    ~0.2 s for the page helper. Started when they are needed, that time falls
    in the busiest part of a large build, when both cores are taken (the graph
    worker's start delays every drawing after the 25th); started before the
    content loads, it runs on the core the load leaves idle. Each helper
    blocks on its standard input until the build sends its first message, so
    one started early just waits.

    An explicit object: the plugin makes one per build when it expects a large
    cold build and passes it to whoever starts a helper (:meth:`take`);
    :meth:`close` ends the ones nobody took. Without one, helpers start as
    they always did (:func:`start_module`)."""

    def __init__(self, modules: tuple[str, ...] = ()) -> None:
        self._waiting: dict[str, subprocess.Popen[bytes]] = {}
        for module in modules:
            # One that cannot start is tried again (and fails the same way) when taken.
            with contextlib.suppress(OSError):
                self._waiting[module] = start_module(module)

    def take(self, module: str) -> subprocess.Popen[bytes]:
        """The interpreter started for ``module``, or a new one (``OSError``
        when none can be started)."""
        process = self._waiting.pop(module, None)
        if process is not None and process.poll() is None:
            return process
        if process is not None:
            _end(process)
        return start_module(module)

    def waiting(self) -> tuple[str, ...]:
        """The modules whose interpreters were started and not taken yet."""
        return tuple(self._waiting)

    def close(self) -> None:
        """End every interpreter nobody took (it has done nothing but import)."""
        waiting, self._waiting = self._waiting, {}
        for process in waiting.values():
            _end(process)


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def started_by(interpreters: Interpreters | None, module: str) -> subprocess.Popen[bytes]:
    """``module``'s interpreter: from ``interpreters`` if given, else a new one."""
    return interpreters.take(module) if interpreters is not None else start_module(module)
