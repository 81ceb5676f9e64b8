"""The MkDocs adapter: one options factory, choices passed in code, generate = plugin.

Real MkDocs configurations and real plugin hooks throughout (no mocks): the
demo project is copied into its own git repository with a ``repo_url``, so
edit links and last-changed dates are part of what must agree.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from contentkit import demo_project, make_content
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from okrsite.cli import main
from okrsite.engine.build import load_site_config, okrsite_settings
from okrsite.engine.htmlpost import unpark_html, unpark_inline
from okrsite.engine.options import Choices
from okrsite.engine.plugin import OkrsitePlugin
from okrsite.site.tree import FileContent

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-20"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project in its own git repository, with a ``repo_url``."""
    return demo_project(
        tmp_path_factory.mktemp("project"),
        config_head="repo_url: https://github.com/acme/okrs\n",
        committed_at="2026-10-02T10:00:00Z",
    )


@pytest.fixture
def fresh_plugins() -> Iterator[None]:
    """MkDocs keeps plugin objects with ``on_startup`` in a process-wide cache;
    start and end with an empty one so no other test's plugin state is seen."""
    MkDocsConfig.plugins.plugin_cache.clear()
    yield
    MkDocsConfig.plugins.plugin_cache.clear()


def _plugin_tree(config: MkDocsConfig) -> dict[str, FileContent]:
    """What the plugin's ``on_files`` hands MkDocs, with the parked HTML put back."""
    assert isinstance(config.plugins["okrsite"], OkrsitePlugin)
    files = config.plugins.on_files(Files([]), config=config)
    tree: dict[str, FileContent] = {}
    for file in files:
        if file.src_uri.endswith(".md"):
            text = unpark_inline(file.content_string, *file.inline)  # type: ignore[attr-defined]
            tree[file.src_uri] = unpark_html(text, file.parked)  # type: ignore[attr-defined]
        else:
            tree[file.src_uri] = file.content_bytes
    return tree


def _written_tree(out: Path) -> dict[str, FileContent]:
    tree: dict[str, FileContent] = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            name = path.relative_to(out).as_posix()
            if name.endswith(".md"):
                # Parking drops the attribute Python-Markdown would drop anyway.
                tree[name] = path.read_text(encoding="utf-8").replace(' markdown="0">', ">")
            else:
                tree[name] = path.read_bytes()
    return tree


def test_generate_and_the_plugin_build_the_same_tree(
    project: Path, tmp_path: Path, fresh_plugins: None
) -> None:
    """``okrsite generate`` writes exactly the files the plugin gives MkDocs,
    edit links and last-changed dates included."""
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        main, ["generate", "-f", str(project / "mkdocs.yml"), "--out", str(out), "--today", TODAY]
    )
    assert result.exit_code == 0, result.output
    written = _written_tree(out)
    config = load_site_config(
        project / "mkdocs.yml", Choices(today=dt.date.fromisoformat(TODAY))
    )
    from_plugin = _plugin_tree(config)
    assert sorted(written) == sorted(from_plugin)
    assert [p for p in written if written[p] != from_plugin[p]] == []
    unit_page = str(written["2026-Q4/product-onboarding.md"])
    assert "https://github.com/acme/okrs/edit/main/content/2026-Q4/" in unit_page
    assert "Last changed 2026-10-02" in unit_page
    assert any(p.endswith(".svg") for p in written) or "<svg" in unit_page


def test_cli_choices_reach_the_plugin_for_one_build_only(
    project: Path, fresh_plugins: None
) -> None:
    """Choices are laid over the plugin's config object of that load; the
    next load sees mkdocs.yml's own settings, and no environment is used."""
    before = dict(os.environ)
    chosen = load_site_config(
        project / "mkdocs.yml",
        Choices(today=dt.date(2027, 1, 5), audience="internal", graphs=False),
    )
    settings = okrsite_settings(chosen)
    assert settings is not None
    assert (settings.today, settings.audience, settings.graphs) == ("2027-01-05", "internal", False)
    again = okrsite_settings(load_site_config(project / "mkdocs.yml", Choices()))
    assert again is not None
    assert (again.today, again.audience, again.graphs) == ("2026-11-23", "public", True)
    assert dict(os.environ) == before


