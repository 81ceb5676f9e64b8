"""The JSON Schema (2020-12) of ``okrs.json``, published as ``export/okrs.schema.json``.

The format itself, and what each key means, is described with the export in
:mod:`okrsite.render.exports`; this module states it as a schema. The key
order of each ``properties`` is the key order of ``okrs.json`` (a test
holds them together).
"""

from __future__ import annotations

import json
from typing import Any

from okrsite.fieldtypes import MAX_SCORE
from okrsite.render.exports import FORMAT, VERSION, html_safe_json


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}

def _obj(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }

def okrs_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of ``okrs.json`` version 1, published as
    ``export/okrs.schema.json``."""
    string = {"type": "string"}
    number = {"type": "number"}
    fraction = {"type": "number", "minimum": 0, "maximum": 1}
    score = {"type": "number", "minimum": 0, "maximum": MAX_SCORE}
    date = {"type": "string", "format": "date"}
    refs = {"type": "array", "items": string}
    people = {"type": "array", "items": string, "description": "Co-owners, beside owner."}
    band_enum = {"enum": ["green", "yellow", "red", "none"]}
    confidence = _nullable({"anyOf": [fraction, {"enum": ["low", "medium", "high"]}]})
    checkin = _obj(
        {
            "date": date,
            "value": _nullable(number),
            "done": _nullable({"type": "boolean"}),
            "met": _nullable({"type": "boolean"}),
            "confidence": confidence,
            "note": _nullable(string),
            "author": _nullable(string),
        }
    )
    key_result = _obj(
        {
            "id": string,
            "title": string,
            "kind": {"enum": ["numeric", "milestone", "threshold"]},
            "start": _nullable(number),
            "target": _nullable(number),
            "current": _nullable(number),
            "latest_value": _nullable(number),
            "unit": _nullable(string),
            "prefix": _nullable(string),
            "direction": _nullable({"enum": ["above", "below"]}),
            "done": _nullable({"type": "boolean"}),
            "owner": _nullable(string),
            "owners": people,
            "weight": number,
            "confidence": confidence,
            "contributes_to": refs,
            "related": refs,
            "progress": _nullable(fraction),
            "score": _nullable(score),
            "band": band_enum,
            "description": _nullable(string),
            "note": _nullable(string),
            "checkins": {"type": "array", "items": {"$ref": "#/$defs/checkin"}},
            "measured_from": _nullable(string),
            "as_of": _nullable({"type": "string", "format": "date"}),
        },
        description="A key result. progress is computed (0..1); score is the grade if set "
        "(above 1 is over-achievement); both in hundredths, as the site shows them; band "
        "is the band of the score if set, else of progress. "
        "A measured key result (measure: in the content) names its data file in "
        "measured_from and the date of its latest value in as_of; its check-ins include "
        "the file's rows.",
    )
    objective = _obj(
        {
            "id": string,
            "title": string,
            "description": _nullable(string),
            "owner": _nullable(string),
            "owners": people,
            "weight": number,
            "aligns_to": refs,
            "related": refs,
            "progress": _nullable(fraction),
            "score": _nullable(score),
            "band": band_enum,
            "outcome": _nullable({"enum": ["achieved", "missed", "postponed"]}),
            "learnings": _nullable(string),
            "key_results": {"type": "array", "items": {"$ref": "#/$defs/key_result"}},
        },
        description="A public objective. progress is the weighted mean of its KRs' computed "
        "progress; score is its grade (its own, else the weighted mean of its KRs' scores "
        "once any is scored); band is the band of the score if any, else of progress.",
    )
    health_metric = _obj(
        {
            "title": string,
            "target": _nullable(string),
            "current": _nullable(string),
            "status": {"enum": ["ok", "at-risk", "off-track"]},
            "owner": _nullable(string),
            "note": _nullable(string),
        }
    )
    unit_okrs = _obj(
        {
            "unit": string,
            "status": {"enum": ["draft", "review", "locked", "graded"]},
            "locked_on": _nullable(date),
            "source": string,
            "private_objectives": {"type": "integer", "minimum": 0},
            "objectives": {"type": "array", "items": {"$ref": "#/$defs/objective"}},
            "health_metrics": {"type": "array", "items": {"$ref": "#/$defs/health_metric"}},
        },
        description="One unit's OKRs in one cycle; private objectives appear only as a count.",
    )
    unit = _obj(
        {
            "id": string,
            "name": string,
            "kind": {"enum": ["department", "team", "service"]},
            "parent": string,
            "depth": {"type": "integer", "minimum": 1},
            "lead": _nullable(string),
            "maintainers": {"type": "array", "items": string},
            "description": _nullable(string),
        }
    )
    cycle = _obj(
        {
            "id": string,
            "name": _nullable(string),
            "start": date,
            "end": date,
            "units": {"type": "array", "items": {"$ref": "#/$defs/unit_okrs"}},
        }
    )
    company = _obj(
        {
            "name": string,
            "mission": _nullable(string),
            "method": {"enum": ["cascade", "align", "hybrid"]},
            "scoring": _obj({"green": fraction, "yellow": fraction}),
            "annual": {
                "type": "array",
                "items": _obj({"year": {"type": "integer"}, "objective": string}),
            },
            "candidates": {
                "type": "array",
                "items": _obj({"cycle": string, "objective": string, "owner": _nullable(string)}),
            },
        }
    )
    root = _obj(
        {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "company": company,
            "units": {"type": "array", "items": {"$ref": "#/$defs/unit"}},
            "cycles": {"type": "array", "items": {"$ref": "#/$defs/cycle"}},
        }
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "okrs.schema.json",
        "title": "okrsite export (okrs.json), version 1",
        "description": (
            "Every public OKR of every cycle, with computed progress and bands. "
            "Private objectives are never included, only counted."
        ),
        **root,
        "$defs": {
            "checkin": checkin,
            "key_result": key_result,
            "objective": objective,
            "health_metric": health_metric,
            "unit_okrs": unit_okrs,
            "unit": unit,
            "cycle": cycle,
        },
    }

def okrs_json_schema_text() -> str:
    """The schema as published text (stable key order)."""
    return html_safe_json(json.dumps(okrs_json_schema(), indent=2, ensure_ascii=False)) + "\n"
