"""Validated cycles kept between builds (okrsite/validate/kept.py): a cycle
whose files did not change comes back validated, equal to a fresh load; any
change that could change it or its checks validates it again."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from okrsite.errors import ContentError
from okrsite.model import OkrModel, checkins_loaded, load_checkins
from okrsite.validate import load_model
from okrsite.validate.kept import SUFFIX, KeptCycles
from tests.contentkit import make_content
from tests.test_annual_cycles import FILES
from tests.test_measure import measured_site


def build_load(content: Path, store: Path) -> tuple[OkrModel, set[str]]:
    """One build's load: the store opened, used and saved; which folders it kept."""
    kept = KeptCycles.open(store, content)
    model = load_model(content, kept=kept)
    kept.save()
    return model, set(kept.kept)


def errors_of(content: Path, kept: KeptCycles | None = None) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_model(content, kept=kept)
    return [str(issue) for issue in caught.value.issues]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unchanged_cycles_come_validated_and_equal_a_fresh_load(tmp_path: Path) -> None:
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    first, kept = build_load(content, store)
    assert kept == set() and len(list(store.glob("*" + SUFFIX))) == 3  # year, Q1, Q2
    again, kept = build_load(content, store)
    assert kept == {"2026", "2026-Q1", "2026-Q2"}
    fresh = load_model(content)
    assert again == fresh == first  # node sources included (they live in each __dict__)
    node = again.cycles["2026-Q2"].okrs["onboarding"].objectives[0].key_results[0]
    assert str(node.source) == str(fresh.cycles["2026-Q2"].okrs["onboarding"].objectives[0]
                                   .key_results[0].source)
    assert len(list(store.glob("*" + SUFFIX))) == 3  # one entry per cycle, not more


def test_an_edit_validates_its_cycle_and_the_cycles_that_overlap_it(tmp_path: Path) -> None:
    """Q2 changed: the year (which contains it) and Q2 load again, Q1 does not.
    The year changed: both quarters (which may point into it) load again."""
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    edit(content / "2026-Q2" / "onboarding.yaml", "current: 52", "current: 55")
    model, kept = build_load(content, store)
    assert kept == {"2026-Q1"}
    assert model == load_model(content)
    edit(content / "2026" / "product.yaml", "current: 38", "current: 40")
    model, kept = build_load(content, store)
    assert kept == set()
    assert model == load_model(content)
    model, kept = build_load(content, store)
    assert kept == {"2026", "2026-Q1", "2026-Q2"}


@pytest.mark.parametrize("name", ["org.yaml", "company.yaml"])
def test_org_or_company_changed_validates_every_cycle(tmp_path: Path, name: str) -> None:
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    with open(content / name, "a", encoding="utf-8") as handle:
        handle.write("# a comment is a change too\n")
    model, kept = build_load(content, store)
    assert kept == set() and model == load_model(content)


def test_a_change_in_the_year_that_breaks_a_quarter_is_reported(tmp_path: Path) -> None:
    """Q1 and Q2 did not change, but the year objective they align to was
    renamed: they are validated again and the broken references reported
    exactly as without the store; nothing is saved."""
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    entries = sorted(p.name for p in store.iterdir())
    edit(content / "2026" / "company.yaml", "id: win-midmarket", "id: win-the-midmarket")
    kept = KeptCycles.open(store, content)
    expected = errors_of(content)
    assert any("2026-Q1/company.yaml" in e for e in expected)
    assert any("2026-Q2/company.yaml" in e for e in expected)
    assert errors_of(content, kept) == expected
    assert sorted(p.name for p in store.iterdir()) == entries


def test_a_broken_edit_reads_as_without_the_store(tmp_path: Path) -> None:
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    edit(content / "2026-Q2" / "onboarding.yaml", "current: 52", "current: [52]")
    assert errors_of(content, KeptCycles.open(store, content)) == errors_of(content)


def test_a_damaged_or_foreign_entry_is_a_miss(tmp_path: Path) -> None:
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    entries = sorted(store.glob("*" + SUFFIX))
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(entries[1].read_bytes()[:100])  # cut short
    model, kept = build_load(content, store)
    assert len(kept) == 1 and model == load_model(content)


