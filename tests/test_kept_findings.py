"""Closed cycles' quality findings and calibration samples kept in the page cache
(okrsite/site/findings.py): a warm build takes them from the store instead of
running the rules on those cycles, and its site equals a fresh build's; a
stored entry that is not what the build writes is a miss."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_page_cache import build, files_of, make_site

from okrsite.cli import main
from okrsite.engine.pagecache import TEXTS_FILE, read_texts, texts_bytes

TEXTS = Path(".okrsite-cache") / "cycles" / TEXTS_FILE


def stored_rows(root: Path, width: int) -> dict[str, list[list[object]]]:
    """The store's texts that are JSON lists of ``width``-item rows, by key:
    findings have 11 items, calibration samples 8 (the other texts are unit
    profiles: Markdown)."""
    texts = read_texts((root / TEXTS).read_bytes())
    found = {}
    for key, text in texts.items():
        try:
            rows = json.loads(text)
        except ValueError:
            continue
        if isinstance(rows, list) and all(isinstance(r, list) and len(r) == width for r in rows):
            found[key] = rows
    return found


def stored_findings(root: Path) -> dict[str, list[list[object]]]:
    return stored_rows(root, 11)


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real-world site after a cold and a warm build with the page cache."""
    root = tmp_path_factory.mktemp("warm")
    build(make_site(root), root / "site")
    build(root / "mkdocs.yml", root / "site")
    return root


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("fresh")
    build(make_site(root, page_cache=False), root / "site")
    return files_of(root / "site")


def test_closed_cycles_findings_are_stored_and_the_site_is_unchanged(
    warm: Path, fresh: dict[str, bytes]
) -> None:
    """The fixture's two closed quarters (2023-Q2, 2026-Q3) each have an entry
    with their own findings; the current quarter has none."""
    stored = stored_findings(warm)
    cycles = sorted({row[7] for rows in stored.values() for row in rows})
    assert cycles == ["2023-Q2", "2026-Q3"]
    assert len(stored) == 2
    assert files_of(warm / "site") == fresh


def test_the_stored_findings_are_what_the_build_shows(warm: Path, tmp_path: Path) -> None:
    """A message changed in the store shows on the closed quarter's quality
    page: the rules did not run on that quarter again."""
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    texts_file = root / TEXTS
    texts = read_texts(texts_file.read_bytes())
    key, rows = next((k, r) for k, r in stored_findings(root).items() if r and r[0][7] == "2023-Q2")
    rows[0][5] = "Marked in the findings store"
    texts[key] = json.dumps(rows)
    texts_file.write_bytes(texts_bytes(texts))
    build(root / "mkdocs.yml", root / "site")
    page = (root / "site" / "2023-Q2" / "quality" / "index.html").read_text(encoding="utf-8")
    assert "Marked in the findings store" in page
    current = (root / "site" / "2026-Q4" / "quality" / "index.html").read_text(encoding="utf-8")
    assert "Marked in the findings store" not in current


@pytest.mark.parametrize(
    "broken",
    ['{"not": "a list"}', "[[1, 2, 3]]", '[["p", "1", 1, "OKR001", "warning", "m", "h", "2023-Q2", null, null, null]]',
     '[["p", 1, 1, "OKR001", "fatal", "m", "h", "2023-Q2", null, null, null]]',
     '[["p", 1, 1, "OKR001", "warning", "m", "h", "2026-Q4", null, null, null]]', "not json"],
)
def test_an_entry_that_is_not_what_the_build_writes_is_a_miss(
    warm: Path, tmp_path: Path, fresh: dict[str, bytes], broken: str
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    texts_file = root / TEXTS
    texts = read_texts(texts_file.read_bytes())
    for key in stored_findings(root):
        texts[key] = broken
    texts_file.write_bytes(texts_bytes(texts))
    build(root / "mkdocs.yml", root / "site")
    assert files_of(root / "site") == fresh
    assert len(stored_findings(root)) == 2  # written again, as found by the rules


def test_another_day_runs_the_rules_again(warm: Path, tmp_path: Path) -> None:
    """Rules judge dates, so the build's day is part of the key: a build a
    day later stores its own entries (and drops the old ones)."""
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    before = set(stored_findings(root))
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
         "--strict", "--today", "2026-11-24"],
    )
    assert result.exit_code == 0, result.output
    after = set(stored_findings(root))
    assert len(after) == 2 and not before & after


