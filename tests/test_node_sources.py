"""Every validated node knows where its mapping starts (``node.source``).

Validation's walk (``validate.shape.Shaper``) locates leaves such as
check-ins without queueing them; the answer must be what a plain recursive
walk over the file's data paths gives, for every node of a real-world-shaped
company (two years, co-owners, milestones, health metrics, ``.md`` files).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel
from realworld_gen import generate

from okrsite.errors import SourceLocation
from okrsite.source import LoadedFile, load_content
from okrsite.validate import validate

REPO = Path(__file__).resolve().parents[1]


def expected_sources(
    node: object, file: LoadedFile, path: tuple[str | int, ...]
) -> list[tuple[object, SourceLocation]]:
    """(node, where its mapping starts) for ``node`` and every node below it."""
    if isinstance(node, list):
        found = []
        for i, item in enumerate(node):
            found += expected_sources(item, file, (*path, i))
        return found
    if not isinstance(node, BaseModel):
        return []
    line, column = file.node_location(path)
    found = [(node, SourceLocation(file.path, line, column))]
    for name in type(node).model_fields:
        found += expected_sources(getattr(node, name), file, (*path, name))
    return found


def test_every_node_source_is_where_its_mapping_starts(tmp_path: Path) -> None:
    generate(tmp_path, seed=7)
    for root in (tmp_path / "content", REPO / "content"):
        raw = load_content(root)
        model = validate(raw)
        checked = 0
        for cycle in model.cycles.values():
            for unit_id, okrs in cycle.okrs.items():
                file = raw.cycle_files[cycle.id][unit_id]
                for node, where in expected_sources(okrs.content, file, ()):
                    assert node.source == where, (where, type(node).__name__)  # type: ignore[attr-defined]
                    checked += 1
        assert checked > 500
        kinds = {
            type(node).__name__
            for cycle in model.cycles.values()
            for okrs in cycle.okrs.values()
            for node, _ in expected_sources(okrs.content, raw.cycle_files[cycle.id][okrs.unit_id], ())
        }
        assert {"CheckIn", "KeyResult", "Objective"} <= kinds


def test_a_fresh_load_shares_fields_sets_and_a_changed_copy_gets_its_own(tmp_path: Path) -> None:
    """Validation gives nodes of one class with the same fields given one
    fields set (a quarter fewer objects for the garbage collector); check-ins
    too. A copy (how content is ever changed) gets its own set, and a set
    field on it changes no other node."""
    generate(tmp_path, seed=11)
    content = next(path.parent for path in tmp_path.rglob("company.yaml"))
    model = validate(load_content(content))
    checkins = [
        checkin
        for cycle in model.cycles.values()
        for okrs in cycle.okrs.values()
        for objective in okrs.objectives
        for kr in objective.key_results
        for checkin in kr.checkins
    ]
    kinds = {frozenset(c.model_fields_set) for c in checkins}
    assert len(checkins) > len(kinds)
    assert len({id(c.__pydantic_fields_set__) for c in checkins}) == len(kinds)
    first = checkins[0]
    others = [c for c in checkins[1:] if c.__pydantic_fields_set__ is first.__pydantic_fields_set__]
    assert others and "note" not in first.model_fields_set
    copy = first.model_copy(update={"note": "changed"})
    copy.author = "someone"
    assert "author" in copy.model_fields_set
    assert all("author" not in c.model_fields_set for c in checkins)
    assert validate(load_content(content)) == model


def all_nodes(model: object) -> list[BaseModel]:
    """Every node of a validated model's OKRs, in walk order."""
    found: list[BaseModel] = []

    def walk(value: object) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, BaseModel):
            found.append(value)
            for name in type(value).model_fields:
                walk(getattr(value, name))

    for cycle in model.cycles.values():  # type: ignore[attr-defined]
        for okrs in cycle.okrs.values():
            walk(okrs.content)
    return found


def test_unshared_fields_sets_make_the_same_model(tmp_path: Path) -> None:
    """``share_fields_sets=False`` (``okrsite check``: a model used once)
    leaves every node its own fields set, with the names the shared one
    holds; the model, each node's fields and its source are the same, with
    and without check-ins."""
    generate(tmp_path, seed=11)
    content = next(path.parent for path in tmp_path.rglob("company.yaml"))
    for checkins in (True, False):
        shared = validate(load_content(content), references=False, checkins=checkins)
        own = validate(
            load_content(content), references=False, checkins=checkins, share_fields_sets=False
        )
        assert own == shared
        pairs = list(zip(all_nodes(shared), all_nodes(own), strict=True))
        assert len(pairs) > 500
        sets = [mine.__pydantic_fields_set__ for _, mine in pairs]
        assert len({id(s) for s in sets}) == len(sets)  # one each
        assert len({id(theirs.__pydantic_fields_set__) for theirs, _ in pairs}) < len(pairs) / 10
        for theirs, mine in pairs:
            assert mine.model_fields_set == theirs.model_fields_set
            assert mine.source == theirs.source  # type: ignore[attr-defined]
            assert mine.model_dump() == theirs.model_dump()