def test_measured_values_follow_their_data_file_in_a_kept_cycle(tmp_path: Path) -> None:
    """The data files of measured key results are not in the key: they are
    read on every load, so a new row shows though the cycle was kept."""
    content = measured_site(tmp_path)
    store = tmp_path / "validated"
    build_load(content, store)
    with open(tmp_path / "data" / "clinics.csv", "a", encoding="utf-8") as handle:
        handle.write("2026-03-02,555,0\n")
    model, kept = build_load(content, store)
    assert "2026-Q1" in kept
    kr = model.cycles["2026-Q1"].okrs["company"].objectives[0].key_results[0]
    assert kr.current == 555 and kr.checkins[-1].value == 555
    assert model == load_model(content)


class _Planted:
    """What an attacker with write access to a CI cache could plant."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "ran"))  # type: ignore[return-value]


def test_an_entry_naming_any_other_global_runs_nothing(tmp_path: Path) -> None:
    """The cache is untrusted: only model classes, dates and locations may be
    unpickled; an entry that names anything else is a miss and runs nothing."""
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    marker = tmp_path / "marker"
    for entry in store.glob("*" + SUFFIX):
        entry.write_bytes(pickle.dumps({"format": "x", "okrs": _Planted(marker)}))
    model, kept = build_load(content, store)
    assert kept == set() and not marker.exists()
    assert model == load_model(content)


class _NotANode:
    """Pickled as a call of kept._node with a class that is not a model."""

    def __reduce__(self) -> tuple[object, ...]:
        from okrsite.errors import SourceLocation
        from okrsite.validate.kept import _node

        return (_node, (SourceLocation, {"path": "x"}, set()))


def test_the_node_builder_makes_model_nodes_only(tmp_path: Path) -> None:
    """Entries call okrsite's node builder (kept._node): given any class but a
    model's, or a state that is not a mapping, the entry is a miss."""
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    for entry in store.glob("*" + SUFFIX):
        entry.write_bytes(pickle.dumps({"format": "x", "okrs": _NotANode()}))
    model, kept = build_load(content, store)
    assert kept == set()
    assert model == load_model(content)
    from okrsite.errors import SourceLocation
    from okrsite.model import UnitOkrs
    from okrsite.validate.kept import _node

    for cls, state in ((SourceLocation, {}), (dict, {}), (UnitOkrs, [("unit_id", "x")])):
        with pytest.raises(pickle.UnpicklingError):
            _node(cls, state, set())  # type: ignore[arg-type]


def test_nodes_read_back_share_their_fields_sets_and_copies_do_not(tmp_path: Path) -> None:
    """Kept nodes of one class with the same set fields share one fields set
    (fewer objects for the garbage collector); a copy, which is how content
    is ever changed, gets its own, so a change never reaches another node."""
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    build_load(content, store)
    model, kept = build_load(content, store)
    assert kept == {"2026", "2026-Q1", "2026-Q2"}
    nodes = [
        (cycle.id, node)
        for cycle in model.cycles.values()
        for okrs in cycle.okrs.values()
        for objective in okrs.objectives
        for node in (objective, *objective.key_results)
    ]
    # One set per cycle (an entry) and class and set of fields.
    kinds = {(c, type(n), frozenset(n.model_fields_set)) for c, n in nodes}
    assert len(nodes) > len(kinds)  # something to share
    assert len({id(n.__pydantic_fields_set__) for _, n in nodes}) == len(kinds)
    fresh = load_model(content)
    fresh_nodes = [
        node
        for cycle in fresh.cycles.values()
        for okrs in cycle.okrs.values()
        for objective in okrs.objectives
        for node in (objective, *objective.key_results)
    ]
    # A fresh load shares them too, across its cycles (validate/shape.py).
    fresh_kinds = {(type(n), frozenset(n.model_fields_set)) for n in fresh_nodes}
    assert len(fresh_nodes) > len(fresh_kinds)
    assert len({id(n.__pydantic_fields_set__) for n in fresh_nodes}) == len(fresh_kinds)
    objective = nodes[0][1]
    copy = objective.model_copy(deep=True)
    copy.title = "changed"
    assert copy.__pydantic_fields_set__ is not objective.__pydantic_fields_set__
    assert objective.title != "changed"
    assert model == fresh


