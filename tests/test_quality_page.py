"""The quality report at real-world size: findings grouped by rule in
collapsible groups, every finding shown exactly once, and every page light
(<= 150 KB of HTML) with 700 findings in one cycle. Real MkDocs builds of the
generated company (tests/realworld_gen.py)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from realworld_gen import TODAY, generate
from test_site_build import copy_site

from okrsite.checks import run_checks
from okrsite.cli import main
from okrsite.validate import load_model

MAX_PAGE_BYTES = 150_000
WORST = "2026-Q2"


def build_site(tmp: Path, content: Path) -> Path:
    from click.testing import CliRunner

    config = copy_site(content, tmp, graphs=False)
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(config), "--site-dir", str(tmp / "site"), "--strict",
         "--today", TODAY.isoformat()],
    )
    assert result.exit_code == 0, result.output
    return tmp / "site"


@pytest.fixture(scope="module")
def worst(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Counter[str]]:
    """A quarter nobody scored in a busy 58-unit company: ~700 findings in one cycle."""
    root = tmp_path_factory.mktemp("worst")
    generate(root, quarters=[(2026, 2)], score_rate=0.0, presence=1.0, extra_objectives=2)
    findings = run_checks(load_model(root / "content"), today=TODAY)
    site = build_site(root / "build", root / "content")
    return site, Counter(f.rule_id for f in findings)


def quality_pages(site: Path, cycle: str) -> dict[str, str]:
    pages = sorted((site / cycle / "quality").rglob("index.html"))
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in pages}


MORE = re.compile(r"<li>… and (\d+) more findings? of this rule")


def group_items(html: str, *, listed_only: bool = False) -> Counter[str]:
    """Findings per rule in the page's <details> groups: those listed, and
    (unless ``listed_only``) those a group counts as not listed."""
    found: Counter[str] = Counter()
    for match in re.finditer(
        r'<details class="okr-findings" id="rule-(okr\d{3})"[^>]*>(.*?)</details>', html, re.S
    ):
        more = [int(n) for n in MORE.findall(match[2])]
        found[match[1].upper()] += match[2].count("<li>") - len(more)
        if not listed_only:
            found[match[1].upper()] += sum(more)
    return found


def test_every_quality_page_stays_light_with_700_findings(
    worst: tuple[Path, Counter[str]],
) -> None:
    """The cycle is split (summary + one page per top-level unit); no page
    weighs more than 150 KB, and each finding appears once, in its rule's group."""
    site, counts = worst
    total = sum(counts.values())
    assert total >= 600
    pages = quality_pages(site, WORST)
    assert len(pages) > 5  # the summary and the top-level units' pages
    for path, html in pages.items():
        assert len(html.encode("utf-8")) <= MAX_PAGE_BYTES, (path, len(html))
    shown: Counter[str] = Counter()
    for html in pages.values():
        shown += group_items(html)
    assert shown == counts


def test_a_busy_department_lists_a_share_of_each_rule_and_counts_the_rest(
    worst: tuple[Path, Counter[str]],
) -> None:
    """A top-level unit's page lists about LISTED_PER_UNIT_PAGE findings, an
    equal share of each rule (at least five), in org order; each group with
    more says how many and points at the units table, which still counts
    every unit's findings."""
    from okrsite.site.pages.quality import LISTED_PER_GROUP_AT_LEAST, LISTED_PER_UNIT_PAGE

    site, _ = worst
    pages = quality_pages(site, WORST)
    unit_pages = {p: h for p, h in pages.items() if p != f"{WORST}/quality/index.html"}
    capped = [h for h in unit_pages.values() if MORE.search(h)]
    assert capped  # the fixture's departments have more findings than a page lists
    for html in capped:
        listed = group_items(html, listed_only=True)
        share = max(LISTED_PER_GROUP_AT_LEAST, LISTED_PER_UNIT_PAGE // len(listed))
        assert all(n <= share for n in listed.values())
        assert sum(listed.values()) <= max(LISTED_PER_UNIT_PAGE, share * len(listed))
        assert 'href="#units"' in html and "okrsite check</code> lists them all" in html
        table = re.search(r'<h2 id="units">.*?</table>', html, re.S)
        assert table is not None
        counted = sum(int(n) for n in re.findall(r"(\d+) (?:errors?|warnings?|info)", table[0]))
        assert counted == sum(group_items(html).values())


def test_summary_counts_by_rule(worst: tuple[Path, Counter[str]]) -> None:
    """The summary's "By rule" table has one row per rule with its count, and
    its headline counts add up to every finding."""
    site, counts = worst
    summary = (site / WORST / "quality" / "index.html").read_text(encoding="utf-8")
    headline = re.search(r"<strong>([^<]*)</strong>", summary)
    assert headline is not None
    numbers = [int(n) for n in re.findall(r"(\d+) (?:errors?|warnings?|info)", headline[1])]
    assert sum(numbers) == sum(counts.values())
    for rule_id, n in counts.items():
        row = re.search(rf"{rule_id} [^<]*</a></td>\s*<td>.*?</td>\s*<td[^>]*>(\d+)</td>", summary,
                        re.S)
        assert row is not None and int(row[1]) == n, rule_id


def test_groups_are_collapsed_and_accessible(worst: tuple[Path, Counter[str]]) -> None:
    """Large groups start closed (native <details>, no script needed), each
    with a <summary> that names the rule and its count, a fix hint and a link
    to the rule's reference; the units' badges land on an anchored row."""
    site, _ = worst
    pages = quality_pages(site, WORST)
    unit_pages = [html for path, html in pages.items() if path != f"{WORST}/quality/index.html"]
    assert unit_pages
    html = max(unit_pages, key=len)
    groups = re.findall(r'<details class="okr-findings" id="rule-okr\d{3}"([^>]*)>\s*'
                        r"<summary>(OKR\d{3}[^<]*)", html)
    assert groups
    for attributes, summary in groups:
        assert "open" not in attributes
        assert re.search(r"· \d+ findings? $", summary)
    assert html.count("<strong>Fix:</strong>") == len(groups)
    assert len(re.findall(r'href="[^"]*rules/#okr\d{3}"', html)) >= len(groups)
    assert re.search(r'id="unit-[a-z0-9-]+"', html)


def test_small_cycle_is_one_page(tmp_path: Path) -> None:
    """Below the split threshold the cycle's findings are on one page; on the
    two-year company each quarter's page stays far below 150 KB."""
    generate(tmp_path, quarters=[(2026, 1)], presence=0.3)
    content = tmp_path / "content"
    counts = Counter(f.rule_id for f in run_checks(load_model(content), today=TODAY)
                     if f.cycle == "2026-Q1" or f.cycle is None)
    assert 20 < sum(counts.values()) <= 150
    site = build_site(tmp_path / "build", content)
    pages = quality_pages(site, "2026-Q1")
    assert list(pages) == ["2026-Q1/quality/index.html"]
    html = pages["2026-Q1/quality/index.html"]
    assert group_items(html) == counts
    assert len(html.encode("utf-8")) < 100_000
