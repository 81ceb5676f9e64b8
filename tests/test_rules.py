"""Rules with one owner in okrsite/analysis/: the link walker, the current
cycle, org subtree walks. Every other module asks these, so they are tested
here on messy content once."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest
from contentkit import make_content

from okrsite.analysis import cadence, org
from okrsite.analysis.alignment import AlignmentIndex
from okrsite.analysis.cycles import current_cycle, current_cycle_id, next_cycle
from okrsite.checks import RULES_BY_ID
from okrsite.checks.engine import CheckContext, Finding
from okrsite.errors import SourceLocation
from okrsite.model import ROOT_UNIT, CycleDef, Objective
from okrsite.refs import Link, OkrRef, cycle_links, parse_ref, unit_links
from okrsite.site.context import SiteContext
from okrsite.site.options import SiteOptions
from okrsite.validate import load_model

PLATFORM_OKRS = """\
status: draft
objectives:
  - id: infra
    title: Reliable platform
    owner: Sam
    aligns_to: [company/grow, product/easier]
    related: [product/easier/ttv]
    key_results:
      - id: uptime
        title: "Uptime (see [runbook](https://example.com))"
        kind: milestone
        owner: Sam
      - id: deploys
        title: Faster deploys
        start: 10
        target: 2
        owner: Ana
        contributes_to: [product/easier/ttv, company/grow/customers]
        related: [company/grow]
"""

ORG_WITH_PLATFORM = """\
units:
  - {id: product, name: Product, kind: department, lead: Priya}
  - {id: onboarding, name: Onboarding, kind: team, parent: product}
  - {id: platform, name: Platform (infra), kind: team, parent: product}
"""


def test_link_walker_yields_every_written_link_with_its_place(tmp_path: Path) -> None:
    """unit_links walks aligns_to, related, contributes_to in file order and
    says where each reference stands (for error locations)."""
    content = make_content(
        tmp_path, {"org.yaml": ORG_WITH_PLATFORM, "2026-Q1/platform.yaml": PLATFORM_OKRS}
    )
    model = load_model(content)
    okrs = model.cycles["2026-Q1"].okrs["platform"]
    got = [
        (str(link.source), link.kind, str(link.target), link.path)
        for link in unit_links("platform", okrs.objectives)
    ]
    assert got == [
        ("platform/infra", "aligns_to", "company/grow", ("objectives", 0, "aligns_to", 0)),
        ("platform/infra", "aligns_to", "product/easier", ("objectives", 0, "aligns_to", 1)),
        ("platform/infra", "related", "product/easier/ttv", ("objectives", 0, "related", 0)),
        (
            "platform/infra/deploys",
            "contributes_to",
            "product/easier/ttv",
            ("objectives", 0, "key_results", 1, "contributes_to", 0),
        ),
        (
            "platform/infra/deploys",
            "contributes_to",
            "company/grow/customers",
            ("objectives", 0, "key_results", 1, "contributes_to", 1),
        ),
        (
            "platform/infra/deploys",
            "related",
            "company/grow",
            ("objectives", 0, "key_results", 1, "related", 0),
        ),
    ]
    # The cycle walk is the union of every unit's walk; the index is built from it.
    every = set(cycle_links(model.cycles["2026-Q1"]))
    assert len(every) == 6 + 2  # product's aligns_to and contributes_to
    index = AlignmentIndex.build(model.cycles["2026-Q1"])
    assert set(index.links) == every
    assert index.supporting_units(OkrRef("product", "easier", "ttv")) == ["platform"]
    assert index.lateral(OkrRef("product", "easier", "ttv")) == [OkrRef("platform", "infra")]
    assert [str(ref) for ref in index.served()] == [
        "company/grow",
        "company/grow/customers",
        "product/easier",
        "product/easier/ttv",
    ]  # targets of aligns_to / contributes_to; related links serve nothing


def _cycle(cid: str, start: str, end: str) -> CycleDef:
    return CycleDef.model_validate(
        {"id": cid, "start": dt.date.fromisoformat(start), "end": dt.date.fromisoformat(end)}
    )


Q1 = _cycle("2026-Q1", "2026-01-01", "2026-03-31")
Q2 = _cycle("2026-Q2", "2026-04-01", "2026-06-30")
Q4 = _cycle("2026-Q4", "2026-10-01", "2026-12-31")  # Q3 missing: a gap
YEAR = _cycle("2026", "2026-01-01", "2026-12-31")
NEXT_YEAR = _cycle("2027", "2027-01-01", "2027-12-31")
NEXT_Q1 = _cycle("2027-Q1", "2027-01-01", "2027-03-31")


def test_current_cycle_contains_today_else_latest_started_else_first() -> None:
    """The running cycle; between cycles the one just finished; before all, the first."""
    cycles = [Q1, Q2, Q4]
    assert current_cycle(cycles, dt.date(2026, 3, 31)) is Q1
    assert current_cycle(cycles, dt.date(2026, 4, 1)) is Q2
    assert current_cycle(cycles, dt.date(2026, 8, 15)) is Q2  # gap: Q2 is being graded
    assert current_cycle(cycles, dt.date(2025, 6, 1)) is Q1  # nothing started: the first
    assert current_cycle(cycles, dt.date(2030, 1, 1)) is Q4
    assert current_cycle([], dt.date(2027, 1, 1)) is None


def test_current_cycle_ignores_file_order_and_prefers_the_quarter_to_the_year() -> None:
    """A year containing its quarters: 'now' is the quarter, whatever the file order."""
    for order in ([YEAR, Q1, Q2, Q4], [Q4, Q2, Q1, YEAR], [Q2, YEAR, Q4, Q1]):
        assert current_cycle(order, dt.date(2026, 2, 1)) is Q1
        assert current_cycle(order, dt.date(2026, 8, 1)) is YEAR  # no quarter runs
        assert current_cycle(order, dt.date(2027, 6, 1)) is Q4  # started last
        assert current_cycle(order, dt.date(2025, 12, 1)) is Q1  # first to start, shorter
    # Written newest first (as many files are): still the cycle started last.
    assert current_cycle([Q4, Q2, Q1], dt.date(2027, 2, 1)) is Q4


def test_next_cycle_starts_after_this_one_ends() -> None:
    """The cycle planned in this one's last week; a year's quarters do not follow it."""
    cycles = [YEAR, Q1, Q2, Q4, NEXT_YEAR, NEXT_Q1]
    assert next_cycle(cycles, Q1) is Q2
    assert next_cycle(cycles, Q2) is Q4
    assert next_cycle(cycles, Q4) is NEXT_Q1
    assert next_cycle(cycles, YEAR) is NEXT_Q1
    assert next_cycle(cycles, NEXT_YEAR) is None


def test_every_caller_uses_the_one_rule(tmp_path: Path) -> None:
    """The site, `okrsite history` and the cadence status agree on the current
    cycle even when company.yaml lists cycles newest first."""
    company = """\
    name: Acme
    cycles:
      - {id: 2026-Q2, start: 2026-04-01, end: 2026-06-30}
      - {id: 2025-Q4, start: 2025-10-01, end: 2025-12-31}
      - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
    """
    content = make_content(tmp_path, {"company.yaml": company})
    model = load_model(content)
    defs = [c.definition for c in model.cycles.values()]
    for day, expected in (
        (dt.date(2026, 2, 1), "2026-Q1"),
        (dt.date(2026, 9, 1), "2026-Q2"),
        (dt.date(2025, 1, 1), "2025-Q4"),
    ):
        assert current_cycle_id(model, day) == expected
        options = SiteOptions(today=day, graphs=False)
        assert SiteContext(model=model, options=options, today=day).current_cycle_id == expected
        now = dt.datetime.combine(day, dt.time(12))
        assert cadence.status(defs, model.company.cadence, now)[0].cycle_id == expected


DEEP_ORG = """\
units:
  - {id: sales, name: Sales, kind: department}
  - {id: product, name: Product, kind: department}
  - {id: web, name: Web, kind: team, parent: product}
  - {id: emea, name: EMEA, kind: team, parent: sales}
  - {id: checkout, name: Checkout, kind: team, parent: web}
  - {id: apps, name: Apps, kind: team, parent: product}
  - {id: legal, name: Legal, kind: department}
