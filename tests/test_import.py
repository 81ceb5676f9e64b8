"""``okrsite import``: real CSV and XLSX files into a real starter site.

Every test starts from ``okrsite init`` (the starter content), writes a sheet
the way people and tools write them, and runs the command as a user would.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from okrsite.cli import main
from okrsite.validate import load_model

TEAM_SHEET = Path(__file__).resolve().parents[1] / "examples" / "import" / "team-okrs.csv"
TOOL_EXPORT = Path(__file__).resolve().parents[1] / "examples" / "import" / "tool-export.csv"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def site(tmp_path: Path) -> Path:
    code, _, err = run("init", tmp_path / "site")
    assert code == 0, err
    return tmp_path / "site"


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def import_(site: Path, sheet: Path, *extra: str) -> tuple[int, str, str]:
    return run("import", sheet, "--content", site / "content", "--today", "2027-02-01", *extra)


def test_team_sheet_and_tool_export_build(site: Path) -> None:
    """The acceptance scenario: a team spreadsheet and a tool export with a second
    quarter pass `okrsite check` with no errors, build with --strict, and okrs.json
    holds every imported objective and key result in both quarters."""
    code, out, err = import_(site, TEAM_SHEET)
    assert code == 0, err
    assert "3 objectives, 6 key results, 3 links made" in out
    assert "okrsite check: 0 errors" in out and ": passed" in out
    code, out, err = import_(site, TOOL_EXPORT)
    assert code == 0, err
    assert "2 rows skipped (1 Initiative, 1 KPI)" in out
    code, out, err = run("check", "--content", site / "content", "--today", "2027-02-01")
    assert code == 0, out + err
    assert "0 errors" in out

    # A company KR measured from a weekly CSV (committed by a job).
    (site / "data").mkdir()
    (site / "data" / "customers.csv").write_text(
        "week,paying\n2027-01-04,1110\n2027-01-11,1135\n2027-01-18,1162\n", encoding="utf-8"
    )
    company = site / "content/2027-Q1/company.yaml"
    company.write_text(
        company.read_text().replace(
            "        unit: customers\n",
            "        unit: customers\n"
            "        measure: {file: data/customers.csv, date: week, value: paying}\n",
        )
    )
    code, out, err = run(
        "build",
        "--strict",
        "--config-file",
        site / "mkdocs.yml",
        "--site-dir",
        site / "site",
        "--today",
        "2027-01-20",
    )
    assert code == 0, out + err
    data = json.loads((site / "site" / "okrs.json").read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    for title in (
        "Grow into a two-product company",
        "Annual recurring revenue",
        "Open Europe for business",
        "EMEA win rate",
        "Self-serve help centre live",
        "Make onboarding self-serve",
        "Guided setup shipped",
        "Prepare the EU data region",
        "EU workspaces hosted in the EU region",
    ):
        assert title in text, title
    assert "Rewrite the setup wizard" not in text  # an Initiative: skipped
    cycles = json.dumps(data["cycles"])
    assert "2027-Q1" in cycles and "2027-Q2" in cycles
    page = (site / "site/2027-Q1/company/index.html").read_text(encoding="utf-8")
    assert "1,162 customers · as of 2027-01-18 · from data/customers.csv" in page
    assert '"measured_from": "data/customers.csv"' in text and '"as_of": "2027-01-18"' in text


def test_values_links_and_milestones(site: Path) -> None:
    """Money with magnitudes, thousands, percent, hours and 'done' become the
    fields an author would write; parents by title become aligns_to/contributes_to."""
    assert import_(site, TEAM_SHEET)[0] == 0
    company = yaml.safe_load((site / "content/2027-Q1/company.yaml").read_text())
    arr = company["objectives"][0]["key_results"][0]
    assert (arr["start"], arr["target"], arr["current"], arr["unit"], arr["prefix"]) == (
        1.2,
        1.5,
        1.3,
        "M",
        "$",
    )
    assert company["objectives"][0]["key_results"][1]["start"] == 1100
    emea = yaml.safe_load((site / "content/2027-Q1/sales-emea.yaml").read_text())
    objective = emea["objectives"][0]
    assert objective["aligns_to"] == ["company/grow-two-product-company"]
    pipeline = objective["key_results"][0]
    assert pipeline["contributes_to"] == [
        "company/grow-two-product-company/annual-recurring-revenue"
    ]
    assert (pipeline["target"], pipeline["unit"], pipeline["prefix"]) == (400, "k", "€")
    support = yaml.safe_load((site / "content/2027-Q1/support.yaml").read_text())
    hours, help_centre = support["objectives"][0]["key_results"]
    assert (hours["start"], hours["target"], hours["unit"]) == (6, 2, "h")
    assert help_centre["kind"] == "milestone" and help_centre["done"] is True
    assert support["objectives"][0]["owner"] == "Grace Kim"  # every KR row names her


def test_org_and_company_edits_keep_the_users_text(site: Path) -> None:
    """New units and quarters are appended; every original line stays, comments too."""
    org_before = (site / "content/org.yaml").read_text()
    company_before = (site / "content/company.yaml").read_text()
    assert import_(site, TEAM_SHEET)[0] == 0
    org_after = (site / "content/org.yaml").read_text()
    company_after = (site / "content/company.yaml").read_text()
    assert org_after.startswith(org_before)
    assert "# added by okrsite import from team-okrs.csv" in org_after
    units = {u["id"]: u for u in yaml.safe_load(org_after)["units"]}
    assert units["sales-emea"]["parent"] == "sales"
    assert units["sales"]["kind"] == "department"
    for line in company_before.splitlines():
        assert line in company_after.splitlines()
    cycles = {c["id"]: c for c in yaml.safe_load(company_after)["cycles"]}
    assert str(cycles["2027-Q1"]["start"]) == "2027-01-01"
    assert str(cycles["2027-Q1"]["end"]) == "2027-03-31"


def test_reimport_changes_nothing_and_existing_files_are_refused(site: Path) -> None:
    """The same sheet twice: byte-identical content. A changed sheet into existing
    files is refused (exit 1, nothing written) unless --replace."""
    assert import_(site, TEAM_SHEET)[0] == 0
    before = digest(site / "content")
    code, out, _ = import_(site, TEAM_SHEET)
    assert code == 0
    assert "nothing to change" in out
    assert digest(site / "content") == before

    changed = site / "team-okrs.csv"
    changed.write_text(TEAM_SHEET.read_text().replace("€400k", "€500k"), encoding="utf-8")
    code, _, err = import_(site, changed)
    assert code == 1
    assert "sales-emea.yaml exists: pass --replace" in err
    assert digest(site / "content") == before
    code, _, err = import_(site, changed, "--replace")
    assert code == 0, err
    emea = yaml.safe_load((site / "content/2027-Q1/sales-emea.yaml").read_text())
    assert emea["objectives"][0]["key_results"][0]["target"] == 500


def test_bom_semicolons_blank_lines_and_other_spellings(site: Path) -> None:
    """Excel's 'CSV UTF-8' with ';' separators, decimal commas, blank rows and
    other header spellings (Unit = team, KR, Baseline, Goal, Actual, Period)."""
    sheet = site / "excel.csv"
    sheet.write_bytes(
        "\ufeffUnit;KR Owner;Objective;KR;Baseline;Goal;Actual;Period\n"
        "\n"
        "Onboarding;Sam Rivera;Faster setup;Setup time;6,5 h;2 h;5 h;Q1 2027\n"
        ";;;;;;;\n"
        "Onboarding;Sam Rivera;Faster setup;Setup time;1.200;900;1.000;Q1 2027\n".encode()
    )
    code, _, err = import_(site, sheet)
    assert code == 0, err
    data = yaml.safe_load((site / "content/2027-Q1/product-onboarding.yaml").read_text())
    first, second = data["objectives"][0]["key_results"]
    assert (first["id"], first["start"], first["unit"]) == ("setup-time", 6.5, "h")
    assert (second["id"], second["start"], second["current"]) == ("setup-time-2", 1200, 1000)
    text = (site / "content/2027-Q1/product-onboarding.yaml").read_text()
    assert "- id: setup-time-2  # row 5" in text  # the blank rows still count


def test_xlsx_sheet_with_duplicate_titles(site: Path) -> None:
    """A real .xlsx (numbers as numbers, a percent as text) with the same objective
    title in two teams: two objectives; a parent by that title is ambiguous and the
    error names the references to use instead."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["Team", "Department", "Objective", "Key Result", "Start", "Target", "Quarter", "Parent"]
    )
    sheet.append(["Alpha", "Platform", "Be reliable", "Uptime", 99.5, "99.9%", "2027-Q1", None])
    sheet.append(["Beta", "Platform", "Be reliable", "Incidents", 12, 4, "2027-Q1", None])
    sheet.append(["Gamma", None, "Ship faster", "Lead time", 10, 5, "2027-Q1", "Be reliable"])
    path = site / "okrs.xlsx"
    book.save(path)
    before = digest(site / "content")
    code, _, err = import_(site, path)
    assert code == 1
    assert f"{path}:4: 'Be reliable' matches 2 items in 2027-Q1: write one of " in err
    assert "alpha/reliable" in err and "beta/reliable" in err
    assert "Traceback" not in err
    assert digest(site / "content") == before

    sheet["H4"] = "alpha/reliable"
    book.save(path)
    code, _, err = import_(site, path)
    assert code == 0, err
    alpha = yaml.safe_load((site / "content/2027-Q1/alpha.yaml").read_text())
    uptime = alpha["objectives"][0]["key_results"][0]
    assert (uptime["start"], uptime["target"], uptime["unit"]) == (99.5, 99.9, "%")
    gamma = yaml.safe_load((site / "content/2027-Q1/gamma.yaml").read_text())
    assert gamma["objectives"][0]["aligns_to"] == ["alpha/reliable"]


