"""The OKR quality coach (okrsite.checks): each rule fires and stays quiet,
configuration, allow lists, determinism, report formats and the CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from contentkit import write_files

from okrsite.checks import RULES, RULES_BY_ID, Finding, run_checks
from okrsite.checks.report import (
    escape_data,
    escape_property,
    fails,
    format_github,
    format_json,
    format_text,
    summary,
)
from okrsite.checks.text import activity_verb, similarity
from okrsite.errors import SourceLocation
from okrsite.site.findings import site_findings
from okrsite.validate import load_model

TODAY = dt.date(2026, 2, 10)
RECENT = dt.date(2026, 2, 6)


def kr(kr_id: str, title: str, **extra: Any) -> dict[str, Any]:
    """A healthy numeric key result (owner, start → target, a recent check-in)."""
    data: dict[str, Any] = {
        "id": kr_id,
        "title": title,
        "owner": "Kim",
        "start": 10,
        "target": 20,
        "current": 14,
        "checkins": [{"date": RECENT, "value": 14}],
    }
    data.update(extra)
    return data


def good_content() -> dict[str, Any]:
    """A small company with no findings at TODAY (hybrid method).

    company → product (department) → onboarding (team); support (service
    unit with health metrics). Every company KR is supported by exactly one
    unit, every unit objective aligns upwards with a more specific title.
    """
    return {
        "company.yaml": {
            "name": "Northwind",
            "method": "hybrid",
            "cycles": [
                {"id": "2026-Q1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
            ],
        },
        "org.yaml": {
            "units": [
                {"id": "product", "name": "Product", "kind": "department"},
                {"id": "onboarding", "name": "Onboarding", "kind": "team", "parent": "product"},
                {"id": "support", "name": "Support", "kind": "service"},
            ]
        },
        "2026-Q1/company.yaml": {
            "status": "locked",
            "locked_on": dt.date(2025, 12, 20),
            "objectives": [
                {
                    "id": "midmarket",
                    "title": "Win the mid-market",
                    "owner": "Elena",
                    "key_results": [
                        kr("revenue", "Grow mid-market revenue"),
                        kr("retention", "Raise logo retention"),
                    ],
                }
            ],
        },
        "2026-Q1/product.yaml": {
            "status": "locked",
            "objectives": [
                {
                    "id": "easier-start",
                    "title": "Make it easy for new teams to get started",
                    "owner": "Priya",
                    "aligns_to": ["company/midmarket/revenue"],
                    "key_results": [
                        kr("time-to-value", "Cut days to first dashboard",
                           start=14, target=5, current=9),
                        kr("keep", "Fewer churned trials",
                           contributes_to=["company/midmarket/retention"]),
                    ],
                }
            ],
        },
        "2026-Q1/onboarding.yaml": {
            "status": "locked",
            "objectives": [
                {
                    "id": "checklist",
                    "title": "Guide trial users through a setup checklist",
                    "owner": "Sam",
                    "aligns_to": ["product/easier-start/time-to-value"],
                    "key_results": [
                        kr("completion", "Checklist completion rate"),
                        kr("activation", "Activated trial workspaces"),
                    ],
                }
            ],
        },
        "2026-Q1/support.yaml": {
            "status": "locked",
            "health_metrics": [{"title": "First response", "target": "< 4h", "current": "3h"}],
        },
    }


def write_content(tmp_path: Path, files: dict[str, Any]) -> Path:
    """Write a content tree (YAML from dicts, or text as is) under tmp_path/content."""
    return write_files(tmp_path / "content", files)


def check(tmp_path: Path, files: dict[str, Any], today: dt.date = TODAY) -> list[Finding]:
    """Write ``files``, load and validate them, and run every rule."""
    return run_checks(load_model(write_content(tmp_path, files)), today=today)


def ids(findings: list[Finding]) -> list[str]:
    return [f.rule_id for f in findings]


def of(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


def objective(content: dict[str, Any], unit: str, index: int = 0) -> dict[str, Any]:
    """The index-th objective of a unit's 2026-Q1 file (mutable)."""
    return content[f"2026-Q1/{unit}.yaml"]["objectives"][index]


# --------------------------------------------------------------------------
# The registry


def test_rules_are_registered_in_id_order_with_docs() -> None:
    """Every rule has a unique OKR id (in order), a kebab name, a hint and a doc paragraph."""
    assert [r.id for r in RULES] == sorted({r.id for r in RULES})
    for r in RULES:
        assert re.fullmatch(r"OKR\d{3}", r.id)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.name), r.name
        assert r.hint and "\n" not in r.hint
        assert len(r.doc) > 80, r.id
        assert r.methods <= {"cascade", "align", "hybrid"} and r.methods
        assert r.severity in ("error", "warning", "info")
    assert {f"OKR{n:03d}" for n in range(0, 17)} <= set(RULES_BY_ID)


