"""``dot`` run by a worker process, so drawing keeps pace with a busy build.

A build's main thread makes pages (pure Python, holding the GIL) while
:class:`~okrsite.graphs.render.GraphDrawing` draws graphs. Run from that
process, each ``dot`` costs ~5 ms of its own CPU but ~25 ms of wall: the
thread waiting on it needs the GIL back several times (after starting the
process, for each chunk of output, to reap it) and waits up to the
interpreter's switch interval each time, and the SVG clean-up after it
(compaction, ids, the sanitiser's input) holds the GIL too. At company scale
(a thousand graphs) pages ended up waiting for drawings.

:class:`DotWorker` moves all of it to ``python -m okrsite.graphs.worker`` (a
new interpreter, never a fork): the build sends each graph's DOT and gets
back the compacted drawing (written to the disk cache by the worker) and the
page's finished SVG, made by :func:`draw_graph`, the very function the
in-process path runs, so the bytes are the same. One reader thread in the
build process takes the replies; ``dot``'s warnings come back with them and
are logged by the build, and a failure comes back as the same
:class:`~okrsite.errors.BuildError` text. Requests and replies are pickles
on the worker's stdin and stdout.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from okrsite.errors import BuildError
from okrsite.graphs.cache import DiskCache
from okrsite.graphs.graphviz import run_process
from okrsite.graphs.svg import inline_svg
from okrsite.graphs.svgcompact import compact_svg
from okrsite.processes import Interpreters, started_by

log = logging.getLogger(__name__)

MODULE = "okrsite.graphs.worker"
"""This module's name, also when it runs as ``__main__`` (the helper)."""

Finisher = Callable[[str], str]


def draw_graph(
    path: str,
    env: dict[str, str] | None,
    source: str,
    key: str,
    digest: str,
    *,
    timeout: float,
    cache: DiskCache | None,
    finisher: Finisher | None,
) -> tuple[str, str | None, str]:
    """Draw one graph: (compacted SVG, as the disk cache keeps it; the page's
    finished inline SVG, None without a finisher; dot's warnings)."""
    svg, warnings = run_process(
        path, source, "svg", env=env, timeout=timeout, what=f"the graph of {key}"
    )
    text = compact_svg(svg.decode("utf-8", "replace"))
    if cache is not None:
        cache.write_svg(digest, text)
    finished = None
    if finisher is not None:
        finished = finisher(inline_svg(text, key=key, dot_source=source))
    return text, finished, warnings


