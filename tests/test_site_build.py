"""Real MkDocs builds of the demo site and of a fixture with hostile content."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsite.cli import main

REPO = Path(__file__).resolve().parents[1]
MINI = Path(__file__).parent / "fixtures" / "mini"


def copy_site(src_content: Path, dest: Path, *, graphs: bool = True) -> Path:
    """A site repo in ``dest`` with ``src_content`` and the demo's mkdocs.yml."""
    shutil.copytree(src_content, dest / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if not graphs:
        config = config.replace("content_dir: content", "content_dir: content\n      graphs: false")
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    (dest / "docs" / "site").mkdir(parents=True)
    (dest / "docs" / "site" / "about.md").write_text("# About\n\nHand-written page.\n")
    return dest / "mkdocs.yml"


def build(config: Path, site: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        [
            "build",
            "-f",
            str(config),
            "--site-dir",
            str(site),
            "--strict",
            "--today",
            "2026-11-23",
            *extra,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    config = copy_site(REPO / "content", root)
    code, output = build(config, root / "site")
    assert code == 0, output
    return root / "site"


def all_text(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes().decode("utf-8", "replace")
        for p in site.rglob("*")
        if p.is_file()
    }


def test_demo_builds_strict_with_every_page(demo_site: Path) -> None:
    """The demo builds with --strict (no warnings) and has home, overview, unit and directory pages."""
    for page in [
        "index.html",
        "2026-Q4/index.html",
        "2026-Q4/product-onboarding/index.html",
        "2026-Q3/company/index.html",
        "units/index.html",
        "units/sales/index.html",
        "about/index.html",
        "search/search_index.json",
    ]:
        assert (demo_site / page).is_file(), page


def test_demo_private_objective_absent_everywhere(demo_site: Path) -> None:
    """The private objective's canary is in no file of the built site, search index included."""
    assert "CANARY-PRIVATE" in (REPO / "content" / "2026-Q4" / "sales.yaml").read_text()
    for path, text in all_text(demo_site).items():
        assert "CANARY-PRIVATE" not in text, path


def test_demo_unit_page_content(demo_site: Path) -> None:
    """A team page shows its KRs with progress bars, ranges with units, owners and alignment."""
    html = (demo_site / "2026-Q4/product-onboarding/index.html").read_text()
    assert "Onboarding completion" in html
    assert 'class="okr-progress okr-band--' in html
    assert "40% → " in html and "→ 75%" in html
    assert "Contributes to:" in html
    assert "Source: content/2026-Q4/product-onboarding.yaml" in html


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mini")
    config = copy_site(MINI / "content", root)
    code, output = build(config, root / "site")
    assert code == 0, output
    return root / "site"


def test_script_payload_is_inert(hostile_site: Path) -> None:
    """A <script> title, a javascript: Markdown link and an attr-list payload stay text."""
    # The overview shows it in its alignment graph: inline, or (over the
    # inline limit) in the graph's own file next to the page.
    overview = hostile_site / "2026-Q1"
    html = "".join(
        (overview / name).read_text() for name in ("index.html", "alignment.svg")
        if (overview / name).is_file()
    )
    assert "NPS &lt;script&gt;alert(1)&lt;/script&gt;" in html
    for path, text in all_text(hostile_site).items():
        # Exports (okrs.json, CSV) carry raw data by design; HTML, SVG and the
        # search index are what a browser renders.
        if not (path.endswith((".html", ".svg")) or path == "search/search_index.json"):
            continue
        assert "<script>alert(1)" not in text, path
        assert not re.search(r"<[^>]+\shref=\"javascript:", text), path
        assert "onclick=" not in text.replace("{: onclick=alert(1)}", ""), path


def test_private_canary_absent_in_fixture_build(hostile_site: Path) -> None:
    """SECRET-CANARY (a private objective and its KR) appears in no built file."""
    for path, text in all_text(hostile_site).items():
        assert "SECRET-CANARY" not in text, path


def test_internal_audience_shows_private_marked(tmp_path: Path) -> None:
    """--audience internal includes private objectives, marked as private."""
    config = copy_site(MINI / "content", tmp_path, graphs=False)
    code, output = build(config, tmp_path / "site", "--audience", "internal")
    assert code == 0, output
    html = (tmp_path / "site/2026-Q1/product/index.html").read_text()
    assert "SECRET-CANARY pricing" in html
    assert "okr-private" in html


def test_failed_build_leaves_previous_site(tmp_path: Path) -> None:
    """Invalid content fails the build with located errors, exit 1, and the old site stays."""
    config = copy_site(MINI / "content", tmp_path, graphs=False)
    site = tmp_path / "site"
    assert build(config, site)[0] == 0
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (tmp_path / "content/2026-Q1/sales.yaml").write_text("objectives:\n  - id: X\n    title: T\n")
    code, output = build(config, site)
    assert code == 1
    assert "content/2026-Q1/sales.yaml:2:9: 'X' is not a valid id" in output
    assert "Traceback" not in output
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    # No half-built site left behind (the cache directory is meant to stay).
    assert not [p for p in tmp_path.iterdir() if "okrsite-" in p.name and p.name != ".okrsite-cache"]


def test_search_index_is_lean(demo_site: Path) -> None:
    """Graphs and charts stay out of the search index; KR titles and check-in notes stay in."""
    index = (demo_site / "search/search_index.json").read_text()
    assert "Onboarding completion" in index
    assert "62% for the October cohort" in index  # a check-in note
    assert "okrsite-graph" not in index and "arrow: aligns to" not in index
    assert "okr-chart" not in index


def test_every_svg_is_back_in_the_html(demo_site: Path) -> None:
    """The plugin parks SVGs during Markdown processing: the HTML must hold every
    one of them again and no placeholder may remain."""
    import datetime as dt

    from okrsite.site.build import build_docs_tree
    from okrsite.site.options import SiteOptions
    from okrsite.validate import load_model

    tree = build_docs_tree(
        load_model(REPO / "content"), SiteOptions(today=dt.date(2026, 11, 23), graphs=True)
    )
    for path, content in tree.files.items():
        if not path.endswith(".md"):
            continue
        html_path = demo_site / (
            path[: -len("index.md")] if path.endswith("index.md") else path[:-3] + "/"
        )
        html = (html_path / "index.html").read_text()
        assert "okrsite-park" not in html, path
        assert html.count("<svg") >= str(content).count("<svg"), path
