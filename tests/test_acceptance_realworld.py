"""Issue #14's acceptance list, checked as a new user would: the `okrsite init`
starter, then made messy by hand the way a busy company writes OKRs, built
with the real CLI and real `okrsite build --strict` (MkDocs, Material).

This fixture is deliberately separate from the ones the rules and pages were
tuned on (tests/fixtures/realworld/, tests/realworld_gen.py): a quarter long
past and still ``locked``, a KR note with a Markdown link and a bare URL, a
score of 0.66 with green at 0.7 (and, in a second site, progress 0.88 with
green at 0.9), a score of 1.2, co-owners, quoted ISO dates, a department
without teams, a done milestone in a graded file, activity-worded milestones,
and a unit ``.md`` body."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from contentkit import write_files

from okrsite.cli import main
from okrsite.render.richtext import markdown_html

TODAY = "2026-11-27"

COMPANY = """\
name: Quillfield
mission: Help small clinics run on time.
method: hybrid
scoring: {{green: {green}, yellow: 0.4}}
cycles:
  - id: 2024-Q1            # ended long ago, never graded
    start: '2024-01-01'    # quoted, as many YAML writers emit dates
    end: '2024-03-31'
  - id: 2025-Q4
    start: 2025-10-01
    end: 2025-12-31
  - id: 2026-Q4
    start: "2026-10-01"
    end: "2026-12-31"
"""

ORG = """\
units:
  - {id: product, name: Product, kind: department, parent: company, lead: Pat Lee}
  - {id: product-onboarding, name: Onboarding, kind: team, parent: product, lead: Sam Rivera}
  - {id: finance, name: Finance, kind: department, parent: company, lead: Dana Ruiz}
"""

OLD_UNGRADED = """\
status: locked
objectives:
  - id: launch
    title: Get the first clinics live
    owner: Alex Kim
    key_results:
      - {id: clinics, title: Grow live clinics from 0 to 20, owner: Alex Kim,
         start: 0, target: 20, current: 14}
      - {id: churn, title: Keep clinic churn under 5 percent, owner: Alex Kim,
         start: 8, target: 5, current: 6}
"""

GRADED = """\
status: graded
objectives:
  - id: faster
    title: Make clinics faster at booking
    owner: Pat Lee
    key_results:
      - id: booking-time
        title: Cut median booking time from 90 to 30 seconds
        owner: Pat Lee
        start: 90
        target: 30
        current: 50
        unit: s
        score: 0.66
        note: "Learned: the **calendar sync** was the bottleneck, see [retro](https://wiki.quillfield.example/retro)"
      - {id: nps, title: Raise clinic NPS from 30 to 40, owner: Sam Rivera,
         start: 30, target: 40, current: 42, score: 1.2}
      - id: sso
        title: Ship single sign-on for clinic groups
        kind: milestone
        done: true
        owner: Sam Rivera
