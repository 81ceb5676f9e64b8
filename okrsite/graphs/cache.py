"""What rendering graphs keeps between builds: an explicit object, owned by
whoever owns the builds' lifetime (the CLI for one build, the preview server
for many), never module state.

* On disk (``directory``): dot's SVG, compacted, as
  ``<sha256(dot version, format, source)>.svg``, and the dot version, each
  written atomically. Survives processes, so an unchanged rebuild starts no
  ``dot`` at all.
* In memory (``keep_inline``, a preview server): the inline-ready SVG per
  (digest, page), handed out again as the *same* string object, so page
  fragments remembered by identity (see :mod:`okrsite.site.memo`) hit too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class GraphCache:
    """Rendered graphs on disk and (optionally) inline SVG in memory."""

    def __init__(self, directory: Path | None = None, *, keep_inline: bool = False) -> None:
        self.directory = directory
        self.keep_inline = keep_inline
        self.inline: dict[tuple[str, str], str] = {}
        """(cache digest, page key) → inline SVG, when ``keep_inline``."""

    def read_text(self, name: str) -> str | None:
        if self.directory is None:
            return None
        try:
            return (self.directory / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def write_text(self, name: str, text: str) -> None:
        """Write atomically: a temporary file in the same directory, then rename."""
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".svg")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.directory / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read_svg(self, digest: str) -> str | None:
        """A stored drawing, or None when missing or cut short."""
        text = self.read_text(f"{digest}.svg")
        return text if text is not None and text.rstrip().endswith("</svg>") else None

    def write_svg(self, digest: str, svg: str) -> None:
        self.write_text(f"{digest}.svg", svg)

    def remember_inline(self, svgs: dict[tuple[str, str], str], pages: int) -> None:
        """Keep this build's inline SVGs (forgetting everything once the memo
        holds far more than a build's worth: graphs of pages that are gone)."""
        if not self.keep_inline:
            return
        if len(self.inline) > 4 * pages:
            self.inline.clear()
        self.inline.update(svgs)
