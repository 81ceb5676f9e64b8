"""Render every generated page of a site both ways: Python-Markdown (MkDocs'
``Page.render``) and okrsite's subset converter (``FinishedPage.render``).

Used by ``tests/test_fastpage.py``; also runnable on any site to see which
pages fall back and why they differ::

    python tests/fastpage_compare.py path/to/mkdocs.yml
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.commands.build import get_files
from mkdocs.config import load_config
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from okrsite.engine.fastpage import FinishedPage


@dataclass
class Comparison:
    fast: int = 0
    fallback: list[str] = field(default_factory=list)
    differences: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    """(page, what, Python-Markdown's, the converter's)."""
    pages: dict[str, str] = field(default_factory=dict)
    """Docs path → the page's Markdown, for pages that took the fast path."""


def _state(page: Page) -> dict[str, Any]:
    return {
        "content": page.content,
        "toc": [_toc_item(item) for item in page.toc],
        "title_from_render": page._title_from_render,
        "title": page.title,
        "present_anchor_ids": page.present_anchor_ids,
        "links_to_anchors": {
            f.src_uri: links for f, links in (page.links_to_anchors or {}).items()
        },
    }


def _toc_item(item: Any) -> tuple[Any, ...]:
    return (item.title, item.id, item.level, [_toc_item(child) for child in item.children])


def compare_site(config_file: Path, **plugin_options: Any) -> Comparison:
    """Both renderings of every generated page of the site (page cache off)."""
    config = load_config(str(config_file))
    plugin = config.plugins["okrsite"]
    plugin.config.page_cache = False
    for key, value in plugin_options.items():
        plugin.config[key] = value
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    get_navigation(files, config)
    result = Comparison()
    for file in files.documentation_pages():
        page = file.page
        if not isinstance(page, FinishedPage):
            continue
        page.read_source(config)
        Page.render(page, config, files)
        slow = _state(page)
        page.render(config, files)
        if not page.rendered_fast:
            result.fallback.append(file.src_uri)
            continue
        result.fast += 1
        result.pages[file.src_uri] = page.markdown or ""
        fast = _state(page)
        for key, value in slow.items():
            if fast[key] != value:
                result.differences.append((file.src_uri, key, value, fast[key]))
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    outcome = compare_site(Path(sys.argv[1]))
    print(f"fast: {outcome.fast}, fallback: {len(outcome.fallback)} {outcome.fallback[:20]}")
    for path, what, slow, fast in outcome.differences[:10]:
        print(f"--- {path}: {what}")
        if isinstance(slow, str) and isinstance(fast, str):
            import difflib

            print(
                "\n".join(
                    list(difflib.unified_diff(slow.split("\n"), fast.split("\n"), lineterm=""))[:40]
                )
            )
        else:
            print("PM  :", slow)
            print("fast:", fast)
    print(f"{len(outcome.differences)} differences")