@pytest.mark.parametrize("method", ["cascade", "align", "hybrid"])
def test_good_content_has_no_findings(tmp_path: Path, method: str) -> None:
    """The baseline content is clean under every method: no rule fires on good input."""
    content = good_content()
    content["company.yaml"]["method"] = method
    assert check(tmp_path, content) == []


# --------------------------------------------------------------------------
# OKR001 activity not outcome


def test_okr001_fires_on_activity_without_target(tmp_path: Path) -> None:
    """'Launch …' with no start/target is an activity; reported once (not also OKR002)."""
    content = good_content()
    objective(content, "onboarding")["key_results"][0] = {
        "id": "launch", "title": "Launch the new checklist", "owner": "Sam",
        "checkins": [{"date": RECENT, "note": "in QA"}],
    }
    found = check(tmp_path, content)
    assert ids(found) == ["OKR001"]
    assert "'launch'" in found[0].message and found[0].key_result == "launch"
    assert found[0].location.path.endswith("2026-Q1/onboarding.yaml")
    assert found[0].location.line > 1


def test_okr001_fires_on_implicit_milestone_and_later_clause(tmp_path: Path) -> None:
    """An implicit milestone (done, no kind) and 'Design and ship …' are activities."""
    content = good_content()
    krs = objective(content, "onboarding")["key_results"]
    krs[0] = {"id": "a", "title": "Hire two designers", "owner": "Sam", "done": False,
              "checkins": [{"date": RECENT, "done": False}]}
    krs[1] = {"id": "b", "title": "Design and ship SSO", "owner": "Sam", "kind": "numeric",
              "checkins": [{"date": RECENT, "value": 1}]}
    found = of(check(tmp_path, content), "OKR001")
    assert [f.key_result for f in found] == ["a", "b"]


def test_okr001_quiet_on_measurable_or_reviewed_milestone(tmp_path: Path) -> None:
    """Activity words are fine with a real start → target, or as a milestone
    reviewed with ``allow: [OKR001]``; outcome verbs and nouns in mid-title are
    not activities."""
    content = good_content()
    krs = objective(content, "onboarding")["key_results"]
    krs[0] = kr("a", "Hire engineers to reach a team of 12", start=8, target=12)
    krs[1] = {"id": "b", "title": "Launch SSO", "owner": "Sam", "kind": "milestone",
              "done": False, "checkins": [{"date": RECENT, "done": False}],
              "allow": ["OKR001"]}
    assert of(check(tmp_path, content), "OKR001") == []
    assert activity_verb("Cut build time from 20 to 8 minutes") is None
    assert activity_verb("Increase activation") is None
    assert activity_verb("We will roll out the new plan") == "roll out"
    assert activity_verb("Shipped the beta") == "shipped"


# --------------------------------------------------------------------------
# OKR002 no start or target


def test_okr002_fires_on_missing_start_or_equal_target(tmp_path: Path) -> None:
    """Missing start, missing target, start == target and a threshold without target."""
    content = good_content()
    krs = objective(content, "onboarding")["key_results"]
    krs[0] = kr("a", "Checklist completion rate", start=None)
    krs[1] = kr("b", "Activated trial workspaces", start=20, target=20)
    krs.append(kr("c", "Weekly active teams", target=None))
    krs.append({"id": "d", "title": "Uptime", "owner": "Sam", "kind": "threshold",
                "direction": "above", "checkins": [{"date": RECENT, "value": 99.9}]})
    found = of(check(tmp_path, content), "OKR002")
    messages = {f.key_result: f.message for f in found}
    assert set(messages) == {"a", "b", "c", "d"}
    assert "no start" in messages["a"]
    assert "start equal to target (20)" in messages["b"]
    assert "no target" in messages["c"]
    assert "threshold" in messages["d"]


def test_okr002_quiet_on_milestones_thresholds_and_ranges(tmp_path: Path) -> None:
    """Milestones, thresholds with a target and decreasing ranges are measurable."""
    content = good_content()
    krs = objective(content, "onboarding")["key_results"]
    krs[0] = {"id": "a", "title": "SSO generally available", "owner": "Sam", "kind": "milestone",
              "done": True}
    krs[1] = kr("b", "Uptime", kind="threshold", target=99.9, direction="above", start=None)
    krs.append(kr("c", "Days to first value", start=14, target=5))
    assert of(check(tmp_path, content), "OKR002") == []


