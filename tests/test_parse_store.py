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
from okrsite.source.store import FORMAT
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


def test_entries_taken_by_another_store_are_written_there_and_names_are_checked(
    tmp_path: Path,
) -> None:
    """``take_unsaved``/``adopt`` (how ``okrsite check`` hands its entries to
    its parse helper): the adopting store writes exactly what the first one
    would have; a name that is not an entry's (a path) is ignored."""
    root = make_content(tmp_path, MIXED, base=False)
    first = ParseStore(tmp_path / "first")
    load_content(root, LoadCache(store=first))
    entries = first.take_unsaved()
    first.flush()
    assert first.writes == 0 and len(entries) == 6
    second = ParseStore(tmp_path / "second")
    second.adopt({**entries, "../escaped.pickle": ("nodes",), "x" * 64 + ".pickle": ("nodes",)})
    second.flush()
    assert second.writes == 6 and not (tmp_path / "escaped.pickle").exists()
    store_load(root, tmp_path / "reference")
    assert {p.name: p.read_bytes() for p in (tmp_path / "second").iterdir()} == {
        p.name: p.read_bytes() for p in (tmp_path / "reference").iterdir()
    }


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
