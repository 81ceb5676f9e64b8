"""Material's page-independent blocks rendered once per place
(okrsite/engine/blockmemo.py): the site is the same byte for byte as with
Material rendering every block for every page, and a block that reads the
page is not reused."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from contentkit import build_site

from okrsite.engine import blockmemo
from okrsite.engine.blockmemo import BlockMemo

REPO = Path(__file__).resolve().parents[1]
REALWORLD = REPO / "tests" / "fixtures" / "realworld" / "content"


def _site(root: Path, config: str) -> Path:
    shutil.copytree(REALWORLD, root / "content")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs" / "site" / "js").mkdir(parents=True)
    (root / "docs" / "site" / "js" / "extra.js").write_text("void 0;\n")
    (root / "docs" / "site" / "notes").mkdir()
    (root / "docs" / "site" / "notes" / "about.md").write_text(
        "---\ndescription: About <us>\n---\n# About\n\nHand-written page, one level down.\n"
    )
    return root / "mkdocs.yml"


def _demo_config() -> str:
    return (
        (REPO / "mkdocs.yml")
        .read_text(encoding="utf-8")
        .replace("content_dir: content", "content_dir: content\n      page_cache: false")
    )


def _without_footer_links(config: str) -> str:
    return config.replace("    - navigation.footer", "    - content.code.copy")


VARIANTS = {
    # The demo: previous/next links in the footer (read the page: never reused).
    "demo": _demo_config(),
    # No footer links (the footer is reused), and every block given something
    # to print: a copyright with markup, social links, analytics, an
    # admonition icon's style, a module script and a deferred one.
    "scripts, analytics, copyright": _without_footer_links(_demo_config())
    + "\ncopyright: Copyright &copy; <b>Northwind</b>\n"
    "extra:\n"
    "  analytics:\n    provider: google\n    property: G-XXXXXXX\n"
    "  social:\n    - icon: fontawesome/brands/github\n      link: https://example.com/n\n"
    "extra_javascript:\n"
    "  - path: js/extra.js\n    type: module\n"
    "  - path: https://example.com/x.js\n    defer: true\n",
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_site_is_the_same_as_with_material_rendering_each_block(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memos: list[BlockMemo] = []
    original = blockmemo.block_templates

    def capturing(env: Any, config: Any) -> dict[str, str]:
        templates = original(env, config)
        memos.append(env.globals["okrsite_block_memo"])
        return templates

    monkeypatch.setattr("okrsite.engine.plugin.block_templates", capturing)
    config = VARIANTS[name]
    if name != "demo":
        config = config.replace(
            "theme:\n", "theme:\n  icon:\n    admonition:\n      note: material/pencil\n", 1
        )
    with_memo = build_site(_site(tmp_path / "memo", config), tmp_path / "memo" / "out")
    plain_config = config.replace("page_cache: false", "page_cache: false\n      fast_nav: false")
    plain = build_site(_site(tmp_path / "plain", plain_config), tmp_path / "plain" / "out")
    assert sorted(with_memo) == sorted(plain)
    assert [path for path in with_memo if with_memo[path] != plain[path]] == []
    assert len(memos) == 1
    memo = memos[0]
    pages = sum(1 for path in with_memo if path.endswith(".html")) - 1  # 404.html has no page
    reused = len(blockmemo.BLOCKS) - (1 if name == "demo" else 0)  # the demo's footer is not
    assert memo.hits >= reused * (pages - 10), (memo.hits, pages)  # one render per place
    assert "footer" in memo.entries
    assert (memo.entries["footer"] == []) == (name == "demo")
    assert all(len(entries) <= 6 for entries in memo.entries.values())
    if name != "demo":
        about = with_memo["notes/about/index.html"].decode()
        assert 'src="../../js/extra.js" type="module"' in about
        assert "<b>Northwind</b>" in about and "G-XXXXXXX" in about
        assert "--md-admonition-icon--note" in about


def test_it_is_not_installed_over_a_sites_own_main_html(tmp_path: Path) -> None:
    custom = tmp_path / "overrides"
    custom.mkdir()
    (custom / "main.html").write_text(
        '{% extends "base.html" %}{% block scripts %}{{ super() }}<!-- mine -->{% endblock %}'
    )
    config = _demo_config().replace(
        "  name: material\n", f"  name: material\n  custom_dir: {custom}\n"
    )
    site = build_site(_site(tmp_path / "site", config), tmp_path / "site" / "out")
    assert b"<!-- mine -->" in site["index.html"]


def _page(url: str) -> Any:
    return SimpleNamespace(url=url, meta={}, title=f"T {url}", previous_page=None)


class _Context(dict[str, Any]):
    def get_all(self) -> dict[str, Any]:
        return dict(self)


@jinja2.pass_context
def _url(context: Any, value: str) -> str:
    return f"{context['base_url']}/{value}@{context['page'].url}"


def test_a_block_that_reads_the_page_is_not_reused() -> None:
    def reads_page(name: str, variables: dict[str, Any], filters: dict[str, Any]) -> str:
        return f"{name} {variables['page'].title}"

    memo = BlockMemo({"url": _url})
    shown = [
        memo.render("footer", _Context(page=_page(u), base_url=".."), reads_page)
        for u in ("a/", "b/")
    ]
    assert shown == ["footer T a/", "footer T b/"]
    assert memo.entries["footer"] == [] and memo.hits == 0


def test_a_block_is_reused_where_base_and_recorded_urls_agree() -> None:
    renders: list[str] = []

    def scripts(name: str, variables: dict[str, Any], filters: dict[str, Any]) -> str:
        renders.append(name)
        return f"<script src={filters['url'](None, 'x.js')}>"

    memo = BlockMemo({"url": lambda context, value: f"{context['base_url']}/{value}"})
    places = [("x/a/", ".."), ("x/b/", ".."), ("x/a/b/", "../.."), ("y/", "..")]
    shown = [
        memo.render("scripts", _Context(page=_page(url), base_url=base), scripts)
        for url, base in places
    ]
    assert shown == [
        "<script src=../x.js>",
        "<script src=../x.js>",
        "<script src=../../x.js>",
        "<script src=../x.js>",
    ]
    assert len(renders) == 2 and memo.hits == 2  # x/a/b/ has another base

    # A recorded call that gives another output for the page: rendered again.
    memo = BlockMemo({"url": _url})
    first = memo.render("scripts", _Context(page=_page("a/"), base_url=".."), scripts)
    second = memo.render("scripts", _Context(page=_page("b/"), base_url=".."), scripts)
    assert (first, second) == ("<script src=../x.js@a/>", "<script src=../x.js@b/>")
    assert memo.hits == 0 and len(memo.entries["scripts"]) == 2


def test_an_override_edited_between_two_builds_of_one_process_shows(tmp_path: Path) -> None:
    """The plugin turns off Jinja's per-include check for edited templates
    (``auto_reload``): a build's environment is new, so the next build in
    the same process (a preview's rebuild) still reads the edited file."""
    custom = tmp_path / "overrides"
    custom.mkdir()
    main = custom / "main.html"
    config = _demo_config().replace(
        "  name: material\n", f"  name: material\n  custom_dir: {custom}\n"
    )
    project = _site(tmp_path / "site", config)
    for mark in ("first", "second"):
        main.write_text(
            '{% extends "base.html" %}{% block scripts %}{{ super() }}'
            f"<!-- {mark} -->{{% endblock %}}"
        )
        site = build_site(project, tmp_path / "site" / "out")
        assert f"<!-- {mark} -->".encode() in site["index.html"]
