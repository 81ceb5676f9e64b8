"""Rendered graphs on disk, between builds and processes.

dot's SVG, compacted, is stored as ``<sha256(dot version, format,
source)>.svg`` beside the dot version (``dot-version.txt``), each written
atomically, so an unchanged rebuild — even in a new process — starts no
``dot`` at all. A :class:`DiskCache` is a value made for one directory by
whoever renders (nothing module-global); what a preview server keeps in
memory between rebuilds is its own ``BuildCache``, passed to
:func:`~okrsite.graphs.render_svgs` as ``memo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from okrsite.source.files import write_atomically


@dataclass(frozen=True)
class DiskCache:
    """Text files in one directory, read leniently and written atomically."""

    directory: Path

    def read_text(self, name: str) -> str | None:
        try:
            return (self.directory / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def write_text(self, name: str, text: str) -> None:
        """Write atomically: a temporary file in the same directory, then rename.
        The directory is made on the first write that finds it missing (not
        asked for on each of a cold build's thousand graphs)."""
        data = text.encode("utf-8")
        try:
            write_atomically(self.directory / name, data, durable=False)
        except FileNotFoundError:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(self.directory / name, data, durable=False)

    def read_svg(self, digest: str) -> str | None:
        """A stored drawing, or None when missing or cut short."""
        text = self.read_text(f"{digest}.svg")
        return text if text is not None and text.rstrip().endswith("</svg>") else None

    def write_svg(self, digest: str, svg: str) -> None:
        self.write_text(f"{digest}.svg", svg)
