"""Finished HTML for generated pages (okrsite/engine/mdsubset.py, fastpage.py).

THE test: for every generated page of the demo, the real-world fixture and a
synthetic company, the converter's HTML, TOC, title, anchors and anchor
links equal what MkDocs' ``Page.render`` (Python-Markdown with the site's
extensions) gives — no normalisation at all — and a whole site built with and
without the fast path is the same, byte for byte. Plus the converter alone
against Python-Markdown on hand-written and generated snippets, including the
constructs it must refuse.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import markdown
import pytest
from contentkit import build_site, load_synth
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import slugify

from okrsite.engine.mdsubset import TocSettings, convert
from okrsite.engine.searchfeed import page_sections
from tests.fastpage_compare import compare_site

REPO = Path(__file__).resolve().parents[1]
REALWORLD = REPO / "tests" / "fixtures" / "realworld" / "content"
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "admonition", "md_in_html"]


def _site(root: Path, content: Path, *, extra_plugin_options: str = "") -> Path:
    shutil.copytree(content, root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if extra_plugin_options:
        config = config.replace(
            "content_dir: content", "content_dir: content\n      " + extra_plugin_options
        )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs" / "site").mkdir(parents=True)
    return root / "mkdocs.yml"


def _assert_same(config: Path, *, min_fast: int) -> None:
    outcome = compare_site(config)
    assert outcome.differences == []
    assert outcome.fast >= min_fast, (outcome.fast, outcome.fallback)


def test_demo_pages_equal_python_markdown() -> None:
    outcome = compare_site(REPO / "mkdocs.yml")
    assert outcome.differences == []
    # Every unit page, profile and quality page (md_in_html findings) takes
    # the fast path; the cycle overviews (nested lists) and the rules and
    # format pages (code spans) fall back.
    assert outcome.fast >= 27
    assert all(
        path.endswith(("index.md", "quality.md", "rules.md", "format.md"))
        for path in outcome.fallback
    ), outcome.fallback


def test_realworld_pages_equal_python_markdown(tmp_path: Path) -> None:
    _assert_same(_site(tmp_path, REALWORLD), min_fast=140)


def test_synthetic_company_pages_equal_python_markdown(tmp_path: Path) -> None:
    org = tmp_path / "org"
    load_synth().write(org, units=60, seed=3, cycles=2)
    _assert_same(org / "mkdocs.yml", min_fast=150)


def test_busy_quality_pages_take_the_fast_path(tmp_path: Path) -> None:
    """A department's quality page that lists a share of its findings and
    counts the rest ("… and N more findings of this rule") is still in the
    converter's subset: that line once held a code span, which sent every
    such page (the largest of a company's quality pages) to Python-Markdown."""
    from realworld_gen import generate

    generate(tmp_path, quarters=[(2026, 2)], score_rate=0.0, presence=1.0, extra_objectives=2)
    outcome = compare_site(_site(tmp_path / "site", tmp_path / "content"))
    assert outcome.differences == []
    capped = [
        path
        for path, markdown_text in outcome.pages.items()
        if "/quality/" in path and "more findings of this rule" in markdown_text
    ]
    assert capped  # the fixture's departments have more findings than a page lists
    assert not [path for path in outcome.fallback if "/quality/" in path], outcome.fallback


def test_site_built_with_the_fast_path_is_byte_identical(tmp_path: Path) -> None:
    fast = build_site(
        _site(tmp_path / "a", REALWORLD, extra_plugin_options="page_cache: false"),
        tmp_path / "a" / "site",
    )
    slow = build_site(
        _site(
            tmp_path / "b",
            REALWORLD,
            extra_plugin_options="page_cache: false\n      fast_pages: false",
        ),
        tmp_path / "b" / "site",
    )
    assert sorted(fast) == sorted(slow)
    different = [path for path in fast if fast[path] != slow[path]]
    assert different == []
    assert len(fast) > 200


# -- the converter alone ---------------------------------------------------

TOC = TocSettings(slugify=slugify, permalink="&para;")
BLOCK_TAGS = frozenset(markdown.Markdown(extensions=["md_in_html"]).block_level_elements)


def _python_markdown(text: str) -> tuple[str, list[dict[str, object]]]:
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs={"toc": {"permalink": True}})
    return md.convert(text), md.toc_tokens  # type: ignore[attr-defined]


def _fast(text: str) -> tuple[str, list[dict[str, object]]] | None:
    result = convert(text, TOC, lambda href: href, BLOCK_TAGS)
    return None if result is None else (result.html, result.toc_tokens)