def test_okr002_reports_activity_kr_when_okr001_is_off(tmp_path: Path) -> None:
    """With OKR001 turned off, an activity KR without numbers is still caught by OKR002."""
    content = good_content()
    content["company.yaml"]["checks"] = {"OKR001": "off"}
    objective(content, "onboarding")["key_results"][0] = {
        "id": "launch", "title": "Launch the checklist", "owner": "Sam",
        "checkins": [{"date": RECENT, "note": "QA"}],
    }
    assert ids(check(tmp_path, content)) == ["OKR002"]


# --------------------------------------------------------------------------
# OKR003 / OKR004 owners


def test_okr003_fires_on_objective_without_owner(tmp_path: Path) -> None:
    """An objective without owner is reported once; its owner-less KRs are not repeated."""
    content = good_content()
    obj = objective(content, "onboarding")
    del obj["owner"]
    for item in obj["key_results"]:
        del item["owner"]
    found = check(tmp_path, content)
    assert ids(found) == ["OKR003"]
    assert found[0].objective == "checklist" and found[0].key_result is None


def test_okr004_fires_when_okr003_is_off(tmp_path: Path) -> None:
    """KRs with no owner anywhere are reported per KR when OKR003 does not report them."""
    content = good_content()
    content["company.yaml"]["checks"] = {"OKR003": "off"}
    obj = objective(content, "onboarding")
    del obj["owner"]
    del obj["key_results"][1]["owner"]
    found = check(tmp_path, content)
    assert ids(found) == ["OKR004"]
    assert found[0].key_result == "activation"


def test_okr004_quiet_when_kr_inherits_objective_owner(tmp_path: Path) -> None:
    """A KR without its own owner inherits its objective's owner."""
    content = good_content()
    for item in objective(content, "onboarding")["key_results"]:
        del item["owner"]
    assert check(tmp_path, content) == []


# --------------------------------------------------------------------------
# OKR005 repeats parent


def repeat_parent(content: dict[str, Any]) -> None:
    objective(content, "product")["title"] = "Grow mid-market revenue!"


def test_okr005_fires_under_cascade(tmp_path: Path) -> None:
    """Under cascade, an objective titled like the KR it aligns to is a warning."""
    content = good_content()
    content["company.yaml"]["method"] = "cascade"
    repeat_parent(content)
    found = of(check(tmp_path, content), "OKR005")
    assert len(found) == 1 and found[0].severity == "warning"
    assert "company/midmarket/revenue" in found[0].message
    assert found[0].unit == "product"


def test_okr005_info_under_hybrid_and_quiet_under_align(tmp_path: Path) -> None:
    """Hybrid reports a repeat as info; align does not check it at all."""
    content = good_content()
    repeat_parent(content)
    assert [f.severity for f in of(check(tmp_path / "h", content), "OKR005")] == ["info"]
    content["company.yaml"]["method"] = "align"
    assert of(check(tmp_path / "a", content), "OKR005") == []


def test_similarity() -> None:
    """Near-identical titles score ≥ 0.8; a more specific one does not."""
    assert similarity("Win the mid-market", "Win the Mid-Market.") == 1.0
    assert similarity("Grow mid-market revenue", "Grow our mid-market revenue") >= 0.8
    assert similarity("Win the mid-market", "Make trials convert for mid-market teams") < 0.8


# --------------------------------------------------------------------------
# OKR006 aligns to nothing


def test_okr006_fires_on_unaligned_objective(tmp_path: Path) -> None:
    """A unit objective whose KRs do not link upwards either is flagged (info under align)."""
    content = good_content()
    objective(content, "onboarding")["aligns_to"] = []
    objective(content, "onboarding")["related"] = ["product/easier-start"]
    found = of(check(tmp_path / "h", content), "OKR006")
    assert [(f.unit, f.severity) for f in found] == [("onboarding", "warning")]
    content["company.yaml"]["method"] = "align"
    assert [f.severity for f in of(check(tmp_path / "a", content), "OKR006")] == ["info"]


def test_okr006_quiet_when_a_kr_contributes(tmp_path: Path) -> None:
    """An objective counts as aligned when one of its KRs contributes upwards."""
    content = good_content()
    obj = objective(content, "onboarding")
    obj["aligns_to"] = []
    obj["key_results"][0]["contributes_to"] = ["product/easier-start/time-to-value"]
    assert of(check(tmp_path, content), "OKR006") == []


# --------------------------------------------------------------------------
# OKR007 unsupported company KR / OKR008 shared KR


def test_okr007_fires_on_company_kr_nobody_supports(tmp_path: Path) -> None:
    """A company KR with no unit linking to it is flagged; objective-level support is mentioned."""
    content = good_content()
    product = objective(content, "product")
    product["aligns_to"] = ["company/midmarket"]
    found = of(check(tmp_path, content), "OKR007")
    assert [f.key_result for f in found] == ["revenue"]
    assert "1 unit aligns to its objective" in found[0].message
    assert found[0].unit == "company"


