"""Closed cycles' folders of ``site/`` move into the next build whole
(okrsite/engine/sitefolders.py), and only when they hold exactly what the
build would put there.

The real-world fixture (two closed quarters, 2023-Q2 and 2026-Q3, and the
current 2026-Q4) is built once with the page cache; each test copies that
project. A moved folder keeps its inode (``os.rename``), a folder made again
gets a new one: that is how the tests tell the two apart. Every site is
compared with a build without any cache.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import ClassVar

import pytest
import test_page_cache
from click.testing import CliRunner
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from test_page_cache import build, files_of, make_site

import okrsite.engine.plugin
from okrsite.cli import main
from okrsite.engine.sitefolders import KeptFolders, folder_digest, listing_digest

CLOSED = ("2023-Q2", "2026-Q3")

# The page cache tests' fixtures: one site built without and one with the
# page cache, per module.
fresh = test_page_cache.fresh
cold = test_page_cache.cold


@pytest.fixture
def project(cold: Path, tmp_path: Path) -> Path:
    # symlinks=True: the copy keeps the site's files as they are (hard links
    # are not kept by a copy, which only makes their inodes differ: harmless).
    shutil.copytree(cold, tmp_path / "p", symlinks=True)
    return tmp_path / "p"


def inodes(site: Path) -> dict[str, int]:
    return {name: (site / name).stat().st_ino for name in CLOSED}


def test_the_build_records_the_closed_cycles_folders(cold: Path, tmp_path: Path) -> None:
    records = json.loads((cold / ".okrsite-cache/folders/records.json").read_text("utf-8"))
    assert sorted(records) == list(CLOSED)
    # The listing as a digest of every folder and file (with its stat) in the site.
    assert records["2023-Q2"]["listing"] == listing_digest(cold / "site" / "2023-Q2")
    copy = tmp_path / "2023-Q2"
    shutil.copytree(cold / "site" / "2023-Q2", copy)
    before = listing_digest(copy)
    (copy / "platform-data" / "stray.txt").write_text("x")
    assert listing_digest(copy) != before
    (copy / "platform-data" / "stray.txt").unlink()
    assert listing_digest(copy) == before
    (copy / "platform-data" / "index.html").write_bytes(b"rewritten")  # in place: its stat moves
    assert listing_digest(copy) != before
    assert "2026-Q4" not in records  # the current cycle is not closed


def test_a_rebuild_moves_closed_folders_in_whole_and_equals_a_fresh_build(
    project: Path, fresh: dict[str, bytes]
) -> None:
    site = project / "site"
    # Recorded on the copy (its files have new inodes), then moved on the next.
    build(project / "mkdocs.yml", site)
    before = inodes(site)
    build(project / "mkdocs.yml", site)
    assert inodes(site) == before
    assert files_of(site) == fresh
    assert [p.name for p in (project / ".okrsite-cache/folders").iterdir()] == ["records.json"]


def test_the_first_rebuild_after_a_cold_build_moves_them(tmp_path: Path) -> None:
    """A cold build generates the closed quarters (and stores them); the next
    serves them from the store: both name the files the same way."""
    config = make_site(tmp_path)
    build(config, tmp_path / "site")
    before = inodes(tmp_path / "site")
    build(config, tmp_path / "site")
    assert inodes(tmp_path / "site") == before


def test_a_folder_changed_on_disk_is_made_again(
    project: Path, fresh: dict[str, bytes]
) -> None:
    """A stray file, a replaced file, a removed file: each of those folders is
    made again (new inode) and the site is the fresh one; the untouched
    closed folder still moves."""
    site = project / "site"
    build(project / "mkdocs.yml", site)
    before = inodes(site)
    (site / "2023-Q2" / "stray.html").write_text("not ours", encoding="utf-8")
    page = site / "2026-Q3" / "platform-data" / "index.html"
    text = page.read_bytes()
    page.unlink()
    page.write_bytes(text.replace(b"</body>", b"<script>x</script></body>"))
    build(project / "mkdocs.yml", site)
    after = inodes(site)
    assert after["2023-Q2"] != before["2023-Q2"] and after["2026-Q3"] != before["2026-Q3"]
    assert files_of(site) == fresh
    shutil.rmtree(site / "2026-Q3" / "sales-na")
    before = inodes(site)
    build(project / "mkdocs.yml", site)
    after = inodes(site)
    assert after["2023-Q2"] == before["2023-Q2"] and after["2026-Q3"] != before["2026-Q3"]
    assert files_of(site) == fresh


def test_an_edit_to_an_archived_file_makes_its_folder_again(project: Path) -> None:
    site = project / "site"
    build(project / "mkdocs.yml", site)
    before = inodes(site)
    unit = project / "content" / "2023-Q2" / "platform-data.yaml"
    unit.write_text(
        unit.read_text("utf-8").replace(
            "Delight customers with faster data platform", "A renamed archived objective"
        ),
        "utf-8",
    )
    build(project / "mkdocs.yml", site)
    after = inodes(site)
    assert after["2023-Q2"] != before["2023-Q2"] and after["2026-Q3"] == before["2026-Q3"]
    page = (site / "2023-Q2" / "platform-data" / "index.html").read_text("utf-8")
    assert "A renamed archived objective" in page


def test_a_failed_build_leaves_the_previous_site_whole(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folders are moved out of the live site before the build: a build that
    fails in the content (before they are taken) and one interrupted at its
    very end (after they were taken) both put them back; the site is
    byte-identical."""
    site = project / "site"
    build(project / "mkdocs.yml", site)
    before = files_of(site)
    org = project / "content" / "org.yaml"
    good = org.read_text("utf-8")
    org.write_text("units: [\n", encoding="utf-8")
    args = ["build", "-f", str(project / "mkdocs.yml"), "--site-dir", str(site),
            "--strict", "--today", "2026-11-23"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "org.yaml" in result.output
    assert files_of(site) == before
    org.write_text(good, encoding="utf-8")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    # The last step of the build, long after the folders were taken.
    monkeypatch.setattr(okrsite.engine.plugin, "finish_page_cache", interrupted)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert files_of(site) == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".site")) == []


