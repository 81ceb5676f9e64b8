"""Closed quarters' check-ins kept apart (okrsite/model/checkins.py): a kept
cycle's key results hold a placeholder that no reader can read through, and
every build that reads check-ins of a kept cycle loads them by name first, so
warm, cold and store-less builds are byte-identical.

The fixture adds a check-in with an author on the last days of 2026-Q3, so a
build on 2026-10-02 shows a closed quarter's check-in (home's recent
check-ins), and a public site without people must strip its author.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import pickle
import shutil
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic_core import PydanticSerializationError

from okrsite.cli import main
from okrsite.model import CheckinsNotLoaded, checkins_loaded, load_checkins, load_cycle_checkins
from okrsite.model.checkins import KeptCheckins
from okrsite.validate import kept as kept_store
from okrsite.validate import load_model
from okrsite.validate.kept import KeptCycles

REPO = Path(__file__).resolve().parents[1]
REALWORLD = Path(__file__).parent / "fixtures" / "realworld" / "content"
LATE_FILE = "2026-Q3/cs-support.yaml"
LATE_CHECKIN = ["date: 2026-09-29", "value: 4.2", "note: Late in the quarter", "author: Ana Late"]


def add_late_checkin(content: Path) -> None:
    """A check-in dated two days before 2026-Q3 ends, on the file's first KR
    that has check-ins (inserted before its first one); the KR loses its
    score and ``current``, so its progress comes from its check-ins (profiles
    and roll-ups read them)."""
    path = content / LATE_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "checkins:")
    indent = len(lines[at + 1]) - len(lines[at + 1].lstrip())
    first, *rest = LATE_CHECKIN
    entry = "".join([f"{' ' * indent}- {first}\n", *(f"{' ' * (indent + 2)}{r}\n" for r in rest)])
    lines.insert(at + 1, entry)
    kr = next(i for i, line in enumerate(lines) if line.strip() == "- id: support-o1-k3")
    assert kr < at and lines[kr + 4] == "    current: 1.8\n"
    score = next(i for i in range(at, len(lines)) if lines[i].startswith("    score:"))
    del lines[score], lines[kr + 4]  # no score, no current: progress from check-ins
    path.write_text("".join(lines), encoding="utf-8")


def make_site(root: Path, *, stores: bool = True, people: bool = True) -> Path:
    content = root / "content"
    shutil.copytree(REALWORLD, content)
    add_late_checkin(content)
    if not people:
        company = content / "company.yaml"
        company.write_text(company.read_text() + "publish_people: false\n", encoding="utf-8")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if not stores:
        config = config.replace(
            "content_dir: content",
            "content_dir: content\n      page_cache: false\n      parse_cache: false",
        )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs" / "site").mkdir(parents=True)
    return root / "mkdocs.yml"


def build(config: Path, site: Path, today: str) -> dict[str, bytes]:
    shutil.rmtree(site, ignore_errors=True)
    result = CliRunner().invoke(
        main, ["build", "-f", str(config), "--site-dir", str(site), "--strict", "--today", today]
    )
    trace = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
    assert result.exit_code == 0, result.output + trace
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def kept_folders(root: Path, today: str) -> set[str]:
    """The cycles the next build of ``root`` takes from the validated store."""
    store = KeptCycles.open(
        root / ".okrsite-cache" / "validated",
        root / "content",
        ended_before=dt.date.fromisoformat(today),
    )
    return set(store.kept)


@pytest.mark.parametrize("people", [True, False], ids=["people", "no-people"])
def test_warm_cold_and_store_less_builds_are_identical_on_two_days(
    tmp_path: Path, people: bool
) -> None:
    """Each build takes the validated cycles (check-ins packed) from the
    previous one (on 2026-09-20 a kept quarter is the current one again); on 2026-10-02 a closed quarter's check-in is on the home
    page, and the day's findings are not stored yet (the
    rules read the closed quarters' check-ins)."""
    fresh = make_site(tmp_path / "fresh", stores=False, people=people)
    warm = make_site(tmp_path / "warm", people=people)
    for today in ("2026-11-23", "2026-10-02", "2026-09-20", "2026-10-02"):
        expected = build(fresh, tmp_path / "fresh-site", today)
        assert kept_folders(warm.parent, today) <= {"2023-Q2", "2026-Q3"}
        assert build(warm, tmp_path / "warm-site", today) == expected, today
    assert kept_folders(warm.parent, "2026-10-02") == {"2023-Q2", "2026-Q3"}
    home = expected["index.html"].decode()
    assert "Late in the quarter" in home
    exported = expected["okrs.json"].decode()
    assert "Late in the quarter" in exported
    assert ("Ana Late" in exported) is people  # a public site without people strips it


