"""What a page served from the page cache costs inside MkDocs: its render and
its template are known without running the converter or Jinja
(okrsite/engine/fastpage.py ``FinishedPage.served``,
okrsite/engine/pagecacherun.py ``BlankTemplate``). Each shortcut holds only
when the page really is blank; otherwise the page goes the usual way."""

from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from okrsite.engine.fastpage import FastPathSetup, FinishedPage, fast_path_setup
from okrsite.engine.mdsubset import convert
from okrsite.engine.pagecacherun import BlankTemplate, PluginTemplates

REPO = Path(__file__).resolve().parents[1]


def _config() -> tuple[MkDocsConfig, FastPathSetup]:
    config = load_config(str(REPO / "mkdocs.yml"))
    config.plugins.on_config(config)  # the okrsite plugin adds the extensions it needs
    setup = fast_path_setup(config)
    assert setup is not None
    return config, setup


def _page(config: MkDocsConfig, setup: FastPathSetup, markdown: str, *, served: bool) -> FinishedPage:
    file = File.generated(config, "2025-Q1/units/a.md", content=markdown)
    page = FinishedPage("A", file, config, setup)
    page.served = served
    page.markdown = markdown
    page.render(config, Files([file]))
    return page


def test_a_served_blank_page_renders_as_converting_nothing_does() -> None:
    config, setup = _config()
    served = _page(config, setup, "", served=True)
    converted = convert("", setup.toc, lambda href: href, setup.block_tags)
    assert converted is not None
    assert served.content == converted.html == ""
    assert list(served.toc) == [] and converted.toc_tokens == []
    assert served._title_from_render is converted.title is None
    assert served.present_anchor_ids == converted.anchor_ids == set()
    assert served.rendered_fast
    plain = _page(config, setup, "", served=False)  # the long way: the same page
    assert (plain.content, list(plain.toc), plain.present_anchor_ids) == ("", [], set())


def test_a_served_page_whose_markdown_is_not_blank_is_converted() -> None:
    """A later plugin may add Markdown to a served page (ours hands MkDocs ""):
    its anchors, title and links are then what MkDocs would find."""
    config, setup = _config()
    page = _page(config, setup, "# Added by a hook {#added}\n\nText.\n", served=True)
    assert page.present_anchor_ids == {"added"}
    assert page._title_from_render == "Added by a hook"
    assert '<h1 id="added">' in (page.content or "")


def test_the_blank_template_renders_nothing_without_a_jinja_context() -> None:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            PluginTemplates({"blank.html": "", "named-blank.html": "x{{ 1 + 1 }}"},
                            frozenset({"blank.html", "named-blank.html"})),
            jinja2.DictLoader({"main.html": "main"}),
        ])
    )
    blank = env.get_template("blank.html")
    assert isinstance(blank, BlankTemplate)
    assert blank.render({"page": object()}) == ""
    # Named blank, but with a body: rendered by Jinja as any template.
    other = env.get_template("named-blank.html")
    assert not isinstance(other, BlankTemplate)
    assert other.render() == "x2"
    assert env.get_template("main.html").render() == "main"