def test_internal_audience_from_the_cli_shows_private_objectives(
    project: Path, tmp_path: Path, fresh_plugins: None
) -> None:
    """``okrsite build --audience internal`` reaches the plugin: the private
    objective of the demo is in the built site, and absent without the flag."""
    runner = CliRunner()
    common = ["build", "-f", str(project / "mkdocs.yml"), "--no-graphs", "--today", TODAY]
    public = runner.invoke(main, [*common, "--site-dir", str(tmp_path / "pub")])
    internal = runner.invoke(
        main, [*common, "--site-dir", str(tmp_path / "int"), "--audience", "internal"]
    )
    assert public.exit_code == 0 and internal.exit_code == 0, public.output + internal.output

    def private_marks(site: Path) -> int:
        mark = 'okr-chip okr-private"'
        return sum(p.read_text(encoding="utf-8").count(mark) for p in site.rglob("*.html"))

    assert private_marks(tmp_path / "pub") == 0
    assert private_marks(tmp_path / "int") > 0
    assert not list((tmp_path / "pub").rglob("alignment.svg"))  # --no-graphs reached it too


def test_bad_today_in_mkdocs_yml_is_one_clean_error(tmp_path: Path, fresh_plugins: None) -> None:
    """The factory's error for a bad ``today`` comes out of ``okrsite build``
    as one message naming the setting, exit 1, no traceback."""
    config = demo_project(tmp_path) / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('today: "2026-11-23"', 'today: "23/11/2026"'), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", "-f", str(tmp_path / "mkdocs.yml"), "--no-graphs"]
    )
    assert result.exit_code == 1
    assert "'today' must be YYYY-MM-DD, not '23/11/2026'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


def test_serve_with_invalid_content_exits_with_located_errors(
    tmp_path: Path, fresh_plugins: None
) -> None:
    """``okrsite serve`` whose first build fails: every located error, exit 1,
    no traceback, and no server left behind (it never starts listening)."""
    root = demo_project(tmp_path)
    unit = root / "content" / "2026-Q4" / "product-onboarding.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("owner:", "ownr:", 1), "utf-8")
    result = CliRunner().invoke(
        main, ["serve", "-f", str(root / "mkdocs.yml"), "--no-graphs", "-a", "127.0.0.1:0"]
    )
    assert result.exit_code == 1, result.output
    assert "content/2026-Q4/product-onboarding.yaml:" in result.output
    assert "ownr" in result.output
    assert "Traceback" not in result.output


def test_generate_without_a_mkdocs_config_uses_the_plugin_defaults(tmp_path: Path) -> None:
    """No mkdocs.yml: ``okrsite generate`` still writes the tree, with the
    plugin's default settings (no edit links, graph cache under --cache-dir)."""
    content = make_content(tmp_path, {})
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        main,
        ["generate", "-f", str(tmp_path / "absent.yml"), "--content", str(content),
         "--out", str(out), "--cache-dir", str(tmp_path / "cache"), "--today", "2026-02-01"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = (out / "2026-Q1" / "product.md").read_text(encoding="utf-8")
    assert "Source: content/2026-Q1/product.yaml" in page and "Edit this file" not in page
    assert list((tmp_path / "cache" / "graphs").glob("*.svg"))


def test_the_plugin_keeps_parse_results_on_disk_and_reuses_them(
    tmp_path: Path, fresh_plugins: None
) -> None:
    """A build writes parse results to ``<cache_dir>/parsed``; the next build
    reads them (a damaged entry is ignored) and gives the same tree; with
    ``parse_cache: false`` nothing is kept and the tree is still the same."""
    root = demo_project(tmp_path / "p")
    choices = Choices(today=dt.date.fromisoformat(TODAY))
    parsed = root / ".okrsite-cache" / "parsed"
    first = _plugin_tree(load_site_config(root / "mkdocs.yml", choices))
    entries = sorted(parsed.iterdir())
    content_files = [p for p in (root / "content").rglob("*") if p.suffix in (".yaml", ".md")]
    assert 0 < len(entries) <= len(content_files)
    stamps = {entry: entry.stat().st_mtime_ns for entry in entries}
    entries[0].write_bytes(b"damaged")
    # Unchanged cycles would come whole from the validated-cycles store
    # (validate/kept.py) without reading their parse entries: without it, the
    # build reads every entry, the damaged one included.
    shutil.rmtree(root / ".okrsite-cache" / "validated", ignore_errors=True)
    MkDocsConfig.plugins.plugin_cache.clear()
    second = _plugin_tree(load_site_config(root / "mkdocs.yml", choices))
    assert second == first
    assert entries[0].read_bytes() != b"damaged"  # rewritten from a fresh parse
    assert all(entry.stat().st_mtime_ns == stamps[entry] for entry in entries[1:])
    shutil.rmtree(root / ".okrsite-cache")
    MkDocsConfig.plugins.plugin_cache.clear()
    config = load_site_config(root / "mkdocs.yml", choices)
    config.plugins["okrsite"].config.parse_cache = False
    assert _plugin_tree(config) == first
    assert not parsed.exists()
