"""Strict, not pedantic: what the content format accepts beyond the letter of
YAML, and that every field of it is documented.

- a quoted ISO date is a date wherever the format expects one;
- every property of the published JSON Schema has a description.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from contentkit import make_content

from okrsite.errors import ContentError
from okrsite.model import schema
from okrsite.validate import load_model

QUOTED_DATES_COMPANY = """\
name: Acme
cycles:
  - id: 2026-Q1
    start: '2026-01-01'
    end: "2026-03-31"
"""

QUOTED_DATES_PRODUCT = """\
status: locked
locked_on: '2026-01-09'
objectives:
  - id: easier
    title: Make it easy to start
    owner: Priya
    aligns_to: [company/grow]
    key_results:
      - id: ttv
        title: Cut time to first value
        start: 14
        target: 5
        checkins:
          - {date: '2026-01-19', value: 12}
          - date: "2026-01-26"
            value: 11
          - {date: 2026-02-02, value: 10}
"""


def test_quoted_iso_dates_are_dates(tmp_path: Path) -> None:
    """Quoted ISO dates in cycle bounds, locked_on and check-ins become dates,
    beside unquoted ones."""
    model = load_model(
        make_content(
            tmp_path,
            {"company.yaml": QUOTED_DATES_COMPANY, "2026-Q1/product.yaml": QUOTED_DATES_PRODUCT},
        )
    )
    cycle = model.cycles["2026-Q1"]
    assert cycle.definition.start == dt.date(2026, 1, 1)
    assert cycle.definition.end == dt.date(2026, 3, 31)
    okrs = cycle.okrs["product"]
    assert okrs.content.locked_on == dt.date(2026, 1, 9)
    dates = [c.date for c in okrs.objectives[0].key_results[0].checkins]
    assert dates == [dt.date(2026, 1, 19), dt.date(2026, 1, 26), dt.date(2026, 2, 2)]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("'2026-02-30'", "text '2026-02-30'"),
        ("'2026-1-5'", "text '2026-1-5'"),
        ("'01/05/2026'", "text '01/05/2026'"),
        ("'2026-01-05 '", "text '2026-01-05 '"),
        ("'2026-01-05T10:00'", "text '2026-01-05T10:00'"),
        ("'soon'", "text 'soon'"),
        # The line break is shown as '?': every issue prints as one line.
        ('"2026-01-05\\n"', "text '2026-01-05?'"),
    ],
)
def test_other_text_in_a_date_field_stays_an_error(
    tmp_path: Path, value: str, shown: str
) -> None:
    """Only a real YYYY-MM-DD date is read from text; anything else is refused
    where it stands."""
    product = QUOTED_DATES_PRODUCT.replace("locked_on: '2026-01-09'", f"locked_on: {value}")
    with pytest.raises(ContentError) as info:
        load_model(make_content(tmp_path, {"2026-Q1/product.yaml": product}))
    assert [str(i) for i in info.value.issues] == [
        f"content/2026-Q1/product.yaml:2:12: 'locked_on' should be a date (YYYY-MM-DD), "
        f"not {shown}"
    ]


def _properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``properties`` entry anywhere in a JSON Schema, with its path."""
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{where}.{name}", prop
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}[{i}]")


def test_every_schema_property_has_a_description() -> None:
    """Editors show a field's description on hover: none may be missing or empty."""
    found = list(_properties(schema(), "#"))
    assert len(found) > 70  # every field of every content file, not a few
    missing = [where for where, prop in found if not str(prop.get("description", "")).strip()]
    assert missing == []


def test_every_schema_definition_has_a_description() -> None:
    """Each object of the format (cycle, key result, check-in…) says what it is."""
    definitions = schema()["$defs"]
    assert {"KeyResult", "Objective", "CheckIn", "CycleDef"} <= set(definitions)
    assert [name for name, d in definitions.items() if not d.get("description")] == []


def test_schema_documents_the_fields_nobody_explained() -> None:
    """threshold, direction, met and allow are explained, not just listed."""
    defs = schema()["$defs"]
    assert "threshold" in defs["KeyResult"]["properties"]["kind"]["description"]
    assert "above or below" in defs["KeyResult"]["properties"]["direction"]["description"]
    assert "threshold" in defs["CheckIn"]["properties"]["met"]["description"]
    assert "OKR" in defs["KeyResult"]["properties"]["allow"]["description"]


# ---------------------------------------------------------------------------
# Links inside one objective