def test_bad_sheet_reports_every_row_and_writes_nothing(site: Path) -> None:
    """Every problem at FILE:ROW (header row 1), all at once, exit 1, no traceback,
    content byte-identical."""
    sheet = site / "bad.csv"
    sheet.write_text(
        "Team,Objective,Key Result,Start,Target,Confidence,Quarter,Aligns to\n"
        "Sales,Win deals,Deals won,ten,20,0.5,2027-Q1,\n"
        "Sales,,Orphan KR,1,2,,2027-Q1,\n"
        "Sales,Win deals,Bigger deals,$1M,20 days,,2027-Q1,\n"
        "Sales,Win deals,Faster deals,1,2,250%,2027-Q1,\n"
        "Sales,Win deals,Happier,1,2,,Spring push,\n"
        "Sales,Win deals,Aligned,1,2,,2027-Q1,No such objective\n",
        encoding="utf-8",
    )
    before = digest(site / "content")
    code, out, err = import_(site, sheet)
    assert code == 1
    lines = err.splitlines()
    assert f"{sheet}:2: 'Start' is not a number: 'ten'" in lines
    assert f"{sheet}:3: no objective: every row needs a team and an objective" in lines
    assert any(
        line.startswith(f"{sheet}:4: start, target and current use different") for line in lines
    )
    assert any(line.startswith(f"{sheet}:5: 'Confidence' is not between 0 and 1") for line in lines)
    assert any(line.startswith(f"{sheet}:6: unknown cycle 'Spring push'") for line in lines)
    assert f"{sheet}:7: no objective or key result titled 'No such objective' in 2027-Q1" in lines
    assert "Traceback" not in out + err
    assert digest(site / "content") == before


