"""Findings → text for people, JSON for tools, annotations for GitHub Actions.

Pure functions returning strings; the CLI prints them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping

from okrsite.checks.engine import Finding, Rule, count_by_severity
from okrsite.errors import one_line

FORMATS = ("text", "json", "github")
JSON_VERSION = 1

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def summary(findings: Iterable[Finding]) -> str:
    """``2 errors, 5 warnings, 1 info`` (or ``no findings``)."""
    counts = count_by_severity(findings)
    if not any(counts.values()):
        return "no findings"
    parts = [
        f"{counts['error']} error" + ("" if counts["error"] == 1 else "s"),
        f"{counts['warning']} warning" + ("" if counts["warning"] == 1 else "s"),
        f"{counts['info']} info",
    ]
    return ", ".join(parts)


def rule_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per rule id, in rule id order (only rules that fired)."""
    counts = Counter(item.rule_id for item in findings)
    return {rule_id: counts[rule_id] for rule_id in sorted(counts)}


def rule_label(rule_id: str, rules: Mapping[str, Rule]) -> str:
    """``OKR015 graded-without-score`` (the id alone for an unknown rule)."""
    rule = rules.get(rule_id)
    return f"{rule_id} {rule.name}" if rule else rule_id


def format_rule_summary(findings: Iterable[Finding], rules: Mapping[str, Rule]) -> str:
    """One line per rule that fired, ``OKR015 graded-without-score 282``, in
    rule id order, under a ``findings by rule:`` heading (empty for no
    findings). The counts are those of the JSON output's ``by_rule``."""
    counts = rule_counts(findings)
    if not counts:
        return ""
    lines = ["findings by rule:"]
    lines += [f"{rule_label(rule_id, rules)} {n}" for rule_id, n in counts.items()]
    return "".join(line + "\n" for line in lines)


def _finding_lines(item: Finding, rules: Mapping[str, Rule]) -> list[str]:
    return [
        f"{item.location}: {item.severity} {rule_label(item.rule_id, rules)}: "
        f"{one_line(item.message)}",
        f"    hint: {item.hint}",
    ]


def format_text(
    findings: list[Finding], rules: Mapping[str, Rule], *, max_per_rule: int | None = None
) -> str:
    """One line per finding plus an indented hint (empty for no findings)::

        content/2026-Q1/sales.yaml:12:5: warning OKR001 activity-not-outcome: key result …
            hint: Rewrite it as the result the work should produce…

    With ``max_per_rule``, findings are grouped by rule (in rule id order, each
    group in location order) and at most that many are printed per rule; a
    line ``… and 270 more OKR015 graded-without-score`` stands for the rest,
    so 600 findings of three rules stay readable in a terminal.
    """
    lines: list[str] = []
    if max_per_rule is None:
        for item in findings:
            lines += _finding_lines(item, rules)
        return "".join(line + "\n" for line in lines)
    groups: dict[str, list[Finding]] = {}
    for item in findings:
        groups.setdefault(item.rule_id, []).append(item)
    for rule_id in sorted(groups):
        group = groups[rule_id]
        for item in group[:max_per_rule]:
            lines += _finding_lines(item, rules)
        hidden = len(group) - max_per_rule
        if hidden > 0:
            lines.append(f"… and {hidden} more {rule_label(rule_id, rules)}")
    return "".join(line + "\n" for line in lines)


def finding_dict(item: Finding) -> dict[str, object]:
    """A finding as plain JSON-able data."""
    return {
        "path": item.location.path,
        "line": item.location.line,
        "column": item.location.column,
        "rule": item.rule_id,
        "severity": item.severity,
        "message": item.message,
        "hint": item.hint,
        "cycle": item.cycle,
        "unit": item.unit,
        "objective": item.objective,
        "key_result": item.key_result,
    }


def format_json(findings: list[Finding]) -> str:
    """``{"version": 1, "valid": true, "summary": {...}, "by_rule": {...},
    "findings": [...]}``, keys sorted (the CLI reports invalid content with
    ``"valid": false``). ``by_rule`` counts findings per rule id, as the text
    format's per-rule summary does."""
    data = {
        "version": JSON_VERSION,
        "valid": True,
        "summary": count_by_severity(findings),
        "by_rule": rule_counts(findings),
        "findings": [finding_dict(f) for f in findings],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (GitHub's ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(
    findings: list[Finding], rules: Mapping[str, Rule], *, max_per_rule: int | None = None
) -> str:
    """GitHub Actions workflow commands, one per finding::

        ::warning file=content/2026-Q1/sales.yaml,line=12,col=5,title=OKR001 activity-not-outcome::…

    ``info`` findings become ``notice``. The hint follows the message on a
    second line (``%0A``). Properties are escaped as GitHub's toolkit does
    (``%``, CR, LF, ``:`` and ``,``); the message as data (``%``, CR, LF).
    With ``max_per_rule``, only the first that many findings of each rule
    become annotations and a plain ``… and K more`` line per rule follows.
    """
    lines: list[str] = []
    seen: Counter[str] = Counter()
    for item in findings:
        seen[item.rule_id] += 1
        if max_per_rule is not None and seen[item.rule_id] > max_per_rule:
            continue
        title = rule_label(item.rule_id, rules)
        props = ",".join(
            [
                f"file={escape_property(item.location.path)}",
                f"line={item.location.line}",
                f"col={item.location.column}",
                f"title={escape_property(title)}",
            ]
        )
        message = escape_data(f"{item.message}\nHint: {item.hint}")
        lines.append(f"::{_GITHUB_LEVEL[item.severity]} {props}::{message}")
    if max_per_rule is not None:
        for rule_id, n in sorted(seen.items()):
            if n > max_per_rule:
                lines.append(f"… and {n - max_per_rule} more {rule_label(rule_id, rules)}")
    return "".join(line + "\n" for line in lines)


def fails(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """Whether the findings fail a check: any error, or any warning when strict."""
    failing = {"error", "warning"} if strict else {"error"}
    return any(item.severity in failing for item in findings)