def test_plain_mkdocs_build_moves_them_too(project: Path, fresh: dict[str, bytes]) -> None:
    """``mkdocs build`` empties site/ itself: the plugin stashes the recorded
    folders before that (on_pre_build) and moves them back in."""
    config_file = project / "mkdocs.yml"
    config_file.write_text(
        config_file.read_text("utf-8").replace(
            "content_dir: content", "content_dir: content\n      today: '2026-11-23'"
        ),
        "utf-8",
    )

    def mkdocs() -> None:
        mkdocs_build(load_config(str(config_file), site_dir=str(project / "site"), strict=True))

    mkdocs()
    before = inodes(project / "site")
    mkdocs()
    assert inodes(project / "site") == before
    built = files_of(project / "site")
    # Plain MkDocs dates the sitemap with the wall clock (okrsite build sets
    # SOURCE_DATE_EPOCH): compare everything else.
    sitemaps = {"sitemap.xml", "sitemap.xml.gz"}
    assert {k: v for k, v in built.items() if k not in sitemaps} == {
        k: v for k, v in fresh.items() if k not in sitemaps
    }


def test_take_needs_the_same_digest_and_the_same_files(tmp_path: Path) -> None:
    site, stash = tmp_path / "site", tmp_path / "cache" / "folders"
    (site / "Q" / "a").mkdir(parents=True)
    (site / "Q" / "a" / "index.html").write_text("page", encoding="utf-8")
    digest = folder_digest([("Q/a/index.html", "page k1")])
    KeptFolders(stash).finish(site, {"Q": digest})
    assert KeptFolders(stash).stash_from(site) == ["Q"] and not (site / "Q").exists()
    assert not KeptFolders(stash).take("Q", folder_digest([("Q/a/index.html", "page k2")]), site)
    (stash / "Q" / "a" / "extra.svg").write_text("<svg/>", encoding="utf-8")
    assert not KeptFolders(stash).take("Q", digest, site)
    (stash / "Q" / "a" / "extra.svg").unlink()
    kept = KeptFolders(stash)
    assert kept.take("Q", digest, site) and kept.taken == {"Q"}
    assert (site / "Q" / "a" / "index.html").read_text(encoding="utf-8") == "page"


