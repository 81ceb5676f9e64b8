"""Small trusted HTML/Markdown fragments used by the page templates.

Each returns :class:`~markupsafe.Markup` built only from escaped content and
numbers we computed, so templates can emit it as is.
"""

from __future__ import annotations

import posixpath
from collections.abc import Hashable, Iterable

from markupsafe import Markup

from okrsite.analysis.progress import (
    BAND_LABELS,
    ROLLUP_LABELS,
    RollupScope,
    band,
    bar_width,
    fraction_text,
)
from okrsite.model import Scoring
from okrsite.render import sanitize
from okrsite.render.escape import html_text, md_inline
from okrsite.site.parking import raw_block


def relative_path(to_doc: str, from_dir: str) -> str:
    """``posixpath.relpath`` for docs paths, without touching the file system
    (``relpath`` calls ``getcwd`` twice per link: seconds at company scale)."""
    to_parts = to_doc.split("/")
    from_parts = from_dir.split("/") if from_dir else []
    common = 0
    for a, b in zip(to_parts[:-1], from_parts, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:])


def doc_link(text: object, from_doc: str, to_doc: str, anchor: str | None = None) -> Markup:
    """A Markdown link between generated pages (MkDocs resolves and checks it)."""
    target = relative_path(to_doc, posixpath.dirname(from_doc))
    if anchor:
        target += f"#{anchor}"
    return Markup(f"[{md_inline(text)}]({target})")


def grouped_links(pairs: Iterable[tuple[Hashable, Markup]]) -> list[tuple[Hashable, Markup]]:
    """(key, its links joined with " · ") for (key, link) pairs, keys in the
    order they first come, links in theirs: long lists of units shown as a
    line per group (by parent, by counts) rather than a table row each."""
    groups: dict[Hashable, list[Markup]] = {}
    for key, link in pairs:
        groups.setdefault(key, []).append(link)
    return [(key, Markup(" · ").join(links)) for key, links in groups.items()]


def progress_bar(
    value: float | None,
    scoring: Scoring,
    *,
    graded: bool = False,
    scope: RollupScope | None = None,
    label_first: bool = False,
) -> Markup:
    """A bar with its number and band label (colour is never the only signal).

    ``graded``: the value is a score given at grading (``0.66``), else a
    computed progress (``66%``); a score above 1.0 fills the bar and keeps its
    number. ``scope``: for a unit's roll-up, which one (labelled "own OKRs"
    or "incl. teams", see ``analysis/progress.py``). ``label_first``: put
    that label before the bar and keep label, bar and number on one line, for
    a page that shows two roll-ups side by side (a trailing label read as the
    next bar's, and wrapped away from its own at 1280 px)."""
    colour = band(value, scoring)
    label = BAND_LABELS[colour]
    width = bar_width(value)
    what = "score" if graded else "progress"
    shown = fraction_text(value, graded=graded)
    scope_label = ROLLUP_LABELS[scope] if scope else ""
    aria = html_text(f"{what} {shown}, {label}" + (f", {scope_label}" if scope else ""))
    bar = (
        f'<span class="okr-progress okr-band--{colour}" role="img" aria-label="{aria}">'
        # The fill is a bare <i> (``.okr-progress > i`` in the stylesheet):
        # a unit page has a bar per objective and KR.
        f'<i style="width:{width}%"></i></span> '
        f'<span class="okr-progress__text">{html_text(shown)} · {html_text(label)}</span>'
    )
    if scope and label_first:
        return Markup(
            f'<span class="okr-rollup"><span class="okr-scope">{html_text(scope_label)}:</span> '
            f"{bar}</span>"
        )
    scope_html = f' <span class="okr-scope">· {html_text(scope_label)}</span>' if scope else ""
    return Markup(f"{bar}{scope_html}")


def band_chip(value: float | None, scoring: Scoring) -> Markup:
    colour = band(value, scoring)
    return Markup(
        f'<span class="okr-chip okr-band--{colour}">{html_text(BAND_LABELS[colour])}</span>'
    )


def status_chip(status: str) -> Markup:
    safe = html_text(status)
    return Markup(f'<span class="okr-status okr-status--{safe}">{safe}</span>')


def external_link(text: str, url: str) -> Markup:
    """A link to a URL from trusted configuration (http/https only)."""
    if not url.startswith(("https://", "http://")):
        return Markup("")
    return Markup(f'<a class="okr-edit" href="{html_text(url)}">{html_text(text)}</a>')


def html_block(inner: str, css_class: str) -> Markup:
    """Wrap generated HTML (e.g. an SVG graph) as a raw HTML block, sanitised.

    Graph blocks (class ``okr-graph``) may scroll sideways on narrow screens, so
    they are keyboard-focusable (``tabindex="0"``) to be scrollable without a mouse.
    """
    # Graphs repeat the page's own titles: keep them out of the search index.
    graph = "okr-graph" in css_class.split()
    return raw_block(sanitize.clean(inner), css_class, focusable=graph, searchable=not graph)


def owners_fact(owners: list[str]) -> Markup:
    """``Owner: Ana`` or, with co-owners, ``Owners: Ana, Ben`` (names escaped)."""
    label = "Owner: " if len(owners) == 1 else "Owners: "
    return Markup(label) + Markup(", ").join(Markup(md_inline(name)) for name in owners)