SUPPORTED = [
    "# Sales · Q4 2026\n\nIn [Company](company.md) · Lead: A &amp; B &#36;3M > 2",
    "## Alignment {#alignment}\n\n<!-- okrsite-park 0 -->\n\n\n## Next {#obj-x data-search-exclude}\ntext",
    "**Aligns to:** [Co › Win](company.md#obj-win) **[x](y.md)** [**z**](w.md#q)\nline 2",
    '<span class="okr-chip" id="c1">[Quality&#58; 2](quality.md#unit-s)</span> tail',
    "| Cycle | Status | Objectives |\n| --- | :---: | ---: |\n| [Q4](../q4/s.md) | <span>a</span> |  |",
    "- [One](a.md#x) <span>1</span>\n- [Two](b.md)\n\ntext after\n\n---\n\nSource: x",
    '<div class="okr-text">\n<p>Note with <a href="x">raw</a> HTML</p>\n</div>\n\nafter',
    "## Alignment\n\n### Alignment\n\n## alignment {#alignment}\n\n# Q&#58; &lt;b&gt;",
    '!!! note "No OKRs"\n    Team has no OKRs.',
    # A quality page's findings: md_in_html blocks, a link carrying an id.
    '## Findings {#findings}\n\n<details class="okr-findings" id="rule-okr013" markdown="1" open>\n'
    "<summary>OKR013 Slipping · 1 finding okrsitex1x</summary>\n\n"
    "**Fix:** Finish &#40;x&#41; · [OKR013](../../rules.md#okr013)\n\n"
    "- **Design** · [Late](../design.md) · <small>content/d.yaml&#58;1</small>\n- two\n\n"
    '</details>\n\n<details class="okr-findings" id="rule-okr014" markdown="1">\n'
    "<summary>Second</summary>\n\nPara\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n</details>\n\n"
    "| Unit | Findings |\n| --- | --- |\n| [Design](../design.md){#unit-design} | 1 warning |",
    "See [a](b.md){#x} and [c](d.md#e){#y-2} then\n\n- [l](m.md){#z}",
]


@pytest.mark.parametrize("text", SUPPORTED)
def test_converter_equals_python_markdown(text: str) -> None:
    fast = _fast(text)
    assert fast is not None
    assert fast == _python_markdown(text)


REFUSED = [
    "Text with `code`.",
    "A \\*escaped\\* star.",
    "Some _emphasis_ here.",
    "A *single* star.",
    "- a\n    - nested",
    "- a\n\n- b",
    "text\n<div>raw without a blank line</div>",
    '<div class="x">\n<p>a</p>\n\n<p>b</p>\n</div>',
    "> quoted",
    "1. ordered",
    "Heading\n=======",
    "```\nfenced\n```",
    "![image](x.png)",
    "[TOC]",
    "[ref][r]\n\n[r]: x.md",
    "A {: .class} list",
    "## Title {: .cls}",
    "line with two spaces  \nbreak",
    "<http://example.com>",
    '<div markdown="1">\n**x**\n</div>',
    '<details markdown="1">\n<summary>S</summary>\n\nx\n\n</details>',
    '<details class="a" markdown="block">\n<summary>S</summary>\n\nx\n\n</details>',
    '<details class="a" markdown="1">\n<summary>S</summary>\n\nx\n</details>',
    '<details class="a" markdown="1">\n<summary>S</summary>\n\n## H\n\n</details>',
    '<details class="a" markdown="1">\n<summary>S</summary>\nx\n\n</details>',
    'text\n<details class="a" markdown="1">\n<summary>S</summary>\n\nx\n\n</details>',
    '<details class="a&amp;b" markdown="1">\n<summary>S</summary>\n\nx\n\n</details>',
    "[a](b.md){: #x}",
    "[a](b.md){#x .cls}",
]


@pytest.mark.parametrize("text", REFUSED)
def test_converter_refuses_what_it_does_not_know(text: str) -> None:
    assert _fast(text) is None


PIECES = [
    "word",
    " ",
    "\n",
    "\n\n",
    "**",
    "**b**",
    "[link](a.md#x)",
    "[](b.md)",
    '<span class="c">',
    "</span>",
    "<span>x</span>",
    "<b>[l](q.md)</b>",
    "&amp;",
    "&#36;",
    "&lt;",
    ">",
    "·",
    "# ",
    "# T",
    "## H {#h}",
    "- ",
    "| a | b |\n| --- | ---: |\n| 1 | 2 |",
    "| x | y |",
    "---",
    '<div class="d">\n<p>x</p>\n</div>',
    "<!-- okrsite-park 1 -->",
    '!!! note "T"\n    body',
    "!!! note\n    b",
    "<br>",
    '<a name="n">',
    "[l](q.md){#i}",
    '<details class="f" id="r1" markdown="1" open>\n<summary>S <b>x</b></summary>\n\n',
    "\n\n</details>\n\n",
    "Ünïcode",
    # Refusal triggers, less often.
    "*",
    "_",
    "`",
    "{",
    "    ",
    "1. ",
    "&",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25))
