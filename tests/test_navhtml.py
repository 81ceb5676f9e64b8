"""Material's navigation, tabs and TOC rendered in Python (okrsite/engine/navhtml.py).

The renderer must be invisible: a site built with it is byte-identical to the
same site built with Material's own partials (``fast_nav: false``), on the
real-world fixture (three quarters, nested sections) and on a synthetic
company large enough for the deep navigation (a "Units" section per cycle,
quality pages per unit), with the demo's Material features. It must also
really run, and step aside for what it does not reproduce.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from contentkit import build_site, load_synth

from okrsite.engine import navhtml
from tests.test_fastpage import REALWORLD, _site

OFF = "page_cache: false\n      graphs: false"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the Python renderer produced a navigation and a TOC."""
    counts = {"nav": 0, "toc": 0, "tabs": 0}
    nav_html, toc_html = navhtml.NavRenderer.nav_html, navhtml.NavRenderer.toc_html
    tabs_html = navhtml.NavRenderer.tabs_html

    def count_nav(self: navhtml.NavRenderer, homepage: str) -> str:
        counts["nav"] += 1
        return nav_html(self, homepage)

    def count_toc(self: navhtml.NavRenderer) -> str:
        counts["toc"] += 1
        return toc_html(self)

    def count_tabs(self: navhtml.NavRenderer, label: str) -> str:
        counts["tabs"] += 1
        return tabs_html(self, label)

    monkeypatch.setattr(navhtml.NavRenderer, "tabs_html", count_tabs)
    monkeypatch.setattr(navhtml.NavRenderer, "nav_html", count_nav)
    monkeypatch.setattr(navhtml.NavRenderer, "toc_html", count_toc)
    return counts