"""


def test_org_walks_are_depth_first_in_org_yaml_order(tmp_path: Path) -> None:
    """Children keep org.yaml order (not ids); a subtree is depth first; the
    company's descendants are every unit; the table of all agrees with each walk."""
    model = load_model(make_content(tmp_path, {"org.yaml": DEEP_ORG}))
    assert org.top_level_units(model) == ["sales", "product", "legal"]
    assert org.children(model, "product") == ["web", "apps"]
    assert org.children(model, "legal") == []
    assert org.descendants(model, "product") == ["web", "checkout", "apps"]
    assert org.subtree(model, "web") == ["web", "checkout"]
    assert org.descendants(model, ROOT_UNIT) == [
        "sales", "emea", "product", "web", "checkout", "apps", "legal",
    ]  # fmt: skip
    table = org.all_descendants(model)
    assert set(table) == {ROOT_UNIT, *model.units}
    for unit_id, below in table.items():
        assert below == org.descendants(model, unit_id)
    # by id: the order of generated files and graph layouts (org.yaml order may change)
    assert org.children(model, "product", by_id=True) == ["apps", "web"]
    assert org.descendants(model, ROOT_UNIT, by_id=True) == [
        "legal", "product", "apps", "web", "checkout", "sales", "emea",
    ]  # fmt: skip
    assert org.all_descendants(model, by_id=True)["product"] == ["apps", "web", "checkout"]
    assert org.top_level_of(model, "checkout") == "product"
    assert org.top_level_of(model, "legal") == "legal"
    assert org.top_level_of(model, ROOT_UNIT) == ROOT_UNIT


