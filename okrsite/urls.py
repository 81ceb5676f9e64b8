"""Where each generated page lives in the docs tree, and links between them.

Every path here is relative to the docs directory and uses ``/``. Pages link
to each other with *relative* URLs (computed by :func:`relative`) so the
site works under any ``site_url`` sub-path.
"""

from __future__ import annotations

from okrsite.model import ROOT_UNIT, Cycle

HOME = "index.md"
DIRECTORY = "units/index.md"
RULES = "rules.md"
FORMAT = "format.md"
"""The content format reference (every field of every file)."""
ASSETS_DIR = "assets/okrsite"
STYLESHEET = f"{ASSETS_DIR}/okrsite.css"
PANZOOM_SCRIPT = f"{ASSETS_DIR}/svg-pan-zoom.min.js"
"""svg-pan-zoom 3.6.2 (BSD-2-Clause, licence beside it), vendored: no network request."""
PANZOOM_LICENSE = f"{ASSETS_DIR}/svg-pan-zoom.LICENSE.txt"
GRAPH_SCRIPT = f"{ASSETS_DIR}/okrsite-graphs.js"
"""Pan and zoom for graphs too wide to read in the column (runs on Material's ``document$``)."""
SCRIPTS = (PANZOOM_SCRIPT, GRAPH_SCRIPT)


def cycle_overview(cycle_id: str) -> str:
    return f"{cycle_id}/index.md"


def department_graph(cycle_id: str, unit_id: str) -> str:
    """A top-level unit's whole-subtree graph (standalone SVG), beside the
    cycle overview so its links resolve as the overview's do."""
    return f"{cycle_id}/alignment-{unit_id}.svg"


def quality_page(cycle_id: str) -> str:
    return f"{cycle_id}/quality.md"


def quality_unit_page(cycle_id: str, unit_id: str) -> str:
    """Large companies: the quality findings of one top-level unit's subtree."""
    return f"{cycle_id}/quality/{unit_id}.md"


def unit_page(cycle_id: str, unit_id: str) -> str:
    """The page of one unit's OKRs in one cycle (the company's too)."""
    return f"{cycle_id}/{unit_id}.md"


def unit_profile(unit_id: str) -> str:
    """A unit across all cycles."""
    return f"units/{unit_id}.md"


def has_unit_page(cycle: Cycle, unit_id: str) -> bool:
    """Whether ``unit_id`` (or the company) gets a page in ``cycle``: only
    when it has OKRs there (a file in the cycle's folder, even if every
    objective in it is private or it holds only health metrics). A unit
    with nothing in a cycle is listed as such in the cycle's overview and
    the directory; a page saying "no OKRs" for every such unit and cycle
    only made the site (and its build) grow with history."""
    return unit_id in cycle.okrs


def unit_link(cycle: Cycle, unit_id: str) -> str:
    """Where a link to ``unit_id`` in ``cycle`` goes, the one decision every
    page, graph and navigation entry follows: the unit's page for the cycle
    (:func:`unit_page`) when it has one (:func:`has_unit_page`), else its
    profile (:func:`unit_profile`), or for the company the cycle's overview,
    which shows the company's OKRs and every unit."""
    if unit_id in cycle.okrs:
        return unit_page(cycle.id, unit_id)
    if unit_id == ROOT_UNIT:
        return cycle_overview(cycle.id)
    return unit_profile(unit_id)


def objective_anchor(objective_id: str) -> str:
    return f"obj-{objective_id}"


def key_result_anchor(objective_id: str, key_result_id: str) -> str:
    return f"kr-{objective_id}--{key_result_id}"


def page_url(doc_path: str) -> str:
    """The URL MkDocs gives a page with ``use_directory_urls: true``."""
    if doc_path.endswith("index.md"):
        return doc_path[: -len("index.md")]
    return doc_path[: -len(".md")] + "/"


def relative(from_doc: str, to_doc: str, anchor: str | None = None) -> str:
    """Relative URL from the page of ``from_doc`` to the page of ``to_doc``
    (directory URLs), for links inside generated HTML such as SVG graphs.

    Markdown links between .md files are resolved by MkDocs itself; use this
    only where MkDocs does not rewrite links (raw HTML, SVG).
    """
    src_dir = page_url(from_doc)
    target = page_url(to_doc) if to_doc.endswith(".md") else to_doc
    rel = relpath(target, src_dir)
    if (not target or target.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return rel + (f"#{anchor}" if anchor else "")


def relpath(target: str, start: str) -> str:
    """``posixpath.relpath`` for clean relative paths (no ``..``), without the
    two ``getcwd`` calls it makes each time: tens of thousands of graph links."""
    to_parts = [p for p in target.split("/") if p and p != "."]
    from_parts = [p for p in start.split("/") if p and p != "."]
    common = 0
    for a, b in zip(to_parts, from_parts, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:]) or "."
