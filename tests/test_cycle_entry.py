"""Closed-cycle entries read on demand (okrsite/engine/cycleentry.py) and
when the cycle store trusts them (okrsite/engine/pagecache.py, CycleStore)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from okrsite.engine.cycleentry import (
    CYCLE_SUFFIX,
    EntryContent,
    ReadContent,
    content_sha256,
    cycle_entry_bytes,
    open_cycle_entry,
)
from okrsite.engine.pagecache import CycleStore
from okrsite.site.cache import ClosedCycle

FILES = {
    "2025-Q1/a.md": "# Ünïcode — “quotes” & <b>\n\n" * 3,
    "2025-Q1/a/alignment.svg": b"\xff\x00<svg/>\n",
    "2025-Q1/index.md": "# 2025-Q1\n",
}
CYCLE = ClosedCycle(files=dict(FILES), exports={"okrs.json": "[]", "okrs.csv": "a\n"})


def stored(directory: Path) -> CycleStore:
    """A store that has kept 2025-Q1 and finished its build (texts written)."""
    store = CycleStore(directory, {"2025-Q1": "inputs"})
    store.put("2025-Q1", "ctx", CYCLE)
    store.prune()
    return CycleStore(directory, {"2025-Q1": "inputs"})


def as_stored(exports: Mapping[str, str | bytes]) -> dict[str, bytes]:
    """Export parts as an entry hands them back: the UTF-8 bytes it holds
    (joined into okrs.json and okrs.csv as they are, render/exports._joined)."""
    return {k: v if isinstance(v, bytes) else v.encode("utf-8") for k, v in exports.items()}


def entry_file(directory: Path) -> Path:
    (path,) = directory.glob("*" + CYCLE_SUFFIX)
    return path


def test_a_trusted_entry_is_opened_by_its_header_and_read_on_demand(tmp_path: Path) -> None:
    found = stored(tmp_path).get("2025-Q1", "ctx")
    assert found is not None and found.files == {} and found.exports == as_stored(CYCLE.exports)
    assert all(isinstance(held, EntryContent) for held in found.stored.values())
    assert {path: held.load() for path, held in found.stored.items()} == FILES
    assert {path: held.sha256 for path, held in found.stored.items()} == {
        path: content_sha256(content) for path, content in FILES.items()
    }


def test_an_entry_changed_since_it_was_written_is_read_in_full_and_checked(
    tmp_path: Path,
) -> None:
    store = stored(tmp_path)
    path = entry_file(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data)  # same bytes, new mtime: read in full, checked, used
    found = store.get("2025-Q1", "ctx")
    assert found is not None and all(isinstance(h, ReadContent) for h in found.stored.values())
    assert {p: h.load() for p, h in found.stored.items()} == FILES
    path.write_bytes(data.replace(b"quotes", b"QUOTES"))  # a body changed: a miss
    assert stored_again(tmp_path).get("2025-Q1", "ctx") is None


def stored_again(directory: Path) -> CycleStore:
    return CycleStore(directory, {"2025-Q1": "inputs"})


def test_bytes_changed_behind_the_stores_back_fail_when_read(tmp_path: Path) -> None:
    """Same size, mtime put back (what a stat cannot see, as with git's
    index): the entry is trusted, and reading the changed file says so."""
    store = stored(tmp_path)
    path = entry_file(tmp_path)
    seen = path.stat()
    path.write_bytes(path.read_bytes().replace(b"quotes", b"QUOTES"))
    os.utime(path, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    found = store.get("2025-Q1", "ctx")
    assert found is not None
    assert found.stored["2025-Q1/a/alignment.svg"].load() == FILES["2025-Q1/a/alignment.svg"]
    with pytest.raises(OSError, match="changed"):
        found.stored["2025-Q1/a.md"].load()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],
        lambda data: data + b"x",
        lambda data: data.replace(b"okrsite-cycle", b"okrsite-cyclf", 1),
        lambda data: data.replace(b'"files"', b'"filez"', 1),
        lambda data: data.split(b"\n", 1)[0],
        lambda data: b"",
    ],
)
def test_a_malformed_entry_opens_as_nothing(tmp_path: Path, damage: object) -> None:
    path = tmp_path / f"x{CYCLE_SUFFIX}"
    path.write_bytes(damage(cycle_entry_bytes("2025-Q1", CYCLE)))  # type: ignore[operator]
    assert open_cycle_entry(path) is None


def test_export_parts_are_bytes_after_the_header_and_checked_when_read_in_full(
    tmp_path: Path,
) -> None:
    """The export parts (a cycle's rows of okrs.json and okrs.csv) sit after
    the header as bytes, not as escaped JSON strings in it: both ways of
    opening an entry give them back; read in full, a changed part is a miss."""
    from okrsite.engine.cycleentry import read_stored_entry

    exports = {"okrs.json": '[{"title":"Ünïcode \\"q\\" <b>"}]\n' * 50, "okrs.csv": "a,b\n1,2\n"}
    cycle = ClosedCycle(files=dict(FILES), exports=exports)
    data = cycle_entry_bytes("2025-Q1", cycle)
    header = data.split(b"\n", 2)[1]
    assert b"title" not in header and len(header) < 1000
    path = tmp_path / f"x{CYCLE_SUFFIX}"
    path.write_bytes(data)
    opened = open_cycle_entry(path)
    assert opened is not None and opened[1].exports == as_stored(exports)
    assert list(opened[1].exports) == list(exports)  # the order the site gave them
    assert {p: h.load() for p, h in opened[1].stored.items()} == FILES
    full = read_stored_entry(data)
    assert full is not None and full[1].exports == as_stored(exports)
    assert read_stored_entry(data.replace(b"1,2", b"1,3")) is None
    assert read_stored_entry(data.replace("Ünïcode".encode(), b"Unicode!!")) is None
