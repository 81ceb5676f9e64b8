"""Rules that stay fair on real content: done milestones need no score,
ended cycles must be graded, near-copies of a parent are caught (with a
measured precision), activity-worded milestones are flagged, and findings
name objectives by title. Real files, real CLI (`okrsite check --format json`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from contentkit import make_content
from realworld_gen import TODAY, UNGRADED_PAST, Truth, generate

from okrsite.checks.text import near_copy
from okrsite.cli import main

COMPANY_Q = """\
name: Acme
method: cascade
cycles:
  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
  - {id: 2026-Q2, start: 2026-04-01, end: 2026-06-30}
"""


def findings(content: Path, today: str, *rules: str) -> list[dict[str, object]]:
    """Findings of ``okrsite check --format json`` (only ``rules`` if given)."""
    args = ["check", "--content", str(content), "--today", today, "--format", "json"]
    for rule_id in rules:
        args += ["--rule", rule_id]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["valid"], data
    return list(data["findings"])


def unit_file(status: str, krs: str, title: str = "Make it easy to start") -> str:
    return f"""\
status: {status}
objectives:
  - id: easier
    title: {title}
    owner: Priya
    aligns_to: [company/grow]
    key_results:
{krs}"""


NUMERIC = "      - {id: ttv, title: Cut time to first value from 14 to 5 days, start: 14, target: 5, current: 9}\n"


# --------------------------------------------------------------------------
# OKR015: a milestone's done is its grade


def test_okr015_quiet_on_done_milestones_fires_on_unscored_numbers(tmp_path: Path) -> None:
    """In a graded file: done and not-done milestones (on the KR or its latest
    check-in) need no score; a numeric KR without a score is still flagged."""
    krs = (
        NUMERIC
        + "      - {id: soc2, title: SOC 2 report issued, kind: milestone, done: true}\n"
        + "      - {id: dpa, title: DPA signed by EU customers, kind: milestone, done: false}\n"
        + "      - {id: sso, title: EU data residency available, kind: milestone,"
        + " checkins: [{date: 2026-03-20, done: true}]}\n"
    )
    content = make_content(tmp_path, {"2026-Q1/product.yaml": unit_file("graded", krs)})
    found = findings(content, "2026-04-02", "OKR015")
    assert [f["key_result"] for f in found] == ["ttv"]
    assert "Cut time to first value" in str(found[0]["message"])


def test_okr015_on_the_generated_company(realworld: tuple[Path, Truth]) -> None:
    """None of the planted done milestones of graded files is asked for a score."""
    content, truth = realworld
    found = findings(content, TODAY.isoformat(), "OKR015")
    flagged = {(f["cycle"], f["unit"], f["objective"], f["key_result"]) for f in found}
    assert truth.done_milestones and not flagged & truth.done_milestones
    assert len(found) > 50  # unscored numeric key results are still reported


# --------------------------------------------------------------------------
# OKR017: an ended cycle left ungraded


def test_okr017_fires_after_grace_on_ungraded_files(tmp_path: Path) -> None:
    """A cycle that ended more than grading_grace_days ago with files not
    graded is reported once, naming how many; within the grace, or once
    every file is graded, it is quiet."""
    content = make_content(tmp_path, {"company.yaml": COMPANY_Q})
    within = findings(content, "2026-04-10", "OKR017")
    assert within == []
    after = findings(content, "2026-04-20", "OKR017")
    assert len(after) == 1
    message = str(after[0]["message"])
    assert after[0]["cycle"] == "2026-Q1"
    assert "2026-Q1 ended on 2026-03-31" in message and "due by 2026-04-14" in message
    assert "2 of 2 files are not graded" in message and "Acme (locked)" in message
    assert str(after[0]["path"]).endswith("2026-Q1/company.yaml")


def test_okr017_quiet_when_graded_and_grace_is_configurable(tmp_path: Path) -> None:
    graded_company = "status: graded\n" + (
        "objectives:\n  - id: grow\n    title: Grow mid-market\n    owner: CEO\n"
        "    key_results:\n      - {id: customers, title: Mid-market customers, start: 150,"
        " target: 350, current: 250, owner: CEO, score: 0.5}\n"
    )
    content = make_content(tmp_path / "a", {
        "company.yaml": COMPANY_Q,
        "2026-Q1/company.yaml": graded_company,
        "2026-Q1/product.yaml": unit_file("graded", NUMERIC.replace("current: 9}", "current: 9, score: 0.6}")),
    })
    assert findings(content, "2026-05-01", "OKR017") == []
    strict = COMPANY_Q + "cadence: {grading_grace_days: 3}\n"
    content = make_content(tmp_path / "b", {"company.yaml": strict})
    assert len(findings(content, "2026-04-05", "OKR017")) == 1


def test_okr017_on_the_generated_company(realworld: tuple[Path, Truth]) -> None:
    """Only the quarter left `locked` after it ended is reported; the current one is not."""
    content, _ = realworld
    found = findings(content, TODAY.isoformat(), "OKR017")
    assert [f["cycle"] for f in found] == [UNGRADED_PAST]


# --------------------------------------------------------------------------
# OKR005: near-copies of the parent


@pytest.mark.parametrize(
    ("child", "parent", "how"),
    [
        ("Win the mid-market", "win the Mid-Market.", "alike"),
        ("Win the mid-market across all regions", "Win the mid-market", "parent-in-child"),
        ("Grow mid-market ARR", "Grow mid-market ARR from $12M to $18M", "child-in-parent"),
        ("Raise net revenue retention up from 104% to 112%",
         "Raise net revenue retention from 104% to 112%", "alike"),
        ("Make churn and renewal risk visible to sales weekly",
         "Make renewal and churn risk visible weekly", "alike"),
        ("Support the goal: Cut P1 incidents from 14 to 4 per quarter",
         "Cut P1 incidents from 14 to 4 per quarter", "parent-in-child"),
        ("Weekly churn risk visible for the renewal team",
         "Make renewal and churn risk visible weekly", "overlap"),
    ],
)
def test_near_copy_catches(child: str, parent: str, how: str) -> None:
    found = near_copy(child, parent)
    assert found is not None and found.how == how


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("Make trials convert for mid-market finance teams", "Win the mid-market"),
        ("Raise week-4 activation for self-serve trials by fixing the empty first dashboard",
         "Raise week-4 activation from 31% to 45%"),
        ("Win the mid-market for self-serve trials by fixing the empty first dashboard",
         "Win the mid-market"),
        ("Revenue", "Grow revenue in EMEA and the Nordics"),
    ],
)
def test_near_copy_leaves_specific_children(child: str, parent: str) -> None:
    assert near_copy(child, parent) is None


def test_okr005_cli_reports_containment(tmp_path: Path) -> None:
    """Through the CLI: a child that is the parent plus a few words is reported."""
    content = make_content(tmp_path, {
        "company.yaml": COMPANY_Q.replace("  - {id: 2026-Q2, start: 2026-04-01, end: 2026-06-30}\n", ""),
        "2026-Q1/product.yaml": unit_file("locked", NUMERIC, "Grow mid-market in EMEA"),
    })
    found = findings(content, "2026-02-01", "OKR005")
    assert len(found) == 1
    assert "'Grow mid-market in EMEA' repeats what it aligns to, 'Grow mid-market'" in str(
        found[0]["message"]
    )
    assert "its title contains the parent's" in str(found[0]["message"])


@pytest.mark.parametrize("variant", ["tuning", "heldout"])
def test_okr005_precision_and_recall_on_generated_companies(
    tmp_path: Path, variant: str
) -> None:
    """On both variants (held-out: other titles, other ways of copying, never
    tuned on) OKR005 finds every planted copy and nothing else, though about
    as many objectives share words with their parent on purpose. The rule's
    docstring states these numbers."""
    truth = generate(tmp_path, variant=variant)
    found = findings(tmp_path / "content", TODAY.isoformat(), "OKR005")
    hits = {(f["cycle"], f["unit"], f["objective"]) for f in found}
    assert len(truth.near_copies) > 40 and len(truth.specific_children) > 40
    true_positives = hits & truth.near_copies
    precision = len(true_positives) / len(hits)
    recall = len(true_positives) / len(truth.near_copies)
    assert precision >= 0.95, sorted(hits - truth.near_copies)[:5]
    assert recall >= 0.95, sorted(truth.near_copies - hits)[:5]
    assert not hits & truth.specific_children


# --------------------------------------------------------------------------
# OKR001: activity-worded milestones


def test_okr001_flags_declared_activity_milestone_unless_allowed(tmp_path: Path) -> None:
    krs = (
        NUMERIC
        + "      - {id: portal, title: Launch the partner portal, kind: milestone, done: false}\n"
        + "      - {id: sso, title: Implement SSO, kind: milestone, done: true,"
        + " allow: [OKR001]}\n"
        + "      - {id: soc2, title: SOC 2 report issued, kind: milestone, done: true}\n"
    )
    content = make_content(tmp_path, {"2026-Q1/product.yaml": unit_file("locked", krs)})
    found = findings(content, "2026-02-01", "OKR001")
    assert [f["key_result"] for f in found] == ["portal"]
    assert "declared 'kind: milestone'" in str(found[0]["message"])
    assert "allow: [OKR001]" in str(found[0]["hint"])


def test_okr001_on_the_generated_company(realworld: tuple[Path, Truth]) -> None:
    content, truth = realworld
    found = findings(content, TODAY.isoformat(), "OKR001")
    flagged = {(f["cycle"], f["unit"], f["objective"], f["key_result"]) for f in found}
    assert truth.activity_milestones <= flagged
    assert not flagged & truth.allowed_activity_milestones


# --------------------------------------------------------------------------
# titles, not ids


def test_messages_name_objectives_and_key_results_by_title(
    realworld: tuple[Path, Truth],
) -> None:
    """No finding quotes an objective or key result by its id."""
    content, _ = realworld
    found = findings(content, TODAY.isoformat())
    assert any(f["rule"] == "OKR010" for f in found)
    for f in found:
        ids = {str(f["objective"]), str(f["key_result"])} - {"None"}
        for node_id in ids:
            assert not re.search(rf"(objective|key result) '{re.escape(node_id)}'", str(f["message"])), f
    okr010 = next(f for f in found if f["rule"] == "OKR010" and f["objective"])
    assert re.search(r"objective '[A-Z][^']{6,}' has \d key result", str(okr010["message"]))


@pytest.fixture(scope="module")
def realworld(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    root = tmp_path_factory.mktemp("realworld")
    truth = generate(root, variant="tuning")
    return root / "content", truth
