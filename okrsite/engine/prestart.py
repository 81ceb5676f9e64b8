"""Which helper interpreters a build starts before its content loads.

A cold build of a large company runs three helpers beside its main thread
(the graph worker, the page helper, the file writer, see
:mod:`okrsite.processes`). Started when first needed, their imports (~0.4,
~0.2 and ~0.07 s of CPU) fall where both cores are already busy: the graph
worker's at the 25th graph, while the main thread makes pages and ``dot``
draws, so every later drawing waits for it. The second core is idle while
the content loads (nothing can be drawn or written before the model exists),
so a build that will need them starts them then, and they wait on their
input until it has work for them.

What a build will need is guessed before loading, cheaply and on the safe
side: at least :data:`MIN_UNIT_FILES` unit files, two usable cores, and for
each helper a cold cache (a warm graph cache draws few graphs, a warm page
cache renders few pages). A helper started and then not needed (the guess
was wrong) is ended with the build's ``on_files``: it did nothing but import,
on a core the load left idle.
"""

from __future__ import annotations

import os
from pathlib import Path

from okrsite.engine.filewriter import MODULE as FILE_WRITER
from okrsite.engine.options import OkrsitePluginConfig
from okrsite.engine.pagehelper import MODULE as PAGE_HELPER
from okrsite.engine.pagehelper import usable_cores
from okrsite.graphs.worker import MODULE as GRAPH_WORKER
from okrsite.processes import Interpreters
from okrsite.source import UNIT_SUFFIXES

MIN_UNIT_FILES = 150
"""Unit files from which a cold build draws more than the graph worker's 25
graphs and renders more than the page helper's and the file writer's 300
pages (about two pages per unit file)."""


def unit_files_at_least(content_dir: Path, count: int) -> bool:
    """Whether the cycle folders of ``content_dir`` hold ``count`` unit files
    or more (stops counting there)."""
    found = 0
    try:
        folders = [entry.path for entry in os.scandir(content_dir) if entry.is_dir()]
        for folder in folders:
            with os.scandir(folder) as entries:
                for entry in entries:
                    found += entry.name.endswith(UNIT_SUFFIXES)
                    if found >= count:
                        return True
    except OSError:
        return False
    return False


def helpers_ahead(config: OkrsitePluginConfig, *, base: Path, one_shot: bool) -> Interpreters:
    """The helpers a build of this site should start now, before its content
    loads (none unless ``one_shot``: a preview server's rebuilds render few
    pages and start no page helper)."""
    if (
        not one_shot
        or usable_cores() < 2
        or not unit_files_at_least(base / config.content_dir, MIN_UNIT_FILES)
    ):
        return Interpreters()
    cache = base / config.cache_dir
    modules: list[str] = []
    if config.graphs and not (cache / "graphs").is_dir():
        modules.append(GRAPH_WORKER)
    if not config.page_cache or not (cache / "pages").is_dir():
        modules.append(PAGE_HELPER)
        if config.page_cache:
            modules.append(FILE_WRITER)
    return Interpreters(tuple(modules))
