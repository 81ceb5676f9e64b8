"""A planned unit file → YAML text that looks written by hand.

The layout follows the demo content: a comment header saying whose OKRs these
are and where they came from, ``status`` first, objectives as block mappings,
references as flow lists, strings plain when that is unambiguous and
double-quoted otherwise (:func:`okrsite.review.checkin.quote` escapes every
character that could change the YAML's structure: titles are untrusted). Each
objective and key result says which spreadsheet row it came from.
"""

from __future__ import annotations

import re

from okrsite.intake.types import PlannedKR, PlannedObjective
from okrsite.review.checkin import quote

_PLAIN_RE = re.compile(r"[^\W\d_][\w .,;()'’/+&%$€£?!–—-]*", re.UNICODE)
_AMBIGUOUS_WORDS = frozenset(
    ["yes", "no", "y", "n", "on", "off", "true", "false", "null", "none", "~"]
)


def scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when safe, else double-quoted."""
    plain = (
        _PLAIN_RE.fullmatch(text) is not None
        and text == text.strip()
        and text.lower() not in _AMBIGUOUS_WORDS
        and ": " not in text
        and " #" not in text
    )
    return text if plain else quote(text)


def number(value: float) -> str:
    """``3.0`` → ``3``; ``0.25`` → ``0.25`` (YAML reads both back as the same number)."""
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def rows_text(rows: list[int]) -> str:
    """``[2, 3, 4, 7]`` → ``rows 2–4, 7``."""
    spans: list[list[int]] = []
    for row in sorted(set(rows)):
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in spans]
    return ("row " if len(parts) == 1 and spans[0][0] == spans[0][1] else "rows ") + ", ".join(
        parts
    )


def comment(text: str) -> str:
    """``text`` safe inside a YAML comment: one line, no control characters."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _refs(refs: list[str]) -> str:
    return "[" + ", ".join(refs) + "]"


def _kr_lines(kr: PlannedKR) -> list[str]:
    pad = " " * 8
    lines = [f"      - id: {kr.id}  # row {kr.row}", f"{pad}title: {scalar(kr.title)}"]
    if kr.done is not None:
        lines.append(f"{pad}kind: milestone")
    if kr.owner:
        lines.append(f"{pad}owner: {scalar(kr.owner)}")
    for name in ("start", "target", "current"):
        value = getattr(kr, name)
        if value is not None:
            lines.append(f"{pad}{name}: {number(value)}")
    if kr.unit:
        lines.append(f"{pad}unit: {scalar(kr.unit)}")
    if kr.prefix:
        lines.append(f"{pad}prefix: {scalar(kr.prefix)}")
    if kr.done is not None:
        lines.append(f"{pad}done: {'true' if kr.done else 'false'}")
    if kr.confidence is not None:
        shown = kr.confidence if isinstance(kr.confidence, str) else number(kr.confidence)
        lines.append(f"{pad}confidence: {shown}")
    if kr.contributes_to:
        lines.append(f"{pad}contributes_to: {_refs(kr.contributes_to)}")
    return lines


def render_unit_file(
    unit_name: str,
    cycle_id: str,
    source_name: str,
    rows: list[int],
    objectives: list[PlannedObjective],
) -> str:
    """The YAML text of one unit's OKRs in one cycle."""
    lines = [
        f"# {comment(unit_name)}: OKRs for {cycle_id}.",
        f"# Imported by `okrsite import` from {comment(source_name)} ({rows_text(rows)}).",
        "# Edit freely: importing again refuses to overwrite this file unless --replace.",
        "",
        "status: draft",
        "objectives:",
    ]
    for index, objective in enumerate(objectives):
        if index:
            lines.append("")
        lines.append(f"  - id: {objective.id}  # row {objective.row}")
        lines.append(f"    title: {scalar(objective.title)}")
        if objective.description:
            lines.append(f"    description: {scalar(objective.description)}")
        if objective.owner:
            lines.append(f"    owner: {scalar(objective.owner)}")
        if objective.aligns_to:
            lines.append(f"    aligns_to: {_refs(objective.aligns_to)}")
        if objective.key_results:
            lines.append("    key_results:")
            for kr in objective.key_results:
                lines.extend(_kr_lines(kr))
    return "\n".join(lines) + "\n"