def test_an_org_tree_made_once_answers_like_each_walk(tmp_path: Path) -> None:
    """Producers share one OrgTree per build: for every unit it gives what
    the one-off walks give, in both orders, and a caller changing a list it
    got back does not change the tree's later answers."""
    model = load_model(make_content(tmp_path, {"org.yaml": DEEP_ORG}))
    for by_id in (False, True):
        tree = org.OrgTree(model, by_id=by_id)
        for unit_id in [ROOT_UNIT, *model.units]:
            assert tree.children(unit_id) == org.children(model, unit_id, by_id=by_id)
            assert tree.descendants(unit_id) == org.descendants(model, unit_id, by_id=by_id)
    tree = org.OrgTree(model)
    assert tree.subtree("web") == org.subtree(model, "web") == ["web", "checkout"]
    tree.children("product").append("legal")
    tree.descendants("product").clear()
    assert tree.children("product") == ["web", "apps"]
    assert tree.descendants("product") == ["web", "checkout", "apps"]


def test_link_walker_reads_cross_cycle_references() -> None:
    """'2026:company/grow' is company/grow in cycle 2026: the walker says so
    (never a unit called '2026:company'), and a cycle's index leaves it out."""
    objective = Objective.model_validate(
        {
            "id": "q1-growth",
            "title": "Grow this quarter",
            "aligns_to": ["2026:company/grow", "company/focus"],
            "key_results": [
                {"id": "leads", "title": "Leads", "contributes_to": ["2026:company/grow/arr"]}
            ],
        }
    )
    links = list(unit_links("sales", [objective]))
    assert [(link.target_cycle, str(link.target)) for link in links] == [
        ("2026", "company/grow"),
        (None, "company/focus"),
        ("2026", "company/grow/arr"),
    ]
    assert parse_ref("2026-Q1:web/fast/p95") == ("2026-Q1", OkrRef("web", "fast", "p95"))
    assert parse_ref("web/fast") == (None, OkrRef("web", "fast"))


def test_refs_links_and_findings_made_in_bulk_are_the_dataclasses_own(tmp_path: Path) -> None:
    """unit_links, OkrRef.parse and CheckContext.finding fill the new
    objects' fields directly (faster than a frozen dataclass's __init__):
    each must equal, hash, compare, copy and print exactly like the object
    its constructor makes, with the same fields in the same order."""
    objective = Objective.model_validate(
        {
            "id": "growth",
            "title": "Grow",
            "aligns_to": ["2026:company/grow", "company/focus"],
            "related": ["web/fast/p95"],
            "key_results": [
                {"id": "leads", "title": "Leads", "contributes_to": ["company/grow/arr"]}
            ],
        }
    )
    made = list(unit_links("sales", [objective]))
    built = [
        Link(OkrRef("sales", "growth"), OkrRef("company", "grow"), "aligns_to", "2026",
             ("objectives", 0, "aligns_to", 0)),
        Link(OkrRef("sales", "growth"), OkrRef("company", "focus"), "aligns_to", None,
             ("objectives", 0, "aligns_to", 1)),
        Link(OkrRef("sales", "growth"), OkrRef("web", "fast", "p95"), "related", None,
             ("objectives", 0, "related", 0)),
        Link(OkrRef("sales", "growth", "leads"), OkrRef("company", "grow", "arr"),
             "contributes_to", None, ("objectives", 0, "key_results", 0, "contributes_to", 0)),
    ]
    assert made == built
    for one, other in zip(made, built, strict=True):
        for a, b in ((one, other), (one.source, other.source), (one.target, other.target)):
            assert type(a) is type(b) and hash(a) == hash(b) and repr(a) == repr(b)
            assert list(vars(a).items()) == list(vars(b).items())
            assert copy.deepcopy(a) == b and replace(a) == b
            with pytest.raises(FrozenInstanceError):
                a.kind = "x"  # type: ignore[misc,union-attr]
        assert one.path == other.path and one.written == other.written
    assert OkrRef.parse("a/b") == OkrRef("a", "b") and OkrRef.parse("a/b/c").key_result == "c"
    assert OkrRef("a", "b", "c").objective_ref == OkrRef("a", "b")
    model = load_model(make_content(tmp_path, {}))

    location = SourceLocation("content/2026-Q1/sales.yaml", 3, 5)
    rule = RULES_BY_ID["OKR012"]
    ctx = CheckContext(model=model, today=dt.date(2026, 1, 1), rules=RULES_BY_ID)
    severity = rule.severity_for(model.company.method)
    for defaults in ((severity, " ".join(rule.hint.split())), None):  # by the engine, or not
        rule_ctx = replace(ctx, rule=rule, _defaults=defaults)
        found = rule_ctx.finding(location, "key  result\n'x' is stale", cycle="2026-Q1", unit="a")
        expected = Finding(
            location, "OKR012", severity, "key result 'x' is stale",
            " ".join(rule.hint.split()), "2026-Q1", "a",
        )
        assert found == expected and hash(found) == hash(expected) and repr(found) == repr(expected)
        assert list(vars(found).items()) == list(vars(expected).items())
        assert found.sort_key() == expected.sort_key() and str(found) == str(expected)
        assert copy.deepcopy(found) == expected and replace(found) == expected
        other = rule_ctx.finding(location, "m", hint="  Do\n this ", severity="info")
        assert (other.hint, other.severity) == ("Do this", "info")