def test_okr007_quiet_before_units_write_okrs(tmp_path: Path) -> None:
    """While no unit has written OKRs for the cycle, unsupported company KRs are not flagged."""
    content = good_content()
    for unit in ("product", "onboarding", "support"):
        del content[f"2026-Q1/{unit}.yaml"]
    assert of(check(tmp_path, content), "OKR007") == []


def test_okr008_lists_units_sharing_a_kr(tmp_path: Path) -> None:
    """Two units supporting one KR is an info finding listing both."""
    content = good_content()
    first = objective(content, "onboarding")["key_results"][0]
    first["contributes_to"] = ["company/midmarket/revenue"]
    found = of(check(tmp_path, content), "OKR008")
    assert len(found) == 1 and found[0].severity == "info"
    assert "2 units: Onboarding, Product" in found[0].message


def test_okr008_quiet_with_one_supporter(tmp_path: Path) -> None:
    """One supporting unit per KR is no overlap."""
    assert of(check(tmp_path, good_content()), "OKR008") == []


# --------------------------------------------------------------------------
# OKR009 depth


def test_okr009_fires_below_three_levels(tmp_path: Path) -> None:
    """A unit four levels below the company is flagged at its org.yaml entry."""
    content = good_content()
    content["org.yaml"]["units"] += [
        {"id": "squad", "name": "Squad", "kind": "team", "parent": "onboarding"},
        {"id": "pod", "name": "Pod", "kind": "team", "parent": "squad"},
    ]
    found = of(check(tmp_path, content), "OKR009")
    assert [f.unit for f in found] == ["pod"]
    assert found[0].location.path.endswith("org.yaml") and found[0].location.line > 1
    assert "company → product → onboarding → squad → pod" in found[0].message


def test_okr009_limit_is_configurable(tmp_path: Path) -> None:
    """check_limits.max_depth lowers the limit; three levels are fine by default."""
    content = good_content()
    assert of(check(tmp_path / "a", content), "OKR009") == []
    content["company.yaml"]["check_limits"] = {"max_depth": 1}
    assert [f.unit for f in of(check(tmp_path / "b", content), "OKR009")] == ["onboarding"]


# --------------------------------------------------------------------------
# OKR010 counts


def test_okr010_fires_on_too_many_company_objectives_and_krs(tmp_path: Path) -> None:
    """Four company objectives (at the fourth) and one-KR / six-KR objectives are flagged."""
    content = good_content()
    company = content["2026-Q1/company.yaml"]["objectives"]
    for n in range(3):
        company.append({"id": f"extra-{n}", "title": f"Extra goal {n}", "owner": "Elena",
                        "key_results": [kr(f"k{n}", f"Metric {n}"), kr(f"j{n}", f"Other {n}")]})
    content["company.yaml"]["checks"] = {"OKR007": "off"}
    onboarding = objective(content, "onboarding")
    onboarding["key_results"] = onboarding["key_results"][:1]
    product = objective(content, "product")
    product["key_results"] += [kr(f"more-{n}", f"More {n}") for n in range(4)]
    found = of(check(tmp_path, content), "OKR010")
    by_unit = {f.unit: f for f in found}
    assert set(by_unit) == {"company", "onboarding", "product"}
    assert "4 objectives" in by_unit["company"].message
    assert by_unit["onboarding"].objective == "checklist"
    assert "6 key results" in by_unit["product"].message


def test_okr010_limits_are_configurable(tmp_path: Path) -> None:
    """check_limits relaxes the counts: one KR per objective may be allowed."""
    content = good_content()
    onboarding = objective(content, "onboarding")
    onboarding["key_results"] = onboarding["key_results"][:1]
    content["company.yaml"]["check_limits"] = {"key_results_min": 1}
    assert of(check(tmp_path, content), "OKR010") == []


# --------------------------------------------------------------------------
# OKR011 private


def test_okr011_counts_private_objectives_without_titles(tmp_path: Path) -> None:
    """Private objectives are counted per unit and cycle; titles never appear."""
    content = good_content()
    objs = content["2026-Q1/product.yaml"]["objectives"]
    for n in range(2):
        objs.append({"id": f"secret-{n}", "title": f"CANARY secret {n}", "owner": "Priya",
                     "visibility": "private", "aligns_to": ["company/midmarket"],
                     "key_results": [kr("a", "Metric A"), kr("b", "Metric B")]})
    found = of(check(tmp_path, content), "OKR011")
    assert len(found) == 1
    assert "2 private objectives" in found[0].message
    assert "CANARY" not in found[0].message and found[0].objective is None


