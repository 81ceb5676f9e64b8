"""The search feed (okrsite/engine/searchfeed.py) against Material's own parser.

Material's ``Parser`` is the reference: for any HTML, ``page_sections``
either refuses it (None: Material then indexes the page itself) or returns
sections with the same ids, titles, texts, exclusions, element tags and
depths. Checked on random HTML made of the constructs Material's handlers
treat specially (headings with and without ids, permalinks, kept tags,
excluded blocks, ``<object>``, void tags, entities, whitespace runs, ``<pre>``,
comments, stray end tags), and on every page of a built synthetic company in
``tests/test_fastpage.py`` (whole sites byte-identical).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from material.plugins.search.plugin import Parser

from okrsite.engine.searchfeed import page_sections


def _section(s: Any) -> tuple[object, ...]:
    return (
        s.id,
        list(s.title),
        list(s.text),
        s.is_excluded(),
        s.el.tag,
        dict(s.el.attrs),
        s.depth,
    )


def _material(html: str) -> list[tuple[object, ...]]:
    parser = Parser()
    parser.feed(html)
    parser.close()
    return [_section(s) for s in parser.data]


def _fed(html: str) -> list[tuple[object, ...]] | None:
    sections = page_sections(html)
    return None if sections is None else [_section(s) for s in sections]


PIECES = [
    '<h1 id="top">',
    "</h1>",
    '<h2 id="goal-1">',
    '<h2 id="a&amp;b" class="x">',
    "<h2>",
    "</h2>",
    '<h3 id="kr" data-search-exclude>',
    "</h3>",
    '<a class="headerlink" href="#goal-1" title="Permanent link">&para;</a>',
    '<a href="../x/">',
    "</a>",
    "<p>",
    "</p>",
    '<p class="okr-note">',
    "<ul>",
    "</ul>",
    "<ol>",
    "</ol>",
    "<li>",
    "</li>",
    "<pre>",
    "</pre>",
    "<code>",
    "</code>",
    "<sub>",
    "</sub>",
    '<div data-search-exclude="">',
    '<div class="linenodiv">',
    "<div>",
    "</div>",
    '<DIV CLASS="Admonition">',
    "</DIV>",
    '<object data="g.svg" type="image/svg+xml">',
    "</object>",
    "<br>",
    "<br />",
    '<img alt="x" src="y.png" />',
    "<hr>",
    '<span class="okr-chip" aria-label="48 %">',
    "</span>",
    "<table>",
    "<tr>",
    "<td>",
    "</td>",
    "</tr>",
    "</table>",
    "<!-- a comment with <b>tags</b> -->",
    "Objective one",
    "a &amp; b &lt;c&gt; &#x27;d&#39; &nbsp;",
    "x > y",
    " ",
    "\n",
    "\n  \n",
    "two\nlines",
    "Ünïcode — 検索",
    "&para;",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_sections_equal_materials_or_refused(pieces: list[str]) -> None:
    html = "".join(pieces)
    fed = _fed(html)
    if fed is not None:
        assert fed == _material(html), html


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_well_formed_pieces_are_not_refused(pieces: list[str]) -> None:
    """The pieces above tokenize like HTMLParser's, so nothing is refused
    unless Material's own handlers would fail (a kept end tag whose start
    tag went to another list: Material raises ValueError there)."""
    html = "".join(pieces)
    if _fed(html) is None:
        try:
            _material(html)
        except ValueError:
            return
        raise AssertionError(f"refused: {html!r}")


def test_generated_page_shape() -> None:
    html = (
        '<h1 id="sales-emea">Sales &amp; EMEA</h1>\n'
        '<p>Owner: <a href="../people/">Ana</a> <span class="okr-chip">on track</span></p>\n'
        '<h2 id="o1">Grow revenue<a class="headerlink" href="#o1" title="Permanent link">&para;</a></h2>\n'
        "<ul>\n<li>KR 1: 40 % → 60 %</li>\n<li></li>\n</ul>\n"
        '<div data-search-exclude><p>check-in table</p></div>\n'
        '<pre><code>  two\n  lines</code></pre>\n'
        '<h3 id="kr">KR<br>two</h3><p>x &gt; y</p>'
    )
    fed = _fed(html)
    assert fed is not None
    assert fed == _material(html)
    assert [s[0] for s in fed] == [None, "o1", "kr"]
    assert fed[1][1] == ["Grow revenue"]  # the permalink's ¶ is not in the title


def test_refuses_what_it_does_not_tokenize_like_htmlparser() -> None:
    for html in (
        "<p>a < b</p>",
        "<script>if (a<b) {}</script>",
        "<style>p{}</style>",
        "<br/>",
        '<p class="a"b>x</p>',
        "<p title='a>b'>x</p>",
        "<!DOCTYPE html><p>x</p>",
        "<!-- never closed <p>x</p>",
        "</p class=x>",
        "<a href=x/>",
    ):
        assert page_sections(html) is None, html


_SHARED_TAGS: dict[str, object] = {}
"""One tag memo across every example below, as the page helper keeps one
across a build's pages (refused tags included)."""


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*PIECES, "<br/>", "</p class=x>", "<a href=x/>"]), max_size=40))
def test_a_tag_memo_shared_across_pages_changes_nothing(pieces: list[str]) -> None:
    html = "".join(pieces)
    alone = page_sections(html)
    shared = page_sections(html, _SHARED_TAGS)
    assert (None if alone is None else [_section(s) for s in alone]) == (
        None if shared is None else [_section(s) for s in shared]
    ), html
    assert (shared is None) == any(p in html for p in ("<br/>", "</p class=x>", "<a href=x/>"))


def test_the_tag_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from okrsite.engine import searchfeed

    monkeypatch.setattr(searchfeed, "MEMO_TAGS", 3)
    memo: dict[str, object] = {}
    html = "".join(f'<p><a href="../u{n}/">u{n}</a></p>' for n in range(10))
    assert page_sections(html, memo) is not None
    assert len(memo) == 3


def test_a_tag_that_never_ends_is_refused_after_the_same_name_was_read() -> None:
    """The memo is keyed by a tag's text up to its ``>``: a ``<p`` with no
    ``>`` before the next ``<`` must not be read as the ``<p>`` of an
    earlier page (HTMLParser does not read it as a tag either)."""
    memo: dict[str, object] = {}
    assert page_sections("<p>x</p>", memo) is not None
    assert page_sections("<p<b>x</b>", memo) is None
    assert page_sections("<p<b>x</b>") is None
