"""Deterministic builds: the same content and ``--today`` give the same bytes.

The demo project (content, docs, mkdocs.yml plus a ``site_url`` so the
sitemap carries ``<lastmod>`` dates) is copied into a fresh git repository
with fixed commit dates and built twice with ``okrsite build --today``
into different directories; every file must be byte-identical.

Dates that MkDocs would take from the wall clock (sitemap ``<lastmod>``,
the gzip header of ``sitemap.xml.gz``) come from ``SOURCE_DATE_EPOCH``,
which ``okrsite build`` sets to midnight UTC of ``--today`` (else the
plugin's ``today``, else the last git commit) unless it is already set.

Run: ``python -m pytest tests/test_deterministic.py -q`` (about 6 s).
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import os
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner
from contentkit import demo_project

from okrsite.cli import main
from okrsite.engine.build import load_site_config, source_date_epoch
from okrsite.engine.options import Choices

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-20"  # not the demo's configured today, and not the real date
EPOCH = int(dt.datetime(2026, 11, 20, tzinfo=dt.UTC).timestamp())


def build(config: Path, site: Path, *extra: str) -> Path:
    result = CliRunner().invoke(
        main, ["build", "-f", str(config), "--site-dir", str(site), *extra]
    )
    logger = logging.getLogger("mkdocs")
    for handler in list(logger.handlers):
        if getattr(handler, "_okrsite", False):
            logger.removeHandler(handler)
    assert result.exit_code == 0, result.output
    return site


def tree_bytes(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project in its own git repository (fixed commit date)."""
    return demo_project(
        tmp_path_factory.mktemp("project"),
        config_head="site_url: https://okrs.example.com/\n",
        committed_at="2026-11-02T10:00:00Z",
    )


@pytest.fixture(scope="module")
def two_builds(project: Path) -> tuple[Path, Path]:
    """The same project built twice into different directories."""
    monkey = pytest.MonkeyPatch()
    monkey.delenv("SOURCE_DATE_EPOCH", raising=False)
    try:
        first = build(project / "mkdocs.yml", project / "out-1" / "site", "--today", TODAY)
        second = build(project / "mkdocs.yml", project / "out-2" / "public", "--today", TODAY)
    finally:
        monkey.undo()
    return first, second


def test_two_builds_are_byte_identical(two_builds: tuple[Path, Path]) -> None:
    """Every file of the two builds has the same path and the same bytes."""
    first, second = (tree_bytes(site) for site in two_builds)
    assert len(first) > 50
    assert sorted(first) == sorted(second)
    different = [path for path in first if first[path] != second[path]]
    assert different == []


def test_sitemap_dates_come_from_today(two_builds: tuple[Path, Path]) -> None:
    """The sitemap's <lastmod> is --today (not the wall clock) and the gzip
    header of sitemap.xml.gz carries midnight UTC of --today."""
    site = two_builds[0]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<lastmod>{TODAY}</lastmod>" in sitemap
    assert "<lastmod>" in sitemap and sitemap.count("<lastmod>") == sitemap.count(TODAY)
    packed = (site / "sitemap.xml.gz").read_bytes()
    assert struct.unpack("<I", packed[4:8])[0] == EPOCH
    assert gzip.decompress(packed).decode("utf-8") == sitemap


def test_build_restores_source_date_epoch(two_builds: tuple[Path, Path]) -> None:
    """okrsite build sets SOURCE_DATE_EPOCH only for the build itself."""
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_no_staging_directories_left(two_builds: tuple[Path, Path]) -> None:
    """After a successful build only the site itself is next to it."""
    for site in two_builds:
        assert [p.name for p in site.parent.iterdir()] == [site.name]


def _epoch(project: Path, plugin_today: str | None, cli_today: str | None) -> str | None:
    """The epoch for a real load of the project's mkdocs.yml, with the
    plugin's ``today`` set to ``plugin_today`` and ``--today`` to ``cli_today``."""
    config_file = project / "epoch-mkdocs.yml"
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.strip().startswith("today:")]
    if plugin_today is not None:
        at = next(i for i, line in enumerate(lines) if line.strip() == "- okrsite:")
        lines.insert(at + 1, f'      today: "{plugin_today}"')
    config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    today = None if cli_today is None else dt.date.fromisoformat(cli_today)
    try:
        return source_date_epoch(load_site_config(config_file, Choices(today=today)))
    finally:
        config_file.unlink()


def test_source_date_epoch_sources(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The epoch comes from --today, else the plugin's today, else the last
    git commit; an epoch the caller set is left alone."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert _epoch(project, "2026-01-01", TODAY) == str(EPOCH)
    jan = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp())
    assert _epoch(project, "2026-01-01", None) == str(jan)
    commit = int(dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC).timestamp())
    assert _epoch(project, None, None) == str(commit)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "123")
    assert _epoch(project, None, TODAY) is None
