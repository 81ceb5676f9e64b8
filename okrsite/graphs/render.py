"""DOT → inline-ready SVG for every page, with the real ``dot``: in
parallel, with a timeout per call, cached on disk and (for a preview server)
in a memo its owner passes in.

Two ways in: :func:`render_svgs` for a finished mapping of graphs, and
:class:`GraphDrawing` for a build that makes its graphs one by one and has
other work to do meanwhile: each graph is handed to ``dot`` as soon as it is
made (:meth:`GraphDrawing.submit`), ``dot`` runs in the background while the
caller goes on (more graphs, pages without graphs), and
:meth:`GraphDrawing.finish` collects the drawings. A cold build of a large
company spends seconds in ``dot``; this way they overlap the Python work
instead of following it.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable, Collection, Iterator, Mapping, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import cast

from okrsite.graphs.cache import DiskCache
from okrsite.graphs.graphviz import Graphviz, TextLayout
from okrsite.graphs.svg import inline_svg
from okrsite.graphs.worker import DotWorker, draw_graph
from okrsite.processes import Interpreters

log = logging.getLogger(__name__)

WORKER_FROM = 25
"""The drawing from which on ``dot`` runs in a worker process
(:mod:`okrsite.graphs.worker`): a site with a few graphs draws them here and
starts no interpreter."""

CACHE_FORMAT = "compact-2"
"""Changes whenever what the cache stores changes (now: compacted SVG from
its `<svg` element on, without comments and dot's titles)."""


def cache_key(source: str, version: str, text_layout: str = "builtin") -> str:
    """The digest a rendered SVG is stored under: the same DOT drawn by another
    Graphviz, or with text sized another way, is another drawing."""
    return hashlib.sha256(
        f"{version}\0{text_layout}\0{CACHE_FORMAT}\0{source}".encode()
    ).hexdigest()


def render_svgs(
    dots: Mapping[str, str],
    *,
    cache_dir: Path | None = None,
    jobs: int = 2,
    timeout: float = 30.0,
    graphviz: Graphviz | None = None,
    memo: MutableMapping[tuple[str, str], str] | None = None,
) -> dict[str, str]:
    """Render DOT → inline-ready SVG with the real ``dot``, in parallel, cached.

    ``dots`` maps a key (the embedding page's docs path) to DOT source: all
    the graphs a build needs, so that ``dot`` runs ``jobs`` at a time. Each
    distinct source is rendered at most once; with ``cache_dir`` dot's
    compacted SVG is stored there (see :mod:`okrsite.graphs.cache`) and
    reused across builds, so unchanged graphs start no ``dot`` process. With
    ``memo`` (a preview server's :class:`~okrsite.site.cache.BuildCache`)
    the inline-ready SVGs are also kept in memory for the next call, as the
    same string objects: (cache digest, page key) → SVG. ``graphviz`` is the
    ``dot`` to run (its own ``jobs``; default: a :class:`Graphviz` for
    ``dot`` on PATH with ``jobs``, closed before returning).
    Raises :class:`~okrsite.errors.BuildError` when dot is missing, fails or
    exceeds ``timeout`` seconds.
    """
    if not dots:
        return {}
    with GraphDrawing(
        cache_dir=cache_dir, jobs=jobs, timeout=timeout, graphviz=graphviz, memo=memo
    ) as drawing:
        for key, source in dots.items():
            drawing.submit(key, source)
        return drawing.finish()


class Drawn(Mapping[str, str]):
    """A :class:`GraphDrawing`'s graphs as a read-only mapping, page key →
    inline-ready SVG, whose look-up waits only for the graph asked for.

    Given to the producers of pages with graphs while ``dot`` is still
    drawing: the first pages go on as soon as their own graph is ready, and
    the drawings at the end of the queue overlap the pages made meanwhile
    (instead of every page waiting for the last drawing)."""

    def __init__(self, drawing: GraphDrawing) -> None:
        self._drawing = drawing

    def __getitem__(self, key: str) -> str:
        found = self._drawing.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._drawing.keys()))

    def __len__(self) -> int:
        return len(self._drawing.keys())


