"""The real-world-shaped fixture (tests/fixtures/realworld): rich text survives,
numbers agree with their colours, and roll-ups say which one they are.

The fixture is a 44-unit logistics company over three cycles (one of them in
2023), written the way busy people write: Markdown links to epics, bare URLs,
"Deferred to Q2" and "BLOCKED" notes, qualitative KRs without numbers,
milestones, scores of 0.66 and 1.2, departments without teams, a five-level
cascade. Pages are checked on the generated docs tree (fast) and on a real
MkDocs build (no raw Markdown link syntax reaches any HTML page).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsite.analysis.progress import band
from okrsite.cli import main
from okrsite.model import OkrModel
from okrsite.site.build import build_docs_tree
from okrsite.site.options import SiteOptions
from okrsite.site.tree import DocsTree
from okrsite.validate import load_model

REPO = Path(__file__).resolve().parents[1]
CONTENT = Path(__file__).parent / "fixtures" / "realworld" / "content"
TODAY = dt.date(2026, 11, 23)
RAW_LINK = re.compile(r"!?\[[^\]\n]*\]\((?:https?:|mailto:|javascript:|data:|/|\.|#)")


@pytest.fixture(scope="module")
def model() -> OkrModel:
    return load_model(CONTENT)


@pytest.fixture(scope="module")
def tree(model: OkrModel) -> DocsTree:
    return build_docs_tree(model, SiteOptions(today=TODAY, graphs=False))


def page(tree: DocsTree, path: str) -> str:
    content = tree.files[path]
    return content if isinstance(content, str) else content.decode("utf-8")


def test_unit_body_markdown_is_rendered(tree: DocsTree) -> None:
    """The .md body's heading, bold, list, link, bare URL and code are HTML."""
    marketing = page(tree, "2026-Q4/marketing.md")
    assert "<h2>Notes for Q4</h2>" in marketing
    assert "<strong>Pipeline first.</strong>" in marketing
    assert '<a href="https://drive.fernhill.example/q4-budget" rel="noopener">Q4 budget</a>' in marketing
    assert '<a href="https://jira.fernhill.example/boards/12" rel="noopener">' in marketing
    assert "<code>make report</code>" in marketing
    assert "## Notes" not in marketing and "**Pipeline" not in marketing
    # A '#' title in a body is not a second page title.
    assert "<h2>Operations notes</h2>" in page(tree, "2026-Q4/operations.md")


def test_descriptions_links_and_status_notes(tree: DocsTree) -> None:
    """Objective and KR descriptions link their epics and URLs; the KR's status
    note and its latest check-in note stand beside it."""
    company = page(tree, "2026-Q4/company.md")
    assert '<a href="https://wiki.fernhill.example/strategy/2026" rel="noopener">strategy memo</a>' in company
    assert '<a href="https://wiki.fernhill.example/board/q3-deck" rel="noopener">' in company
    assert "Measured on <em>all</em> parcels" in company
    assert (
        "<strong>Status:</strong> Deferred to Q2: weekend measurement (needs "
        '<a href="https://jira.fernhill.example/browse/OPS-512" rel="noopener">OPS-512</a>)'
    ) in company
    assert "<strong>Status:</strong> BLOCKED until research budget is approved" in company
    assert "<strong>Latest check-in, 2026-11-13:</strong>" in company


def test_graded_kr_shows_its_grading_note(tree: DocsTree, model: OkrModel) -> None:
    """Every graded KR with a note shows it as its grading note."""
    noted = [
        (cycle.id, unit_id)
        for cycle in model.cycles.values()
        for unit_id, okrs in cycle.okrs.items()
        for o in okrs.objectives
        for kr in o.key_results
        if kr.note and kr.score is not None
    ]
    assert len(noted) > 10
    for cycle_id, unit_id in noted:
        assert "<strong>Grading note:</strong>" in page(tree, f"{cycle_id}/{unit_id}.md")


def test_scores_show_as_given_and_band_as_shown(tree: DocsTree) -> None:
    """0.66 (green at 0.7) is "0.66 · at risk"; over-achievement 1.2 stays 1.2."""
    q3 = page(tree, "2026-Q3/company.md")
    assert "0.66 · at risk" in q3
    assert "0.7 · at risk" not in q3
    assert "1.2 · on track" in q3
    assert 'aria-label="score 1.2, on track"><i style="width:100%"' in q3


def test_every_shown_number_parses_into_its_band(tree: DocsTree, model: OkrModel) -> None:
    """On every page, each progress bar's number read back gives its colour."""
    scoring = model.company.scoring
    words = {"on track": "green", "at risk": "yellow", "off track": "red"}
    bar = re.compile(
        r'okr-progress okr-band--(\w+)".*?okr-progress__text">([0-9.]+%?) · ([a-z ]+)</span>'
    )
    seen = 0
    for path, content in tree.files.items():
        if not path.endswith(".md"):
            continue
        text = content if isinstance(content, str) else content.decode("utf-8")
        for colour, number, word in bar.findall(text):
            value = int(number[:-1]) / 100 if number.endswith("%") else float(number)
            assert band(value, scoring) == colour == words[word], (path, number, word)
            seen += 1
    assert seen > 1000