def test_okr011_quiet_without_private(tmp_path: Path) -> None:
    """Public objectives only: nothing to report."""
    assert of(check(tmp_path, good_content()), "OKR011") == []


# --------------------------------------------------------------------------
# OKR012 stale check-ins


def test_okr012_fires_on_stale_and_missing_checkins(tmp_path: Path) -> None:
    """Last check-in over 7 days ago, and no check-in after two weeks, are stale."""
    content = good_content()
    krs = objective(content, "onboarding")["key_results"]
    krs[0]["checkins"] = [{"date": dt.date(2026, 1, 30), "value": 12}]
    krs[1]["checkins"] = []
    found = of(check(tmp_path, content), "OKR012")
    messages = {f.key_result: f.message for f in found}
    assert "11 days" in messages["completion"]
    assert "no check-in yet" in messages["activation"]


def test_okr012_quiet_early_outside_or_unlocked(tmp_path: Path) -> None:
    """No staleness in the first two weeks, after the cycle, for drafts, or for done milestones."""
    content = good_content()
    krs = objective(content, "onboarding")["key_results"]
    krs[0]["checkins"] = []
    krs[1] = {"id": "m", "title": "SSO generally available", "owner": "Sam",
              "kind": "milestone", "done": True}
    assert of(check(tmp_path / "a", content, today=dt.date(2026, 1, 12)), "OKR012") == []
    assert of(check(tmp_path / "b", content, today=dt.date(2026, 4, 20)), "OKR012") == []
    content["2026-Q1/onboarding.yaml"]["status"] = "review"
    content["company.yaml"]["checks"] = {"OKR013": "off"}
    assert of(check(tmp_path / "c", content), "OKR012") == []


def test_okr012_respects_cadence(tmp_path: Path) -> None:
    """cadence.checkin_days changes the allowed gap."""
    content = good_content()
    objective(content, "onboarding")["key_results"][0]["checkins"] = [
        {"date": dt.date(2026, 1, 30), "value": 12}
    ]
    content["company.yaml"]["cadence"] = {"checkin_days": 14}
    assert of(check(tmp_path, content), "OKR012") == []


# --------------------------------------------------------------------------
# OKR013 schedule slipping


def test_okr013_fires_on_units_not_locked_72h_after_company(tmp_path: Path) -> None:
    """Units still in draft/review more than 72 h after the company locked are slipping."""
    content = good_content()
    content["2026-Q1/company.yaml"]["locked_on"] = dt.date(2026, 2, 6)
    content["2026-Q1/product.yaml"]["status"] = "review"
    content["2026-Q1/onboarding.yaml"]["status"] = "draft"
    found = of(check(tmp_path, content), "OKR013")
    assert [f.unit for f in found] == ["onboarding", "product"]
    assert "4 days after" in found[0].message and "72 h" in found[0].message


def test_okr013_quiet_within_72h_or_without_lock_date(tmp_path: Path) -> None:
    """Exactly three days after the lock is still on time; no locked_on means no judgement."""
    content = good_content()
    content["2026-Q1/product.yaml"]["status"] = "draft"
    content["2026-Q1/company.yaml"]["locked_on"] = dt.date(2026, 2, 7)
    assert of(check(tmp_path / "a", content), "OKR013") == []
    del content["2026-Q1/company.yaml"]["locked_on"]
    assert of(check(tmp_path / "b", content), "OKR013") == []


# --------------------------------------------------------------------------
# OKR014 idle service unit


def test_okr014_fires_on_service_unit_without_okrs_or_metrics(tmp_path: Path) -> None:
    """A service unit with no file (or an empty one) in the current cycle is noted (info)."""
    content = good_content()
    del content["2026-Q1/support.yaml"]
    found = of(check(tmp_path, content), "OKR014")
    assert [(f.unit, f.severity) for f in found] == [("support", "info")]
    assert found[0].location.path.endswith("org.yaml")


def test_okr014_quiet_with_metrics_or_outside_cycle(tmp_path: Path) -> None:
    """Health metrics suffice; cycles that are not current are not judged."""
    content = good_content()
    assert of(check(tmp_path / "a", content), "OKR014") == []
    del content["2026-Q1/support.yaml"]
    assert of(check(tmp_path / "b", content, today=dt.date(2026, 5, 1)), "OKR014") == []


# --------------------------------------------------------------------------
# OKR015 graded without score / OKR016 check-in dates / OKR000 unknown rule