SIBLINGS = """\
status: locked
objectives:
  - id: easier
    title: Make it easy to start
    owner: Priya
    aligns_to: [company/grow]
    key_results:
      - {id: ttv, title: Cut time to value, start: 14, target: 5, contributes_to: [product/easier/act]}
      - {id: act, title: Raise activation, start: 30, target: 45}
"""


def test_kr_contributing_to_a_sibling_is_told_what_it_is(tmp_path: Path) -> None:
    """A KR laddering up to a sibling KR is not "refers to itself": the message
    names the sibling and says why (siblings already add up to their objective)."""
    with pytest.raises(ContentError) as info:
        load_model(make_content(tmp_path, {"2026-Q1/product.yaml": SIBLINGS}))
    [message] = [str(i) for i in info.value.issues]
    assert message.startswith(
        "content/2026-Q1/product.yaml:8:84: contributes_to: 'product/easier/act' is a "
        "sibling key result in the same objective"
    )
    assert "refers to itself" not in message


# ---------------------------------------------------------------------------
# Navigation: departments without teams


def test_department_without_teams_is_listed_with_the_departments(tmp_path: Path) -> None:
    """A team-less department gets its own section in org.yaml order; only units
    that are not departments and have no children are "Other units"."""
    from okrsite.site.build import build_docs_tree
    from okrsite.site.options import SiteOptions

    org = """\
    units:
      - {id: product, name: Product, kind: department}
      - {id: onboarding, name: Onboarding, kind: team, parent: product}
      - {id: legal, name: Legal, kind: department}
      - {id: it, name: IT, kind: service}
      - {id: sales, name: Sales, kind: department}
    """
    model = load_model(make_content(tmp_path, {"org.yaml": org}))
    tree = build_docs_tree(model, SiteOptions(graphs=False, today=dt.date(2026, 2, 1)))
    # The Units tab lists every unit's profile; a cycle lists only units with
    # OKRs in it (here only Product's team has any).
    units = next(item for item in tree.nav if item.title == "Units")
    sections = [item.title for item in units.children if item.children]
    assert sections == ["Product", "Legal", "Sales", "Other units"]
    other = next(item for item in units.children if item.title == "Other units")
    assert [item.title for item in other.children] == ["IT"]
    legal = next(item for item in units.children if item.title == "Legal")
    assert [item.path for item in legal.children] == ["units/legal.md"]
    cycle = next(item for item in tree.nav if item.title == "2026-Q1")
    assert "Legal" not in [item.title for item in cycle.children]


# ---------------------------------------------------------------------------
# Co-owners

CO_OWNED = """\
status: locked
objectives:
  - id: easier
    title: Make it easy to start
    owners: [Priya Shah, "Li <b>Wei</b>"]
    aligns_to: [company/grow]
    key_results:
      - id: ttv
        title: Cut time to first value
        start: 14
        target: 5
        current: 9
        owner: Sam
        owners: [Noor, Sam]
      - {id: act, title: Raise activation, start: 30, target: 45, current: 35}
"""


def _co_owned_model(tmp_path: Path, publish_people: bool = True) -> Any:
    company = "name: Acme\ncycles:\n  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}\n"
    if not publish_people:
        company += "publish_people: false\n"
    return load_model(
        make_content(tmp_path, {"company.yaml": company, "2026-Q1/product.yaml": CO_OWNED})
    )


def test_co_owners_count_as_owners_for_the_owner_rules(tmp_path: Path) -> None:
    """An objective with only co-owners is owned: OKR003 and OKR004 stay quiet."""
    from okrsite.checks import run_checks

    model = _co_owned_model(tmp_path)
    objective = model.cycles["2026-Q1"].okrs["product"].objectives[0]
    assert objective.owner is None
    assert objective.all_owners == ["Priya Shah", "Li <b>Wei</b>"]
    assert objective.key_results[0].all_owners == ["Sam", "Noor"]  # owner once, first
    found = run_checks(model, today=dt.date(2026, 2, 1))
    assert [f for f in found if f.rule_id in {"OKR003", "OKR004"}] == []


