"""Material's header rendered once per place (okrsite/engine/partialmemo.py):
the site is the same byte for byte as with Material rendering it for every
page, and an output that reads more of the page than its title is not reused."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from contentkit import build_site

from okrsite.engine import partialmemo
from okrsite.engine.partialmemo import HeaderMemo

REPO = Path(__file__).resolve().parents[1]
REALWORLD = REPO / "tests" / "fixtures" / "realworld" / "content"


def _site(root: Path, *, options: str = "", extra_config: str = "") -> Path:
    shutil.copytree(REALWORLD, root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "content_dir: content", "content_dir: content\n      page_cache: false" + options
    )
    (root / "mkdocs.yml").write_text(config + extra_config, encoding="utf-8")
    (root / "docs" / "site" / "assets").mkdir(parents=True)
    (root / "docs" / "site" / "assets" / "logo.svg").write_text("<svg/>")
    (root / "docs" / "site" / "about.md").write_text(
        "---\ntitle: About <us>\n---\n# About\n\nHand-written page.\n"
    )
    return root / "mkdocs.yml"


EXTRAS = {
    "demo": "",
    # A logo image and links in the header: URLs the filter makes relative to each page.
    "logo and links": (
        "\nextra:\n  homepage: about/\n  alternate:\n"
        "    - {name: English, link: /en/, lang: en}\n"
        "    - {name: Deutsch, link: de/, lang: de}\n"
    ),
}


@pytest.mark.parametrize("name", sorted(EXTRAS))
def test_the_site_is_the_same_as_with_material_rendering_each_header(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memos: list[HeaderMemo] = []
    original = partialmemo.header_templates

    def capturing(env: Any, config: Any) -> dict[str, str]:
        templates = original(env, config)
        memos.append(env.globals["okrsite_header_memo"])
        return templates

    monkeypatch.setattr("okrsite.engine.plugin.header_templates", capturing)
    memo_site = _site(tmp_path / "memo", extra_config=EXTRAS[name])
    if name == "logo and links":
        text = memo_site.read_text(encoding="utf-8").replace(
            "theme:\n", "theme:\n  logo: assets/logo.svg\n", 1
        )
        memo_site.write_text(text, encoding="utf-8")
    with_memo = build_site(memo_site, tmp_path / "memo" / "out")
    plain_site = _site(tmp_path / "plain")
    plain_site.write_text(memo_site.read_text(encoding="utf-8").replace(
        "page_cache: false", "page_cache: false\n      fast_nav: false"
    ), encoding="utf-8")
    plain = build_site(plain_site, tmp_path / "plain" / "out")
    assert sorted(with_memo) == sorted(plain)
    assert [path for path in with_memo if with_memo[path] != plain[path]] == []
    assert len(memos) == 1
    pages = sum(1 for path in with_memo if path.endswith(".html"))
    assert memos[0].hits >= pages - 10, (memos[0].hits, pages)  # one render per place
    assert len(memos[0].entries) <= 6
    about = with_memo["about/index.html"].decode()
    assert "About <us>" in about  # the header prints meta.title as Material does


def _page(url: str, **meta: Any) -> Any:
    return SimpleNamespace(url=url, meta=dict(meta), title=f"T {url}")


class _Context(dict[str, Any]):
    def get_all(self) -> dict[str, Any]:
        return dict(self)


def test_an_output_that_reads_more_of_the_page_is_not_reused() -> None:
    def reads_url(variables: dict[str, Any], url_filter: Any) -> str:
        page = variables["page"]
        return f"<h>{page.meta['title']} at {page.url}</h>"

    memo = HeaderMemo()
    first = memo.render(_Context(page=_page("a/"), base_url=".."), reads_url)
    second = memo.render(_Context(page=_page("b/"), base_url=".."), reads_url)
    assert (first, second) == ("<h>T a/ at a/</h>", "<h>T b/ at b/</h>")
    assert memo.entries == [] and memo.hits == 0

    def reads_meta(variables: dict[str, Any], url_filter: Any) -> str:
        page = variables["page"]
        return f"{page.meta['title']} {'hide' in page.meta}"

    memo = HeaderMemo()
    assert memo.render(_Context(page=_page("a/", hide=["nav"]), base_url=".."), reads_meta) == (
        "T a/ True"
    )
    assert memo.render(_Context(page=_page("b/"), base_url=".."), reads_meta) == "T b/ False"
    assert memo.hits == 0


def test_a_title_only_output_is_reused_where_urls_and_base_agree() -> None:
    calls: list[str] = []

    def header(variables: dict[str, Any], url_filter: Any) -> str:
        calls.append(variables["page"].meta["title"])
        home = url_filter(None, "")
        return f"<a href={home}>{variables['page'].meta['title']}</a>"

    memo = HeaderMemo()
    pages = [("x/a/", ".."), ("x/b/", ".."), ("y/", ".."), ("x/a/b/", "../..")]
    shown = [
        memo.render(_Context(page=_page(url, title=f"P{n}" if n % 2 else ""), base_url=base),
                    header)
        for n, (url, base) in enumerate(pages)
    ]
    assert shown == [
        "<a href=../..>T x/a/</a>", "<a href=../..>P1</a>", "<a href=..>T y/</a>",
        "<a href=../../..>P3</a>",
    ]
    assert len(calls) == 3 and memo.hits == 1  # y/ has another URL, x/a/b/ another base