def stored_reports(root: Path) -> dict[str, dict[str, object]]:
    """The store's calibration reports (JSON objects with the company's), by key."""
    texts = read_texts((root / TEXTS).read_bytes())
    found = {}
    for key, text in texts.items():
        try:
            data = json.loads(text)
        except ValueError:
            continue
        if isinstance(data, dict) and "company" in data and "units" in data:
            found[key] = data
    return found


def test_closed_cycles_calibration_samples_are_kept_and_used(
    warm: Path, tmp_path: Path, fresh: dict[str, bytes]
) -> None:
    """Each closed quarter has its graded forecasts stored (the fixture has
    101: 26 in 2023-Q2, 75 in 2026-Q3), and the report made of them. The
    report is what a warm build shows (a count planted in it shows on the
    directory); without it the report is made again from the kept samples
    (emptying 2023-Q2's leaves 75: they were not collected again), and a
    malformed entry is collected again, giving the fresh site."""
    stored = stored_rows(warm, 8)
    counts = sorted((rows[0][0], len(rows)) for rows in stored.values() if rows)
    assert counts == [("2023-Q2", 26), ("2026-Q3", 75)]
    reports = stored_reports(warm)
    assert len(reports) == 1
    report_key, report = next(iter(reports.items()))
    assert report["company"][0] == 101  # type: ignore[index]
    directory = "units/index.html"
    assert "101 forecasts" in fresh[directory].decode("utf-8")
    planted_report = json.dumps({**report, "company": [999, *report["company"][1:]]})  # type: ignore[index]
    for planted, in_report, shows in (
        ("[]", None, "75 forecasts"),
        ('[["x"]]', None, "101 forecasts"),
        ("[]", planted_report, "999 forecasts"),  # the kept report, not the samples
        ("[]", '{"company": [1]}', "75 forecasts"),  # a malformed report is a miss
    ):
        root = tmp_path / f"repo-{len(planted)}-{len(in_report or '')}"
        shutil.copytree(warm, root)
        texts = read_texts((root / TEXTS).read_bytes())
        key = next(k for k, rows in stored.items() if rows and rows[0][0] == "2023-Q2")
        texts[key] = planted
        if in_report is None:
            del texts[report_key]
        else:
            texts[report_key] = in_report
        (root / TEXTS).write_bytes(texts_bytes(texts))
        build(root / "mkdocs.yml", root / "site")
        assert shows in (root / "site" / directory).read_text(encoding="utf-8")
        if shows.startswith("101"):
            assert files_of(root / "site") == fresh


def test_closed_quarters_quality_pages_are_kept_and_dated(warm: Path, tmp_path: Path) -> None:
    """A closed quarter's quality page comes from the store (a marker planted
    in it shows), and only for the day it was made: it prints the date, so a
    build a day later makes it again."""
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    texts = read_texts((root / TEXTS).read_bytes())
    pages = {k: t for k, t in texts.items() if t.startswith("# Quality · ")}
    assert len(pages) == 2  # 2023-Q2 and 2026-Q3; the current quarter's is made every time
    for key, text in pages.items():
        texts[key] = text.replace("checked on", "Planted in the store, checked on", 1)
    (root / TEXTS).write_bytes(texts_bytes(texts))
    build(root / "mkdocs.yml", root / "site")
    page = root / "site" / "2023-Q2" / "quality" / "index.html"
    assert "Planted in the store" in page.read_text(encoding="utf-8")
    current = root / "site" / "2026-Q4" / "quality" / "index.html"
    assert "Planted in the store" not in current.read_text(encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
         "--strict", "--today", "2026-11-24"],
    )
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "Planted in the store" not in text and "2026-11-24" in text


