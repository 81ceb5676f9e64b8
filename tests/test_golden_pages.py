"""Golden files: the generated docs tree of a small fixture company.

Two levels (STYLE.md, practice 7): per-page goldens for the unit and overview
pages, and the whole tree (every generated file) of the fixture site.

Regenerate deliberately, then review the diff before committing::

    OKRSITE_UPDATE_GOLDENS=1 python -m pytest tests/test_golden_pages.py
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from okrsite.site.build import build_docs_tree
from okrsite.site.options import SiteOptions
from okrsite.site.tree import DocsTree
from okrsite.validate import load_model

FIXTURE = Path(__file__).parent / "fixtures" / "mini" / "content"
GOLDEN = Path(__file__).parent / "golden" / "tree"
UPDATE = os.environ.get("OKRSITE_UPDATE_GOLDENS") == "1"


@pytest.fixture(scope="module")
def tree() -> DocsTree:
    model = load_model(FIXTURE)
    options = SiteOptions(today=dt.date(2026, 2, 10), graphs=False)
    return build_docs_tree(model, options)


def _as_text(content: str | bytes) -> str:
    return content if isinstance(content, str) else content.decode("utf-8")


def _compare(path: str, actual: str) -> None:
    golden = GOLDEN / path
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden for {path}; run with OKRSITE_UPDATE_GOLDENS=1"
    assert actual == golden.read_text(encoding="utf-8"), f"{path} differs from its golden"


@pytest.mark.parametrize(
    "path", ["2026-Q1/onboarding.md", "2026-Q1/product.md", "2026-Q1/engineering.md"]
)
def test_unit_page_golden(tree: DocsTree, path: str) -> None:
    """Unit pages render exactly as their goldens."""
    _compare(path, _as_text(tree.files[path]))


def test_overview_page_golden(tree: DocsTree) -> None:
    """The cycle overview renders exactly as its golden."""
    _compare("2026-Q1/index.md", _as_text(tree.files["2026-Q1/index.md"]))


def _rendered(tree: DocsTree) -> dict[str, str | bytes]:
    """Files rendered from the model (static assets such as the CSS are not)."""
    return {p: c for p, c in tree.files.items() if not p.startswith("assets/")}


def test_whole_tree_golden(tree: DocsTree) -> None:
    """Every generated file matches its golden, and no golden is left unused."""
    for path, content in sorted(_rendered(tree).items()):
        _compare(path, _as_text(content))
    if not UPDATE:
        expected = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
        assert expected == set(_rendered(tree))


def test_private_objective_absent_from_tree(tree: DocsTree) -> None:
    """The private objective's canary appears in no generated file; its count does."""
    for path, content in tree.files.items():
        assert "SECRET-CANARY" not in _as_text(content), path
    assert "1 private objective not shown" in _as_text(tree.files["2026-Q1/product.md"])


def test_hostile_strings_are_escaped_in_markdown(tree: DocsTree) -> None:
    """Script tags, Markdown links and attribute lists from content stay inert text."""
    # Pages, graphs and styles only: the data exports (okrs.json, okrs.csv,
    # feed.xml) keep titles verbatim in their own escaping, which
    # test_exports.py checks (JSON \\u-escapes <>&, CSV formula injection).
    data_files = (".json", ".csv", ".xml")
    everything = "\n".join(_as_text(c) for p, c in tree.files.items() if not p.endswith(data_files))
    assert "<script>" not in everything
    assert "](javascript:" not in everything
    assert "{: onclick" not in everything
    assert '<a href="javascript:' not in everything
    assert "NPS &#60;script&#62;alert&#40;1&#41;&#60;/script&#62;" in everything


def test_relative_path_matches_posixpath() -> None:
    """The file-system-free relative path equals posixpath.relpath for docs paths."""
    import itertools
    import posixpath

    from okrsite.site.pages.components import relative_path

    docs = ["index.md", "units/index.md", "units/a.md", "2026-Q1/b.md", "x/y/z.md", "units/b/c.md"]
    for to_doc, from_doc in itertools.product(docs, docs):
        start = posixpath.dirname(from_doc)
        assert relative_path(to_doc, start) == posixpath.relpath(to_doc, start or ".")
