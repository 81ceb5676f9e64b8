"""Validation: every error class with its exact message and location."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from contentkit import make_content
from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.errors import ContentError
from okrsite.fieldtypes import CYCLE_ID_RE, SLUG_RE, _check_ref
from okrsite.model import OkrModel
from okrsite.validate import LoadCache, load_model


def errors_of(tmp_path: Path, files: dict[str, str | None]) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_model(make_content(tmp_path, files))
    return [str(issue) for issue in info.value.issues]


def test_base_content_is_valid(tmp_path: Path) -> None:
    """The fixture tree validates into a model with its units, cycles and sources."""
    model = load_model(make_content(tmp_path, {}))
    assert isinstance(model, OkrModel)
    assert list(model.units) == ["product", "onboarding"]
    assert model.units["onboarding"].depth == 2
    objective = model.cycles["2026-Q1"].okrs["product"].objectives[0]
    assert str(objective.source) == "content/2026-Q1/product.yaml:3:5"
    assert str(objective.key_results[0].source) == "content/2026-Q1/product.yaml:8:9"


CASES = [
    (
        "unknown key with suggestion",
        {"2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    ownr: P\n"},
        ["content/2026-Q1/product.yaml:4:5: unknown key 'ownr' (did you mean 'owner'?)"],
    ),
    (
        "unknown top-level key",
        {
            "company.yaml": "name: Acme\nmethd: align\ncycles:\n  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}\n"
        },
        ["content/company.yaml:2:1: unknown key 'methd' (did you mean 'method'?)"],
    ),
    (
        "number given as text",
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    key_results:\n      - {id: k, title: K, start: '14', target: 5}\n"
        },
        ["content/2026-Q1/product.yaml:5:34: 'start' should be a number, not text '14'"],
    ),
    (
        "text given as number",
        {"2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: 12\n"},
        ["content/2026-Q1/product.yaml:3:12: 'title' should be text, not 12"],
    ),
    (
        "boolean word stays text and is rejected for a boolean field",
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    key_results:\n      - {id: k, title: K, done: yes}\n"
        },
        ["content/2026-Q1/product.yaml:5:33: 'done' should be true or false, not text 'yes'"],
    ),
    (
        "id not a slug (uppercase)",
        {"2026-Q1/product.yaml": "objectives:\n  - id: Easier\n    title: A\n"},
        [
            "content/2026-Q1/product.yaml:2:9: 'Easier' is not a valid id: use lowercase letters "
            "a-z, digits and single hyphens (e.g. 'time-to-value')"
        ],
    ),
    (
        "id with dots and slash",
        {"2026-Q1/product.yaml": "objectives:\n  - id: ../etc\n    title: A\n"},
        [
            "content/2026-Q1/product.yaml:2:9: '../etc' is not a valid id: use lowercase letters "
            "a-z, digits and single hyphens (e.g. 'time-to-value')"
        ],
    ),
    (
        "reserved unit id",
        {"org.yaml": "units:\n  - {id: index, name: Index, kind: team}\n"},
        ["content/org.yaml:2:10: 'index' is a reserved name and cannot be a unit id"],
    ),
    (
        "missing required key",
        {"2026-Q1/product.yaml": "objectives:\n  - id: a\n    owner: P\n"},
        ["content/2026-Q1/product.yaml:2:5: missing required key 'title'"],
    ),
    (
        "bad enum value",
        {"2026-Q1/product.yaml": "status: done\nobjectives: []\n"},
        [
            "content/2026-Q1/product.yaml:1:9: 'status' should be one of 'draft', 'review', "
            "'locked' or 'graded', not text 'done'"
        ],
    ),
    (
        "dangling objective reference",
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    aligns_to: [company/nope]\n"
        },
        [
            "content/2026-Q1/product.yaml:4:17: aligns_to: unit 'company' has no objective 'nope' in cycle 2026-Q1"
        ],
    ),
    (
        "dangling key result reference",
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    key_results:\n      - {id: k, title: K, contributes_to: [company/grow/nope]}\n"
        },
        [
            "content/2026-Q1/product.yaml:5:44: contributes_to: objective 'company/grow' has no key result 'nope'"
        ],
    ),
    (
        "reference to a unit that does not exist",
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    aligns_to: [sales/x]\n"
        },
        ["content/2026-Q1/product.yaml:4:17: aligns_to: 'sales/x' names no unit in org.yaml"],
    ),
    (
        "malformed reference",
        {"2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    aligns_to: [grow]\n"},
        [
            "content/2026-Q1/product.yaml:4:17: 'grow' is not a reference: write 'unit/objective' "
            "or 'unit/objective/key-result' (ids in the same cycle), or "
            "'CYCLE:unit/objective' in a containing cycle (e.g. '2026:company/grow')"
        ],
    ),
    (
        "unit file with no unit in org.yaml",
        {"2026-Q1/prodcut.yaml": "objectives: []\n"},
        [
            "content/2026-Q1/prodcut.yaml:1:1: no unit 'prodcut' in org.yaml for this file (did you mean 'product'?)"
        ],
    ),
    (
        "unit parented to itself",
        {
            "org.yaml": "units:\n  - {id: product, name: P, kind: department, parent: product}\n",
            "2026-Q1/product.yaml": None,
        },
        [
            "content/org.yaml:2:54: unit 'product' is its own parent; the chain must end at 'company'"
        ],
    ),
    (
        "parent that does not exist",
        {
            "org.yaml": "units:\n  - {id: product, name: P, kind: department, parent: prod}\n",
            "2026-Q1/product.yaml": None,
        },
        [
            "content/org.yaml:2:54: parent 'prod' is not a unit in org.yaml (did you mean 'product'?)"
        ],
    ),
    (
        "duplicate unit id",
        {
            "org.yaml": "units:\n  - {id: product, name: P, kind: department}\n  - {id: product, name: Q, kind: team}\n"
        },
        ["content/org.yaml:3:10: duplicate unit id 'product' (first defined on line 2)"],
    ),
    (
        "duplicate objective id",
        {"2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n  - id: a\n    title: B\n"},
        ["content/2026-Q1/product.yaml:4:9: duplicate objective id 'a' (first used on line 2)"],
    ),
    (
        "cycle folder not in company.yaml",
        {"2026-Q2/product.yaml": "objectives: []\n"},
        [
            "content/2026-Q2/product.yaml:1:1: folder '2026-Q2' is not a cycle in company.yaml (cycles: 2026-Q1)"
        ],
    ),
    (
        "overlapping cycles",
        {
            "company.yaml": "name: Acme\ncycles:\n  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}\n"
            "  - {id: 2026-Q2, start: 2026-03-15, end: 2026-06-30}\n"
        },
        [
            "content/company.yaml:4:26: cycle '2026-Q2' overlaps cycle '2026-Q1' (2026-03-15 is before 2026-Q1 ends on 2026-03-31); "
            "cycles may overlap only when one contains the other (a year and its quarters)"
        ],
    ),
    (
        "cycle ending before it starts",
        {
            "company.yaml": "name: Acme\ncycles:\n  - {id: 2026-Q1, start: 2026-03-31, end: 2026-01-01}\n"
        },
        [
            "content/company.yaml:3:43: cycle '2026-Q1' ends (2026-01-01) before it starts (2026-03-31)"
        ],
    ),
    (
        "alignment loop",
        {
            "2026-Q1/onboarding.yaml": "objectives:\n  - id: b\n    title: B\n    aligns_to: [product/a]\n",
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    aligns_to: [onboarding/b]\n",
        },
        [
            "content/2026-Q1/product.yaml:4:17: alignment loop: onboarding/b → product/a → onboarding/b"
        ],
    ),
    (
        "not a finite number",
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    key_results:\n      - {id: k, title: K, start: .nan, target: 5}\n"
        },
        ["content/2026-Q1/product.yaml:5:34: 'start' should be a finite number, not nan"],
    ),
    (
        "confidence out of range word",
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    key_results:\n      - {id: k, title: K, confidence: sure}\n"
        },
        [
            "content/2026-Q1/product.yaml:5:39: 'confidence': text 'sure' is not allowed here "
            "(use a number from 0 to 1, or low, medium or high)"
        ],
    ),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_message_and_location(
    tmp_path: Path, files: dict[str, str | None], expected: list[str]
) -> None:
    """Each bad input yields exactly the expected located messages."""
    assert errors_of(tmp_path, files) == expected


def test_all_errors_reported_at_once(tmp_path: Path) -> None:
    """Problems in several files are all reported in one run, sorted by location."""
    messages = errors_of(
        tmp_path,
        {
            "2026-Q1/product.yaml": "objectives:\n  - id: a\n    title: A\n    ownr: P\n",
            "org.yaml": "units:\n  - {id: product, name: P, kind: departmnt}\n  - {id: onboarding, name: O, kind: team, parent: product}\n",
        },
    )
    assert len(messages) == 2
    assert messages[0].startswith("content/2026-Q1/product.yaml:4:5:")
    assert messages[1].startswith("content/org.yaml:2:34:")


def test_cross_cycle_reference_is_explained(tmp_path: Path) -> None:
    """A reference to an OKR that exists only in another cycle says so."""
    company = (
        "name: Acme\ncycles:\n  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}\n"
        "  - {id: 2026-Q2, start: 2026-04-01, end: 2026-06-30}\n"
    )
    messages = errors_of(
        tmp_path,
        {
            "company.yaml": company,
            "2026-Q2/product.yaml": "objectives:\n  - id: b\n    title: B\n    aligns_to: [company/grow]\n",
            "2026-Q2/company.yaml": "objectives: []\n",
        },
    )
    assert messages == [
        "content/2026-Q2/product.yaml:4:17: aligns_to: 'company/grow' is in cycle 2026-Q1, "
        "not 2026-Q2; references must stay within their cycle or point up to one that contains it"
    ]


def test_no_traceback_for_missing_directory(tmp_path: Path) -> None:
    """A content directory that does not exist is a located ContentError."""
    with pytest.raises(ContentError) as info:
        load_model(tmp_path / "nope")
    assert len(info.value.issues) == 1
    assert info.value.issues[0].location.path.endswith("nope")


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("valid", [True, False])
def test_load_model_leaves_the_garbage_collector_alone(
    tmp_path: Path, enabled: bool, valid: bool
) -> None:
    """Library code never switches the collector or freezes objects (only the CLI may)."""
    files: dict[str, str | None] = {} if valid else {"2026-Q1/product.yaml": "objectives: 3\n"}
    content = make_content(tmp_path, files)
    was = gc.isenabled()
    frozen = gc.get_freeze_count()
    (gc.enable if enabled else gc.disable)()
    try:
        if valid:
            load_model(content)
        else:
            with pytest.raises(ContentError):
                load_model(content)
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() == frozen
    finally:
        (gc.enable if was else gc.disable)()


def _first_kr(model: OkrModel) -> object:
    okrs = model.cycles["2026-Q4"].okrs
    return okrs[sorted(okrs)[0]].objectives[0].key_results[0]


def test_a_load_cache_reuses_validated_files_and_only_them(tmp_path: Path) -> None:
    """With one LoadCache, unchanged files come back as the same validated objects
    and an edited file shows its edit; without a cache, everything is fresh."""
    content = Path(__file__).resolve().parents[1] / "content"
    cache = LoadCache()
    first = load_model(content, cache=cache)
    again = load_model(content, cache=cache)
    assert _first_kr(again) is _first_kr(first)
    fresh = load_model(content)
    assert _first_kr(fresh) is not _first_kr(first)
    assert _first_kr(fresh) == _first_kr(first)
    assert fresh.model_dump() == first.model_dump()


def test_a_load_cache_shows_an_edit_and_its_new_errors(tmp_path: Path) -> None:
    """An edited file is validated again: its new value shows, a new mistake is
    reported at its place, and fixing it loads cleanly again."""
    content = make_content(tmp_path, {})
    cache = LoadCache()
    model = load_model(content, cache=cache)
    unit_file = content / "2026-Q1" / "product.yaml"
    text = unit_file.read_text(encoding="utf-8")
    title = model.cycles["2026-Q1"].okrs["product"].objectives[0].title
    unit_file.write_text(text.replace(title, "A new title"), encoding="utf-8")
    edited = load_model(content, cache=cache)
    assert edited.cycles["2026-Q1"].okrs["product"].objectives[0].title == "A new title"
    unit_file.write_text(text.replace("objectives:", "objectivs:"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_model(content, cache=cache)
    assert "unknown key 'objectivs' (did you mean 'objectives'?)" in str(info.value)
    unit_file.write_text(text, encoding="utf-8")
    assert load_model(content, cache=cache).model_dump() == model.model_dump()


def _reference_check_ref(value: str) -> bool:
    """Whether the first ``fieldtypes._check_ref`` accepted ``value``: split at
    the last ':' and at '/', each part matched on its own (its behaviour spec)."""
    cycle, sep, rest = value.rpartition(":")
    parts = rest.split("/")
    return (
        len(parts) in (2, 3)
        and all(SLUG_RE.match(p) for p in parts)
        and (not sep or CYCLE_ID_RE.match(cycle) is not None)
    )


def _accepts(value: str) -> bool:
    try:
        _check_ref(value)
    except ValueError:
        return False
    return True


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from([*"ab09-_:/\nZ é", "2026", "Q1", "x-y", "/"]), max_size=12))
def test_one_pattern_accepts_the_references_the_part_checks_accepted(pieces: list[str]) -> None:
    value = "".join(pieces)
    assert _accepts(value) == _reference_check_ref(value), repr(value)


def test_reference_pattern_on_written_references() -> None:
    for value, ok in [
        ("company/grow", True), ("sales/q1-win/arr", True), ("2026:company/grow", True),
        ("2026-Q1:web/fast/p95", True), ("FY_26:a/b", True), ("a/b\n", True),
        ("2026\n:a/b", True), ("grow", False), ("a/b/c/d", False), ("a//b", False),
        (":a/b", False), ("x:y:a/b", False), ("A/b", False), ("a/b\n\n", False),
        ("a-/b", False), ("2026-:a/b", False), ("a /b", False), ("é/b", False),
    ]:
        assert _accepts(value) is ok is _reference_check_ref(value), value


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from("abcdefgh"),
        st.lists(st.sampled_from("abcdefghij"), max_size=4),
        max_size=8,
    )
)
def test_the_one_walk_loop_test_agrees_with_a_search_from_every_node(
    graph: dict[str, list[str]],
) -> None:
    """``has_loop`` (one walk, so a valid company skips the search from every
    objective) says yes exactly when a search from some node finds a loop."""
    from okrsite.validate.references import _find_loop, has_loop

    edges: Any = {  # (target, file, path): only targets matter here
        node: [(target, None, ()) for target in targets if target != node]
        for node, targets in graph.items()
    }
    found = any(_find_loop(start, edges) for start in edges)
    assert has_loop(edges) is found


def test_data_without_checkins_is_a_copy_and_only_unit_shapes_change() -> None:
    from okrsite.validate.shape import without_checkins

    kr = {"id": "a", "title": "A", "checkins": [{"date": "2026-01-05"}]}
    data = {"objectives": [{"id": "o", "key_results": [kr, "odd"]}, 3], "status": "draft"}
    stripped: Any = without_checkins(data)
    assert stripped == {
        "objectives": [{"id": "o", "key_results": [{"id": "a", "title": "A"}, "odd"]}, 3],
        "status": "draft",
    }
    assert "checkins" in kr and data["objectives"][0]["key_results"][0] is kr  # type: ignore
    for odd in ({"objectives": "none"}, [1], "text", None):
        assert without_checkins(odd) is odd
