"""DOT → inline-ready SVG for every page, with the real ``dot``: in
parallel, with a timeout per call, cached on disk and (for a preview server)
in a memo its owner passes in."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from okrsite.graphs.cache import DiskCache
from okrsite.graphs.graphviz import Graphviz
from okrsite.graphs.svg import inline_svg
from okrsite.graphs.svgcompact import compact_svg

CACHE_FORMAT = "compact-1"
"""Changes whenever what the cache stores changes (now: compacted SVG)."""


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
    the graphs a build needs, so that ``dot`` runs ``jobs`` at a time (see
    :meth:`Graphviz.run_all`). Each distinct source is rendered at most once;
    with ``cache_dir`` dot's compacted SVG is stored there (see
    :mod:`okrsite.graphs.cache`) and reused across builds, so unchanged
    graphs start no ``dot`` process. With ``memo`` (a preview server's
    :class:`~okrsite.site.cache.BuildCache`) the inline-ready SVGs are also
    kept in memory for the next call, as the same string objects: (cache
    digest, page key) → SVG. ``graphviz`` is the ``dot`` to run (its own
    ``jobs``; default: a :class:`Graphviz` for ``dot`` on PATH with ``jobs``,
    closed before returning).
    Raises :class:`~okrsite.errors.BuildError` when dot is missing, fails or
    exceeds ``timeout`` seconds.
    """
    if not dots:
        return {}
    if graphviz is not None:
        return _render(dots, graphviz, cache_dir=cache_dir, timeout=timeout, memo=memo)
    with Graphviz(jobs=jobs) as dot:
        return _render(dots, dot, cache_dir=cache_dir, timeout=timeout, memo=memo)


def _render(
    dots: Mapping[str, str],
    dot: Graphviz,
    *,
    cache_dir: Path | None,
    timeout: float,
    memo: MutableMapping[tuple[str, str], str] | None,
) -> dict[str, str]:
    cache = DiskCache(cache_dir) if cache_dir is not None else None
    version = dot.version(cache)
    layout = dot.svg_text_layout
    while True:
        digests, done, raw, todo = _lookup(dots, version, layout, cache, memo)
        if not todo or dot.prepare_svg() == layout:
            break
        layout = dot.svg_text_layout  # the private plugin directory failed: other keys

    sources = {digest: dots[key] for digest, key in sorted(todo.items())}
    def what(digest: str) -> str:
        return f"the graph of {todo[digest]}"

    for digest, svg in dot.run_all(sources, "svg", timeout=timeout, what=what):
        text = compact_svg(svg.decode("utf-8", "replace"))
        if cache is not None:
            cache.write_svg(digest, text)
        raw[digest] = text
    for key in sorted(dots):
        if key not in done:
            done[key] = inline_svg(raw[digests[key]], key=key, dot_source=dots[key])
    if memo is not None:
        if len(memo) > 4 * len(dots):
            memo.clear()  # forget graphs of pages that are gone
        memo.update(((digests[key], key), svg) for key, svg in done.items())
    return dict(sorted(done.items()))


def _lookup(
    dots: Mapping[str, str],
    version: str,
    layout: str,
    cache: DiskCache | None,
    memo: MutableMapping[tuple[str, str], str] | None,
) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """What is already drawn: (page key → digest, page key → inline SVG from
    the memo, digest → cached SVG, digest → page key still to render)."""
    digests = {key: cache_key(source, version, layout) for key, source in dots.items()}
    done: dict[str, str] = {}
    if memo is not None:
        for key, digest in digests.items():
            found = memo.get((digest, key))
            if found is not None:
                done[key] = found
    raw: dict[str, str] = {}
    todo: dict[str, str] = {}
    for key in sorted(dots):
        digest = digests[key]
        if key in done or digest in raw or digest in todo:
            continue
        cached = cache.read_svg(digest) if cache is not None else None
        if cached is not None:
            raw[digest] = cached
        else:
            todo[digest] = key
    return digests, done, raw, todo

