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
