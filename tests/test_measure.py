"""Measured key results (``measure:``): values from CSV / JSON-lines data files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from contentkit import git

from okrsite.cli import main
from okrsite.errors import ContentError
from okrsite.source.data import measure_files
from okrsite.validate import LoadCache, load_model
from tests.contentkit import make_content

MEASURED_COMPANY = """\
status: locked
objectives:
  - id: grow
    title: Grow mid-market
    owner: CEO
    key_results:
      - id: customers
        title: Grow paying clinics from 420 to 600
        owner: CEO
        start: 420
        target: 600
        measure: {file: data/clinics.csv, date: week, value: paying_clinics}
        checkins:
          - {date: 2026-02-02, value: 470, confidence: 0.8, note: Written by hand}
"""

WEEKLY = """\
week,paying_clinics,churned
2025-12-29,400,1
2026-01-05,420,2

2026-01-12,431,0
2026-01-19,,0
2026-02-02,466,1
2026-02-09,480,0
2026-02-16,517,3
2026-04-06,999,0
"""


def measured_site(tmp_path: Path, data: str = WEEKLY, company: str = MEASURED_COMPANY) -> Path:
    content = make_content(tmp_path, {"2026-Q1/company.yaml": company})
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "clinics.csv").write_text(data, encoding="utf-8")
    return content


def load(content: Path):  # type: ignore[no-untyped-def]
    return load_model(content)


def errors(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load(content)
    return [str(issue) for issue in caught.value.issues]


def test_rows_in_the_cycle_become_checkins_and_the_latest_is_current(tmp_path: Path) -> None:
    """Rows dated inside the cycle are value-only check-ins (blank values skipped, rows
    outside the cycle ignored); a written check-in on the same date wins."""
    model = load(measured_site(tmp_path))
    kr = model.cycles["2026-Q1"].okrs["company"].objectives[0].key_results[0]
    assert [(c.date.isoformat(), c.value) for c in kr.checkins] == [
        ("2026-01-05", 420),
        ("2026-01-12", 431),
        ("2026-02-02", 470),
        ("2026-02-09", 480),
        ("2026-02-16", 517),
    ]
    written = next(c for c in kr.checkins if c.date == dt.date(2026, 2, 2))
    assert written.note == "Written by hand" and written.confidence == 0.8
    assert kr.current == 517
    assert kr.measured is not None
    assert (kr.measured.file, kr.measured.as_of, kr.measured.value) == (
        "data/clinics.csv",
        dt.date(2026, 2, 16),
        517,
    )


def test_a_second_load_reads_the_data_again(tmp_path: Path) -> None:
    """A preview server's loads share validated files (a LoadCache); measuring must
    not leak into the next load when the data file changes between builds."""
    content = measured_site(tmp_path)
    cache = LoadCache()

    def kr():  # type: ignore[no-untyped-def]
        model = load_model(content, cache=cache)
        return model.cycles["2026-Q1"].okrs["company"].objectives[0].key_results[0]

    first = kr()
    data = tmp_path / "data" / "clinics.csv"
    data.write_text(data.read_text().replace("2026-02-16,517", "2026-02-16,520"))
    second = kr()
    assert (first.current, second.current) == (517, 520)
    assert [c.value for c in second.checkins][-1] == 520
    data.write_text(WEEKLY.replace("2026-02-16,517,3\n", ""))
    third = kr()
    assert third.current == 480 and len(third.checkins) == 4
    assert first.current == 517 and len(first.checkins) == 5  # earlier models unchanged


def test_forgiving_cells(tmp_path: Path) -> None:
    """Slashed dates, date-times, thousands separators and a percent sign read as
    people and exports write them."""
    content = measured_site(
        tmp_path,
        'week,paying_clinics\n2026/01/05,"1,420"\n2026-01-12T09:30:00,431%\n2026-01-19 08:00,440\n',
    )
    kr = load(content).cycles["2026-Q1"].okrs["company"].objectives[0].key_results[0]
    assert [(c.date.isoformat(), c.value) for c in kr.checkins if c.note is None] == [
        ("2026-01-05", 1420),
        ("2026-01-12", 431),
        ("2026-01-19", 440),
    ]


def test_json_lines(tmp_path: Path) -> None:
    lines = [
        {"day": "2026-01-10", "n": 430},
        {"day": "2026-01-17", "n": 441.5},
    ]
    company = MEASURED_COMPANY.replace(
        "{file: data/clinics.csv, date: week, value: paying_clinics}",
        "{file: data/clinics.jsonl, date: day, value: n}",
    )
    content = measured_site(tmp_path, company=company)
    (tmp_path / "data" / "clinics.jsonl").write_text(
        "\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8"
    )
    kr = load(content).cycles["2026-Q1"].okrs["company"].objectives[0].key_results[0]
    assert kr.current == 441.5
    assert kr.measured is not None and kr.measured.as_of == dt.date(2026, 1, 17)


def test_errors_are_located_in_both_files(tmp_path: Path) -> None:
    """A bad value or date at the data file's row; a missing column or file at the
    KR's measure line; all at once."""
    content = measured_site(tmp_path, WEEKLY.replace("431", "n/a").replace("2026-02-09", "9/2/26"))
    found = errors(content)
    assert "data/clinics.csv:5: 'paying_clinics' is not a number: 'n/a'" in found
    assert "data/clinics.csv:8: 'week' is not a date (YYYY-MM-DD): '9/2/26'" in found

    wrong_column = MEASURED_COMPANY.replace("value: paying_clinics", "value: paying")
    found = errors(measured_site(tmp_path, company=wrong_column))
    assert found == [
        "content/2026-Q1/company.yaml:12:18: data/clinics.csv has no column 'paying' "
        "(columns: week, paying_clinics, churned)"
    ]
    missing = MEASURED_COMPANY.replace("data/clinics.csv", "data/nope.csv")
    found = errors(measured_site(tmp_path, company=missing))
    assert found == [
        "content/2026-Q1/company.yaml:12:18: measure file 'data/nope.csv' not found in the "
        "repository"
    ]


