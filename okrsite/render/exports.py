"""Machine-readable exports published with the site: JSON, CSV and Atom.

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

``feed.xml``
    An Atom feed of check-ins, newest first, at most :data:`FEED_LIMIT`
    entries. Entry ids are ``tag:okrsite,<year of the cycle start>:<cycle>/
    <unit>/<objective>/<kr>/<date>``; the feed's ``updated`` is the newest
    check-in's date (no build timestamps).
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import itertools
import json
import re
from collections.abc import Callable, Mapping, MutableMapping
from functools import partial
from typing import Any
from xml.etree import ElementTree as ET

from okrsite import urls
from okrsite.analysis.history import CheckinSpans, checkin_span
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
from okrsite.render.fmt import confidence_label, format_value

FORMAT = "okrsite/okrs"
VERSION = 1
FEED_LIMIT = 50
ATOM_NS = "http://www.w3.org/2005/Atom"

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


def _public_objectives(okrs: UnitOkrs) -> list[Objective]:
    return [o for o in okrs.content.objectives if not o.is_private]


def _unit_order(model: OkrModel, cycle: Cycle) -> list[str]:
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
        "objectives": [_objective_json(o, model) for o in _public_objectives(okrs)],
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
            _unit_okrs_json(model, cycle.okrs[unit_id]) for unit_id in _unit_order(model, cycle)
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
    cycle_parts: Mapping[str, str] | None = None,
    memo: UnitPartMemo | None = None,
) -> str:
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
    JSON joined by commas. ``memo`` may supply units' parts (see :data:`UnitPartMemo`).
    """
    parts = cycle_parts or {}
    data = okrs_data(model, cycles=False)
    head = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    assert head.endswith('"cycles":[]}')  # the last key (see okrs_data)
    cycles = [
        parts[cycle.id] if cycle.id in parts else cycle_okrs_json(model, cycle, memo)
        for cycle in model.cycles.values()
    ]
    return html_safe_json(head[:-2]) + ",".join(cycles) + "]}\n"


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
        for unit_id in _unit_order(model, cycle)
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
    cycle_parts: Mapping[str, str] | None = None,
    memo: UnitPartMemo | None = None,
) -> str:
    """``okrs.csv``: one row per public key result (columns :data:`CSV_COLUMNS`).
    ``cycle_parts``: cycles' rows already made by :func:`cycle_krs_csv`;
    ``memo`` may supply units' rows (see :data:`UnitPartMemo`)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(CSV_COLUMNS)
    parts = cycle_parts or {}
    for cycle in model.cycles.values():
        buffer.write(parts[cycle.id] if cycle.id in parts else cycle_krs_csv(model, cycle, memo))
    return buffer.getvalue()


def cycle_krs_csv(model: OkrModel, cycle: Cycle, memo: UnitPartMemo | None = None) -> str:
    """One cycle's rows of ``okrs.csv``, as written there."""
    rows: list[str] = []
    for unit_id in _unit_order(model, cycle):
        make = partial(_unit_krs_csv, model, cycle, unit_id)
        rows.append(make() if memo is None else memo("csv", cycle.okrs[unit_id], make))
    return "".join(rows)


def _unit_krs_csv(model: OkrModel, cycle: Cycle, unit_id: str) -> str:
    """One unit's rows of ``okrs.csv`` for one cycle."""
    from okrsite.render.fmt import latest_confidence

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for objective in _public_objectives(cycle.okrs[unit_id]):
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


# --------------------------------------------------------------------------
# Atom


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "okrs"


def _entry_text(kr: KeyResult, checkin: CheckIn) -> str:
    parts: list[str] = []
    if checkin.value is not None:
        parts.append(format_value(checkin.value, kr.unit, kr.prefix))
        if kr.effective_kind == "numeric" and kr.start is not None and kr.target is not None:
            start = format_value(kr.start, kr.unit, kr.prefix)
            target = format_value(kr.target, kr.unit, kr.prefix)
            parts[-1] += f" (start {start}, target {target})"
    if checkin.done is not None:
        parts.append("done" if checkin.done else "not done")
    if checkin.met is not None:
        parts.append("met" if checkin.met else "not met")
    if checkin.confidence is not None:
        parts.append(f"confidence {confidence_label(checkin.confidence)}")
    if checkin.note:
        parts.append(checkin.note)
    return " · ".join(parts) or "check-in"


