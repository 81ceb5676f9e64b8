"""The preview server lists the installed theme's files once, and the project's overrides every time.

MkDocs asks the theme's Jinja loader for every template name on each build
(to copy the theme's assets); ``okrsite serve`` keeps the listing of the
installed theme between rebuilds (``engine.preview.ThemeListings``). The
names must be exactly what Jinja's own loader lists, and a file added to the
project's ``custom_dir`` during the preview must still be found.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.theme import Theme

from okrsite.engine.preview import ThemeListings


def _theme(custom_dir: Path) -> Theme:
    return Theme(name="material", custom_dir=str(custom_dir))


def test_listing_kept_for_the_installed_theme_only(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides"
    (overrides / "partials").mkdir(parents=True)
    (overrides / "partials" / "footer.html").write_text("<footer></footer>", encoding="utf-8")
    listings = ThemeListings()

    first = _theme(overrides)
    listings.use_for(first)
    names = first.get_env().list_templates()
    assert names == jinja2.FileSystemLoader(first.dirs).list_templates()
    assert "partials/footer.html" in names
    assert len(names) > 1000  # Material's icons and assets

    # The next rebuild's configuration: a new Theme object, the same server.
    (overrides / "assets").mkdir()
    (overrides / "assets" / "extra.css").write_text("body {}", encoding="utf-8")
    second = _theme(overrides)
    listings.use_for(second)
    env = second.get_env()
    again = env.list_templates()
    assert "assets/extra.css" in again  # the project's overrides are listed afresh
    assert again == jinja2.FileSystemLoader(second.dirs).list_templates()
    # Templates load as with Jinja's loader (the override first).
    assert env.get_template("partials/footer.html").render() == "<footer></footer>"
    source, filename, _ = env.loader.get_source(env, "base.html")  # type: ignore[union-attr]
    assert "<!doctype html>" in source.lower() and "material" in str(filename)


def test_listing_is_not_walked_again(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A second rebuild does not walk the installed theme's directories."""
    listings = ThemeListings()
    theme = _theme(tmp_path)
    listings.use_for(theme)
    theme.get_env().list_templates()
    walked: list[str] = []
    real = jinja2.FileSystemLoader.list_templates

    def counting(self: jinja2.FileSystemLoader) -> list[str]:
        walked.extend(str(p) for p in self.searchpath)
        return real(self)

    monkeypatch.setattr(jinja2.FileSystemLoader, "list_templates", counting)
    again = _theme(tmp_path)
    listings.use_for(again)
    again.get_env().list_templates()
    assert walked == [str(tmp_path)]  # only the project's own directory
