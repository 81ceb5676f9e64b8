"""PageLinks resolves every link as MkDocs' own resolver does: the same URL,
the same anchors registered for the anchor check, the same warnings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import _RelativePathTreeprocessor

from okrsite.engine.pagelinks import PageLinks, file_at

SOURCES = (
    "index.md",
    "2026-Q4/index.md",
    "2026-Q4/platform.md",
    "2026-Q4/platform-api.md",
    "2026-Q4/with space.md",
    "units/platform.md",
    "units/README.md",
    "guide/index.md",
    "guide/page.md",
    "drafts/secret.md",
    "img/logo.png",
)

LINKS = (
    "platform-api/",
    "platform-api.md",
    "../units/platform/",
    "../units/platform.md",
    "../units/platform/#o1-kr2",
    "../units/platform.md#o1-kr2",
    "../units/",
    "../units/README.md",
    "../guide/",
    "../guide/page/#a",
    "./platform-api/",
    "../2026-Q4/platform/",
    "platform/",
    ".",
    "./",
    "../",
    "../index.md",
    "../../../units/platform/",
    "../img/logo.png",
    "../drafts/secret/",
    "../drafts/secret.md",
    "missing/",
    "missing.md",
    "../units/platform/#",
    "#top",
    "#o1-kr2",
    "#o1%20kr",
    "#",
    "",
    "?q=1",
    "platform-api/?q=1",
    "with%20space/",
    "with space/",
    "/2026-Q4/platform/",
    "https://example.com/a/",
    "//example.com/a/",
    "mailto:a@example.com",
    "a@example.com",
    "javascript:alert(1)",
    "platform-api/#o1~kr",
    "PLATFORM-API/",
    "2026-Q4/platform.md#o2",
    "units/platform.md",
    "platform-api//",
)


def _files(config: MkDocsConfig) -> Files:
    return Files(
        [
            File(
                src,
                src_dir=config.docs_dir,
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
                inclusion=(
                    InclusionLevel.EXCLUDED
                    if src.startswith("drafts/")
                    else InclusionLevel.INCLUDED
                ),
            )
            for src in SOURCES
        ]
    )


@pytest.fixture(params=[True, False], ids=["directory-urls", "file-urls"])
def config(request: pytest.FixtureRequest, tmp_path: Path) -> MkDocsConfig:
    (tmp_path / "docs").mkdir()
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    config.load_dict(
        {"site_name": "t", "docs_dir": str(tmp_path / "docs"), "use_directory_urls": request.param}
    )
    errors, _ = config.validate()
    assert not errors
    return config


@pytest.mark.parametrize("page", ["2026-Q4/platform.md", "2026-Q4/index.md", "index.md"])
def test_every_link_resolves_as_mkdocs_resolves_it(
    config: MkDocsConfig, page: str, caplog: pytest.LogCaptureFixture
) -> None:
    files = _files(config)
    file = files.get_file_from_path(page)
    assert file is not None
    ours = PageLinks(file, files, config)
    theirs = _RelativePathTreeprocessor(file, files, config)
    short_way = 0
    for link in LINKS:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="mkdocs"):
            expected = theirs.path_to_url(link)
        their_log = [(r.levelno, r.getMessage()) for r in caplog.records]
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="mkdocs"):
            got = ours.path_to_url(link)
        our_log = [(r.levelno, r.getMessage()) for r in caplog.records]
        assert (got, our_log) == (expected, their_log), link
        short_way += expected != link and not their_log
    assert ours.links_to_anchors == theirs.links_to_anchors
    assert short_way >= 2  # links to .md files really resolved


def test_a_plain_link_does_not_take_mkdocs_way(config: MkDocsConfig) -> None:
    """The point of the class: plain links to existing pages are answered
    without MkDocs' resolver (which would otherwise be called here)."""
    files = _files(config)
    file = files.get_file_from_path("2026-Q4/platform.md")
    assert file is not None
    calls: list[str] = []

    class Counting(PageLinks):
        def __init__(self) -> None:
            super().__init__(file, files, config)

    original = _RelativePathTreeprocessor.path_to_url

    def counted(self: _RelativePathTreeprocessor, url: str) -> str:
        calls.append(url)
        return original(self, url)

    links = Counting()
    try:
        _RelativePathTreeprocessor.path_to_url = counted  # type: ignore[method-assign]
        links.path_to_url("../units/platform.md#o1-kr2")
        links.path_to_url("platform-api.md")
        links.path_to_url("#o1-kr2")
        links.path_to_url("missing/")
    finally:
        _RelativePathTreeprocessor.path_to_url = original  # type: ignore[method-assign]
    assert calls == ["missing/"]


def test_a_file_is_found_by_its_path_as_mkdocs_finds_it(config: MkDocsConfig) -> None:
    """``file_at`` answers as ``Files.get_file_from_path`` for normal paths (the
    short way) and for every path that is not (MkDocs' way)."""
    files = _files(config)
    paths = [
        *SOURCES, *(f"./{s}" for s in SOURCES), "units//platform.md", "units/./platform.md",
        "units/platform.md/", "guide/../units/platform.md", "//index.md", "/index.md", "",
        ".", "..", "../index.md", "units\\platform.md", "missing.md", "2026-Q4/with space.md",
    ]
    for path in paths:
        assert file_at(files, path) is files.get_file_from_path(path), path
    assert file_at(files, "units/./platform.md") is files.get_file_from_path("units/platform.md")