def test_okr015_fires_on_graded_kr_without_score(tmp_path: Path) -> None:
    """In a graded unit, KRs without a score are flagged unless the objective is scored."""
    content = good_content()
    content["2026-Q1/onboarding.yaml"]["status"] = "graded"
    krs = objective(content, "onboarding")["key_results"]
    krs[0]["score"] = 0.7
    found = of(check(tmp_path / "a", content), "OKR015")
    assert [f.key_result for f in found] == ["activation"]
    objective(content, "onboarding")["score"] = 0.6
    assert of(check(tmp_path / "b", content), "OKR015") == []


def test_okr016_fires_once_per_kr_on_checkins_outside_cycle(tmp_path: Path) -> None:
    """Check-ins in the future or outside the cycle are reported once per KR, at the first."""
    content = good_content()
    krs = objective(content, "onboarding")["key_results"]
    krs[0]["checkins"] = [{"date": dt.date(2025, 1, 30), "value": 1}, {"date": RECENT, "value": 2}]
    krs[1]["checkins"] = [{"date": RECENT, "value": 1}, {"date": dt.date(2026, 2, 20), "value": 2},
                          {"date": dt.date(2026, 2, 27), "value": 3}]
    found = of(check(tmp_path, content), "OKR016")
    messages = {f.key_result: f.message for f in found}
    assert "outside 2026-Q1" in messages["completion"]
    assert "after today" in messages["activation"] and "1 more" in messages["activation"]


def test_okr000_flags_unknown_rule_ids(tmp_path: Path) -> None:
    """Unknown ids in company.checks or allow lists are reported (typos do nothing)."""
    content = good_content()
    content["company.yaml"]["checks"] = {"OKR999": "off"}
    objective(content, "product")["allow"] = ["OKR998"]
    found = check(tmp_path, content)
    assert ids(found) == ["OKR000", "OKR000"]
    assert {f.location.path.rsplit("/", 1)[-1] for f in found} == {"company.yaml", "product.yaml"}


# --------------------------------------------------------------------------
# Configuration, allow lists, determinism


def test_config_off_and_severity_override(tmp_path: Path) -> None:
    """company.checks turns a rule off or changes its severity."""
    content = good_content()
    del objective(content, "onboarding")["owner"]
    content["company.yaml"]["checks"] = {"OKR003": "error"}
    assert [f.severity for f in check(tmp_path / "a", content)] == ["error"]
    content["company.yaml"]["checks"] = {"OKR003": "off"}
    assert check(tmp_path / "b", content) == []


def test_config_severity_opts_rule_into_other_method(tmp_path: Path) -> None:
    """An explicit severity enables a rule the method leaves off (OKR005 under align)."""
    content = good_content()
    content["company.yaml"]["method"] = "align"
    content["company.yaml"]["checks"] = {"OKR005": "warning"}
    repeat_parent(content)
    assert [f.severity for f in of(check(tmp_path, content), "OKR005")] == ["warning"]


def test_allow_on_objective_and_kr(tmp_path: Path) -> None:
    """allow on a KR exempts that KR; allow on an objective exempts it and its KRs."""
    content = good_content()
    obj = objective(content, "onboarding")
    obj["key_results"][0]["start"] = None
    obj["key_results"][1]["start"] = None
    obj["key_results"][0]["allow"] = ["OKR002"]
    assert [f.key_result for f in check(tmp_path / "a", content)] == ["activation"]
    obj["allow"] = ["OKR002"]
    assert check(tmp_path / "b", content) == []


def messy_content() -> dict[str, Any]:
    """Content with many findings across files and rules."""
    content = good_content()
    content["company.yaml"]["method"] = "cascade"
    repeat_parent(content)
    del objective(content, "onboarding")["owner"]
    objective(content, "onboarding")["key_results"][0]["checkins"] = []
    content["2026-Q1/product.yaml"]["objectives"].append(
        {"id": "solo", "title": "Launch things", "key_results": [{"id": "x", "title": "Ship it"}]}
    )
    del content["2026-Q1/support.yaml"]
    return content


def test_findings_are_sorted_and_deterministic(tmp_path: Path) -> None:
    """Findings come sorted by location then rule, identically on every run."""
    root = write_content(tmp_path, messy_content())
    first = run_checks(load_model(root), today=TODAY)
    second = run_checks(load_model(root), today=TODAY)
    assert first == second
    assert first == sorted(first, key=Finding.sort_key)
    assert len(set(ids(first))) >= 5


def test_messages_are_one_line(tmp_path: Path) -> None:
    """Content with newlines and long titles still gives one-line, shortened messages."""
    content = good_content()
    objective(content, "onboarding")["owner"] = None
    objective(content, "onboarding")["title"] = "Line one\nline two " + "x" * 200
    found = check(tmp_path, content)
    assert found and all("\n" not in f.message and len(f.message) < 200 for f in found)