@pytest.mark.parametrize(
    "path", ["../secret.csv", "/etc/passwd.csv", "data/../../x.csv", "C:/x.csv"]
)
def test_paths_must_stay_inside_the_repository(tmp_path: Path, path: str) -> None:
    company = MEASURED_COMPANY.replace("data/clinics.csv", path)
    (tmp_path / "secret.csv").write_text("week,paying_clinics\n2026-01-05,1\n")
    found = errors(measured_site(tmp_path / "repo", company=company))
    assert len(found) == 1 and "must be a relative path inside the repository" in found[0]


def test_page_okrs_json_and_staleness(tmp_path: Path) -> None:
    """The company page says value · as of date · from file; okrs.json carries
    measured_from and as_of; the staleness rule counts from the last data row."""
    content = measured_site(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Acme\ntheme: {name: material, font: false}\n"
        "plugins: [search, {okrsite: {content_dir: content}}]\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "build",
            "--config-file",
            str(tmp_path / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
            "--today",
            "2026-02-20",
        ],
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site/2026-Q1/company/index.html").read_text(encoding="utf-8")
    assert "517 · as of 2026-02-16 · from data/clinics.csv" in page
    data = json.loads((tmp_path / "site/okrs.json").read_text(encoding="utf-8"))
    kr = data["cycles"][0]["units"][0]["objectives"][0]["key_results"][0]
    assert (kr["measured_from"], kr["as_of"], kr["current"]) == (
        "data/clinics.csv",
        "2026-02-16",
        517,
    )

    result = runner.invoke(main, ["check", "--content", str(content), "--today", "2026-03-10"])
    assert "no check-in for 22 days (last on 2026-02-16)" in result.output


def test_serve_watches_the_data_files(tmp_path: Path) -> None:
    content = measured_site(tmp_path)
    assert measure_files(content) == [tmp_path / "data" / "clinics.csv"]


def test_diff_reports_new_measured_values(tmp_path: Path) -> None:
    """A new row in the data file shows in `okrsite diff` as a new check-in; the
    base side reads the data file as it was at the base ref."""
    content = measured_site(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    data = tmp_path / "data" / "clinics.csv"
    data.write_text(data.read_text().replace("2026-04-06,999,0", "2026-02-23,530,0"))
    result = CliRunner().invoke(
        main, ["diff", "HEAD", "--content", str(content), "--today", "2026-02-24"]
    )
    assert result.exit_code == 0, result.output
    assert "2026-02-23" in result.output and "530" in result.output
    assert "2026-02-16" not in result.output.split("2026-02-23")[0].splitlines()[-1]


def test_the_rules_childs_model_without_checkins_reads_no_data_files(tmp_path: Path) -> None:
    """``okrsite check``'s rules child validates without check-ins, so its
    measured key results read no data file (no check-ins, no current from
    there): its rules still find exactly what they find in the full model."""
    from okrsite.checks import run_checks
    from okrsite.cli.rulesplit import split_rules
    from okrsite.source import load_content
    from okrsite.validate import validate

    content = measured_site(tmp_path)
    raw = load_content(content)
    full = validate(raw)
    without = validate(raw, references=False, checkins=False)
    kr = without.cycles["2026-Q1"].okrs["company"].objectives[0].key_results[0]
    assert kr.checkins == [] and kr.measured is None and kr.current is None
    _own, theirs = split_rules()
    for today in (dt.date(2026, 2, 20), dt.date(2026, 4, 10)):
        expected = run_checks(full, today=today, only=theirs)
        assert run_checks(without, today=today, only=theirs) == expected
