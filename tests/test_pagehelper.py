"""The page helper process (okrsite/engine/pagehelper.py) and the search
entries made from its sections (okrsite/engine/searchworker.py): the same
index as Material's, in the same order, the same pages as converted in the
build's process, and a helper that fails fails the build instead of leaving
pages out of search."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from contentkit import build_site
from material.plugins.search.plugin import SearchIndex

from okrsite.engine import pagehelper
from okrsite.engine.pagehelper import MISSING, HelperError, PageHelper
from okrsite.engine.searchworker import DeferredIndex

REPO = Path(__file__).resolve().parents[1]
REALWORLD = REPO / "tests" / "fixtures" / "realworld" / "content"
INDEX_CONFIG: dict[str, Any] = {
    "lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stemmer"], "fields": {},
}


def _page(url: str, content: str, *, toc: list[Any] | None = None, **meta: Any) -> Any:
    """What the indexer reads of a MkDocs page."""
    return SimpleNamespace(
        url=url, content=content, toc=toc or [], meta=dict(meta), title=f"Title of {url}",
        file=SimpleNamespace(),
    )


def test_entries_go_where_material_would_have_appended_them() -> None:
    """Pages sent to the helper are interleaved with pages Material indexed
    itself meanwhile, in build order; a page the fast feed refuses (a stray
    ``<``) is parsed by Material's own parser in the helper; a heading's
    entry gets its TOC anchor and a page without ``h1`` its title."""
    pages = [
        _page("a/", '<h1 id="a">Alpha</h1><p>first <b>page</b></p><h2 id="x">X</h2><p>more</p>'),
        _page("b/", "<p>a < b, no heading</p>", search={"boost": 2}),
        _page("c/", '<h2 id="c">Gamma</h2><p data-search-exclude>hidden</p><p>shown</p>'),
    ]
    expected = SearchIndex(**INDEX_CONFIG)
    expected.entries.append({"location": "first/", "title": "Before", "text": ""})
    for page in pages[:2]:
        expected.add_entry_from_context(page)
    expected.entries.append({"location": "own/", "title": "Material's own", "text": ""})
    expected.add_entry_from_context(pages[2])

    index = SearchIndex(**INDEX_CONFIG)
    index.entries.append({"location": "first/", "title": "Before", "text": ""})
    deferred = DeferredIndex(index, PageHelper())
    deferred.take(pages[0], pages[0].content)
    deferred.take(pages[1], pages[1].content)
    index.entries.append({"location": "own/", "title": "Material's own", "text": ""})
    deferred.take(pages[2], pages[2].content)
    deferred.finish()

    assert index.entries == expected.entries
    assert [entry["location"] for entry in index.entries] == [
        "first/", "a/", "a/#x", "b/", "own/", "c/", "c/#c",
    ]
    assert index.entries[3]["title"] == "Title of b/" and index.entries[3]["boost"] == 2


def test_the_lighter_view_is_indexed_and_the_content_is_the_fallback() -> None:
    """``take`` sends the lighter view (what searchfeed reads) and, when it is
    another text, the page's content for Material's parser."""
    page = _page("p/", '<h1 id="p">P</h1><p><span class="okr-chip" data-x="1">On track</span></p>')
    index = SearchIndex(**INDEX_CONFIG)
    deferred = DeferredIndex(index, PageHelper())
    deferred.take(page, '<h1 id="p">P</h1><p><span>On track</span></p>')
    deferred.finish()
    expected = SearchIndex(**INDEX_CONFIG)
    expected.add_entry_from_context(page)
    assert index.entries == expected.entries


def test_a_helper_that_fails_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", shutil.which("false") or "/bin/false")
    deferred = DeferredIndex(SearchIndex(**INDEX_CONFIG), PageHelper())
    for number in range(200):  # more than a pipe holds: the sender must not hang
        deferred.take(_page(f"{number}/", "<p>" + "text " * 2000 + "</p>"), "<p>x</p>")
    with pytest.raises(HelperError, match="exit 1"):
        deferred.finish()


def test_a_closed_helper_is_stopped_and_a_missing_reply_says_so() -> None:
    helper = PageHelper()
    helper.index("<p>a</p>", None)
    helper.close()
    assert helper._process.returncode is not None
    assert helper.convert("# A\n") is None  # no settings given: it does not convert
    assert helper.converted(0) is MISSING


def _site(root: Path, extra: str = "") -> Path:
    shutil.copytree(REALWORLD, root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "content_dir: content", "content_dir: content\n      page_cache: false" + extra
    )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs" / "site").mkdir(parents=True)
    (root / "docs" / "site" / "about.md").write_text("# About\n\nHand-written <b>page</b>.\n")
    (root / "docs" / "site" / "hidden.md").write_text(
        "---\nsearch:\n  exclude: true\n---\n# Hidden\n\nNot searchable.\n"
    )
    return root / "mkdocs.yml"


def test_a_site_converted_and_indexed_by_the_helper_equals_one_built_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file byte for byte, ``search/search_index.json`` included, against
    a build without the helper where Material's plugin indexes every page
    itself; hand-written pages (one excluded from search) are indexed by
    Material in between."""
    started: list[DeferredIndex] = []
    original = DeferredIndex.__init__

    def counting(self: DeferredIndex, index: Any, helper: PageHelper) -> None:
        original(self, index, helper)
        started.append(self)

    answers: list[bool] = []
    converted = PageHelper.converted

    def answering(self: PageHelper, number: int) -> Any:
        answer = converted(self, number)
        answers.append(answer is not MISSING)
        return answer

    monkeypatch.setattr(DeferredIndex, "__init__", counting)
    monkeypatch.setattr(PageHelper, "converted", answering)
    monkeypatch.setattr(pagehelper, "MIN_PAGES", 1)
    monkeypatch.setattr(pagehelper, "usable_cores", lambda: 2)
    helped = build_site(_site(tmp_path / "a"), tmp_path / "a" / "site")
    assert len(started) == 1 and len(started[0]._pages) > 100
    assert len(answers) > 100 and all(answers)  # every generated page converted by the helper
    monkeypatch.setattr(pagehelper, "MIN_PAGES", 10**9)
    material = build_site(_site(tmp_path / "b", "\n      fast_search: false"), tmp_path / "b" / "site")
    assert sorted(helped) == sorted(material)
    assert [path for path in helped if helped[path] != material[path]] == []
    docs = json.loads(helped["search/search_index.json"])["docs"]
    assert any(entry["location"] == "about/" for entry in docs)
    assert not any(entry["location"].startswith("hidden/") for entry in docs)