def _text_el(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    el.text = clean(text)
    return el


FeedParts = MutableMapping[tuple[str, str], tuple[object, list[tuple[Any, ...]]]]
"""(cycle, unit) → (the unit file's content object, its newest check-ins as
feed entries, in feed order, at most :data:`FEED_LIMIT`): what
:func:`checkins_atom` found in each unit file, kept by a preview server
between rebuilds while the content is the same object."""


def checkins_atom(
    model: OkrModel,
    site_url: str | None,
    kept: FeedParts | None = None,
    spans: CheckinSpans | None = None,
) -> str:
    """``feed.xml``: the newest check-ins (see the module docstring).

    Links are absolute under ``site_url`` when given, else relative to the
    feed (which lives at the site root). ``kept``: each unit file's entries
    from earlier calls (a preview server's), see :data:`FeedParts`;
    ``spans``: files' check-in dates the caller knows (a build's closed cycles).
    """
    base = (site_url.rstrip("/") + "/") if site_url else ""
    # Newest first; ties in a fixed order (cycle, unit, objective, KR ids),
    # then as listed. Each file's entries are in that order already, so the
    # newest of all are the first of their merge.
    #
    # Only files that can hold one of the newest entries are read: files go
    # newest check-in first, and once FEED_LIMIT entries are in hand, a file
    # whose newest check-in is older than the last of them cannot add one
    # (history has thousands of unit files; the feed shows 50 entries).
    files: list[tuple[dt.date, Cycle, str, UnitOkrs, Any]] = []
    for cycle in model.cycles.values():
        for unit_id in _unit_order(model, cycle):
            okrs = cycle.okrs[unit_id]
            found = kept.get((cycle.id, unit_id)) if kept is not None else None
            if found is not None and found[0] is okrs.content:
                latest = found[1][0][1] if found[1] else None
            else:
                key = (cycle.id, unit_id)
                span = spans[key] if spans is not None and key in spans else checkin_span(okrs)
                found, latest = None, None if span is None else span[1]
            if latest is not None:
                files.append((latest, cycle, unit_id, okrs, found))
    files.sort(key=lambda item: item[0], reverse=True)
    by_unit: list[list[tuple[Any, ...]]] = []
    newest_days: list[int] = []  # the FEED_LIMIT newest days in hand (a min-heap)
    for latest, cycle, unit_id, okrs, found in files:
        if len(newest_days) == FEED_LIMIT and latest.toordinal() < newest_days[0]:
            break
        if found is None:
            found = (okrs.content, _unit_feed_entries(cycle.id, unit_id, okrs))
            if kept is not None:
                # The content object is kept with them: its id cannot be reused.
                kept[(cycle.id, unit_id)] = found
        by_unit.append(found[1])
        for entry in found[1]:
            if len(newest_days) < FEED_LIMIT:
                heapq.heappush(newest_days, -entry[0])
            elif -entry[0] > newest_days[0]:
                heapq.heapreplace(newest_days, -entry[0])
            else:
                break  # a file's entries come newest first
    newest = heapq.merge(*by_unit, key=_feed_order)
    entries = [
        (day, model.cycles[cycle_id], unit_id, objective, kr, checkin)
        for _, day, cycle_id, unit_id, objective, kr, checkin in itertools.islice(
            newest, FEED_LIMIT
        )
    ]

    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    years = sorted(c.definition.start.year for c in model.cycles.values())
    first_year = years[0] if years else 2000
    _text_el(feed, "id", f"tag:okrsite,{first_year}:{_slug(model.company.name)}/checkins")
    _text_el(feed, "title", f"{model.company.name} — OKR check-ins")
    if entries:
        updated = entries[0][0].isoformat()
    else:
        starts = sorted(c.definition.start for c in model.cycles.values())
        updated = starts[-1].isoformat() if starts else "2000-01-01"
    _text_el(feed, "updated", f"{updated}T00:00:00Z")
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text_el(author, "name", model.company.name)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "alternate", "href": base or "./"})
    if base:
        ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "self", "href": base + "feed.xml"})
    _text_el(feed, "generator", "okrsite")

    seen: set[str] = set()
    for day, cycle, unit_id, objective, kr, checkin in entries:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        year = cycle.definition.start.year
        entry_id = f"tag:okrsite,{year}:{cycle.id}/{unit_id}/{objective.id}/{kr.id}/{day}"
        # Two check-ins of one KR on one day: number the later ones (stable).
        suffix = 2
        unique = entry_id
        while unique in seen:
            unique = f"{entry_id}-{suffix}"
            suffix += 1
        seen.add(unique)
        _text_el(entry, "id", unique)
        _text_el(entry, "title", f"{model.unit_name(unit_id)} · {kr.title}")
        _text_el(entry, "updated", f"{day.isoformat()}T00:00:00Z")
        if checkin.author:
            entry_author = ET.SubElement(entry, f"{{{ATOM_NS}}}author")
            _text_el(entry_author, "name", checkin.author)
        page = urls.page_url(urls.unit_link(cycle, unit_id))
        anchor = urls.key_result_anchor(objective.id, kr.id)
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", {"href": f"{base}{page}#{anchor}"})
        _text_el(entry, "summary", _entry_text(kr, checkin), type="text")
        ET.SubElement(entry, f"{{{ATOM_NS}}}category", {"term": cycle.id})
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _feed_order(entry: tuple[Any, ...]) -> tuple[Any, ...]:
    """Newest first, then cycle, unit, objective and KR ids (see :func:`checkins_atom`)."""
    return (entry[0], entry[2], entry[3], entry[4].id, entry[5].id)


def _unit_feed_entries(cycle_id: str, unit_id: str, okrs: UnitOkrs) -> list[tuple[Any, ...]]:
    """One unit file's newest check-ins as feed entries (−date ordinal, date,
    cycle id, unit id, objective, KR, check-in), in feed order, at most
    :data:`FEED_LIMIT`."""
    entries = [
        (-checkin.date.toordinal(), checkin.date, cycle_id, unit_id, objective, kr, checkin)
        for objective in _public_objectives(okrs)
        for kr in objective.key_results
        for checkin in kr.checkins
    ]
    entries.sort(key=_feed_order)  # stable: check-ins of one KR and day stay as listed
    return entries[:FEED_LIMIT]