def test_the_survey_lists_the_stash_as_take_would(tmp_path: Path) -> None:
    """The stashed folders are listed on a second thread (KeptFolders.survey);
    take uses that listing, and a stash changed by a later stash_from is listed
    again: a survey of the copy it replaced would let a changed folder in."""
    site, stash = tmp_path / "site", tmp_path / "cache" / "folders"
    (site / "Q" / "a").mkdir(parents=True)
    (site / "Q" / "a" / "index.html").write_text("page", encoding="utf-8")
    digest = folder_digest([("Q/a/index.html", "page k1")])
    KeptFolders(stash).finish(site, {"Q": digest})
    recorded = listing_digest(site / "Q")
    kept = KeptFolders(stash)
    assert kept.stash_from(site) == ["Q"]
    kept.survey()
    assert kept._listing("Q") == recorded == listing_digest(stash / "Q")
    # Surveyed, then the site has a Q again (changed) and is stashed over the old copy.
    kept.survey()
    (site / "Q" / "a").mkdir(parents=True)
    (site / "Q" / "a" / "index.html").write_text("changed", encoding="utf-8")
    assert kept.stash_from(site) == ["Q"]
    assert not kept.take("Q", digest, site)  # listed again: not what was recorded
    # A survey of a stash as the last build left it: the folder moves in.
    (site / "Q" / "a").mkdir(parents=True)
    (site / "Q" / "a" / "index.html").write_text("page", encoding="utf-8")
    KeptFolders(stash).finish(site, {"Q": digest})
    again = KeptFolders(stash)
    assert again.stash_from(site) == ["Q"]
    again.survey()
    assert again.take("Q", digest, site) and again.taken == {"Q"}
    assert (site / "Q" / "a" / "index.html").read_text(encoding="utf-8") == "page"


def test_candidates_are_closed_folders_of_generated_files_only() -> None:
    files = [
        ("Q1/a/index.html", "page k1", True),
        ("Q1/a/alignment.svg", "file s1", True),
        ("Q2/a/index.html", "page k2", False),  # to render: not ready
        ("Q3/about/index.html", None, True),  # hand-written: never a candidate
        ("Q4/a/index.html", "page k4", True),  # not closed
        ("index.html", "page k0", True),
    ]
    found = {f: ready for f, _, ready in KeptFolders.candidates(files, ["Q1", "Q2", "Q3"])}
    assert found == {"Q1": True, "Q2": False}


class _Generated:
    """A generated non-page file as the plugin hands it to MkDocs (its
    bytes hashed when asked, and counted)."""

    cache_key = None
    generated_by = "okrsite"
    hashed: ClassVar[list[str]] = []

    def __init__(self, dest_uri: str) -> None:
        self.dest_uri = self.src_uri = dest_uri

    @property
    def content_bytes(self) -> bytes:
        self.hashed.append(self.dest_uri)
        return self.dest_uri.encode()


def test_only_files_in_closed_folders_are_identified() -> None:
    """The identities candidates compares are made for the closed cycles'
    folders only: the exports (okrs.json, ~14 MB at 100 units x 8
    quarters) and the current cycle's files are not hashed for nothing."""
    from okrsite.engine.pagecacherun import _identities

    _Generated.hashed = []
    files = [_Generated(p) for p in ("okrs.json", "Q1/a/alignment.svg", "Q4/a/b.svg", "Q1x/c")]
    found = list(_identities(files, {}, ["Q1", "Q2"]))  # type: ignore[arg-type]
    assert [path for path, _, _ in found] == ["Q1/a/alignment.svg"]
    assert _Generated.hashed == ["Q1/a/alignment.svg"]
    assert [f for f, _, _ in KeptFolders.candidates(iter(found), ["Q1", "Q2"])] == ["Q1"]