"""

CURRENT_COMPANY = """\
status: locked
objectives:
  - id: grow
    title: Become the obvious choice for small clinics
    owner: Alex Kim
    owners: [Jo Park]
    description: |
      See the [strategy memo](https://wiki.quillfield.example/strategy)
      and https://wiki.quillfield.example/board/q4 for context.
    key_results:
      - id: customers
        title: Grow paying clinics from 100 to 150
        owner: Alex Kim
        owners: [Jo Park, Riya Shah]
        start: 100
        target: 150
        current: 144
        unit: clinics
        note: "On track, see [PIPE-12](https://jira.quillfield.example/browse/PIPE-12) and https://dash.quillfield.example/pipeline."
        checkins:
          - {date: 2026-10-16, value: 112, confidence: 0.7, note: Good first two weeks}
      - id: activation
        title: New sign-ups that reach their first result in week one
        owner: Pat Lee
        start: 0
        target: 100
        current: 88
        unit: "%"
        checkins:
          - {date: 2026-10-16, value: 88, confidence: 0.6, note: "BLOCKED: onboarding checklist waits for legal review"}
      - id: easiest
        title: Clinics describe us as their easiest vendor
        owner: Jo Park
        note: Judged from the December interviews; no number on purpose.
"""

CURRENT_PRODUCT = """\
---
status: locked
objectives:
  - id: easier-start
    title: Make it easy for new clinics to get started
    owner: Pat Lee
    aligns_to: [company/grow]
    key_results:
      - id: time-to-value
        title: Cut median days from sign-up to first result from 10 to 4
        owner: Pat Lee
        start: 10
        target: 4
        current: 8
        unit: days
        contributes_to: [company/grow/activation]
      - id: launch-wizard
        title: Launch the new setup wizard
        kind: milestone
        done: false
        owner: Sam Rivera
---
## How we work this quarter

**Activation first.** Board: https://jira.quillfield.example/boards/7 and the
[Q4 plan](https://wiki.quillfield.example/product/q4).
"""

CURRENT_FINANCE = """\
status: locked
objectives:
  - id: cash
    title: Keep eighteen months of runway
    owner: Dana Ruiz
    key_results:
      - {id: runway, title: Months of runway at quarter end from 15 to 18, owner: Dana Ruiz,
         start: 15, target: 18, current: 17}
"""

BAND_WORDS = {"on track": "green", "at risk": "yellow", "off track": "red"}
SHOWN = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(%?) · (on track|at risk|off track)")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def make_project(root: Path, *, green: float) -> Path:
    code, out = run("init", str(root))
    assert code == 0, out
    content = root / "content"
    for old in (content / "2026-Q4").iterdir():
        old.unlink()
    write_files(content, {
        "company.yaml": COMPANY.format(green=green),
        "org.yaml": ORG,
        "2024-Q1/company.yaml": OLD_UNGRADED,
        "2025-Q4/product.yaml": GRADED,
        "2026-Q4/company.yaml": CURRENT_COMPANY,
        "2026-Q4/product.md": CURRENT_PRODUCT,
        "2026-Q4/finance.yaml": CURRENT_FINANCE,
    })
    return root


def build(root: Path) -> Path:
    site = root / "site"
    code, out = run("build", "-f", str(root / "mkdocs.yml"), "--site-dir", str(site),
                    "--strict", "--today", TODAY)
    assert code == 0, out
    return site


def page_text(path: Path) -> str:
    """What a reader sees: tags, scripts, styles and SVG dropped, entities decoded."""
    raw = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", path.read_text())
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("accept") / "quillfield", green=0.7)


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    return build(project)


def check_json(project: Path) -> dict:
    code, out = run("check", "--content", str(project / "content"), "--today", TODAY,
                    "--format", "json")
    assert code == 0, out
    return json.loads(out)


def test_per_rule_summary_matches_json_counts(project: Path) -> None:
    code, out = run("check", "--content", str(project / "content"), "--today", TODAY)
    assert code == 0, out
    summary = {}
    for line in out.split("findings by rule:\n", 1)[1].splitlines():
        match = re.fullmatch(r"(OKR\d{3}) [a-z0-9-]+ (\d+)", line)
        if match:
            summary[match[1]] = int(match[2])
    data = check_json(project)
    counted: dict[str, int] = {}
    for finding in data["findings"]:
        counted[finding["rule"]] = counted.get(finding["rule"], 0) + 1
    assert summary == counted == data["by_rule"]
    assert sum(summary.values()) == len(data["findings"]) >= 5


def test_ended_ungraded_cycle_reported(project: Path) -> None:
    findings = check_json(project)["findings"]
    ended = [f for f in findings if f["rule"] == "OKR017"]
    assert [(f["cycle"], f["path"]) for f in ended] == [("2024-Q1", "content/2024-Q1/company.yaml")]


def test_done_milestone_not_asked_for_score_but_activity_flagged(project: Path) -> None:
    findings = check_json(project)["findings"]
    about_sso = [f["rule"] for f in findings if f["key_result"] == "sso"]
    assert "OKR015" not in about_sso  # done is its grade
    assert "OKR001" in about_sso  # 'Ship …', declared kind: milestone
    assert any(f["rule"] == "OKR001" and f["key_result"] == "launch-wizard" for f in findings)


def test_quoted_iso_dates_are_dates_other_text_is_not(project: Path, tmp_path: Path) -> None:
    data = check_json(project)
    assert data["valid"] and data["summary"]["error"] == 0
    bad = make_project(tmp_path / "bad", green=0.7)
    company = bad / "content" / "company.yaml"
    company.write_text(company.read_text().replace("end: '2024-03-31'", "end: 'end of March'"))
    code, out = run("check", "--content", str(bad / "content"), "--today", TODAY)
    assert code == 1
    assert re.search(r"company\.yaml:8:\d+: ", out), out
    assert "Traceback" not in out


@pytest.mark.parametrize(("args", "why"), [
    (["--date", "2027-03-01"], "no cycle"),  # after the last cycle
    (["--date", "2025-06-01"], "no cycle"),  # in the gap between two cycles
    (["--date", "2023-12-31"], "no cycle"),  # before the first
])
def test_checkin_outside_every_cycle_refused_file_untouched(
    tmp_path: Path, args: list[str], why: str
) -> None:
    root = make_project(tmp_path / "p", green=0.7)
    files = {p: p.read_bytes() for p in (root / "content").rglob("*") if p.is_file()}
    code, out = run("checkin", "product/easier-start/time-to-value", "7", *args,
                    "--content", str(root / "content"), "--today", TODAY)
    assert code == 1
    assert why in out and "nothing was written" in out
    assert files == {p: p.read_bytes() for p in (root / "content").rglob("*") if p.is_file()}


def test_markdown_and_bare_links_are_links_no_raw_syntax(site: Path) -> None:
    company = (site / "2026-Q4/company/index.html").read_text()
    for url in ("https://wiki.quillfield.example/strategy",  # Markdown link, description
                "https://wiki.quillfield.example/board/q4",  # bare URL, description
                "https://jira.quillfield.example/browse/PIPE-12",  # Markdown link, note
                "https://dash.quillfield.example/pipeline"):  # bare URL, note
        assert re.search(rf'<a href="{re.escape(url)}" rel="noopener[^"]*">', company), url
    assert 'href="https://dash.quillfield.example/pipeline."' not in company  # no trailing dot
    product = (site / "2026-Q4/product/index.html").read_text()  # the unit's .md body
    assert '<a href="https://jira.quillfield.example/boards/7"' in product
    assert '<a href="https://wiki.quillfield.example/product/q4"' in product
    assert "## How we work" not in page_text(site / "2026-Q4/product/index.html")
    raw = [p for p in site.rglob("*.html") if "](" in page_text(p)]
    assert raw == []


def test_status_and_grading_notes_on_the_pages(site: Path) -> None:
    current = page_text(site / "2026-Q4/company/index.html")
    assert "BLOCKED: onboarding checklist waits for legal review" in current
    assert "On track, see PIPE-12 and" in current
    graded = page_text(site / "2025-Q4/product/index.html")
    assert "the calendar sync was the bottleneck" in graded


def test_co_owners_shown_and_exported(site: Path) -> None:
    text = page_text(site / "2026-Q4/company/index.html")
    assert "Owners: Alex Kim, Jo Park, Riya Shah" in text
    exported = json.loads((site / "okrs.json").read_text())
    assert "Jo Park" in json.dumps(exported)


def every_shown_value(site: Path) -> list[tuple[Path, float, str]]:
    shown = []
    for path in site.rglob("*.html"):
        for number, percent, word in SHOWN.findall(page_text(path)):
            value = float(number) / 100 if percent else float(number)
            shown.append((path, value, BAND_WORDS[word]))
    return shown


def band_of(value: float, green: float, yellow: float = 0.4) -> str:
    return "green" if value >= green else "yellow" if value >= yellow else "red"


def test_shown_numbers_agree_with_their_bands_and_066_is_066(site: Path) -> None:
    shown = every_shown_value(site)
    assert len(shown) > 20
    disagree = [(p.relative_to(site), v, b) for p, v, b in shown if band_of(v, 0.7) != b]
    assert disagree == []
    graded = page_text(site / "2025-Q4/product/index.html")
    assert "0.66 · at risk" in graded
    assert "1.2 · on track" in graded  # over-achievement kept, not capped to 1.0
    for path in site.rglob("*.html"):
        text = page_text(path)
        assert "0.7 · at risk" not in text and "70% · at risk" not in text, path
    exported = json.loads((site / "okrs.json").read_text())
    krs = {kr["id"]: kr for cycle in exported["cycles"] for unit in cycle["units"]
           for objective in unit["objectives"] for kr in objective["key_results"]}
    assert (krs["booking-time"]["score"], krs["booking-time"]["band"]) == (0.66, "yellow")
    assert krs["nps"]["score"] == 1.2
    row = next(line for line in (site / "okrs.csv").read_text().splitlines()
               if ",booking-time," in line)
    assert ",0.66,yellow," in row and ",0.7," not in row


def test_progress_088_with_green_at_09_is_not_shown_as_09(tmp_path: Path) -> None:
    site = build(make_project(tmp_path / "strict-green", green=0.9))
    shown = every_shown_value(site)
    disagree = [(p.relative_to(site), v, b) for p, v, b in shown if band_of(v, 0.9) != b]
    assert disagree == []
    text = page_text(site / "2026-Q4/company/index.html")
    assert "88% · at risk" in text
    for path in site.rglob("*.html"):
        page = page_text(path)
        assert "90% · at risk" not in page and "0.9 · at risk" not in page, path


def test_md_body_lines_join_yaml_notes_keep_their_breaks(site: Path) -> None:
    """A unit's .md body is a Markdown document, hard-wrapped in an editor:
    single newlines join into one paragraph. A YAML note keeps its line breaks."""
    product = (site / "2026-Q4/product/index.html").read_text()
    body = re.search(r"(?s)<strong>Activation first\.</strong>.*?</p>", product)
    assert body is not None
    assert "<br" not in body[0] and "and the\n" in body[0]
    assert markdown_html("Done: a\nNext: b") == "<p>Done: a<br>\nNext: b</p>"
    assert markdown_html("Done: a\nNext: b", hard_breaks=False) == "<p>Done: a\nNext: b</p>"


def test_ended_ungraded_cycle_overview_does_not_say_so_far(site: Path) -> None:
    """2024-Q1 ended years ago and was never graded: its overview reports the
    end state, not a running "so far"; the current cycle still says "So far"."""
    old = page_text(site / "2024-Q1/index.html")
    assert "At the end (not graded): 1 objective · 2 key results ·" in old and "So far" not in old
    assert "So far: 3 objectives" in page_text(site / "2026-Q4/index.html")
    assert "Results: 1 objective · 3 key results ·" in page_text(site / "2025-Q4/index.html")


def test_unit_page_rollup_labels_sit_before_their_bars() -> None:
    """A unit page shows two roll-ups side by side: each reads "own OKRs: [bar]
    37% · off track", label first and the whole kept on one line (a trailing
    "· incl. teams" read as the next bar's label and wrapped away from its own)."""
    from okrsite.model import Scoring
    from okrsite.site.pages.components import progress_bar

    scoring = Scoring(green=0.7, yellow=0.4)
    own = str(progress_bar(0.37, scoring, scope="own", label_first=True))
    teams = str(progress_bar(0.44, scoring, scope="teams", label_first=True))
    assert re.fullmatch(
        r'<span class="okr-rollup"><span class="okr-scope">own OKRs:</span> '
        r'<span class="okr-progress .*>37% · off track</span></span>', own)
    assert teams.startswith('<span class="okr-rollup"><span class="okr-scope">incl. teams:</span>')
    assert "44% · at risk</span></span>" in teams
    css = (Path(__file__).resolve().parents[1] / "templates/okrsite.css").read_text()
    rule = re.search(r"\.okr-rollup \{([^}]*)\}", css)
    assert rule is not None and "white-space: nowrap" in rule[1]


def test_kr_without_numbers_reads_no_data_without_a_stray_dash(site: Path) -> None:
    """A qualitative KR (no start, target or value) shows its bar's "no data"
    and nothing else: no lone "–" beside it on the unit page or in the lists."""
    unit = page_text(site / "2026-Q4/company/index.html")
    assert "Clinics describe us as their easiest vendor – · no data · Owner: Jo Park" in unit
    for page in ("2026-Q4/index.html", "index.html"):
        text = page_text(site / page)
        assert "Clinics describe us as their easiest vendor – · no data " in text
        assert "no data ( – )" not in text and "no data (–)" not in text
