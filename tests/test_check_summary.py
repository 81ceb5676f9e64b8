"""`okrsite check` at real-world scale: the per-rule summary, --rule and
--max-per-rule, through the real CLI on the generated two-year company
(tests/realworld_gen.py)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from realworld_gen import TODAY, generate

from okrsite.checks import RULES_BY_ID
from okrsite.cli import main

SUMMARY_LINE = re.compile(r"^(OKR\d{3}) ([a-z0-9-]+) (\d+)$")


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("realworld")
    generate(root, variant="tuning")
    return root / "content"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


def check(content: Path, *args: str) -> tuple[int, str]:
    return run("check", "--content", str(content), "--today", TODAY.isoformat(), *args)


def summary_lines(out: str) -> dict[str, tuple[str, int]]:
    """The per-rule summary at the end of the text output: id → (name, count)."""
    tail = out.split("findings by rule:\n", 1)[1]
    found = {}
    for line in tail.splitlines():
        match = SUMMARY_LINE.match(line)
        if match:
            found[match[1]] = (match[2], int(match[3]))
    return found


def test_summary_matches_json_counts(company: Path) -> None:
    """One line per rule that fired, `OKR015 graded-without-score N`, with the
    counts of the JSON output (its findings and its by_rule), at ~600 findings."""
    code, out = check(company)
    assert code == 0
    lines = summary_lines(out)
    _, raw = check(company, "--format", "json")
    data = json.loads(raw)
    counted = Counter(f["rule"] for f in data["findings"])
    assert {rule: n for rule, (_, n) in lines.items()} == dict(counted) == data["by_rule"]
    assert all(name == RULES_BY_ID[rule].name for rule, (name, _) in lines.items())
    assert 450 <= len(data["findings"]) <= 900
    # the summary comes after every finding and before the verdict line
    assert out.rstrip().splitlines()[-1].endswith("passed")
    assert out.index("findings by rule:") > out.rindex("    hint:")


def test_rule_filter_is_repeatable_and_case_insensitive(company: Path) -> None:
    """--rule shows only the named rules (findings, summary and verdict)."""
    code, out = check(company, "--rule", "OKR015", "--rule", "okr003")
    assert code == 0
    rules_shown = set(re.findall(r": (?:warning|info|error) (OKR\d{3}) ", out))
    assert rules_shown == {"OKR015", "OKR003"}
    assert set(summary_lines(out)) == {"OKR015", "OKR003"}
    _, raw = check(company, "--rule", "OKR015", "--format", "json")
    assert set(json.loads(raw)["by_rule"]) == {"OKR015"}


def test_unknown_rule_is_a_usage_error(company: Path) -> None:
    result = CliRunner().invoke(
        main, ["check", "--content", str(company), "--rule", "OKR999"]
    )
    assert result.exit_code == 2
    assert "unknown rule OKR999" in result.stderr


def test_max_per_rule_caps_and_says_how_many_more(company: Path) -> None:
    """--max-per-rule N prints N findings per rule, then '… and K more <rule>';
    the summary still counts every finding."""
    _, full = check(company)
    counts = {rule: n for rule, (_, n) in summary_lines(full).items()}
    code, out = check(company, "--max-per-rule", "2")
    assert code == 0
    printed = Counter(re.findall(r"^\S+:\d+:\d+: \w+ (OKR\d{3}) ", out, re.MULTILINE))
    for rule, n in counts.items():
        assert printed[rule] == min(n, 2)
        name = RULES_BY_ID[rule].name
        more = f"… and {n - 2} more {rule} {name}"
        assert (more in out) == (n > 2)
    assert {rule: n for rule, (_, n) in summary_lines(out).items()} == counts
    assert len(out) < len(full) / 10


def test_github_format_caps_annotations_too(company: Path) -> None:
    code, out = check(company, "--format", "github", "--max-per-rule", "1")
    assert code == 0
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    rules = Counter(re.search(r"title=(OKR\d{3})", line)[1] for line in annotations)  # type: ignore[index]
    assert rules and set(rules.values()) == {1}
    assert "findings by rule:" in out and "… and " in out


def test_no_findings_no_summary(company: Path) -> None:
    """No finding shown (a rule that does not fire here): no per-rule block."""
    code, out = check(company, "--rule", "OKR011")
    assert code == 0, out
    assert "findings by rule:" not in out and "no findings: passed" in out