class DotWorker:
    """The worker process of one :class:`~okrsite.graphs.render.GraphDrawing`."""

    def __init__(
        self,
        *,
        path: str,
        env: dict[str, str] | None,
        jobs: int,
        timeout: float,
        cache_dir: Path | None,
        finisher: Finisher | None,
        interpreters: Interpreters | None = None,
    ) -> None:
        setup = pickle.dumps(
            (path, env, jobs, timeout, cache_dir, finisher), protocol=pickle.HIGHEST_PROTOCOL
        )  # first: a finisher that does not pickle raises here, before any process
        self._process = started_by(interpreters, MODULE)
        self._lock = threading.Lock()
        self._pending: dict[int, tuple[str, Future[str], Future[str | None]]] = {}
        self._next = 0
        self._failed: str | None = None
        # Requests go out through a sender thread: a write to a full pipe (the
        # worker busy) must not stop the build.
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._outbox.put(setup)
        self._sender = threading.Thread(
            target=self._send_all, name="okrsite-dot-requests", daemon=True
        )
        self._sender.start()
        self._reader = threading.Thread(target=self._read, name="okrsite-dot-replies", daemon=True)
        self._reader.start()

    def draw(self, key: str, digest: str, source: str) -> tuple[Future[str], Future[str | None]]:
        """Have the worker draw ``source`` for page ``key``: futures of the
        compacted drawing and of the finished SVG (see :func:`draw_graph`)."""
        drawn: Future[str] = Future()
        finished: Future[str | None] = Future()
        with self._lock:
            number = self._next
            self._next += 1
            failed = self._failed
            if failed is None:
                self._pending[number] = (key, drawn, finished)
        if failed is not None:
            self._fail_one(drawn, finished, failed)
            return drawn, finished
        self._outbox.put(
            pickle.dumps(("draw", number, key, digest, source), pickle.HIGHEST_PROTOCOL)
        )
        return drawn, finished

    def _send_all(self) -> None:
        """The sender thread: write each request, then close the worker's input
        (it ends once its drawings are done). A worker that is gone: the reader
        fails every pending drawing."""
        stream = self._process.stdin
        assert stream is not None
        with contextlib.suppress(OSError, ValueError):
            while (data := self._outbox.get()) is not None:
                stream.write(data)
                stream.flush()
        with contextlib.suppress(OSError, ValueError):
            stream.close()

    def _read(self) -> None:
        """The reader thread: resolve each drawing as its reply comes."""
        assert self._process.stdout is not None
        stream = self._process.stdout
        while True:
            try:
                number, ok, payload = pickle.load(stream)
            except Exception:
                break
            with self._lock:
                key, drawn, finished = self._pending.pop(number)
            if ok:
                text, svg, warnings = payload
                if warnings:
                    log.warning("dot warnings for %s: %s", f"the graph of {key}", warnings[:500])
                drawn.set_result(text)
                finished.set_result(svg)
            else:
                self._fail_one(drawn, finished, payload)
        self._end()

    def _end(self) -> None:
        """The worker is gone: every drawing still pending fails."""
        with contextlib.suppress(Exception):
            self._process.wait(timeout=5)
        detail = ""
        if self._process.stderr is not None:
            with contextlib.suppress(Exception):
                lines = self._process.stderr.read().decode("utf-8", "replace").splitlines()
                detail = f": {lines[-1]}" if lines else ""
        message = f"the graph worker process stopped (exit {self._process.returncode}){detail}"
        with self._lock:
            self._failed = message
            pending = list(self._pending.values())
            self._pending.clear()
        for _, drawn, finished in pending:
            self._fail_one(drawn, finished, message)

    @staticmethod
    def _fail_one(drawn: Future[str], finished: Future[str | None], message: str) -> None:
        if not drawn.done():
            drawn.set_exception(BuildError(message))
        if not finished.done():
            finished.set_exception(BuildError(message))

    def close(self) -> None:
        """End the worker: drawings asked for are finished first (closing the
        block early, after an error elsewhere, kills it instead)."""
        self._outbox.put(None)
        self._sender.join()
        self._reader.join()

    def kill(self) -> None:
        """End the worker now (drawings still pending fail)."""
        if self._process.poll() is None:
            self._process.kill()  # first: a write blocked on a full pipe then fails
        self.close()


def _serve() -> None:
    """The worker: draw each request with ``jobs`` threads, reply as each is done."""
    source, out = sys.stdin.buffer, sys.stdout.buffer
    path, env, jobs, timeout, cache_dir, finisher = pickle.load(source)
    cache = DiskCache(cache_dir) if cache_dir is not None else None
    replies = threading.Lock()

    def reply(message: tuple[Any, ...]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with replies:
            out.write(data)
            out.flush()

    def job(number: int, key: str, digest: str, dot_source: str) -> None:
        try:
            made = draw_graph(
                path,
                env,
                dot_source,
                key,
                digest,
                timeout=timeout,
                cache=cache,
                finisher=finisher,
            )
        except BuildError as err:
            reply((number, False, str(err)))
        except Exception as err:  # our bug: the build names it instead of hanging
            reply((number, False, f"drawing the graph of {key} failed: {err!r}"))
        else:
            reply((number, True, made))

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="okrsite-dot") as pool:
        while True:
            try:
                message = pickle.load(source)
            except EOFError:
                break
            _, number, key, digest, dot_source = message
            pool.submit(job, number, key, digest, dot_source)


if __name__ == "__main__":
    _serve()
