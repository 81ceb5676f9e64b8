"""Machine-readable exports published with the site: JSON and CSV.

All three are pure functions of a model that public builds have already
redacted (``redact.py``). As a second line of defence every function here
skips objectives with ``visibility: private`` itself, so an export can never
carry one even if it is handed an unredacted model.

``okrs.json`` (format ``okrsite/okrs``, version 1)
    Every public field of the content plus computed values (``progress``,
    ``band``, ``latest_value``). Keys appear in a fixed, documented order
    (the order of the ``properties`` of
    :func:`okrsite.render.okrs_schema.okrs_json_schema`), lists keep the
    content's order, and nothing depends on the clock, so the same content
    gives the same bytes. Fields the content leaves out are ``null`` (or
    ``[]``), never missing. Not exported: quality-check suppressions
    (``allow``) and the check configuration, which are tooling, not OKRs.
    Additions within version 1 only add keys; removing or changing the
    meaning of a key bumps ``version``.

``okrs.csv``
    One row per key result (see :data:`CSV_COLUMNS`). Numbers are written as
    numbers. Text cells that a spreadsheet would read as a formula (starting
    with ``= + - @``, tab or carriage return) get a leading ``'``; numeric
    cells are never touched, so ``-5`` stays a number.

The Atom feed of check-ins (``feed.xml``) is :mod:`okrsite.render.feed`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from okrsite.analysis.progress import (
    KrProgressOf,
    band,
    kr_progress,
    kr_score,
    latest_value,
    objective_computed_progress,
    objective_progress,
    objective_score,
    shown,
)
from okrsite.model import (
    ROOT_UNIT,
    CheckIn,
    Cycle,
    KeyResult,
    Objective,
    OkrModel,
    UnitOkrs,
)
from okrsite.render.escape import clean

FORMAT = "okrsite/okrs"
VERSION = 1

CSV_COLUMNS = [
    "cycle",
    "unit",
    "objective",
    "key_result",
    "title",
    "kind",
    "start",
    "current",
    "target",
    "prefix",
    "value_unit",
    "progress",
    "score",
    "band",
    "owner",
    "confidence",
    "objective_title",
    "unit_name",
    "owners",
]
"""Columns of ``okrs.csv``. ``value_unit`` is the KR's unit of measure (``days``,
``%``); ``unit`` is the organisational unit's id; ``owner`` is the KR's own owner
and ``owners`` everyone accountable for it (its owner and co-owners, else its
objective's), separated by ``; ``."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _round(value: float | None) -> float | None:
    """Progress and scores as the site shows them (hundredths, see
    ``analysis/progress.py``), so a reader's band of the exported number is
    the band the export and the pages give."""
    return shown(value)


def unit_order(model: OkrModel, cycle: Cycle) -> list[str]:
    """Unit ids with OKRs in ``cycle``: the company first, then org.yaml order."""
    # Positions by id: ``list.index`` per unit made this quadratic (1,000 units:
    # a million comparisons per cycle and export).
    order = {unit_id: i for i, unit_id in enumerate([ROOT_UNIT, *model.units])}
    return sorted(cycle.okrs, key=lambda u: (order.get(u, len(order)), u))


# --------------------------------------------------------------------------
# JSON


def _checkin_json(checkin: CheckIn) -> dict[str, Any]:
    return {
        "date": checkin.date.isoformat(),
        "value": checkin.value,
        "done": checkin.done,
        "met": checkin.met,
        "confidence": checkin.confidence,
        "note": checkin.note,
        "author": checkin.author,
    }


def _kr_json(kr: KeyResult, model: OkrModel, progress_of: KrProgressOf) -> dict[str, Any]:
    score = kr_score(kr, progress_of)  # progress_of: the caller's, once per KR
    return {
        "id": kr.id,
        "title": kr.title,
        "kind": kr.effective_kind,
        "start": kr.start,
        "target": kr.target,
        "current": kr.current,
        "latest_value": latest_value(kr),
        "unit": kr.unit,
        "prefix": kr.prefix,
        "direction": kr.direction,
        "done": kr.done,
        "owner": kr.owner,
        "owners": list(kr.owners),
        "weight": kr.weight,
        "confidence": kr.confidence,
        "contributes_to": list(kr.contributes_to),
        "related": list(kr.related),
        "progress": _round(progress_of(kr)),
        "score": _round(kr.score),
        "band": band(score, model.company.scoring),
        "description": kr.description,
        "note": kr.note,
        "checkins": [_checkin_json(c) for c in sorted(kr.checkins, key=lambda c: c.date)],
        "measured_from": kr.measured.file if kr.measured else None,
        "as_of": kr.measured.as_of.isoformat() if kr.measured and kr.measured.as_of else None,
    }


def _progress_of(objective: Objective) -> KrProgressOf:
    """Its KRs' :func:`kr_progress`, each computed once (asked up to five times per KR)."""
    known = {id(kr): kr_progress(kr) for kr in objective.key_results}
    return lambda kr: known[id(kr)]


def _objective_json(objective: Objective, model: OkrModel) -> dict[str, Any]:
    progress_of = _progress_of(objective)
    shown_value = objective_progress(objective, progress_of)  # what the pages show and colour
    return {
        "id": objective.id,
        "title": objective.title,
        "description": objective.description,
        "owner": objective.owner,
        "owners": list(objective.owners),
        "weight": objective.weight,
        "aligns_to": list(objective.aligns_to),
        "related": list(objective.related),
        "progress": _round(objective_computed_progress(objective, progress_of)),
        "score": _round(objective_score(objective, progress_of)),
        "band": band(shown_value, model.company.scoring),
        "outcome": objective.outcome,
        "learnings": objective.learnings,
        "key_results": [_kr_json(kr, model, progress_of) for kr in objective.key_results],
    }


def _unit_okrs_json(model: OkrModel, okrs: UnitOkrs) -> dict[str, Any]:
    content = okrs.content
    return {
        "unit": okrs.unit_id,
        "status": content.status,
        "locked_on": content.locked_on.isoformat() if content.locked_on else None,
        "source": okrs.path,
        "private_objectives": okrs.private_count,
        "objectives": [_objective_json(o, model) for o in okrs.public_objectives],
        "health_metrics": [
            {
                "title": m.title,
                "target": m.target,
                "current": m.current,
                "status": m.status,
                "owner": m.owner,
                "note": m.note,
            }
            for m in content.health_metrics
        ],
    }


def okrs_data(model: OkrModel, *, cycles: bool = True) -> dict[str, Any]:
    """The ``okrs.json`` document as Python data (see the module docstring);
    ``cycles=False`` leaves the (last) ``cycles`` list empty."""
    company = model.company
    people = company.publish_people
    return {
        "format": FORMAT,
        "version": VERSION,
        "company": {
            "name": company.name,
            "mission": company.mission,
            "method": company.method,
            "scoring": {"green": company.scoring.green, "yellow": company.scoring.yellow},
            "annual": [{"year": a.year, "objective": a.objective} for a in company.annual],
            "candidates": [
                {"cycle": c.cycle, "objective": c.objective, "owner": c.owner if people else None}
                for c in company.candidates
            ],
        },
        "units": [
            {
                "id": unit.id,
                "name": unit.name,
                "kind": unit.kind,
                "parent": unit.parent,
                "depth": unit.depth,
                "lead": unit.definition.lead,
                "maintainers": list(unit.definition.maintainers) if people else [],
                "description": unit.definition.description,
            }
            for unit in model.units.values()
        ],
        "cycles": [_cycle_json(model, cycle) for cycle in model.cycles.values()] if cycles else [],
    }


def _cycle_json(model: OkrModel, cycle: Cycle, *, units: bool = True) -> dict[str, Any]:
    return {
        "id": cycle.id,
        "name": cycle.definition.name,
        "start": cycle.definition.start.isoformat(),
        "end": cycle.definition.end.isoformat(),
        "units": [
            _unit_okrs_json(model, cycle.okrs[unit_id]) for unit_id in unit_order(model, cycle)
        ]
        if units
        else [],
    }


UnitPartMemo = Callable[[str, UnitOkrs, Callable[[], str]], str]
"""``memo(kind, okrs, make)``: one unit's part of an export (``kind``
``"json"`` or ``"csv"``) of one cycle, either ``make()`` or the same text
kept from a previous build of the same unit (a preview server's). A part
depends on the unit's OKRs, its file, its name and the company's scoring."""


def _dumps(data: Any) -> str:
    return html_safe_json(
        json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    )


def okrs_json(
    model: OkrModel,
    cycle_parts: Mapping[str, str | bytes] | None = None,
    memo: UnitPartMemo | None = None,
) -> str | bytes:
    """``okrs.json``: deterministic, compact, UTF-8, newline-terminated.

    Compact because it is a data feed: at company scale (12,000 KRs with
    their check-ins) ``indent=`` would switch ``json`` to its pure-Python
    encoder, ten times slower. Pipe it through ``jq .`` to read it.

    ``<``, ``>`` and ``&`` inside strings are written as ``\\u003c`` etc.
    (same parsed value), so the file stays inert even if someone inlines it
    into an HTML page.

    ``cycle_parts``: cycles' entries already made by :func:`cycle_okrs_json`
    (a closed cycle's, kept by the site's closed-cycle store); the document is
    the same bytes either way, because compact JSON of a list is its items'
    JSON joined by commas. A part given as UTF-8 bytes (as a store hands it
    back) makes the document bytes (:func:`_joined`). ``memo`` may supply
    units' parts (see :data:`UnitPartMemo`).
    """
    parts = cycle_parts or {}
    data = okrs_data(model, cycles=False)
    head = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    assert head.endswith('"cycles":[]}')  # the last key (see okrs_data)
    cycles = [
        parts[cycle.id] if cycle.id in parts else cycle_okrs_json(model, cycle, memo)
        for cycle in model.cycles.values()
    ]
    return _joined(html_safe_json(head[:-2]), cycles, ",", "]}\n")


def _joined(head: str, parts: list[str | bytes], separator: str, tail: str) -> str | bytes:
    """``head + separator.join(parts) + tail``; as UTF-8 bytes, made in one
    join, when a part is bytes: closed cycles' parts of the exports as a
    store hands them back (~13 MB of ``okrs.json`` at 100 units x 8
    quarters: decoding, joining and encoding them again cost ~0.05 s)."""
    texts = [part for part in parts if isinstance(part, str)]
    if len(texts) == len(parts):
        return head + separator.join(texts) + tail
    pieces: list[bytes] = [head.encode("utf-8")]
    between = separator.encode("utf-8")
    for i, part in enumerate(parts):
        if i and between:
            pieces.append(between)
        pieces.append(part if isinstance(part, bytes) else part.encode("utf-8"))
    pieces.append(tail.encode("utf-8"))
    return b"".join(pieces)


def cycle_okrs_json(model: OkrModel, cycle: Cycle, memo: UnitPartMemo | None = None) -> str:
    """One cycle's entry of ``okrs.json``'s ``cycles`` list, as written there
    (its units' entries joined by commas: the same bytes as the whole list's),
    unit by unit: the cycle's data as one structure (60,000 check-in dicts at
    1,000 units) outlived the young collections and set off a full one."""
    head = _dumps(_cycle_json(model, cycle, units=False))
    assert head.endswith('"units":[]}')  # the last key (see _cycle_json)
    units = [
        _unit_json_text(model, cycle.okrs[unit_id])
        if memo is None
        else memo("json", cycle.okrs[unit_id], partial(_unit_json_text, model, cycle.okrs[unit_id]))
        for unit_id in unit_order(model, cycle)
    ]
    return head[:-2] + ",".join(units) + "]}"


def _unit_json_text(model: OkrModel, okrs: UnitOkrs) -> str:
    return _dumps(_unit_okrs_json(model, okrs))


def html_safe_json(text: str) -> str:
    # Only string contents can hold these characters in our JSON output.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --------------------------------------------------------------------------
# CSV


def safe_cell(text: str | None) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    if text is None:
        return ""
    value = clean(text)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _number_cell(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def krs_csv(
    model: OkrModel,
    cycle_parts: Mapping[str, str | bytes] | None = None,
    memo: UnitPartMemo | None = None,
) -> str | bytes:
    """``okrs.csv``: one row per public key result (columns :data:`CSV_COLUMNS`).
    ``cycle_parts``: cycles' rows already made by :func:`cycle_krs_csv` (bytes
    as a store hands them back make the file bytes, see :func:`_joined`);
    ``memo`` may supply units' rows (see :data:`UnitPartMemo`)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(CSV_COLUMNS)
    parts = cycle_parts or {}
    rows = [
        parts[cycle.id] if cycle.id in parts else cycle_krs_csv(model, cycle, memo)
        for cycle in model.cycles.values()
    ]
    return _joined(buffer.getvalue(), rows, "", "")


def cycle_krs_csv(model: OkrModel, cycle: Cycle, memo: UnitPartMemo | None = None) -> str:
    """One cycle's rows of ``okrs.csv``, as written there."""
    rows: list[str] = []
    for unit_id in unit_order(model, cycle):
        make = partial(_unit_krs_csv, model, cycle, unit_id)
        rows.append(make() if memo is None else memo("csv", cycle.okrs[unit_id], make))
    return "".join(rows)


def _unit_krs_csv(model: OkrModel, cycle: Cycle, unit_id: str) -> str:
    """One unit's rows of ``okrs.csv`` for one cycle."""
    from okrsite.render.fmt import latest_confidence

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for objective in cycle.okrs[unit_id].public_objectives:
        progress_of = _progress_of(objective)
        for kr in objective.key_results:
            score = kr_score(kr, progress_of)
            confidence = latest_confidence(kr)
            writer.writerow(
                [
                    cycle.id,
                    unit_id,
                    objective.id,
                    kr.id,
                    safe_cell(kr.title),
                    kr.effective_kind,
                    _number_cell(kr.start),
                    _number_cell(latest_value(kr)),
                    _number_cell(kr.target),
                    safe_cell(kr.prefix),
                    safe_cell(kr.unit),
                    _number_cell(_round(progress_of(kr))),
                    _number_cell(_round(kr.score)),
                    band(score, model.company.scoring),
                    safe_cell(kr.owner),
                    (
                        ""
                        if confidence is None
                        else confidence
                        if isinstance(confidence, str)
                        else _number_cell(confidence)
                    ),
                    safe_cell(objective.title),
                    safe_cell(model.unit_name(unit_id)),
                    safe_cell("; ".join(kr.all_owners or objective.all_owners)),
                ]
            )
    return buffer.getvalue()
