"""Redaction copies only what it changes (okrsite/analysis/redact.py).

The public model must be exactly what a deep copy with the private parts cut
out would be — checked against that reference on a synthetic org with
private objectives, references to them across a year and its quarters,
co-owners and check-in authors, with and without ``publish_people`` — while
the untouched parts (check-ins above all) are the original objects, and the
original model does not change.
"""

from __future__ import annotations

import pytest
from contentkit import load_synth

from okrsite.analysis.redact import redact
from okrsite.fieldtypes import CYCLE_REF_SEPARATOR
from okrsite.model import OkrModel, UnitOkrs
from okrsite.validate import load_model


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> OkrModel:
    """The synthetic org, plus links to private objectives (validation would
    flag them, which is why the generator writes none; redaction must cut
    them all the same): from an objective and a key result of another unit
    in the same cycle, and from another cycle by ``cycle:unit/objective``."""
    root = tmp_path_factory.mktemp("synth")
    load_synth().write(root / "synth", units=80, seed=5, cycles=4)
    return with_private_links(load_model(root / "synth" / "content"))


def with_private_links(model: OkrModel) -> OkrModel:
    """``model`` with links to each cycle's private objectives: from three
    other units of the cycle, and from the next cycle by
    ``cycle:unit/objective`` (the last cycle's from the first)."""
    cycles = dict(model.cycles)
    ids = list(model.cycles)
    for i, (cycle_id, cycle) in enumerate(model.cycles.items()):
        private = [
            f"{unit_id}/{o.id}"
            for unit_id, okrs in cycle.okrs.items()
            for o in okrs.objectives
            if o.is_private
        ]
        if not private:
            continue
        okrs = dict(cycles[cycle_id].okrs)
        for unit_id in [u for u in okrs if okrs[u].objectives][:3]:
            okrs[unit_id] = _linked(okrs[unit_id], private[0])
        cycles[cycle_id] = cycles[cycle_id].model_copy(update={"okrs": okrs})
        other = ids[(i + 1) % len(ids)]
        okrs = dict(cycles[other].okrs)
        unit_id = [u for u in okrs if okrs[u].objectives][-1]
        okrs[unit_id] = _linked(okrs[unit_id], f"{cycle_id}{CYCLE_REF_SEPARATOR}{private[-1]}")
        cycles[other] = cycles[other].model_copy(update={"okrs": okrs})
    return model.model_copy(update={"cycles": cycles})


def _linked(okrs: UnitOkrs, ref: str) -> UnitOkrs:
    """``okrs`` with its first objective and that objective's first key result
    linking to ``ref`` (and that key result's check-ins signed)."""
    first = okrs.objectives[0]
    krs = list(first.key_results)
    if krs:
        checkins = [c.model_copy(update={"author": "Pat Doe"}) for c in krs[0].checkins]
        krs[0] = krs[0].model_copy(
            update={"contributes_to": [*krs[0].contributes_to, ref], "checkins": checkins}
        )
    first = first.model_copy(
        update={"aligns_to": [*first.aligns_to, ref], "related": [ref], "key_results": krs}
    )
    content = okrs.content.model_copy(update={"objectives": [first, *okrs.objectives[1:]]})
    return okrs.model_copy(update={"content": content})


def _reference(model: OkrModel, people: bool) -> dict[tuple[str, str], str]:
    """Every unit's public OKRs as JSON, made the simple way: a deep copy of
    the whole model, private objectives and the references to them removed
    (``unit/objective`` within a cycle, ``cycle:unit/objective`` from any),
    people's names cleared."""
    copy = model.model_copy(deep=True)
    by_cycle = {
        cycle_id: {f"{u}/{o.id}" for u, x in cycle.okrs.items() for o in x.objectives if o.is_private}
        for cycle_id, cycle in copy.cycles.items()
    }
    across = {f"{cycle_id}{CYCLE_REF_SEPARATOR}{r}" for cycle_id, refs in by_cycle.items() for r in refs}

    def keep(refs: list[str], private: set[str]) -> list[str]:
        return [r for r in refs if "/".join(r.split("/")[:2]) not in private]

    out = {}
    for cycle_id, cycle in copy.cycles.items():
        private = by_cycle[cycle_id] | across
        for unit_id, okrs in cycle.okrs.items():
            public = [o for o in okrs.content.objectives if not o.is_private]
            okrs.redacted_private += len(okrs.content.objectives) - len(public)
            okrs.content.objectives = public
            for o in public:
                o.aligns_to, o.related = keep(o.aligns_to, private), keep(o.related, private)
                for kr in o.key_results:
                    kr.contributes_to = keep(kr.contributes_to, private)
                    kr.related = keep(kr.related, private)
            if not people:
                for metric in okrs.content.health_metrics:
                    metric.owner = None
                for o in public:
                    o.owner, o.owners = None, []
                    for kr in o.key_results:
                        kr.owner, kr.owners = None, []
                        for checkin in kr.checkins:
                            checkin.author = None
            out[(cycle_id, unit_id)] = okrs.model_dump_json()
    return out


@pytest.mark.parametrize("people", [True, False])
def test_the_public_model_is_the_deep_copy_with_private_parts_cut(
    model: OkrModel, people: bool
) -> None:
    model = model.model_copy(
        update={"company": model.company.model_copy(update={"publish_people": people})}
    )
    before = model.model_dump_json()
    public = redact(model, "public")
    assert model.model_dump_json() == before  # the original is untouched
    expected = _reference(model, people)
    got = {
        (cycle_id, unit_id): okrs.model_dump_json()
        for cycle_id, cycle in public.cycles.items()
        for unit_id, okrs in cycle.okrs.items()
    }
    assert got == expected
    private = sum(
        o.is_private for c in model.cycles.values() for x in c.okrs.values() for o in x.objectives
    )
    assert private > 5  # the org really has private objectives to cut
    links = {r for cycle in model.cycles.values() for x in cycle.okrs.values()
             for o in x.objectives for r in (*o.aligns_to, *o.related)}  # fmt: skip
    cut = {r for cycle in public.cycles.values() for x in cycle.okrs.values()
           for o in x.objectives for r in (*o.aligns_to, *o.related)}  # fmt: skip
    assert links - cut  # ... and links to them
    authors = {
        c.author for cycle in public.cycles.values() for x in cycle.okrs.values()
        for o in x.objectives for kr in o.key_results for c in kr.checkins
    }  # fmt: skip
    assert ("Pat Doe" in authors) == people
    assert sum(x.redacted_private for c in public.cycles.values() for x in c.okrs.values()) == private


def test_check_ins_are_shared_unless_names_are_cleared(model: OkrModel) -> None:
    public = redact(model, "public")
    shared = copied = 0
    for cycle_id, cycle in public.cycles.items():
        for unit_id, okrs in cycle.okrs.items():
            original = {o.id: o for o in model.cycles[cycle_id].okrs[unit_id].objectives}
            for objective in okrs.objectives:
                for kr, old in zip(objective.key_results, original[objective.id].key_results, strict=True):
                    for checkin, old_checkin in zip(kr.checkins, old.checkins, strict=True):
                        shared += checkin is old_checkin
                        copied += checkin is not old_checkin
    assert shared > 100 and copied == 0
