"""How to build the site: one options type, filled by the engine's options
factory (:func:`okrsite.engine.options.site_options`) for the MkDocs plugin,
``okrsite build`` and ``okrsite generate`` alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from okrsite.analysis.redact import Audience


@dataclass(frozen=True)
class SiteOptions:
    """How to build the site (from the plugin config or CLI flags)."""

    audience: Audience = "public"
    today: dt.date | None = None
    """The build's "now" for phases and staleness; ``None`` means the real today."""
    edit_url_base: str | None = None
    """Prefix for edit links, e.g. ``https://github.com/acme/okrs/edit/main/``;
    the file path relative to the repository root is appended."""
    graphs: bool = True
    graph_cache_dir: Path | None = None
    graph_jobs: int = 2
    graph_timeout: float = 60.0
    last_changed: dict[str, str] = field(default_factory=dict)
    """Source file path → ISO date of its last commit (from git, if known)."""
    nav_section_size: int = 100
    """Largest number of pages in one navigation section before splitting."""
    quality_split_findings: int = 150
    """A cycle with more quality findings than this gets a summary page plus
    one page per top-level unit (as every cycle of a large company does), so
    no quality page grows with the number of findings."""
    inline_graph_limit: int = 8_000
    """Alignment graphs longer than this (characters of sanitised SVG) get their own file,
    embedded with ``<object>`` (see :mod:`okrsite.site.pages.graph_embed`)."""

    def resolved_today(self) -> dt.date:
        return self.today or dt.date.today()
