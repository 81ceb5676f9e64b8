"""Large alignment graphs become their own SVG file next to the page."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okrsite import urls
from okrsite.analysis.redact import redact
from okrsite.graphs import page_graphs, render_svgs
from okrsite.render import sanitize
from okrsite.site.build import build_docs_tree
from okrsite.site.options import SiteOptions
from okrsite.site.pages.graph_embed import (
    DEFAULT_INLINE_LIMIT,
    GRAPH_FILE,
    graph_block,
    standalone_svg,
)
from okrsite.validate import load_model

REPO = Path(__file__).resolve().parents[1]
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"

HOSTILE_SVG = (
    '<svg viewBox="0.00 0.00 100.50 40.25" xmlns="http://www.w3.org/2000/svg">'
    '<title id="t">Q&amp;A &lt;b&gt; "quoted"\u00a0title</title>'
    '<a xlink:href="../x/" target="_top"><text x="1" y="2">a\u00a0b &amp; c</text></a>'
    "<script>alert(1)</script></svg>"
)


def test_small_graph_stays_inline() -> None:
    block, file = graph_block("2026-Q4/sales.md", HOSTILE_SVG, "okr-graph", inline_limit=10_000)
    assert file is None
    assert "<svg" in block and "<object" not in block and "<script" not in block


def test_large_graph_is_a_standalone_file_next_to_the_page() -> None:
    block, file = graph_block("2026-Q4/sales.md", HOSTILE_SVG, "okr-graph", inline_limit=10)
    assert file is not None
    # The page's URL is 2026-Q4/sales/: the file sits in that directory, so the
    # graph's relative links resolve the same from the page and from the file.
    assert file.path == f"2026-Q4/sales/{GRAPH_FILE}"
    assert posixpath.dirname(file.path) + "/" == urls.page_url("2026-Q4/sales.md")
    assert f'data="{GRAPH_FILE}"' in block and "<svg" not in block
    assert 'aspect-ratio:100.50 / 40.25' in block and "max-width:100.50pt" in block
    # The title is escaped for the attribute (quotes included).
    label = re.search(r'aria-label="([^"]*)"', block)
    assert label and label.group(1) == "Q&amp;A &lt;b&gt; &quot;quoted&quot;\u00a0title"
    assert "<script" not in str(file.content) and "alert" not in str(file.content)
    root = ET.fromstring(str(file.content).split("\n", 1)[1])  # strict XML
    assert root.tag == f"{SVG_NS}svg"
    link = root.find(f"{SVG_NS}a")
    assert link is not None and link.get(XLINK) == "../x/" and link.get("target") == "_top"
    assert "a\u00a0b & c" in "".join(root.itertext())


def test_standalone_svg_declares_namespaces_once() -> None:
    doc = standalone_svg('<svg xmlns="http://www.w3.org/2000/svg"><g></g></svg>')
    head = doc.split("\n")[1]
    assert head.count("xmlns=") == 1 and head.count("xmlns:xlink=") == 1
    ET.fromstring(doc.split("\n", 1)[1])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_demo_tree_writes_graphs_over_the_limit_as_files(tmp_path: Path) -> None:
    """Exactly the graphs over the default limit (8 KB) become a file next to
    their page (embedded with <object>); the others stay inline. In the demo
    both kinds exist: the overview's graph is a file, Support's is inline."""
    model = load_model(REPO / "content")
    options = SiteOptions(today=dt.date(2026, 11, 23), graph_cache_dir=tmp_path)
    assert options.inline_graph_limit == DEFAULT_INLINE_LIMIT == 8_000
    tree = build_docs_tree(model, options)
    dots = page_graphs(redact(model, options.audience))
    svgs = render_svgs(dots, cache_dir=tmp_path)
    files = {p for p in tree.files if p.endswith(GRAPH_FILE)}
    over = {urls.page_url(doc) + GRAPH_FILE for doc, svg in svgs.items() if len(svg) > 8_000}
    assert files == over
    for doc, svg in svgs.items():
        page = str(tree.files[doc])
        if len(svg) > 8_000:
            assert f'data="{GRAPH_FILE}"' in page and "<svg font-family" not in page
        else:
            assert "<svg font-family" in page and GRAPH_FILE not in page
    overview = urls.page_url(urls.cycle_overview("2026-Q4")) + GRAPH_FILE
    assert overview in files
    assert urls.page_url(urls.unit_page("2026-Q4", "support")) + GRAPH_FILE not in files


_SEGMENT = st.sampled_from(["a", "b", "2026-Q4", "x.svg", "."])


@given(st.lists(_SEGMENT, max_size=4), st.lists(_SEGMENT, max_size=4), st.booleans(),
       st.booleans())
def test_relpath_matches_posixpath(to: list[str], start: list[str], slash_a: bool,
                                   slash_b: bool) -> None:
    """The getcwd-free relpath gives posixpath.relpath's answer on docs paths."""
    target = "/".join(to) + ("/" if slash_a and to else "")
    origin = "/".join(start) + ("/" if slash_b and start else "")
    assert urls.relpath(target, origin) == posixpath.relpath(target or ".", origin or ".")


def test_an_already_sanitised_graph_gives_the_same_block() -> None:
    """The site sanitises its graphs while dot draws them (graph_block's
    ``sanitized``): the block and file are those of sanitising here, inline
    and as a file, and nothing hostile is left."""
    clean = sanitize.clean(HOSTILE_SVG)
    for limit in (10_000, 10):
        here = graph_block("2026-Q4/sales.md", HOSTILE_SVG, "okr-graph", inline_limit=limit)
        before = graph_block(
            "2026-Q4/sales.md", clean, "okr-graph", inline_limit=limit, sanitized=True
        )
        assert here == before
        text = str(before[0]) + (str(before[1].content) if before[1] else "")
        assert "<script" not in text
