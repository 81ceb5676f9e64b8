"""Content files' sha256 trusted by their stat between builds
(okrsite/validate/kept.py ``FileDigests``), used by the validated-cycle store
and the closed-cycle store's input digests (okrsite/engine/pagecache.py)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from okrsite.engine.pagecache import _folder_digest, cycle_input_digests, open_cycle_store
from okrsite.site.options import SiteOptions
from okrsite.validate import kept as kept_module
from okrsite.validate import load_model
from okrsite.validate.kept import DIGESTS_FILE, FileDigests
from tests.contentkit import make_content
from tests.test_annual_cycles import FILES
from tests.test_kept_cycles import build_load

LATER = time.time_ns() + 10**12
"""A "settled before" time in the future: every file counts as settled."""


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_a_settled_file_is_trusted_by_its_stat_and_any_write_reads_it_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "unit.yaml"
    path.write_bytes(b"title: one\n")
    first = FileDigests(settled_before_ns=LATER)
    assert first.sha256(str(path)) == sha(b"title: one\n")
    record = first.used[str(path)]
    # A record whose stat matches is believed without reading the file: a
    # planted digest comes back (so the file was not read).
    planted = FileDigests({str(path): [*record[:5], "ab" * 32]}, settled_before_ns=LATER)
    assert planted.sha256(str(path)) == bytes.fromhex("ab" * 32)
    # The same size, the old mtime put back: the ctime still moved, so it is read.
    stat = path.stat()
    path.write_bytes(b"title: two\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = FileDigests({str(path): [*record[:5], "ab" * 32]}, settled_before_ns=LATER)
    assert again.sha256(str(path)) == sha(b"title: two\n")


def test_a_file_changed_lately_is_hashed_and_not_recorded(tmp_path: Path) -> None:
    """An edit within the clock's resolution of the previous one could keep
    every stat field: a file not settled when hashed is never trusted later."""
    path = tmp_path / "unit.yaml"
    path.write_bytes(b"a")
    digests = FileDigests()  # settled: more than SETTLE_NS ago; this file is newer
    assert digests.sha256(str(path)) == sha(b"a")
    assert digests.used == {}
    assert FileDigests(settled_before_ns=0).sha256(str(path)) == sha(b"a")


def test_damaged_records_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "unit.yaml"
    path.write_bytes(b"a")
    good = FileDigests(settled_before_ns=LATER)
    good.sha256(str(path))
    record = good.used[str(path)]
    for bad in (
        [*record[:5], "zz"],  # not a sha256
        [*record[:4], "1", record[5]],  # a stat field of the wrong type
        record[:5],  # too short
        "text",
    ):
        digests = FileDigests({str(path): bad}, settled_before_ns=LATER)
        assert digests.sha256(str(path)) == sha(b"a")
        assert digests.used[str(path)] == record
    store = tmp_path / DIGESTS_FILE
    store.write_bytes(b"{not json")
    assert FileDigests.read(store).sha256(str(path)) == sha(b"a")


def test_a_folder_or_missing_file_raises_as_reading_does(tmp_path: Path) -> None:
    digests = FileDigests(settled_before_ns=LATER)
    for path, error in ((tmp_path, IsADirectoryError), (tmp_path / "gone", FileNotFoundError)):
        try:
            digests.sha256(str(path))
        except OSError as err:
            assert isinstance(err, error)
        else:
            raise AssertionError(f"no error for {path}")
    assert digests.used == {}


def test_the_validated_store_records_settled_files_and_still_sees_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    # Files just written are not settled: nothing recorded, no file written for it.
    assert not (store / DIGESTS_FILE).exists()
    monkeypatch.setattr(kept_module, "SETTLE_NS", -(10**12))  # now every file is settled
    first, _ = build_load(content, store)
    records = json.loads((store / DIGESTS_FILE).read_bytes())
    assert set(records) == {str(p) for p in content.glob("*/*") if p.is_file()}
    again, kept = build_load(content, store)
    assert kept == {"2026", "2026-Q1", "2026-Q2"} and again == first
    # An edit of the same size, its mtime put back: its ctime moved, so it is
    # read, and its cycle (and the year containing it) validated again.
    unit = content / "2026-Q2" / "onboarding.yaml"
    stat = unit.stat()
    text = unit.read_text(encoding="utf-8")
    at = text.index("title: ") + len("title: ")
    unit.write_text(text[:at] + "Z" + text[at + 1 :], encoding="utf-8")
    os.utime(unit, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert unit.stat().st_size == stat.st_size
    edited, kept = build_load(content, store)
    assert kept == {"2026-Q1"}
    assert edited == load_model(content) != first


def _rglob_digest(root: Path, folder: Path) -> str:
    """What the closed-cycle store hashed before the walk: rglob, Path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0missing"
        digest.update(f"\n{path.relative_to(root).as_posix()}\n".encode())
        digest.update(sha(data))
    return digest.hexdigest()


def test_the_cycle_folder_walk_hashes_what_rglob_finds_in_its_order(tmp_path: Path) -> None:
    """Hidden files, nested folders whose names sort differently as strings
    and as paths (``a-b/x`` and ``a/b/y``), links to a file (counted), to a
    folder (not followed) and to nothing (left out)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "f").write_text("5")
    folder = tmp_path / "content" / "2026-Q1"
    for name, text in {
        "a-b/x": "1", "a/b/y": "2", ".hidden/z": "3", ".dot": "4", "A": "6", "a b": "7",
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / "linkdir").symlink_to(outside)
    (folder / "linkfile").symlink_to(outside / "f")
    (folder / "broken").symlink_to(tmp_path / "nowhere")
    for where in (folder, tmp_path / "content" / "missing"):
        digest = hashlib.sha256()
        _folder_digest(digest, f"content/{where.name}", where, FileDigests())
        assert digest.hexdigest() == _rglob_digest(tmp_path, where)


def test_cycle_input_digests_are_the_same_with_recorded_digests(tmp_path: Path) -> None:
    content = make_content(tmp_path, FILES)
    model = load_model(content)
    settled = FileDigests(settled_before_ns=LATER)
    plain = cycle_input_digests(content, model, extra="x")
    assert cycle_input_digests(content, model, extra="x", files=settled) == plain
    assert settled.used  # every content file recorded
    reread = FileDigests(settled.used, settled_before_ns=LATER)
    assert cycle_input_digests(content, model, extra="x", files=reread) == plain
    assert not reread.changed()
    # The closed-cycle store keeps them in its texts for the next build.
    store = open_cycle_store(tmp_path / "cycles", content, model, SiteOptions(graphs=False))
    store.prune()
    again = open_cycle_store(tmp_path / "cycles", content, model, SiteOptions(graphs=False))
    assert again.inputs == store.inputs