def test_missing_column_lists_headers_and_map_fixes_it(site: Path) -> None:
    """An unrecognised header: the error lists the headers found and the --map to
    use; with --map the same file imports."""
    sheet = site / "odd.csv"
    sheet.write_text(
        "Squad,Goal statement,Result,Quarter\nOnboarding,Faster setup,Setup in a day,2027-Q1\n",
        encoding="utf-8",
    )
    code, _, err = import_(site, sheet)
    assert code == 1
    assert "no column for 'team'" in err and "'Squad'" in err and "--map 'YOUR HEADER=team'" in err
    code, _, err = import_(
        site,
        sheet,
        "--map",
        "Squad=team",
        "--map",
        "Goal statement=objective",
        "--map",
        "Result=key_result",
    )
    assert code == 0, err
    assert (site / "content/2027-Q1/product-onboarding.yaml").exists()


def test_cycle_option_and_dry_run(site: Path) -> None:
    """Without a quarter column --cycle names the cycle; --dry-run writes nothing."""
    sheet = site / "noquarter.csv"
    sheet.write_text("Team,Objective,KR\nProduct,Faster setup,Setup in a day\n", encoding="utf-8")
    code, _, err = import_(site, sheet)
    assert code == 1 and "--cycle" in err
    before = digest(site / "content")
    code, out, err = import_(site, sheet, "--cycle", "2026-Q4", "--dry-run")
    assert code == 1  # product already has a 2026-Q4 file
    assert "2026-Q4/product.yaml exists" in err
    code, out, err = import_(site, sheet, "--cycle", "2027-Q3", "--dry-run")
    assert code == 0, err
    assert "would write (new)" in out
    assert digest(site / "content") == before


