"""A generated page with many headings keeps a table of contents of its
objectives only (Material prints the TOC twice per page); its key results
keep their ids, and search still points at them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from material.plugins.search.plugin import Element, SearchIndex, Section
from mkdocs.structure.toc import get_toc

from okrsite.engine.fastpage import TOC_ENTRIES_MAX, shorten_toc


def _token(level: int, ident: str, children: list[Any] | None = None) -> dict[str, Any]:
    return {"level": level, "id": ident, "name": ident, "html": ident, "children": children or []}


def _unit_toc(objectives: int, krs: int) -> Any:
    sections = [_token(2, "alignment")] + [
        _token(2, f"o{o}", [_token(3, f"kr-o{o}-{k}") for k in range(krs)])
        for o in range(objectives)
    ]
    return get_toc([_token(1, "title", sections)])


def _ids(items: Any) -> list[str]:
    return [i for item in items for i in [item.id, *_ids(item.children)]]


def test_a_page_with_many_key_results_lists_its_objectives() -> None:
    toc = _unit_toc(objectives=4, krs=5)
    assert len(_ids(toc)) > TOC_ENTRIES_MAX
    shorten_toc(toc)
    assert _ids(toc) == ["title", "alignment", "o0", "o1", "o2", "o3"]


def test_a_page_with_few_headings_keeps_its_whole_toc() -> None:
    toc = _unit_toc(objectives=3, krs=4)
    whole = _ids(toc)
    assert len(whole) <= TOC_ENTRIES_MAX
    shorten_toc(toc)
    assert _ids(toc) == whole


def test_search_still_points_at_a_key_result_left_out_of_the_toc() -> None:
    toc = _unit_toc(objectives=4, krs=5)
    shorten_toc(toc)
    section = Section(Element("h3", {"id": "kr-o2-3"}), 3)
    section.id = "kr-o2-3"
    section.title = ["KR"]
    index = SearchIndex()
    page = SimpleNamespace(meta={}, title="Unit")
    index.create_entry_for_section(section, toc, "2026-Q4/unit/", page)
    assert [e["location"] for e in index.entries] == ["2026-Q4/unit/#kr-o2-3"]