def test_co_owners_are_shown_and_exported(tmp_path: Path) -> None:
    """The unit page lists every owner (escaped); okrs.json and okrs.csv carry them."""
    import csv
    import io
    import json

    from okrsite.render.exports import krs_csv, okrs_data
    from okrsite.render.okrs_schema import okrs_json_schema
    from okrsite.site.build import build_docs_tree
    from okrsite.site.options import SiteOptions

    model = _co_owned_model(tmp_path)
    tree = build_docs_tree(model, SiteOptions(graphs=False, today=dt.date(2026, 2, 1)))
    page = str(tree.files["2026-Q1/product.md"])
    assert "Owners: Priya Shah, Li &#60;b&#62;Wei&#60;/b&#62;" in page
    assert "<b>Wei</b>" not in page
    assert "Owners: Sam, Noor" in page
    data = okrs_data(model)
    product = next(u for u in data["cycles"][0]["units"] if u["unit"] == "product")
    objective = product["objectives"][0]
    assert (objective["owner"], objective["owners"]) == (None, ["Priya Shah", "Li <b>Wei</b>"])
    assert objective["key_results"][0]["owners"] == ["Noor", "Sam"]
    schema_defs = okrs_json_schema()["$defs"]
    assert schema_defs["objective"]["properties"]["owners"]["type"] == "array"
    json.dumps(data)  # serialisable
    rows = {r["key_result"]: r for r in csv.DictReader(io.StringIO(krs_csv(model)))}
    assert rows["ttv"]["owner"] == "Sam"
    assert rows["ttv"]["owners"] == "Sam; Noor"
    assert rows["act"]["owners"] == "Priya Shah; Li <b>Wei</b>"  # inherited


def test_co_owners_are_left_out_when_people_are_not_published(tmp_path: Path) -> None:
    """publish_people: false removes co-owners too, from pages and exports."""
    from okrsite.analysis.redact import redact
    from okrsite.render.exports import krs_csv

    model = redact(_co_owned_model(tmp_path, publish_people=False), "public")
    text = krs_csv(model) + json_text(model)
    for name in ("Priya", "Noor", "Sam", "Wei"):
        assert name not in text


def json_text(model: Any) -> str:
    from okrsite.render.exports import okrs_json

    return okrs_json(model)


# ---------------------------------------------------------------------------
# The generated "Content format" page


def test_format_page_documents_every_field_of_the_schema() -> None:
    """Each property of each definition of the JSON Schema has a row, with its
    description, on the generated page; threshold/direction/met/allow too."""
    from okrsite.site.pages.format_reference import render_format_page

    page = render_format_page()
    definitions = schema()["$defs"]
    missing = [
        f"{name}.{field}"
        for name, definition in definitions.items()
        for field in definition.get("properties", {})
        if f"| `{field}` |" not in page
    ]
    assert missing == []
    kr_section = page.split("{#key-result}")[1].split("\n## ")[0]
    assert "| `direction` | `above` · `below` |" in kr_section
    assert "| `allow` | list of text |" in kr_section
    assert "threshold" in kr_section
    checkin_section = page.split("{#check-in}")[1].split("\n## ")[0]
    assert "| `met` | `true` or `false` |" in checkin_section
    assert "`2026:company/win-midmarket`" in page  # the cross-cycle form


def test_format_page_is_in_the_site_and_linked(tmp_path: Path) -> None:
    """The site has format.md, in the navigation and linked from the home and
    rules pages;
    a cycle cannot be called 'format' (its folder would collide)."""
    from okrsite.site.build import build_docs_tree
    from okrsite.site.options import SiteOptions

    model = load_model(make_content(tmp_path, {}))
    tree = build_docs_tree(model, SiteOptions(graphs=False, today=dt.date(2026, 2, 1)))
    assert "format.md" in tree.files
    assert ("Content format", "format.md") in [(i.title, i.path) for i in tree.nav]
    assert "(format.md)" in str(tree.files["rules.md"])
    assert "[Content format](format.md)" in str(tree.files["index.md"])
    company = "name: Acme\ncycles:\n  - {id: Format, start: 2026-01-01, end: 2026-03-31}\n"
    with pytest.raises(ContentError) as info:
        load_model(make_content(tmp_path / "x", {"company.yaml": company}))
    assert "'Format' is a reserved name and cannot be a cycle id" in str(info.value.issues[0])


def test_diff_reports_co_owner_changes(tmp_path: Path) -> None:
    """okrsite diff lists a change of co-owners like a change of owner."""
    import html

    from contentkit import git

    from okrsite.cli.review import compute_diff
    from okrsite.review.markdown import diff_markdown

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    make_content(repo, {"2026-Q1/product.yaml": CO_OWNED})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    path = repo / "content" / "2026-Q1" / "product.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("owners: [Noor, Sam]", "owners: [Noor, Ada]")
    path.write_text(text.replace('owners: [Priya Shah, "Li <b>Wei</b>"]', "owner: Priya Shah"))
    summary = html.unescape(
        diff_markdown(compute_diff(repo / "content", "HEAD", None, dt.date(2026, 2, 1)))
    )
    assert "owners Noor, Sam → Noor, Ada" in summary
    assert "owners Priya Shah, Li \\<b\\>Wei\\</b\\> → –" in summary  # escaped, not HTML