class GraphDrawing:
    """Graphs drawn in the background while their caller works on.

    Use it as a context manager: :meth:`submit` every graph (key → DOT),
    then :meth:`finish` for the inline-ready SVGs, exactly what
    :func:`render_svgs` returns for the same graphs (same arguments, same
    caches). ``dot`` is started only for graphs in neither the memo nor the
    disk cache, ``jobs`` at a time; the first failure is raised by
    :meth:`finish`, and leaving the block early (an error elsewhere) cancels
    the runs not yet started and waits for the running ones.

    ``finisher`` (say the site's sanitiser) is applied to every inline SVG
    in the pool threads, as each drawing is ready, and :meth:`finish`
    returns its results (the memo then holds them too: always pass the
    same finisher with one memo). A finisher that releases the GIL, as the
    Rust sanitiser does, runs beside the caller's Python work.

    From the ``worker_from``-th drawing on, ``dot``, the SVG clean-up and
    the finisher run in a worker process (:mod:`okrsite.graphs.worker`; the
    finisher must then pickle, as a module-level function does, else
    everything stays here): in this process they competed for the GIL with
    the caller and each ``dot`` took ~5× its own time. ``interpreters``: where
    the worker's interpreter may already be waiting (see
    :class:`~okrsite.processes.Interpreters`).
    """

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        jobs: int = 2,
        timeout: float = 30.0,
        graphviz: Graphviz | None = None,
        memo: MutableMapping[tuple[str, str], str] | None = None,
        finisher: Callable[[str], str] | None = None,
        worker_from: int = WORKER_FROM,
        interpreters: Interpreters | None = None,
    ) -> None:
        self._own = graphviz is None
        self._interpreters = interpreters
        self._worker_from = worker_from
        self._finisher = finisher
        self._finished: dict[str, tuple[str, str | Future[str]]] = {}
        """Page key → (digest, its finished SVG made in a pool thread, or the
        job finishing it from a cached drawing)."""
        self._dot = graphviz if graphviz is not None else Graphviz(jobs=jobs)
        self._cache = DiskCache(cache_dir) if cache_dir is not None else None
        self._timeout = timeout
        self._memo = memo
        self._version: str | None = None
        self._layout: TextLayout = self._dot.svg_text_layout
        self._prepared = False
        self._sources: dict[str, str] = {}
        """Page key → DOT, in submission order."""
        self._digests: dict[str, str] = {}
        self._done: dict[str, str] = {}
        """Page key → inline SVG found in the memo."""
        self._drawn: dict[str, str | Future[str]] = {}
        """Digest → compacted SVG from the disk cache, or the run drawing it."""
        self._pool: ThreadPoolExecutor | None = None
        self._drawings = 0
        self._dot_worker: DotWorker | None = None
        self._worker_failed = False
        self._given: dict[str, str] = {}
        """Page key → the inline SVG :meth:`get` handed out (kept, so that
        :meth:`finish` returns the very same objects)."""

    def __enter__(self) -> GraphDrawing:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close(failed=error is not None)

    def close(self, *, failed: bool = False) -> None:
        """Cancel what has not started, wait for running ``dot``, clean up
        (``failed``: the caller is leaving on an error, stop the worker now)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._dot_worker is not None:
            if failed:
                self._dot_worker.kill()
            else:
                self._dot_worker.close()
            self._dot_worker = None
        if self._own:
            self._dot.close()

    def submit(self, key: str, source: str) -> None:
        """Draw ``source`` for page ``key`` (a key submitted again replaces it)."""
        if self._version is None:
            self._version = self._dot.version(self._cache)
        self._sources[key] = source
        self._look_up(key)

    def _look_up(self, key: str) -> None:
        assert self._version is not None
        self._given.pop(key, None)
        digest = cache_key(self._sources[key], self._version, self._layout)
        self._digests[key] = digest
        self._done.pop(key, None)
        if self._memo is not None:
            found = self._memo.get((digest, key))
            if found is not None:
                self._done[key] = found
                return
        if digest in self._drawn:
            return
        cached = self._cache.read_svg(digest) if self._cache is not None else None
        if cached is not None:
            self._drawn[digest] = cached
            if self._finisher is not None:
                job = self._jobs().submit(self._finish, key, cached, self._sources[key])
                self._finished[key] = (digest, job)
            return
        if not self._prepared:
            # The private plugin directory is made on the first graph that
            # needs dot (a cached rebuild starts no process at all). If it
            # cannot be made, SVG is drawn another way: another cache key for
            # every graph, so look the ones already submitted up again.
            self._prepared = True
            layout = self._dot.prepare_svg()
            if layout != self._layout:
                self._layout = layout
                for other in list(self._sources):
                    self._look_up(other)
                return
        worker = self._worker()
        if worker is None:
            self._drawn[digest] = self._jobs().submit(self._draw, digest, key, self._sources[key])
            return
        drawn, finished = worker.draw(key, digest, self._sources[key])
        self._dot.count_run()
        self._drawn[digest] = drawn
        if self._finisher is not None:
            self._finished[key] = (digest, cast("Future[str]", finished))

    def _worker(self) -> DotWorker | None:
        """The worker process drawing from the :data:`WORKER_FROM`-th drawing
        on (None before, or if it cannot be started: then drawn here)."""
        self._drawings += 1
        if self._drawings < self._worker_from or self._worker_failed:
            return None
        if self._dot_worker is None:
            path, env = self._dot.svg_command()
            try:
                self._dot_worker = DotWorker(
                    path=path,
                    env=env,
                    jobs=self._dot.jobs,
                    timeout=self._timeout,
                    cache_dir=self._cache.directory if self._cache is not None else None,
                    finisher=self._finisher,
                    interpreters=self._interpreters,
                )
            except (OSError, pickle.PicklingError, AttributeError, TypeError):
                self._worker_failed = True  # a finisher that does not pickle, no interpreter
                return None
        return self._dot_worker

    def _jobs(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self._dot.jobs, thread_name_prefix="okrsite-dot"
            )
        return self._pool

    def _draw(self, digest: str, key: str, source: str) -> str:
        """Run dot for one graph, compact its SVG, keep it in the disk cache and
        finish it for ``key`` (in a pool thread: all of it overlaps the
        caller's work); what the worker process does for later drawings."""
        path, env = self._dot.svg_command()
        self._dot.count_run()
        text, finished, warnings = draw_graph(
            path, env, source, key, digest,
            timeout=self._timeout, cache=self._cache, finisher=self._finisher,
        )
        if warnings:
            log.warning("dot warnings for %s: %s", f"the graph of {key}", warnings[:500])
        if finished is not None:
            self._finished[key] = (digest, finished)
        return text

    def _finish(self, key: str, text: str, source: str) -> str:
        """The finished inline SVG of ``key`` from its compacted drawing."""
        svg = inline_svg(text, key=key, dot_source=source)
        return svg if self._finisher is None else self._finisher(svg)

    def keys(self) -> Collection[str]:
        """The page keys submitted so far."""
        return self._sources.keys()

    def drawn(self) -> Drawn:
        """Every graph submitted, looked up lazily (:class:`Drawn`)."""
        return Drawn(self)

    def get(self, key: str) -> str | None:
        """The inline-ready SVG of page ``key`` (what :meth:`finish` returns
        for it, the same object), waiting only for that drawing; None for a
        key never submitted. Pages made while ``dot`` still draws the others
        (see :class:`Drawn`) take their graph as soon as it is ready."""
        if key not in self._sources:
            return None
        found = self._given.get(key)
        if found is None:
            found = self._given[key] = self._result(key)
        return found

    def _result(self, key: str) -> str:
        found = self._done.get(key)
        if found is not None:
            return found
        digest = self._digests[key]
        drawn = self._drawn[digest]
        # Drawn first: the run finishes its own page's SVG before it returns.
        text = drawn if isinstance(drawn, str) else drawn.result()
        early = self._finished.get(key)
        if early is not None and early[0] == digest:
            made = early[1]
            return made if isinstance(made, str) else made.result()
        # A second page with the same drawing, or no finisher.
        return self._finish(key, text, self._sources[key])

    def finish(self) -> dict[str, str]:
        """Page key → inline-ready SVG for every graph submitted (sorted by
        key); waits for the drawings still running."""
        for drawn in self._drawn.values():  # the first failure, in submission order
            if not isinstance(drawn, str):
                drawn.result()
        done = {key: self.get(key) or "" for key in sorted(self._sources)}
        if self._memo is not None:
            if len(self._memo) > 4 * len(self._sources):
                self._memo.clear()  # forget graphs of pages that are gone
            self._memo.update(((self._digests[key], key), svg) for key, svg in done.items())
        return dict(sorted(done.items()))
