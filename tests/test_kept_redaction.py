"""What redaction finds in closed cycles, kept in a build's store
(okrsite/site/redaction.py, ``redact(facts=)``): a warm build takes each closed
quarter's private objectives and changed units from the store instead of
searching the quarter, and its public model is the one a full redaction makes,
on an org with private objectives, links to them within a quarter and across
cycles, and check-in authors, with and without ``publish_people``; an entry
that is not what the build writes is a miss."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from contentkit import load_synth
from test_redact import with_private_links

from okrsite.analysis.redact import CycleRedaction, redact
from okrsite.engine.pagecache import TEXTS_FILE, CycleStore, open_cycle_store, texts_bytes
from okrsite.model import OkrModel
from okrsite.site.options import SiteOptions
from okrsite.site.redaction import site_model
from okrsite.validate import load_model

TODAY = dt.date(2026, 11, 23)
"""2026-Q4 is current; 2026-Q1 to Q3 are closed."""


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, OkrModel]:
    """The synthetic org's content folder and its model, plus links to private
    objectives (validation would flag them, redaction must cut them): from
    other units of the same quarter, and from the next quarter by
    ``cycle:unit/objective``."""
    root = tmp_path_factory.mktemp("synth")
    load_synth().write(root / "synth", units=60, seed=5, cycles=4, as_of=TODAY)
    content = root / "synth" / "content"
    return content, with_private_links(load_model(content))


def with_people(model: OkrModel, people: bool) -> OkrModel:
    company = model.company.model_copy(update={"publish_people": people})
    return model.model_copy(update={"company": company})


def dumps(model: OkrModel) -> dict[tuple[str, str], str]:
    return {
        (cycle_id, unit_id): okrs.model_dump_json()
        for cycle_id, cycle in model.cycles.items()
        for unit_id, okrs in cycle.okrs.items()
    }


def shared(public: OkrModel, model: OkrModel) -> set[tuple[str, str]]:
    """The unit files the public model shares with ``model`` (not copied)."""
    return {
        (cycle_id, unit_id)
        for cycle_id, cycle in public.cycles.items()
        for unit_id, okrs in cycle.okrs.items()
        if okrs is model.cycles[cycle_id].okrs[unit_id]
    }


@pytest.mark.parametrize("people", [True, False])
def test_given_facts_give_the_full_redaction(org: tuple[Path, OkrModel], people: bool) -> None:
    """``facts`` filled by one redaction, then given for every cycle or some:
    the same public model, sharing the same unit files; what was found is
    each cycle's private objectives and the units the redaction copied."""
    model = with_people(org[1], people)
    full = redact(model, "public")
    found: dict[str, CycleRedaction] = {}
    assert dumps(redact(model, "public", facts=found)) == dumps(full)
    assert list(found) == list(model.cycles)
    for cycle_id, (private, touched) in found.items():
        cycle = model.cycles[cycle_id]
        assert private == {
            f"{u}/{o.id}" for u, okrs in cycle.okrs.items() for o in okrs.objectives if o.is_private
        }
        if people:  # the units redaction copies
            assert touched == {
                u for u in cycle.okrs if (cycle_id, u) not in shared(full, model)
            }
    assert sum(len(t) for _, t in found.values()) > 10 and any(p for p, _ in found.values())
    for given in (found, {c: f for i, (c, f) in enumerate(found.items()) if i % 2}):
        facts = dict(given)
        public = redact(model, "public", facts=facts)
        assert dumps(public) == dumps(full)
        assert shared(public, model) == shared(full, model)
        assert facts == found  # the cycles not given were added


def site_of(content: Path, model: OkrModel, store_dir: Path) -> tuple[OkrModel, CycleStore]:
    options = SiteOptions(today=TODAY, graphs=False)
    store = open_cycle_store(store_dir, content, model, options)
    public = site_model(model, options, store)
    store.prune()  # as after a clean build: the texts this build used are kept
    return public, store


def stored_facts(store: CycleStore) -> dict[str, list[list[str]]]:
    found = {}
    for key, text in store._texts_used.items():
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, list) for v in value):
            found[key] = value
    return found


def test_a_build_keeps_closed_quarters_facts_and_gives_the_full_model(
    org: tuple[Path, OkrModel], tmp_path: Path
) -> None:
    content, model = org
    full = redact(model, "public")
    cold, store = site_of(content, model, tmp_path / "store")
    kept = stored_facts(store)
    assert len(kept) == 3  # 2026-Q1 to Q3; the current quarter is searched on every build
    warm, _ = site_of(content, model, tmp_path / "store")
    assert dumps(cold) == dumps(full) and dumps(warm) == dumps(full)
    assert shared(warm, model) == shared(full, model)


def test_the_kept_facts_are_what_the_build_uses(
    org: tuple[Path, OkrModel], tmp_path: Path
) -> None:
    """A closed quarter said to have no private objectives and no changed
    unit keeps its links to private objectives (so the store was read, not
    the quarter searched); entries that are not what the build writes, or
    name units the quarter has not, are a miss: the full model again."""
    content, model = org
    full = dumps(redact(model, "public"))
    _, store = site_of(content, model, tmp_path / "store")
    texts = dict(store._texts_used)
    key, (private, touched) = next((k, v) for k, v in stored_facts(store).items() if v[1])
    for planted, same in (
        ([[], []], False),
        ([private, ["no-such-unit"]], True),
        ([["no-such-unit/x"], touched], True),
        ([private], True),
        ({"private": private}, True),
        ([private, [1]], True),
    ):
        again = tmp_path / f"store-{len(json.dumps(planted))}"
        shutil.copytree(tmp_path / "store", again)
        (again / TEXTS_FILE).write_bytes(texts_bytes({**texts, key: json.dumps(planted)}))
        public, _ = site_of(content, model, again)
        assert (dumps(public) == full) is same


def test_an_archived_file_with_a_new_private_objective_is_redacted(
    org: tuple[Path, OkrModel], tmp_path: Path
) -> None:
    """After the store was made, an objective of a closed quarter's file
    turns private: the quarter's key changes with its file, and the warm
    build cuts it as a full redaction does."""
    content, _ = org
    root = tmp_path / "content"
    shutil.copytree(content, root)
    _, _ = site_of(root, load_model(root), tmp_path / "store")
    quarter = sorted(p for p in root.iterdir() if p.is_dir())[0]
    path = next(p for p in sorted(quarter.glob("*.yaml")) if "visibility" not in p.read_text())
    text = path.read_text(encoding="utf-8")
    assert text.count("\n  - id: ") >= 1
    path.write_text(text.replace("\n  - id: ", "\n  - visibility: private\n    id: ", 1))
    edited = load_model(root)
    public, _ = site_of(root, edited, tmp_path / "store")
    assert dumps(public) == dumps(redact(edited, "public"))
    unit = public.cycles[quarter.name].okrs[path.stem]
    assert unit.redacted_private == 1