def _both(
    tmp_path: Path, content: Path, options: str = OFF
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    fast = build_site(
        _site(tmp_path / "a", content, extra_plugin_options=options), tmp_path / "a" / "site"
    )
    material = build_site(
        _site(tmp_path / "b", content, extra_plugin_options=options + "\n      fast_nav: false"),
        tmp_path / "b" / "site",
    )
    return fast, material


def _assert_identical(fast: dict[str, bytes], material: dict[str, bytes]) -> None:
    assert sorted(fast) == sorted(material)
    assert [path for path in fast if fast[path] != material[path]] == []


def test_realworld_site_is_byte_identical_with_material_partials(
    tmp_path: Path, calls: dict[str, int]
) -> None:
    fast, material = _both(tmp_path, REALWORLD)
    _assert_identical(fast, material)
    pages = sum(1 for path in fast if path.endswith(".html"))
    # The first build used the Python renderer on every page (the second had it off).
    assert calls["nav"] >= pages - 1
    assert calls["toc"] >= calls["nav"] and calls["tabs"] == calls["nav"]
    page = fast["2026-Q4/index.html"].decode()
    assert "md-nav__item--active" in page and 'data-md-component="toc"' in page


def test_large_company_navigation_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pruned departments and links to other pages come from the build's
    NavMemo for most pages, and the site is still Material's byte for byte
    (two cycles: pages in different directories link to the same items)."""
    memos: list[navhtml.NavMemo] = []
    make_memo = navhtml.NavMemo.__init__

    def recording(self: navhtml.NavMemo) -> None:
        make_memo(self)
        memos.append(self)

    monkeypatch.setattr(navhtml.NavMemo, "__init__", recording)
    org = tmp_path / "org"
    load_synth().write(org, units=140, seed=5, cycles=2)
    fast, material = _both(tmp_path, org / "content", OFF + "\n      nav_section_size: 20")
    _assert_identical(fast, material)
    pages = sum(1 for path in fast if path.endswith(".html"))
    assert pages > 300
    assert len(memos) == 1  # the first build's (the second has fast_nav off)
    assert memos[0].hits > 10 * pages


def test_memo_key_is_shared_only_where_relative_urls_are_the_same() -> None:
    from types import SimpleNamespace

    def link(url: object) -> SimpleNamespace:
        return SimpleNamespace(url=url, children=None)

    memo = navhtml.NavMemo()
    b, c = link("2026-Q4/b/"), link("2026-Q4/c/")
    section = SimpleNamespace(children=[b, link("2026-Q4/sub/d/#kr")])
    assert memo.key(b, (), "2026-Q4/a/") == (id(b), (), "2026-Q4/")
    assert memo.key(b, (), "2026-Q4/x/") == memo.key(b, (), "2026-Q4/a/")
    assert memo.key(b, (), "2026-Q3/a/") != memo.key(b, (), "2026-Q4/a/")
    assert memo.key(c, (), "2026-Q4/a/") != memo.key(b, (), "2026-Q4/a/")
    assert memo.key(b, ("__nav_1", 1, False), "x/") != memo.key(b, (), "x/")
    assert memo.key(link(""), (), "a/") is not None  # the home page, from any page
    # A target below the page (or the page itself): the link is this page's own.
    assert memo.key(b, (), "2026-Q4/b/") is None
    assert memo.key(b, (), "2026-Q4/") is None
    assert memo.key(section, (), "2026-Q4/sub/") is None
    assert memo.key(section, (), "2026-Q4/su/") is not None
    # URLs MkDocs treats apart, pages that are files, the home page.
    assert memo.key(link("https://example.com/"), (), "2026-Q4/a/") is not None
    for odd in ("/abs/", "#top", "../up/", None):
        assert memo.key(link(odd), (), "2026-Q4/a/") is None
    assert memo.key(b, (), "2026-Q4/a.html") is None
    assert memo.key(b, (), "") is None


def test_translations_come_from_materials_language_files_once_per_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lang.t is served from a per-build memo (same site byte for byte: the
    byte-identical tests above build with fast_nav on and off); a site's own
    language file (custom_dir) is still what the memo reads."""
    from okrsite.engine import translations

    memos: list[translations.TranslationMemo] = []
    make_memo = translations.TranslationMemo.__init__

    def recording(self: translations.TranslationMemo, env: object, config: object) -> None:
        make_memo(self, env, config)
        memos.append(self)

    monkeypatch.setattr(translations.TranslationMemo, "__init__", recording)
    config = _site(tmp_path, REALWORLD, extra_plugin_options=OFF)
    languages = tmp_path / "overrides" / "partials" / "languages"
    languages.mkdir(parents=True)
    from material import templates

    original = (Path(templates.__file__).parent / "partials" / "languages" / "en.html").read_text()
    assert '"toc": "Table of contents"' in original
    (languages / "en.html").write_text(
        original.replace('"toc": "Table of contents"', '"toc": "Auf dieser Seite"'),
        encoding="utf-8",
    )
    text = config.read_text(encoding="utf-8").replace(
        "  name: material\n", "  name: material\n  custom_dir: overrides\n"
    )
    config.write_text(text, encoding="utf-8")
    site = build_site(config, tmp_path / "site")
    page = site["2026-Q4/index.html"].decode()
    assert 'aria-label="Auf dieser Seite"' in page and "Table of contents" not in page
    assert len(memos) == 1
    assert 10 <= len(memos[0].texts) <= 60  # a few dozen keys, each looked up once


def test_a_custom_language_template_is_left_to_jinja(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from okrsite.engine import translations

    created: list[object] = []
    monkeypatch.setattr(translations.TranslationMemo, "__init__", lambda *a: created.append(a))
    config = _site(tmp_path, REALWORLD, extra_plugin_options=OFF)
    partials = tmp_path / "overrides" / "partials"
    partials.mkdir(parents=True)
    (partials / "language.html").write_text(
        '{% import "partials/languages/en.html" as en %}'
        "{% macro t(key) %}{{ en.t(key) | upper }}{% endmacro %}",
        encoding="utf-8",
    )
    text = config.read_text(encoding="utf-8").replace(
        "  name: material\n", "  name: material\n  custom_dir: overrides\n"
    )
    config.write_text(text, encoding="utf-8")
    site = build_site(config, tmp_path / "site")
    assert created == []
    assert 'aria-label="TABLE OF CONTENTS"' in site["2026-Q4/index.html"].decode()
