"""A unit gets a page in a cycle only when it has OKRs there (issue 16, item 2).

The fixture is shaped like a real multi-quarter set: a department without
its own file whose team has OKRs, a service unit that never writes OKRs, a
cycle without company OKRs. Every link to a unit without a page (pages,
graph nodes, navigation, exports) goes to its profile, or for the company to
the cycle's overview: the one decision of ``okrsite.urls.unit_link``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsite import urls
from okrsite.cli import main
from okrsite.model import ROOT_UNIT
from okrsite.site.build import build_docs_tree
from okrsite.site.navigation import nav_to_mkdocs
from okrsite.site.options import SiteOptions
from okrsite.site.tree import DocsTree, NavItem
from okrsite.validate import load_model
from tests.contentkit import COMPANY_OKRS, write_files

COMPANY = """\
name: Acme
method: hybrid
cycles:
  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
  - {id: 2026-Q2, start: 2026-04-01, end: 2026-06-30}
"""
ORG = """\
units:
  - {id: product, name: Product, kind: department, lead: Priya}
  - {id: onboarding, name: Onboarding, kind: team, parent: product}
  - {id: sales, name: Sales, kind: department}
  - {id: legal, name: Legal, kind: service}
"""


def okrs(objective: str, aligns: str | None = None, title: str = "Do the thing well") -> str:
    align = f"\n    aligns_to: [{aligns}]" if aligns else ""
    return f"""\
