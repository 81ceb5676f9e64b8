"""SiteOutput (okrsite/engine/siteoutput.py): generated files are placed into
the site as hard links to identical bytes in the cache, never written through
a link, never trusted blindly, and copied where links cannot be made."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from okrsite.engine import siteoutput
from okrsite.engine.siteoutput import SiteOutput, write_new_file


def test_equal_bytes_are_one_file_linked_where_they_are_needed(tmp_path: Path) -> None:
    output = SiteOutput(tmp_path / "cache" / "files")
    site = tmp_path / "site"
    output.write(b"<svg>a</svg>", str(site / "a" / "alignment.svg"))
    output.write(b"<svg>a</svg>", str(site / "b" / "alignment.svg"))
    first, second = (site / "a" / "alignment.svg").stat(), (site / "b" / "alignment.svg").stat()
    assert first.st_ino == second.st_ino and first.st_nlink == 3  # the blob and two links
    assert output.linked == 2 and len(list(output.directory.iterdir())) == 1
    plain = tmp_path / "plain"
    plain.write_bytes(b"x")  # what open() gives under this umask, as MkDocs writes
    assert first.st_mode & 0o777 == plain.stat().st_mode & 0o777


def test_a_linked_destination_is_replaced_not_written_through(tmp_path: Path) -> None:
    output = SiteOutput(tmp_path / "files")
    target = str(tmp_path / "site" / "x.svg")
    output.write(b"old", target)
    output.write(b"new", target)  # e.g. a rebuild into the same directory
    assert Path(target).read_bytes() == b"new"
    blobs = sorted(p.read_bytes() for p in output.directory.iterdir())
    assert blobs == [b"new", b"old"]  # the old blob was not changed through the link


def test_files_left_by_an_earlier_build_are_replaced_in_every_kind_of_folder(
    tmp_path: Path,
) -> None:
    """A folder this output did not make may hold an old file at the path (a
    dirty build); one it made, a file it placed itself; both are replaced."""
    site = tmp_path / "site"
    (site / "old").mkdir(parents=True)
    (site / "old" / "index.html").write_bytes(b"from the last build")
    output = SiteOutput(tmp_path / "files")
    output.write(b"new page", str(site / "old" / "index.html"))
    output.write(b"first", str(site / "new" / "deep" / "index.html"))
    output.write(b"second", str(site / "new" / "deep" / "index.html"))
    assert (site / "old" / "index.html").read_bytes() == b"new page"
    assert (site / "new" / "deep" / "index.html").read_bytes() == b"second"
    assert output.linked == 3


def test_a_blob_changed_behind_our_back_is_written_again(tmp_path: Path) -> None:
    output = SiteOutput(tmp_path / "files")
    first = tmp_path / "site1" / "x.svg"
    output.write(b"right bytes", str(first))
    with open(first, "r+b") as handle:  # a later step rewrites the site file in place
        handle.write(b"WRONG")
    again = SiteOutput(tmp_path / "files")
    second = tmp_path / "site2" / "x.svg"
    again.write(b"right bytes", str(second))
    assert second.read_bytes() == b"right bytes"


def test_without_hard_links_files_are_copied_and_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache on another filesystem (EXDEV) or one without hard links: the
    first failed link switches the build to plain writes."""

    def no_links(source: object, destination: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(siteoutput.os, "link", no_links)
    output = SiteOutput(tmp_path / "files")
    stored = tmp_path / "stored.html"
    stored.write_bytes(b"<html>stored</html>")
    output.place(stored, str(tmp_path / "site" / "page" / "index.html"))
    output.write(b"<svg/>", str(tmp_path / "site" / "page" / "a.svg"))
    assert not output.linking and output.linked == 0
    assert (tmp_path / "site" / "page" / "index.html").read_bytes() == b"<html>stored</html>"
    assert (tmp_path / "site" / "page" / "a.svg").read_bytes() == b"<svg/>"
    assert (tmp_path / "site" / "page" / "index.html").stat().st_ino != stored.stat().st_ino


def test_prune_keeps_only_what_this_build_placed(tmp_path: Path) -> None:
    before = SiteOutput(tmp_path / "files")
    before.write(b"old graph", str(tmp_path / "s1" / "a.svg"))
    before.write(b"kept graph", str(tmp_path / "s1" / "b.svg"))
    (tmp_path / "files" / ".stray.123.tmp").write_bytes(b"half")
    now = SiteOutput(tmp_path / "files")
    now.write(b"kept graph", str(tmp_path / "s2" / "b.svg"))
    now.prune()
    assert [p.read_bytes() for p in (tmp_path / "files").iterdir()] == [b"kept graph"]
    assert os.path.exists(tmp_path / "s1" / "a.svg")  # the old site keeps its own link


def test_write_new_file_makes_missing_folders_and_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "pages" / "k.html"
    write_new_file(target, b"first")  # no folder yet
    assert target.read_bytes() == b"first"
    before = target.stat().st_ino
    write_new_file(target, b"second")  # the folder is there: replaced by a rename
    assert target.read_bytes() == b"second"
    assert target.stat().st_ino != before
    assert [p.name for p in target.parent.iterdir()] == ["k.html"]  # no temporary left
    mode = target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
