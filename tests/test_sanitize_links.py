"""The sanitiser's unfiltered pass: ``clean`` gives exactly what the allowlist
with its per-attribute link filter gives (``sanitize._CLEANER``), for any
fragment, hostile links included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.render import sanitize
from okrsite.render.sanitize import clean

HOSTILE_VALUES = [
    "//evil.example/x",
    "\\\\evil",
    "a\\b",
    "a b",
    "javascript:alert(1)",
    "java&#x73;cript:alert(1)",
    "data:text/html,x",
    "https://example.com/",
    "_blank",
    "_top",
    "../u/team/#o1",
    "#k2",
    "page/",
    "x?href=y",
    "&amp;x",
    "&quot; onclick=&quot;x",
    "",
]
LINK_NAMES = ["href", "xlink:href", "target", "HREF", "data-href"]
TEXTS = ["plain", 'href="//x"', " target=_blank", "a href=b", "xlink:href=", "<", "&"]


def _filtered(fragment: str) -> str:
    return sanitize._CLEANER.clean(fragment)


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize("name", LINK_NAMES)
def test_each_link_attribute_is_filtered_as_before(name: str, value: str) -> None:
    html_link = f'<a {name}="{value}">x</a>'
    svg_link = f'<svg><a {name}="{value}" target="_top"><text>x</text></a></svg>'
    for fragment in (html_link, svg_link):
        assert clean(fragment) == _filtered(fragment)


def test_rejected_links_go_and_text_that_looks_like_one_stays() -> None:
    assert clean('<a href="//evil">x</a>') == "<a>x</a>"
    assert clean('<svg><a xlink:href="//evil"><text>x</text></a></svg>') == (
        "<svg><a><text>x</text></a></svg>"
    )
    assert clean('<a href="ok/" target="_blank">x</a>') == '<a href="ok/">x</a>'
    # Text that looks like a rejected link is left as text, as before.
    text = '<p>see href="//evil" target="_blank"</p>'
    assert clean(text) == _filtered(text) == text


def test_passing_links_take_the_unfiltered_pass() -> None:
    graph = '<svg><g><a xlink:href="../u/a/" target="_top"><text>A</text></a></g></svg>'
    fast = sanitize._UNFILTERED.clean(graph)
    assert sanitize._links_pass(fast)
    assert clean(graph) == fast == _filtered(graph)
    assert not sanitize._links_pass(sanitize._UNFILTERED.clean('<a href="//e">x</a>'))


_ATTRIBUTE = st.tuples(st.sampled_from(LINK_NAMES), st.sampled_from(HOSTILE_VALUES)).map(
    lambda pair: f' {pair[0]}="{pair[1]}"'
)
_ELEMENT = st.builds(
    lambda tag, attributes, text: f"<{tag}{''.join(attributes)}>{text}</{tag}>",
    st.sampled_from(["a", "span", "text", "g"]),
    st.lists(_ATTRIBUTE, max_size=3),
    st.sampled_from(TEXTS) | st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ELEMENT, min_size=1, max_size=5), st.booleans())
def test_any_fragment_cleans_as_with_the_filter(elements: list[str], in_svg: bool) -> None:
    body = "".join(elements)
    fragment = f"<svg>{body}</svg>" if in_svg else f"<div>{body}</div>"
    assert clean(fragment) == _filtered(fragment)


@pytest.mark.parametrize(
    "written",
    ["<a href='//evil'>x</a>", "<a href=//evil>x</a>", '<a\thref="//evil">x</a>', '<a\nhref="ok/">x</a>'],
)
def test_a_link_written_another_way_is_not_taken_as_checked(written: str) -> None:
    """nh3 writes `` name="value"``; were a link ever written otherwise, the
    count of ``href=`` sends the fragment through the filter."""
    assert not sanitize._links_pass(written)