status: locked
objectives:
  - id: {objective}
    title: {title}
    owner: Ana{align}
    key_results:
      - id: kr
        title: Move the number
        start: 1
        target: 10
        owner: Ana
        checkins:
          - {{date: 2026-02-01, value: 4, confidence: 0.6, note: See https://example.com/x}}
"""


CONTENT = {
    "company.yaml": COMPANY,
    "org.yaml": ORG,
    "2026-Q1/company.yaml": COMPANY_OKRS,
    "2026-Q1/product.yaml": okrs("easier", "company/grow"),
    "2026-Q1/onboarding.yaml": okrs("first-run", "product/easier"),
    "2026-Q1/sales.yaml": okrs("pipeline", "company/grow"),
    # Q2: no company file, Product writes none, its team does.
    "2026-Q2/onboarding.yaml": okrs("activation", title="Activate more trials"),
}
TODAY = dt.date(2026, 5, 10)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(tmp_path_factory.mktemp("sparse") / "content", CONTENT)


@pytest.fixture(scope="module")
def tree(project: Path) -> DocsTree:
    return build_docs_tree(load_model(project), SiteOptions(today=TODAY, graphs=True))


def _text(tree: DocsTree, path: str) -> str:
    content = tree.files[path]
    return content if isinstance(content, str) else content.decode("utf-8")


def test_pages_exist_only_where_a_unit_has_okrs(tree: DocsTree) -> None:
    """Q1: the company and its three writing units; Q2: Onboarding alone (no
    page for the company, Product, Sales or Legal), and Legal in no cycle."""
    unit_pages = {
        p
        for p in tree.files
        if re.fullmatch(r"2026-Q[12]/[a-z-]+\.md", p) and not p.endswith(("index.md", "quality.md"))
    }
    assert unit_pages == {
        "2026-Q1/company.md",
        "2026-Q1/product.md",
        "2026-Q1/onboarding.md",
        "2026-Q1/sales.md",
        "2026-Q2/onboarding.md",
    }
    assert "units/legal.md" in tree.files and "units/product.md" in tree.files


def _resolve(page: str, target: str, files: dict[str, str | bytes], *, raw: bool) -> str:
    """The docs path a relative link from ``page`` lands on: a Markdown link
    as MkDocs resolves it (from the file), a raw-HTML or graph ``href`` as a
    browser does (from the page's directory URL)."""
    path = target.split("#", 1)[0]
    if not raw:
        return posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    base = urls.page_url(page) if page.endswith(".md") else posixpath.dirname(page)
    url = posixpath.normpath(posixpath.join(base or ".", path or "."))
    url = "" if url == "." else url
    if posixpath.splitext(url)[1]:
        return url  # a file: okrs.json, a graph .svg
    for candidate in (f"{url}.md", f"{url}/index.md" if url else "index.md"):
        if candidate in files:
            return candidate
    return f"{url}.md"


def test_no_link_points_at_a_missing_page(tree: DocsTree) -> None:
    """Every relative link on every page — Markdown links, raw-HTML and graph
    ``href``s — lands on a generated file: none on a page that is not made."""
    checked = 0
    for page in tree.files:
        if not page.endswith((".md", ".svg")):
            continue
        text = _text(tree, page)
        links = [(t, False) for t in LINK.findall(text)] if page.endswith(".md") else []
        links += [(t, True) for t in HREF.findall(text)]
        for target, raw in links:
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            resolved = _resolve(page, target, tree.files, raw=raw)
            assert resolved in tree.files, f"{page} links to missing {target} ({resolved})"
            checked += 1
    assert checked > 100


def test_links_to_a_unit_without_a_page_go_to_its_profile(tree: DocsTree, project: Path) -> None:
    """Onboarding's Q2 page names its department, which has no Q2 page: the
    link is Product's profile; the Q2 graph's Product box links there too."""
    page = _text(tree, "2026-Q2/onboarding.md")
    assert "in [Product](../units/product.md)" in page
    assert "2026-Q2/product" not in page and "](product.md" not in page
    # The inline alignment graph's box for Product (ancestors are drawn).
    assert '<svg' in page and 'href="../../units/product/"' in page
    cycle = load_model(project).cycles["2026-Q2"]
    assert urls.unit_link(cycle, "product") == "units/product.md"
    assert urls.unit_link(cycle, ROOT_UNIT) == "2026-Q2/index.md"
    assert urls.unit_link(cycle, "onboarding") == "2026-Q2/onboarding.md"


def test_overview_and_directory_say_who_has_no_okrs(tree: DocsTree) -> None:
    """The Q2 overview lists the three units without OKRs, each linked to its
    profile; the directory (current cycle Q2) says "no OKRs" for them without
    linking a Q2 page; the profile's Q2 row is text, not a link."""
    overview = _text(tree, "2026-Q2/index.md")
    assert (
        "**No OKRs in this cycle:** [Product](../units/product.md) · "
        "[Sales](../units/sales.md) · [Legal](../units/legal.md)"
    ) in overview
    assert "The company has no OKRs for this cycle." in overview
    directory = _text(tree, urls.DIRECTORY)
    legal = next(line for line in directory.splitlines() if line.startswith("| [Legal]"))
    assert "2026-Q2 no OKRs" in legal and "legal.md)" in legal and "2026-Q2/legal" not in legal
    onboarding = next(line for line in directory.splitlines() if line.startswith("| [Onboarding]"))
    assert "[2026-Q2](../2026-Q2/onboarding.md)" in onboarding
    profile = _text(tree, "units/product.md")
    assert "[2026-Q1](../2026-Q1/product.md)" in profile
    assert "2026-Q2/product" not in profile


def _nav_paths(items: list[NavItem]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item.path is not None:
            out.append(item.path)
        out.extend(_nav_paths(item.children))
    return out


def test_navigation_lists_only_pages_that_exist(tree: DocsTree) -> None:
    """Every nav entry is a generated page; Q2's section lists Onboarding
    (under Product) and no company, Sales or Legal page."""
    paths = _nav_paths(tree.nav)
    assert all(p in tree.files for p in paths), [p for p in paths if p not in tree.files]
    q2 = next(i for i in nav_to_mkdocs(tree.nav) if isinstance(i, dict) and "2026-Q2" in i)
    entries = q2["2026-Q2"]  # type: ignore[index]
    assert entries[0] == {"Overview": "2026-Q2/index.md"}
    assert entries[-1] == {"Product": [{"Onboarding": "2026-Q2/onboarding.md"}]}
    assert {next(iter(e)) for e in entries} == {"Overview", "Quality", "Product"}


def test_strict_build_has_no_broken_link(project: Path, tmp_path: Path) -> None:
    """The real ``okrsite build --strict`` (MkDocs checks every Markdown link
    and nav entry) succeeds, and writes no page for the units without OKRs."""
    root = project.parent
    (root / "mkdocs.yml").write_text(
        "site_name: Acme OKRs\ntheme: {name: material, font: false}\n"
        "plugins: [search, {okrsite: {content_dir: content}}]\n",
        encoding="utf-8",
    )
    (root / "docs").mkdir(exist_ok=True)
    site = tmp_path / "site"
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(root / "mkdocs.yml"), "--site-dir", str(site), "--strict",
         "--today", TODAY.isoformat()],
    )
    assert result.exit_code == 0, result.output
    assert (site / "2026-Q2" / "onboarding" / "index.html").is_file()
    assert not (site / "2026-Q2" / "product").exists()
    assert not (site / "2026-Q2" / "company").exists()
    assert not (site / "2026-Q1" / "legal").exists()
    assert (site / "units" / "legal" / "index.html").is_file()
