"""The on-disk parse cache (okrsite.source.store.ParseStore).

A cached load must equal a fresh one (data, every value and key location,
bodies, issues); an edited file is parsed again; an entry that is corrupt,
foreign, tampered with or from another reader is ignored, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
from pathlib import Path

from click.testing import CliRunner
from contentkit import make_content, write_files

from okrsite.cli import main
from okrsite.errors import ContentError
from okrsite.source import LoadCache, ParseStore, RawContent, load_content
from okrsite.source.store import FORMAT, PACK_FORMAT
from okrsite.validate import load_model

UNIT = """\
status: locked
objectives:
  - id: grow
    title: Grow the business, [fast]
    owner: "Tom Pérez"
    aligns_to: [company/grow]
    key_results:
      - id: churn
        title: Reduce churn
        start: 3.2
        target: 2.0
        unit: "%"
        checkins:
          - {date: 2026-01-08, value: 3.16, confidence: 0.8, note: 'Survey ''soon'''}
"""
STRICT_ONLY = (
    "status: draft   # a comment after a value: the strict reader's file\nobjectives: []\n"
)
MIXED = {
    "company.yaml": "name: Northwind\n",
    "org.yaml": "units: []\n",
    "2026-Q1/fast.yaml": UNIT,
    "2026-Q1/notes.md": "---\nstatus: review\nobjectives: []\n---\n# Notes\n",
    "2026-Q1/strict.yaml": STRICT_ONLY,
    "2026-Q1/dup.yaml": "a: 1\na: 2\n",
    "2026-Q1/syntax.yaml": "a: [1, 2\nb: 3\n",
    "2026-Q1/when.yaml": "at: 2026-01-19 10:30:00+02:00\n",
    "2026-Q2/copy.yaml": UNIT,
}


def same_content(one: RawContent, other: RawContent) -> None:
    """Data, locations (in order), bodies and issues are equal."""
    assert [str(i) for i in other.issues] == [str(i) for i in one.issues]
    for name in ("company", "org"):
        mine, theirs = getattr(one, name), getattr(other, name)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert repr(theirs.data) == repr(mine.data)
    assert list(other.cycle_files) == list(one.cycle_files)
    for cycle, files in one.cycle_files.items():
        assert list(other.cycle_files[cycle]) == list(files)
        for unit, loaded in files.items():
            twin = other.cycle_files[cycle][unit]
            assert twin.path == loaded.path
            assert repr(twin.data) == repr(loaded.data)
            assert twin.body == loaded.body
            assert list(twin.value_locations.items()) == list(loaded.value_locations.items())
            assert list(twin.key_locations.items()) == list(loaded.key_locations.items())


def store_load(root: Path, store_dir: Path) -> tuple[RawContent, ParseStore]:
    store = ParseStore(store_dir)
    loaded = load_content(root, LoadCache(store=store))
    store.flush()
    return loaded, store


def test_a_cached_load_equals_a_fresh_load(tmp_path: Path) -> None:
    root = make_content(tmp_path, MIXED, base=False)
    fresh = load_content(root)
    first, store = store_load(root, tmp_path / "parsed")
    # clean files only (not dup/syntax); Q2's copy of a Q1 file shares its entry
    assert store.hits == 0 and store.writes == 6
    again, store = store_load(root, tmp_path / "parsed")
    # identical bytes in two quarters share an entry: six entries, seven hits
    assert store.hits == 7 and store.writes == 0
    assert len(list((tmp_path / "parsed").iterdir())) == 6
    assert len(fresh.issues) == 2
    for loaded in (first, again):
        same_content(fresh, loaded)
    cached = again.cycle_files["2026-Q1"]["fast"]
    assert cached.data["objectives"][0]["key_results"][0]["checkins"][0]["date"] == dt.date(
        2026, 1, 8
    )
    assert cached.location(("objectives", 0, "owner")).column == 12


def test_validation_errors_from_a_cached_load_are_the_same(tmp_path: Path) -> None:
    """Errors found by validation (located through the lazily computed
    locations of a cached file) read exactly as without the cache."""
    bad_unit = (
        UNIT.replace("start: 3.2", "start: lots")
        .replace('owner: "Tom', 'ownr: "Tom')
        .replace("company/grow", "company/nothing")
    )
    root = make_content(tmp_path, {"2026-Q1/onboarding.yaml": bad_unit})

    def errors(cache: LoadCache | None) -> list[str]:
        try:
            load_model(root, cache=cache)
        except ContentError as err:
            return [str(i) for i in err.issues]
        raise AssertionError("expected errors")

    fresh = errors(None)
    assert len(fresh) == 2
    assert errors(LoadCache(store=ParseStore(tmp_path / "p"))) == fresh
    assert not (tmp_path / "p").exists()  # nothing written for a failed load
    warm = LoadCache(store=ParseStore(tmp_path / "p"))
    load_content(root, warm)
    assert warm.store is not None
    warm.store.flush()
    assert all(e.startswith("content/2026-Q1/onboarding.yaml:") for e in fresh), fresh
    assert errors(LoadCache(store=ParseStore(tmp_path / "p"))) == fresh
    store = ParseStore(tmp_path / "p")
    assert errors(LoadCache(store=store)) == fresh
    assert store.hits == 5  # every file: its errors are validation errors, not parse errors
    # a reference error (pass 2) is located through the computed locations too
    write_files(root, {"2026-Q1/onboarding.yaml": UNIT.replace("company/grow", "company/nope")})
    fresh = errors(None)
    assert len(fresh) == 1 and fresh[0].startswith("content/2026-Q1/onboarding.yaml:6:")
    again = LoadCache(store=ParseStore(tmp_path / "p"))
    load_content(root, again)
    assert again.store is not None
    again.store.flush()
    assert errors(LoadCache(store=ParseStore(tmp_path / "p"))) == fresh


def test_an_edited_file_is_parsed_again(tmp_path: Path) -> None:
    root = make_content(tmp_path, MIXED, base=False)
    store_load(root, tmp_path / "parsed")
    (root / "2026-Q1" / "fast.yaml").write_text(UNIT.replace("3.16", "3.01"), encoding="utf-8")
    after, store = store_load(root, tmp_path / "parsed")
    checkin = after.cycle_files["2026-Q1"]["fast"].data["objectives"][0]["key_results"][0]
    assert checkin["checkins"][0]["value"] == 3.01
    assert store.writes == 1 and store.hits == 6
    same_content(load_content(root), after)


def test_corrupt_foreign_and_tampered_entries_are_ignored(tmp_path: Path) -> None:
    root = make_content(tmp_path, MIXED, base=False)
    store_dir = tmp_path / "parsed"
    store_load(root, store_dir)
    entries = sorted(store_dir.iterdir())
    assert len(entries) == 6

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    damage = [
        b"",
        b"not a cache entry",
        FORMAT + b"\x80\x05garbage",
        FORMAT[:-2] + b"9\n" + entries[0].read_bytes()[len(FORMAT) :],
        FORMAT + pickle.dumps(("nodes", ["not", "a", "dict"], "", {})),
        FORMAT + pickle.dumps(("located", {"a": 1}, "", {(): ("x", 1)}, {})),
        FORMAT + pickle.dumps(("nodes", {"a": 1}, "", {(): (1, 1)}, "extra")),
        FORMAT + pickle.dumps(Evil()),
    ]
    for entry, blob in zip(entries, damage, strict=False):
        entry.write_bytes(blob)
    entries[-1].write_bytes(FORMAT + pickle.dumps(Evil()))
    after, store = store_load(root, store_dir)
    assert not (tmp_path / "pwned").exists()
    assert store.hits == 0
    same_content(load_content(root), after)
    again, store = store_load(root, store_dir)  # the damaged entries were rewritten
    assert store.hits == 7
    same_content(load_content(root), again)


def test_an_unwritable_cache_costs_speed_not_the_load(tmp_path: Path) -> None:
    root = make_content(tmp_path, MIXED, base=False)
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    loaded, store = store_load(root, blocker / "parsed")
    assert store.writes == 0
    same_content(load_content(root), loaded)


def test_another_reader_version_does_not_reuse_entries(tmp_path: Path) -> None:
    root = make_content(tmp_path, MIXED, base=False)
    store_load(root, tmp_path / "parsed")
    store = ParseStore(tmp_path / "parsed")
    store._reader = b"a different reader"
    load_content(root, LoadCache(store=store))
    store.flush()
    assert store.hits == 0 and store.writes == 6


def test_check_uses_the_parse_cache_and_can_turn_it_off(tmp_path: Path) -> None:
    root = make_content(tmp_path, {})
    runner = CliRunner()
    off = runner.invoke(main, ["check", "--content", str(root), "--no-parse-cache"])
    assert off.exit_code == 0, off.output
    assert not (tmp_path / ".okrsite-cache").exists()
    first = runner.invoke(main, ["check", "--content", str(root)])
    entries = list((tmp_path / ".okrsite-cache" / "parsed").iterdir())
    assert first.exit_code == 0 and entries
    second = runner.invoke(main, ["check", "--content", str(root)])
    assert second.output == first.output == off.output
    write_files(root, {"company.yaml": "name: [broken\n", "org.yaml": "units: []\n"})
    broken = runner.invoke(main, ["check", "--content", str(root)])
    assert broken.exit_code == 1 and "company.yaml:" in broken.output
    assert "Traceback" not in broken.output
    assert sorted((tmp_path / ".okrsite-cache" / "parsed").iterdir()) == sorted(entries)


def many_units(count: int, *, offset: int = 0) -> dict[str, str]:
    """``count`` unit files of one cycle folder, each different, plus two that
    are byte for byte the same (their entries must still both be found)."""
    files = {
        f"2026-Q1/team-{n:02d}.yaml": UNIT.replace("3.16", f"3.{n + offset:02d}")
        for n in range(count)
    }
    files["2026-Q1/twin-a.yaml"] = files["2026-Q1/twin-b.yaml"] = UNIT
    return files


def stored_entries(directory: Path) -> dict[str, bytes]:
    """Every entry in a store directory: loose ones by file name, packed ones
    by display path (each with its pickled entry)."""
    found: dict[str, bytes] = {}
    for path in sorted(directory.iterdir()):
        blob = path.read_bytes()
        if path.suffix == ".pack":
            assert blob.startswith(PACK_FORMAT)
            for display, (_name, entry) in pickle.loads(blob[len(PACK_FORMAT) :]).items():
                found[display] = entry
        else:
            assert path.suffix == ".pickle" and blob.startswith(FORMAT)
            found[path.name] = blob[len(FORMAT) :]
    return found


def test_many_new_entries_of_a_folder_are_written_as_one_pack(tmp_path: Path) -> None:
    """A cold load writes one file per folder with many entries (creating files
    is the slow part), and a load from it equals a fresh load."""
    root = make_content(tmp_path, {**MIXED, **many_units(30)}, base=False)
    first, store = store_load(root, tmp_path / "parsed")
    # 2026-Q1: 32 + 4 clean files of MIXED, in its pack; loose: 2026-Q2's file
    # and company and org (their folder has two entries)
    assert store.hits == 0 and store.writes == 39
    written = sorted(p.suffix for p in (tmp_path / "parsed").iterdir())
    assert written == [".pack", ".pickle", ".pickle", ".pickle"]
    assert len(stored_entries(tmp_path / "parsed")) == 36 + 3
    again, store = store_load(root, tmp_path / "parsed")
    assert store.hits == 39 and store.writes == 0
    fresh = load_content(root)
    same_content(fresh, first)
    same_content(fresh, again)


def test_edits_go_to_loose_entries_until_there_are_many_then_into_the_pack(
    tmp_path: Path,
) -> None:
    root = make_content(tmp_path, many_units(30), base=False)
    store_load(root, tmp_path / "parsed")
    parsed = tmp_path / "parsed"
    pack = next(parsed.glob("*.pack"))
    packed = pack.read_bytes()
    write_files(root, {"2026-Q1/team-03.yaml": UNIT.replace("3.16", "2.99")})
    after, store = store_load(root, parsed)
    assert store.writes == 1 and store.hits == 31 and pack.read_bytes() == packed
    assert len(list(parsed.glob("*.pickle"))) == 1
    same_content(load_content(root), after)
    # many edits at once: the folder's pack is rewritten with them and the
    # loose entry this load used; files not read by this load keep their entry
    write_files(root, many_units(20, offset=50))
    after, store = store_load(root, parsed)
    assert store.writes == 20 and store.hits == 12
    assert pack.read_bytes() != packed
    again, store = store_load(root, parsed)
    assert store.hits == 32 and store.writes == 0
    same_content(load_content(root), after)
    same_content(load_content(root), again)


def test_a_damaged_or_tampered_pack_is_ignored_and_rewritten(tmp_path: Path) -> None:
    root = make_content(tmp_path, many_units(20), base=False)
    parsed = tmp_path / "parsed"
    store_load(root, parsed)
    pack = next(parsed.glob("*.pack"))
    good = pack.read_bytes()
    table = pickle.loads(good[len(PACK_FORMAT) :])
    display = next(iter(table))

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    damage = [
        b"",
        PACK_FORMAT,
        PACK_FORMAT + b"\x80\x05garbage",
        good[: len(good) // 2],
        PACK_FORMAT + pickle.dumps(Evil()),
        PACK_FORMAT + pickle.dumps({display: ("name", "not bytes")}),
        PACK_FORMAT + pickle.dumps({display: (table[display][0], pickle.dumps(Evil()))}),
        PACK_FORMAT + pickle.dumps({display: (table[display][0], b"not a pickle")}),
        PACK_FORMAT + pickle.dumps([display]),
    ]
    for blob in damage:
        pack.write_bytes(blob)
        after, store = store_load(root, parsed)
        assert not (tmp_path / "pwned").exists()
        assert store.hits < 22, blob[:40]
        same_content(load_content(root), after)
        assert pack.read_bytes() == good  # rewritten: the same entries as before
    again, store = store_load(root, parsed)
    assert store.hits == 22
    same_content(load_content(root), again)


def test_a_location_table_of_the_wrong_shape_is_refused() -> None:
    """What a stored entry's location tables must be: data path → (line, column)."""
    from okrsite.source.store import _locations

    assert _locations({}) and _locations({(): (1, 1), ("a", 0): (2, 5)})
    for table in (
        [((), (1, 1))],
        {"a": (1, 1)},
        {(): [1, 1]},
        {(): (1,)},
        {(): (1, 2, 3)},
        {(): (1, True)},
        {(): (1.0, 1)},
        {(): (1, 1), ("a",): (1, "2")},
        {(): (1, 1), ("a",): None},
    ):
        assert not _locations(table), table


