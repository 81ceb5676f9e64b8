"""The synthetic-org generator of the benchmarks (bench/synth.py) writes valid
content of the promised shape, deterministically."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from contentkit import load_synth

from okrsite.model import CompanyFile, OrgFile, UnitCycleFile

synth = load_synth()


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 120-unit, 2-cycle synthetic org on disk."""
    out = tmp_path_factory.mktemp("org")
    synth.write(out, units=120, seed=7, cycles=2)
    return out


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.fixture(scope="module")
def files(org: Path) -> dict[str, dict[str, UnitCycleFile]]:
    """Every unit-cycle file of ``org``, validated, by cycle and unit id."""
    return _cycle_files(org / "content")


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def _assert_acyclic(edges: dict[str, set[str]]) -> None:
    """Fail when the unit graph ``edges`` (unit → units it links to) has a cycle."""
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        state[node] = 1
        for nxt in edges.get(node, ()):
            assert state.get(nxt) != 1, f"alignment cycle through {node} → {nxt}"
            if nxt not in state:
                visit(nxt)
        state[node] = 2

    for node in list(edges):
        if node not in state:
            visit(node)


def _cycle_files(content: Path) -> dict[str, dict[str, UnitCycleFile]]:
    company = CompanyFile.model_validate(_load(content / "company.yaml"))
    out: dict[str, dict[str, UnitCycleFile]] = {}
    for cycle in company.cycles:
        out[cycle.id] = {
            path.stem: UnitCycleFile.model_validate(_load(path))
            for path in sorted((content / cycle.id).glob("*.yaml"))
        }
    return out


def test_every_file_validates_against_the_models(
    org: Path, files: dict[str, dict[str, UnitCycleFile]]
) -> None:
    """company.yaml, org.yaml and every unit-cycle file pass the strict
    pydantic models, and there is one unit file per unit and cycle."""
    content = org / "content"
    company = CompanyFile.model_validate(_load(content / "company.yaml"))
    units = OrgFile.model_validate(_load(content / "org.yaml")).units
    assert len(units) == 120
    assert [c.id for c in company.cycles] == ["2026-Q3", "2026-Q4"]
    for cycle_files in files.values():
        assert set(cycle_files) == {"company"} | {u.id for u in units}


def test_org_shape(org: Path) -> None:
    """About N/20 departments, a few service units, teams under departments,
    no more than three levels."""
    units = OrgFile.model_validate(_load(org / "content" / "org.yaml")).units
    kinds = Counter(u.kind for u in units)
    assert kinds["department"] == 6
    assert 1 <= kinds["service"] <= 5
    by_id = {u.id: u for u in units}
    assert len(by_id) == len(units), "unit ids are unique"
    for unit in units:
        if unit.kind == "team":
            assert by_id[unit.parent].kind == "department"
        else:
            assert unit.parent == "company"


def test_references_resolve_and_alignment_is_acyclic(
    files: dict[str, dict[str, UnitCycleFile]],
) -> None:
    """Every aligns_to / contributes_to / related names an existing public
    objective or KR of the same cycle, and upward links form no cycle."""
    for cycle_files in files.values():
        public: set[str] = set()
        private: set[str] = set()
        for unit_id, data in cycle_files.items():
            for obj in data.objectives:
                ref = f"{unit_id}/{obj.id}"
                (private if obj.is_private else public).add(ref)
                if not obj.is_private:
                    public.update(f"{ref}/{kr.id}" for kr in obj.key_results)
        edges: dict[str, set[str]] = {}
        for unit_id, data in cycle_files.items():
            for obj in data.objectives:
                refs = [*obj.aligns_to, *obj.related]
                refs += [r for kr in obj.key_results for r in (*kr.contributes_to, *kr.related)]
                for ref in refs:
                    assert ref in public, f"{unit_id}: dangling or private ref {ref}"
                    if ref.split("/")[0] != unit_id:
                        edges.setdefault(unit_id, set()).add(ref.split("/")[0])
        _assert_acyclic(edges)


def test_content_mix(org: Path, files: dict[str, dict[str, UnitCycleFile]]) -> None:
    """2–4 objectives × 2–5 KRs per department/team, milestones, thresholds,
    check-ins, health metrics, overlaps, lateral links and private objectives
    are all present; earlier cycles are graded."""
    units = {u.id: u for u in OrgFile.model_validate(_load(org / "content/org.yaml")).units}
    kinds: Counter[str] = Counter()
    supporters: Counter[str] = Counter()
    related = private = checkins = health = 0
    for cycle_id, cycle_files in files.items():
        for unit_id, data in cycle_files.items():
            kind = units[unit_id].kind if unit_id in units else "company"
            if kind in ("department", "team"):
                assert 2 <= len(data.objectives) <= 4
            if cycle_id == "2026-Q3":
                assert data.status == "graded"
            health += len(data.health_metrics)
            for obj in data.objectives:
                private += obj.is_private
                related += len(obj.related)
                assert 2 <= len(obj.key_results) <= 5
                for kr in obj.key_results:
                    kinds[kr.effective_kind] += 1
                    checkins += len(kr.checkins)
                    for ref in kr.contributes_to:
                        supporters[ref] += 1
                    if cycle_id == "2026-Q3":
                        assert kr.score is not None
    assert kinds["milestone"] and kinds["threshold"] and kinds["numeric"]
    assert checkins > 1000 and health > 0 and related > 0 and private > 0
    assert max(supporters.values()) >= 2, "some KR is supported by two units (overlap)"


def test_deterministic_for_a_seed() -> None:
    """Same seed → same bytes; another seed → different content."""
    first = dict(synth.generate(units=30, seed=3))
    assert first == dict(synth.generate(units=30, seed=3))
    assert first != dict(synth.generate(units=30, seed=4))
    assert "mkdocs.yml" in first
    config = yaml.safe_load(first["mkdocs.yml"])
    assert config["theme"]["font"] is False
    assert "navigation.prune" in config["theme"]["features"]
    assert config["plugins"][0] == "search"
    assert config["plugins"][1]["okrsite"]["content_dir"] == "content"


def test_too_few_units_is_a_clear_error() -> None:
    """Fewer than 5 units cannot make 3 departments, a service and a team."""
    with pytest.raises(ValueError, match="at least 5"):
        dict(synth.generate(units=4))


def test_load_model_accepts_a_generated_org(tmp_path: Path) -> None:
    """okrsite's own loader and validator accept a 50-unit org with no error."""
    validate = pytest.importorskip("okrsite.validate")
    synth.write(tmp_path, units=50, seed=11)
    model = validate.load_model(tmp_path / "content")
    assert len(model.units) == 50
    assert set(model.cycles) == {"2026-Q3", "2026-Q4"}
    assert len(model.cycles["2026-Q4"].okrs) == 51
