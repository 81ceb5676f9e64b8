"""DOT → inline-ready SVG for every page, with the real ``dot``: in
parallel, with a timeout per call, cached on disk and (for a preview server)
in a memo its owner passes in."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from okrsite.graphs.cache import DiskCache
from okrsite.graphs.graphviz import Graphviz
from okrsite.graphs.svg import inline_svg
from okrsite.graphs.svgcompact import compact_svg

CACHE_FORMAT = "compact-1"
"""Changes whenever what the cache stores changes (now: compacted SVG)."""


def cache_key(source: str, version: str) -> str:
    return hashlib.sha256(f"{version}\0{CACHE_FORMAT}\0{source}".encode()).hexdigest()


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

    ``dots`` maps a key (the embedding page's docs path) to DOT source. Each
    distinct source is rendered at most once; with ``cache_dir`` dot's
    compacted SVG is stored there (see :mod:`okrsite.graphs.cache`) and
    reused across builds, so unchanged graphs start no ``dot`` process. With
    ``memo`` (a preview server's :class:`~okrsite.site.cache.BuildCache`) the
    inline-ready SVGs are also kept in memory for the next call, as the same
    string objects: (cache digest, page key) → SVG. ``graphviz`` is the
    ``dot`` to run (default: ``dot`` on PATH).
    Raises :class:`~okrsite.errors.BuildError` when dot is missing, fails or
    exceeds ``timeout`` seconds.
    """
    if not dots:
        return {}
    dot = graphviz or Graphviz()
    cache = DiskCache(cache_dir) if cache_dir is not None else None
    version = dot.version(cache)
    digests = {key: cache_key(source, version) for key, source in dots.items()}
    done: dict[str, str] = {}
    if memo is not None:
        for key, digest in digests.items():
            found = memo.get((digest, key))
            if found is not None:
                done[key] = found
    raw: dict[str, str] = {}
    todo: dict[str, tuple[str, str]] = {}
    for key in sorted(dots):
        digest = digests[key]
        if key in done or digest in raw or digest in todo:
            continue
        cached = cache.read_svg(digest) if cache is not None else None
        if cached is not None:
            raw[digest] = cached
        else:
            todo[digest] = (key, dots[key])

    def work(item: tuple[str, tuple[str, str]]) -> tuple[str, str]:
        digest, (key, source) = item
        svg = dot.run(source, "svg", timeout=timeout, what=f"the graph of {key}")
        text = compact_svg(svg.decode("utf-8", "replace"))
        if cache is not None:
            cache.write_svg(digest, text)
        return digest, text

    items = sorted(todo.items())
    if jobs <= 1 or len(items) <= 1:
        results = [work(item) for item in items]
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="okrsite-dot") as pool:
            futures = [pool.submit(work, item) for item in items]
            try:
                results = [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    raw.update(results)
    for key in sorted(dots):
        if key not in done:
            done[key] = inline_svg(raw[digests[key]], key=key, dot_source=dots[key])
    if memo is not None:
        if len(memo) > 4 * len(dots):
            memo.clear()  # forget graphs of pages that are gone
        memo.update(((digests[key], key), svg) for key, svg in done.items())
    return dict(sorted(done.items()))
