"""Findings → text for people, JSON for tools, annotations for GitHub Actions.

Pure functions returning strings; the CLI prints them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from okrsite.checks.engine import Finding, Rule, count_by_severity

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


def format_text(findings: list[Finding], rules: Mapping[str, Rule]) -> str:
    """One line per finding plus an indented hint (empty for no findings)::

        content/2026-Q1/sales.yaml:12:5: warning OKR001 activity-not-outcome: key result …
            hint: Rewrite it as the result the work should produce…
    """
    lines: list[str] = []
    for item in findings:
        rule = rules.get(item.rule_id)
        name = f" {rule.name}" if rule else ""
        lines.append(f"{item.location}: {item.severity} {item.rule_id}{name}: {item.message}")
        lines.append(f"    hint: {item.hint}")
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
    """``{"version": 1, "valid": true, "summary": {...}, "findings": [...]}``,
    keys sorted (the CLI reports invalid content with ``"valid": false``)."""
    data = {
        "version": JSON_VERSION,
        "valid": True,
        "summary": count_by_severity(findings),
        "findings": [finding_dict(f) for f in findings],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (GitHub's ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: list[Finding], rules: Mapping[str, Rule]) -> str:
    """GitHub Actions workflow commands, one per finding::

        ::warning file=content/2026-Q1/sales.yaml,line=12,col=5,title=OKR001 activity-not-outcome::…

    ``info`` findings become ``notice``. The hint follows the message on a
    second line (``%0A``). Properties are escaped as GitHub's toolkit does
    (``%``, CR, LF, ``:`` and ``,``); the message as data (``%``, CR, LF).
    """
    lines: list[str] = []
    for item in findings:
        rule = rules.get(item.rule_id)
        title = f"{item.rule_id} {rule.name}" if rule else item.rule_id
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
    return "".join(line + "\n" for line in lines)


def fails(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """Whether the findings fail a check: any error, or any warning when strict."""
    failing = {"error", "warning"} if strict else {"error"}
    return any(item.severity in failing for item in findings)