def test_rows_read_back_are_the_objects_the_rules_and_samples_made() -> None:
    """Stored findings and calibration samples are made without their
    dataclasses' __init__ (fields put in place): read back they equal the
    originals in value, hash, order of fields, repr and sort order, and a row
    of the wrong shape or types reads as a miss."""
    import dataclasses
    import datetime as dt

    from okrsite.analysis.calibration import Sample
    from okrsite.checks import Finding
    from okrsite.errors import SourceLocation
    from okrsite.site import calibration, findings

    made = [
        Finding(SourceLocation("content/2026-Q1/sales.yaml", 12, 5), "OKR013", "warning",
                "Check-in is late — 3 weeks", "Add a check-in", "2026-Q1", "sales", "grow",
                None),
        Finding(SourceLocation("content/2026-Q1/a.yaml", 1, 1), "OKR001", "error", "x", "",
                "2026-Q1", None, None, None),
    ]
    back = findings._read(findings._text(made), "2026-Q1")
    assert back is not None
    assert back == made and [hash(f) for f in back] == [hash(f) for f in made]
    assert [repr(f) for f in back] == [repr(f) for f in made]
    assert [list(vars(f)) for f in back] == [[f.name for f in dataclasses.fields(Finding)]] * 2
    assert list(vars(back[0].location)) == ["path", "line", "column"]
    assert sorted(back) == sorted(made) and back[0].location == made[0].location
    with pytest.raises(dataclasses.FrozenInstanceError):
        back[0].message = "changed"  # type: ignore[misc]
    samples = [
        Sample("2026-Q1", "sales", "grow", "kr-1", 0.7, dt.date(2026, 2, 14), 0.5, 1),
        Sample("2026-Q1", "sales", "grow", "kr-2", 1, dt.date(2026, 2, 14), 0.25, 0.0),
    ]
    again = calibration._read(calibration._text(samples), "2026-Q1")
    assert again == samples and [hash(s) for s in again] == [hash(s) for s in samples]
    assert [repr(s) for s in again] == [repr(s) for s in samples]
    assert [type(s.forecast) for s in again] == [float, int]  # as stored
    assert again[0].forecast_date is again[1].forecast_date  # one object per day
    for rows in ('[["2026-Q1","a","b","c",0.5,"2026-02-14",1,"x"]]', '[[1]]', '{"a":1}'):
        assert calibration._read(rows, "2026-Q1") is None
    bad = json.loads(findings._text(made))
    bad[0][1] = "12"
    assert findings._read(json.dumps(bad), "2026-Q1") is None
    bad[0][1], bad[0][4] = 12, "fatal"
    assert findings._read(json.dumps(bad), "2026-Q1") is None
    assert findings._read(findings._text(made), "2026-Q2") is None


def test_a_stored_calibration_report_reads_back_exactly() -> None:
    """The real-world fixture's report (floats with long expansions, units
    with and without a verdict) written and read back is equal to the made
    one, field types included; anything else is a miss."""
    from okrsite.analysis.calibration import calibration_report
    from okrsite.site import calibration
    from okrsite.validate import load_model

    report = calibration_report(load_model(Path(__file__).parent / "fixtures/realworld/content"))
    assert report.company.count == 101 and len(report.units) > 5
    back = calibration._read_report(calibration._report_text(report))
    assert back == report and list(back.units) == list(report.units)
    assert repr(back) == repr(report)
    row = json.loads(calibration._report_text(report))
    for broken in (
        {**row, "company": [*row["company"][:5], "guess", row["company"][6]]},
        {**row, "company": [*row["company"][:1], "0.3", *row["company"][2:]]},
        {**row, "company": [*row["company"][:6], row["company"][6][:4]]},
        {**row, "units": [*row["units"], row["units"][0]]},
        {"units": row["units"]},
        [row],
    ):
        assert calibration._read_report(json.dumps(broken)) is None
    assert calibration._read_report("not json") is None


def test_an_archived_score_edited_changes_the_kept_report(
    warm: Path, tmp_path: Path, fresh: dict[str, bytes]
) -> None:
    """A graded KR's score edited in a closed quarter: that quarter's key
    changes, so do its samples and the report's key; the warm build's
    directory and profiles equal a fresh build of the edited content."""
    root = tmp_path / "repo"
    shutil.copytree(warm, root)
    edited = root / "content" / "2026-Q3" / "cs-onboarding.yaml"
    text = edited.read_text(encoding="utf-8")
    assert text.count("    score: 1.0\n") == 1  # onboarding-o2-k2: forecast 0.8, came true
    edited.write_text(text.replace("    score: 1.0\n", "    score: 0.1\n"), encoding="utf-8")
    build(root / "mkdocs.yml", root / "site")
    other = tmp_path / "other"
    other.mkdir()
    make_site(other, page_cache=False)
    shutil.copy(edited, other / "content" / "2026-Q3" / edited.name)
    build(other / "mkdocs.yml", other / "site")
    got, want = files_of(root / "site"), files_of(other / "site")
    assert got == want
    assert got["units/index.html"] != fresh["units/index.html"]  # the report changed
    assert len(stored_reports(root)) == 1  # the old report was dropped
