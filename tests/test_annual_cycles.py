"""Annual OKRs beside quarterly ones: a year-long cycle contains its quarters,
and a quarter's objectives and key results align up to the year's with a
cross-cycle reference, ``CYCLE:unit/objective[/key-result]``.

The fixture is shaped like a real company's second year: a year cycle with
company and department OKRs, two quarters (one graded), a private annual
objective, quarter teams that align to the year, to their own quarter, or
to nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from contentkit import make_content

from okrsite.analysis.alignment import AlignmentIndex
from okrsite.analysis.cycles import current_cycle_id
from okrsite.analysis.redact import redact
from okrsite.checks import run_checks
from okrsite.errors import ContentError
from okrsite.model import OkrModel
from okrsite.refs import OkrRef
from okrsite.site.build import build_docs_tree
from okrsite.site.options import SiteOptions
from okrsite.validate import load_model

TODAY = dt.date(2026, 5, 12)

COMPANY = """\
name: Acme
method: hybrid
cycles:
  - {id: "2026", name: Year 2026, start: 2026-01-01, end: 2026-12-31}
  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
  - {id: 2026-Q2, start: '2026-04-01', end: '2026-06-30'}
"""

ORG = """\
units:
  - {id: product, name: Product, kind: department, lead: Priya}
  - {id: onboarding, name: Onboarding, kind: team, parent: product}
  - {id: legal, name: Legal, kind: department}
"""

YEAR_COMPANY = """\
status: locked
objectives:
  - id: win-midmarket
    title: Win the mid-market
    owner: CEO
    key_results:
      - {id: arr, title: Grow mid-market ARR from 4M to 8M, start: 4, target: 8, current: 5, unit: M}
      - {id: logos, title: Sign 120 mid-market logos, start: 0, target: 120, current: 31}
  - id: secret-acquisition
    title: Prepare the acquisition of a competitor
    owner: CEO
    visibility: private
    key_results:
      - {id: shortlist, title: Shortlist three targets, done: false}
"""

YEAR_PRODUCT = """\
status: locked
objectives:
  - id: self-serve
    title: Self-serve onboarding for mid-market teams
    owner: Priya
    aligns_to: [company/win-midmarket]
    key_results:
      - {id: activation, title: Raise week-one activation from 30% to 50%, start: 30, target: 50, current: 38, unit: "%"}
"""

Q1_COMPANY = """\
status: graded
objectives:
  - id: pipeline
    title: Fill the mid-market pipeline
    owner: CEO
    aligns_to: ["2026:company/win-midmarket"]
    score: 0.6
    key_results:
      - {id: sqls, title: 300 qualified opportunities, start: 100, target: 300, current: 240, score: 0.7}
"""

Q2_COMPANY = """\
status: locked
objectives:
  - id: convert
    title: Convert the pipeline
    owner: CEO
    aligns_to: [2026:company/win-midmarket]
    key_results:
      - id: won
        title: Win 40 mid-market deals
        start: 0
        target: 40
        current: 12
        contributes_to: [2026:company/win-midmarket/logos]
"""

Q2_ONBOARDING = """\
status: locked
objectives:
  - id: checklist
    title: A guided first week for every new workspace
    owner: Tomás
    aligns_to: [2026:product/self-serve, company/convert]
    key_results:
      - id: completion
        title: Lift checklist completion from 40% to 70%
        start: 40
        target: 70
        current: 52
        unit: "%"
        contributes_to: [2026:product/self-serve/activation, 2026:company/win-midmarket/arr]
  - id: quiet
    title: Keep the lights on
    owner: Tomás
    key_results:
      - {id: uptime, title: Keep uptime at 99.9%, kind: threshold, target: 99.9, direction: above, current: 99.95}