def test_rollups_are_labelled_and_agree(tree: DocsTree) -> None:
    """The overview's units table and the directory show the same own roll-up
    for a unit, labelled; a unit page with teams shows both, labelled."""
    overview = page(tree, "2026-Q4/index.md")
    directory = page(tree, "units/index.md")

    def own(text: str, name: str) -> str:
        row = next(line for line in text.splitlines() if line.startswith(f"| [{name}]("))
        match = re.search(r'okr-progress__text">([^<]+)</span> <span class="okr-scope">([^<]+)<', row)
        assert match is not None, row
        return f"{match.group(1)} {match.group(2)}"

    for name in ("Operations", "Product", "Partnerships", "Ingestion"):
        assert own(overview, name) == own(directory, name)
        assert own(overview, name).endswith("· own OKRs")
    product = page(tree, "2026-Q4/product.md")
    assert '<span class="okr-rollup"><span class="okr-scope">own OKRs:</span> ' in product
    assert '<span class="okr-rollup"><span class="okr-scope">incl. teams:</span> ' in product
    assert "incl. teams" not in page(tree, "2026-Q4/partnerships.md")  # no teams


def test_exports_round_and_band_like_the_pages(tmp_path: Path) -> None:
    """okrs.json/okrs.csv give progress and scores in hundredths, and the band
    of the number a reader would colour (score if given, else progress)."""
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(
        main, ["generate", "--content", str(CONTENT), "--out", str(out), "--today", "2026-11-23"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(next(out.rglob("okrs.json")).read_text(encoding="utf-8"))
    model = load_model(CONTENT)
    scoring = model.company.scoring
    checked = 0
    for cycle in data["cycles"]:
        for unit in cycle["units"]:
            for objective in unit["objectives"]:
                for kr in objective["key_results"]:
                    for value in (kr["progress"], kr["score"]):
                        assert value is None or round(value, 2) == value
                    shown = kr["score"] if kr["score"] is not None else kr["progress"]
                    assert band(shown, scoring) == (kr["band"]), kr["id"]
                    checked += 1
    assert checked > 300
    assert any(kr["score"] == 1.2 for kr in _all_krs(data))
    rows = list(csv.DictReader(io.StringIO(next(out.rglob("okrs.csv")).read_text("utf-8"))))
    assert any(row["score"] == "1.2" for row in rows)


def _all_krs(data: dict) -> list[dict]:  # type: ignore[type-arg]
    return [
        kr
        for cycle in data["cycles"]
        for unit in cycle["units"]
        for objective in unit["objectives"]
        for kr in objective["key_results"]
    ]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real MkDocs + Material build of the fixture (graphs off: not under test here)."""
    root = tmp_path_factory.mktemp("realworld")
    shutil.copytree(CONTENT, root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("content_dir: content", "content_dir: content\n      graphs: false")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs" / "site").mkdir(parents=True)
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
         "--strict", "--today", "2026-11-23"],
    )
    assert result.exit_code == 0, result.output
    return root / "site"


def visible_text(page_html: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_no_raw_markdown_link_on_any_page(built_site: Path) -> None:
    """No page shows ``[text](url)`` as text; the search index neither."""
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 150
    for path in pages:
        text = visible_text(path.read_text(encoding="utf-8"))
        found = RAW_LINK.search(text)
        assert found is None, f"{path.relative_to(built_site)}: {text[found.start():found.start() + 80]}"
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        assert RAW_LINK.search(html.unescape(doc["text"])) is None, doc["location"]


def test_built_pages_link_descriptions_and_bare_urls(built_site: Path) -> None:
    """In the HTML: Markdown links and bare URLs are <a href> with rel=noopener."""
    company = (built_site / "2026-Q4" / "company" / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://wiki.fernhill.example/strategy/2026" rel="noopener">strategy memo</a>' in company
    assert (
        '<a href="https://wiki.fernhill.example/board/q3-deck" rel="noopener">'
        "https://wiki.fernhill.example/board/q3-deck</a>."
    ) in company
    marketing = (built_site / "2026-Q4" / "marketing" / "index.html").read_text(encoding="utf-8")
    assert "<h2>Notes for Q4</h2>" in marketing


def test_graph_labels_follow_the_same_rules(model: OkrModel) -> None:
    """Graph nodes: graded KRs read as scores (0.66, 1.2), a unit box says which
    roll-up it shows, and a box standing for a unit with teams shows the same
    number as that unit page's "incl. teams" bar."""
    from okrsite import graphs
    from okrsite.analysis.org import subtree
    from okrsite.analysis.progress import fraction_text, shows_scores, unit_and_teams_progress

    dot = graphs.overview_dot(model, "2026-Q3")
    assert "KR · 0.66" in dot and "KR · 1.2" in dot
    assert "KR · 66%" not in dot
    boxes = re.findall(r'POINT-SIZE="9">[^<]*<BR/>([^<]*)</FONT>', dot)
    assert boxes and all(b.endswith(("· incl. teams", "· own OKRs")) for b in boxes)
    cycle = model.cycles["2026-Q3"]
    files = [cycle.okrs[u] for u in subtree(model, "operations") if u in cycle.okrs]
    value = unit_and_teams_progress(model, cycle, "operations", include_private=True)
    assert f"{fraction_text(value, graded=shows_scores(files))} · incl. teams" in boxes
