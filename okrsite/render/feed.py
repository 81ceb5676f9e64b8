"""The Atom feed of check-ins published with the site: ``feed.xml``.

A pure function of a model that public builds have already redacted; as a
second line of defence it skips private objectives itself (as
:mod:`okrsite.render.exports` does). Newest check-ins first, at most
:data:`FEED_LIMIT` entries. Entry ids are ``tag:okrsite,<year of the cycle
start>:<cycle>/<unit>/<objective>/<kr>/<date>``; the feed's ``updated`` is
the newest check-in's date (no build timestamps).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from collections.abc import MutableMapping
from typing import Any
from xml.etree import ElementTree as ET

from okrsite import urls
from okrsite.analysis.history import CheckinSpans, checkin_span
from okrsite.model import CheckIn, Cycle, KeyResult, OkrModel, UnitOkrs, load_checkins
from okrsite.render.escape import clean
from okrsite.render.exports import unit_order
from okrsite.render.fmt import confidence_label, format_value

FEED_LIMIT = 50
ATOM_NS = "http://www.w3.org/2005/Atom"


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
        for unit_id in unit_order(model, cycle):
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
    load_checkins(okrs)  # a kept closed quarter's come packed
    entries = [
        (-checkin.date.toordinal(), checkin.date, cycle_id, unit_id, objective, kr, checkin)
        for objective in okrs.public_objectives
        for kr in objective.key_results
        for checkin in kr.checkins
    ]
    entries.sort(key=_feed_order)  # stable: check-ins of one KR and day stay as listed
    return entries[:FEED_LIMIT]
