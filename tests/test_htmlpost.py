"""Parking raw HTML around MkDocs, and compacting built pages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from okrsite.engine.htmlpost import compact_html, park_html, unpark_html

PAGE = """# Team

Intro with <span class="okr-chip">inline</span> HTML.

<div class="okr-checkin-history" markdown="0">
<div class="okr-chart-wrap" data-search-exclude>
<svg viewBox="0 0 10 10"><title>t</title></svg>
</div>
<details><summary>2 check-ins</summary><table><tr><td>a &lt;div&gt;</td></tr></table></details>
</div>

## Next {#next}

<div class="okr-graph" tabindex="0" data-search-exclude markdown="0">
<svg><a href="x/">x</a></svg>
</div>

Loose <svg class="okr-chart"><circle r="1"></circle></svg> drawing.
"""


def test_blocks_are_parked_whole_and_come_back_without_the_markdown_attribute() -> None:
    text, parked = park_html(PAGE)
    assert "<div" not in text and "<svg" not in text
    assert text.count("<!-- okrsite-park") == 3
    assert parked[0].startswith('<div class="okr-checkin-history">\n<div class="okr-chart-wrap"')
    assert parked[0].endswith("</details>\n</div>")
    assert parked[1].startswith('<div class="okr-graph" tabindex="0" data-search-exclude>')
    assert parked[2] == '<svg class="okr-chart"><circle r="1"></circle></svg>'
    # Headings, text and inline HTML stay for Markdown (and the table of contents).
    assert "## Next {#next}" in text and '<span class="okr-chip">inline</span>' in text
    restored = unpark_html(text, parked)
    assert restored == PAGE.replace(' markdown="0">', ">")


def test_unbalanced_block_is_left_to_markdown() -> None:
    page = '<div class="x" markdown="0">\n<div>never closed\n'
    text, parked = park_html(page)
    assert text == page and parked == []


def test_indented_or_inline_divs_are_not_parked() -> None:
    page = 'text <div class="x" markdown="0">a</div>\n    <div class="y" markdown="0">\n</div>\n'
    text, parked = park_html(page)
    assert parked == [] and text == page


PIECES = ["a", "<b>", "\n", " ", '<div class="k" markdown="0">', "</div>", "<svg>", "</svg>", "&lt;"]


@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_park_then_unpark_gives_the_page_back(pieces: list[str]) -> None:
    page = "".join(pieces)
    text, parked = park_html(page)
    assert text.count("<!-- okrsite-park ") == len(parked)
    restored = unpark_html(text, parked)
    # Only the attribute Python-Markdown would have dropped may differ.
    assert restored.replace(' markdown="0">', ">") == page.replace(' markdown="0">', ">")
    assert "<svg>" not in text or "</svg>" not in text.split("<svg>", 1)[1]


def test_compact_drops_indentation_but_keeps_verbatim_elements() -> None:
    html = (
        "<ul>\n    <li>\n      <a href='x'>\n        Home\n      </a>\n    </li>\n\n\n</ul>\n"
        "<pre><code>  keep\n    this\n</code></pre>\n"
        "<script>\n  // a comment\n  var a = 1;\n</script>\n"
        "<textarea>\n  typed\n</textarea>\n  <style>\n  p { }\n</style>"
    )
    out = compact_html(html)
    assert out.startswith("<ul>\n<li>\n<a href='x'>\nHome\n</a>\n</li>\n</ul>\n")
    assert "<pre><code>  keep\n    this\n</code></pre>" in out
    assert "<script>\n  // a comment\n  var a = 1;\n</script>" in out
    assert "<textarea>\n  typed\n</textarea>" in out
    assert "\n<style>\n  p { }\n</style>" in out


def test_compact_keeps_words_apart() -> None:
    out = compact_html("<p>one\n    two</p>\n  <span>a</span>\n  <span>b</span>")
    assert out == "<p>one\ntwo</p>\n<span>a</span>\n<span>b</span>"


def test_inline_spans_are_parked_unless_markdown_is_inside() -> None:
    from okrsite.engine.htmlpost import park_inline, unpark_inline

    bar = (
        '<span class="okr-progress okr-band--red" role="img" aria-label="progress 5%">'
        '<span class="okr-progress__fill" style="width:5%"></span></span>'
    )
    badge = '<span class="okr-chip okr-quality-badge">[Quality: 1 warning](q.md#x)</span>'
    escaped = '<span class="okr-chip">a \\*b\\*</span>'
    page = f"# T\n\n{bar} <span class=\"okr-status\">locked</span> · {badge} {escaped}\n"
    text, parked, prefix = park_inline(page)
    assert parked == [bar, '<span class="okr-status">locked</span>']
    assert badge in text and escaped in text and "okr-progress" not in text
    assert unpark_inline(text, parked, prefix) == page
    # The token prefix depends on the page: no page text can spell its tokens.
    assert prefix != park_inline(page + "x")[2]


def test_parking_does_not_change_what_markdown_renders() -> None:
    """For every generated page of the demo, Markdown of the parked page with the
    parked HTML put back equals Markdown of the page as written."""
    import datetime as dt
    from pathlib import Path

    import markdown

    from okrsite.engine.htmlpost import park_inline, unpark_inline
    from okrsite.site.build import build_docs_tree
    from okrsite.site.options import SiteOptions
    from okrsite.validate import load_model

    def render(text: str) -> str:
        return markdown.Markdown(
            extensions=["attr_list", "tables", "admonition", "md_in_html", "toc"]
        ).convert(text)

    tree = build_docs_tree(
        load_model(Path(__file__).resolve().parents[1] / "content"),
        SiteOptions(today=dt.date(2026, 11, 23), graphs=False),
    )
    pages = {p: c for p, c in tree.files.items() if p.endswith(".md") and isinstance(c, str)}
    parked_any = 0
    for path, page in pages.items():
        blocks_text, blocks = park_html(page)
        text, spans, prefix = park_inline(blocks_text)
        parked_any += len(spans) + len(blocks)
        html = unpark_html(unpark_inline(render(text), spans, prefix), blocks)
        assert html == render(page.replace(' markdown="0">', ">")), path
    assert parked_any > 100


def test_raw_block_is_parked_whole_and_restored_exactly() -> None:
    """The contract: what a producer writes with raw_block() is parked as one
    piece (wherever it sits in a page) and comes back byte for byte, less the
    markdown="0" attribute."""
    from okrsite.site.parking import raw_block

    inner = '<p>a &lt;div&gt; in text</p>\n<div class="okr-chart-wrap">\n<svg><g></g></svg>\n</div>'
    block = raw_block(inner, "okr-x okr-x--y", focusable=True, searchable=False)
    assert block.startswith('\n<div class="okr-x okr-x--y" tabindex="0" data-search-exclude')
    page = f"# Title\n\nText before.\n{block}\n## After\n\n- item{raw_block('<p>b</p>', 'okr-z')}"
    text, parked = park_html(page)
    assert parked == [
        str(block).strip("\n").replace(' markdown="0">', ">", 1),
        '<div class="okr-z">\n<p>b</p>\n</div>',
    ]
    assert 'markdown="0"' not in text and "<div" not in text and "<svg" not in text
    assert unpark_html(text, parked) == page.replace(' markdown="0">', ">")


def test_raw_block_refuses_unbalanced_divs_and_escapes_the_class() -> None:
    """A block whose end the engine could not find is a producer bug: refused."""
    import pytest

    from okrsite.site.parking import raw_block

    with pytest.raises(ValueError, match="unbalanced"):
        raw_block("<div>open", "okr-x")
    with pytest.raises(ValueError, match="unbalanced"):
        raw_block("</div><div>", "okr-x")
    assert 'class="a&quot;b"' in raw_block("", 'a"b')


def test_every_raw_block_of_the_demo_is_parked() -> None:
    """No producer writes a block the engine misses: in every generated page
    of the demo (graphs on), each markdown="0" block is parked."""
    import datetime as dt
    from pathlib import Path

    from okrsite.site.build import build_docs_tree
    from okrsite.site.options import SiteOptions
    from okrsite.validate import load_model

    root = Path(__file__).resolve().parents[1]
    tree = build_docs_tree(
        load_model(root / "content"),
        SiteOptions(today=dt.date(2026, 11, 23), inline_graph_limit=4_000),
    )
    blocks = 0
    for path, page in tree.files.items():
        if path.endswith(".md") and isinstance(page, str):
            text, parked = park_html(page)
            assert 'markdown="0"' not in text, path
            blocks += sum(p.startswith("<div ") for p in parked)
    assert blocks > 50


def test_unpark_inline_puts_back_only_this_pages_tokens() -> None:
    """One pattern serves every page: a token of another page quoted in the
    text (another prefix) stays as it is."""
    from okrsite.engine.htmlpost import park_inline, unpark_inline

    page = 'A <span class="okr-chip">on track</span> and <span class="okr-x">2</span>.'
    text, parked, prefix = park_inline(page)
    other = "okrsite" + "0123456789ab"
    assert other != prefix and len(parked) == 2 and f"{prefix}x1x" in text
    html = f"<p>{text} {other}x0x x{prefix}x1x</p>"
    assert unpark_inline(html, parked, prefix) == (
        f'<p>{page} {other}x0x x<span class="okr-x">2</span></p>'
    )