# --------------------------------------------------------------------------
# Report formats


SAMPLE = [
    Finding(SourceLocation("content/a,b:c.yaml", 3, 5), "OKR001", "warning",
            "key result '100% done\r\nnow' is odd", "Fix: it", "2026-Q1", "product", "o", "k"),
    Finding(SourceLocation("content/x.yaml", 1, 1), "OKR008", "info", "shared", "none"),
]


def test_github_format_escapes_properties_and_data() -> None:
    """GitHub annotations escape %, CR, LF in data and also : and , in properties."""
    out = format_github(SAMPLE, RULES_BY_ID).splitlines()
    assert out[0] == (
        "::warning file=content/a%2Cb%3Ac.yaml,line=3,col=5,title=OKR001 activity-not-outcome"
        "::key result '100%25 done%0D%0Anow' is odd%0AHint: Fix: it"
    )
    assert out[1].startswith("::notice file=content/x.yaml,line=1,col=1,title=OKR008 shared-kr::")
    assert escape_data("a%\r\n") == "a%25%0D%0A"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_text_and_json_formats() -> None:
    """Text shows file:line:col, severity, rule and hint; JSON holds every field and counts."""
    text = format_text(SAMPLE, RULES_BY_ID)
    assert text.startswith("content/a,b:c.yaml:3:5: warning OKR001 activity-not-outcome: key")
    assert "    hint: Fix: it\n" in text
    data = json.loads(format_json(SAMPLE))
    assert data["summary"] == {"error": 0, "warning": 1, "info": 1}
    assert data["findings"][0]["rule"] == "OKR001" and data["findings"][0]["line"] == 3
    assert summary(SAMPLE) == "0 errors, 1 warning, 1 info"
    assert summary([]) == "no findings"


def test_a_finding_quoting_a_line_break_prints_as_one_line() -> None:
    """Content quoted in a message may hold line breaks (a title written with
    one): the text format and ``str`` still print one line per finding, the
    JSON keeps the message as written."""
    quoted = Finding(SourceLocation("content/x.yaml", 2, 3), "OKR001", "warning",
                     "key result 'Ship\nit\u2028now' is an activity", "h")  # fmt: skip
    assert str(quoted) == "content/x.yaml:2:3: warning OKR001: key result 'Ship?it?now' is an activity"
    text = format_text([quoted], RULES_BY_ID)
    assert text.splitlines()[0].endswith(": key result 'Ship?it?now' is an activity")
    assert len(text.splitlines()) == 2  # the finding and its hint
    assert json.loads(format_json([quoted]))["findings"][0]["message"] == quoted.message


def test_fails_on_errors_or_strict_warnings() -> None:
    """Errors always fail; warnings only with strict; info never."""
    warning, info = SAMPLE
    error = Finding(warning.location, "OKR003", "error", "m", "h")
    assert fails([error]) and not fails([warning]) and fails([warning], strict=True)
    assert not fails([info], strict=True)


# --------------------------------------------------------------------------
# CLI


def run_cli(*args: str) -> Any:
    from okrsite.cli import main

    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def test_cli_exit_codes_and_formats(tmp_path: Path) -> None:
    """Warnings pass (exit 0) unless --strict; --format json/github print findings."""
    content = good_content()
    del objective(content, "onboarding")["owner"]
    root = write_content(tmp_path, content)
    result = run_cli("--content", str(root), "--today", "2026-02-10")
    assert result.exit_code == 0, result.output
    assert "OKR003 objective-without-owner" in result.output
    assert "0 errors, 1 warning, 0 info: passed" in result.output
    strict = run_cli("--content", str(root), "--today", "2026-02-10", "--strict")
    assert strict.exit_code == 1 and "failed (warnings fail with --strict)" in strict.output
    day = ("--today", "2026-02-10")
    data = json.loads(run_cli("--content", str(root), *day, "--format", "json").output)
    assert data["valid"] is True and data["findings"][0]["rule"] == "OKR003"
    github = run_cli("--content", str(root), *day, "--format", "github").output
    assert github.startswith("::warning file=")
    assert "title=OKR003 objective-without-owner::" in github


def test_cli_errors_exit_1_and_invalid_content(tmp_path: Path) -> None:
    """Error findings exit 1; invalid content is reported in every format with exit 1."""
    content = good_content()
    del objective(content, "onboarding")["owner"]
    content["company.yaml"]["checks"] = {"OKR003": "error"}
    root = write_content(tmp_path / "a", content)
    assert run_cli("--content", str(root), "--today", "2026-02-10").exit_code == 1
    bad = good_content()
    objective(bad, "onboarding")["ownr"] = "typo"
    root = write_content(tmp_path / "b", bad)
    result = run_cli("--content", str(root), "--format", "github")
    assert result.exit_code == 1 and result.output.startswith("::error file=")
    data = json.loads(run_cli("--content", str(root), "--format", "json").output)
    assert data["valid"] is False and data["findings"][0]["rule"] is None