"""

FILES = {
    "company.yaml": COMPANY,
    "org.yaml": ORG,
    "2026/company.yaml": YEAR_COMPANY,
    "2026/product.yaml": YEAR_PRODUCT,
    "2026-Q1/company.yaml": Q1_COMPANY,
    "2026-Q1/product.yaml": None,
    "2026-Q2/company.yaml": Q2_COMPANY,
    "2026-Q2/onboarding.yaml": Q2_ONBOARDING,
}


@pytest.fixture
def model(tmp_path: Path) -> OkrModel:
    return load_model(make_content(tmp_path, FILES))


def test_a_year_may_contain_its_quarters(model: OkrModel) -> None:
    """The year and its quarters validate together; "now" is the quarter."""
    assert list(model.cycles) == ["2026", "2026-Q1", "2026-Q2"]
    year = model.cycles["2026"].definition
    assert year.contains(model.cycles["2026-Q2"].definition)
    assert not model.cycles["2026-Q2"].definition.contains(year)
    assert not year.contains(year)  # same dates: not "containing"
    assert current_cycle_id(model, TODAY) == "2026-Q2"


def test_partly_overlapping_cycles_stay_an_error(tmp_path: Path) -> None:
    """A half-year that starts inside Q1 and ends after it contains neither."""
    company = COMPANY + "  - {id: 2026-H1, start: 2026-02-01, end: 2026-07-31}\n"
    with pytest.raises(ContentError) as info:
        load_model(make_content(tmp_path, {**FILES, "company.yaml": company}))
    assert [str(i) for i in info.value.issues] == [
        "content/company.yaml:7:26: cycle '2026-H1' overlaps cycle '2026-Q1' (2026-02-01 is "
        "before 2026-Q1 ends on 2026-03-31); cycles may overlap only when one contains "
        "the other (a year and its quarters)",
    ]


def test_cross_cycle_links_are_indexed_apart(model: OkrModel) -> None:
    """The quarter's index keeps links into the year apart from its own links."""
    index = AlignmentIndex.build(model.cycles["2026-Q2"], include_private=True)
    checklist = OkrRef("onboarding", "checklist")
    assert [str(link.target) for link in index.serves(checklist)] == ["company/convert"]
    assert [(link.target_cycle, str(link.target)) for link in index.serves_across(checklist)] == [
        ("2026", "product/self-serve")
    ]
    assert all(link.target_cycle is None for link in index.links)
    year_kr = OkrRef("company", "win-midmarket", "logos")
    assert [str(link.source) for link in index.supporters_across("2026", year_kr)] == [
        "company/convert/won"
    ]


def test_aligning_only_to_the_year_counts_as_aligned(model: OkrModel) -> None:
    """OKR "aligns to nothing" stays quiet for an objective aligned to the year,
    and still speaks for one aligned to nothing."""
    findings = run_checks(model, today=TODAY)
    unaligned = [f.message for f in findings if "aligns to nothing" in f.message]
    assert len(unaligned) == 1
    assert "Keep the lights on" in unaligned[0]


def test_unit_page_links_up_to_the_annual_objective(model: OkrModel) -> None:
    """The quarter's unit page names the year's objective and links to its page;
    the year's page and its coverage table list the quarters' OKRs that align
    to it, each linking into its own quarter."""
    tree = build_docs_tree(model, SiteOptions(graphs=True, today=TODAY))
    team = str(tree.files["2026-Q2/onboarding.md"])
    assert (
        "[Product › Self-serve onboarding for mid-market teams &#40;Year 2026&#41;]"
        "(../2026/product.md#obj-self-serve)" in team
    )
    assert "(../2026/product.md#kr-self-serve--activation)" in team
    year_page = str(tree.files["2026/company.md"])
    supported = year_page.split("**Supported by:**")[1:]
    assert any(
        "[Acme › Fill the mid-market pipeline &#40;2026-Q1&#41;](../2026-Q1/company.md#obj-pipeline)"
        in line
        for line in supported
    )
    assert any("(../2026-Q2/company.md#kr-convert--won)" in line for line in supported)
    overview = str(tree.files["2026/index.md"])
    arr_row = next(
        line
        for line in overview.splitlines()
        if line.startswith("|") and "Grow mid-market ARR" in line
    )
    assert "Onboarding › Lift checklist completion" in arr_row
    assert "**nobody**" not in arr_row


def test_private_annual_objectives_do_not_leak_through_quarters(tmp_path: Path) -> None:
    """A quarter objective aligned to a private annual objective keeps no trace
    of it in a public build."""
    onboarding = Q2_ONBOARDING.replace(
        "aligns_to: [2026:product/self-serve, company/convert]",
        "aligns_to: [2026:company/secret-acquisition, company/convert]",
    )
    model = load_model(
        make_content(tmp_path, {**FILES, "2026-Q2/onboarding.yaml": onboarding})
    )
    public = redact(model, "public")
    objective = public.cycles["2026-Q2"].okrs["onboarding"].objectives[0]
    assert objective.aligns_to == ["company/convert"]
    tree = build_docs_tree(model, SiteOptions(graphs=True, today=TODAY))
    for path, content in tree.files.items():
        text = content if isinstance(content, str) else content.decode("utf-8", "replace")
        assert "secret-acquisition" not in text, path
        assert "acquisition of a competitor" not in text, path