def test_a_theme_change_and_an_archived_edit_rebuild_kept_cycles_identically(
    tmp_path: Path,
) -> None:
    """A change that misses the page store but not the validated one (the
    site's name, on every archived page) renders the closed quarters from
    kept cycles; an edit to an archived file shows."""
    fresh = make_site(tmp_path / "fresh", stores=False)
    warm = make_site(tmp_path / "warm")
    build(warm, tmp_path / "warm-site", "2026-10-02")
    for config in (fresh, warm):
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("site_name:", "site_name: Renamed", 1), encoding="utf-8")
    assert kept_folders(warm.parent, "2026-10-02") == {"2023-Q2", "2026-Q3"}
    expected = build(fresh, tmp_path / "fresh-site", "2026-10-02")
    assert build(warm, tmp_path / "warm-site", "2026-10-02") == expected
    for root in (fresh.parent, warm.parent):
        path = root / "content" / LATE_FILE
        path.write_text(path.read_text().replace("Late in the quarter", "Edited late"))
    assert kept_folders(warm.parent, "2026-10-02") == {"2023-Q2"}
    expected = build(fresh, tmp_path / "fresh-site", "2026-10-02")
    assert build(warm, tmp_path / "warm-site", "2026-10-02") == expected
    assert "Edited late" in expected["index.html"].decode()


def test_a_profile_made_again_reads_a_kept_quarters_progress_from_its_check_ins(
    tmp_path: Path,
) -> None:
    """An edit in the current quarter makes the unit's profile again; it
    shows the kept 2026-Q3's progress of a key result without score or
    ``current`` (from its check-ins), as a fresh build does. (On 2026-11-23
    no 2026-Q3 check-in is recent: home loads none of them.)"""
    fresh = make_site(tmp_path / "fresh", stores=False)
    warm = make_site(tmp_path / "warm")
    build(warm, tmp_path / "warm-site", "2026-11-23")
    for root in (fresh.parent, warm.parent):
        path = root / "content" / "2026-Q4" / "cs-support.yaml"
        text = path.read_text(encoding="utf-8")
        assert "    current: 3.0\n" in text
        path.write_text(text.replace("    current: 3.0\n", "    current: 3.5\n", 1))
    assert kept_folders(warm.parent, "2026-11-23") == {"2023-Q2", "2026-Q3"}
    expected = build(fresh, tmp_path / "fresh-site", "2026-11-23")
    assert build(warm, tmp_path / "warm-site", "2026-11-23") == expected


def kept_model(tmp_path: Path):  # type: ignore[no-untyped-def]
    content = tmp_path / "content"
    shutil.copytree(REALWORLD, content)
    ended = dt.date(2026, 11, 23)
    first = KeptCycles.open(tmp_path / "validated", content, ended_before=ended)
    load_model(content, kept=first)
    first.save()
    again = KeptCycles.open(tmp_path / "validated", content, ended_before=ended)
    assert set(again.kept) == {"2023-Q2", "2026-Q3"}
    return load_model(content, kept=again), load_model(content)


