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

from okrsite.engine import navhtml
from tests.test_fastpage import REALWORLD, _build, _load_synth, _site

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
    fast = _build(
        _site(tmp_path / "a", content, extra_plugin_options=options), tmp_path / "a" / "site"
    )
    material = _build(
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


def test_large_company_navigation_is_byte_identical(tmp_path: Path) -> None:
    org = tmp_path / "org"
    _load_synth().write(org, units=140, seed=5, cycles=2)
    fast, material = _both(tmp_path, org / "content", OFF + "\n      nav_section_size: 20")
    _assert_identical(fast, material)
    assert sum(1 for path in fast if path.endswith(".html")) > 300


def test_a_custom_nav_template_is_left_to_jinja(tmp_path: Path, calls: dict[str, int]) -> None:
    config = _site(tmp_path, REALWORLD, extra_plugin_options=OFF)
    overrides = tmp_path / "overrides" / "partials"
    overrides.mkdir(parents=True)
    (overrides / "nav.html").write_text('<nav class="my-own-nav">mine</nav>\n', encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace(
        "  name: material\n", "  name: material\n  custom_dir: overrides\n"
    )
    config.write_text(text, encoding="utf-8")
    site = _build(config, tmp_path / "site")
    assert calls["nav"] == 0
    assert b'<nav class="my-own-nav">mine</nav>' in site["index.html"]


def test_features_it_does_not_reproduce_use_material(tmp_path: Path, calls: dict[str, int]) -> None:
    config = _site(tmp_path, REALWORLD, extra_plugin_options=OFF)
    text = config.read_text(encoding="utf-8").replace(
        "    - navigation.tabs\n", "    - navigation.tabs\n    - navigation.indexes\n"
    )
    config.write_text(text, encoding="utf-8")
    _build(config, tmp_path / "site")
    assert calls == {"nav": 0, "toc": 0, "tabs": 0}
