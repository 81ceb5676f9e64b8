"""``build_docs_tree``: model → docs tree, the site's one pipeline.

Redact for the audience, draw the graphs, run every page producer, then lay
out the navigation from the paths produced. Pure apart from running ``dot``
(through :mod:`okrsite.graphs`, cached on disk): it writes no files.

Closed cycles: with a :class:`~okrsite.site.cache.ClosedCycles` store, a
cycle that ended before today and is not the current one has its unit pages
and overview (the bulk of a site with history) taken from the store when
nothing they depend on changed, instead of generated again. What those
pages embed from outside the cycle's files is summed up in a *context*
string (:func:`closed_cycle_context`); the store adds the digest of the
input files. The cycle's rows of ``okrs.json`` and ``okrs.csv`` are kept the
same way (the exports are made of per-cycle parts). Pages that span cycles
(home, directory, profiles) and the quality pages (they print today's date)
are always generated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace

from okrsite import graphs
from okrsite.graphs.labels import LabelText
from okrsite.graphs.lookups import CycleLookups
from okrsite.model import OkrModel, load_cycle_checkins
from okrsite.processes import Interpreters
from okrsite.render import exports, sanitize
from okrsite.site.cache import BuildCache, ClosedCycle, ClosedCycles
from okrsite.site.context import Producer, SiteContext
from okrsite.site.findings import closed_cycle_findings, closed_cycles
from okrsite.site.navigation import build_nav
from okrsite.site.options import SiteOptions
from okrsite.site.pages import (
    assets,
    data,
    directory,
    format_reference,
    home,
    overview,
    quality,
    unit,
)
from okrsite.site.redaction import site_model
from okrsite.site.tree import DocsTree, FileContent, GeneratedFile

# Order matters only for readability of the tree; paths must not collide.
PRODUCERS: list[Producer] = [
    assets.produce,
    home.produce,
    directory.produce,
    overview.produce,
    unit.produce,
    quality.produce,  # <cycle>/quality.md and rules.md
    data.produce,  # okrs.json, okrs.csv, feed.xml, export/okrs.schema.json
    format_reference.produce,  # format.md: every field of the content format
]

GRAPH_PRODUCERS: tuple[Producer, ...] = (overview.produce, unit.produce)
"""The producers whose pages embed graphs (``SiteContext.graph_svgs``); the
others run while ``dot`` draws."""

_GRAPH_ORDER: tuple[Producer, ...] = (unit.produce, overview.produce)
"""The order the graph producers run in while ``dot`` still draws: unit pages
first, the overview (with the department graphs, drawn last) after them."""

CYCLE_PRODUCERS: tuple[Producer, ...] = (overview.produce, unit.produce)
"""The producers whose pages of a closed cycle may come from a
:class:`~okrsite.site.cache.ClosedCycles` store; they skip the cycles in
``SiteContext.reused_cycles``, and everything they write for a cycle is
under ``<cycle id>/``."""


def build_docs_tree(
    model: OkrModel,
    options: SiteOptions,
    cache: BuildCache | None = None,
    closed: ClosedCycles | None = None,
    interpreters: Interpreters | None = None,
) -> DocsTree:
    """Everything the site needs, as docs path → content, plus the nav.

    ``cache`` is the preview server's :class:`~okrsite.site.cache.BuildCache`
    (fragments reused from its previous rebuild); ``closed`` a store of
    closed cycles' pages (the page cache of ``okrsite build``). One-shot
    builds pass neither; the tree is the same either way. ``interpreters``:
    where the graph worker's interpreter may already be waiting
    (:class:`~okrsite.processes.Interpreters`)."""
    public_model = site_model(model, options, closed, None if cache is None else cache.redacted)
    if cache is not None:
        cache.begin(public_model)
    context = SiteContext(
        model=public_model,
        options=options,
        today=options.resolved_today(),
        cache=cache,
        stored=closed,
    )
    if cache is not None:
        context.progress = cache.progress
    reused: dict[str, ClosedCycle] = {}
    keys: dict[str, str] = {}
    if closed is not None:
        for cycle_id in closed_cycles(context):
            keys[cycle_id] = closed_cycle_context(context, cycle_id)
            store_key = closed.key(cycle_id, keys[cycle_id])
            if store_key is not None:
                context.closed_keys[cycle_id] = store_key
            found = closed.get(cycle_id, keys[cycle_id])
            if found is not None:
                reused[cycle_id] = found
        context.reused_cycles = frozenset(reused)
    for cycle_id, cycle in public_model.cycles.items():
        if cycle_id not in reused:  # its pages and exports are made: they read check-ins
            load_cycle_checkins(cycle)
    for cycle_id in keys:  # closed cycles' parts of the exports
        stored = reused.get(cycle_id)
        parts = stored.exports if stored is not None else _export_parts(context, cycle_id)
        for name, part in parts.items():
            context.export_parts.setdefault(name, {})[cycle_id] = part
    produced: dict[Producer, list[GeneratedFile]] = {}
    fresh: dict[str, dict[str, FileContent]] = {
        cycle_id: {} for cycle_id in keys if cycle_id not in reused
    }
    collected: dict[Producer, dict[str, dict[str, FileContent]]] = {}
    if options.graphs:
        skip = context.reused_cycles
        memo = (
            None
            if cache is None
            else cache.graph_dots.memo(public_model, cache.shared, cache.alignment.index)
        )
        with graphs.GraphDrawing(
            cache_dir=options.graph_cache_dir,
            jobs=options.graph_jobs,
            timeout=options.graph_timeout,
            memo=None if cache is None else cache.graph_svgs,
            # Sanitised in dot's pool threads (the sanitiser releases the GIL).
            finisher=sanitize.clean,
            interpreters=interpreters,
        ) as drawing:
            # Each graph goes to dot as soon as it is made, and the pages
            # that show none are made while dot draws (graphs.render).
            text = LabelText()  # escaped titles, shared by every graph of the build
            lookups = {  # built once for both kinds of graph (a preview keeps them)
                cycle_id: CycleLookups.build(
                    public_model, cycle, text, context.cycle_index(cycle), context.progress
                )
                if cache is None
                else cache.alignment.lookups(
                    public_model, cycle, cache.shared, text, context.progress
                )
                for cycle_id, cycle in public_model.cycles.items()
                if cycle_id not in skip
            }
            for made in (
                graphs.iter_page_graphs(
                    public_model, skip_cycles=skip, memo=memo, cycle_lookups=lookups
                ),
                graphs.iter_department_graphs(
                    public_model, skip_cycles=skip, memo=memo, cycle_lookups=lookups
                ),
            ):
                for key, source in made:
                    drawing.submit(key, source)
            for producer in PRODUCERS:
                if producer not in GRAPH_PRODUCERS:
                    produced[producer] = list(producer(context))
            # The pages with graphs next, each waiting only for its own graph
            # (dot draws in submission order: unit pages' graphs before the
            # departments' the overview shows), so the last drawings overlap
            # the pages made meanwhile instead of everything waiting for them.
            context.graph_svgs = drawing.drawn()
            for producer in sorted(GRAPH_PRODUCERS, key=_GRAPH_ORDER.index):
                pages = producer(context)
                if producer in CYCLE_PRODUCERS and fresh:
                    collected[producer] = {cycle_id: {} for cycle_id in fresh}
                    pages = _collect(pages, collected[producer])
                produced[producer] = list(pages)
            context.graph_svgs = drawing.finish()
    for producer in PRODUCERS:  # the store's files in the producers' order, as without graphs
        for cycle_id, files in collected.get(producer, {}).items():
            fresh[cycle_id].update(files)
    tree = DocsTree()
    for producer in PRODUCERS:
        if producer in produced:
            tree.add(produced[producer])
        elif producer in CYCLE_PRODUCERS and fresh:
            tree.add(_collect(producer(context), fresh))
        else:
            tree.add(producer(context))
    for stored in reused.values():
        tree.add(GeneratedFile(path, content) for path, content in stored.files.items())
        tree.stored.update(stored.stored)
    if closed is not None:
        for cycle_id, files in fresh.items():
            parts = {name: by_cycle[cycle_id] for name, by_cycle in context.export_parts.items()}
            closed.put(cycle_id, keys[cycle_id], ClosedCycle(files, parts))
    tree.nav = build_nav(context, tree.paths())
    return tree


def closed_cycle_context(context: SiteContext, cycle_id: str) -> str:
    """What a closed cycle's unit pages and overview depend on besides the
    content files the store hashes (the cycle's, those of cycles overlapping
    it, ``company.yaml``, ``org.yaml``, measured data, okrsite's code):

    * the site options, without those that cannot change a page (where the
      graph cache lives, how many ``dot`` run at once) and with only the
      cycle's own files' last-commit dates (a commit elsewhere must not
      invalidate an archived quarter);
    * which cycle is current (pages mark and link it);
    * the quality findings of the cycle (unit pages carry their badges;
      rules may look across cycles or at today's date).
    """
    options = replace(
        context.options,
        graph_cache_dir=None,
        graph_jobs=0,
        last_changed={
            path: date
            for path, date in sorted(context.options.last_changed.items())
            if f"/{cycle_id}/" in f"/{path}"
        },
    )
    digest = hashlib.sha256(repr(options).encode())
    digest.update(f"\ncurrent {context.current_cycle_id}\n".encode())
    digest.update(closed_cycle_findings(context, cycle_id).encode())
    return digest.hexdigest()


def _export_parts(context: SiteContext, cycle_id: str) -> dict[str, str]:
    """A closed cycle's parts of the exports that span cycles."""
    cycle = context.model.cycles[cycle_id]
    return {
        data.OKRS_JSON: exports.cycle_okrs_json(context.model, cycle),
        data.OKRS_CSV: exports.cycle_krs_csv(context.model, cycle),
    }


def _collect(
    produced: Iterable[GeneratedFile], fresh: dict[str, dict[str, FileContent]]
) -> Iterable[GeneratedFile]:
    """Pass files through, keeping those of closed cycles for the store."""
    for item in produced:
        cycle_id = item.path.split("/", 1)[0]
        if cycle_id in fresh:
            fresh[cycle_id][item.path] = item.content
        yield item