def test_repeats_parent_compares_with_the_annual_objective(tmp_path: Path) -> None:
    """OKR005 reads the title of an annual parent through the cross-cycle reference."""
    company = COMPANY.replace("method: hybrid", "method: cascade")
    team = Q2_ONBOARDING.replace(
        "title: A guided first week for every new workspace",
        "title: Self-serve onboarding for mid-market teams",
    )
    model = load_model(
        make_content(tmp_path, {**FILES, "company.yaml": company, "2026-Q2/onboarding.yaml": team})
    )
    repeats = [f for f in run_checks(model, today=TODAY) if f.rule_id == "OKR005"]
    assert [f.cycle for f in repeats] == ["2026-Q2"]
    assert "2026:product/self-serve" in repeats[0].message


def test_support_from_the_quarters_counts_for_annual_company_krs(model: OkrModel) -> None:
    """OKR007: an annual company KR a quarter's team contributes to is supported;
    one only the company's own quarter OKRs serve still is not."""
    unsupported = [
        f.message for f in run_checks(model, today=TODAY) if f.rule_id == "OKR007"
    ]
    assert not any("Grow mid-market ARR" in m for m in unsupported)
    assert any("Sign 120 mid-market logos" in m for m in unsupported)


def test_two_years_of_real_world_okrs_gain_annual_cycles(tmp_path: Path) -> None:
    """The generated two-year, 58-unit company (tests/realworld_gen.py), as a
    YAML writer that quotes dates would save it, with a year cycle per year
    whose company objectives its quarters' company objectives align to, and
    co-owners here and there: it validates, every quarter links up to its
    year, and the site builds with the year's pages listing their quarters."""
    import yaml
    from realworld_gen import generate

    generate(tmp_path)
    content = tmp_path / "content"
    company = yaml.safe_load((content / "company.yaml").read_text(encoding="utf-8"))
    quarters = [c["id"] for c in company["cycles"]]
    for year in (2025, 2026):
        company["cycles"].append(
            {"id": str(year), "name": f"Year {year}", "start": dt.date(year, 1, 1),
             "end": dt.date(year, 12, 31)}
        )
        (content / str(year)).mkdir()
        annual = {
            "status": "locked",
            "objectives": [{
                "id": "win-midmarket", "title": "Win the mid-market", "owner": "CEO",
                "owners": ["CFO", "CRO"],
                "key_results": [{"id": "arr", "title": "Double mid-market ARR",
                                 "start": 10, "target": 20}],
            }],
        }
        (content / str(year) / "company.yaml").write_text(yaml.safe_dump(annual), "utf-8")
    for cycle in company["cycles"]:  # every date quoted, as many YAML writers do
        cycle["start"], cycle["end"] = str(cycle["start"]), str(cycle["end"])
    text = yaml.safe_dump(company, sort_keys=False)
    assert "start: '2025-01-01'" in text
    (content / "company.yaml").write_text(text, encoding="utf-8")
    for quarter in quarters:
        path = content / quarter / "company.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for objective in data["objectives"]:
            objective["aligns_to"] = [f"{quarter[:4]}:company/win-midmarket"]
            objective["owners"] = ["COO"]
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    model = load_model(content)
    assert {"2025", "2026"} <= set(model.cycles)
    assert current_cycle_id(model, dt.date(2026, 11, 27)) == "2026-Q4"
    tree = build_docs_tree(model, SiteOptions(graphs=False, today=dt.date(2026, 11, 27)))
    year_page = str(tree.files["2026/company.md"])
    for quarter in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):  # many: one link each
        assert f"[Northwind &#40;{quarter}&#41;](../{quarter}/company.md) (3)" in year_page
    q3 = str(tree.files["2026-Q3/company.md"])
    assert "(../2026/company.md#obj-win-midmarket)" in q3
    assert "Owners: CEO, CFO, CRO" in year_page
    findings = run_checks(model, today=dt.date(2026, 11, 27))
    assert not [f for f in findings if f.cycle in {"2025", "2026"} and f.rule_id == "OKR003"]


def test_unit_graph_shows_the_annual_objectives_it_serves(model: OkrModel) -> None:
    """The quarter's unit graph draws each annual objective its OKRs align to
    as a box linking to the year's page, with an arrow to each item serving it;
    a quarter with no cross-cycle links draws none."""
    from okrsite import graphs

    dots = graphs.page_graphs(model)
    team = dots["2026-Q2/onboarding.md"]
    assert 'HREF="../../2026/product/#obj-self-serve"' in team
    assert 'TITLE="Self-serve onboarding for mid-market teams"' in team
    assert 'HREF="../../2026/company/#obj-win-midmarket"' in team
    year_boxes = [line for line in team.splitlines() if "Year 2026 · " in line]
    assert len(year_boxes) == 2
    edges = [line.strip() for line in team.splitlines() if line.strip().startswith("n")]
    assert sum("->" in e for e in edges) >= 4
    legal = dots.get("2026-Q2/legal.md", "")
    assert "Year 2026" not in legal