def test_the_helper_counts_only_pages_the_build_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild whose pages all come from the page cache renders none: it
    starts no helper (an interpreter for nothing, ~0.5 s of CPU)."""
    asked: list[int] = []
    original = PageHelper.start.__func__  # type: ignore[attr-defined]

    def start(
        cls: type[PageHelper], fast: Any, pages: int, interpreters: Any = None
    ) -> PageHelper | None:
        asked.append(pages)
        return original(cls, fast, pages, interpreters)

    monkeypatch.setattr(PageHelper, "start", classmethod(start))
    shutil.copytree(REALWORLD, tmp_path / "content")
    config = tmp_path / "mkdocs.yml"
    config.write_text((REPO / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "docs" / "site").mkdir(parents=True)
    first = build_site(config, tmp_path / "site")
    again = build_site(config, tmp_path / "site")
    generated = [path for path in first if path.endswith("index.html")]
    assert asked[0] > 100 and asked[0] <= len(generated)
    assert asked[1] == 0
    assert again == first


def test_entries_made_in_the_helper_find_the_toc_item_material_finds() -> None:
    """The helper gets the TOC flattened: nested and repeated ids give the
    entries Material gives (locations, titles; tags as text)."""
    from mkdocs.structure.toc import AnchorLink

    outer = AnchorLink("Outer", "o", 1)
    inner = AnchorLink("Inner", "x", 2)
    outer.children.append(inner)
    later = AnchorLink("Later", "x", 1)
    html = '<h2 id="x">Heading</h2><p>text</p><h2 id="y">Untitled</h2><p>more</p>'
    page = _page("t/", html, toc=[outer, later], title="Meta title", tags=["a", 3, None])
    expected = SearchIndex(**INDEX_CONFIG)
    expected.add_entry_from_context(page)
    index = SearchIndex(**INDEX_CONFIG)
    deferred = DeferredIndex(index, PageHelper())
    deferred.take(page, html)
    deferred.finish()
    assert deferred._pages[0].view is not None  # made in the helper
    assert index.entries == expected.entries
    assert index.entries[0]["tags"] == ["a", "3"]


def test_a_page_whose_meta_does_not_pickle_gets_its_entries_made_here() -> None:
    page = _page("u/", '<h1 id="u">U</h1><p>text</p>', search={"boost": 2})
    page.meta["title"] = lambda: "not picklable"  # front matter no pickle takes
    expected = SearchIndex(**INDEX_CONFIG)
    expected.add_entry_from_context(page)
    index = SearchIndex(**INDEX_CONFIG)
    deferred = DeferredIndex(index, PageHelper())
    deferred.take(page, page.content)
    deferred.finish()
    assert deferred._pages[0].view is None  # sections from the helper, entries here
    assert index.entries == expected.entries
