"""Compiled theme templates kept between a preview server's rebuilds.

MkDocs makes a new Jinja environment for every build, so every rebuild of
``okrsite serve`` compiled Material's templates again (``base.html`` and its
partials, ``404.html``, ``sitemap.xml``): a fixed cost of several tenths of a
second per edit whatever the size of the site. Jinja's bytecode cache is the
supported way to skip that: a template's compiled code is stored under its
name and file, and reused only while the template's source has the same
checksum (Jinja checks it), so an edited override recompiles.

Owned by the plugin for the life of one preview (created in ``on_startup``
under ``serve``); a one-shot build compiles each template once anyway and
keeps none.
"""

from __future__ import annotations

import jinja2


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Jinja's bytecode cache, in memory."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # ignored unless the source checksum matches

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()

    def __len__(self) -> int:
        return len(self._code)
