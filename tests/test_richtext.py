"""Content Markdown (descriptions, notes, learnings, .md bodies) → safe HTML.

Plain functions on ``okrsite.render.richtext``; the built-site checks are in
``test_realworld.py`` and ``test_xss.py``.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.render import richtext
from okrsite.render.richtext import markdown_block, markdown_html, markdown_inline


def test_markdown_link_becomes_external_link_with_noopener() -> None:
    """``[text](https://…)`` is an <a href> with rel="noopener"; no raw syntax left."""
    html = markdown_html("Tracked in [EPIC-12](https://jira.example/browse/EPIC-12).")
    assert '<a href="https://jira.example/browse/EPIC-12" rel="noopener">EPIC-12</a>' in html
    assert "](" not in html


def test_bare_urls_become_links_without_trailing_punctuation() -> None:
    """Bare http(s) URLs are linked; a sentence's full stop, a closing bracket
    that the URL did not open, stay outside; balanced brackets stay inside."""
    html = markdown_html(
        "See https://wiki.example/a_b. (Also https://x.example/q?a=1&b=2) "
        "and https://en.example/wiki/Foo_(bar), done"
    )
    assert '<a href="https://wiki.example/a_b" rel="noopener">https://wiki.example/a_b</a>.' in html
    assert 'href="https://x.example/q?a=1&amp;b=2"' in html
    assert '<a href="https://en.example/wiki/Foo_(bar)" rel="noopener">' in html
    assert "</a>, done" in html


def test_urls_in_code_and_links_are_not_linked_again() -> None:
    """A URL in inline code stays code; a link whose text is a URL is one link."""
    html = markdown_html("Run `curl https://api.example/x` or [https://a.example](https://a.example)")
    assert "<code>curl https://api.example/x</code>" in html
    assert html.count("<a ") == 1


def test_emphasis_lists_and_code() -> None:
    """Emphasis, inline code and a list right after a line of text (no blank line)."""
    html = markdown_html("Status: **at risk**, see `ops.on_time`\n- waiting on legal\n- _maybe_ Q2")
    assert "<strong>at risk</strong>" in html
    assert "<code>ops.on_time</code>" in html
    assert "<ul>\n<li>waiting on legal</li>\n<li><em>maybe</em> Q2</li>\n</ul>" in html


def test_line_breaks_are_kept() -> None:
    """Lines of a YAML block scalar stay lines."""
    assert markdown_html("first line\nsecond line") == "<p>first line<br>\nsecond line</p>"


def test_raw_html_is_shown_as_text() -> None:
    """Raw HTML is not interpreted (and so never silently dropped): it shows as typed."""
    html = markdown_html('<b>bold?</b> <script>alert(1)</script>\n\n<div onclick="x">d</div>')
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html and "<script" not in html
    assert "&lt;div onclick" in html


def test_dangerous_links_lose_their_url_but_keep_their_text() -> None:
    """javascript:, data:, protocol-relative and backslash links keep their text, no href."""
    for url in ("javascript:alert(1)", "data:text/html,x", "//evil.example/x", "https:\\\\evil"):
        html = markdown_html(f"[label]({url})")
        assert "label" in html
        assert "href" not in html, url


def test_images_become_links() -> None:
    """``![alt](url)`` loads nothing: it is a link to the image with its alt text."""
    html = markdown_html("![burn-down](https://img.example/b.png)")
    assert '<a href="https://img.example/b.png" rel="noopener">burn-down</a>' in html
    assert "<img" not in html and "![" not in html


def test_headings_are_shifted_below_the_floor() -> None:
    """A ``#`` heading in a unit body is not a second page title; in a KR it
    sits below the KR's h3."""
    assert markdown_html("# Notes\n\ntext", heading_floor=2).startswith("<h2>Notes</h2>")
    assert markdown_html("## Notes for Q4", heading_floor=2) == "<h2>Notes for Q4</h2>"
    html = markdown_html("# A\n\n## B", heading_floor=4)
    assert "<h4>A</h4>" in html and "<h5>B</h5>" in html


def test_inline_form_has_no_block_elements() -> None:
    """For table cells: paragraphs joined by <br>, list items by ·."""
    html = markdown_inline("Status:\n- a\n- [b](https://b.example)\n\nDone.")
    assert not re.search(r"<(p|ul|li|h\d)\b", html)
    assert "a · <a href" in html and "<br>Done." in html


def test_block_is_a_raw_div_or_empty() -> None:
    """Pages get a raw <div class="okr-text"> block on its own lines; no text, no block."""
    assert markdown_block("") == "" and markdown_block(None) == ""
    block = markdown_block("*x*", css_class="okr-note")
    assert block.startswith('<div class="okr-text okr-note">\n<p><em>x</em></p>')
    assert block.endswith("\n</div>")


def test_markdown_in_markdown_stays_text() -> None:
    """A rendered note placed in a generated Markdown list keeps its stars as stars."""
    out = richtext.markdown_inline_in_markdown("2 * 3 * 4 = [link](https://a.example)")
    assert "&#42;" in out and "*" not in out.replace("&#42;", "")
    assert '<a href="https://a.example" rel="noopener">link</a>' in out


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z0-9 .,;:?'\"()%/@$€+=\-–—]{1,40}", fullmatch=True))
def test_plain_fast_path_matches_markdown(text: str) -> None:
    """Text the fast path takes as plain renders exactly as Python-Markdown would."""
    fast = markdown_html(text)
    slow_source = richtext.drop_controls(text).strip()
    if not slow_source or not richtext._is_plain(slow_source):
        return
    import markdown

    converter = markdown.Markdown(
        extensions=[*richtext.EXTENSIONS, richtext._ContentExtension(4)], output_format="html"
    )
    slow = richtext.sanitize.clean_rich(converter.convert(slow_source))
    assert fast == slow


def _inline_by_markdown(text: str) -> str:
    """markdown_inline's general path (Python-Markdown, then block elements
    flattened), whatever the text: what its plain-text shortcut must equal."""
    rendered = markdown_html(text, heading_floor=6)
    rendered = re.sub(r"</li>\s*<li>", " · ", rendered)
    rendered = re.sub(rf"</{richtext._BLOCKS}>\s*<{richtext._BLOCKS}\b[^>]*>", "<br>", rendered)
    rendered = re.sub(rf"</?(?:{richtext._BLOCKS}|li|hr)\b[^>]*>", "", rendered)
    return richtext.sanitize.clean_rich(rendered.strip().replace("\n", " "))


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[ \tA-Za-zÀ-ÿ0-9 .,;:?'\"()%/@$€£+=\-–—\r\n]{0,40}", fullmatch=True))
def test_inline_plain_shortcut_matches_the_general_path(text: str) -> None:
    """A check-in note in plain words (the common case, one per table row)
    comes out exactly as the general Markdown path renders it."""
    assert markdown_inline(text) == _inline_by_markdown(text)


def test_inline_shortcut_cases() -> None:
    assert markdown_inline("") == "" == markdown_inline("  \n ")
    assert markdown_inline(" Slower than planned ") == "Slower than planned"
    assert markdown_inline("Q3: 40% (\"about\" €5) — late") == _inline_by_markdown(
        "Q3: 40% (\"about\" €5) — late"
    )
    # Not plain: list markers and Markdown go the general way.
    assert markdown_inline("- a\n- b") == "a · b"
    assert markdown_inline("1. first") == _inline_by_markdown("1. first")
    assert markdown_inline("**done**") == "<strong>done</strong>"


_PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
        "[b](data:text/html,x)", "![c](javascript:x)", "<javascript:alert(1)>", "&#x6a;avascript:",
        "[d]( JaVaScRiPt:alert(1))", "[e](//evil.example)", "[r]: javascript:alert(1)\n\n[r]",
        '<a href="javascript:x">f</a>', "https://ok.example/x", "**", "_", "`", "\n", "\n\n",
        "- ", "1. ", "# ", "> ", "    ", "(", ")", "[", "]", '"', "'", " onclick=alert(1) ",
        "{: onclick=alert(1) }", "<svg onload=alert(1)>", "word",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_rendered_text_is_inert_whatever_the_mix(text: str) -> None:
    """Any mix of payload pieces renders to HTML with no script, no event
    handler attribute and no href other than http(s)/mailto or relative."""
    rendered = markdown_html(text)
    assert "<script" not in rendered and "<img" not in rendered and "<svg" not in rendered
    assert not re.search(r"<[^>]*\son\w+\s*=", rendered)
    for href in re.findall(r'<a\b[^<>]*\shref="([^"]*)"', rendered):
        assert re.match(r"(https?://|mailto:)", href) or not re.match(r"[\w+.-]*:|//", href), href


def test_build_renderer_gives_the_same_html_and_reuses_it() -> None:
    """A build's RichText renders exactly like a fresh one, and a repeated note
    is rendered once (the same string object comes back)."""
    renderer = richtext.RichText()
    texts = ["On plan", "See [x](https://x.example) and https://y.example.", "# H\n\n- a\n- b"]
    for text in texts * 2:
        assert renderer.html(text) == markdown_html(text)
    assert renderer.html(texts[1]) is renderer.html(texts[1])
    assert renderer.html("# H", heading_floor=2) == "<h2>H</h2>"
    assert renderer.html("# H", heading_floor=4) == "<h4>H</h4>"


def test_html_content_writes_text_as_the_sanitiser_does() -> None:
    """Check-in tables skip the sanitiser: ``html_content`` must give byte for
    byte what the rich-text sanitiser writes for the escaped text in a table
    cell and a summary (quotes, ``& < >``, no-break spaces, CR/LF, controls,
    entity look-alikes, tags), on random text."""
    import random

    from okrsite.render import sanitize
    from okrsite.render.escape import html_content, html_text

    rng = random.Random(16)
    alphabet = [*"ab <>&\"'\xa0\r\n\t\u2028\ufeff\x00\x0c;#x27é", "&amp;", "&#60;", "<script>", "😀"]
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))

        def table(cell: str) -> str:
            return f"<details><summary>{cell}</summary><table><tbody><tr><td>{cell}</td></tr></tbody></table></details>"

        assert table(html_content(text)) == sanitize.clean_rich(table(html_text(text))), text


def test_escape_fast_paths_match_the_regexes() -> None:
    """``clean`` and ``md_inline`` skip their regexes for printable text: the
    result must equal the regex path's on random text with every kind of
    space and control character."""
    import random
    import re

    from okrsite.render import escape

    control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
    spaces = re.compile(r"\s+")
    rng = random.Random(7)
    alphabet = list("ab  \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2000\u2028\u2029\u3000\x00\x7f*[]é")
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert escape.clean(text) == control.sub("", text)
        expected = spaces.sub(" ", control.sub("", text)).strip().translate(escape._MD_TABLE)
        assert escape.md_inline(text) == expected