def test_a_trusted_entry_reads_back_as_the_checked_one(tmp_path: Path) -> None:
    """The parse helper's entries (``trusted``: pickled by this command, not
    read from a cache directory) give the very result the checked reading
    gives, for fast-read and strictly read files alike; a broken one is
    still no result."""
    from okrsite.source.parse import parse_unit_file
    from okrsite.source.store import pickled_entry, result_of

    texts = [
        "status: draft\nobjectives:\n  - id: grow\n    title: Grow\n    key_results:\n"
        "      - id: a\n        title: A\n        checkins:\n"
        "          - {date: 2026-01-05, value: 3}\n",
        "status: draft  # a comment after a value: the strict reader\nobjectives: []\n",
    ]
    for text in texts:
        raw = text.encode()
        blob = pickled_entry(parse_unit_file(raw, "content/2026-Q1/x.yaml"))
        assert blob is not None
        results = [
            result_of(blob, "content/2026-Q1/x.yaml", lambda: ({}, {}), trusted=trusted)
            for trusted in (False, True)
        ]
        checked, trusted = (r[0] for r in results if r is not None)
        assert repr(trusted.data) == repr(checked.data)
        assert trusted.node_locations == checked.node_locations
        assert trusted.is_located == checked.is_located
        assert result_of(blob[:-3], "content/2026-Q1/x.yaml", None, trusted=True) is None