def test_a_reader_that_did_not_load_check_ins_fails_loudly(tmp_path: Path) -> None:
    """Every way of reading a kept key result's check-ins without loading
    them raises, C-level readers (json, pydantic's serialiser, list
    operations) included; loading gives the fresh load's lists."""
    model, fresh = kept_model(tmp_path)
    okrs = next(
        o
        for o in model.cycles["2026-Q3"].okrs.values()
        if any(type(kr.checkins) is KeptCheckins for ob in o.objectives for kr in ob.key_results)
    )
    assert not checkins_loaded(okrs)
    kr = next(
        kr for ob in okrs.objectives for kr in ob.key_results if type(kr.checkins) is KeptCheckins
    )
    placeholder = kr.checkins
    readers = [
        lambda: list(placeholder),
        lambda: len(placeholder),
        lambda: bool(placeholder),
        lambda: placeholder[0],
        lambda: placeholder == [],
        lambda: [] + placeholder,  # noqa: RUF005
        lambda: placeholder + [],  # noqa: RUF005
        lambda: repr(kr),
        lambda: copy.deepcopy(kr),
        lambda: pickle.dumps(placeholder),
        lambda: sorted(placeholder),
        lambda: max(placeholder, key=lambda c: c.date),
    ]
    for read in readers:
        with pytest.raises(CheckinsNotLoaded):
            read()
    with pytest.raises(TypeError):
        json.dumps(placeholder)
    with pytest.raises(PydanticSerializationError):  # the serialiser refuses it
        okrs.model_dump(mode="json")
    with pytest.warns(UserWarning, match="KeptCheckins"):
        # Handed through as it is, not as a list: reading it raises.
        assert kr.model_dump()["checkins"] is placeholder
    with pytest.raises(PydanticSerializationError):
        okrs.model_dump_json(warnings=False)
    twin = fresh.cycles["2026-Q3"].okrs[okrs.unit_id]
    assert load_checkins(okrs) is okrs and checkins_loaded(okrs)
    assert okrs == twin and okrs.model_dump() == twin.model_dump()
    assert kr.checkins and type(kr.checkins) is list
    for cycle in model.cycles.values():
        load_cycle_checkins(cycle)
    assert model == fresh


def test_the_current_cycle_and_measured_files_keep_their_check_ins_in_place(
    tmp_path: Path,
) -> None:
    """Only kept (closed) cycles have placeholders; a fresh load has none."""
    model, fresh = kept_model(tmp_path)
    assert all(checkins_loaded(o) for o in model.cycles["2026-Q4"].okrs.values())
    assert all(checkins_loaded(o) for c in fresh.cycles.values() for o in c.okrs.values())
    assert not all(checkins_loaded(o) for o in model.cycles["2023-Q2"].okrs.values())


def test_a_damaged_check_in_pack_is_an_explained_error_not_a_traceback(tmp_path: Path) -> None:
    """A kept entry that reads back whole but whose check-in pack does not
    (the store's files come back from a CI cache) is found only when a build
    loads the pack: the build then fails with what to do, exit 1 and no
    traceback, and builds again once the folder is gone."""
    config = make_site(tmp_path / "site")
    build(config, tmp_path / "out", "2026-11-23")
    validated = tmp_path / "site" / ".okrsite-cache" / "validated"
    packs: list[bytes] = []

    class Recording(kept_store._ModelUnpickler):
        def find_class(self, module: str, name: str) -> object:
            found = super().find_class(module, name)
            if found is kept_store._pack:
                return lambda data: packs.append(data) or kept_store._pack(data)
            return found

    damaged = 0
    for entry in validated.glob("*.cycle.pickle"):
        raw = entry.read_bytes()
        packs.clear()
        Recording(io.BytesIO(raw)).load()
        for data in packs:
            raw = raw.replace(data, b"\x00" * len(data))  # same length: the entry still reads
            damaged += 1
        entry.write_bytes(raw)
    assert damaged > 0
    # The other audience misses the closed-cycle store (not the validated
    # one), so the closed quarters' pages are made from the kept cycles, and
    # their check-ins are loaded.
    out = tmp_path / "out2"
    args = ["build", "-f", str(config), "--site-dir", str(out), "--today", "2026-11-23"]
    args += ["--audience", "internal"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "damaged check-ins in the validated-cycle store" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    shutil.rmtree(validated)
    build(config, out, "2026-11-23")