def test_untrusted_titles_stay_data(site: Path) -> None:
    """Titles with YAML syntax, quotes and line breaks round-trip as text."""
    sheet = site / "tricky.csv"
    nasty = 'Win: "big" # not a comment\n--- [x] {y}'
    sheet.write_text(
        "Team,Objective,Key Result,Quarter\n"
        f'Product,"{nasty.replace(chr(34), chr(34) * 2)}",yes,2027-Q1\n',
        encoding="utf-8",
    )
    code, _, err = import_(site, sheet)
    assert code == 0, err
    model = load_model(site / "content")
    objective = model.cycles["2027-Q1"].okrs["product"].objectives[0]
    assert objective.title == " ".join(nasty.split())
    assert objective.key_results[0].title == "yes"


def test_import_help_names_the_shapes() -> None:
    """`okrsite import --help` explains both shapes and the FILE:ROW errors."""
    code, out, _ = run("import", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "a row per key result" in text and "a row per item" in text
    assert "FILE:ROW" in text and "--replace" in text


def test_replace_that_would_break_other_units_writes_nothing(site: Path) -> None:
    """Replacing the company's 2026-Q4 OKRs with ones that drop what Product aligns
    to: the result is validated before anything is written, so the errors name the
    broken references and the content stays byte-identical."""
    sheet = site / "company.csv"
    sheet.write_text(
        "Team,Objective,Key Result,Start,Target,Quarter\n"
        "Company,Something else,Revenue,$1M,$2M,2026-Q4\n",
        encoding="utf-8",
    )
    before = digest(site / "content")
    code, _, err = import_(site, sheet, "--replace")
    assert code == 1
    assert (
        "content/2026-Q4/product.yaml:9:17: aligns_to: unit 'company' has no objective 'grow'"
        in err
    )
    assert "nothing was imported" in err
    assert digest(site / "content") == before


def test_xlsx_without_openpyxl_says_how_to_install(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the [xlsx] extra: a clear message, exit 1, no traceback."""
    book = openpyxl.Workbook()
    path = site / "okrs.xlsx"
    book.save(path)
    monkeypatch.setitem(__import__("sys").modules, "openpyxl", None)
    code, _, err = import_(site, path)
    assert code == 1
    assert "pip install 'okrsite[xlsx]'" in err and "Traceback" not in err


def test_xlsx_named_sheet(site: Path) -> None:
    """--sheet picks a sheet; an unknown one lists the sheets there are."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Notes"
    first.append(["nothing to see"])
    okrs = book.create_sheet("Q1 OKRs")
    okrs.append(["Item type", "Name", "Team", "Parent", "Baseline", "Goal", "Cycle"])
    okrs.append(["Objective", "Make setup painless", "Onboarding", None, None, None, "2027-Q1"])
    okrs.append(
        ["Key result", "Setup time", "Onboarding", "Make setup painless", "6 h", "2 h", "2027-Q1"]
    )
    path = site / "tool.xlsx"
    book.save(path)
    code, _, err = import_(site, path, "--sheet", "Q2")
    assert code == 1 and "no sheet 'Q2' (sheets: 'Notes', 'Q1 OKRs')" in err
    code, out, err = import_(site, path, "--sheet", "Q1 OKRs")
    assert code == 0, err
    assert "1 objective, 1 key result" in out


def test_parent_in_another_quarter_is_noted_not_linked(site: Path) -> None:
    """A tool export whose Q2 objective names a Q1 objective as parent: links stay
    within a cycle, so the import says it made no link there (and imports the rest);
    a parent in a cycle containing the quarter (the year) becomes a cross-cycle
    reference; a title found nowhere is an error."""
    assert import_(site, TEAM_SHEET)[0] == 0
    export = site / "export.csv"
    export.write_text(
        "Type,Title,Team,Parent,Cycle\n"
        "Objective,Keep growing,Sales EMEA,Grow into a two-product company,2027-Q2\n"
        "Key Result,Two new markets,Sales EMEA,Keep growing,2027-Q2\n",
        encoding="utf-8",
    )
    code, out, err = import_(site, export)
    assert code == 0, err
    assert "note: row 2: no link made to 'Grow into a two-product company': it is in 2027-Q1" in out
    q2 = yaml.safe_load((site / "content/2027-Q2/sales-emea.yaml").read_text())
    assert "aligns_to" not in q2["objectives"][0]

    typo = site / "typo.csv"
    typo.write_text(export.read_text().replace("Grow into a two", "Grow into a three"))
    code, _, err = import_(site, typo, "--replace")
    assert code == 1
    assert f"{typo}:2: no objective or key result titled 'Grow into a three-product company'" in err


def test_parent_in_the_containing_year_is_a_cross_cycle_reference(site: Path) -> None:
    """An annual cycle containing the quarter: the parent by title becomes
    'YEAR:unit/objective', which the content validates."""
    company = site / "content/company.yaml"
    company.write_text(
        company.read_text().replace(
            "cycles:\n", 'cycles:\n  - id: "2027"\n    start: 2027-01-01\n    end: 2027-12-31\n'
        )
    )
    (site / "content/2027").mkdir()
    (site / "content/2027/company.yaml").write_text(
        "status: locked\nobjectives:\n  - id: win-year\n    title: Win the year\n"
        "    owner: Alex Kim\n    key_results:\n      - {id: arr, title: ARR, start: 1, "
        "target: 2, owner: Alex Kim}\n",
        encoding="utf-8",
    )
    sheet = site / "q1.csv"
    sheet.write_text(
        "Team,Objective,Key Result,Start,Target,Quarter,Aligns to\n"
        "Product,Ship the year's bets,Bets shipped,0,3,2027-Q1,Win the year\n",
        encoding="utf-8",
    )
    code, out, err = import_(site, sheet)
    assert code == 0, out + err
    product = yaml.safe_load((site / "content/2027-Q1/product.yaml").read_text())
    assert product["objectives"][0]["aligns_to"] == ["2027:company/win-year"]


def test_xlsx_number_formats_and_date_quarters(site: Path) -> None:
    """Excel keeps 35% as 0.35 in a percent-formatted cell and $1,200,000 as a number
    in a currency-formatted one: the import reads what the sheet shows. A Quarter
    typed as a date is the cycle containing that day (or its YYYY-Qn)."""
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Team", "Objective", "Key Result", "Start", "Target", "Quarter"])
    sheet.append(["Product", "Grow", "Activation", 0.3, 0.455, dt.datetime(2027, 2, 1)])
    sheet.append(["Product", "Grow", "Revenue", 1_200_000, 1_500_000, dt.datetime(2026, 11, 3)])
    for cell in ("D2", "E2"):
        sheet[cell].number_format = "0.0%"
    for cell in ("D3", "E3"):
        sheet[cell].number_format = '"$"#,##0'
    path = site / "formats.xlsx"
    book.save(path)
    code, _, err = import_(site, path)
    assert code == 1  # 2026-11-03 is in the starter's 2026-Q4, whose product.yaml
    assert "2026-Q4/product.yaml exists" in err  # exists: a refusal, not a new cycle
    sheet["F3"] = dt.datetime(2027, 3, 31)
    book.save(path)
    code, _, err = import_(site, path)
    assert code == 0, err
    data = yaml.safe_load((site / "content/2027-Q1/product.yaml").read_text())
    activation, revenue = data["objectives"][0]["key_results"]
    assert (activation["start"], activation["target"], activation["unit"]) == (30, 45.5, "%")
    assert (revenue["start"], revenue["target"], revenue["prefix"]) == (1_200_000, 1_500_000, "$")