def test_kept_nodes_know_their_source_and_plain_ones_hold_no_tracked_dict(
    tmp_path: Path,
) -> None:
    """A kept node keeps its source location as ``line:column:path`` text, so a
    node of plain values (a check-in) reads back with a dict the garbage
    collector does not track; its ``source`` is the fresh load's all the same."""
    import gc
    import shutil

    content = tmp_path / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "realworld" / "content", content)
    store = tmp_path / "validated"
    kept_store = KeptCycles.open(store, content, ended_before=dt.date(2026, 11, 23))
    load_model(content, kept=kept_store)
    kept_store.save()
    model, kept = build_load(content, store)
    assert kept == {"2023-Q2", "2026-Q3"}
    fresh = load_model(content)
    checkins = 0
    for cycle_id in kept:
        for unit_id, okrs in model.cycles[cycle_id].okrs.items():
            twin = fresh.cycles[cycle_id].okrs[unit_id]
            load_checkins(okrs)
            for objective, other in zip(okrs.objectives, twin.objectives, strict=True):
                assert objective.source == other.source
                assert objective.source.path.endswith(".yaml") and objective.source.line > 1
                for kr, other_kr in zip(objective.key_results, other.key_results, strict=True):
                    assert kr.source == other_kr.source
                    for checkin, other_checkin in zip(kr.checkins, other_kr.checkins, strict=True):
                        assert not gc.is_tracked(checkin.__dict__)
                        assert checkin.source == other_checkin.source
                        checkins += 1
    assert checkins > 3


def test_only_cycles_that_ended_are_kept(tmp_path: Path) -> None:
    """The cycle in progress changes with nearly every build: only cycles
    that ended before the build's day are written to the store."""
    content = make_content(tmp_path, FILES)
    store = tmp_path / "validated"
    spring = dt.date(2026, 5, 1)  # Q1 ended; Q2 and the year go on
    kept = KeptCycles.open(store, content, ended_before=spring)
    load_model(content, kept=kept)
    kept.save()
    again = KeptCycles.open(store, content, ended_before=spring)
    assert set(again.kept) == {"2026-Q1"}
    assert load_model(content, kept=again) == load_model(content)


def test_check_ins_read_back_a_list_at_a_time_equal_and_of_their_class(tmp_path: Path) -> None:
    """Leaf nodes (check-ins) are written a list at a time (kept._leaves) and
    equal dates as one object: read back, every check-in equals the fresh
    load's, is a model node of its class with its own fields, and the lists
    are plain lists a change to one of which reaches no other."""
    import shutil

    from okrsite.model.content import CheckIn

    content = tmp_path / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "realworld" / "content", content)
    store = tmp_path / "validated"
    kept_store = KeptCycles.open(store, content, ended_before=dt.date(2026, 11, 23))
    load_model(content, kept=kept_store)
    kept_store.save()
    model, kept = build_load(content, store)
    assert kept == {"2023-Q2", "2026-Q3"}
    fresh = load_model(content)
    lists = []
    for cycle_id in kept:
        for unit_id, okrs in model.cycles[cycle_id].okrs.items():
            twin = fresh.cycles[cycle_id].okrs[unit_id]
            assert okrs == twin if checkins_loaded(okrs) else load_checkins(okrs) == twin
            days = []
            for objective in okrs.objectives:
                for kr in objective.key_results:
                    assert type(kr.checkins) is list
                    lists.append(kr.checkins)
                    for checkin in kr.checkins:
                        assert type(checkin) is CheckIn
                        assert checkin.model_fields_set <= set(CheckIn.model_fields)
                        assert checkin.model_dump() == CheckIn(**checkin.model_dump()).model_dump()
                        days.append(checkin.date)
            assert len({id(d) for d in days}) == len(set(days))  # one object per day and file
    checkins = [c for found in lists for c in found]
    assert len(checkins) > 3
    assert len({id(found) for found in lists}) == len(lists)  # no list shared
    assert len({id(c) for c in checkins}) == len(checkins)  # no node shared


def test_a_node_met_twice_is_not_kept(tmp_path: Path) -> None:
    """A check-in written inside a list would read back as a second object
    if the same node were met again: such a cycle is not kept (validation
    never makes one; the store must not change a model's shape)."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "realworld" / "content", content)
    model = load_model(content)
    ended = dt.date(2026, 11, 23)
    kept = KeptCycles.open(tmp_path / "validated", content, ended_before=ended)
    cycle_id, kr = next(
        (cycle_id, kr)
        for cycle_id in ("2023-Q2", "2026-Q3")
        for okrs in model.cycles[cycle_id].okrs.values()
        for objective in okrs.objectives
        for kr in objective.key_results
        if kr.checkins
    )
    kr.checkins.append(kr.checkins[0])
    kept.capture(model.cycles, ["2023-Q2", "2026-Q3"])
    kept.save()
    again = KeptCycles.open(tmp_path / "validated", content, ended_before=ended)
    assert set(again.kept) == {"2023-Q2", "2026-Q3"} - {cycle_id}