def test_converter_is_python_markdown_or_refuses(pieces: list[str]) -> None:
    text = "".join(pieces)
    fast = _fast(text)
    if fast is not None:
        assert fast == _python_markdown(text), text


# -- what the search indexer reads ---------------------------------------------


def _section(s: Any) -> tuple[object, ...]:
    return (s.id, "".join(s.title), "".join(s.text), s.is_excluded(), s.el.tag, s.depth)


def _sections(html: str) -> list[tuple[object, ...]]:
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return [_section(s) for s in parser.data]


def test_search_feed_refuses_html_it_does_not_tokenize_like_htmlparser() -> None:
    assert page_sections("<p>a < b</p>") is None
    assert page_sections("<script>if (a<b) {}</script>") is None
    assert page_sections("<br/>") is None
    assert page_sections('<p class="a"b>x</p>') is None
    sections = page_sections('<h2 id="x">T<a class="headerlink" href="#x">&para;</a></h2><p>a &amp; b</p>')
    assert sections is not None
    assert [_section(s) for s in sections] == _sections(
        '<h2 id="x">T<a class="headerlink" href="#x">&para;</a></h2><p>a &amp; b</p>'
    )


def test_site_built_with_the_search_feed_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """search/search_index.json included; Material still strips data-search-*."""
    from okrsite.engine import searchfeed

    fed: list[bool] = []

    def counting(html: str, memo: searchfeed.TagMemo | None = None) -> list[Any] | None:
        sections = page_sections(html, memo)
        fed.append(sections is not None)
        return sections

    monkeypatch.setattr(searchfeed, "page_sections", counting)
    fast = build_site(_site(tmp_path / "a", REALWORLD, extra_plugin_options="page_cache: false"),
                  tmp_path / "a" / "site")
    slow = build_site(
        _site(tmp_path / "b", REALWORLD,
              extra_plugin_options="page_cache: false\n      fast_search: false"),
        tmp_path / "b" / "site",
    )
    assert sorted(fast) == sorted(slow)
    assert [path for path in fast if fast[path] != slow[path]] == []
    assert len(fast["search/search_index.json"]) > 100_000
    # The first build indexed (nearly) every page itself; the second not one.
    pages = sum(1 for path in fast if path.endswith(".html"))
    assert len(fed) >= pages - 2 and all(fed)


def test_search_reads_the_same_sections_from_lighter_spans(tmp_path: Path) -> None:
    """Material's search parser gets the same sections (ids, titles, texts,
    exclusions) from the pages with attribute-free spans (``search_view``)
    as from the pages as published, on every generated page of the fixture."""
    from mkdocs.commands.build import get_files
    from mkdocs.config import load_config
    from mkdocs.structure.nav import get_navigation

    from okrsite.engine.htmlpost import search_view, unpark_inline

    config = load_config(str(_site(tmp_path, REALWORLD)))
    config.plugins["okrsite"].config.page_cache = False
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    get_navigation(files, config)
    checked = lighter = 0
    for file in files.documentation_pages():
        spans, prefix = getattr(file, "inline", ((), ""))
        if not spans:
            continue
        page = file.page
        assert page is not None
        page.read_source(config)
        page.render(config, files)
        full = unpark_inline(page.content or "", spans, prefix)
        light = unpark_inline(page.content or "", [search_view(s) for s in spans], prefix)
        assert _sections(light) == _sections(full), file.src_uri
        fed = page_sections(light)
        assert fed is not None, file.src_uri
        assert [_section(s) for s in fed] == _sections(full), file.src_uri
        checked += 1
        lighter += len(light) < len(full)
    assert checked > 100 and lighter == checked


def test_search_view_keeps_spans_it_cannot_prove_equal() -> None:
    plain = '<span class="okr-progress" role="img" aria-label="48%"><span style="w"></span></span>'
    assert search_view_of(plain) == "<span><span></span></span>"
    for kept in (
        '<span class="a" data-search-exclude>x</span>',
        '<span class="a"><code>x</code></span>',
        '<span class="a">x<br>y</span>',
        '<span class="a"><a href="x">y</a></span>',
    ):
        assert search_view_of(kept) == kept


def search_view_of(span: str) -> str:
    from okrsite.engine.htmlpost import search_view

    return search_view(span)
