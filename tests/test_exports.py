"""okrs.json (validated against its schema), okrs.csv and the Atom feed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import jsonschema
import pytest

from okrsite.analysis.redact import redact
from okrsite.model import (
    CompanyFile,
    Cycle,
    OkrModel,
    OrgFile,
    Unit,
    UnitCycleFile,
    UnitOkrs,
)
from okrsite.render.exports import (
    CSV_COLUMNS,
    krs_csv,
    okrs_data,
    okrs_json,
    safe_cell,
)
from okrsite.render.feed import FEED_LIMIT, checkins_atom
from okrsite.render.okrs_schema import okrs_json_schema, okrs_json_schema_text

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '=HYPERLINK("http://evil")<script>&"'


def make_model(cycles: dict[str, dict[str, dict]], **company: Any) -> OkrModel:
    """Units sales and product; cycles 2026-Q1 and 2026-Q2 with the given files."""
    org = OrgFile.model_validate(
        {
            "units": [
                {
                    "id": "sales",
                    "name": "Sales",
                    "kind": "department",
                    "lead": "Ana",
                    "maintainers": ["@ana"],
                },
                {"id": "product", "name": "Product", "kind": "department"},
            ]
        }
    )
    company_file = CompanyFile.model_validate(
        {
            "name": "Northwind",
            "mission": "Data for all",
            "cycles": [
                {"id": "2026-Q1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)},
                {"id": "2026-Q2", "start": dt.date(2026, 4, 1), "end": dt.date(2026, 6, 30)},
            ],
            "annual": [{"year": 2026, "objective": "Win the mid-market"}],
            "candidates": [{"cycle": "2026-Q3", "objective": "Expand to Europe"}],
            **company,
        }
    )
    model_cycles = {}
    for definition in company_file.cycles:
        files = cycles.get(definition.id, {})
        model_cycles[definition.id] = Cycle(
            definition=definition,
            okrs={
                unit_id: UnitOkrs(
                    unit_id=unit_id,
                    cycle_id=definition.id,
                    path=f"content/{definition.id}/{unit_id}.yaml",
                    content=UnitCycleFile.model_validate(data),
                )
                for unit_id, data in files.items()
            },
        )
    return OkrModel(
        company=company_file,
        units={u.id: Unit(definition=u, depth=1) for u in org.units},
        cycles=model_cycles,
    )


def weekly(first: dt.date, values: list[float], confidence: float = 0.6) -> list[dict]:
    return [
        {
            "date": first + dt.timedelta(days=7 * i),
            "value": v,
            "confidence": confidence,
            "note": f"week {i + 1}",
        }
        for i, v in enumerate(values)
    ]


CONTENT = {
    "2026-Q1": {
        "company": {
            "status": "graded",
            "objectives": [
                {
                    "id": "midmarket",
                    "title": "Win the mid-market",
                    "owner": "Priya",
                    "outcome": "achieved",
                    "learnings": "Focus works.",
                    "key_results": [
                        {
                            "id": "arr",
                            "title": "Grow ARR",
                            "start": 3,
                            "target": 7,
                            "unit": "M",
                            "prefix": "$",
                            "score": 0.8,
                            "checkins": weekly(dt.date(2026, 1, 5), [3.5, 4, 5]),
                        },
                    ],
                }
            ],
        },
        "sales": {
            "status": "graded",
            "objectives": [
                {
                    "id": "pipeline",
                    "title": HOSTILE,
                    "aligns_to": ["company/midmarket"],
                    "key_results": [
                        {
                            "id": "deals",
                            "title": "-5 deals lost",
                            "start": -5,
                            "target": 0,
                            "current": -2,
                            "owner": "+Ana",
                            "checkins": weekly(dt.date(2026, 1, 6), [-4, -2]),
                        },
                        {
                            "id": "latency",
                            "title": "Reply fast",
                            "kind": "threshold",
                            "direction": "below",
                            "target": 4,
                            "unit": "h",
                            "current": 3.1,
                        },
                        {"id": "playbook", "title": "@Playbook written", "done": True},
                    ],
                },
                {
                    "id": "secret-merger",
                    "title": "Secret merger talks",
                    "visibility": "private",
                    "key_results": [
                        {
                            "id": "sign",
                            "title": "Sign the secret term sheet",
                            "start": 0,
                            "target": 1,
                            "checkins": weekly(dt.date(2026, 3, 30), [1]),
                        },
                    ],
                },
            ],
            "health_metrics": [{"title": "Pipeline coverage", "target": "3x", "current": "2.5x"}],
        },
    },
    "2026-Q2": {
        "product": {
            "status": "locked",
            "locked_on": dt.date(2026, 3, 30),
            "objectives": [
                {
                    "id": "onboarding",
                    "title": "Easier start",
                    "key_results": [
                        {
                            "id": "ttv",
                            "title": "Cut time to value",
                            "start": 14,
                            "target": 5,
                            "unit": "days",
                            "checkins": weekly(dt.date(2026, 4, 6), [13, 12, 10]),
                        },
                    ],
                }
            ],
        }
    },
}


@pytest.fixture
def model() -> OkrModel:
    return make_model(CONTENT)


def test_json_validates_against_its_schema(model: OkrModel) -> None:
    """okrs.json is valid against the published JSON Schema (2020-12)."""
    schema = okrs_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(okrs_json(redact(model)))
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(data)
    assert data["format"] == "okrsite/okrs" and data["version"] == 1
    assert json.loads(okrs_json_schema_text()) == schema


def test_schema_rejects_unknown_keys(model: OkrModel) -> None:
    """The schema is strict, so it documents every key."""
    data = okrs_data(model)
    data["cycles"][0]["units"][0]["objectives"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, okrs_json_schema())


def test_json_content(model: OkrModel) -> None:
    """Computed fields, fixed unit order (company first) and null for absent fields."""
    data = okrs_data(redact(model))
    q1 = data["cycles"][0]
    assert [u["unit"] for u in q1["units"]] == ["company", "sales"]
    company_obj = q1["units"][0]["objectives"][0]
    assert company_obj["outcome"] == "achieved"
    arr = company_obj["key_results"][0]
    assert arr["latest_value"] == 5
    assert arr["progress"] == 0.5
    assert arr["score"] == 0.8
    assert arr["band"] == "green"
    assert [c["date"] for c in arr["checkins"]] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    sales = q1["units"][1]
    assert sales["private_objectives"] == 1
    assert sales["health_metrics"][0]["status"] == "ok"
    assert data["company"]["annual"] == [{"year": 2026, "objective": "Win the mid-market"}]
    q2 = data["cycles"][1]["units"][0]
    assert q2["locked_on"] == "2026-03-30"
    assert q2["objectives"][0]["description"] is None


def test_json_is_inert_in_html(model: OkrModel) -> None:
    """<, > and & are \\u-escaped in okrs.json; parsing gives the text back."""
    text = okrs_json(model)
    assert "<" not in text and ">" not in text and "&" not in text
    titles = [
        o["title"] for c in json.loads(text)["cycles"] for u in c["units"] for o in u["objectives"]
    ]
    assert HOSTILE in titles


def test_json_is_deterministic(model: OkrModel) -> None:
    """Same model, same bytes; keys in the documented order."""
    assert okrs_json(model) == okrs_json(make_model(CONTENT))
    keys = list(okrs_data(model)["cycles"][0]["units"][0]["objectives"][0])
    assert keys == list(okrs_json_schema()["$defs"]["objective"]["properties"])


@pytest.mark.parametrize("redacted", [True, False])
def test_private_objectives_are_absent_everywhere(model: OkrModel, redacted: bool) -> None:
    """No export carries a private objective, even from an unredacted model."""
    source = redact(model) if redacted else model
    for text in (okrs_json(source), krs_csv(source), checkins_atom(source, None)):
        assert "secret" not in text.lower()
        assert "term sheet" not in text


def test_people_are_left_out_when_not_published() -> None:
    """publish_people: false → no leads, owners or maintainers in the JSON."""
    hidden = redact(make_model(CONTENT, publish_people=False))
    data = okrs_data(hidden)
    assert data["units"][0]["lead"] is None
    assert data["units"][0]["maintainers"] == []
    assert "Priya" not in okrs_json(hidden)


def test_csv_rows_and_injection_safety(model: OkrModel) -> None:
    """One row per public KR; formula-like text is quoted, numbers stay numbers."""
    rows = list(csv.DictReader(io.StringIO(krs_csv(model))))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(r["cycle"], r["unit"], r["key_result"]) for r in rows] == [
        ("2026-Q1", "company", "arr"),
        ("2026-Q1", "sales", "deals"),
        ("2026-Q1", "sales", "latency"),
        ("2026-Q1", "sales", "playbook"),
        ("2026-Q2", "product", "ttv"),
    ]
    deals = rows[1]
    assert deals["title"] == "'-5 deals lost"
    assert deals["start"] == "-5" and deals["current"] == "-2" and deals["target"] == "0"
    assert deals["owner"] == "'+Ana"
    assert deals["objective_title"].startswith("'=HYPERLINK")
    assert deals["progress"] == "0.6"
    assert rows[3]["title"] == "'@Playbook written"
    assert rows[3]["progress"] == "1"
    assert rows[0]["prefix"] == "$" and rows[0]["value_unit"] == "M"
    assert rows[4]["confidence"] == "0.6"
    for row in rows:
        for column in ("title", "owner", "objective_title", "unit_name"):
            assert not row[column].startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("fine", "fine"),
        (None, ""),
        ("a=b", "a=b"),
    ],
)
def test_safe_cell(text: str | None, cell: str) -> None:
    """Only a leading formula character is neutralised."""
    assert safe_cell(text) == cell


def test_atom_is_well_formed_and_newest_first(model: OkrModel) -> None:
    """Parses as XML; entries newest first with deterministic tag ids."""
    text = checkins_atom(redact(model), "https://okrs.example.com/")
    root = ET.fromstring(text)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    dates = [e.findtext(f"{ATOM}updated") for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert root.findtext(f"{ATOM}updated") == dates[0] == "2026-04-20T00:00:00Z"
    assert entries[0].findtext(f"{ATOM}id") == (
        "tag:okrsite,2026:2026-Q2/product/onboarding/ttv/2026-04-20"
    )
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == ("https://okrs.example.com/2026-Q2/product/#kr-onboarding--ttv")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids))
    assert text == checkins_atom(redact(model), "https://okrs.example.com/")


def test_atom_escapes_content_and_uses_relative_links_without_site_url(
    model: OkrModel,
) -> None:
    """Hostile notes stay text; without site_url links are relative to the feed."""
    hostile = make_model(
        {
            "2026-Q1": {
                "sales": {
                    "objectives": [
                        {
                            "id": "o",
                            "title": "O",
                            "key_results": [
                                {
                                    "id": "k",
                                    "title": "</title><script>x</script>",
                                    "start": 0,
                                    "target": 1,
                                    "checkins": [
                                        {"date": dt.date(2026, 1, 5), "value": 1, "note": HOSTILE}
                                    ],
                                }
                            ],
                        }
                    ]
                }
            }
        }
    )
    text = checkins_atom(hostile, None)
    assert "<script>" not in text
    entry = ET.fromstring(text).find(f"{ATOM}entry")
    assert entry is not None
    assert HOSTILE in (entry.findtext(f"{ATOM}summary") or "")
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == "2026-Q1/sales/#kr-o--k"


def test_atom_limit_and_empty_feed() -> None:
    """At most 50 entries; a feed without check-ins is still valid Atom."""
    many = make_model(
        {
            "2026-Q1": {
                "sales": {
                    "objectives": [
                        {
                            "id": "o",
                            "title": "O",
                            "key_results": [
                                {
                                    "id": "k",
                                    "title": "K",
                                    "start": 0,
                                    "target": 100,
                                    "checkins": weekly(dt.date(2025, 1, 6), list(range(60))),
                                }
                            ],
                        }
                    ]
                }
            }
        }
    )
    root = ET.fromstring(checkins_atom(many, None))
    assert len(root.findall(f"{ATOM}entry")) == FEED_LIMIT
    empty = ET.fromstring(checkins_atom(make_model({}), None))
    assert empty.findall(f"{ATOM}entry") == []
    assert empty.findtext(f"{ATOM}updated") == "2026-04-01T00:00:00Z"


def test_atom_keeps_exactly_the_newest_checkins_with_ties_at_the_cut() -> None:
    """Two cycles, two units, many check-ins sharing days (ties straddle the
    FEED_LIMIT-th entry, some dated outside their cycle): the feed holds the
    newest FEED_LIMIT, ties ordered by cycle, unit, objective, KR, then file
    order — the same as sorting every check-in (the feed skips the older ones
    before sorting)."""
    import random

    rng = random.Random(16)
    first = dt.date(2026, 1, 5)
    every: list[tuple[dt.date, str, str, str, str, int]] = []
    cycles: dict[str, dict[str, dict]] = {}
    for cycle_id in ("2026-Q1", "2026-Q2"):
        for unit_id in ("sales", "product"):
            objectives = []
            for o in range(2):
                krs = []
                for k in range(3):
                    days = [first + dt.timedelta(days=rng.randrange(0, 30)) for _ in range(9)]
                    checkins = [
                        {"date": day, "value": i, "note": f"n {cycle_id} {unit_id} {o} {k} {i}"}
                        for i, day in enumerate(days)
                    ]
                    every += [
                        (day, cycle_id, unit_id, f"o{o}", f"k{k}", i) for i, day in enumerate(days)
                    ]
                    krs.append(
                        {"id": f"k{k}", "title": "K", "start": 0, "target": 9, "checkins": checkins}
                    )
                objectives.append({"id": f"o{o}", "title": "O", "key_results": krs})
            cycles.setdefault(cycle_id, {})[unit_id] = {"objectives": objectives}
    model = make_model(cycles)
    expected = sorted(every, key=lambda e: (e[1], e[2], e[3], e[4], e[5]))
    expected.sort(key=lambda e: e[0], reverse=True)
    cut = expected[FEED_LIMIT - 1][0]
    assert expected[FEED_LIMIT][0] == cut  # a tie straddles the cut
    root = ET.fromstring(checkins_atom(model, None))
    got = [
        (
            (e.findtext(f"{ATOM}updated") or "")[:10],
            (e.findtext(f"{ATOM}summary") or "").split(" · ")[-1],
        )
        for e in root.findall(f"{ATOM}entry")
    ]
    want = [
        (day.isoformat(), f"n {c} {u} {o[1:]} {k[1:]} {i}")
        for day, c, u, o, k, i in expected[:FEED_LIMIT]
    ]
    assert got == want


def test_same_day_checkins_get_distinct_ids() -> None:
    """Two check-ins of one KR on one day still have unique entry ids."""
    day = dt.date(2026, 1, 5)
    twice = make_model(
        {
            "2026-Q1": {
                "sales": {
                    "objectives": [
                        {
                            "id": "o",
                            "title": "O",
                            "key_results": [
                                {
                                    "id": "k",
                                    "title": "K",
                                    "start": 0,
                                    "target": 10,
                                    "checkins": [
                                        {"date": day, "value": 1},
                                        {"date": day, "value": 2},
                                    ],
                                }
                            ],
                        }
                    ]
                }
            }
        }
    )
    ids = [
        e.findtext(f"{ATOM}id")
        for e in ET.fromstring(checkins_atom(twice, None)).findall(f"{ATOM}entry")
    ]
    assert ids == [
        "tag:okrsite,2026:2026-Q1/sales/o/k/2026-01-05",
        "tag:okrsite,2026:2026-Q1/sales/o/k/2026-01-05-2",
    ]


def test_exports_from_per_cycle_parts_are_the_same_bytes(model: OkrModel) -> None:
    """okrs.json and okrs.csv made of per-cycle parts (a closed cycle's parts
    come from the page cache's cycle store) equal the documents made whole."""
    import json as json_module

    from okrsite.render.exports import (
        cycle_krs_csv,
        cycle_okrs_json,
        html_safe_json,
        krs_csv,
        okrs_data,
        okrs_json,
    )

    whole = (
        html_safe_json(
            json_module.dumps(okrs_data(model), separators=(",", ":"), ensure_ascii=False)
        )
        + "\n"
    )
    assert okrs_json(model) == whole
    for cycle in model.cycles.values():
        assert okrs_json(model, {cycle.id: cycle_okrs_json(model, cycle)}) == whole
        assert krs_csv(model, {cycle.id: cycle_krs_csv(model, cycle)}) == krs_csv(model)
    marked = {cycle.id: "[]" for cycle in model.cycles.values()}
    assert json_module.loads(okrs_json(model, marked))["cycles"] == [[]] * len(model.cycles)
    # Parts as a store hands them back (UTF-8 bytes): the document's bytes,
    # whichever cycles come as bytes and whichever are made fresh.
    ids = list(model.cycles)
    csv_whole = str(krs_csv(model)).encode("utf-8")
    for given in ([ids[0]], ids[1:], ids):
        json_parts = {c: cycle_okrs_json(model, model.cycles[c]).encode("utf-8") for c in given}
        csv_parts = {c: cycle_krs_csv(model, model.cycles[c]).encode("utf-8") for c in given}
        assert okrs_json(model, dict(json_parts)) == whole.encode("utf-8")
        assert krs_csv(model, dict(csv_parts)) == csv_whole


def _feed_entries(xml: str) -> list[str]:
    root = ET.fromstring(xml)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    for entry in entries:
        entry.tail = None  # the whitespace after the last entry differs
    return [ET.tostring(entry, encoding="unicode") for entry in entries]


@pytest.mark.parametrize("content", ["realworld", "synth"])
def test_the_feed_reads_only_files_that_can_hold_its_entries_and_says_the_same(
    content: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed skips unit files whose newest check-in is older than its last
    entry: the same feed as one that reads every file (a limit no content
    reaches), with late check-ins in a closed quarter (dated after it ended,
    newer than most of the current quarter's) among them."""
    import shutil
    from pathlib import Path

    from contentkit import load_synth

    import okrsite.render.feed as feed_module
    from okrsite.validate import load_model

    tests = Path(__file__).resolve().parent
    if content == "realworld":
        root = tmp_path / "content"
        shutil.copytree(tests / "fixtures" / "realworld" / "content", root)
    else:
        synth = load_synth()
        synth.write(tmp_path, units=30, seed=5, cycles=4)
        root = tmp_path / "content"
    model = load_model(root)
    ends = sorted((c.definition.end, c) for c in model.cycles.values())
    closed = ends[0][1]
    late = ends[-1][0] - dt.timedelta(days=5)
    for okrs in list(closed.okrs.values())[:3]:  # late check-ins in the oldest quarter
        for objective in okrs.content.objectives:
            for kr in objective.key_results:
                if kr.checkins:
                    kr.checkins[-1] = kr.checkins[-1].model_copy(update={"date": late})
    pruned = checkins_atom(model, None)
    monkeypatch.setattr(feed_module, "FEED_LIMIT", 10**6)
    everything = _feed_entries(checkins_atom(model, None))
    shown = _feed_entries(pruned)
    assert len(shown) == 50 and len(everything) > 200
    assert shown == everything[:50]
    assert any(f'term="{closed.id}"' in e for e in shown)  # the late check-ins made it
