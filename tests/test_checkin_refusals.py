"""`okrsite checkin` cannot go wrong: dates outside every cycle, graded
cycles and values of the wrong kind are refused with the file untouched byte
for byte; not-done really makes a milestone not done; the output says which
line of which file was written. Real CLI, real files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from contentkit import make_content
from realworld_gen import TODAY, UNGRADED_PAST, generate

from okrsite.cli import main
from okrsite.validate import load_model

COMPANY = """\
name: Acme
method: hybrid
cycles:
  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
  - {id: 2026-Q2, start: 2026-04-01, end: 2026-06-30}
"""

MILESTONES = """\
status: locked
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
        current: 9   # days, from the dashboard
        owner: Priya
      - id: soc2
        title: SOC 2 report issued
        kind: milestone
        done: true   # auditor letter
        checkins:
          - {date: 2026-02-01, done: true}
      - id: uptime
        title: Keep uptime above 99.9%
        kind: threshold
        direction: above
        target: 99.9
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def snapshot(content: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return make_content(
        tmp_path, {"company.yaml": COMPANY, "2026-Q1/product.yaml": MILESTONES}
    )


def checkin(content: Path, target: str, value: str, *extra: str) -> tuple[int, str, str]:
    return run("checkin", target, value, "--content", str(content), "--today", "2026-05-10",
               *extra)


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        (("--date", "2027-01-05"), "falls in no cycle"),
        (("--date", "2025-12-31"), "falls in no cycle"),
        (("--date", "2026-04-03", "--cycle", "2026-Q1"), "is outside 2026-Q1"),
        (("--date", "2026-02-03", "--cycle", "2026-Q9"), "no cycle '2026-Q9'"),
    ],
)
def test_dates_outside_the_cycles_are_refused(
    content: Path, extra: tuple[str, ...], why: str
) -> None:
    before = snapshot(content)
    code, out, err = checkin(content, "product/easier/ttv", "8", *extra)
    assert code == 1
    assert why in err and "Traceback" not in err
    assert "--date" in err or "cycles:" in err  # says what to do
    assert out == ""
    assert snapshot(content) == before


def test_no_date_means_today_and_today_may_be_in_no_cycle(content: Path) -> None:
    """Without --date the check-in is for today; today (2026-07-10) is after
    every cycle: refused, not filed under the last cycle."""
    before = snapshot(content)
    code, _, err = run("checkin", "product/easier/ttv", "8", "--content", str(content),
                       "--today", "2026-07-10")
    assert code == 1 and "2026-07-10 falls in no cycle" in err
    assert snapshot(content) == before


def test_ended_and_graded_cycle_is_refused(content: Path) -> None:
    graded = content / "2026-Q1/product.yaml"
    graded.write_text(graded.read_text().replace("status: locked", "status: graded"))
    before = snapshot(content)
    code, _, err = checkin(content, "product/easier/ttv", "8", "--date", "2026-03-20")
    assert code == 1
    assert "2026-Q1 ended on 2026-03-31" in err and "graded" in err
    assert "'score'" in err and "status: locked" in err  # what to do instead
    assert snapshot(content) == before


def test_ended_but_ungraded_cycle_takes_a_late_checkin(content: Path) -> None:
    """A cycle that ended but is still locked may get its last check-in."""
    code, out, err = checkin(content, "product/easier/ttv", "6", "--date", "2026-03-30")
    assert code == 0, err
    assert "(2026-Q1)" in out


@pytest.mark.parametrize(
    ("target", "value", "why"),
    [
        ("product/easier/ttv", "done", "is a numeric key result: done/not-done"),
        ("product/easier/ttv", "not-done", "is a numeric key result: done/not-done"),
        ("product/easier/ttv", "met", "is a numeric key result: met/not-met"),
        ("product/easier/soc2", "7", "is a milestone key result: a number"),
        ("product/easier/uptime", "done", "is a threshold key result: done/not-done"),
    ],
)
def test_values_of_the_wrong_kind_are_refused(
    content: Path, target: str, value: str, why: str
) -> None:
    before = snapshot(content)
    code, _, err = checkin(content, target, value, "--date", "2026-02-10")
    assert code == 1
    assert why in err and "e.g. `okrsite checkin " in err
    assert snapshot(content) == before


def test_not_done_sets_done_false_and_reports_lines(content: Path) -> None:
    """not-done on a milestone with `done: true` sets `done: false` (its
    comment kept) beside the new check-in; the output names each line, and
    the site's model reads the milestone as not done."""
    path = content / "2026-Q1/product.yaml"
    code, out, err = checkin(content, "product/easier/soc2", "not-done", "--date", "2026-02-10",
                             "--note", "auditor found a gap")
    assert code == 0, err
    lines = path.read_text().splitlines()
    assert "        done: false   # auditor letter" in lines
    reported = re.findall(rf"^{re.escape(str(path))}:(\d+): (.+)$", out, re.MULTILINE)
    assert [what.split(":")[0] for _, what in reported] == ["done", "check-in {date"]
    done_line, done_what = reported[0]
    assert done_what == "done: true → false"
    assert lines[int(done_line) - 1].strip().startswith("done: false")
    checkin_line = int(reported[1][0])
    assert "2026-02-10" in lines[checkin_line - 1] and "done: false" in lines[checkin_line - 1]
    model = load_model(content)
    kr = model.cycles["2026-Q1"].okrs["product"].objectives[0].key_results[1]
    assert kr.done is False and kr.checkins[-1].done is False


def test_number_reports_current_and_checkin_lines(content: Path) -> None:
    path = content / "2026-Q1/product.yaml"
    code, out, err = checkin(content, "product/easier/ttv", "8", "--date", "2026-02-10")
    assert code == 0, err
    lines = path.read_text().splitlines()
    reported = dict(
        (what.split(":")[0], int(line))
        for line, what in re.findall(rf"^{re.escape(str(path))}:(\d+): (.+)$", out, re.MULTILINE)
    )
    assert lines[reported["current"] - 1] == "        current: 8   # days, from the dashboard"
    assert "current: 9 → 8" in out
    assert "{date: 2026-02-10, value: 8}" in lines[reported["check-in {date"] - 1]
    assert "new 'checkins:'" in out  # the key result had no check-ins yet


def test_generated_company_graded_quarter_refused_ungraded_accepted(tmp_path: Path) -> None:
    """On the two-year company: a check-in in a graded past quarter is refused;
    one in the quarter that ended but was never graded is taken."""
    generate(tmp_path, variant="tuning")
    content = tmp_path / "content"
    model = load_model(content)

    def first_numeric(cycle_id: str) -> str:
        okrs = next(o for u, o in model.cycles[cycle_id].okrs.items() if u != "company")
        for objective in okrs.objectives:
            for kr in objective.key_results:
                if kr.effective_kind == "numeric":
                    return f"{okrs.unit_id}/{objective.id}/{kr.id}"
        raise AssertionError("no numeric key result")

    before = snapshot(content)
    code, _, err = run("checkin", first_numeric("2025-Q3"), "12", "--date", "2025-09-20",
                       "--content", str(content), "--today", TODAY.isoformat())
    assert code == 1 and "2025-Q3 ended on 2025-09-30" in err
    assert snapshot(content) == before
    code, out, err = run("checkin", first_numeric(UNGRADED_PAST), "12", "--date", "2026-09-20",
                         "--content", str(content), "--today", TODAY.isoformat())
    assert code == 0, err
    assert f"({UNGRADED_PAST})" in out
