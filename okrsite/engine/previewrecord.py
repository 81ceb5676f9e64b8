"""The incremental preview's record of generated texts (see the plugin's
``on_startup`` / ``on_post_build``): which generated files a dirty rebuild
of ``okrsite serve`` may skip, because their text is the one the last
successful build of the same site wrote."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from okrsite.site.tree import FileContent

RecordKey = tuple[str, str]
"""(site dir, digest of the navigation and ``mkdocs.yml``)."""


def unchanged_texts(
    written: dict[RecordKey, dict[str, FileContent]],
    config: MkDocsConfig,
    texts: dict[str, FileContent],
) -> tuple[RecordKey, set[str]]:
    """This build's record key and the generated files whose text (before
    parking) equals the one ``written`` holds under that key: the last
    successful build's with the same navigation and ``mkdocs.yml`` (any
    change to those makes every page count as changed)."""
    setup = hashlib.sha256(repr(config.nav).encode())
    if config.config_file_path and os.path.isfile(config.config_file_path):
        setup.update(Path(config.config_file_path).read_bytes())
    key = (config.site_dir, setup.hexdigest())
    before = written.get(key, {})
    unchanged: set[str] = set()
    for path, text in texts.items():
        old = before.get(path)
        # Same object (kept by a cache) or equal text; str never equals bytes.
        if old is text or old == text:
            unchanged.add(path)
    return key, unchanged
