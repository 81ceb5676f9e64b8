"""`okrsite diff` Markdown: inert on GitHub, readable in a terminal.

The comment is checked with cmarkgfm, GitHub's own fork of cmark with its
extensions (autolinks, tables, strikethrough), in *unsafe* mode so that any
raw HTML would come through: rendered, it may only hold the tags we write,
no link or image, and no word GitHub would turn into a mention or reference
outside a code span. Its text must also read as the author wrote it, both
rendered and raw (no ``&#40;`` character references)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st
from test_diff import edit, new_repo, raw_summary

from okrsite.render.escape import gfm_html_text, gfm_inline

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "code", "details", "summary", "h3"}
LIVE = re.compile(r"@\w|[#!]\d|://|www\.|\bgh-\d", re.IGNORECASE)


class _Rendered(HTMLParser):
    """Tags, attributes and text of rendered HTML, text outside <code> apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.live_text: list[str] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        self._code += tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self._code -= tag == "code"

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if not self._code:
            self.live_text.append(data)


def render(markdown: str) -> _Rendered:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    parsed = _Rendered()
    parsed.feed(html)
    return parsed


def assert_inert(markdown: str) -> _Rendered:
    parsed = render(markdown)
    assert set(parsed.tags) <= ALLOWED_TAGS, parsed.tags
    assert parsed.attrs in ([], [("open", None)]), parsed.attrs
    live = [t for t in parsed.live_text if LIVE.search(t)]
    assert live == [], live
    return parsed


HOSTILE = [
    "</summary></details><script>alert(1)</script>",
    "[click](javascript:alert(1)) ![x](https://evil.example/p.png)",
    "<https://evil.example> <b onmouseover=alert(1)>hi</b> <!-- x --> <?php ?>",
    "www.evil.example and https://evil.example/a_b?c=d&e=f",
    "cc @everyone @acme/owners mail ceo@acme.example",
    "fixes #12, acme/okrs#3, GH-4 and !5",
    "[ref]: https://evil.example",
    "- a list? 1. or this # or a heading > or a quote",
    "--- ___ *** === ```",
    "`code` ``double`` ~~strike~~ $x^2$ *em* _em_ **b** |a|b|",
    "&amp; &#60; &lt;script&gt; \\[not a link\\]",
]
REALISTIC = [
    "Grow ARR (US) to $7M",
    "R&D headcount: 12 → 15",
    "Keep churn <5% (was ~8%)",
    "Deferred to Q2 — BLOCKED: waiting on legal",
    "Ship v2.1 (see EPIC-42)",
    "NPS ≥ 40 for Café Crème",
    "1.5x pipeline coverage",
]


def test_hostile_text_renders_inert_and_as_written() -> None:
    """Each hostile string, as a list item, renders to its own text and nothing else."""
    for text in HOSTILE + REALISTIC:
        parsed = assert_inert(f"- {gfm_inline(text)}\n")
        assert "".join(parsed.text).strip() == text, text


def test_realistic_text_needs_no_escapes() -> None:
    """Ordinary titles and notes reach the comment unchanged: nothing to unescape."""
    for text in REALISTIC:
        assert gfm_inline(text) == text


def test_summary_text_is_inert_html() -> None:
    """Inside <summary> (raw HTML) hostile names stay text; live words are <code>."""
    for text in HOSTILE + REALISTIC:
        parsed = assert_inert(f"<details><summary>{gfm_html_text(text)}</summary>\n\nx\n\n</details>\n")
        assert "".join(parsed.text).strip().removesuffix("x").strip() == text, text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 .-_*`[]()<>!#@&;:/|~$=+\\\"'\n")), max_size=40))
def test_any_text_round_trips_inert(text: str) -> None:
    """Property: whatever the text, the item renders inert and reads as the text."""
    parsed = assert_inert(f"- {gfm_inline(text)}\n")
    assert "".join(parsed.text).strip() == " ".join(text.split())


def test_diff_comment_reads_cleanly_in_a_terminal(tmp_path: Path) -> None:
    """A realistic change: no character references anywhere in the raw Markdown;
    the titles read as written; hostile text stays inert when rendered."""
    repo = new_repo(tmp_path)
    title = "Make it easy to start (R&D <5% churn)"
    edit(repo, "2026-Q1/product.yaml", "Make it easy to start", json.dumps(title))
    kr = "Cut TTV ~50%: see https://wiki.example/ttv"
    edit(repo, "2026-Q1/product.yaml", "Cut time to first value", json.dumps(kr))
    hostile = "[x](javascript:alert(1)) @everyone"
    edit(repo, "org.yaml", "name: Sales", f"name: {json.dumps(hostile)}")
    text = raw_summary(repo)
    assert not re.search(r"&#?\w+;", text.replace("&amp;", "")), text  # only <summary>'s &amp;
    assert "Make it easy to start (R&D <5% churn)" in text
    assert "Cut TTV ~50%: see `https://wiki.example/ttv`" in text
    assert "**Onboarding** (onboarding) — maintainers: @olu" in text  # the deliberate mention
    parsed = render(text)
    assert "a" not in parsed.tags and "img" not in parsed.tags
    mentions = [t for t in parsed.live_text if re.search(r"@\w", t)]
    assert [m.strip() for m in mentions] == ["(onboarding) — maintainers: @olu"], mentions


YEAR_COMPANY = """\
status: locked
objectives:
  - id: win
    title: Win the mid-market
    owner: CEO
    key_results:
      - {id: arr, title: Grow ARR, start: 4, target: 8, current: 5, unit: M}
"""


def test_cross_cycle_link_is_named_by_its_title_and_pings_its_owner(tmp_path: Path) -> None:
    """A quarter objective that starts aligning up to the year's: the line names the
    year's objective by title, and the company (its owner) is told, by id, not text."""
    company = """\
    name: Acme
    cycles:
      - {id: "2026", start: 2026-01-01, end: 2026-12-31}
      - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
    """
    repo = new_repo(tmp_path, {"company.yaml": company, "2026/company.yaml": YEAR_COMPANY})
    edit(repo, "2026-Q1/product.yaml", "aligns_to: [company/grow]", 'aligns_to: [company/grow, "2026:company/win"]')
    text = raw_summary(repo)
    assert "now aligns to 2026:company/win (Win the mid-market)" in text
    assert "2026-Q1: product now aligns to 2026:company/win (Win the mid-market)" in text
    assert_inert(text)