def test_good_content_copy_is_independent() -> None:
    """good_content() returns a fresh tree each time (tests mutate it)."""
    a = good_content()
    b = copy.deepcopy(a)
    objective(a, "product")["title"] = "changed"
    assert objective(b, "product")["title"] != "changed"
    assert objective(good_content(), "product")["title"] != "changed"


# --------------------------------------------------------------------------
# Site pages: quality report, rules reference, unit badge


def site_context(tmp_path: Path, content: dict[str, Any]) -> Any:
    """A public SiteContext for the content (as build_docs_tree makes it)."""
    from okrsite.analysis.redact import redact
    from okrsite.site.context import SiteContext
    from okrsite.site.options import SiteOptions

    model = redact(load_model(write_content(tmp_path, content)))
    return SiteContext(model=model, options=SiteOptions(today=TODAY), today=TODAY)


def test_quality_page_groups_links_and_escapes(tmp_path: Path) -> None:
    """The quality page lists findings by rule and unit, links to the OKR's anchor
    (relative .md link) and escapes content strings."""
    from okrsite.site.pages import quality

    content = good_content()
    obj = objective(content, "onboarding")
    del obj["owner"]
    obj["title"] = "Guide [x](javascript:alert(1)) <b>users</b>"
    files = {f.path: f.content for f in quality.produce(site_context(tmp_path, content))}
    page = files["2026-Q1/quality.md"]
    assert isinstance(page, str)
    assert "**1 warning** · checked on 2026-02-10" in page
    assert "[OKR003 in the rules reference](../rules.md#okr003)" in page
    assert '<details class="okr-findings" id="rule-okr003" markdown="1" open>' in page
    assert "[Onboarding](onboarding.md){#unit-onboarding}" in page
    assert "](onboarding.md#obj-checklist)" in page
    assert "javascript:alert" not in page and "<b>" not in page
    assert "rules.md" in files


def test_quality_page_without_findings_and_private_content(tmp_path: Path) -> None:
    """A clean cycle says so; private objectives appear only as OKR011's count."""
    from okrsite.site.pages import quality

    page = quality.render_quality_page(
        load_model(write_content(tmp_path / "a", good_content())).model_copy(),
        load_model(write_content(tmp_path / "b", good_content())).cycles["2026-Q1"],
        [],
        today="2026-02-10",
    )
    assert '!!! success "No findings"' in page
    content = good_content()
    content["2026-Q1/product.yaml"]["objectives"].append(
        {"id": "secret", "title": "CANARY hidden plan", "owner": "Priya",
         "visibility": "private", "key_results": [{"id": "k", "title": "CANARY metric"}]}
    )
    ctx = site_context(tmp_path / "c", content)
    text = "".join(str(f.content) for f in quality.produce(ctx))
    assert "CANARY" not in text and "secret" not in text
    assert "1 private objective" in text


def test_rules_page_documents_every_rule(tmp_path: Path) -> None:
    """The rules page has a section per rule, from its docstring, with this company's setting."""
    from okrsite.site.pages import quality

    content = good_content()
    content["company.yaml"]["checks"] = {"OKR004": "off"}
    page = quality.render_rules_page(load_model(write_content(tmp_path, content)))
    for r in RULES:
        assert f"## {r.id} · " in page and f"{{#{r.id.lower()}}}" in page
    assert "off &#40;company.yaml&#41;" in page
    assert "`company.checks`" in page and "``company" not in page


def test_unit_badge_links_to_quality_section(tmp_path: Path) -> None:
    """The unit badge counts the unit's findings and links to its quality section."""
    from okrsite.site.pages import quality

    content = good_content()
    del objective(content, "onboarding")["owner"]
    findings = site_findings(site_context(tmp_path, content))
    badge = quality.unit_badge(findings, "2026-Q1", "onboarding", "2026-Q1/onboarding.md")
    assert badge is not None and "(quality.md#unit-onboarding)" in badge
    assert "1 warning" in badge
    assert quality.unit_badge(findings, "2026-Q1", "product", "2026-Q1/product.md") is None


def test_site_leaves_owner_rules_out_when_people_are_unpublished(tmp_path: Path) -> None:
    """With publish_people: false, redaction drops owners, so OKR003/OKR004 are not shown."""
    content = good_content()
    content["company.yaml"]["publish_people"] = False
    assert site_findings(site_context(tmp_path, content)) == []
